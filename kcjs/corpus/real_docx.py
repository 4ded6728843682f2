""".docx files written the ways real clients write them, built from a generated .docx (gen.docx_bytes):
cells and rows inside content controls, tables nested in cells, bodies imported as altChunk, ISO Strict
packages, category check boxes drawn with symbol fonts or controls, and legacy formats (RTF, ODT; .doc
through LibreOffice). Used by the tests and the corpus builder.
"""
from __future__ import annotations

import html
import io
import re
import zipfile

from lxml import etree

from kcjs.corpus.gen import Para, Tbl

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
_NS = {"w": W_NS}


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return buf.getvalue()


def _edit_body(data: bytes, edit) -> bytes:
    members = _members(data)
    root = etree.fromstring(members["word/document.xml"])
    edit(root.find("w:body", _NS))
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return _zip(members)


def _wrapper(kind: str, n: int):
    if kind == "sdt":
        sdt = etree.Element(W + "sdt")
        pr = etree.SubElement(sdt, W + "sdtPr")
        etree.SubElement(pr, W + "alias").set(W + "val", "填写内容")
        etree.SubElement(pr, W + "id").set(W + "val", str(40206248 + n))
        return sdt, etree.SubElement(sdt, W + "sdtContent")
    el = etree.Element(W + "customXml")
    el.set(W + "element", "value")
    return el, el


def wrap_in_controls(data: bytes, what: str = "cell", wrapper: str = "sdt") -> bytes:
    """Every table's rows after the first (what='row') or their last cells (what='cell'), each wrapped in a
    content control (wrapper='sdt', as Word's form templates do) or in w:customXml."""
    def edit(body) -> None:
        n = 0
        for tbl in body.iter(W + "tbl"):
            for tr in tbl.findall("w:tr", _NS)[1:]:
                target = tr if what == "row" else tr.findall("w:tc", _NS)[-1]
                outer, inner = _wrapper(wrapper, n)
                n += 1
                target.addprevious(outer)
                inner.append(target)
    return _edit_body(data, edit)


def nest_tables(data: bytes, caption: str = "（见下表）") -> bytes:
    """Every table but the first moved into the second row's cell of a one-column outer table whose first
    row holds the heading just above it (as forms pasted from other files do); the cell keeps `caption`."""
    def edit(body) -> None:
        tables = [t for t in body.findall("w:tbl", _NS)][1:]
        for tbl in tables:
            prev = tbl.getprevious()
            title = "".join(prev.itertext()) if prev is not None and prev.tag == W + "p" else "表格"
            outer = etree.fromstring(
                f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="8640"/>'
                f'</w:tblGrid><w:tr><w:tc><w:p><w:r><w:t>{html.escape(title)}（全年）</w:t></w:r></w:p></w:tc></w:tr>'
                f'<w:tr><w:tc><w:p><w:r><w:t>{html.escape(caption)}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
            tbl.addprevious(outer)
            cell = outer.findall("w:tr", _NS)[1].find("w:tc", _NS)
            cell.append(tbl)
            etree.SubElement(cell, W + "p")  # Word ends every cell with a paragraph
    return _edit_body(data, edit)


def content_html(content: list) -> str:
    """Paragraphs and tables as the HTML a web system or a mail merge writes: h1–h3 headings, p, table."""
    out = ["<html><head><meta charset='utf-8'><title>申报材料</title></head><body>"]
    for item in content:
        if isinstance(item, Tbl):
            covered = {(r, c) for r0, c0, r1, c1 in item.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
            starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in item.merges}
            out.append("<table border='1'>")
            for r, row in enumerate(item.rows):
                cells = []
                for c, text in enumerate(row):
                    if (r, c) in starts:
                        rs, cs = starts[(r, c)]
                        cells.append(f"<td rowspan='{rs}' colspan='{cs}'>{html.escape(text)}</td>")
                    elif (r, c) not in covered:
                        cells.append(f"<td>{html.escape(text)}</td>")
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</table>")
        elif item.level is None:
            out.append(f"<p>{html.escape(item.text)}</p>")
        else:
            out.append(f"<h{item.level + 1}>{html.escape(item.text)}</h{item.level + 1}>")
    out.append("</body></html>")
    return "\n".join(out)


def altchunk_docx(data: bytes, content: list, kind: str = "html", keep: int = 1) -> bytes:
    """`data`'s first `keep` body blocks, then the rest of the body as one w:altChunk part that Word imports on
    opening: kind 'html' (content_html of `content[keep:]`), 'docx' (the .docx itself) or 'text'."""
    members = _members(data)
    rest = content[keep:]
    if kind == "html":
        blob, name, ct = content_html(rest).encode("utf-8"), "word/afchunk1.htm", "text/html"
    elif kind == "text":
        lines = [p.text if isinstance(p, Para) else "\n".join("\t".join(r) for r in p.rows) for p in rest]
        blob, name, ct = "\n".join(lines).encode("utf-8"), "word/afchunk1.txt", "text/plain"
    else:
        def drop_kept(body) -> None:
            for el in [el for el in body if el.tag in (W + "p", W + "tbl")][:keep]:
                body.remove(el)
        blob, name, ct = _edit_body(data, drop_kept), "word/afchunk1.docx", \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    root = etree.fromstring(members["word/document.xml"])
    body = root.find("w:body", _NS)
    blocks = [el for el in body if el.tag in (W + "p", W + "tbl")]
    for el in blocks[keep:]:
        body.remove(el)
    chunk = etree.Element(W + "altChunk", nsmap={"r": R_NS})
    chunk.set("{%s}id" % R_NS, "rIdChunk1")
    body.find("w:sectPr", _NS).addprevious(chunk)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels = members["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>", f'<Relationship Id="rIdChunk1" Type="{R_NS}/aFChunk" '
                                            f'Target="{name.split("/", 1)[1]}"/></Relationships>')
    members["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    types = members["[Content_Types].xml"].decode("utf-8")
    members["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/{name}" ContentType="{ct}"/></Types>').encode("utf-8")
    members[name] = blob
    return _zip(members)


_TRANSITIONAL = re.compile(rb"http://schemas\.openxmlformats\.org/(drawingml|officeDocument|wordprocessingml|"
                           rb"schemaLibrary|spreadsheetml|presentationml)/2006/")


def strict_docx(data: bytes, main: str = "word/document.xml") -> bytes:
    """The same document saved as ISO/IEC 29500 Strict ("Strict Open XML Document" in Word): purl.oclc.org
    namespaces and relationship types in every part, w:conformance="strict"; optionally the main part renamed."""
    members = {}
    for name, blob in _members(data).items():
        if name.endswith((".xml", ".rels")):
            blob = _TRANSITIONAL.sub(rb"http://purl.oclc.org/ooxml/\1/", blob)
            blob = blob.replace(b"relationships/extended-properties", b"relationships/extendedProperties")
            blob = blob.replace(b"officeDocument/extended-properties", b"officeDocument/extendedProperties")
        if name == "word/document.xml":
            blob = blob.replace(b"<w:document ", b'<w:document w:conformance="strict" ', 1)
        members[name] = blob
    if main != "word/document.xml":
        members = _rename_main(members, main)
    return _zip(members)


def _rename_main(members: dict[str, bytes], main: str) -> dict[str, bytes]:
    """The main part moved to `main` (same folder), as some generators name it (word/document2.xml)."""
    old_dir, new_name = "word/", main.split("/")[-1]
    out = {}
    for name, blob in members.items():
        if name == "word/document.xml":
            name = old_dir + new_name
        elif name == "word/_rels/document.xml.rels":
            name = f"word/_rels/{new_name}.rels"
        elif name in ("_rels/.rels", "[Content_Types].xml"):
            blob = blob.replace(b"word/document.xml", f"word/{new_name}".encode())
        out[name] = blob
    return out


def checkbox_marks(style: str) -> tuple[str, str]:
    """Run XML of a ticked and an unticked box as `style` writes them: 'wingdings2' / 'wingdings' / 'symbol'
    (w:sym glyphs Word inserts from 插入→符号), 'font' (the glyph typed as text in Wingdings 2), 'sdt'
    (a check-box content control), 'formfield' (a legacy FORMCHECKBOX field)."""
    def sym(font, char):
        return f'<w:r><w:sym w:font="{font}" w:char="{char}"/></w:r>'
    if style == "wingdings2":
        return sym("Wingdings 2", "F052"), sym("Wingdings 2", "F0A3")
    if style == "wingdings":
        return sym("Wingdings", "F0FE"), sym("Wingdings", "F0A8")
    if style == "symbol":
        return sym("Symbol", "F0D6") + '<w:r><w:t>）</w:t></w:r>', '<w:r><w:t xml:space="preserve">  ）</w:t></w:r>'
    if style == "font":
        def typed(ch):
            return f'<w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr><w:t>{ch}</w:t></w:r>'
        return typed("R"), typed("\u00a3")
    if style == "sdt":
        def control(on):
            return (f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{int(on)}"/>'
                    '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" '
                    f'w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{"☒" if on else "☐"}'
                    '</w:t></w:r></w:sdtContent></w:sdt>')
        return control(True), control(False)
    if style == "formfield":
        def field(on):
            return (f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check{int(on)}"/><w:enabled/>'
                    f'<w:checkBox><w:sizeAuto/><w:default w:val="{int(on)}"/></w:checkBox></w:ffData></w:fldChar></w:r>'
                    '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
                    '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        return field(True), field(False)
    raise ValueError(style)


def checkbox_paragraph(options: list[str], chosen: str, style: str = "wingdings2") -> str:
    """A w:p listing every option with a box before it, the `chosen` one ticked (separated by full-width spaces)."""
    on, off = checkbox_marks(style)
    runs = []
    for opt in options:
        if style == "symbol":
            runs.append('<w:r><w:t>（</w:t></w:r>')
        runs.append(on if opt == chosen else off)
        runs.append(f'<w:r><w:t xml:space="preserve">{html.escape(opt)}\u3000</w:t></w:r>')
    return (f'<w:p xmlns:w="{W_NS}" xmlns:w14="{W14_NS}">' + "".join(runs) + "</w:p>")


def category_checkboxes(data: bytes, options: list[str], chosen: str, style: str = "wingdings2",
                        label: str = "项目类别") -> bytes:
    """The cell right of `label` (in the first table holding it) replaced by a check-box list of `options`."""
    def edit(body) -> None:
        for tc in body.iter(W + "tc"):
            if "".join(tc.itertext()).strip() == label:
                value = tc.getnext()
                while value is not None and value.tag != W + "tc":
                    value = value.getnext()
                for p in value.findall("w:p", _NS):
                    value.remove(p)
                value.append(etree.fromstring(checkbox_paragraph(options, chosen, style)))
                return
        raise ValueError(f"no cell {label}")
    return _edit_body(data, edit)


# --- legacy formats -------------------------------------------------------------------------

def rtf_bytes(content: list) -> bytes:
    """An RTF document of `content` (paragraphs and simple tables), Chinese as \\uN escapes, as WPS saves it."""
    def esc(s: str) -> str:
        out = []
        for ch in s:
            n = ord(ch)
            if ch in "\\{}":
                out.append("\\" + ch)
            elif n < 128:
                out.append(ch)
            else:
                out.append(f"\\u{n if n < 32768 else n - 65536}?")
        return "".join(out)
    parts = [r"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 SimSun;}}\f0\fs24 "]
    for item in content:
        if isinstance(item, Tbl):
            n = len(item.rows[0])
            for row in item.rows:
                parts.append(r"\trowd" + "".join(rf"\cellx{1800 * (k + 1)}" for k in range(n)))
                parts.append("".join(rf"\pard\intbl {esc(c)}\cell " for c in row) + r"\row ")
            parts.append(r"\pard ")
        elif item.level is not None:
            parts.append(rf"\pard\b {esc(item.text)}\b0\par ")
        else:
            parts.append(rf"\pard {esc(item.text)}\par ")
    parts.append("}")
    return "".join(parts).encode("ascii")


def odt_bytes(content: list) -> bytes:
    """An OpenDocument text (.odt) of `content`: headings (text:h), paragraphs and tables, as LibreOffice writes."""
    body = []
    for item in content:
        if isinstance(item, Tbl):
            n = len(item.rows[0])
            rows = "".join("<table:table-row>" + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{html.escape(c)}</text:p></table:table-cell>'
                for c in row) + "</table:table-row>" for row in item.rows)
            body.append(f'<table:table table:name="T{len(body)}"><table:table-column table:number-columns-repeated="{n}"/>'
                        f"{rows}</table:table>")
        elif item.level:
            body.append(f'<text:h text:outline-level="{item.level}">{html.escape(item.text)}</text:h>')
        else:
            body.append(f"<text:p>{html.escape(item.text)}</text:p>")
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    content_xml = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
                   f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # first, stored
        zf.writestr("content.xml", content_xml, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buf.getvalue()
