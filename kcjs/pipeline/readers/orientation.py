"""Which way up a scanned page is, found before its lines are ordered, and how far it is skewed.

A cheap trial on a thumbnail: RapidOCR's detector finds the text lines (tall boxes: the page lies on
its side), then RapidOCR's direction classifier votes on the largest few lines turned horizontal
(0° or 180°). RapidOCR's own classifier alone only flips single lines, so an upside-down or sideways
page came out with its lines in reverse or column order (bench/bench_read.py measures both).
"""
from __future__ import annotations

import math

import numpy as np

from kcjs.pipeline.readers import ocr

THUMB_SIDE = 1000   # px, the thumbnail's long side: 12 pt text stays ~14 px high on an A4 page
VOTES = 12          # lines the classifier is asked about
MIN_LINES = 3       # fewer lines than this: leave the page as it is
SKEW_MIN_DEG = 0.3  # a page fed this far askew or more has its line boxes levelled (below: left as they are)
SKEW_MAX_DEG = 10.0  # a steeper median slope is no feeding skew (a photo, a drawing): left as it is
SKEW_LINE_RATIO = 4  # only lines this many times wider than high vote on the slope


def turns(rgb: np.ndarray) -> int:
    """Quarter turns counter-clockwise (np.rot90's k, 0–3) that make the page's text upright."""
    h, w = rgb.shape[:2]
    step = max(1, int(np.ceil(max(h, w) / THUMB_SIDE)))
    thumb = np.ascontiguousarray(ocr.suppress_red(rgb[::step, ::step]))
    boxes = ocr.detect(thumb)
    if len(boxes) < MIN_LINES:
        return 0
    sizes = [(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]
    tall = sum(bh > 1.5 * bw for bw, bh in sizes)
    wide = sum(bw > 1.5 * bh for bw, bh in sizes)
    sideways = tall > wide
    largest = sorted(boxes, key=lambda b: -max(b[2] - b[0], b[3] - b[1]))[:VOTES]
    crops = []
    for x0, y0, x1, y1 in largest:
        crop = thumb[int(y0):int(np.ceil(y1)), int(x0):int(np.ceil(x1))]
        if crop.size == 0:
            continue
        crops.append(np.ascontiguousarray(np.rot90(crop, 1) if sideways else crop))
    flipped = ocr.upside_down(crops)
    if sideways:  # turned counter-clockwise once, a line reads right: the page needs that turn
        return 3 if flipped else 1
    return 2 if flipped else 0


def skew(quads: list[tuple]) -> float:
    """The page's skew in degrees (positive: lines run down to the right, in image coordinates), the
    median slope of the top edges of the long text lines the detector found (RapidOCR's quads follow the
    text); 0.0 with fewer than MIN_LINES such lines."""
    slopes = []
    for q in quads:
        if len(q) != 4:
            continue
        (x0, y0), (x1, y1), _, (x3, y3) = q
        w, h = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
        if w >= SKEW_LINE_RATIO * max(h, 1.0) and x1 > x0:
            slopes.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    if len(slopes) < MIN_LINES:
        return 0.0
    return float(np.median(slopes))


def level(lines: list, shape: tuple) -> float:
    """Lines of a skewed scan (OcrLine with quads) given boxes in the levelled page: each quad turned
    back by the page's skew about the image's centre, `box` its bounds, `raw_box` the box as scanned (for
    re-reading a crop). Rows and table columns of a page fed 1–3° askew then line up again (the
    recogniser itself reads along the quad). Returns the skew removed (degrees), 0.0 when none was."""
    angle = skew([ln.quad for ln in lines])
    if abs(angle) < SKEW_MIN_DEG or abs(angle) > SKEW_MAX_DEG:
        return 0.0
    cy, cx = shape[0] / 2, shape[1] / 2
    c, s = math.cos(math.radians(-angle)), math.sin(math.radians(-angle))
    for ln in lines:
        if len(ln.quad) != 4:
            continue
        pts = [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in ln.quad]
        ln.raw_box = ln.box
        ln.box = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
    return angle
