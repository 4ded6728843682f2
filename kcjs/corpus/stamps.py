"""Seals and the red things that are not seals, put on a generated PDF where a real form has them."""
from __future__ import annotations

import io
import math
import random

import pymupdf
from PIL import Image, ImageDraw

from kcjs.corpus.gen import CJK, seal_png

MM = 72 / 25.4


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
    else:
        raise ValueError(kind)
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
