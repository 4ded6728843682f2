"""Builders of hostile inputs, shared by the tests and bench/hostile_families.py (each builds its input)."""
from __future__ import annotations

import os

import io
import random
import re
import zipfile

from kcjs.corpus.gen import Para, Tbl, docx_bytes, pdf_bytes, sample_application


def with_budget(value: str, *texts: str) -> list:
    """The sample 申报书 whose budget paragraph is replaced by a table cell 申请资助经费 | value, then `texts`."""
    content = sample_application(1)
    at = next(i for i, b in enumerate(content) if isinstance(b, Para) and b.text == "三、经费预算") + 1
    return content[:at] + [Tbl([["申请资助经费", value]])] + [Para(t) for t in texts] + content[at + 1:]


def long_digits_docx(n: int = 20_000) -> bytes:
    """Runs of n digits: bare, before 万元, before a target's unit (the money and number patterns' worst case)."""
    return docx_bytes(with_budget("9" * n, "合计" + "1" * n + "万元", "推动科技成果转化落地不少于" + "3" * n + "项。"))


def chinese_numerals_docx(n: int = 5_000) -> bytes:
    """n Chinese numerals before 万元: past Python's int-digit limit if multiplied out."""
    return docx_bytes(with_budget("九" * n + "万元", "推动科技成果转化落地不少于" + "九" * n + "项。"))


def huge_amount_docx(digits: int = 400) -> bytes:
    """A 400-digit amount: float() of it is inf (JSON would say Infinity)."""
    return docx_bytes(with_budget("9" * digits + "万元"))


def _rewrite_member(data: bytes, member: str, change) -> bytes:
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            z.writestr(info.filename, change(body) if info.filename == member else body)
    return buf.getvalue()


def gridspan_docx(span: int = 1_000_000) -> bytes:
    """A table cell that claims to span `span` grid columns."""
    data = docx_bytes(sample_application(1))

    def change(xml: bytes) -> bytes:
        return re.sub(rb"<w:tc>(<w:tcPr>)?", lambda m: b"<w:tc><w:tcPr><w:gridSpan w:val=\"%d\"/>" % span
                      + (b"" if m.group(1) else b"</w:tcPr>"), xml, count=1)
    return _rewrite_member(data, "word/document.xml", change)


def huge_page_pdf(side_pt: float = 14_400) -> bytes:
    """A valid PDF whose one page is 5 m × 5 m (PDF's largest), covered by an image as a scan is."""
    import pymupdf
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (250, 250, 250)).save(buf, "PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=side_pt, height=side_pt)
    page.insert_image(page.rect, stream=buf.getvalue())
    return doc.tobytes()


def thin_png(w: int = 1, h: int = 100_000) -> bytes:
    """A valid PNG of w×h pixels."""
    from PIL import Image
    buf = io.BytesIO()
    Image.new("L", (w, h), 255).save(buf, "PNG")
    return buf.getvalue()


def pdf_with_image(png: bytes) -> bytes:
    """A text PDF (the sample application) with `png` drawn on its first page."""
    import pymupdf
    doc = pymupdf.open(stream=pdf_bytes(sample_application(1)), filetype="pdf")
    doc[0].insert_image(pymupdf.Rect(500, 700, 501, 800), stream=png)
    return doc.tobytes()


# --- mutants ------------------------------------------------------------------------------

def seeds() -> list[tuple[str, bytes]]:
    """The generated documents the fuzzer mutates: .docx and text PDFs, tables and prose."""
    app = sample_application(1)
    prose = [Para("2024年度“科创江苏”专项计划项目申报书", 0), Para("一、基本情况", 1), Para("申请资助经费30万元。"),
             Tbl([["年度目标", "数量"], ["成果转化", "4项"]])]
    return [("app.docx", docx_bytes(app)), ("prose.docx", docx_bytes(prose)),
            ("app.pdf", pdf_bytes(app)), ("prose.pdf", pdf_bytes(prose))]


_TOKENS = [b"9" * 500, "九".encode() * 300, b"\x00", b"<", b"&#0;", b"]]>", "万元".encode(), b"-", b"1e999",
           b'<w:gridSpan w:val="99999999"/>', b"<w:vMerge/>", b"obj", b"endobj", b"stream", b"/Length 999999999",
           b"/MediaBox [0 0 99999 99999]", b"/W 99999", b"\xff\xfe", "（".encode() * 200]


def _mutate_bytes(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    op = rnd.randrange(5)
    if op == 0:  # flip bytes
        for _ in range(rnd.randint(1, 20)):
            i = rnd.randrange(len(b))
            b[i] = rnd.randrange(256)
    elif op == 1:  # truncate
        del b[rnd.randrange(len(b)):]
    elif op == 2:  # splice a hostile token
        i = rnd.randrange(len(b))
        b[i:i] = rnd.choice(_TOKENS)
    elif op == 3:  # duplicate a slice
        i, j = sorted(rnd.randrange(len(b)) for _ in range(2))
        b[i:i] = b[i:j][:4096]
    else:  # delete a slice
        i = rnd.randrange(len(b))
        del b[i:i + rnd.randint(1, 256)]
    return bytes(b)


def _mutate_docx_xml(data: bytes, rnd: random.Random) -> bytes:
    """Mutate inside document.xml (so the zip stays valid and the XML parser and checkers see it)."""
    return _rewrite_member(data, "word/document.xml", lambda xml: _mutate_bytes(xml, rnd))


def _uncompressed_pdf(data: bytes) -> bytes:
    import pymupdf
    doc = pymupdf.open(stream=data, filetype="pdf")
    return doc.tobytes(expand=255, garbage=0)


def mutants(n: int, seed: int = 18) -> list[tuple[str, bytes]]:
    """n seeded mutants of the seeds: raw byte mutations, in-XML mutations of .docx, in-stream ones of PDFs."""
    rnd = random.Random(seed)
    base = seeds()
    expanded = {name: _uncompressed_pdf(data) for name, data in base if name.endswith(".pdf")}
    out = []
    for i in range(n):
        name, data = base[i % len(base)]
        if name.endswith(".docx") and rnd.random() < 0.6:
            data = _mutate_docx_xml(data, rnd)
        elif name.endswith(".pdf") and rnd.random() < 0.6:
            data = _mutate_bytes(expanded[name], rnd)
        else:
            data = _mutate_bytes(data, rnd)
        if rnd.random() < 0.3:
            try:
                data = _mutate_docx_xml(data, rnd) if name.endswith(".docx") else _mutate_bytes(data, rnd)
            except Exception:  # the first mutation broke the zip: mutate its bytes instead
                data = _mutate_bytes(data, rnd)
        out.append((f"m{i:03d}-{name}", data))
    return out


def descendants(pid: int) -> dict[int, int]:
    """{descendant pid: depth} of pid, from /proc."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, frontier, depth = {}, [pid], 0
    while frontier:
        depth += 1
        frontier = [p for p, pp in parent.items() if pp in frontier]
        out.update({p: depth for p in frontier})
    return out
