"""Reading a seal's ring: the unit's name cut along the ring, and the star in its middle.

The ring is unwrapped with a polar transform (OpenCV warpPolar) into a straight strip and the strip is read
by RapidOCR's recogniser (the model shipped in its wheel; the engine of kcjs.pipeline.readers.ocr). A pen
ring drawn round black print has neither ring text nor a star: that is how it is told from a seal.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import cv2
import numpy as np

STRIP_H = 48            # px: the recogniser's input height
MAX_R = 110             # px: a ring is reduced to this radius before unwrapping (the strip is 48 px high anyway)
BAND = (0.40, 0.03)     # the text band: from this share of the radius inside the ring's inner edge, to this share
MIN_SCORE = 0.55        # recogniser confidence below which a read is no read
MIN_HAN = 2             # Han characters a ring text needs to count as read
_KEEP = re.compile(r"[^\u4e00-\u9fff（）()]")


@dataclass
class Ring:
    text: str | None   # ring text read (Han characters and brackets), None when nothing could be read
    score: float       # recogniser confidence of `text`, 0–1
    star: bool         # a five-pointed star in the middle


def seal_ink(rgb: np.ndarray) -> np.ndarray:
    """uint8 map of seal-red ink (0 none … 255 full): how much redder than green and blue a pixel is."""
    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    return np.clip((r - np.maximum(g, b)) * 3, 0, 255).astype(np.uint8)


def dark_ink(gray: np.ndarray) -> np.ndarray:
    """uint8 ink map of a grey or black-and-white scan: darkness."""
    return (255 - gray).astype(np.uint8)


def _to_circle(ink: np.ndarray, ellipse) -> tuple[np.ndarray, float]:
    """Warp the crop so the seal's ellipse becomes a circle of radius ≤ MAX_R centred in the result, the page's
    up staying up. Returns (image, radius)."""
    (cx, cy), (w, h), angle = ellipse
    big = max(w, h) / 2
    r = min(big, MAX_R)
    t = math.radians(angle)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    scale = np.diag([r / max(w / 2, 1), r / max(h / 2, 1)])
    m = rot @ scale @ rot.T
    size = int(2 * r * 1.08) + 2
    c = size / 2
    affine = np.hstack([m, (np.array([c, c]) - m @ np.array([cx, cy]))[:, None]])
    return cv2.warpAffine(ink, affine, (size, size), flags=cv2.INTER_AREA if big > MAX_R else cv2.INTER_LINEAR), r


def _star(circ: np.ndarray, r: float) -> bool:
    """A solid five-pointed star near the centre: one blob of 0.15–0.6 R across, about half as solid as its hull."""
    c = circ.shape[0] / 2
    yy, xx = np.ogrid[:circ.shape[0], :circ.shape[1]]
    core = ((circ > 100) & ((xx - c) ** 2 + (yy - c) ** 2 <= (0.5 * r) ** 2)).astype(np.uint8)
    n, labels, stats, cents = cv2.connectedComponentsWithStats(core, connectivity=8)
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if not (0.25 * r <= max(w, h) <= 0.75 * r and 0.75 <= w / max(h, 1) <= 1.33):
            continue
        if math.hypot(cents[i][0] - c, cents[i][1] - c) > 0.3 * r:
            continue
        pts = cv2.findNonZero((labels == i).astype(np.uint8))
        hull = cv2.contourArea(cv2.convexHull(pts))
        if hull and 0.35 <= area / hull <= 0.72:
            return True
    return False


@dataclass
class _Band:
    polar: np.ndarray   # rows: angle (clockwise from +x), cols: radius in px
    r0: int             # the text band's radii (px)
    r1: int
    start: int          # the row where the text starts (just after the widest gap)
    length: int         # rows the text spans
    cols: np.ndarray    # per angle row: does the band carry ink there


def _band(circ: np.ndarray, r: float) -> _Band | None:
    """Locate the ring (the outermost heavy radius), the text band inside it, and the widest gap in the text."""
    c = circ.shape[0] / 2
    rmax = r * 1.06
    n_ang = max(180, int(2 * math.pi * r * 0.8))
    polar = cv2.warpPolar(circ, (int(rmax), n_ang), (c, c), rmax, cv2.WARP_POLAR_LINEAR | cv2.INTER_LINEAR)
    prof = polar.mean(axis=0)
    lo = int(0.7 * len(prof))
    k = lo + int(np.argmax(prof[lo:]))
    if prof[k] < 20:
        return None
    inner = k
    while inner > 0.5 * len(prof) and prof[inner] > prof[k] * 0.45:
        inner -= 1
    a0, a1 = int(inner - BAND[0] * r), int(inner - BAND[1] * r)
    if a0 < 0 or a1 - a0 < 6:
        return None
    cols = np.convolve((polar[:, a0:a1] > 90).mean(axis=1), np.ones(5) / 5, mode="same") > 0.02
    if cols.mean() < 0.08:
        return None                                # no ink along the ring: a bare ring
    run, best = 0, (0, 0)
    for i in range(2 * n_ang):                     # the longest empty run, around the circle
        if not cols[i % n_ang]:
            run += 1
            if run > best[0]:
                best = (run, i - run + 1)
        else:
            run = 0
    if best[0] >= n_ang:
        return None
    return _Band(polar, a0, a1, (best[1] + best[0]) % n_ang, n_ang - best[0], cols)


def _strip(b: _Band) -> np.ndarray:
    """The text band unwrapped: outer edge up, clockwise from the widest gap, black on white, 48 px high."""
    band = np.roll(b.polar[:, b.r0:b.r1], -b.start, axis=0)[:b.length]
    strip = np.flipud(band.T)
    strip = cv2.copyMakeBorder(255 - strip, 0, 0, 8, 8, cv2.BORDER_CONSTANT, value=255)
    scale = STRIP_H / strip.shape[0]
    return cv2.resize(strip, (max(16, int(strip.shape[1] * scale * 0.85)), STRIP_H), interpolation=cv2.INTER_AREA)


def _upright(circ: np.ndarray, b: _Band) -> np.ndarray | None:
    """The band's characters as they stand on the page (not turned to the ring), cut apart at the gaps along
    the ring and set side by side: for seal images drawn with upright characters."""
    n = len(b.cols)
    rolled = np.roll(b.cols, -b.start)[:b.length]
    runs, i = [], 0
    while i < len(rolled):
        if rolled[i]:
            j = i
            while j < len(rolled) and rolled[j]:
                j += 1
            runs.append(((i + b.start) % n, (j + b.start) % n))
            i = j
        else:
            i += 1
    if not 2 <= len(runs) <= 40:
        return None
    c = circ.shape[0] / 2
    yy, xx = np.mgrid[:circ.shape[0], :circ.shape[1]]
    rad = np.hypot(xx - c, yy - c)
    ang = (np.degrees(np.arctan2(yy - c, xx - c)) % 360) * n / 360
    inband = (rad >= b.r0) & (rad <= b.r1) & (circ > 90)
    glyphs = []
    for t0, t1 in runs:
        sel = inband & ((ang >= t0) & (ang < t1) if t0 < t1 else (ang >= t0) | (ang < t1))
        ys, xs = np.nonzero(sel)
        if len(xs) < 4:
            continue
        g = np.where(sel, circ, 0)[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        h = 40
        g = cv2.resize(255 - g, (max(4, int(g.shape[1] * h / max(g.shape[0], 1))), h), interpolation=cv2.INTER_AREA)
        glyphs += [cv2.copyMakeBorder(g, 4, 4, 3, 3, cv2.BORDER_CONSTANT, value=255)]
    if len(glyphs) < 2:
        return None
    return cv2.copyMakeBorder(np.hstack(glyphs), 0, 0, 8, 8, cv2.BORDER_CONSTANT, value=255)


def _recognise(strip: np.ndarray) -> tuple[str, float]:
    from kcjs.pipeline.readers.ocr import engine
    res = engine()(cv2.cvtColor(strip, cv2.COLOR_GRAY2RGB), use_det=False, use_cls=False, use_rec=True)
    if not res.txts:
        return "", 0.0
    return _KEEP.sub("", res.txts[0]), float(res.scores[0])


def read_ring(ink: np.ndarray, ellipse) -> Ring:
    """Ring text and star of a round or oval seal. ink: uint8 ink map of a crop holding the seal (seal_ink or
    dark_ink); ellipse: cv2.fitEllipse of its outline in that crop's pixels. Both reading directions are
    tried (clockwise with the characters' tops outward, then the strip upside down), and last the characters
    as they stand (a seal image drawn with upright characters)."""
    circ, r = _to_circle(ink, ellipse)
    star = _star(circ, r)
    band = _band(circ, r)
    if band is None:
        return Ring(None, 0.0, star)
    strip = _strip(band)
    best = ("", 0.0)
    for make in (lambda: strip, lambda: cv2.rotate(strip, cv2.ROTATE_180), lambda: _upright(circ, band)):
        img = make()
        if img is None:
            continue
        text, score = _recognise(img)
        han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        if han >= MIN_HAN and score > best[1]:
            best = (text, score)
        if best[1] >= 0.9:
            break
    text, score = best
    if score < MIN_SCORE:
        return Ring(None, round(score, 3), star)
    return Ring(text, round(score, 3), star)
