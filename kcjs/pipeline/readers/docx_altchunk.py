"""w:altChunk parts (HTML, MHT, an embedded .docx, plain text) as the blocks Word makes of them on opening.

HTML is parsed with lxml.html (libxml2's HTML parser, forgiving as browsers are): headings, paragraphs,
list items and tables come out in order; a table inside a cell is a table block of its own.
"""
from __future__ import annotations

import email
import re

from kcjs.pipeline.document import Block
from kcjs.pipeline.headings import heading_level

MAX_DEPTH = 3  # .docx chunks inside .docx chunks: Word imports a few levels; deeper is hostile
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {"p", "div", "li", "blockquote", "pre", "address", "center", "dd", "dt", "section", "article",
           "header", "footer", "main", "ul", "ol", "dl", "form", "fieldset", "figure", "figcaption", "body",
           "caption", "hr", "nav", "aside"}
_SKIP = {"script", "style", "head", "title", "noscript", "template", "object", "iframe", "svg", "math", "select"}
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def chunk_blocks(blob: bytes, content_type: str | None, depth: int = 0) -> list[Block]:
    """Blocks of one altChunk part: type decided by content (a .docx zip, MHT, HTML, RTF) before content type.
    RTF chunks are read only where LibreOffice converts them; unknown bytes give no blocks."""
    ct = (content_type or "").lower()
    head = blob[:2048].lstrip(b"\xef\xbb\xbf\r\n\t ")
    if blob[:2] == b"PK":
        return _docx_blocks(blob, depth)
    if head[:5] == b"{\\rtf" or "rtf" in ct:
        return _rtf_blocks(blob, depth)
    if "rfc822" in ct or b"mime-version:" in head[:512].lower():
        return html_blocks(_mht_html(blob))
    if "html" in ct or "xml" in ct or head[:1] == b"<":
        return html_blocks(blob)
    return text_blocks(decode(blob))


def decode(blob: bytes, declared: str | None = None) -> str:
    """Text of a chunk: BOM, then the declared charset, then UTF-8, then GB18030 (what Chinese Windows writes)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if blob.startswith(bom):
            return blob[len(bom):].decode(enc, "replace")
    for enc in filter(None, (declared, "utf-8")):
        try:
            return blob.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return blob.decode("gb18030", "replace")


def text_blocks(text: str) -> list[Block]:
    """Plain text: one paragraph per non-empty line (numbered short lines may be headings, as in the body)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            level = heading_level(line, False)
            out.append(Block(type="heading" if level is not None else "paragraph", text=line, level=level))
    return out


def _mht_html(blob: bytes) -> bytes:
    msg = email.message_from_bytes(blob)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            return decode(payload, charset).encode("utf-8") if charset else payload
    return b""


def html_blocks(blob: bytes) -> list[Block]:
    """HTML as Word imports it: h1–h6 headings, paragraphs (br kept as line breaks), tables with col/rowspan."""
    import lxml.html
    from lxml import etree
    if not blob.strip():
        return []
    m = _CHARSET.search(blob[:4096])
    text = decode(blob, m.group(1).decode("ascii", "ignore") if m else None)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # an XML declaration with an encoding is refused for str input
    try:
        root = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(no_network=True, recover=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    body = root.find("body")
    return _Html().blocks(body if body is not None else root)


class _Html:
    def __init__(self) -> None:
        self.out: list[Block] = []
        self.buf: list[str] = []
        self.bold: list[bool] = []

    def blocks(self, el) -> list[Block]:
        self._visit(el)
        self._flush()
        return self.out

    def _flush(self, level: int | None = None) -> None:
        lines = [_SPACE.sub(" ", s).strip() for s in "".join(self.buf).split("\n")]
        text = "\n".join(s for s in lines if s)
        bold = bool(self.bold) and all(self.bold)
        self.buf, self.bold = [], []
        if not text:
            return
        if level is None:
            level = heading_level(text, bold)
        else:
            level = heading_level(text, True) or level
        self.out.append(Block(type="heading" if level is not None else "paragraph", text=text, level=level, bold=bold))

    def _text(self, s: str | None, bold: bool) -> None:
        if s:
            self.buf.append(s)
            if s.strip():
                self.bold.append(bold)

    def _visit(self, el, bold: bool = False) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None or tag in _SKIP:
            return
        if tag == "br":
            self.buf.append("\n")
            return
        if tag == "table":
            self._flush()
            self._table(el)
            return
        b = bold or tag in ("b", "strong") or "bold" in (el.get("style") or "").replace(" ", "").lower()
        if tag in _HEADINGS or tag in _BLOCKS:
            self._flush()
        self._text(el.text, b)
        for c in el:
            self._visit(c, b)
            self._text(c.tail, b)
        if tag in _HEADINGS:
            self._flush(_HEADINGS[tag])
        elif tag in _BLOCKS:
            self._flush()

    def _table(self, tbl) -> None:
        rows: list[list[str]] = []
        copies: set[tuple[int, int]] = set()
        pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered by a rowspan, text)
        nested: list[Block] = []
        for r, tr in enumerate(_rows(tbl)):
            row: list[str] = []
            for td in (c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")):
                while len(row) in pending:
                    row.append(self._covered(pending, len(row), r, copies))
                inner = _Html()
                inner._visit_children(td)
                inner._flush()
                text = "\n".join(b.text for b in inner.out if b.type != "table")
                nested.extend(b for b in inner.out if b.type == "table")
                span = _span(td.get("colspan"))
                down = _span(td.get("rowspan"), 500) - 1
                for k in range(span):
                    if k:
                        copies.add((r, len(row)))
                    if down:
                        pending[len(row)] = (down, text)
                    row.append(text)
            while len(row) in pending:
                row.append(self._covered(pending, len(row), r, copies))
            rows.append(row)
        width = max((len(r) for r in rows), default=0)
        for row in rows:
            row.extend([""] * (width - len(row)))
        if rows:
            self.out.append(Block(type="table", text="", rows=rows, copies=copies))
        self.out.extend(nested)

    @staticmethod
    def _covered(pending, c, r, copies) -> str:
        left, text = pending[c]
        copies.add((r, c))
        if left <= 1:
            del pending[c]
        else:
            pending[c] = (left - 1, text)
        return text

    def _visit_children(self, el) -> None:
        self._text(el.text, False)
        for c in el:
            self._visit(c)
            self._text(c.tail, False)


def _rows(tbl):
    """The table's own rows (in thead/tbody/tfoot or directly), not those of tables nested in its cells."""
    for c in tbl:
        tag = c.tag.lower() if isinstance(c.tag, str) else ""
        if tag == "tr":
            yield c
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (r for r in c if isinstance(r.tag, str) and r.tag.lower() == "tr")


def _span(value: str | None, limit: int = 63) -> int:
    m = re.match(r"\s*(\d{1,4})", value or "")
    return max(1, min(int(m.group(1)), limit)) if m else 1


def _docx_blocks(blob: bytes, depth: int) -> list[Block]:
    """An embedded .docx: its body's blocks (images kept without their bytes: they live in the inner package)."""
    if depth >= MAX_DEPTH:
        return []
    from kcjs.pipeline.readers import BadFile, Limits, check_zip
    from kcjs.pipeline.readers.docx_reader import read_docx
    try:
        check_zip(blob, Limits())
        inner = read_docx("altChunk.docx", blob, seals=False, depth=depth + 1)
    except (BadFile, Exception):  # a broken chunk is left out, as Word leaves it out
        return []
    for b in inner.blocks:
        if b.image is not None:
            b.image.ref = None
    return inner.blocks


def _rtf_blocks(blob: bytes, depth: int) -> list[Block]:
    if depth >= MAX_DEPTH:
        return []
    from kcjs.pipeline.readers import legacy
    try:
        converted = legacy.to_docx(blob, "rtf")
    except Exception:
        return []
    return _docx_blocks(converted, depth) if converted else []
