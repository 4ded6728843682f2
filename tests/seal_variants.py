"""Held-back seal variants, made apart from kcjs.corpus (its own seal drawer, pen strokes, form and scanner), so
the seal tests do not only meet what the corpus generators draw.

seal(): a seal cut another way (a thicker ring, AR PL UKai or Noto Serif characters, a digit code under the name,
an inner ring, a star with no text, a special-purpose seal's line across the middle as wide as a real one's). form_pdf(): a one-table application of its own layout. pen_pdf(): a red pen
loop drawn as a PDF annotator draws it (vector). scan(): print and scan, with marks drawn on the paper first
(seals multiplied over toner, pen loops), colour / grey (lighter, darker) / 1-bit, JPEG at any quality.
"""
from __future__ import annotations

import glob
import io
import math
import random

import numpy as np
import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFont

MM = 72 / 25.4
RED = (200, 25, 45)


def _font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    """kai: AR PL UKai where installed; serif: Noto Serif CJK Bold; either falls back to the corpus's CJK font."""
    pattern = {"kai": "/usr/share/fonts/**/ukai.ttc", "serif": "/usr/share/fonts/**/NotoSerifCJK-Bold.ttc"}[kind]
    found = glob.glob(pattern, recursive=True)
    if found:
        return ImageFont.truetype(found[0], size, index=0 if kind == "kai" else 2)
    from kcjs.corpus.stamps import font
    return font("serif-bold", size)


def seal(text: str, d_px: int, shape: str = "round", font: str = "kai", ring: float = 0.045, star: bool = True,
         code: str = "", inner_ring: bool = False, angle: float = 0.0, inner: str = "", span_deg: float = 0.0) -> Image.Image:
    """RGBA seal d_px across: `text` along the upper arc, tops outward; `code` (digits) along the lower arc; ring
    width `ring` × d_px; oval seals are 0.68 as high. inner: a special-purpose seal's line (财务专用章) across the
    lower middle, as wide as a real one's (its end characters reach in under the ring text's ends), the star
    raised above it; span_deg: the name's arc (default 240° round, 165° oval)."""
    ss = 2
    w = d_px * ss
    h = w if shape == "round" else int(w * 0.68)
    ink = Image.new("L", (w, h), 0)
    dr = ImageDraw.Draw(ink)
    lw = max(2, int(ring * w))
    dr.ellipse((lw, lw, w - lw, h - lw), outline=255, width=lw)
    if inner_ring:
        g = int(lw * 2.2)
        dr.ellipse((g, g, w - g, h - g), outline=255, width=max(1, lw // 3))
    a, b = w / 2, h / 2
    n = max(len(text), 1)
    fs = int(w * (0.15 if n <= 8 else 0.125 if n <= 12 else 0.1)) if shape == "round" else int(h * 0.15)
    f = _font(font, fs)
    span = math.radians(span_deg or (240 if shape == "round" else 165))
    inset = (lw * 2.2 + (lw if inner_ring else 0) + fs * 0.55) * (1.0 if shape == "round" else 1.35)
    for i, ch in enumerate(text):
        t = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        x, y = a + (a - inset) * math.cos(t), b + (b - inset) * math.sin(t)
        nx, ny = math.cos(t) / (a - inset), math.sin(t) / (b - inset)
        rot = math.degrees(math.atan2(ny, nx)) + 90
        gl = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(gl).text((fs, fs), ch, font=f, fill=255, anchor="mm")
        gl = gl.resize((int(fs * 2 * 0.8), fs * 2)).rotate(-rot, resample=Image.BICUBIC, expand=True)
        ink.paste(255, (int(x - gl.width / 2), int(y - gl.height / 2)), gl)
    if code:
        fc = _font("serif", int(fs * 0.45))
        cs = math.radians(70)
        for i, ch in enumerate(code):
            t = math.pi / 2 + cs / 2 - cs * (i + 0.5) / len(code)
            x, y = a + (a - lw * 2.2 - fs * 0.3) * math.cos(t), b + (b - lw * 2.2 - fs * 0.3) * math.sin(t)
            gl = Image.new("L", (fs, fs), 0)
            ImageDraw.Draw(gl).text((fs // 2, fs // 2), ch, font=fc, fill=255, anchor="mm")
            gl = gl.rotate(-(math.degrees(t) - 90), resample=Image.BICUBIC, expand=True)
            ink.paste(255, (int(x - gl.width / 2), int(y - gl.height / 2)), gl)
    if star and shape == "round":
        r = w * 0.11
        sy = b - (w * 0.04 if inner else 0)
        dr.polygon([(a + (r if k % 2 == 0 else r * 0.4) * math.sin(math.pi * k / 5),
                     sy - (r if k % 2 == 0 else r * 0.4) * math.cos(math.pi * k / 5)) for k in range(10)], fill=255)
    if inner:  # 5 characters ~0.5 R each side of the middle (a 40 mm seal's 财务专用章 is ~20 mm long), 0.45 R down
        fi = int(w * (0.105 if shape == "round" else 0.09))
        gi = _font(font, fi)
        y = b + (w * 0.225 if shape == "round" else h * 0.2)
        pitch = fi * 0.95
        for i, ch in enumerate(inner):
            x = a + (i - (len(inner) - 1) / 2) * pitch
            gl = Image.new("L", (fi * 2, fi * 2), 0)
            ImageDraw.Draw(gl).text((fi, fi), ch, font=gi, fill=255, anchor="mm")
            gl = gl.resize((int(fi * 2 * 0.85), fi * 2))
            ink.paste(255, (int(x - gl.width / 2), int(y - gl.height / 2)), gl)
    ink = ink.resize((d_px, h // ss), Image.LANCZOS)
    if angle:
        ink = ink.rotate(angle, resample=Image.BICUBIC, expand=True)
    out = Image.new("RGBA", ink.size, (*RED, 0))
    out.putalpha(ink)
    return out


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


PARA = "本单位围绕区域重点产业开展协同创新服务，组织专家团队深入企业调研，形成需求清单并推动对接落地。"
TARGETS = ("全年推动解决企业重点难点技术问题不少于6个。", "推动科技成果转化落地不少于4项。",
           "联合举办全国性高端学术大会不少于3场并作主旨报告。", "新增企业会员单位不少于12家。",
           "梳理区域、企业重点产业创新需求不少于35项。")


def form_pdf(applicant: str, paras: int = 2) -> bytes:
    """An academician-center application of its own layout: an info table (申报单位 …), sections, targets, budget,
    the opinion with its stamp line 申报单位（盖章） on the last page."""
    from kcjs.corpus.gen import CJK
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 60.0

    def line(t: str, size: float = 11, x: float = 60):
        nonlocal y, page
        if y > 790:
            page = doc.new_page(width=595, height=842)
            y = 60.0
        page.insert_text((x, y), t, fontname=CJK, fontsize=size)
        y += size * 1.9

    line("2024年度“科创江苏”专项计划项目申报书", 15, 110)
    rows = [("申报单位", applicant), ("项目名称", "产业院士协同创新中心建设项目"), ("项目负责人", "王明"),
            ("联系电话", "025-83625054")]
    top = y - 8
    for k, (a, b) in enumerate(rows):
        yy = top + k * 26
        page.draw_rect(pymupdf.Rect(60, yy, 170, yy + 26), color=(0, 0, 0), width=0.7)
        page.draw_rect(pymupdf.Rect(170, yy, 535, yy + 26), color=(0, 0, 0), width=0.7)
        page.insert_text((66, yy + 17), a, fontname=CJK, fontsize=11)
        page.insert_text((176, yy + 17), b, fontname=CJK, fontsize=11)
    y = top + len(rows) * 26 + 30
    for head in ("一、申报单位基本情况", "二、前期工作基础", "三、项目实施方案"):
        line(head, 13)
        for _ in range(paras):
            line(PARA[:40])
            line(PARA[40:])
    line("四、年度目标任务", 13)
    for t in TARGETS:
        line(t)
    line("五、经费预算", 13)
    line("申请资助经费28万元。")
    if y > 640:
        page = doc.new_page(width=595, height=842)
        y = 80.0
    line("六、申报单位意见", 13)
    line("同意申报。")
    y += 30
    line("申报单位（盖章）", 12, 330)
    line("2024年3月20日", 12, 340)
    return doc.tobytes()


def stamp_line(pdf: bytes) -> tuple[int, pymupdf.Rect]:
    """(page index, rect) of the last 申报单位（盖章）."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return next((n, doc[n].search_for("申报单位（盖章）")[-1]) for n in range(len(doc) - 1, -1, -1)
                if doc[n].search_for("申报单位（盖章）"))


def put_image(pdf: bytes, im: Image.Image, width_mm: float = 40, page: int | None = None,
              centre: tuple[float, float] | None = None) -> bytes:
    """The image placed on the stamp line (or at `centre`, points, on `page`), width_mm wide."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    n, r = stamp_line(pdf)
    n = n if page is None else page
    cx, cy = centre or ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)
    w = width_mm * MM
    h = w * im.height / im.width
    doc[n].insert_image(pymupdf.Rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), stream=png(im))
    return doc.tobytes()


def loop_points(cx: float, cy: float, rx: float, ry: float, turns: float = 1.0, drift: float = 0.0,
                seed: int = 0) -> list[tuple[float, float]]:
    """A hand-drawn loop: `turns` times round (0.8 open, 1.25 overlapping, 2 double), wobbling and drifting out."""
    rng = random.Random(seed)
    n = int(90 * turns)
    pts = []
    for k in range(n + 1):
        t = -2.0 + 2 * math.pi * turns * k / n
        f = 1 + 0.05 * math.sin(3 * t + seed) + rng.uniform(-0.012, 0.012) + drift * k / n
        pts.append((cx + rx * f * math.cos(t), cy + ry * f * math.sin(t)))
    return pts


def pen_pdf(pdf: bytes, target: str, width_pt: float, turns: float = 1.0, r_mm: float = 16.0, flat: float = 1.0,
            seed: int = 0, drift: float = 0.0) -> bytes:
    """A red pen loop round the last `target` text (vector, as an annotator draws it); flat > 1: an ellipse
    round a table row, as wide as the text."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in reversed(doc):
        hits = page.search_for(target)
        if hits:
            r = hits[-1]
            rx = max(r_mm * MM, r.width / 2 + 8) if flat == 1.0 else r.width / 2 + 14
            ry = rx * 0.92 if flat == 1.0 else rx / flat
            pts = loop_points((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2, rx, ry, turns, drift, seed)
            page.draw_polyline([pymupdf.Point(*p) for p in pts], color=tuple(c / 255 for c in RED), width=width_pt)
            return doc.tobytes()
    raise ValueError(target)


def stamp_marks(im: Image.Image, page: int, centre_pt: tuple[float, float]):
    """scan() marks: the seal image stamped (multiplied over the toner) centred at centre_pt on `page`."""
    def marks(n: int, img: Image.Image, dpi: float) -> Image.Image:
        if n != page:
            return img
        f = dpi / 72
        layer = Image.new("RGB", img.size, (255, 255, 255))
        layer.paste(im, (int(centre_pt[0] * f - im.width / 2), int(centre_pt[1] * f - im.height / 2)), im)
        return ImageChops.multiply(img, layer)
    return marks


def pen_marks(page: int, centre_pt: tuple[float, float], width_mm: float, r_mm: float = 17, turns: float = 1.05,
              seed: int = 0):
    """scan() marks: a red pen loop drawn on the paper."""
    def marks(n: int, img: Image.Image, dpi: float) -> Image.Image:
        if n != page:
            return img
        f, px = dpi / 72, dpi / 25.4
        pts = loop_points(centre_pt[0] * f, centre_pt[1] * f, r_mm * px, r_mm * px, turns, 0.0, seed)
        ImageDraw.Draw(img).line(pts, fill=RED, width=max(1, int(width_mm * px)), joint="curve")
        return img
    return marks


def scan(pdf: bytes, dpi: int = 200, mode: str = "colour", quality: int = 75, gain: float = 1.0, bias: float = 0,
         marks=None, threshold: int | None = None, stencil: bool = False, seed: int = 0) -> bytes:
    """Print and scan: each page rendered at dpi, `marks(page index, image, dpi)` drawn on the paper, then colour
    (a faint warm paper tint) or grey (× gain + bias: lighter or darker), noise, JPEG at `quality`; threshold: a
    1-bit black-and-white scan cut at that grey level instead (stored as a 1-bit image, or as an /ImageMask when
    stencil)."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    rng = np.random.default_rng(seed)
    for page in src:
        pix = page.get_pixmap(dpi=dpi, alpha=False)
        img = Image.frombytes("RGB", (pix.w, pix.h), pix.samples)
        if marks:
            img = marks(page.number, img, dpi)
        if mode == "colour":
            arr = np.asarray(img).astype(np.float32) * np.array([0.99, 0.975, 0.94])
        else:
            arr = np.asarray(img.convert("L")).astype(np.float32) * gain + bias
        arr = np.clip(arr + rng.normal(0, 3, arr.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        p = out.new_page(width=page.rect.width, height=page.rect.height)
        if threshold is not None and stencil:
            bits = Image.fromarray(arr).point(lambda v: 255 if v > threshold else 0).convert("1")
            _stencil(out, p, bits)
            continue
        if threshold is not None:
            Image.fromarray(arr).point(lambda v: 255 if v > threshold else 0).convert("1").save(buf, "PNG")
        else:
            Image.fromarray(arr).save(buf, "JPEG", quality=quality)
        p.insert_image(p.rect, stream=buf.getvalue())
    return out.tobytes()


def _stencil(doc: pymupdf.Document, page: pymupdf.Page, bits: Image.Image) -> None:
    """The page as one /ImageMask (a 1-bit stencil painted in the fill colour, black), as fax-style scanners
    write black-and-white pages."""
    img = doc.get_new_xref()
    doc.update_object(img, f"<< /Type /XObject /Subtype /Image /Width {bits.width} /Height {bits.height} "
                           "/ImageMask true /BitsPerComponent 1 >>")
    doc.update_stream(img, bits.tobytes())  # PIL's 1-bit rows: 0 black (painted), 1 white
    w, h = page.rect.width, page.rect.height
    content = doc.get_new_xref()
    doc.update_object(content, "<< >>")
    doc.update_stream(content, f"q 0 g {w:g} 0 0 {h:g} 0 0 cm /Im0 Do Q".encode())
    doc.xref_set_key(page.xref, "Resources", f"<< /XObject << /Im0 {img} 0 R >> >>")
    doc.xref_set_key(page.xref, "Contents", f"{content} 0 R")
