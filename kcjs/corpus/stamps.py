"""Seals and the red things that are not seals, put on a generated PDF where a real form has them."""
from __future__ import annotations

import glob
import io
import math
import random
from functools import lru_cache

import numpy as np
import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from kcjs.corpus.gen import CJK, seal_png

MM = 72 / 25.4
NOTO = {"sans": "NotoSansCJK-Regular.ttc", "sans-bold": "NotoSansCJK-Bold.ttc", "serif": "NotoSerifCJK-Regular.ttc",
        "serif-bold": "NotoSerifCJK-Bold.ttc"}
FONTS = ("pymupdf", *NOTO)  # pymupdf: PyMuPDF's built-in CJK font (Droid Sans Fallback); the others fonts-noto-cjk


@lru_cache(maxsize=None)
def _font_bytes(name: str) -> bytes | None:
    if name == "pymupdf":
        return bytes(pymupdf.Font(CJK).buffer)
    found = glob.glob(f"/usr/share/fonts/**/{NOTO[name]}", recursive=True)
    return open(found[0], "rb").read() if found else None


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A CJK font at `size` px; a Noto font missing on this machine falls back to PyMuPDF's own."""
    data = _font_bytes(name) or _font_bytes("pymupdf")
    index = 2 if data is not _font_bytes("pymupdf") else 0  # the .ttc's SC face
    return ImageFont.truetype(io.BytesIO(data), size, index=index)


def draw_seal(text: str = "江苏省机械工程学会", diameter_px: int = 320, shape: str = "round", font_name: str = "sans-bold",
              color=(210, 30, 35), inner: str = "", star: bool = True, wear: float = 0.0, seed: int = 0,
              alpha: bool = True, ring: float = 0.032) -> Image.Image:
    """A Chinese official seal as real ones are cut: the unit's name along the upper ring, each character
    turned to face outward, a star (round seals), an optional line inside (合同专用章). RGBA, transparent
    around the ink when alpha. shape: round (diameter_px across) or oval (diameter_px × 2/3). wear 0–0.6
    takes ink away in patches, as a dry or unevenly pressed stamp does."""
    ss = 3  # drawn at 3x, then reduced: anti-aliased like a scan
    w = diameter_px * ss
    h = w if shape == "round" else int(w * 2 / 3)
    ink = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(ink)
    lw = max(2, int(ring * w))
    d.ellipse((lw // 2, lw // 2, w - lw // 2 - 1, h - lw // 2 - 1), outline=255, width=lw)
    a, b = w / 2, h / 2
    n = max(len(text), 1)
    if shape == "round":
        fs = int(w * min(0.135, 3.2 / (n + 8)))
        rc = a - lw * 1.5 - fs * 0.62
        span = min(math.radians(260), n * fs * 1.12 / rc)
        angles = [-math.pi / 2 - span / 2 + span * (i + 0.5) / n for i in range(n)]
        pts = [(a + rc * math.cos(t), b + rc * math.sin(t), math.degrees(t) + 90) for t in angles]
    else:
        fs = int(h * 0.19)
        for _ in range(3):  # the name must fit the upper arc
            ra, rb = a - lw * 1.5 - fs * 0.62, b - lw * 1.5 - fs * 0.62
            ts = np.linspace(-math.pi * 1.1, math.pi * 0.1, 721)  # the upper arc of the ellipse, by arc length
            xy = np.stack([a + ra * np.cos(ts), b + rb * np.sin(ts)], 1)
            arc = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
            fs = min(fs, int(arc[-1] * 0.95 / (n * 1.1)))
        span = n * fs * 1.1
        pts = []
        for i in range(n):
            t = float(np.interp(arc[-1] / 2 - span / 2 + span * (i + 0.5) / n, arc, ts))
            nx, ny = math.cos(t) / ra, math.sin(t) / rb  # outward normal
            pts.append((a + ra * math.cos(t), b + rb * math.sin(t), math.degrees(math.atan2(ny, nx)) + 90))
    f = font(font_name, fs)
    for ch, (x, y, rot) in zip(text, pts):
        glyph = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(glyph).text((fs, fs), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.resize((int(fs * 2 * 0.86), fs * 2))  # seal characters are cut narrow
        glyph = glyph.rotate(-rot, resample=Image.BICUBIC, expand=True)
        ink.paste(255, (int(x - glyph.width / 2), int(y - glyph.height / 2)), glyph)
    if shape == "round" and star:
        r = w * 0.13
        cy = b + (w * 0.02 if not inner else -w * 0.03)
        pts5 = [(a + (r if k % 2 == 0 else r * 0.38) * math.sin(math.pi * k / 5),
                 cy - (r if k % 2 == 0 else r * 0.38) * math.cos(math.pi * k / 5)) for k in range(10)]
        d.polygon(pts5, fill=255)
    if inner:
        fi = font(font_name, int(w * (0.075 if shape == "round" else 0.09)))
        y = b + w * 0.2 if shape == "round" else b + h * 0.08
        d.text((a, y), inner, font=fi, fill=255, anchor="mm")
    if wear:
        rng = np.random.default_rng(seed)
        field = Image.fromarray((rng.random((h // 24 + 1, w // 24 + 1)) * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
        field = np.asarray(field.filter(ImageFilter.GaussianBlur(ss * 3))).astype(np.float32) / 255
        speck = rng.random((h, w)) < wear * 0.25
        keep = (field > wear * 0.9) & ~speck
        ink = Image.fromarray((np.asarray(ink) * keep).astype(np.uint8))
    ink = ink.resize((diameter_px, h // ss), Image.LANCZOS)
    out = Image.new("RGBA", ink.size, (*color, 0))
    out.putalpha(ink)
    if not alpha:
        white = Image.new("RGBA", ink.size, (255, 255, 255, 255))
        white.alpha_composite(out)
        out = white
    return out


def stamped_over_print(name: str, dpi: int, font_name: str, wear: float, angle: float, shape: str,
                       seed: int) -> np.ndarray:
    """A 90 × 70 mm piece of a printed page with a seal (40 mm round or 45 × 30 mm oval) stamped over its lines
    (multiplied, as ink over toner), scanned at `dpi` and JPEG-compressed: RGB array."""
    from kcjs.corpus.gen import FILLER
    doc = pymupdf.open()
    page = doc.new_page(width=90 * MM, height=70 * MM)
    page.insert_textbox(page.rect + (6, 6, -6, -6), FILLER * 2, fontname=CJK, fontsize=10.5, lineheight=1.7)
    pix = page.get_pixmap(dpi=dpi, alpha=False)
    img = Image.frombytes("RGB", (pix.w, pix.h), pix.samples)
    d = int(dpi * (40 if shape == "round" else 45) / 25.4)
    seal = draw_seal(name, d, shape=shape, font_name=font_name, wear=wear, seed=seed).rotate(
        angle, expand=True, resample=Image.BICUBIC)
    layer = Image.new("RGB", img.size, (255, 255, 255))
    rng = random.Random(seed)
    layer.paste(seal, (int(img.width * rng.uniform(0.05, 0.3)), int(img.height * rng.uniform(0.02, 0.2))), seal)
    img = ImageChops.multiply(img, layer)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return np.asarray(Image.open(buf).convert("RGB"))


def seal_bytes(**args) -> bytes:
    """draw_seal as PNG bytes."""
    buf = io.BytesIO()
    draw_seal(**args).save(buf, "PNG")
    return buf.getvalue()


def stamp_lines(doc) -> list[tuple[int, pymupdf.Rect]]:
    """(page index, rect) of every "（盖章）" line."""
    return [(n, r) for n, page in enumerate(doc) for r in page.search_for("（盖章）")]


def add_seal(pdf: bytes, where: str = "line", diameter_mm: float = 40, angle: float = 0, **seal_args) -> bytes:
    """A seal image on the last stamp line ('line'), far from it on its page ('far'), or on another page ('other-page')."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    n, line = stamp_lines(doc)[-1]
    d = diameter_mm * MM
    if where == "line":
        cx, cy = line.x1 + 20, (line.y0 + line.y1) / 2
    elif where == "far":
        cx, cy = doc[n].rect.width * 0.7, 90 if line.y0 > 400 else doc[n].rect.height - 110
    else:
        n = 0 if n > 0 else len(doc) - 1
        if n == len(doc) - 1 and n == stamp_lines(doc)[-1][0]:
            doc.new_page(width=doc[0].rect.width, height=doc[0].rect.height)
            n = len(doc) - 1
        cx, cy = doc[n].rect.width * 0.6, doc[n].rect.height * 0.35
    png = seal_png(diameter_px=int(diameter_mm * 8), **seal_args)
    if angle:
        im = Image.open(io.BytesIO(png)).rotate(angle, resample=Image.BICUBIC, expand=False)
        buf = io.BytesIO()
        im.save(buf, "PNG")
        png = buf.getvalue()
    doc[n].insert_image(pymupdf.Rect(cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2), stream=png)
    return doc.tobytes()


def add_distractor(pdf: bytes, kind: str, seed: int = 0) -> bytes:
    """Red (or blue) marks that a careless detector takes for a seal."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    n, line = stamp_lines(doc)[-1]
    page = doc[n]
    red = (0.86, 0.1, 0.1)
    if kind == "letterhead":  # 红头: red title across the top of page 1 and a red rule under it
        first = doc[0]
        first.insert_textbox(pymupdf.Rect(40, 28, first.rect.width - 40, 80), "江苏省机械工程学会文件",
                             fontname=CJK, fontsize=30, color=red, align=1)
        first.draw_line((40, 84), (first.rect.width - 40, 84), color=red, width=2.5)
    elif kind == "red-title":
        page.insert_text((line.x0, line.y0 - 60), "申报单位审核意见", fontname=CJK, fontsize=22, color=red)
    elif kind == "underline":
        page.draw_line((line.x0, line.y1 + 3), (line.x0 + 60 * MM, line.y1 + 3), color=red, width=3)
    elif kind == "logo":  # a solid red emblem the size of a seal
        c = pymupdf.Point(line.x1 + 60, (line.y0 + line.y1) / 2)
        page.draw_circle(c, 12 * MM, color=red, fill=red)
        page.insert_text(c + (-10, 5), "学", fontname=CJK, fontsize=14, color=(1, 1, 1))
    elif kind == "handwriting":  # a red signature scribble over the line
        rng = random.Random(seed)
        x, y = line.x1 + 10, (line.y0 + line.y1) / 2
        pts = []
        for k in range(40):
            x += rng.uniform(1.5, 4.5)
            y = (line.y0 + line.y1) / 2 + 14 * math.sin(k / 2.3) + rng.uniform(-4, 4)
            pts.append(pymupdf.Point(x, y))
        page.draw_polyline(pts, color=red, width=1.2)
    elif kind == "blue-seal":
        return add_seal(pdf, "line", color=(30, 60, 200))
    elif kind == "pen-circle":  # a reviewer's red ring round the stamp line: thin, uneven, not quite closed
        rng = random.Random(seed)
        c = pymupdf.Point((line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2)
        r0 = 16 * MM + rng.uniform(-2, 2) * MM
        pts = []
        for k in range(80):
            t = -1.9 + 2 * math.pi * 1.06 * k / 79
            r = r0 * (1 + 0.06 * math.sin(3 * t + seed) + rng.uniform(-0.015, 0.015))
            pts.append(c + (r * math.cos(t) * 1.1, r * math.sin(t)))
        page.draw_polyline(pts, color=red, width=rng.uniform(1.0, 1.8))
    elif kind == "pen-tick":  # red ticks and a short note in the margin
        for k in range(4):
            x, y = line.x0 - 30 + 40 * k, line.y0 - 80 + 25 * k
            page.draw_polyline([pymupdf.Point(x, y), pymupdf.Point(x + 5, y + 7), pymupdf.Point(x + 16, y - 9)], color=red,
                               width=1.6)
    elif kind == "highlighter":  # pink highlighter over lines of print
        for k in range(3):
            r = pymupdf.Rect(line.x0, line.y0 - 22 * k - 2, line.x0 + 70 * MM, line.y1 - 22 * k + 2)
            page.draw_rect(r, color=None, fill=(1.0, 0.55, 0.75), fill_opacity=0.45)
    else:
        raise ValueError(kind)
    return doc.tobytes()


DISTRACTORS = ("letterhead", "red-title", "underline", "logo", "handwriting", "pen-circle", "pen-tick", "highlighter",
               "blue-seal")


def rescan(pdf: bytes, dpi: int = 150, mode: str = "grey", seed: int = 0) -> bytes:
    """Print and scan in grey ('grey': 8-bit grey JPEG) or black and white ('bw': 1-bit), as office scanners
    set to save toner and space do: the seal's red becomes a grey or black ring."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    rng = np.random.default_rng(seed)
    for page in src:
        pix = page.get_pixmap(dpi=dpi, alpha=False)
        img = Image.frombytes("RGB", (pix.w, pix.h), pix.samples).convert("L")
        arr = np.clip(np.asarray(img).astype(np.int16) + rng.normal(0, 4, (pix.h, pix.w)).astype(np.int16), 0, 255)
        img = Image.fromarray(arr.astype(np.uint8))
        buf = io.BytesIO()
        if mode == "bw":
            img.point(lambda v: 255 if v > 150 else 0).convert("1").save(buf, "PNG")
        else:
            img.save(buf, "JPEG", quality=75)
        p = out.new_page(width=page.rect.width, height=page.rect.height)
        p.insert_image(p.rect, stream=buf.getvalue())
    return out.tobytes()


def add_cross_page_seal(pdf: bytes, diameter_mm: float = 40, style: str = "fanned", text: str = "江苏省机械工程学会",
                        y_share: float = 0.5) -> bytes:
    """A 骑缝章: one seal across the right edges of a fanned stack ('fanned': each page keeps the seal's left
    part at its right edge; 'sliced': page k of n keeps the k-th of n vertical slices, both sides of a middle
    slice cut straight), or across a 'spread' (the right half of page n's seal is on the left edge of page n+1)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    png = seal_bytes(text=text, diameter_px=int(diameter_mm * 8))
    d = diameter_mm * MM
    if style == "sliced":
        im, n = Image.open(io.BytesIO(png)), len(doc)
        for k, page in enumerate(doc):
            w, cy = page.rect.width, page.rect.height * y_share
            part = im.crop((im.width * k // n, 0, im.width * (k + 1) // n, im.height))
            buf = io.BytesIO()
            part.save(buf, "PNG")
            page.insert_image(pymupdf.Rect(w - d / n, cy - d / 2, w, cy + d / 2), stream=buf.getvalue(), overlay=True)
        return doc.tobytes()
    for n, page in enumerate(doc):
        w, h = page.rect.width, page.rect.height
        cy = h * y_share
        if style == "fanned":
            cx = w + d * 0.15
        else:
            cx = w if n % 2 == 0 else 0
        page.insert_image(pymupdf.Rect(cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2), stream=png, overlay=True)
    return doc.tobytes()


def tamper(pdf: bytes) -> bytes:
    """Change one byte the signature covers, inside the header's binary comment: nothing visible changes,
    but the signature no longer covers the file intact."""
    data = bytearray(pdf)
    i = data.index(b"\n%") + 2
    data[i] ^= 0x01
    return bytes(data)


def sign(pdf: bytes, field: str = "applicant_seal") -> bytes:
    """Sign the PDF with a test key made here (self-signed: trust is out of reach offline anyway)."""
    import datetime as dt

    from asn1crypto import keys as ak
    from asn1crypto import x509 as ax
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kcjs test seal")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    signer = signers.SimpleSigner(
        signing_cert=ax.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=ak.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore())
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    n, line = stamp_lines(doc)[-1]
    box = (int(line.x1 + 10), int(doc[n].rect.height - line.y1 - 40), int(line.x1 + 130), int(doc[n].rect.height - line.y0 + 40))
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(w, fields.SigFieldSpec(field, on_page=n, box=box))
    return signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name=field), signer=signer).getvalue()


def unsigned_field(pdf: bytes, field: str = "applicant_seal") -> bytes:
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    n, line = stamp_lines(doc)[-1]
    w = pymupdf.Widget()
    w.field_type, w.field_name = pymupdf.PDF_WIDGET_TYPE_SIGNATURE, field
    w.rect = pymupdf.Rect(line.x1 + 10, line.y0 - 40, line.x1 + 130, line.y1 + 40)
    doc[n].add_widget(w)
    return doc.tobytes()


def solid_disk_png(diameter_px: int = 200) -> bytes:
    """A red logo: a filled disk (a blob, not a seal)."""
    im = Image.new("RGBA", (diameter_px, diameter_px), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((4, 4, diameter_px - 4, diameter_px - 4), fill=(210, 30, 30, 255))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()
