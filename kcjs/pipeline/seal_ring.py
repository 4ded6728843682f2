"""Reading a seal's ring: the unit's name cut along the ring, and the star in its middle.

The ring is unwrapped into a straight strip along curves parallel to the seal's fitted outline (an elliptical
polar transform: an oval seal's characters come out as upright as a round one's, at their own size, sampled
finer than the page's pixels when the seal is small), the strip narrowed to the band of ink inside the ring
(its radial profile), and read by RapidOCR's recogniser (the model shipped in its wheel; ocr.ring_engine: one
thread, the strip at its own width). A pen ring drawn round black print has neither ring text nor a star: that is how it is told from a seal.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import cv2
import numpy as np

STRIP_H = 48            # px: the recogniser's input height
STRIP_ASPECT = 0.7      # the strip's width squeezed so: seal characters are cut narrow (bench_ring_text: 0.65–0.8 best)
MAX_R = 110             # px: the seal is reduced to this radius for the star test
MIN_SCORE = 0.55        # recogniser confidence below which a read is no read
MIN_HAN = 2             # Han characters a ring text needs to count as read
MIN_HAN_UPRIGHT = 3     # …when read as its characters stand: a seal cut so shows its whole name; two may be a red
                        # note's words inside a pen ring (已审核同意申报 read 司意) or its loops (一八)
STROKE_LIKE = set("一二三八人入乙十丁厂乂丿")  # what a pen stroke reads as: not counted as ring text
SURE = 0.75             # a read this confident is the ring's text: the other directions are not tried (bench_ring_text:
                        # no read of 0.75 or more was ever bettered by them)
INNER_RING = 0.8        # share of the ring a row of ink covers that makes it an inner ring (ring text covers ≤ ~300°)
INNER_RING_DEPTH = 0.25  # × the small semi-axis: how far inside the outer ring an inner ring is looked for
TEXT_DEPTH = 0.33       # × the small semi-axis: ring text begins this close to the ring's inner edge or closer (seals
                        # drawn and scanned: ≤ 0.25; a note written inside a pen circle lies deeper, across the middle)
DEEP_TOP = 0.3         # × the band's height: a mark whose top lies this much deeper than the ring text's tops and
DEEP_BOTTOM = 0.1      # whose bottom this much below its bottoms, under no ring character, is not ring text (a
                       # special-purpose seal's 财务专用章 line reaching into the band)
_KEEP = re.compile(r"[^\u4e00-\u9fff（）()]")


@dataclass
class Ring:
    text: str | None   # ring text read (Han characters and brackets), None when nothing could be read
    score: float       # recogniser confidence of `text`, 0–1
    star: bool         # a five-pointed star in the middle
    guess: str | None = None  # when `text` is None: the read with the most Han characters, however unsure (a worn
    guess_score: float = 0.0  # seal's broken characters still read in part) and its recogniser confidence
    inner: str | None = None  # the line across the lower middle (财务专用章, 合同专用章), when there is one and it reads
    inner_score: float = 0.0


def seal_ink(rgb: np.ndarray) -> np.ndarray:
    """uint8 map of seal-red ink (0 none … 255 full): how much redder than green and blue a pixel is."""
    r, g, b = (np.ascontiguousarray(rgb[..., i]) for i in range(3))
    return cv2.multiply(cv2.subtract(r, cv2.max(g, b)), 3)  # saturating uint8: clip((r − max(g, b)) × 3, 0, 255)


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


class _Ellipse:
    """The seal's outline and the curves parallel to it inside: the point `depth` px in from the outline at
    parameter t, P(t) − depth·n(t) with n the outward normal. A circle is the ellipse with equal axes."""

    def __init__(self, ellipse):
        (self.cx, self.cy), (w, h), angle = ellipse
        self.a, self.b = max(w / 2, 1.0), max(h / 2, 1.0)
        t = math.radians(angle)
        self.cos, self.sin = math.cos(t), math.sin(t)

    def at(self, t: np.ndarray, depth) -> tuple[np.ndarray, np.ndarray]:
        ex, ey = self.a * np.cos(t), self.b * np.sin(t)
        nx, ny = np.cos(t) / self.a, np.sin(t) / self.b
        norm = np.hypot(nx, ny)
        ex = ex - depth * nx / norm
        ey = ey - depth * ny / norm
        return self.cx + ex * self.cos - ey * self.sin, self.cy + ex * self.sin + ey * self.cos

    def params(self, depth: float, step: float) -> np.ndarray:
        """Values of t a step (px) apart along the parallel curve `depth` px inside: t grows clockwise on the page
        (image y points down), the way ring text reads."""
        dense = np.linspace(0, 2 * np.pi, 720, endpoint=False)
        x, y = self.at(dense, depth)
        seg = np.hypot(np.diff(x, append=x[:1]), np.diff(y, append=y[:1]))
        arc = np.concatenate([[0.0], np.cumsum(seg)])
        n = max(90, int(arc[-1] / step))
        return np.interp(np.arange(n) * arc[-1] / n, arc, np.append(dense, 2 * np.pi))


def _rho(ellipse, pts: np.ndarray) -> np.ndarray:
    """Elliptical radius of each point (x, y): 1 on the ellipse, 0 at its centre."""
    e = _Ellipse(ellipse)
    dx, dy = pts[:, 0] - e.cx, pts[:, 1] - e.cy
    return np.hypot((dx * e.cos + dy * e.sin) / e.a, (-dx * e.sin + dy * e.cos) / e.b)


def _refit(ink: np.ndarray, ellipse):
    """The ellipse through the ring's outer edge. Along 180 rays from the centre, the outermost ink between 0.7
    and 1.15 of the first fit (a fit to the mark's convex hull, which leans on a few hull corners and takes in
    any red touching the seal); the ellipse through most of those points (RANSAC over 6-point fits, then least
    squares on its inliers)."""
    el = _Ellipse(ellipse)
    t = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    ox, oy = el.at(t, 0.0)
    k = np.linspace(1.15, 0.7, 48)[:, None]
    xs, ys = el.cx + (ox - el.cx)[None, :] * k, el.cy + (oy - el.cy)[None, :] * k
    vals = cv2.remap(ink, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR, borderValue=0) > 90
    hit = vals.any(axis=0)
    if hit.sum() < 40:
        return ellipse
    first = vals.argmax(axis=0)
    pts = np.stack([xs[first, np.arange(180)], ys[first, np.arange(180)]], 1)[hit].astype(np.float32)
    rng = np.random.default_rng(0)
    best, best_in = ellipse, -1
    for k in range(42):  # the fit to every point first (a clean ring ends here), then the hull's, then 6-point fits
        try:
            fit = cv2.fitEllipse(pts) if k == 0 else ellipse if k == 1 else \
                cv2.fitEllipse(pts[rng.choice(len(pts), 6, replace=False)])
        except cv2.error:
            continue
        if not all(np.isfinite(v) for v in (*fit[0], *fit[1])) or min(fit[1]) < 0.5 * min(ellipse[1]):
            continue
        inliers = int((np.abs(_rho(fit, pts) - 1) < 0.03).sum())
        if inliers > best_in:
            best, best_in = fit, inliers
        if best_in >= 0.8 * len(pts):
            break  # most of the edge is on it already
    keep = np.abs(_rho(best, pts) - 1) < 0.03
    if keep.sum() < 30:
        return ellipse
    fit = cv2.fitEllipse(pts[keep])
    (cx, cy), (w, h), _ = fit
    (cx0, cy0), (w0, h0), _ = ellipse
    if not (0.7 < max(w, h) / max(w0, h0) < 1.15 and math.hypot(cx - cx0, cy - cy0) < 0.2 * max(w0, h0)):
        return ellipse
    return fit


def _unwrap(ink: np.ndarray, el: _Ellipse, t: np.ndarray, depths: np.ndarray) -> np.ndarray:
    """The ink along the parallel curves: rows are depths (outline first), columns the values of t."""
    x, y = el.at(t[None, :], depths[:, None])
    return cv2.remap(ink, x.astype(np.float32), y.astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)


@dataclass
class _Band:
    strip: np.ndarray   # the text band unwrapped: rows depth (outline side first), columns clockwise from `start`
    x: np.ndarray       # where each strip cell lies in the ink map (px), same shape
    y: np.ndarray
    cols: np.ndarray    # per strip column: does the band carry ink there
    mid: float = 0.0    # px: how far in from the outline the band's middle lies (the ring characters' middles)


def _band(ink: np.ndarray, ellipse) -> _Band | None:
    """Find the ring (the heavy stroke at the outline), the text band inside it from the radial profile of the
    ink, and the widest gap in the text; unwrap the band at ~56 samples across, clockwise from the gap."""
    el = _Ellipse(ellipse)
    small = min(el.a, el.b)
    step = max(0.5, small / 90)
    depths = np.arange(-0.08 * small, 0.62 * small, step)
    coarse = _unwrap(ink, el, el.params(0.0, step), depths)
    prof = coarse.mean(axis=1)
    near = depths <= 0.2 * small
    k = int(np.argmax(np.where(near, prof, -1)))
    if prof[k] < 20:
        return None
    inner = k
    while inner < len(prof) - 1 and prof[inner] > prof[k] * 0.45:
        inner += 1
    edge = inner                                    # the ring's inner edge
    while inner < len(prof) - 1 and prof[inner + 1] <= prof[inner]:
        inner += 1                                  # on to the valley between the ring and the characters
    whole = ((coarse > 90).mean(axis=1) >= INNER_RING)
    rings = [j for j in range(edge, min(len(prof), edge + int(INNER_RING_DEPTH * small / step))) if whole[j]]
    if rings:                                       # a thin inner ring inside the outer one: the text is inside both
        inner = edge = rings[-1] + 1
        while inner < len(prof) - 1 and prof[inner + 1] <= prof[inner]:
            inner += 1
    rest = prof[inner:]
    if len(rest) < 6:
        return None
    rest = np.convolve(rest, np.ones(3) / 3, mode="same")
    top = int(np.argmax(rest[:max(3, int(0.45 * small / step))]))
    if rest[top] < 6:
        return None                                 # no ink inside the ring: a bare ring
    start = int(np.argmax(rest > rest[top] * 0.22))
    if (inner + start - edge) * step > TEXT_DEPTH * small:
        return None                                 # the ink inside lies deep, not along the ring: a note circled by a pen
    end = top
    while end < len(rest) - 1 and rest[end] > rest[top] * 0.22:
        end += 1
    d0 = depths[inner] + 0.01 * small
    d1 = min(depths[inner + end] + 0.04 * small, depths[inner] + 0.5 * small)
    if d1 - d0 < 3:
        return None
    fine = (d1 - d0) / 56
    src = cv2.GaussianBlur(ink, (0, 0), fine / 2) if fine > 1.2 else ink
    t = el.params((d0 + d1) / 2, fine)
    ds = d0 + np.arange(56) * fine
    band = _ring_text_only(_unwrap(src, el, t, ds))
    cols = np.convolve((band > 90).mean(axis=0), np.ones(5) / 5, mode="same") > 0.02
    if cols.mean() < 0.08:
        return None                                 # no ink along the ring
    n = len(cols)
    run, best = 0, (0, 0)
    for i in range(2 * n):                          # the longest empty run, around the ring
        if not cols[i % n]:
            run += 1
            if run > best[0]:
                best = (run, i - run + 1)
        else:
            run = 0
    if best[0] >= n:
        return None
    start, length = (best[1] + best[0]) % n, n - best[0]
    order = (np.arange(length) + start) % n
    x, y = el.at(t[None, order], ds[:, None])
    return _Band(band[:, order], x, y, cols[order], float((d0 + d1) / 2))


def _ring_text_only(band: np.ndarray) -> np.ndarray:
    """The band without ink that lies below the ring text and under none of its characters: the ends of a
    special-purpose seal's horizontal line (财务专用章, 合同专用章 under the star) reach into the band's deep side
    (their tops deeper than the ring characters' tops, their bottoms below the characters' bottoms, on to the
    band's deep edge). A character's own lower strokes lie under its upper ones and stay; a flat character (一)
    stays within the characters' depth."""
    rows = band.shape[0]
    on = cv2.dilate((band > 90).astype(np.uint8), np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(on, connectivity=8)
    if n < 3:
        return band
    area = stats[1:, cv2.CC_STAT_AREA]
    top = stats[1:, cv2.CC_STAT_TOP]
    bottom = top + stats[1:, cv2.CC_STAT_HEIGHT]
    big = area >= 0.3 * np.median(area)
    text_top = float(np.percentile(top[big], 20))
    shallow = big & (top <= text_top + DEEP_TOP * rows)
    if not shallow.any():
        return band
    text_bottom = float(np.median(bottom[shallow]))
    deep = (top > text_top + DEEP_TOP * rows) & (bottom > text_bottom + DEEP_BOTTOM * rows) & (bottom >= rows - 3) & \
        ((area >= 0.4 * np.median(area[shallow])) | (top >= 0.75 * rows))  # on past the band's deep edge, and
    # character-sized or a sliver at that edge: a worn character's lower fragment is smaller and ends with the others
    if not deep.any():
        return band
    under = np.zeros(band.shape[1], bool)           # columns under a ring character
    for i in np.flatnonzero(~deep):
        x, w = stats[i + 1, cv2.CC_STAT_LEFT], stats[i + 1, cv2.CC_STAT_WIDTH]
        under[x:x + w] |= bool(shallow[i])
    drop = np.zeros(n, bool)
    for i in np.flatnonzero(deep):
        x, w = stats[i + 1, cv2.CC_STAT_LEFT], stats[i + 1, cv2.CC_STAT_WIDTH]
        drop[i + 1] = under[x:x + w].mean() < 0.5
    return np.where(drop[labels], 0, band).astype(band.dtype) if drop.any() else band


def _strip(b: _Band) -> np.ndarray:
    """The band as a text line: outline side up, black on white, 48 px high."""
    strip = cv2.copyMakeBorder(255 - b.strip, 0, 0, 8, 8, cv2.BORDER_CONSTANT, value=255)
    scale = STRIP_H / strip.shape[0]
    return cv2.resize(strip, (max(16, int(strip.shape[1] * scale * STRIP_ASPECT)), STRIP_H), interpolation=cv2.INTER_AREA)


def _upright(ink: np.ndarray, b: _Band) -> np.ndarray | None:
    """The band's characters as they stand on the page (not turned to the ring), cut apart at the gaps along
    the ring and set side by side: for seal images drawn with upright characters."""
    runs, i = [], 0
    while i < len(b.cols):
        if b.cols[i]:
            j = i
            while j < len(b.cols) and b.cols[j]:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    if not 2 <= len(runs) <= 40:
        return None
    glyphs = []
    for c0, c1 in runs:
        poly = np.concatenate([np.stack([b.x[0, c0:c1], b.y[0, c0:c1]], 1),
                               np.stack([b.x[-1, c0:c1], b.y[-1, c0:c1]], 1)[::-1]])
        x0, y0 = np.floor(poly.min(axis=0)).astype(int)
        x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(ink.shape[1], x1), min(ink.shape[0], y1)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        sel = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(sel, [np.round(poly - (x0, y0)).astype(np.int32)], 1)
        g = np.where(sel > 0, ink[y0:y1, x0:x1], 0)
        ys, xs = np.nonzero(g > 90)
        if len(xs) < 4:
            continue
        g = g[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        h = 40
        g = cv2.resize(255 - g, (max(4, int(g.shape[1] * h / max(g.shape[0], 1))), h), interpolation=cv2.INTER_CUBIC)
        glyphs.append(cv2.copyMakeBorder(g, 4, 4, 3, 3, cv2.BORDER_CONSTANT, value=255))
    if len(glyphs) < 2:
        return None
    return cv2.copyMakeBorder(np.hstack(glyphs), 0, 0, 8, 8, cv2.BORDER_CONSTANT, value=255)


def _recognise(strip: np.ndarray) -> tuple[str, float]:
    """Text and confidence of a strip; a word at either end that the recogniser set apart by a gap and read
    far less surely than the rest (_ends) is left out, and the confidence is the rest's."""
    from kcjs.pipeline.readers.ocr import ring_engine
    res = ring_engine()(cv2.cvtColor(strip, cv2.COLOR_GRAY2RGB), use_det=False, use_cls=False, use_rec=True,
                        return_word_box=True)
    if not res.txts:
        return "", 0.0
    text, score = res.txts[0], float(res.scores[0])
    words = res.word_results[0] if getattr(res, "word_results", None) else None
    if words is not None:
        text, score = _ends(words, text, score)
    return _KEEP.sub("", text), score


JUNK_MIN = 2       # a word of this many characters or more at an end of the strip …
JUNK_CONF = 0.8    # … read this unsurely (median of its characters' confidences) …
CORE_CONF = 0.9    # … beside a rest read this surely is not ring text: an upside-down 财务专用章 line, a
                   # (bench_ring_text and the seal tests: names read ≥ 0.9; a worn name's single unsure
                   # character is no such word)


def _ends(words, text: str, score: float) -> tuple[str, float]:
    """Leave out the words at the ends of a read (rapidocr's WordInfo: the characters split into words where the
    strip has a gap, a confidence for each character of the text, spaces too) read unsurely beside a surely
    read rest."""
    confs = list(words.confs or [])
    if len(confs) != len(text):
        return text, score
    chars = [(ch, float(c)) for ch, c in zip(text, confs) if not ch.isspace()]
    groups = [[ch for ch in w if not ch.isspace()] for w in (words.words or [])]
    if [ch for g in groups for ch in g] != [ch for ch, _ in chars]:
        return text, score
    spans: list[list[tuple[str, float]]] = []
    for g in groups:  # the recogniser's words: split where the strip has a gap
        spans.append(chars[:len(g)])
        chars = chars[len(g):]
    spans = [w for w in ([x for x in w if not _KEEP.match(x[0])] for w in spans) if w]  # Han characters only
    lo, hi = 0, len(spans)
    changed = True
    while changed and hi - lo >= 2:
        changed = False
        for end in (lo, hi - 1):
            rest = [c for j in range(lo, hi) if j != end for _, c in spans[j]]
            junk = [c for _, c in spans[end]]
            if len(junk) >= JUNK_MIN and np.median(junk) < JUNK_CONF and np.mean(rest) >= CORE_CONF:
                lo, hi = (lo + 1, hi) if end == lo else (lo, hi - 1)
                changed = True
                break
    if (lo, hi) == (0, len(spans)):
        return text, score
    kept = [x for j in range(lo, hi) for x in spans[j]]
    return "".join(ch for ch, _ in kept), float(np.mean([c for _, c in kept]))


def _han(text: str) -> int:
    """Han characters in a read, pen-stroke look-alikes (一, 八 …) not counted."""
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" and ch not in STROKE_LIKE)


INNER_PX = 150          # px: the seal's semi-axis along its own down, as the inner line is sampled to be read
INNER_COARSE = 48       # px: … as it is looked for
INNER_BELOW = 0.2       # × that semi-axis: a mark whose middle lies this far below the centre (the star's lies near it)
INNER_BELOW_OVAL = 0.05 # … an oval's (no star: its line may lie just below the middle)
INNER_MIN_WIDTH = 0.3   # × the semi-axis: the marks below the centre together span this wide (a line, not a speck)
INNER_MIN_AREA = 0.004  # × the semi-axis²: … and hold this much ink
INNER_IN = 0.05         # × the small semi-axis: a mark of the line lies this much deeper than the ring characters' middles
MIN_INNER_SCORE = 0.5   # recogniser confidence below which the inner line is not read


def _up(b: _Band, ellipse) -> tuple[float, float]:
    """The seal's own up on the page (a unit vector, image y down): toward the middle of its ring text (the ring
    text's gap is at the seal's bottom), each strip column weighted by its ink; an oval's snapped to its short axis."""
    (cx, cy), (w, h), angle = ellipse
    mid = b.x.shape[0] // 2
    dx, dy = b.x[mid] - cx, b.y[mid] - cy
    n = np.hypot(dx, dy) + 1e-9
    wgt = b.strip.sum(axis=0, dtype=np.float64)
    ux, uy = float((wgt * dx / n).sum()), float((wgt * dy / n).sum())
    norm = math.hypot(ux, uy)
    if norm == 0:
        return 0.0, -1.0
    ux, uy = ux / norm, uy / norm
    if abs(w - h) > 0.1 * max(w, h):
        t = math.radians(angle)
        ax, ay = (math.cos(t), math.sin(t)) if w < h else (-math.sin(t), math.cos(t))
        sign = 1.0 if ux * ax + uy * ay >= 0 else -1.0
        ux, uy = sign * ax, sign * ay
    return ux, uy


def _inner_line(ink: np.ndarray, ellipse, b: _Band) -> np.ndarray | None:
    """The line across a special-purpose seal's lower middle (财务专用章, 合同专用章) as a text line, upright to the
    seal's own orientation (its ring text up), black on white; None when there is no ink below the centre deeper
    than the ring characters (an ordinary seal: a star, perhaps a code along the ring), so the recogniser is not
    called. Looked for on a coarse sample first (an ordinary seal costs ~0.3 ms), cut from a fine one."""
    el = _Ellipse(ellipse)
    up = _up(b, ellipse)
    if _line_marks(ink, el, ellipse, b, up, INNER_COARSE, fine=False) is None:
        return None
    got = _line_marks(ink, el, ellipse, b, up, INNER_PX, fine=True)
    if got is None:
        return None
    img, sel = got
    rows, cols = np.flatnonzero(sel.any(axis=1)), np.flatnonzero(sel.any(axis=0))
    line = np.where(sel, img, 0)[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    pad = max(2, line.shape[0] // 8)
    line = cv2.copyMakeBorder(255 - line, pad, pad, 8, 8, cv2.BORDER_CONSTANT, value=255)
    scale = STRIP_H / line.shape[0]
    return cv2.resize(line, (max(16, int(line.shape[1] * scale)), STRIP_H), interpolation=cv2.INTER_AREA)


def _line_marks(ink: np.ndarray, el: _Ellipse, ellipse, b: _Band, up: tuple[float, float], size: int,
                fine: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The seal's lower part sampled upright to the seal (`size` samples from its centre down to its outline;
    fine: the ink blurred first when that reduces it) and the pixels of its inner line's marks: (sample, mask), or
    None when it has none. The marks whose middles lie below the centre and deeper than the ring characters' middles
    are the line's; marks beside them at the same height (its end characters reach in under the ring text's ends)
    join it."""
    ux, uy = up
    below = (INNER_BELOW_OVAL if abs(el.a - el.b) > 0.1 * max(el.a, el.b) else INNER_BELOW) * size
    dx, dy, rx, ry = -ux, -uy, -uy, ux  # the seal's down and right on the page

    def extent(vx: float, vy: float) -> float:  # centre to outline along (vx, vy)
        qx, qy = vx * el.cos + vy * el.sin, -vx * el.sin + vy * el.cos
        return 1 / max(math.hypot(qx / el.a, qy / el.b), 1e-9)

    s = extent(dx, dy) / size  # page px per sample
    nu = int(extent(rx, ry) / s)
    top = int(0.1 * size)      # the row of the centre
    uu, vv = np.meshgrid(np.arange(-nu, nu + 1) * s, np.arange(-top, size) * s)
    xs, ys = el.cx + uu * rx + vv * dx, el.cy + uu * ry + vv * dy
    src = cv2.GaussianBlur(ink, (0, 0), s / 2) if fine and s > 1.2 else ink
    img = cv2.remap(src, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    n, labels, stats, cents = cv2.connectedComponentsWithStats((img > 90).astype(np.uint8), connectivity=8)
    if n < 2:
        return None
    w, h, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    mark = (area >= (0.02 * size) ** 2) & (h <= 0.45 * size) & (w <= 1.2 * size) & (cents[:, 1] - top >= below)
    mark[0] = False
    if not mark.any():
        return None
    ci = np.clip(np.round(cents).astype(int), 0, [img.shape[1] - 1, img.shape[0] - 1])
    px, py = xs[ci[:, 1], ci[:, 0]], ys[ci[:, 1], ci[:, 0]]
    rho = np.maximum(_rho(ellipse, np.stack([px, py], 1)), 1e-3)
    depth = np.hypot(px - el.cx, py - el.cy) * (1 / rho - 1)  # in from the outline along the ray from the centre
    seed = mark & (depth > b.mid + INNER_IN * min(el.a, el.b))
    if not seed.any():
        return None
    t0 = stats[seed, cv2.CC_STAT_TOP].min()
    t1 = (stats[seed, cv2.CC_STAT_TOP] + h[seed]).max()
    x0 = stats[seed, cv2.CC_STAT_LEFT].min()
    x1 = (stats[seed, cv2.CC_STAT_LEFT] + w[seed]).max()
    if x1 - x0 < INNER_MIN_WIDTH * size or area[seed].sum() < INNER_MIN_AREA * size ** 2:
        return None
    tops = stats[:, cv2.CC_STAT_TOP]
    overlap = np.minimum(tops + h, t1) - np.maximum(tops, t0)
    take = seed | (mark & (overlap >= 0.6 * h))
    return img, cv2.dilate(take[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0


def read_ring(ink: np.ndarray, ellipse) -> Ring:
    """Ring text and star of a round or oval seal. ink: uint8 ink map of a crop holding the seal (seal_ink or
    dark_ink); ellipse: cv2.fitEllipse of its outline in that crop's pixels. Both reading directions are
    tried (clockwise with the characters' tops outward, then the strip upside down), and last the characters
    as they stand (a seal image drawn with upright characters)."""
    ellipse = _refit(ink, ellipse)
    circ, r = _to_circle(ink, ellipse)
    star = _star(circ, r)
    band = _band(ink, ellipse)
    if band is None:
        return Ring(None, 0.0, star)
    strip = _strip(band)
    best, guess = ("", 0.0), ("", 0.0, 0)
    makes = (lambda: strip, lambda: cv2.rotate(strip, cv2.ROTATE_180), lambda: _upright(ink, band))
    for n, make in enumerate(makes):
        if n == 2 and best[1] >= MIN_SCORE:
            break  # the ring read along the ring: characters cut apart as they stand read worse and only guess
        img = make()
        if img is None:
            continue
        text, score = _recognise(img)
        han = _han(text)
        if (han, score) > (guess[2], guess[1]):
            guess = (text, score, han)
        if han >= (MIN_HAN_UPRIGHT if n == 2 else MIN_HAN) and score > best[1]:
            best = (text, score)
        if best[1] >= SURE:
            break
    text, score = best
    inner, inner_score = None, 0.0
    if score >= MIN_SCORE or star:
        line = _inner_line(ink, ellipse, band)
        if line is not None:  # only then the recogniser: an ordinary seal has nothing below its centre
            read, inner_score = _recognise(line)
            inner = read if inner_score >= MIN_INNER_SCORE and _han(read) >= MIN_HAN else None
    if score < MIN_SCORE:
        return Ring(None, round(score, 3), star, guess[0] or None, round(guess[1], 3), inner, round(inner_score, 3))
    return Ring(text, round(score, 3), star, inner=inner, inner_score=round(inner_score, 3))
