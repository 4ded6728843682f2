"""Generators of real test documents: .docx in several authoring styles, text PDFs, noisy scans, seals.

Used by the tests, the benchmarks and the corpus builder. Fonts: PyMuPDF's built-in CJK font.
"""
from __future__ import annotations

import copy
import io
import math
import random
from dataclasses import dataclass, field

import numpy as np
import pymupdf
from PIL import Image, ImageChops, ImageFilter

CJK = "china-s"  # PyMuPDF's built-in simplified-Chinese font


# --- content ------------------------------------------------------------------------------

@dataclass
class Para:
    text: str
    level: int | None = None  # None: body paragraph; 0 title; 1 一、; 2 （一）


@dataclass
class Tbl:
    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1) inclusive


FILLER = ("围绕全省重点培育打造的产业体系，联合国家级学会、省级学会、科研机构等院士团队力量，聚焦服务新质生产力，"
          "深化产学研共同合作，加强重难点技术协同攻关，加快科技成果转移转化，着力推动产业升级及企业创新发展。")


def sample_application(n_filler: int = 2) -> list:
    """A short 申报书 body: title, numbered headings, paragraphs and an information table."""
    return [
        Para("2024年度“科创江苏”专项计划项目申报书", 0),
        Para("一、申报单位基本情况", 1),
        Tbl([["单位名称", "江苏省机械工程学会", "单位类型", "省级学会"],
             ["联系人", "张华", "联系电话", "025-83625054"],
             ["项目名称", "高端装备产业院士协同创新中心", "项目名称", "高端装备产业院士协同创新中心"]],
            merges=[(2, 1, 2, 3)]),
        Para("二、项目实施方案", 1),
        Para("（一）建设目标", 2),
        *[Para(FILLER) for _ in range(n_filler)],
        Para("（二）年度目标任务", 2),
        Para("全年推动解决企业重点难点技术问题不少于6个，推动科技成果转化落地不少于4项。"),
        Para("三、经费预算", 1),
        Para("申请资助经费30万元，其中专家咨询费12万元，会议费10万元，差旅费8万元。"),
        Para("四、申报单位意见", 1),
        Para("申报单位（盖章）"),
    ]


# --- seals --------------------------------------------------------------------------------

def seal_png(diameter_px: int = 240, text: str = "江苏省机械工程学会", color=(220, 30, 30),
             shape: str = "round", alpha: bool = True, **draw) -> bytes:
    """A red official seal as PNG: round (ring text, star) and oval ones as real seals are cut
    (kcjs.corpus.stamps.draw_seal, which takes `draw`: font_name, wear, inner …: a 公章 has no inner line, a
    合同专用章 is not one), square ones a framed name;
    transparent background when alpha."""
    if shape != "square":
        from kcjs.corpus.stamps import seal_bytes
        return seal_bytes(text=text, diameter_px=diameter_px, shape=shape, color=color, alpha=alpha,
                          **draw)
    doc = pymupdf.open()
    size = 100.0
    page = doc.new_page(width=size, height=size)
    rgb = tuple(v / 255 for v in color)
    page.draw_rect(pymupdf.Rect(6, 6, 94, 94), color=rgb, width=4)
    page.insert_textbox(pymupdf.Rect(14, 24, 86, 86), text[:8], fontname=CJK, fontsize=15, color=rgb, align=1)
    pix = page.get_pixmap(dpi=int(diameter_px * 72 / size), alpha=False)
    img = Image.frombytes("RGB", (pix.w, pix.h), pix.samples)
    if alpha:
        a = np.asarray(img).astype(np.int16)
        red = (a[..., 0] - np.maximum(a[..., 1], a[..., 2])) > 40
        rgba = np.dstack([np.asarray(img), np.where(red, 255, 0).astype(np.uint8)])
        img = Image.fromarray(rgba, "RGBA")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def parties(content: list) -> list[str]:
    """The units a form names, in stamp-line order: 申报单位 (or 单位名称), then 联合申报单位."""
    found: dict[str, str] = {}
    for item in content:
        if isinstance(item, Tbl):
            for row in item.rows:
                for c, cell in enumerate(row[:-1]):
                    key = {"申报单位": 0, "单位名称": 0, "联合申报单位": 1}.get(cell.strip())
                    if key is not None and row[c + 1].strip():
                        found.setdefault(str(key), row[c + 1].strip())
    return [found[k] for k in sorted(found)]


def _seal_of(content: list, k: int, seal_args: dict | None) -> bytes:
    """The k-th stamp line's seal: by default it bears the name of that line's party in the form."""
    args = dict(seal_args or {})
    names = parties(content)
    if "text" not in args and names:
        args["text"] = names[min(k, len(names) - 1)]
    return seal_png(**args)


# --- .docx --------------------------------------------------------------------------------

def docx_bytes(content: list, style: str = "styles", header: str | None = "2024年度科创江苏专项计划",
               footer: str | None = "第 1 页", seal: str | None = None, textbox: str | None = None,
               footnote: str | None = None, app_words: int | None = None, seals: int = 9,
               seal_args: dict | None = None, seal_image: bytes | None = None) -> bytes:
    """A .docx of `content` whose headings are written in `style`:
    'styles' (Heading n), 'chinese' (a style named 标题 n with a WPS-like numeric id), 'outline'
    (w:outlineLvl on plain paragraphs) or 'bold' (bold numbered lines, no heading style).
    seal: None, 'inline', 'floating' or 'cell': a PNG seal on each of the first `seals` stamp lines."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm, Pt

    d = docx.Document()
    if style == "chinese":
        for lv in (1, 2):
            d.styles.element.append(parse_xml(
                f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{lv + 1}"><w:name w:val="标题 {lv}"/>'
                f'<w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="{lv - 1}"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>'))
    stamp_paras = []
    for item in content:
        if isinstance(item, Tbl):
            _docx_table(d, item)
            continue
        if item.level is None:
            p = d.add_paragraph(item.text)
        elif item.level == 0:
            p = d.add_paragraph()
            r = p.add_run(item.text)
            r.bold, r.font.size = True, Pt(22)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif style == "styles":
            p = d.add_heading(item.text, level=item.level)
        elif style == "chinese":
            p = d.add_paragraph(item.text)
            p.style = d.styles["标题 %d" % item.level]
        elif style == "outline":
            p = d.add_paragraph(item.text)
            p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{item.level - 1}"/>'))
        else:
            p = d.add_paragraph()
            p.add_run(item.text).bold = True
        if "（盖章）" in item.text:
            stamp_paras.append(p)
    if seal == "cell":
        t = d.add_table(rows=1, cols=2)
        t.cell(0, 0).text = "推荐单位（盖章）"
        t.cell(0, 1).paragraphs[0].add_run().add_picture(io.BytesIO(_seal_of(content, 0, seal_args)), width=Mm(40))
    elif seal:
        for k, stamp_para in enumerate(stamp_paras[:seals]):
            run = stamp_para.add_run()
            run.add_picture(io.BytesIO(seal_image or _seal_of(content, k, seal_args)), width=Mm(40))
            if seal == "floating":
                _float(run)
    body = d.element.body
    if textbox:
        body.insert(len(body) - 1, parse_xml(
            f'<w:p {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict><v:shape style="position:absolute;width:100pt;height:40pt">'
            f'<v:textbox><w:txbxContent><w:p><w:r><w:t>{textbox}</w:t></w:r></w:p></w:txbxContent></v:textbox>'
            '</v:shape></w:pict></w:r></w:p>'))
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    if header:
        sec.header.paragraphs[0].text = header
    if footer:
        sec.footer.paragraphs[0].text = footer
    if footnote:
        _add_footnote(d, footnote)
    buf = io.BytesIO()
    d.save(buf)
    data = buf.getvalue()
    return _set_app_words(data, app_words) if app_words is not None else data


def _docx_table(d, t: Tbl) -> None:
    table = d.add_table(rows=len(t.rows), cols=len(t.rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(t.rows):
        for c, text in enumerate(row):
            if not any(r0 <= r <= r1 and c0 <= c <= c1 and (r, c) != (r0, c0) for r0, c0, r1, c1 in t.merges):
                table.cell(r, c).text = text
    for r0, c0, r1, c1 in t.merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))


def _float(run) -> None:
    """Turn the run's inline picture into a floating one (wp:anchor, behind text), as Word does."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    inline = run._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline")
    extent = inline.find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp")} distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" '
        'behindDoc="1" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>900000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>-300000</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{extent.get("cx")}" cy="{extent.get("cy")}"/><wp:wrapNone/></wp:anchor>')
    for child in inline:
        if child.tag.endswith(("}docPr", "}cNvGraphicFramePr", "}graphic")):
            anchor.append(copy.deepcopy(child))
    inline.getparent().replace(inline, anchor)


def _add_footnote(d, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    xml = (f'<w:footnotes {nsdecls("w")}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           f'<w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", xml.encode(), d.part.package)
    rid = d.part.relate_to(part, RT.FOOTNOTES)
    p = d.paragraphs[-1]._p
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="1"/></w:r>'))
    assert rid


def _set_app_words(data: bytes, words: int) -> bytes:
    import re
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/app.xml":
                body = re.sub(rb"<Words>\d*</Words>", b"", body)
                body = body.replace(b"</Properties>", f"<Words>{words}</Words></Properties>".encode())
            z.writestr(info, body)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------

A4 = (595.0, 842.0)
MARGIN = 72.0


def pdf_bytes(content: list, header: str | None = "2024年度科创江苏专项计划", page_numbers: bool = True,
              body_size: float = 12, seal_on_stamp_line: bool = False, seals: int = 9,
              seal_args: dict | None = None, border_lines: bool = False, fontfile: str | None = None) -> bytes:
    """A text PDF as Word would export it: headings larger, tables ruled, running header and page numbers.
    fontfile: a CJK font file (.ttf/.otf/.ttc) embedded as Word does, instead of PyMuPDF's built-in font."""
    doc = pymupdf.open()
    page, y = None, 0.0
    font = _Font(fontfile)

    def new_page():
        nonlocal page, y
        page = doc.new_page(width=A4[0], height=A4[1])
        font.use(page)
        y = MARGIN

    new_page()
    placed = 0
    width = A4[0] - 2 * MARGIN
    for item in content:
        if isinstance(item, Tbl):
            y = _pdf_table(doc, item, y, width, body_size, new_page, border_lines, font)
            page = doc[-1]
            continue
        size = {0: 20, 1: 15, 2: 13.5}.get(item.level, body_size) if item.level is not None else body_size
        text = item.text if item.level is not None else "\u3000\u3000" + item.text
        chars_per_line = int(width / size)
        nlines = max(1, math.ceil(len(text) / chars_per_line))
        h = nlines * size * 1.6 + size * 0.6
        if y + h > A4[1] - MARGIN:
            new_page()
        rect = pymupdf.Rect(MARGIN, y, A4[0] - MARGIN, y + h + size)
        page.insert_textbox(rect, text, fontname=font.name, fontsize=size, lineheight=1.6, align=1 if item.level == 0 else 0)
        if seal_on_stamp_line and "（盖章）" in item.text and seals > placed:
            x = MARGIN + 90 + 130 * placed  # seals of several parties side by side
            page.insert_image(pymupdf.Rect(x, y - 40, x + 110, y + 70), stream=_seal_of(content, placed, seal_args))
            placed += 1
        y += h
    total = len(doc)
    for n, p in enumerate(doc, 1):
        if header:
            p.insert_text((MARGIN, 40), header, fontname=font.name, fontsize=9)
        if page_numbers:
            p.insert_text((A4[0] / 2 - 20, A4[1] - 30), f"第 {n} 页 共 {total} 页", fontname=font.name, fontsize=9)
    if fontfile:
        doc.subset_fonts()
    return doc.tobytes(garbage=3 if fontfile else 0)


class _Font:
    """PyMuPDF's built-in CJK font, or a font file embedded in every page under one name."""

    def __init__(self, fontfile: str | None) -> None:
        self.file = fontfile
        self.name = "F1" if fontfile else CJK
        self.font = pymupdf.Font(fontfile=fontfile) if fontfile else None

    def use(self, page) -> None:
        if self.file:
            page.insert_font(fontname=self.name, fontfile=self.file)

    def length(self, text: str, size: float) -> float:
        if self.font is not None:
            return self.font.text_length(text, fontsize=size)
        return pymupdf.get_text_length(text, fontname=CJK, fontsize=size)


def _pdf_table(doc, t: Tbl, y: float, width: float, body_size: float, new_page, border_lines: bool = False,
               font: _Font | None = None) -> float:
    """Draw a ruled table with wrapped cell text, breaking to a new page between rows; returns the new y."""
    font = font or _Font(None)
    ncol = len(t.rows[0])
    cw = width / ncol
    fs = body_size - 1.5
    covered = {(r, c) for r0, c0, r1, c1 in t.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
               if (r, c) != (r0, c0)}
    for r, row in enumerate(t.rows):
        spans = {c: next((c1 - c0 + 1 for r0, c0, r1, c1 in t.merges if (r0, c0) == (r, c)), 1) for c in range(ncol)}
        lines = max(sum(max(1, math.ceil(font.length(part, fs) * 1.15 / (cw * spans[c] - 8))) for part in row[c].split("\n"))
                    for c in range(ncol) if (r, c) not in covered) or 1
        row_h = max(1, lines) * fs * 1.45 + 8
        if y + row_h > A4[1] - MARGIN:
            new_page()
            y = MARGIN
        page = doc[-1]
        for c in range(ncol):
            if (r, c) in covered:
                continue
            rect = pymupdf.Rect(MARGIN + c * cw, y, MARGIN + (c + spans[c]) * cw, y + row_h)
            if border_lines:  # as Word and LibreOffice export tables: one line per border, no rectangles
                for a, b in ((rect.tl, rect.tr), (rect.bl, rect.br), (rect.tl, rect.bl), (rect.tr, rect.br)):
                    page.draw_line(a, b, color=(0, 0, 0), width=0.5)
            else:
                page.draw_rect(rect, color=(0, 0, 0), width=0.6)
            page.insert_textbox(rect + (4, 4, -4, 0), row[c], fontname=font.name, fontsize=fs, lineheight=1.3)
        y += row_h
    return y + body_size


PAPER_TINT = (4, 2, -5)  # RGB offset of white office paper in a colour scan


def scan_pdf_bytes(pdf: bytes, dpi: int = 200, rotate_deg: float = 0.0, noise: float = 6.0,
                   jpeg_quality: int = 70, seal_pages: tuple[int, ...] = (), seed: int = 0,
                   text_pages: tuple[int, ...] = (), turns: dict[int, int] | None = None,
                   seal_at: tuple[float, float] = (0.18, 0.2), colour: bool = True) -> bytes:
    """Print and scan a PDF: each page rasterised, a seal stamped over text (its top-left corner at
    `seal_at`, fractions of the page), rotated, noised, JPEG-compressed, and placed as the only thing on
    its page. Pages in `text_pages` stay text; `turns` {page: quarter turns counter-clockwise} feeds
    pages in sideways (1, 3: a landscape page) or upside down (2). colour=False scans in grey (no tint)."""
    rng = random.Random(seed)
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for n, page in enumerate(src, 1):
        if n in text_pages:
            out.insert_pdf(src, from_page=n - 1, to_page=n - 1)
            continue
        pix = page.get_pixmap(dpi=dpi, alpha=False)
        img = Image.frombytes("RGB", (pix.w, pix.h), pix.samples)
        if n in seal_pages:
            seal = Image.open(io.BytesIO(seal_png(diameter_px=int(dpi * 42 / 25.4)))).convert("RGBA")
            layer = Image.new("RGB", img.size, (255, 255, 255))
            layer.paste(seal, (int(pix.w * seal_at[0]), int(pix.h * seal_at[1])), seal)
            img = ImageChops.multiply(img, layer)  # ink over toner: black stays black under red
        if rotate_deg:
            img = img.rotate(rotate_deg, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
        arr = np.asarray(img).astype(np.int16)
        if colour:  # a colour scanner sees paper's faint warm tint; a grey scan has none (seals.colourless)
            arr = arr + np.array(PAPER_TINT, dtype=np.int16)
        else:
            arr = np.repeat(arr.mean(axis=2, keepdims=True), 3, axis=2).astype(np.int16)
        nrng = np.random.default_rng(seed + n)
        arr = arr + nrng.normal(0, noise, arr.shape if colour else arr.shape[:2] + (1,)).astype(np.int16)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.4))
        k = (turns or {}).get(n, 0) % 4
        if k:
            img = img.transpose((None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270)[k])
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=jpeg_quality)
        w, h = (page.rect.height, page.rect.width) if k % 2 else (page.rect.width, page.rect.height)
        p = out.new_page(width=w, height=h)
        p.insert_image(p.rect, stream=buf.getvalue())
        rng.random()
    return out.tobytes()
