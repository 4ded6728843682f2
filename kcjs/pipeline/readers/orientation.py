"""Which way up a scanned page is, found before its lines are ordered.

A cheap trial on a thumbnail: RapidOCR's detector finds the text lines (tall boxes: the page lies on
its side), then RapidOCR's direction classifier votes on the largest few lines turned horizontal
(0° or 180°). RapidOCR's own classifier alone only flips single lines, so an upside-down or sideways
page came out with its lines in reverse or column order (bench/bench_read.py measures both).
"""
from __future__ import annotations

import numpy as np

from kcjs.pipeline.readers import ocr

THUMB_SIDE = 1000   # px, the thumbnail's long side: 12 pt text stays ~14 px high on an A4 page
VOTES = 12          # lines the classifier is asked about
MIN_LINES = 3       # fewer lines than this: leave the page as it is


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
