"""Photos of pages: the EXIF orientation a phone writes instead of turning the pixels."""
from __future__ import annotations

import io

EXIF_ORIENTATION = 0x0112


def exif_upright(data: bytes) -> bytes:
    """The image turned as its EXIF orientation says (PyMuPDF ignores the tag), re-encoded as JPEG
    (quality 95); `data` itself when there is no turn to make. Raises what PIL raises on a bad image."""
    from PIL import Image, ImageOps
    with Image.open(io.BytesIO(data)) as im:
        if im.getexif().get(EXIF_ORIENTATION, 1) in (0, 1):
            return data
        up = ImageOps.exif_transpose(im).convert("RGB")
    buf = io.BytesIO()
    up.save(buf, "JPEG", quality=95)
    return buf.getvalue()
