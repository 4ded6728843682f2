"""Where seals are looked for on a PDF's text page: around its images and its red vector graphics, never a
render of the whole page (text is never a seal, however red).

An image inside the page is decoded alone from its stream (its soft mask laid on white) at its own resolution
(100–300 dpi), searched at SEARCH_DPI and its seals' rings read at its own; what it holds is remembered by the
image's digest and shown size: a seal image repeated on pages or in documents is searched and its ring read once
per process. Red vector paths (a seal drawn as vector graphics, found among the get_drawings() the table reader
asks for anyway), images cut by the page's edge (the halves of a 骑缝章) and pages turned by /Rotate are
rendered as clips at SEAL_DPI; a seal found there is read from its own clip rendered again at READ_DPI.
"""
from __future__ import annotations

import zlib
from dataclasses import replace

import cv2
import numpy as np
import pymupdf

from kcjs.pipeline.seal_parts import EdgePart
from kcjs.pipeline.seals import (EDGE_MM, LETTERHEAD_BAND, MIN_MM, Seal, edge_parts, find_seals, find_seals_sharp,
                                 remembered)

SEAL_DPI = 100          # clips searched at this: a 15 mm seal is 59 px across
READ_DPI = 300          # a seal found in a clip is read from its clip rendered at this
BIG_IMAGE_MM = 90       # an image larger than this either way (a scanned page pasted in) is searched as a clip
MM = 72 / 25.4          # points per mm


def text_page_seals(page: pymupdf.Page, number: int, infos: list[dict],
                    paths: list[dict] | None = None) -> tuple[list[Seal], list[EdgePart]]:
    """Seals and partial seals at the page's edge on a text page; boxes in page points. infos: the page's
    get_image_info(xrefs=True), which the reader also lists its images from; paths: its get_drawings(), which
    the reader finds table rules in (asked here when not given)."""
    size = (page.rect.width, page.rect.height)
    first = number == 1
    if page.rotation:  # image and path boxes are in unrotated space: render it whole, in display space
        return _clip_seals(page, page.rect, number, first, size)
    seals: list[Seal] = []
    parts: list[EdgePart] = []
    rects = _red_paths(page.get_cdrawings() if paths is None else paths)
    alone = []  # images searched on their own: upright, inside the page, seal-sized, touching no other candidate
    edge = (EDGE_MM + 1) * MM
    boxes = [pymupdf.Rect(i["bbox"]) for i in infos]
    grow = 3 * MM
    for k, (info, box) in enumerate(zip(infos, boxes)):
        side = box.x0 <= edge or box.x1 >= size[0] - edge  # a fanned stack's slice of a 骑缝章 may be narrow
        if (box.width < MIN_MM * 0.8 * MM and not side) or box.height < MIN_MM * 0.8 * MM:
            continue  # too small to hold a seal
        upright = abs(info["transform"][1]) < 1e-3 and abs(info["transform"][2]) < 1e-3
        inside = box.x0 >= edge and box.x1 <= size[0] - edge and box.y0 >= 0 and box.y1 <= size[1]
        small = box.width <= BIG_IMAGE_MM * MM and box.height <= BIG_IMAGE_MM * MM
        near = box + (-grow, -grow, grow, grow)
        touching = any(near.intersects(r) for r in rects) or \
            any(near.intersects(b) for j, b in enumerate(boxes) if j != k and abs(b) > 0)
        if upright and inside and small and not touching and info.get("digest"):
            alone.append((info, box))
        else:
            rects.append(box)
    masks_of = _mask_digests(page) if alone else {}
    for info, box in alone:
        seals += _image_seals(page, info, box, number, first, size, masks_of)
    for clip in _merge(rects, page.rect):
        found, cut = _clip_seals(page, clip, number, first, size)
        seals += found
        parts += cut
    return seals, parts


def _mask_digests(page) -> dict[int, tuple[int, set]]:
    """{image xref: (its soft mask's xref or 0, the keys (_stream_key) of the soft masks (/SMask) of every image on the page with
    the same colour samples)}. `digest` covers only the colour samples, and get_image_info names one xref for all
    images that share them: two seals cut out of one red field (the shape in alpha alone, as LibreOffice exports
    them) differ only here. Colour streams are compared (_stream_key) only between images of the same stored length."""
    doc, raw, masks, smasks = page.parent, {}, {}, {}
    items = page.get_images(full=True)
    sizes = {}  # xref -> stored length (None: not a plain number)
    for item in items:
        kind, value = doc.xref_get_key(item[0], "Length")
        sizes[item[0]] = value if kind == "int" else None
    for xref, smask in {item[0]: item[1] for item in items}.items():  # an image shown twice is listed twice
        smasks[xref] = smask
        alike = any(y != xref and (sizes[y] is None or sizes[xref] is None or sizes[y] == sizes[xref]) for y in sizes)
        raw[xref] = _stream_key(doc, xref) if alike else xref  # else: like no other
        masks[xref] = _stream_key(doc, smask) if smask > 0 else None
    return {x: (smasks[x], {masks[y] for y in raw if raw[y] == raw[x]}) for x in raw}


def _stream_key(doc, xref: int) -> tuple[int, int]:
    """A stream's stored bytes, as a key: (length, CRC-32). A key, not a proof (a cache key beside the image's own
    MD5 digest); CRC-32 is ~5× faster than MD5 on the 50–200 KB of a seal's uncompressed samples."""
    data = doc.xref_stream_raw(xref)
    return len(data), zlib.crc32(data)


def _image_seals(page, info: dict, box: pymupdf.Rect, number: int, first: bool, size, masks_of: dict) -> list[Seal]:
    """The seals in one image, searched in its own render at its own resolution; remembered by its digest and its
    soft mask's (not remembered when images of the same colour samples have other masks: which is which is unknown)."""
    top = first and box.y0 < size[1] * LETTERHEAD_BAND  # where a wide red mark is a 红头 letterhead
    smask, masks = masks_of.get(info.get("xref", 0), (0, {None}))
    key = (info["digest"], next(iter(masks)), round(box.width), round(box.height), round(box.y0) if top else None)
    own_mask_known = len(masks) == 1  # else images share these colour samples under other masks: which is this one's?

    def search() -> list[Seal]:
        dpi = min(READ_DPI, max(SEAL_DPI, info["width"] / (box.width / 72)))
        rgb = _decoded(page, info, smask, box, dpi) if own_mask_known else None
        if rgb is None:
            rgb = _render(page, box, dpi)
        found = find_seals_sharp(rgb, dpi, first_page=top, offset=(box.x0, box.y0), page_height=size[1])
        return [replace(s, source="pdf-image", box=(s.box[0] - box.x0, s.box[1] - box.y0, s.box[2] - box.x0,
                                                    s.box[3] - box.y0)) for s in found]

    found = remembered(("pdf", *key), search) if own_mask_known else search()
    return [replace(s, page=number, box=tuple(round(v + o, 1) for v, o in zip(s.box, (box.x0, box.y0) * 2)))
            for s in found]


def _clip_seals(page, clip: pymupdf.Rect, number: int, first: bool, size) -> tuple[list[Seal], list[EdgePart]]:
    rgb = _render(page, clip, SEAL_DPI)
    at = (clip.x0, clip.y0)

    def sharper(box: tuple) -> tuple[np.ndarray, float, tuple[float, float]]:
        pad = 2 * MM
        r = (pymupdf.Rect(box) + (-pad, -pad, pad, pad)) & page.rect
        return _render(page, r, READ_DPI), READ_DPI, (r.x0, r.y0)

    seals = find_seals(rgb, SEAL_DPI, page=number, first_page=first, offset=at, page_height=size[1],
                       sharper=None if page.rotation else sharper)  # clips of a turned page are in its own space
    return seals, edge_parts(rgb, SEAL_DPI, number, size, offset=at)


def _decoded(page, info: dict, smask: int, box: pymupdf.Rect, dpi: float) -> np.ndarray | None:
    """The image alone, decoded from its stream and laid on white through its soft mask, at `dpi` over its shown
    box (resized when its own resolution is not that): what a render of its box shows without the page around
    it, at a tenth of the cost. None when it is not a plain 8-bit RGB or grey image shown unmirrored with at
    most a soft mask (a stencil or colour-key mask, CMYK, a flip): those are rendered."""
    a, _, _, d, _, _ = info["transform"]
    if a <= 0 or d <= 0 or info.get("bpc") != 8 or info.get("colorspace") not in (1, 3) or \
            (info.get("has-mask") and smask <= 0):
        return None
    doc = page.parent
    try:
        pix = pymupdf.Pixmap(doc, info["xref"])
        if pix.alpha or pix.n not in (1, 3):
            return None
        if pix.n == 1:
            pix = pymupdf.Pixmap(pymupdf.csRGB, pix)
        rgb = np.frombuffer(pix.samples_mv, dtype=np.uint8).reshape(pix.h, pix.w, 3)
        if smask > 0:  # over white: 255 − (255 − colour) · alpha / 255
            mask = pymupdf.Pixmap(doc, smask)
            if mask.n != 1 or (mask.w, mask.h) != (pix.w, pix.h):
                return None
            alpha = np.frombuffer(mask.samples_mv, dtype=np.uint8).reshape(pix.h, pix.w)
            rgb = 255 - cv2.multiply(255 - rgb, cv2.merge([alpha] * 3), scale=1 / 255)
        else:
            rgb = rgb.copy()  # the pixmap's memory goes with it
    except (RuntimeError, ValueError):
        return None
    w, h = max(1, round(box.width * dpi / 72)), max(1, round(box.height * dpi / 72))
    if (w, h) != (rgb.shape[1], rgb.shape[0]):
        rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA if w < rgb.shape[1] else cv2.INTER_LINEAR)
    return rgb


def _render(page, clip: pymupdf.Rect, dpi: float) -> np.ndarray:
    pix = page.get_pixmap(dpi=int(round(dpi)), clip=clip, colorspace=pymupdf.csRGB, alpha=False)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3)


def _red(color) -> bool:
    return bool(color) and len(color) == 3 and color[0] > 0.5 and color[0] - max(color[1], color[2]) > 0.2


def _red_paths(paths: list[dict]) -> list[pymupdf.Rect]:
    """Boxes of the red vector paths (stroke or fill) among a page's get_drawings() or get_cdrawings()."""
    return [pymupdf.Rect(p["rect"]) for p in paths if _red(p.get("color")) or _red(p.get("fill"))]


def _merge(rects: list, page_rect: pymupdf.Rect) -> list[pymupdf.Rect]:
    """Each box grown by 3 mm and clipped to the page, merged where they touch; boxes too small for a seal dropped."""
    grow = 3 * MM
    merged: list[pymupdf.Rect] = []
    for r in rects:
        if r.is_empty and not (r.width or r.height):
            continue
        merged.append((pymupdf.Rect(r) + (-grow, -grow, grow, grow)) & page_rect)
    changed = True
    while changed:  # a union may now touch another
        changed = False
        for a in range(len(merged)):
            for b in range(a + 1, len(merged)):
                if merged[a].intersects(merged[b]):
                    merged[a] |= merged.pop(b)
                    changed = True
                    break
            if changed:
                break
    min_pt = 12 * MM  # a narrow box at the page's side edge may be a fanned stack's slice of a 骑缝章
    at_side = lambda m: m.x0 <= page_rect.x0 + 1 or m.x1 >= page_rect.x1 - 1  # noqa: E731
    return [m for m in merged if (m.width >= min_pt or at_side(m)) and m.height >= min_pt and not m.is_empty]

