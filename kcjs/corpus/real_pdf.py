"""PDFs as real clients and printer drivers write them, built from a text PDF of kcjs.corpus.gen:
fake bold (glyphs drawn twice), text as vector outlines (转曲), a CJK font without ToUnicode, pages with
/Rotate, a WPS/Word cover whose values sit above their underlines, and phone photos with EXIF turns.
"""
from __future__ import annotations

import io
import os

import pymupdf

from kcjs.corpus.gen import A4, CJK

NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # Debian's fonts-noto-cjk


def noto_cjk() -> str | None:
    """Path of an installed Noto Sans CJK font file, or None."""
    return NOTO_CJK if os.path.exists(NOTO_CJK) else None


def fake_bold(pdf: bytes, offset: float = 0.35, lead_chars: int = 6) -> bytes:
    """Each heading (text larger than the body) drawn a second time `offset` pt to the right, and the
    first `lead_chars` characters of every paragraph too, as printer drivers embolden a font that has no
    bold face. The page looks the same; a naive reader counts those characters twice."""
    return fake_bold_copies(pdf, ((offset, 0.0),), lead_chars)


def outlined(pdf: bytes) -> bytes:
    """Every page with its text turned into filled vector paths (转曲), as print shops and some
    exporters do: the page shows text, it has no text layer (via SVG with text as paths)."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for page in src:
        svg = pymupdf.open(stream=page.get_svg_image(text_as_path=True).encode(), filetype="svg")
        out.insert_pdf(pymupdf.open(stream=svg.convert_to_pdf(), filetype="pdf"))
    return out.tobytes()


def without_tounicode(pdf: bytes) -> bytes:
    """The PDF with every font's ToUnicode map removed: with an embedded CID font (Identity-H) the text
    layer turns to garbage while the page still shows the right glyphs."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "ToUnicode")[0] != "null":
            doc.xref_set_key(xref, "ToUnicode", "null")
    return doc.tobytes(garbage=3)


def rotated_pages(pdf: bytes, pages: dict[int, int]) -> bytes:
    """Pages {number: 90, 180 or 270} stored with /Rotate and their content drawn turned the other way,
    so each page looks exactly as before: text coordinates in the file no longer run in reading order."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for n, page in enumerate(src, 1):
        angle = pages.get(n, 0) % 360
        w, h = page.rect.width, page.rect.height
        if not angle:
            out.insert_pdf(src, from_page=n - 1, to_page=n - 1)
            continue
        mw, mh = (h, w) if angle in (90, 270) else (w, h)
        p = out.new_page(width=mw, height=mh)
        p.show_pdf_page(p.rect, src, n - 1, rotate=angle)
        p.set_rotation(angle)
    return out.tobytes()


def cover_page(title: list[str], fields: list[tuple[str, str]], rise: float = 6.0, size: float = 12.0) -> bytes:
    """A one-page cover as WPS/Word export a borderless cover table: each label's letters spread over a
    fixed width ("申 报 单 位 ："), its value `rise` pt above the label's baseline, on an underline."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    y = 170.0
    for t in title:
        w = pymupdf.get_text_length(t, fontname=CJK, fontsize=20)
        page.insert_text(((A4[0] - w) / 2, y), t, fontname=CJK, fontsize=20)
        y += 30
    y += 70
    label_x, label_w, value_x = 140.0, 110.0, 275.0
    for label, value in fields:
        step = (label_w - size) / max(len(label) - 1, 1)
        for k, ch in enumerate(label):
            page.insert_text((label_x + k * step, y), ch, fontname=CJK, fontsize=size)
        page.insert_text((label_x + label_w, y), "：", fontname=CJK, fontsize=size)
        page.insert_text((value_x, y - rise), value, fontname=CJK, fontsize=size)
        page.draw_line((value_x - 5, y + 3), (470, y + 3), width=0.6)
        y += 29
    return doc.tobytes()


def with_cover(cover: bytes, body: bytes) -> bytes:
    """The cover page followed by the body's pages."""
    doc = pymupdf.open(stream=cover, filetype="pdf")
    doc.insert_pdf(pymupdf.open(stream=body, filetype="pdf"))
    return doc.tobytes()


def photo_jpeg(pdf: bytes, page: int = 1, dpi: int = 150, orientation: int = 6) -> bytes:
    """A phone photo of one page: a JPEG stored turned, with the EXIF orientation tag (3: 180°,
    6: shown turned 90° clockwise, 8: 90° counter-clockwise) that makes viewers show it upright."""
    from PIL import Image
    pix = pymupdf.open(stream=pdf, filetype="pdf")[page - 1].get_pixmap(dpi=dpi, alpha=False)
    img = Image.frombytes("RGB", (pix.w, pix.h), pix.samples)
    stored = img.transpose({3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90,
                            8: Image.Transpose.ROTATE_270}[orientation])
    exif = stored.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def fake_bold_copies(pdf: bytes, offsets: tuple[tuple[float, float], ...] = ((0.35, 0.0),), lead_chars: int = 6) -> bytes:
    """As `fake_bold`, each emboldened run drawn again once per (dx, dy) offset (pt): drivers draw a glyph
    two or three times, to the right or diagonally, up to 1 pt away."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        lines = [ln for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])]
        sizes = sorted(s["size"] for ln in lines for s in ln["spans"])
        body = sizes[len(sizes) // 2] if sizes else 12
        for ln in lines:
            for s in ln["spans"]:
                text = s["text"]
                if s["size"] > body + 0.5:
                    part = text
                elif text.startswith("\u3000\u3000"):
                    part = text[:2 + lead_chars]
                else:
                    continue
                x, y = s["origin"]
                for dx, dy in offsets:
                    page.insert_text((x + dx, y + dy), part, fontname=CJK, fontsize=s["size"])
    return doc.tobytes()


def render_mode_bold(pdf: bytes, width: float = 0.4) -> bytes:
    """Every text object drawn with text render mode 2 (fill, then stroke its outline `width` pt wide):
    bold as WPS and some drivers set it, each glyph drawn once."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        page.clean_contents()
        xref = page.get_contents()[0]
        stream = doc.xref_stream(xref).replace(b"BT", f"{width} w 2 Tr BT".encode())
        doc.update_stream(xref, stream)
    return doc.tobytes()


def outlined_pages(pdf: bytes, pages: set[int] | None = None, per_line: bool = False,
                   keep_text: tuple[str, ...] = ()) -> bytes:
    """`outlined` on the given pages only (all when None). per_line: each line's glyphs one compound path
    (as Illustrator and some print-shop tools write them) rather than a path per glyph. keep_text: lines
    starting with these strings drawn again as real text over the page (a running header or page number
    stamped on afterwards, a title left as text)."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for n, page in enumerate(src, 1):
        if pages is not None and n not in pages:
            out.insert_pdf(src, from_page=n - 1, to_page=n - 1)
            continue
        svg = pymupdf.open(stream=page.get_svg_image(text_as_path=True).encode(), filetype="svg")
        flat = pymupdf.open(stream=svg.convert_to_pdf(), filetype="pdf")
        if per_line:
            flat = _paths_per_line(flat)
        out.insert_pdf(flat)
        if keep_text:
            p = out[-1]
            for b in page.get_text("dict")["blocks"]:
                for ln in b.get("lines", []):
                    for s in ln["spans"]:
                        if s["text"].strip().startswith(keep_text):
                            p.insert_text(s["origin"], s["text"], fontname=CJK, fontsize=s["size"])
    return out.tobytes()


def _paths_per_line(doc):
    """The glyph paths of each page regrouped: every run of paths on one line drawn as one filled path."""
    out = pymupdf.open()
    for page in doc:
        paths = page.get_drawings()
        p = out.new_page(width=page.rect.width, height=page.rect.height)
        groups: list[list[dict]] = []
        for path in sorted(paths, key=lambda d: (round(d["rect"].y1), d["rect"].x0)):
            if groups and abs(groups[-1][-1]["rect"].y1 - path["rect"].y1) < 4 and path.get("fill") is not None:
                groups[-1].append(path)
            else:
                groups.append([path])
        for g in groups:
            shape = p.new_shape()
            for path in g:
                for it in path["items"]:
                    if it[0] == "l":
                        shape.draw_line(it[1], it[2])
                    elif it[0] == "c":
                        shape.draw_bezier(it[1], it[2], it[3], it[4])
                    elif it[0] == "re":
                        shape.draw_rect(it[1])
                    elif it[0] == "qu":
                        shape.draw_quad(it[1])
            first = g[0]
            shape.finish(fill=first.get("fill"), color=first.get("color"), even_odd=first.get("even_odd", False),
                         closePath=False, width=first.get("width") or 0)
            shape.commit()
    return out


def rotate_inherited(pdf: bytes, angle: int) -> bytes:
    """`rotated_pages` of every page, with /Rotate stored once on the page tree's root (inherited by the
    pages) rather than on each page."""
    doc = pymupdf.open(stream=rotated_pages(pdf, {n: angle for n in range(1, 1000)}), filetype="pdf")
    for page in doc:
        doc.xref_set_key(page.xref, "Rotate", "null")
    root = doc.pdf_catalog()
    pages = doc.xref_get_key(root, "Pages")[1].split()[0]
    doc.xref_set_key(int(pages), "Rotate", str(angle))
    return doc.tobytes()


def redrawn(pdf: bytes, fontfile: str, order: str = "han-first") -> bytes:
    """The PDF with its text drawn again glyph by glyph in an embedded font (`fontfile`), each glyph where
    it was, in the content-stream order real producers use, so glyph order ≠ reading order:
    han-first: each line's Han characters first, then its digits and punctuation (a fallback font's
    second pass); reverse: each line right to left; split: each line as two text objects cut after the
    first digit ("申请资助经费2" and "8.5万元"), the second 0.4 pt further right."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        lines = []
        for b in page.get_text("rawdict")["blocks"]:
            for ln in b.get("lines", []):
                glyphs = [(c["c"], c["origin"], s["size"]) for s in ln["spans"] for c in s["chars"] if not c["c"].isspace()]
                if glyphs:
                    lines.append(glyphs)
        page.add_redact_annot(page.rect)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
        page.insert_font(fontname="F9", fontfile=fontfile)
        font = pymupdf.Font(fontfile=fontfile)
        for glyphs in lines:
            if order == "split":
                cut = next((k + 1 for k, g in enumerate(glyphs) if g[0].isdigit()), len(glyphs))
                for part, dx in ((glyphs[:cut], 0.0), (glyphs[cut:], 0.4)):
                    if part:
                        (x, y), size = part[0][1], part[0][2]
                        page.insert_text((x + dx, y), "".join(g[0] for g in part), fontname="F9", fontsize=size)
                continue
            if order == "reverse":
                seq = glyphs[::-1]
            else:
                seq = [g for g in glyphs if "\u4e00" <= g[0] <= "\u9fff"] + [g for g in glyphs if not "\u4e00" <= g[0] <= "\u9fff"]
            for c, (x, y), size in seq:
                if font.has_glyph(ord(c)):
                    page.insert_text((x, y), c, fontname="F9", fontsize=size)
    doc.subset_fonts()
    return doc.tobytes(garbage=3)
