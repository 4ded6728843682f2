"""Read a .docx into a Document: python-docx for the package, lxml for what python-docx leaves out."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import docx
from lxml import etree

from kcjs.pipeline.document import Block, Document, ImageInfo
from kcjs.pipeline.headings import heading_level, style_level
from kcjs.pipeline.readers.docx_altchunk import MAX_CHUNKS, chunk_blocks
from kcjs.pipeline.readers.docx_package import for_python_docx
from kcjs.pipeline.readers.docx_symbols import TICKED, UNTICKED, font_table, glyph, translate

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
W = "{%s}" % NS["w"]
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
MC = "{%s}" % NS["mc"]
EMU_PER_MM = 36000
MAX_GRID_COLUMNS = 63  # Word's limit; a table without w:tblGrid is bounded by it
_DRAWINGS = etree.XPath(".//w:drawing[not(ancestor::mc:Fallback)]/*", namespaces=NS)
_VML_IMAGES = etree.XPath(".//w:pict[not(ancestor::mc:Fallback)]//v:imagedata", namespaces=NS)
_TEXTBOXES = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]", namespaces=NS)
_PARAS = etree.XPath(".//w:p[not(ancestor::w:txbxContent)]", namespaces=NS)
_BLIP = etree.XPath(".//a:blip/@r:embed | .//a:blip/@r:link", namespaces=NS)
_ON = {None, "1", "true", "on"}
_TRUE = ("1", "true", "on")
_P, _R, _TBL, _TR, _TC, _T = W + "p", W + "r", W + "tbl", W + "tr", W + "tc", W + "t"
_SDT, _SDT_CONTENT, _RPR, _SYM, _FLDCHAR = W + "sdt", W + "sdtContent", W + "rPr", W + "sym", W + "fldChar"
_ALT, _CHOICE, _ALTCHUNK = MC + "AlternateContent", MC + "Choice", W + "altChunk"
# elements that only wrap content Word shows in place (content controls apart: they may be check boxes)
_INLINE_WRAPPERS = {W + n for n in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")}
_BLOCK_WRAPPERS = {W + n for n in ("customXml", "ins", "moveTo", "smartTag")}


def _choice(alt):
    """The branch of mc:AlternateContent a current Word shows: its first mc:Choice."""
    return alt.find(_CHOICE)


def _checkbox(sdt) -> str | None:
    """TICKED/UNTICKED for a check-box content control (w14:checkbox), None for other controls."""
    pr = sdt.find(W + "sdtPr")
    box = pr.find(W14 + "checkbox") if pr is not None else None
    if box is None:
        return None
    checked = box.find(W14 + "checked")
    if checked is None:  # no state written (some generators): the glyph the control shows decides
        state = box.find(W14 + "checkedState")
        code = state.get(W14 + "val", "2612") if state is not None else "2612"
        try:
            glyph = chr(int(code, 16))
        except (ValueError, OverflowError):
            glyph = "☒"
        content = sdt.find(_SDT_CONTENT)
        shown = "".join(content.itertext()) if content is not None else ""
        return TICKED if glyph in shown and glyph not in ("☐", "□") else UNTICKED
    return TICKED if checked.get(W14 + "val", "1").lower() in _TRUE else UNTICKED


def _showing_placeholder(sdt) -> bool:
    """The content control is empty and shows its grey placeholder (w:showingPlcHdr)."""
    return sdt.find(W + "sdtPr/" + W + "showingPlcHdr") is not None


def _placeholder_text(sdt) -> str:
    """What an empty control shows, as the prompt it is: 【请输入单位名称】 (the template checker's 【…】 form)."""
    content = sdt.find(_SDT_CONTENT)
    text = "".join(run_text(r) for r in content.iter(_R)) if content is not None else ""
    text = text.strip().strip("【】")
    return f"【{text}】" if text else ""


def _form_checkbox(fld) -> str:
    """TICKED/UNTICKED for a legacy FORMCHECKBOX field's begin mark, "" for any other field character."""
    box = fld.find("w:ffData/w:checkBox", NS)
    if box is None:
        return ""
    state = box.find(W + "checked")
    if state is None:
        state = box.find(W + "default")
    return TICKED if state is not None and state.get(W + "val", "1").lower() in _TRUE else UNTICKED


def _symbol_font(rpr) -> str | None:
    fonts = rpr.find(W + "rFonts")
    if fonts is None:
        return None
    for key in ("ascii", "hAnsi"):
        name = fonts.get(W + key)
        if font_table(name) is not None:
            return name
    return None


def run_text(r) -> str:
    """A run's visible text: w:t, tabs, breaks, symbol glyphs and form check boxes (TICKED/UNTICKED)."""
    out = []
    font = None
    for el in r:
        tag = el.tag
        if tag == _T:
            out.append(el.text or "")
        elif tag == _RPR:
            font = _symbol_font(el)
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == _SYM:
            out.append(glyph(el.get(W + "font"), el.get(W + "char")))
        elif tag == _FLDCHAR:
            out.append(_form_checkbox(el))
    text = "".join(out)
    return translate(text, font) if font else text


def _inline(el, out: list) -> list:
    """The paragraph's content in reading order: its runs, and the marks of check-box controls, through
    insertions, hyperlinks, smart tags, custom XML and content controls (one still showing its placeholder as
    the text 【placeholder】); deletions and fallbacks left out."""
    for c in el:
        tag = c.tag
        if tag == _R:
            out.append(c)
        elif tag in _INLINE_WRAPPERS:
            _inline(c, out)
        elif tag == _SDT:
            box = _checkbox(c)
            if box:
                out.append(box)
            elif _showing_placeholder(c):
                out.append(_placeholder_text(c))
            else:
                content = c.find(_SDT_CONTENT)
                if content is not None:
                    _inline(content, out)
        elif tag == _ALT:
            choice = _choice(c)
            if choice is not None:
                _inline(choice, out)
    return out


def runs(p) -> list:
    """The paragraph's own runs: not those of a text box inside it, of a fallback, or deleted."""
    return [x for x in _inline(p, []) if not isinstance(x, str)]


def para_text(p) -> str:
    """Visible text of a paragraph: tracked insertions kept; deletions, text boxes and fallbacks left out;
    check boxes (controls, form fields, Wingdings/Symbol glyphs) as TICKED/UNTICKED; a paragraph of a block
    content control still showing its placeholder as 【placeholder】."""
    text = "".join(x if isinstance(x, str) else run_text(x) for x in _inline(p, []))
    parent = p.getparent()
    if parent is not None and parent.tag == _SDT_CONTENT and _showing_placeholder(parent.getparent()) \
            and text.strip().strip("【】"):
        return f"【{text.strip().strip('【】')}】"
    return text


def children(el, want: str):
    """Elements tagged `want` in `el`, directly or inside the content controls, custom XML and alternate
    content wrapped around them (rows of a table, cells of a row, blocks of a body or a cell)."""
    for c in el:
        tag = c.tag
        if tag == want:
            yield c
        elif tag == _SDT:
            content = c.find(_SDT_CONTENT)
            if content is not None:
                yield from children(content, want)
        elif tag in _BLOCK_WRAPPERS:
            yield from children(c, want)
        elif tag == _ALT:
            choice = _choice(c)
            if choice is not None:
                yield from children(choice, want)


def _val(el, path: str) -> str | None:
    found = el.find(path, NS) if el is not None else None
    return None if found is None else found.get(W + "val", "1")


@dataclass
class _Style:
    name: str
    based_on: str | None
    outline: int | None
    bold: bool | None
    size: int | None  # half-points


class _Styles:
    """Style chain look-ups: a style's outline level, bold and size, inherited through basedOn."""

    def __init__(self, document) -> None:
        self.by_id: dict[str, _Style] = {}
        self.default_id: str | None = None
        root = document.styles.element
        for s in root.findall("w:style", NS):
            sid = s.get(W + "styleId")
            name = _val(s, "w:name") or sid or ""
            outline = _val(s, "w:pPr/w:outlineLvl")
            bold = _val(s, "w:rPr/w:b")
            size = _val(s, "w:rPr/w:sz")
            self.by_id[sid] = _Style(name, _val(s, "w:basedOn"), int(outline) if outline and outline.isdigit() else None,
                                     None if bold is None else bold in _ON, int(size) if size and size.isdigit() else None)
            if s.get(W + "type") == "paragraph" and s.get(W + "default") in ("1", "true"):
                self.default_id = sid

    def chain(self, sid: str | None):
        seen = set()
        sid = sid or self.default_id
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            yield self.by_id[sid]
            sid = self.by_id[sid].based_on

    def first(self, sid: str | None, attr: str):
        return next((getattr(s, attr) for s in self.chain(sid) if getattr(s, attr) is not None), None)

    def level(self, sid: str | None) -> int | None:
        for s in self.chain(sid):
            lv = style_level(s.name)
            if lv is not None:
                return lv
            if s.outline is not None:
                return s.outline + 1 if s.outline < 9 else None
        return None


class DocxReader:
    """One pass over the main part (found through _rels/.rels) in body order; images and scopes collected
    on the way. `depth` counts .docx packages imported as altChunk inside one another."""

    def __init__(self, path: str, data: bytes, seals: bool = True, depth: int = 0,
                 budget: list[int] | None = None) -> None:
        self.find_seals = seals
        self.path = path
        self.depth = depth
        self.chunk_budget = budget if budget is not None else [MAX_CHUNKS]
        self.d = docx.Document(io.BytesIO(for_python_docx(data)))
        self.chunk_images: dict[str, bytes] = {}  # images of .docx parts imported as altChunk, by ref
        self._parts = None
        self.styles = _Styles(self.d)
        self.doc = Document(path=path, format="docx")

    def read(self) -> Document:
        body = self.d.element.body
        self._walk(body)
        self.doc.textboxes = [t for t in (self._box_text(tb) for tb in _TEXTBOXES(body)) if t]
        self._scopes()
        if self.find_seals:
            self._seals()
        return self.doc

    def _seals(self) -> None:
        """Judge every embedded image that could be a seal (displayed 10–70 mm across, or of unknown size).
        The seal finder (OpenCV, and RapidOCR for the ring text) is imported only when there is such an image."""
        found = [(i, b.image) for i, b in enumerate(self.doc.blocks) if b.type == "image" and b.image is not None
                 and (b.image.width_mm is None or 10 <= b.image.width_mm <= 70)]
        if not found:
            return
        from kcjs.pipeline.seals import Seal, image_seal
        for i, im in found:
            blob = self.image_blob(im.ref)
            if blob is None:
                continue
            got = image_seal(blob, im.width_mm)
            if got:
                w, h = im.width_mm or got.width_mm, im.height_mm or got.height_mm
                self.doc.seals.append(Seal(None, (0, 0, w, h), got.shape, w, h, got.confidence, "docx-image", block=i,
                                           text=got.text, text_score=got.text_score, star=got.star, mode=got.mode, inner=got.inner))

    def image_blob(self, ref: str | None) -> bytes | None:
        """Bytes of the part an image block refers to (ImageInfo.ref), imported chunks' images included."""
        if ref in self.chunk_images:
            return self.chunk_images[ref]
        if self._parts is None:
            self._parts = {str(p.partname): p for p in self.d.part.package.iter_parts()}
        part = self._parts.get(ref)
        return None if part is None else part.blob

    # --- body -------------------------------------------------------------------------
    def _walk(self, container) -> None:
        """Paragraphs, tables and imported chunks in body order, through content controls and custom XML."""
        for el in _block_items(container):
            if el.tag == _P:
                self._paragraph(el)
            elif el.tag == _TBL:
                self._table(el)
            else:
                self._altchunk(el)

    def _altchunk(self, el) -> None:
        """w:altChunk: the HTML, .docx or text part Word imports in place on opening, read as blocks here."""
        offset = len(self.doc.blocks)
        for b in self._chunk(el):
            if b.anchor is not None:
                b.anchor += offset
            self.doc.blocks.append(b)

    def _chunk(self, el) -> list[Block]:
        """The blocks of the part a w:altChunk imports (anchors relative to the chunk); [] when it has none."""
        part = self.d.part.related_parts.get(el.get("{%s}id" % NS["r"]))
        if part is None:
            return []
        return chunk_blocks(part.blob, part.content_type, self.depth, self.chunk_images, self.chunk_budget)

    def _paragraph(self, p) -> None:
        text = para_text(p).strip()
        index = None
        if text:
            sid = _val(p, "w:pPr/w:pStyle")
            bold = self._bold(p, sid)
            level = self._level(p, sid, text, bold)
            self.doc.blocks.append(Block(type="heading" if level is not None else "paragraph", text=text,
                                         level=level, bold=bold, style=self.styles.first(sid, "name")))
            index = len(self.doc.blocks) - 1
        anchor = index if index is not None else (len(self.doc.blocks) - 1 if self.doc.blocks else None)
        for info in self._images(p):
            self.doc.blocks.append(Block(type="image", image=info, anchor=anchor))

    def _bold(self, p, sid: str | None) -> bool:
        texty = [r for r in runs(p) if run_text(r).strip()]
        if not texty:
            return False
        style_bold = bool(self.styles.first(sid, "bold"))
        for r in texty:
            b = _val(r, "w:rPr/w:b")
            if not (b in _ON if b is not None else style_bold):
                return False
        return True

    def _level(self, p, sid: str | None, text: str, bold: bool) -> int | None:
        outline = _val(p, "w:pPr/w:outlineLvl")
        if outline is not None and outline.isdigit():
            return int(outline) + 1 if int(outline) < 9 else None
        level = self.styles.level(sid)
        if level is not None:
            return level
        level = heading_level(text, bold)
        if level is not None:
            return level
        ilvl = _val(p, "w:pPr/w:numPr/w:ilvl")
        if bold and ilvl is not None and ilvl.isdigit() and heading_level("1." + text, True):
            return int(ilvl) + 1
        if bold and _val(p, "w:pPr/w:jc") == "center" and len(text) <= 60 and self._size(p, sid) >= 32:
            return 0
        return None

    def _size(self, p, sid: str | None) -> int:
        sizes = [_val(r, "w:rPr/w:sz") for r in runs(p)]
        known = [int(s) for s in sizes if s and s.isdigit()]
        return max(known) if known else (self.styles.first(sid, "size") or 21)

    def _table(self, tbl) -> None:
        """A table block, its cells' images, then each table nested in a cell (or imported into one as an
        altChunk) as a table block of its own."""
        rows, copies, cells, nested = grid(tbl, self._chunk)
        self.doc.blocks.append(Block(type="table", text="", rows=rows, copies=copies))
        index = len(self.doc.blocks) - 1
        for (r, c), paras in cells:
            for p in paras:
                if isinstance(p, Block):  # an image of a .docx chunk imported into the cell
                    p.anchor, p.cell = index, (r, c)
                    self.doc.blocks.append(p)
                    continue
                for info in self._images(p):
                    self.doc.blocks.append(Block(type="image", image=info, anchor=index, cell=(r, c)))
        for t in nested:
            if isinstance(t, Block):
                self.doc.blocks.append(t)
            else:
                self._table(t)

    # --- images -----------------------------------------------------------------------
    def _images(self, el) -> list[ImageInfo]:
        out = []
        for d in _DRAWINGS(el):
            kind = etree.QName(d).localname
            if kind not in ("inline", "anchor"):
                continue
            ext = d.find("wp:extent", NS)
            rids = _BLIP(d)
            info = ImageInfo(placement="inline" if kind == "inline" else "floating",
                             behind_text=d.get("behindDoc") in ("1", "true"))
            if ext is not None:
                info.width_mm = round(int(ext.get("cx", 0)) / EMU_PER_MM, 1)
                info.height_mm = round(int(ext.get("cy", 0)) / EMU_PER_MM, 1)
            if rids:
                self._pixels(info, rids[0])
                out.append(info)
        for im in _VML_IMAGES(el):
            rid = im.get("{%s}id" % NS["r"])
            shape = im.getparent()
            style = shape.get("style", "") if shape is not None else ""
            info = ImageInfo(placement="floating" if "position:absolute" in style.replace(" ", "") else "inline",
                             behind_text="z-index:-" in style.replace(" ", ""))
            for key, attr in (("width", "width_mm"), ("height", "height_mm")):
                m = re.search(rf"{key}:\s*([\d.]+)pt", style)
                if m:
                    setattr(info, attr, round(float(m.group(1)) * 25.4 / 72, 1))
            if rid:
                self._pixels(info, rid)
                out.append(info)
        return out

    def _pixels(self, info: ImageInfo, rid: str) -> None:
        part = self.d.part.related_parts.get(rid)
        if part is None:
            return
        info.ref = str(part.partname)
        try:
            from PIL import Image
            with Image.open(io.BytesIO(part.blob)) as im:
                info.width_px, info.height_px = im.size
                info.format = (im.format or "").lower() or None
        except Exception:  # EMF/WMF and broken images keep their size in mm only
            info.format = str(part.partname).rsplit(".", 1)[-1].lower()

    # --- other scopes -----------------------------------------------------------------
    def _box_text(self, txbx) -> str:
        return "\n".join(t for t in (para_text(p).strip() for p in txbx.iterfind(".//w:p", NS)) if t)

    def _scopes(self) -> None:
        """Headers, footers and footnotes: the parts the main part relates to as such, whatever their names."""
        for rel in list(self.d.part.rels.values()):
            kind = rel.reltype.rsplit("/", 1)[-1]
            if rel.is_external or kind not in ("header", "footer", "footnotes"):
                continue
            part, name = rel.target_part, kind
            root = etree.fromstring(part.blob, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            if "footnotes" in name:
                for fn in root.iterfind("w:footnote", NS):
                    if fn.get(W + "type") in (None, "normal"):
                        t = "\n".join(x for x in (para_text(p).strip() for p in _PARAS(fn)) if x)
                        if t:
                            self.doc.footnotes.append(t)
            else:
                t = "\n".join(x for x in (para_text(p).strip() for p in _PARAS(root)) if x)
                if t:
                    (self.doc.headers if "header" in name else self.doc.footers).append(t)
        self.doc.properties.update(app_properties(self.d))


def app_properties(d) -> dict:
    """docProps/app.xml <Words>/<Characters>/<Pages> (often stale: a hint, never a verdict)."""
    for part in d.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            try:
                root = etree.fromstring(part.blob, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError:
                return {}
            out = {}
            for key in ("Words", "Characters", "CharactersWithSpaces", "Pages", "Application"):
                el = root.find(f"ep:{key}", NS)
                if el is not None and el.text:
                    out["app_" + key.lower()] = int(el.text) if el.text.strip().isdigit() else el.text.strip()
            return out
    return {}


def _block_items(container):
    """The w:p, w:tbl and w:altChunk elements of a body or cell in order, seen through content controls
    (w:sdt), custom XML and other block wrappers, and the chosen branch of mc:AlternateContent."""
    for el in container:
        tag = el.tag
        if tag in (_P, _TBL, _ALTCHUNK):
            yield el
        elif tag == _SDT:
            content = el.find(_SDT_CONTENT)
            if content is not None:
                yield from _block_items(content)
        elif tag in _BLOCK_WRAPPERS:
            yield from _block_items(el)
        elif tag == _ALT:
            choice = _choice(el)
            if choice is not None:
                yield from _block_items(choice)


def _cell_content(tc, chunk=None) -> tuple[list[str], list, list]:
    """A cell's text lines, its own paragraphs (and the image blocks of .docx chunks imported into it) and the
    tables nested in it (w:tbl, or table blocks of chunks), through content controls and custom XML.
    `chunk` (a w:altChunk -> its blocks) reads the parts Word imports into the cell; without it they are left out."""
    lines, paras, tables = [], [], []
    for el in _block_items(tc):
        if el.tag == _P:
            lines.append(para_text(el).strip())
            paras.append(el)
        elif el.tag == _TBL:
            tables.append(el)
        elif chunk is not None:
            for b in chunk(el):
                if b.type == "table":
                    tables.append(b)
                elif b.type == "image":
                    paras.append(b)
                else:
                    lines.append(b.text.strip())
    return [t for t in lines if t], paras, tables


def _count(value: str | None, limit: int) -> int:
    """A gridSpan/gridBefore count, bounded by what is left of the table's grid (at least 1 for a span)."""
    n = int(value) if value and value.isdigit() and len(value) < 8 else 0
    return max(0, min(n, limit))


def grid(tbl, chunk=None):
    """A table as a full grid: merged cells (gridSpan, vMerge) repeated in each position they cover; rows and
    cells inside content controls or custom XML kept in place; spans bounded by the table's grid width;
    altChunk parts imported into a cell read through `chunk` (see _cell_content).

    Returns (rows of text, positions that are copies, [((row, col), the cell's own paragraphs)] of origin
    cells, tables nested in cells in document order).
    """
    rows: list[list[str]] = []
    copies: set[tuple[int, int]] = set()
    cells, nested = [], []
    width = len(tbl.findall("w:tblGrid/w:gridCol", NS)) or MAX_GRID_COLUMNS
    for r, tr in enumerate(children(tbl, _TR)):
        row: list[str] = []
        row.extend([""] * _count(_val(tr, "w:trPr/w:gridBefore"), width - 1))
        for tc in children(tr, _TC):
            span = max(1, _count(_val(tc, "w:tcPr/w:gridSpan"), width - len(row)))
            vmerge = tc.find("w:tcPr/w:vMerge", NS)
            c = len(row)
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue" and rows:
                above = rows[-1]
                text = above[c] if c < len(above) else ""
                copies.update((r, c + k) for k in range(span))
            else:
                lines, paras, tables = _cell_content(tc, chunk)
                text = "\n".join(lines)
                cells.append(((r, c), paras))
                nested.extend(tables)
                copies.update((r, c + k) for k in range(1, span))
            row.extend([text] * span)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))
    return rows, copies, cells, nested


def read_docx(path: str, data: bytes, seals: bool = True, depth: int = 0) -> Document:
    """A .docx (also .docm/.dotx, ISO Strict) as a Document. Raises on a package python-docx cannot open."""
    return DocxReader(path, data, seals, depth).read()
