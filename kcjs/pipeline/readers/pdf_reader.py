"""Read a PDF into a Document with PyMuPDF: text pages natively, scanned pages through OCR."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pymupdf

from kcjs.pipeline.document import Block, Document, ImageInfo, Page, Signature
from kcjs.pipeline.headings import ITEM_START, MAX_HEADING_CHARS, heading_level, numbering_level
from kcjs.pipeline.readers import ocr, orientation, pdf_grid
from kcjs.pipeline.readers import pdf_textlayer as textlayer

BAND = 0.08              # top/bottom share of a page where running headers and footers live
SCANNED_MAX_CHARS = 20   # a page with fewer text characters than this and a big image is a scan
SCANNED_MIN_IMAGE_SHARE = 0.3
HIDDEN_SHARE = 0.8       # a page image under text this much invisible is a scan with a scanner's OCR layer
_PAGE_NO = re.compile(r"^[-—–\s]*(第\s*)?\d+\s*(页)?\s*([/／共]\s*\d+\s*页?)?[-—–\s]*$|^-\s*\d+\s*-$")
_BOLD_FONT = re.compile(r"bold|black|heavy|hei|黑体|semibold|medium", re.I)
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


class EncryptedPdf(Exception):
    pass


@dataclass
class _Line:
    text: str
    box: tuple[float, float, float, float]
    size: float
    bold: bool
    page: int
    source: str = "text"
    confidence: float | None = None
    cells: tuple = ()  # OCR: (x0, x1, text) of each piece of a visual row


def _join(a: str, b: str) -> str:
    """Join wrapped lines: one space between Latin words; nothing next to CJK, inside numbers or after '-'."""
    if a and b and a[-1].isalpha() and b[0].isalnum() and not _CJK.match(a[-1]) and not _CJK.match(b[0]):
        return a + " " + b
    return a + b


def _lines(raw: list, number: int) -> list[_Line]:
    """Visual lines of a page from `textlayer.page_text`: PyMuPDF's lines, with fragments on one
    baseline joined (LibreOffice and WPS write "2024", "年度…" and the quotes of one title as separate
    text runs in separate blocks)."""
    raw = list(raw)
    raw.sort(key=lambda r: ((r[0][1] + r[0][3]) / 2, r[0][0]))
    rows: list[list] = []
    for r in raw:
        mid, h = (r[0][1] + r[0][3]) / 2, r[0][3] - r[0][1]
        if rows:
            last = rows[-1]
            lmid = (last[0][0][1] + last[0][0][3]) / 2
            if abs(mid - lmid) < 0.3 * max(h, 1) and not any(_overlaps(r[0], o[0]) for o in last):
                last.append(r)
                continue
        rows.append([r])
    out = []
    for row in rows:
        row.sort(key=lambda r: r[0][0])
        text, prev_x1, spans = "", None, []
        for bbox, sp in row:
            piece = "".join(s["text"] for s in sp).strip()
            if prev_x1 is None:
                text = piece
            elif bbox[0] - prev_x1 > 2.5 * max(s["size"] for s in sp):
                text += "\t" + piece  # a wide gap: separate cells of an unruled table
            else:
                text = _join(text, piece)
            prev_x1 = bbox[2]
            spans += sp
        weight = Counter()
        for s in spans:
            weight[round(s["size"], 1)] += len(s["text"].strip())
        bold = all(s["flags"] & 16 or _BOLD_FONT.search(s["font"]) for s in spans)
        box = (min(r[0][0] for r in row), min(r[0][1] for r in row), max(r[0][2] for r in row), max(r[0][3] for r in row))
        out.append(_Line(text.strip(), box, weight.most_common(1)[0][0], bool(bold), number))
    return _values_above_labels(out)


COLON = "：:"
LABEL_MAX_CHARS = 12


def _values_above_labels(lines: list[_Line]) -> list[_Line]:
    """A cover field whose value sits above its underline (WPS/Word export of a borderless cover
    table: the value's baseline 6–15 pt above its label's, label letters spread) is one line
    `label：value`: the value line, right of a short label line just below it, joins that label."""
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        v = lines[i]
        lab = lines[i + 1] if i + 1 < len(lines) else None
        if lab is not None and _value_of(v, lab):
            label = _LABEL_TAB.sub("", lab.text)
            sep = "" if label[-1] in COLON else "："
            box = (lab.box[0], min(v.box[1], lab.box[1]), v.box[2], max(v.box[3], lab.box[3]))
            out.append(_Line(label + sep + v.text, box, lab.size, lab.bold, lab.page))
            i += 2
            continue
        out.append(v)
        i += 1
    return out


_LABEL_TAB = re.compile(r"\s*\t\s*(?=[：:]$)")  # "申报单位", a gap, "：": the colon set in a column of its own
VALUE_SIZES = (0.74, 1.35)  # a value's type size against its label's: 小四 (12) under a 三号 (16) label to 小三 (15) by 小四


def _value_of(v: _Line, lab: _Line) -> bool:
    size = max(lab.size, 1.0)
    rise = lab.box[3] - v.box[3]  # the bottoms are about as far apart as the baselines (a descent apart in size)
    label = _LABEL_TAB.sub("", lab.text)
    short = len(re.sub(r"\s", "", label)) <= LABEL_MAX_CHARS and "\t" not in label + v.text
    return (short and VALUE_SIZES[0] <= v.size / size <= VALUE_SIZES[1] and 0.3 * size < rise <= 15.5
            and 0 <= v.box[0] - lab.box[2] < 6 * size and not _CJK_END.search(v.text[-1:] or "。")
            and (label[-1] in COLON or _spread(lab)))


_CJK_END = re.compile(r"[。；;]")


def _spread(lab: _Line) -> bool:
    """Label letters set apart ("申 报 单 位"): the line is much wider than its characters."""
    n = len(re.sub(r"\s", "", lab.text))
    return n >= 2 and lab.box[2] - lab.box[0] > 1.6 * n * lab.size


def _overlaps(a, b) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s", "", text))


def _body_size(pages_lines: list[list[_Line]], heights: list[float]) -> float:
    """The type size most characters between the header and footer bands are set in."""
    sizes: Counter = Counter()
    for lines, h in zip(pages_lines, heights):
        for ln in lines:
            if h * BAND <= ln.box[1] and ln.box[3] <= h * (1 - BAND):
                sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 12.0


def _split_running(pages_lines: list[list[_Line]], heights: list[float], body_size: float):
    """Lines in the top/bottom band that repeat on most pages, are page numbers, or are set smaller
    than the body (a one-page document's header) are not body text."""
    counts: Counter = Counter()
    for lines, h in zip(pages_lines, heights):
        keys = {_running_key(ln.text) for ln in lines if ln.box[1] < h * BAND or ln.box[3] > h * (1 - BAND)}
        counts.update(keys)
    need = max(2, (len(pages_lines) + 1) // 2)
    headers, footers, body = [], [], []
    for lines, h in zip(pages_lines, heights):
        keep = []
        for ln in lines:
            top, bottom = ln.box[1] < h * BAND, ln.box[3] > h * (1 - BAND)
            small = ln.source == "text" and ln.size < body_size - 1
            if (top or bottom) and (counts[_running_key(ln.text)] >= need or _PAGE_NO.match(ln.text) or small):
                (headers if top else footers).append(ln.text)
            else:
                keep.append(ln)
        body.append(keep)
    return list(dict.fromkeys(headers)), list(dict.fromkeys(footers)), body


def _inside(box, area) -> bool:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return area[0] <= cx <= area[2] and area[1] <= cy <= area[3]


def _continues(prev: _Line, ln: _Line, right: float) -> bool:
    """A wrapped line continues the paragraph: the previous line ran to the right margin, this one is
    not indented further than it, same type size, no blank line between, neither is a table row."""
    size = max(prev.size, 1.0)
    if "\t" in prev.text or "\t" in ln.text:  # (a full line ending in "：" goes on: "…需求：" then "35项")
        return False
    if _FIELD.match(prev.text) and _FIELD.match(ln.text):  # cover fields, one `label：value` a line
        return False
    if ITEM_START.match(ln.text):  # "4. 新增…" after a full line: the next item of a numbered list
        return False
    same_size = ln.source == "ocr" or abs(prev.size - ln.size) < 1  # OCR box heights vary with the glyphs
    return (prev.box[2] >= right - 3 * size and ln.box[0] <= prev.box[0] + 0.8 * size and same_size
            and -0.2 * size <= ln.box[1] - prev.box[3] < max(size, ln.size) * 1.2)


_FIELD = re.compile(r"^[^：:，。；]{1,12}[：:]\S")


def _text_blocks(lines: list[_Line], body_size: float, page_width: float) -> list[Block]:
    """Group a page's lines into headings and paragraphs by geometry (indent, margins, spacing)."""
    blocks: list[Block] = []
    if not lines:
        return blocks
    right = max(ln.box[2] for ln in lines)
    current: Block | None = None
    prev: _Line | None = None
    for ln in lines:
        larger = ln.size >= body_size + 1
        level = heading_level(ln.text, ln.bold or larger) if len(ln.text) <= MAX_HEADING_CHARS else None
        if level is None and ln.page == 1 and (ln.bold or larger) and ln.size >= body_size * 1.25 \
                and numbering_level(ln.text) is None and abs((ln.box[0] + ln.box[2]) / 2 - page_width / 2) < page_width * 0.1:
            level = 0
        conf = round(ln.confidence, 3) if ln.confidence is not None else None
        if level is not None:
            blocks.append(Block(type="heading", text=ln.text, level=level, page=ln.page, box=ln.box, bold=ln.bold,
                                source=ln.source, confidence=conf))
            current = None
        elif current is not None and prev is not None and _continues(prev, ln, right):
            current.text = _join(current.text, ln.text)
            current.box = (min(current.box[0], ln.box[0]), current.box[1], max(current.box[2], ln.box[2]), ln.box[3])
            if conf is not None:
                current.confidence = min(current.confidence or 1.0, conf)
        else:
            current = Block(type="paragraph", text=ln.text, page=ln.page, box=ln.box, bold=ln.bold,
                            source=ln.source, confidence=conf)
            blocks.append(current)
        prev = ln
    return blocks


def _tables(page, number: int, pieces: list, paths: list[dict] | None = None) -> list[Block]:
    """Ruled tables of a text page, from its vector rules (paths: its get_drawings(), which the seal search
    looks through too; asked here when not given) and its text pieces (`pdf_grid`)."""
    matrix = page.rotation_matrix if page.rotation else None
    paths = page.get_drawings() if paths is None else paths
    found = pdf_grid.tables(paths, pieces, lambda box: textlayer.chars(page, box), _join, matrix)
    return [Block(type="table", rows=rows, copies=copies, page=number, box=box) for box, rows, copies in found]


def _image_infos(page) -> list[dict]:
    """page.get_image_info with xrefs (PyMuPDF decodes every image of the page to find them: asked once a page,
    shared by the seal search and the image blocks)."""
    return page.get_image_info(xrefs=True)


def _images(page, number: int, infos: list[dict]) -> list[Block]:
    out = []
    for info in infos:
        x0, y0, x1, y1 = info["bbox"]
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        out.append(Block(type="image", page=number, box=(x0, y0, x1, y1), image=ImageInfo(
            width_px=info.get("width"), height_px=info.get("height"), placement="floating",
            width_mm=round((x1 - x0) * 25.4 / 72, 1), height_mm=round((y1 - y0) * 25.4 / 72, 1),
            ref=f"xref:{info['xref']}" if info.get("xref") else None)))
    return out


def _ocr_reason(page, lines: list[_Line], paths: list[dict], hidden: float = 0.0) -> str | None:
    """Why the page must be OCRed, or None when its text layer is to be trusted: 'scan' (a big image,
    next to no text), 'hidden' (a big image under an invisible text layer: a scanner's OCR, its tables
    only in the image), 'outlines' (glyphs drawn as vector paths, 转曲: no text, or a text layer far
    shorter than the outlined text, such as a running header stamped on afterwards) or 'garbage' (a
    text layer no person wrote: a CJK font without ToUnicode). `paths`: `page.get_drawings()`;
    `hidden`: the share of the text drawn invisible (`textlayer.hidden_share`)."""
    text = "".join(ln.text for ln in lines)
    chars = len(re.sub(r"\s", "", text))
    if chars >= SCANNED_MAX_CHARS:
        if textlayer.garbage(text):
            return "garbage"
        if hidden >= HIDDEN_SHARE and _image_share(page) >= SCANNED_MIN_IMAGE_SHARE:
            return "hidden"
        outlines = textlayer.outline_glyphs(paths) if len(paths) >= textlayer.OUTLINE_MIN_GLYPHS else 0
        return "outlines" if outlines >= textlayer.OUTLINE_SHARE * chars + textlayer.OUTLINE_MIN_GLYPHS else None
    if _image_share(page) >= SCANNED_MIN_IMAGE_SHARE:
        return "scan"
    if textlayer.outline_glyphs(paths) >= textlayer.OUTLINE_MIN_GLYPHS:
        return "outlines"
    return None


def _image_share(page) -> float:
    """Share of the page's area its images cover."""
    area = abs(page.rect)
    covered = sum(abs(pymupdf.Rect(i["bbox"]) & page.rect) for i in page.get_image_info())
    return covered / area if area > 0 else 0.0


def render(page, dpi: float) -> np.ndarray:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3)


def _ocr_lines(page, number: int, rgb: np.ndarray, turns: int = 0) -> list[_Line]:
    """OCR a scanned page rendered at OCR_DPI and turned upright (`turns` quarter turns
    counter-clockwise); pieces of one visual row (table cells) become one tab-joined line, except a
    list number and the text after it ("1." then a gap), which are one list item."""
    scale = 72 / ocr.OCR_DPI
    found = ocr.ocr_image(rgb)
    orientation.level(found, rgb.shape)  # a page fed a few degrees askew: rows line up again
    pieces = sorted(found, key=lambda o: (o.box[1] + o.box[3]) / 2)
    for o in pieces:
        if len(o.text) <= 3 and o.text.replace(".", "").isdigit():
            _reread(page, o, scale, turns, rgb.shape)
    rows: list[list] = []
    for o in pieces:
        mid, h = (o.box[1] + o.box[3]) / 2, o.box[3] - o.box[1]
        if rows and abs(mid - rows[-1][0]) < h * 0.5:
            rows[-1][1].append(o)
        else:
            rows.append([mid, [o]])
    out = []
    for _, row in rows:
        row.sort(key=lambda o: o.box[0])
        row = _list_items(row)
        text = "\t".join(o.text for o in row)
        x0, y0 = min(o.box[0] for o in row) * scale, min(o.box[1] for o in row) * scale
        x1, y1 = max(o.box[2] for o in row) * scale, max(o.box[3] for o in row) * scale
        size = float(np.median([o.box[3] - o.box[1] for o in row])) * scale * 0.8
        cells = tuple((o.box[0] * scale, o.box[2] * scale, o.text) for o in row)
        out.append(_Line(text, (x0, y0, x1, y1), round(size, 1), False, number, "ocr",
                         min(o.score for o in row), cells))
    return out


_LIST_NUMBER = re.compile(r"^(\d{1,2}\s?[.．、,，)）]|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,3}、)$")


def _list_items(row: list) -> list:
    """A list number read as a piece of its own, then a gap, then the item's text ("1.", "解决…"): one
    piece "1. 解决…", so the row is a list item, not two table cells. A row of more pieces is an item
    only when the pieces after the number sit close together (one text run the OCR split). A number
    after other pieces (a list in a table cell right of its label: "年度目标", "(1)", "解决…") joins
    the text after it when that text starts within LIST_GAP line heights."""
    for k, piece in enumerate(row):
        if not _LIST_NUMBER.match(piece.text) or k + 1 == len(row):
            continue
        rest = row[k + 1:]
        h = max(o.box[3] - o.box[1] for o in row[k:])
        if any(b.box[0] - a.box[2] > 2 * h for a, b in zip(rest, rest[1:])):
            return row  # wide gaps after the number: the cells of a table row
        if k and rest[0].box[0] - piece.box[2] > LIST_GAP * h:
            return row
        num = re.sub(r"\s", "", piece.text)
        text = num + (" " if num[-1] in ".．" else "") + "".join(o.text for o in rest)
        box = (piece.box[0], min(o.box[1] for o in row[k:]), rest[-1].box[2], max(o.box[3] for o in row[k:]))
        return row[:k] + [ocr.OcrLine(text, box, min(o.score for o in row[k:]))]
    return row


LIST_GAP = 3.0  # line heights between a list number and its text at most, in a table cell


def _reread(page, o, scale: float, turns: int = 0, shape: tuple = ()) -> None:
    """Read a lone short number again from a sharper crop: a recognizer has no context to go on there."""
    box = o.raw_box or o.box  # where the line is in the image, not in the levelled page
    box = _unturn(box, turns, shape) if turns else box
    clip = pymupdf.Rect(*(v * scale for v in box)) + (-6, -3, 6, 3)
    pix = page.get_pixmap(dpi=ocr.REREAD_DPI, clip=clip, colorspace=pymupdf.csRGB, alpha=False)
    crop = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3)
    got = ocr.read_crop(np.ascontiguousarray(np.rot90(crop, turns)) if turns else crop)
    if got and got[0].replace(".", "").isdigit() and got[1] >= o.score - 0.01:
        o.text, o.score = got


def _unturn(box, turns: int, shape: tuple) -> tuple:
    """A box (px) of the image turned `turns` quarter turns counter-clockwise (np.rot90), in the
    unturned image of the page; `shape` is the turned image's (height, width)."""
    h, w = shape[:2]
    x0, y0, x1, y1 = box
    if turns == 1:  # turned counter-clockwise: x = h - y', y = x' (the unturned image is h wide)
        return h - y1, x0, h - y0, x1
    if turns == 2:
        return w - x1, h - y1, w - x0, h - y0
    return y0, w - x1, y1, w - x0  # turns == 3 (CW): x = y', y = H0 - x'


COLUMN_GAP = 20.0  # points between the left edges of two table columns in a scan


def _ocr_tables(lines: list[_Line], number: int) -> tuple[list[Block], list[_Line]]:
    """Rebuild ruled tables of a scan: runs of rows with several cells, and cell text that wrapped
    onto a line of its own put back into its cell (see `_wraps`)."""
    tables, rest, i = [], [], 0
    while i < len(lines):
        if len(lines[i].cells) < 2:
            rest.append(lines[i])
            i += 1
            continue
        run, j = [lines[i]], i + 1
        while j < len(lines) and (len(lines[j].cells) >= 2 or _wraps(lines[j], run)):
            run.append(lines[j])
            j += 1
        rows = [r for r in run if len(r.cells) >= 2]
        if len(rows) >= 2 or (rows and len(rows[0].cells) >= 3) or len(run) >= 3:  # (a label, then its lines)
            tables.append(_grid_from_rows(run, number))
        else:
            rest.extend(run)
        i = j
    return tables, rest


def _edges(run: list[_Line]) -> list[float]:
    starts: list[float] = []
    for x0 in sorted(c[0] for r in run if len(r.cells) >= 2 for c in r.cells):
        if not starts or x0 - starts[-1] > COLUMN_GAP:
            starts.append(x0)
    return starts


def _wraps(ln: _Line, run: list[_Line]) -> bool:
    """The line continues the cells of the row above: it sits tight below it (OCR boxes are padded, so
    wrapped lines overlap), leaves the first (label) column empty, and each piece fits one column."""
    edges = _edges(run)
    prev = run[-1]
    if not edges or ln.box[1] - prev.box[3] > 0.3 * max(ln.size, prev.size, 1):
        return False
    for x0, x1, _ in ln.cells:
        k = max((n for n, e in enumerate(edges) if e <= x0 + COLUMN_GAP / 2), default=None)
        if k is None or k == 0 or (k + 1 < len(edges) and x1 > edges[k + 1] + COLUMN_GAP / 2):
            return False
    return True


def _label_value(run: list[_Line]) -> bool:
    """A cover's label | value table: every row a label at one left edge and one value right of all
    labels, the values centred (so they start anywhere) — two columns, not one per value start."""
    rows = [r for r in run if len(r.cells) >= 2]
    if len(rows) < 2 or any(len(r.cells) != 2 for r in rows):
        return False
    lefts = [r.cells[0][0] for r in rows]
    return max(lefts) - min(lefts) <= COLUMN_GAP and min(r.cells[1][0] for r in rows) > max(r.cells[0][1] for r in rows)


def _grid_from_rows(run: list[_Line], number: int) -> Block:
    starts = _edges(run)
    if _label_value(run):
        starts = starts[:1] + [min(r.cells[1][0] for r in run if len(r.cells) >= 2)]

    def col(x0: float) -> int:
        return max((k for k, e in enumerate(starts) if e <= x0 + COLUMN_GAP / 2), default=0)

    rows: list[list[str]] = []
    for n, r in enumerate(run):
        if not rows or not _wraps(r, run[:n]):
            rows.append([""] * len(starts))
        for x0, _, text in r.cells:
            k = col(x0)  # a cell's next list item ("2." "（2）" "②") on a line of its own, as .docx cells give it
            rows[-1][k] = rows[-1][k] + "\n" + text if rows[-1][k] and ITEM_START.match(text) else _join(rows[-1][k], text)
    box = (min(r.box[0] for r in run), run[0].box[1], max(r.box[2] for r in run), run[-1].box[3])
    conf = min(r.confidence for r in run if r.confidence is not None)
    return Block(type="table", rows=rows, page=number, box=box, source="ocr", confidence=round(conf, 3))


def _page_seals(page, number: int, rgb: np.ndarray | None, info: Page, infos: list[dict],
                paths: list[dict] | None) -> tuple[list, list]:
    """Seals and partial seals at the page edge (骑缝章 parts) of one page. A scan reuses its OCR raster
    (a colourless scan is searched by shape); a text page only where a seal can be (kcjs.pipeline.seal_search).
    infos: the page's get_image_info(xrefs=True); paths: its get_drawings() (a text page's: the table reader
    uses them too)."""
    from kcjs.pipeline.seal_search import text_page_seals
    from kcjs.pipeline.seals import colourless, edge_parts, find_seals, find_seals_grey
    size = (page.rect.width, page.rect.height)
    if rgb is not None:
        grey_images = all(i.get("colorspace") == 1 for i in infos)
        info.colourless = grey_images or colourless(rgb)
        if grey_images:  # a grey or black-and-white scan: no red to look for
            return find_seals_grey(rgb, ocr.OCR_DPI, page=number), []
        seals = find_seals(rgb, ocr.OCR_DPI, page=number, first_page=number == 1)
        parts = edge_parts(rgb, ocr.OCR_DPI, number, size)
    else:
        seals, parts = text_page_seals(page, number, infos, paths)
    from kcjs.pipeline.seal_parts import not_parts
    seals = not_parts(seals, parts)
    area = abs(page.rect)
    images = [pymupdf.Rect(i["bbox"]) for i in infos if abs(pymupdf.Rect(i["bbox"])) < 0.5 * area]
    for s in seals:
        if any(pymupdf.Rect(s.box).intersects(r) for r in images):
            s.source = "pdf-image"
    return seals, parts


def _grey_scan_seals(pdf_pages: list, doc: Document, maybe_grey: dict[int, list]) -> None:
    """A scan stored in colour whose every scanned page has no colour is a grey scan too (a colour scan
    shows some colour somewhere, the seal's): the seals found by shape on its pages (maybe_grey: page number
    -> seals, searched before OCR) are its seals, unless it has seals of colour."""
    scanned = [p for p in doc.pages if p.source == "ocr"]
    stored_grey = {p.number for p in scanned if all(i.get("colorspace") == 1 for i in pdf_pages[p.number - 1].get_image_info())}
    if not all(p.colourless for p in scanned):  # a colour scan: its pages without colour are colour pages all the same
        for p in scanned:
            p.colourless = p.number in stored_grey
        return
    if not doc.seals:
        doc.seals.extend(s for n in sorted(maybe_grey) for s in maybe_grey[n])


def _signatures(doc, page, number: int) -> list[Signature]:
    out = []
    for w in page.widgets(types=[pymupdf.PDF_WIDGET_TYPE_SIGNATURE]) or []:
        kind, value = doc.xref_get_key(w.xref, "V")
        out.append(Signature(name=w.field_name or "", page=number, box=tuple(w.rect), signed=kind != "null"))
    return out


def _validate_signatures(data: bytes, signatures: list[Signature]) -> None:
    """Is each signature intact (the signed bytes unchanged)? pyHanko, offline: no trust roots fetched,
    so "intact" is all that can be said of a Chinese CA's certificate here."""
    import io
    import logging
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    except ImportError:  # pragma: no cover - pyhanko is a dependency; without it signatures stay unjudged
        return
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    try:
        embedded = {e.field_name: e for e in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures}
    except Exception:
        return
    for s in signatures:
        e = embedded.get(s.name)
        if s.signed and e is not None:
            try:
                # no trust roots: only integrity is judged (a Chinese CA's chain is out of reach offline)
                status = validate_pdf_signature(e, ValidationContext(trust_roots=[], allow_fetching=False))
                s.intact = bool(status.intact and status.valid)
            except Exception:
                s.intact = False


def _join_continued_tables(blocks: list[Block]) -> list[Block]:
    """A table that ends a page and one that starts the next, with as many columns, are one table."""
    out: list[Block] = []
    for b in blocks:
        prev = next((x for x in reversed(out) if x.type != "image"), None)
        if (b.type == "table" and prev is not None and prev.type == "table" and prev.page is not None
                and b.page == prev.page + 1 and b.rows and prev.rows and len(b.rows[0]) == len(prev.rows[0])):
            offset = len(prev.rows)
            prev.rows.extend(b.rows)
            prev.copies |= {(r + offset, c) for r, c in b.copies}
            continue
        out.append(b)
    return out


def read_pdf(path: str, data: bytes, ocr_pages: bool = True, seals: bool = True) -> Document:
    """All pages in order; page by page, the text layer or OCR, whichever the page has."""
    pdf = pymupdf.open(stream=data, filetype="pdf")
    if pdf.needs_pass and not pdf.authenticate(""):
        raise EncryptedPdf()
    doc = Document(path=path, format="pdf")
    pdf_pages = list(pdf)
    image_infos: dict[int, list[dict]] = {}  # page number -> its images (_image_infos), asked once
    tables: dict[int, list[Block]] = {}  # text page number -> its ruled tables
    maybe_grey: dict[int, list] = {}  # page number -> seals found by shape on a colourless page stored in colour
    if seals:
        from kcjs.pipeline.seals import find_seals_grey, without_seal_ink
    all_lines = []
    for n, page in enumerate(pdf_pages, 1):
        raw, page_pieces = textlayer.page_text(page)
        paths = page.get_drawings()  # asked once: outlined text, then tables and red seal paths on a text page
        lines = _lines(raw, n)
        info = Page(number=n, width=page.rect.width, height=page.rect.height)
        rgb = None
        reason = _ocr_reason(page, lines, paths, textlayer.hidden_share(raw)) if ocr_pages else None
        if reason:
            rgb = render(page, ocr.OCR_DPI)
            turns = orientation.turns(rgb) if reason in ("scan", "hidden") else 0  # pages fed sideways or upside down
            if turns:
                rgb = np.ascontiguousarray(np.rot90(rgb, turns))
                if turns % 2:
                    info.width, info.height = info.height, info.width
            info.source, info.ocr_reason = "ocr", reason
            paths = None  # an OCRed page has no ruled tables to find (its outlines can be thousands of paths)
        found: list = []
        if seals:  # before OCR: the print under a seal is read with the seal's ink taken out
            image_infos[n] = _image_infos(page)
            found, parts = _page_seals(page, n, rgb, info, image_infos[n], paths)
            if rgb is not None and info.colourless and not found:  # maybe a grey scan stored in colour
                maybe_grey[n] = find_seals_grey(rgb, ocr.OCR_DPI, page=n)
            doc.seals.extend(found)
            doc.seal_parts.extend(parts)
        if rgb is not None:
            unsealed = without_seal_ink(rgb, found + maybe_grey.get(n, []), ocr.OCR_DPI) if seals else rgb
            lines = _ocr_lines(page, n, unsealed, turns)
            scores = [ln.confidence for ln in lines if ln.confidence is not None]
            info.ocr_confidence = round(float(np.mean(scores)), 3) if scores else None
        doc.pages.append(info)
        all_lines.append(lines)
        if paths is not None:
            tables[n] = _tables(page, n, page_pieces, paths)
    if seals:
        _grey_scan_seals(pdf_pages, doc, maybe_grey)
    heights = [p.height for p in doc.pages]
    body_size = _body_size(all_lines, heights)
    doc.headers, doc.footers, body_lines = _split_running(all_lines, heights, body_size)
    for n, (page, lines, info) in enumerate(zip(pdf_pages, body_lines, doc.pages), 1):
        doc.signatures.extend(_signatures(pdf, page, n))
        if info.source == "text":
            page_tables = tables[n]
            lines = [ln for ln in lines if not any(_inside(ln.box, t.box) for t in page_tables)]
        else:
            page_tables, lines = _ocr_tables(lines, n)
        size = body_size if info.source == "text" else (float(np.median([ln.size for ln in lines])) if lines else body_size)
        infos = image_infos[n] if n in image_infos else _image_infos(page)
        items = _text_blocks(lines, size, info.width) + page_tables + _images(page, n, infos)
        items.sort(key=lambda b: (round(b.box[1]), b.box[0]) if b.box else (0, 0))
        doc.blocks.extend(items)
    doc.blocks = _join_continued_tables(doc.blocks)
    if any(s.signed for s in doc.signatures):
        _validate_signatures(data, doc.signatures)
    # a signature's visible appearance is judged as the signature, not as a seal image
    doc.seals = [s for s in doc.seals if not any(g.page == s.page and pymupdf.Rect(g.box).intersects(s.box)
                                                 for g in doc.signatures)]
    meta = pdf.metadata or {}
    doc.properties.update({k: v for k, v in meta.items() if v and k in ("title", "author", "creator", "producer")})
    return doc
