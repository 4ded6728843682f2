"""A classical detector of red official seals (公章) in page rasters and embedded images.

Red mask -> group by a ~4 mm dilation -> shape tests on each group (DESIGN.md, "Reading stamps") -> the ring
reader (kcjs.pipeline.seal_ring) confirms a round or oval mark by its ring text or star, and says whose seal
it is. Grey and black-and-white scans have no red: there seals are found by shape (a ring read as a seal).
Partial seals cut by the page's edge are kept apart: the halves of a 骑缝章 across consecutive pages.
OpenCV comes with RapidOCR already, so its connected components and hulls cost no extra install.
"""
from __future__ import annotations

import hashlib
import io
import math
from collections import OrderedDict
from dataclasses import dataclass, replace

import cv2
import numpy as np

from kcjs.pipeline.seal_parts import EdgePart
from kcjs.pipeline.seal_ring import Ring, _han, _refit, _rho, dark_ink, read_ring, seal_ink

# One thread: the images are small, and an OpenCV thread pool started before a fork deadlocks the
# forked child (kcjs forks a child per document read).
cv2.setNumThreads(1)

MIN_MM, MAX_MM = 15.0, 60.0          # a seal's size across
GROUP_MM = 4.0                       # red strokes closer than this belong to one mark
MIN_CIRCULARITY = 0.80               # hull circularity of a round or oval seal
MIN_RING = 0.55                      # share of the fitted ring that carries ink
DENSITY = (0.04, 0.55)               # ink pixels / box area: not a thin scribble, not a solid blob
SQUARE_ASPECT = (0.75, 1.33)
MIN_SQUARE_EDGE = 0.6                # share of a square seal's border that carries ink
LETTERHEAD_BAND = 0.15               # top share of page 1 where 红头 letterheads live
# A worn seal (dry or unevenly pressed ink): its ring and characters break into many pieces and the ring reader
# reads only broken characters, below MIN_SCORE. Such a mark is still a seal when it is in many pieces AND its
# ring reads as some Han characters at least this sure; its name is left unread (stamp.name_unread, for a person
# to check). A pen ring is one stroke, one piece (two or three when it is drawn twice or crosses red ink), and reads
# as "一" at most (bench_stamp_corpus, tests/test_seal_variants.py).
WORN_PIECES = 20                     # pieces of ink (each ≥ WORN_PIECE_MM across) in the mark: unworn seals ~40–55,
                                     # worn 0.6 ~45–60, pen rings 1, a pen ring across a red note ~9
WORN_PIECE_MM = 0.5                  # mm: a piece smaller than this square is a speck (scan noise), not counted
WORN_HAN = 2                         # Han characters the ring's unsure read must hold
WORN_SCORE = 0.3                     # recogniser confidence that unsure read needs (worn seals 0.33–0.50)


@dataclass
class Seal:
    page: int | None
    box: tuple[float, float, float, float]  # page points for PDFs; pixels of the image for docx
    shape: str                               # round | oval | square
    width_mm: float
    height_mm: float
    confidence: float
    source: str                              # signature | docx-image | pdf-image | raster
    block: int | None = None                 # docx: the image block that holds it
    text: str | None = None                  # ring text read (None: no ring, or not readable)
    text_score: float | None = None          # recogniser confidence of `text`
    star: bool | None = None                 # a star in the middle (round seals)
    mode: str = "colour"                     # colour: found by its red; grey: by its shape on a colourless scan;
                                             # blue: a seal in blue ink (not a 公章: Document.blue_seals)
    ink_level: float | None = None           # grey: the ring's grey level (0–255), when lighter than the print's
    inner: str | None = None                 # the line read across the lower middle (财务专用章: a special-purpose seal)


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Seal-red pixels (uint8 0/1): red hue with some saturation and light, or plainly redder than green and blue
    (R − max(G, B) ≥ 25 with R ≥ 70)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    by_hue = cv2.inRange(hsv, (0, 40, 70), (10, 255, 255)) | cv2.inRange(hsv, (156, 40, 70), (180, 255, 255))
    r = np.ascontiguousarray(rgb[..., 0])
    margin = cv2.subtract(r, cv2.max(rgb[..., 1], rgb[..., 2]))  # saturating: 0 where not redder
    by_margin = cv2.inRange(margin, 25, 255) & cv2.inRange(r, 70, 255)
    return (by_hue | by_margin) >> 7


def blue_mask(rgb: np.ndarray) -> np.ndarray:
    """Blue stamp-pad ink (uint8 0/1): blue hue with some saturation and light. A seal in blue is not a 公章 (those are
    stamped in red); it is found only to say so."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    return cv2.inRange(hsv, (100, 60, 50), (130, 255, 255)) >> 7


def blue_ink(rgb: np.ndarray) -> np.ndarray:
    """uint8 map of blue ink (0 none … 255 full): how much bluer than red and green a pixel is (seal_ink of the
    image with its red and blue channels exchanged)."""
    return seal_ink(rgb[..., ::-1])


INKS = {"red": (red_mask, seal_ink), "blue": (blue_mask, blue_ink)}  # a seal's colour: its mask, its ring's ink map


def on_white(data: bytes) -> np.ndarray | None:
    """Decode an image; transparent pixels become white (a seal PNG is often transparent)."""
    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            if im.mode in ("RGBA", "LA", "P") and ("transparency" in im.info or im.mode != "P"):
                rgba = im.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                white.alpha_composite(rgba)
                im2 = white.convert("RGB")
            else:
                im2 = im.convert("RGB")
            return np.asarray(im2)
    except Exception:
        return None


def _ring_coverage(mask: np.ndarray, ellipse) -> float:
    """Share of 90 points round the fitted outline that carry ink within a few px, at the best of three scales
    (0.92, 0.96, 1.0: the ring's ink sits on or just inside the fitted outline)."""
    (cx, cy), (w, h), angle = ellipse
    t = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    a, b = w / 2, h / 2
    ca, sa = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    tol = max(2, int(min(w, h) * 0.04))
    k = np.array([0.92, 0.96, 1.0])[:, None, None]          # scales × offsets × points
    d = np.array([-tol, 0, tol])
    dx, dy = np.repeat(d, 3)[None, :, None], np.tile(d, 3)[None, :, None]
    xs = cx + k * (a * np.cos(t) * ca - b * np.sin(t) * sa)
    ys = cy + k * (a * np.cos(t) * sa + b * np.sin(t) * ca)
    x = np.clip((xs + dx).astype(int), 0, mask.shape[1] - 1)
    y = np.clip((ys + dy).astype(int), 0, mask.shape[0] - 1)
    hit = (mask[y, x] > 0).any(axis=1)
    return float(hit.mean(axis=1).max())


def _square_edges(mask: np.ndarray) -> float:
    h, w = mask.shape
    band = max(2, int(min(h, w) * 0.08))
    sides = [mask[:band, :].any(axis=0), mask[-band:, :].any(axis=0), mask[:, :band].any(axis=1), mask[:, -band:].any(axis=1)]
    return float(np.mean([s.mean() for s in sides]))


def classify(mask: np.ndarray, px_per_mm: float) -> tuple[str, float, tuple | None] | None:
    """Shape, confidence and fitted ellipse (None for squares) of one red mark (its own mask, cropped),
    or None when it is not a seal by its shape."""
    h, w = mask.shape
    wmm, hmm = w / px_per_mm, h / px_per_mm
    if not (MIN_MM <= wmm <= MAX_MM and MIN_MM <= hmm <= MAX_MM):
        return None
    density = float(mask.mean())
    if not DENSITY[0] <= density <= DENSITY[1]:
        return None
    if cv2.countNonZero(mask) < 20:
        return None
    outline, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(np.vstack(outline))  # the hull of the outer outlines is the hull of all the ink
    area, perim = cv2.contourArea(hull), cv2.arcLength(hull, True)
    circularity = 4 * np.pi * area / (perim * perim) if perim else 0.0
    if circularity >= MIN_CIRCULARITY and len(hull) >= 5:
        ellipse = cv2.fitEllipse(hull)
        ring = _ring_coverage(mask, ellipse)
        if ring >= MIN_RING:
            (_, _), (ew, eh), _ = ellipse
            ratio = min(ew, eh) / max(ew, eh)
            shape = "round" if ratio >= 0.9 else "oval"
            return shape, round(min(1.0, 0.5 * ring + 0.5 * circularity), 3), ellipse
    aspect = w / h
    if SQUARE_ASPECT[0] <= aspect <= SQUARE_ASPECT[1]:
        edges = _square_edges(mask)
        if edges >= MIN_SQUARE_EDGE and area / (w * h) >= 0.85:
            return "square", round(min(1.0, edges), 3), None
    return None


def find_seals(rgb: np.ndarray, dpi: float, page: int | None = None, first_page: bool = False,
               source: str = "raster", offset: tuple[float, float] = (0.0, 0.0), read: bool = True,
               page_height: float | None = None, sharper=None, colour: str = "red") -> list[Seal]:
    """Every seal in an image rendered at `dpi`; boxes in points (1/72 inch), shifted by `offset` (points:
    where the image's corner lies on the page). Round and oval marks are kept only when the ring reader finds
    ring text or a star (a pen ring has neither); `read=False` skips it (shape alone). page_height (points):
    the whole page's, when `rgb` is a clip of it. sharper: box (points) -> (rgb, dpi, its corner in points),
    the candidate rendered again at a higher dpi for reading its ring. An image with no red seal is searched for
    blue ones (mode "blue": not 公章, found to say so); colour: the ink searched."""
    mask_of, ink_of = INKS[colour]
    mask = mask_of(rgb)
    if not mask.any():
        return _blue_seals(rgb, dpi, page, first_page, source, offset, read, page_height, sharper, colour)
    px_per_mm = dpi / 25.4
    k = max(3, int(GROUP_MM * px_per_mm) | 1)
    grouped = cv2.dilate(mask, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    out = []
    scale = 72 / dpi
    page_h = page_height or rgb.shape[0] * scale  # points
    ink = None
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < MIN_MM * px_per_mm * 0.8 or h < MIN_MM * px_per_mm * 0.8:
            continue
        sub = mask[y:y + h, x:x + w] * (labels[y:y + h, x:x + w] == i)
        x0, y0, bw, bh = cv2.boundingRect(sub)  # of its ink
        if bw == 0:
            continue
        x1, y1 = x0 + bw, y0 + bh
        if first_page and (y + y1) * scale + offset[1] < page_h * LETTERHEAD_BAND and (x1 - x0) > MAX_MM * px_per_mm:
            continue  # a red letterhead across the top of the first page
        got = classify(sub[y0:y1, x0:x1], px_per_mm)
        if not got and _oversized_ring(sub[y0:y1, x0:x1], px_per_mm):
            continue  # one round mark bigger than any seal: its inner rings are not seals either
        found = [(x0, y0, x1, y1, got)] if got else _rings_inside(sub, px_per_mm)
        tried_inside = not got
        while found:
            a0, b0, a1, b1, (shape, conf, ellipse) = found.pop(0)
            box = tuple(round(float(v) * scale + o, 1) for v, o in zip((x + a0, y + b0, x + a1, y + b1), offset * 2))
            seal = Seal(page, box, shape, round(float(a1 - a0) / px_per_mm, 1), round(float(b1 - b0) / px_per_mm, 1),
                        float(conf), source, mode="colour" if colour == "red" else colour)
            if ellipse is not None and read:
                if sharper is not None:
                    ring = _read_sharper(sharper, box, ellipse, (x + a0, y + b0), scale, offset, ink_of)
                else:
                    if ink is None:
                        ink = ink_of(rgb)
                    ring = _read(ink, x + a0, y + b0, x + a1, y + b1, ellipse)
                if not ring.text and not ring.star and _worn(sub[b0:b1, a0:a1], px_per_mm, ring):
                    seal.star, seal.inner = False, ring.inner  # a worn seal: found, its name unread
                    out.append(seal)
                    continue
                if not ring.text and not ring.star:
                    if not tried_inside:  # the mark's outline was not the seal's: a seal touched by other red ink?
                        tried_inside = True
                        found += _rings_inside(sub, px_per_mm)
                    continue  # a ring with no ring text and no star: a pen circle, not a seal
                seal.text, seal.text_score, seal.star = ring.text, ring.score if ring.text else None, ring.star
                seal.inner = ring.inner
            out.append(seal)
    return out or _blue_seals(rgb, dpi, page, first_page, source, offset, read, page_height, sharper, colour)


def _blue_seals(rgb, dpi, page, first_page, source, offset, read, page_height, sharper, colour) -> list[Seal]:
    """find_seals in blue ink, for an image searched for red with none found (find_seals' arguments). Only seals
    confirmed by their ring (text or star) are kept: a blue pen ring is none."""
    if colour != "red" or not read:
        return []
    return find_seals(rgb, dpi, page=page, first_page=first_page, source=source, offset=offset, read=True,
                      page_height=page_height, sharper=sharper, colour="blue")


SEARCH_DPI = 100  # marks are found at this (a 15 mm seal is 59 px across); rings are read at the image's own


def find_seals_sharp(rgb: np.ndarray, dpi: float, offset: tuple[float, float] = (0.0, 0.0), **kw) -> list[Seal]:
    """find_seals on a copy of `rgb` reduced by a whole factor to near SEARCH_DPI (fewer pixels to sort), each candidate's ring read
    from `rgb` itself at its full `dpi`. Same arguments and boxes (points, shifted by `offset`) as find_seals."""
    k = round(dpi / SEARCH_DPI)  # a whole factor: OpenCV's area resize is ~15× faster by one (0.04 against 0.6 ms)
    if k < 2 or min(rgb.shape[:2]) < 2 * k:  # below 1.5× SEARCH_DPI: searched at its own
        return find_seals(rgb, dpi, offset=offset, **kw)
    small = cv2.resize(rgb, None, fx=1 / k, fy=1 / k, interpolation=cv2.INTER_AREA)
    px = dpi / 72  # px of rgb per point

    def sharper(box: tuple) -> tuple[np.ndarray, float, tuple[float, float]]:
        pad = 2 * 72 / 25.4
        x0, y0 = (max(0, int((box[0] - pad - offset[0]) * px)), max(0, int((box[1] - pad - offset[1]) * px)))
        x1, y1 = (int((box[2] + pad - offset[0]) * px) + 1, int((box[3] + pad - offset[1]) * px) + 1)
        return rgb[y0:y1, x0:x1], dpi, (offset[0] + x0 / px, offset[1] + y0 / px)

    return find_seals(small, dpi * small.shape[1] / rgb.shape[1], offset=offset, sharper=sharper, **kw)


def _worn(mask: np.ndarray, px_per_mm: float, ring: Ring) -> bool:
    """Is a round or oval mark whose ring gave no sure text and no star a worn seal? In many pieces (a pen ring is one
    stroke) and its ring read, however unsure, as some Han characters."""
    if _han(ring.guess or "") < WORN_HAN or ring.guess_score < WORN_SCORE:
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= (WORN_PIECE_MM * px_per_mm) ** 2).sum()) >= WORN_PIECES


def _oversized_ring(mask: np.ndarray, px_per_mm: float) -> bool:
    h, w = mask.shape
    if min(h, w) / px_per_mm <= MAX_MM or min(h, w) < 0.85 * max(h, w):
        return False
    hull = cv2.convexHull(cv2.findNonZero(mask))
    perim = cv2.arcLength(hull, True)
    return bool(perim) and 4 * np.pi * cv2.contourArea(hull) / (perim * perim) >= MIN_CIRCULARITY


def _read(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int, ellipse) -> Ring:
    """The ring reader on a padded crop of `ink` around (x0, y0, x1, y1); `ellipse` is relative to (x0, y0)."""
    pad = max(4, (x1 - x0) // 20)
    cx0, cy0 = max(0, x0 - pad), max(0, y0 - pad)
    crop = ink[cy0:min(ink.shape[0], y1 + pad), cx0:min(ink.shape[1], x1 + pad)]
    (ex, ey), axes, angle = ellipse
    return read_ring(crop, ((ex + x0 - cx0, ey + y0 - cy0), axes, angle))


def _read_sharper(sharper, box: tuple, ellipse, corner: tuple, scale: float, offset: tuple, ink_of=seal_ink) -> Ring:
    """The ring reader on the candidate rendered again by `sharper`. ellipse: in px of the first raster, relative
    to `corner` (px of that raster); scale: its points per px; offset: where it lies on the page (points)."""
    rgb, dpi, (ox, oy) = sharper(box)
    f = dpi / 72  # px per point of the sharper raster
    (ex, ey), (w, h), angle = ellipse
    cx = ((ex + corner[0]) * scale + offset[0] - ox) * f
    cy = ((ey + corner[1]) * scale + offset[1] - oy) * f
    return read_ring(ink_of(rgb), ((cx, cy), (w * scale * f, h * scale * f), angle))


EDGE_MM = 2.0  # ink this close to the page's edge touches it
SLICE_GAP_MM = 20.0  # a fanned stack's middle page keeps a slice of the seal: its top and bottom arcs this far apart


def edge_parts(rgb: np.ndarray, dpi: float, page: int, page_size: tuple[float, float],
               offset: tuple[float, float] = (0.0, 0.0)) -> list[EdgePart]:
    """Red marks cut by the page's left or right edge whose outline is an arc of a seal-sized circle.
    rgb: the page (or a clip of it at `offset` points) rendered at `dpi`; page_size in points."""
    mask = red_mask(rgb)
    if not mask.any():
        return []
    scale = 72 / dpi
    px_per_mm = dpi / 25.4
    k = max(3, int(GROUP_MM * px_per_mm) | 1)
    tall = max(k, int(SLICE_GAP_MM * px_per_mm) | 1)  # a narrow slice's arcs and ring text, apart, are one mark
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(mask, np.ones((tall, k), np.uint8)), connectivity=8)
    out = []
    edge_pt = EDGE_MM * 72 / 25.4
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        x0, x1 = x * scale + offset[0], (x + w) * scale + offset[0]
        edge = "left" if x0 <= edge_pt else "right" if x1 >= page_size[0] - edge_pt else None
        if edge is None:
            continue
        sub = mask[y:y + h, x:x + w] * (labels[y:y + h, x:x + w] == i)
        bx, by, w, h = cv2.boundingRect(sub)  # of its ink (the grouping grew it)
        if not (MIN_MM * 0.8 <= h / px_per_mm <= MAX_MM) or w / px_per_mm < 2:
            continue
        sub, x, y = sub[by:by + h, bx:bx + w], x + bx, y + by
        x0, x1 = x * scale + offset[0], (x + w) * scale + offset[0]
        pts = cv2.findNonZero(sub)
        if pts is None or len(pts) < 30:
            continue
        hull = cv2.convexHull(pts).reshape(-1, 2).astype(float)
        cut, inner = (0, w - 1) if edge == "left" else (w - 1, 0)
        arc = hull[np.abs(hull[:, 0] - cut) > 2]
        side = arc[np.abs(arc[:, 0] - inner) <= 2]
        if len(side) >= 2 and np.ptp(side[:, 1]) > 0.2 * h:  # cut on its inner side too: a middle page's slice
            arc = arc[np.abs(arc[:, 0] - inner) > 2]        # of a fanned stack (both its sides straight)
        if len(arc) < 5:
            continue
        # a circle through the outline (Kasa's least squares): x² + y² + Dx + Ey + F = 0
        a = np.column_stack([arc[:, 0], arc[:, 1], np.ones(len(arc))])
        sol, *_ = np.linalg.lstsq(a, -(arc[:, 0] ** 2 + arc[:, 1] ** 2), rcond=None)
        cx, cy = -sol[0] / 2, -sol[1] / 2
        r = math.sqrt(max(cx * cx + cy * cy - sol[2], 0.0))
        if not r or not (MIN_MM / 2 <= r / px_per_mm <= MAX_MM / 2):
            continue
        resid = np.abs(np.hypot(arc[:, 0] - cx, arc[:, 1] - cy) - r).mean()
        if resid > 0.06 * r or float(sub.mean()) > DENSITY[1] * 1.4:
            continue
        out.append(EdgePart(page, edge, tuple(round(float(v), 1) for v in (x0, y * scale + offset[1], x1,
                                                                                (y + h) * scale + offset[1])),
                            round(float(cy * scale + y * scale + offset[1]), 1), round(r / px_per_mm, 1)))
    return out


def colourless(rgb: np.ndarray) -> bool:
    """Has this scan no colour at all (a grey or black-and-white scan stored as RGB)? A colour scan of a
    black-and-white page still carries the scanner's and paper's faint tint and chroma noise."""
    sample = rgb[::3, ::3].astype(np.int16)
    chroma = sample.max(axis=2) - sample.min(axis=2)
    return float(chroma.mean()) < 1.0 and float(np.percentile(chroma, 99.9)) <= 8


MIN_GREY_RING = 0.9  # share of the circle a grey seal's ring covers unbroken at one radius


def _continuous_ring(dark: np.ndarray, cx: float, cy: float, r: float) -> float:
    """The largest share of angles that carry ink at one radius near r (±1 px): a seal's ring is a closed
    stroke; print cut by a circle leaves gaps between its lines."""
    rmax = r * 1.15
    n_ang = 360
    polar = cv2.warpPolar(dark * 255, (int(rmax), n_ang), (cx, cy), rmax, cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST)
    hit = polar > 0
    hit = hit[:, :-2] | hit[:, 1:-1] | hit[:, 2:]
    lo = int(0.8 * r)
    return float(hit[:, lo:].mean(axis=0).max()) if hit.shape[1] > lo else 0.0


PRINT_GAP = 35  # grey levels (0–255): a seal's red scanned grey is this much lighter than black print, or more


def _without_print(gray: np.ndarray, ink: np.ndarray, dark: np.ndarray, cx: float, cy: float,
                   r: float) -> tuple[np.ndarray, tuple[int, int], float | None, float | None]:
    """The ink map around a grey ring (cx, cy, r: px) with the black print taken out, as a colour scan's red takes
    it out: red scans as a mid grey, toner as near black. The ring's own grey level is the median of its dark
    pixels; pixels darker than halfway to the print's black (and their anti-aliased rims) are print. A scan whose
    ring is as dark as its print (black and white) is kept as it is. Returns the crop of `ink` round the ring, its
    corner (px), the grey level print was cut at and the ring's (None, None: print not taken out)."""
    h, w = gray.shape
    t = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    ys, xs = [], []
    for k in np.linspace(0.9, 1.02, 7):
        xs.append(np.clip((cx + k * r * np.cos(t)).astype(int), 0, w - 1))
        ys.append(np.clip((cy + k * r * np.sin(t)).astype(int), 0, h - 1))
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    on = dark[ys, xs] > 0
    pad = int(r * 0.15) + 4
    x0, y0, x1, y1 = max(0, int(cx - r) - pad), max(0, int(cy - r) - pad), min(w, int(cx + r) + pad), min(h, int(cy + r) + pad)
    if on.sum() < 50:
        return ink[y0:y1, x0:x1], (x0, y0), None, None
    crop = gray[y0:y1, x0:x1]
    ring_level, print_level = _mode(gray[ys[on], xs[on]]), float(np.percentile(crop, 0.5))
    cut = _valley(crop, print_level, ring_level)
    if ring_level - print_level < PRINT_GAP or float(np.mean(gray[ys[on], xs[on]] < cut)) > 0.2:
        return ink[y0:y1, x0:x1], (x0, y0), None, None  # one level of ink (a black-and-white scan, or one smoothed in rendering)
    printed = cv2.dilate((crop < cut).astype(np.uint8), np.ones((3, 3), np.uint8))
    return np.where(printed > 0, 0, ink[y0:y1, x0:x1]).astype(np.uint8), (x0, y0), cut, ring_level


def without_seal_ink(rgb: np.ndarray, seals: list[Seal], dpi: float) -> np.ndarray:
    """A scanned page (rgb at `dpi`) with the ink of its seals dropped out inside each seal's outline, as a
    scanner's red drop-out does, so OCR reads the print under a seal and not its ring text: each pixel becomes
    grey, its level stretched so the seal's ink is white and black stays black (a colour scan: its red channel,
    where red ink is as light as paper, or a blue seal's blue channel; a grey scan: its grey, the seal's level as
    found by `_without_print`).
    `rgb` itself when there is nothing to drop."""
    out = rgb
    for s in seals:
        x0, y0, x1, y1 = (int(round(v * dpi / 72)) for v in s.box)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(rgb.shape[1], x1), min(rgb.shape[0], y1)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        region = out[y0:y1, x0:x1]
        if s.mode == "grey" and s.ink_level is None and _one_bit(region):  # seal as black as print: by shape
            m = int((x1 - x0) * BW_MARGIN)
            a0, b0, a1, b1 = max(0, x0 - m), max(0, y0 - m), min(rgb.shape[1], x1 + m), min(rgb.shape[0], y1 + m)
            out = out.copy() if out is rgb else out
            out[b0:b1, a0:a1] = _without_ring_and_star(out[b0:b1, a0:a1], dpi)
            continue
        if s.mode == "grey":
            if s.ink_level is None:
                continue  # one level of ink, smoothed (not 1-bit): nothing to tell apart safely
            grey, level = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY), s.ink_level
        else:  # a colour seal: the channel its ink is as light as paper in (red: R; blue: B)
            mask_of, channel = (blue_mask, 2) if s.mode == "blue" else (red_mask, 0)
            ink = mask_of(region) > 0
            if not ink.any():
                continue
            grey = np.ascontiguousarray(region[..., channel])
            level = float(np.median(grey[ink]))
        dropped = cv2.convertScaleAbs(grey, alpha=255 / max(level, 1.0))  # saturates at 255
        inside = np.zeros(region.shape[:2], np.uint8)
        cv2.ellipse(inside, ((region.shape[1] / 2, region.shape[0] / 2), (region.shape[1], region.shape[0]), 0), 1, -1)
        out = out.copy() if out is rgb else out
        inside = inside > 0
        out[y0:y1, x0:x1][inside] = dropped[inside][:, None]
    return out


BW_MARGIN = 0.1    # × the seal's width: room round a one-level seal's box for its refitted ring
RING_SHARE = 0.5   # share of angles dark at one radius that makes it part of a seal's ring stroke
STAR_CORE_MM = 1.2  # solid ink this wide or wider is a seal's star, never a stroke of print


BLACK = 32         # grey level (0–255) below which ink is black: toner, or anything on a 1-bit scan
ONE_BIT = 0.5      # share of a seal box's dark pixels that are black when the seal is as black as its print


def _one_bit(region: np.ndarray) -> bool:
    """Is the seal in this box as black as print (a 1-bit scan, its edges smoothed in rendering)? A seal scanned
    grey is a mid grey: few of its dark pixels are black."""
    g = region[..., 0]
    dark = g < 128
    return bool(dark.any()) and float(np.mean(g[dark] < BLACK)) >= ONE_BIT


def _without_ring_and_star(region: np.ndarray, dpi: float) -> np.ndarray:
    """A round seal's box on a one-level (black and white) scan with its ring stroke and its star whitened: their
    shapes tell them from print where their ink cannot. Ring text stays (it cannot be told from print); characters
    the ring or star crossed lose only the slice under them. RGB in (the box with a margin round it), RGB out."""
    gray = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY)
    dark = (gray < 128).astype(np.uint8)
    h, w = dark.shape
    r0 = min(w, h) / 2 / (1 + 2 * BW_MARGIN)
    ellipse = _refit(dark * 255, ((w / 2, h / 2), (2 * r0, 2 * r0), 0.0))
    yy, xx = np.mgrid[0:h, 0:w]
    rho = _rho(ellipse, np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)).reshape(h, w)
    bins = np.linspace(0.75, 1.1, 71)
    idx = np.digitize(rho, bins)
    share = np.bincount(idx.ravel(), weights=dark.ravel(), minlength=len(bins) + 1) / \
        np.maximum(np.bincount(idx.ravel(), minlength=len(bins) + 1), 1)
    erase = np.zeros_like(dark)
    inner = share[1:len(bins)]  # bins[i-1] <= rho < bins[i]
    if inner.max() >= RING_SHARE:
        peak = int(np.argmax(inner))
        a, b = peak, peak
        while a > 0 and inner[a - 1] >= RING_SHARE:
            a -= 1
        while b + 1 < len(inner) and inner[b + 1] >= RING_SHARE:
            b += 1
        step = bins[1] - bins[0]
        erase |= ((rho >= bins[a] - step) & (rho < bins[b + 1] + step)).astype(np.uint8)
    k = max(3, int(STAR_CORE_MM * dpi / 25.4))
    core = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    core &= (rho < 0.5).astype(np.uint8)
    n, labels, stats, cents = cv2.connectedComponentsWithStats(core)
    for j in range(1, n):  # the star's arms: ink joined to its core, within the star's reach (its tips ~2.6× the core)
        reach = np.zeros_like(dark)
        cv2.circle(reach, (int(cents[j][0]), int(cents[j][1])), int(max(stats[j][2], stats[j][3]) * 1.5), 1, -1)
        seed, arms = (labels == j).astype(np.uint8), dark & reach
        while True:  # morphological reconstruction of the core inside the dark ink it touches
            grown = cv2.dilate(seed, np.ones((3, 3), np.uint8)) & arms
            if np.array_equal(grown, seed):
                break
            seed = grown
        erase |= seed
    out = region.copy()
    out[erase > 0] = 255
    return out


def _smoothed_histogram(values: np.ndarray) -> np.ndarray:
    return np.convolve(np.bincount(values.ravel(), minlength=256)[:256], np.ones(5) / 5, mode="same")


def _mode(values: np.ndarray) -> float:
    """The commonest grey level (0–255) of a ring's dark pixels: its strokes' core, not their lighter rims."""
    return float(np.argmax(_smoothed_histogram(values)))


def _valley(crop: np.ndarray, lo: float, hi: float) -> float:
    """The grey level between the print's (lo) and the ring's (hi) that the fewest pixels of the crop have: where
    toner ends and the seal's ink begins, however dark the scan made both. Halfway when they are too close."""
    a, b = int(lo) + 1, int(hi)
    if b - a < 3:
        return (lo + hi) / 2
    return float(a + np.argmin(_smoothed_histogram(crop)[a:b]))


def find_seals_grey(rgb: np.ndarray, dpi: float, page: int | None = None, source: str = "raster") -> list[Seal]:
    """Seals on a colourless scan, found by shape: a ring 15–60 mm across (Hough circles on a reduced copy)
    that the ring reader reads as a seal (ring text, or a star in a well-covered ring)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    px_per_mm = dpi / 25.4
    f = min(1.0, 60 / dpi)  # Hough at ~60 dpi: a 15 mm seal is still 35 px across
    small = cv2.GaussianBlur(cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), (5, 5), 1.2)
    r0, r1 = int(MIN_MM / 2 * px_per_mm * f), int(MAX_MM / 2 * px_per_mm * f)
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1.2, minDist=r0 * 1.5, param1=120, param2=28,
                               minRadius=r0, maxRadius=r1)
    if circles is None:
        return []
    ink = dark_ink(gray)
    dark = (ink > 80).astype(np.uint8)
    out: list[Seal] = []
    scale = 72 / dpi
    for cx, cy, r in circles[0][:12]:
        cx, cy, r = cx / f, cy / f, r / f
        if any(s.box[0] <= cx * scale <= s.box[2] and s.box[1] <= cy * scale <= s.box[3] for s in out):
            continue
        x0, y0 = max(0, int(cx - r)), max(0, int(cy - r))
        x1, y1 = min(gray.shape[1], int(cx + r) + 1), min(gray.shape[0], int(cy + r) + 1)
        ellipse = ((cx - x0, cy - y0), (2 * r, 2 * r), 0.0)
        cover = _continuous_ring(dark, cx, cy, r)
        if cover < MIN_GREY_RING:
            continue  # no unbroken ring: a circle Hough saw in lines of print
        crop, (ox, oy), cut, level = _without_print(gray, ink, dark, cx, cy, r)
        ring = _read(crop, x0 - ox, y0 - oy, x1 - ox, y1 - oy, ellipse)
        han = sum(1 for ch in ring.text or "" if "\u4e00" <= ch <= "\u9fff")
        if han < 3 and cut is not None and not ring.star:  # a star stamped over print is cut by it: looked for with the
            ring = replace(ring, star=_read(ink, x0, y0, x1, y1, ellipse).star)  # print (its text would be the print's)
        if han < 3 and not (ring.star and cover >= 0.75):
            continue
        d = float(2 * r / px_per_mm)
        out.append(Seal(page, tuple(round(float(v) * scale, 1) for v in (x0, y0, x1, y1)), "round", round(d, 1),
                        round(d, 1), round(min(1.0, 0.5 * cover + 0.5 * (ring.score if ring.text else 0.6)), 3), source,
                        text=ring.text, text_score=ring.score if ring.text else None, star=ring.star, mode="grey",
                        ink_level=level, inner=ring.inner))
    return out


def _rings_inside(mask: np.ndarray, px_per_mm: float) -> list:
    """A seal touched by other red ink (an underline, a signature stroke): find ring-shaped circles in the
    mark (Hough) and judge each on the ink inside its disk alone."""
    h, w = mask.shape
    if max(h, w) < MIN_MM * px_per_mm:
        return []
    blurred = cv2.GaussianBlur(mask * 255, (5, 5), 1.5)
    r0, r1 = int(MIN_MM / 2 * px_per_mm), int(MAX_MM / 2 * px_per_mm)
    circles = cv2.HoughCircles(blurred, cv2.HOUGH_GRADIENT, dp=1.5, minDist=r0, param1=100, param2=25,
                               minRadius=r0, maxRadius=r1)
    candidates = []
    for cx, cy, r in (circles[0][:8] if circles is not None else []):
        rr = r * 1.06
        x0, y0 = max(0, int(cx - rr)), max(0, int(cy - rr))
        x1, y1 = min(w, int(cx + rr) + 1), min(h, int(cy + rr) + 1)
        yy, xx = np.ogrid[y0:y1, x0:x1]
        disk = mask[y0:y1, x0:x1] * (((xx - cx) ** 2 + (yy - cy) ** 2) <= rr * rr)
        ys, xs = np.nonzero(disk)
        if len(xs) == 0:
            continue
        bw, bh = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
        if min(bw, bh) < 0.85 * max(bw, bh):
            continue  # a circle found by Hough holds a round seal's whole disk, not a slice of a bigger mark
        got = classify(disk[ys.min():ys.max() + 1, xs.min():xs.max() + 1], px_per_mm)
        if got:
            candidates.append((x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1, got))
    # the best circle wins where several overlap: a clean round ring beats one that takes in other ink
    candidates.sort(key=lambda c: (c[4][0] == "round", c[4][1]), reverse=True)
    out: list = []
    for c in candidates:
        cx, cy = (c[0] + c[2]) / 2, (c[1] + c[3]) / 2
        if not any(o[0] <= cx <= o[2] and o[1] <= cy <= o[3] for o in out) and \
                not any(c[0] <= (o[0] + o[2]) / 2 <= c[2] and c[1] <= (o[1] + o[3]) / 2 <= c[3] for o in out):
            out.append(c)
    return out


CACHE_SIZE = 256  # images remembered, with the seals found in them
_CACHE: OrderedDict = OrderedDict()


def remembered(key: tuple, search):
    """search() once per key (an image's digest and shown size) in this process: a seal image repeated on pages
    or in documents is searched and its ring read once. The caller copies what it changes."""
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    _CACHE[key] = found = search()
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found


def forget() -> None:
    """Empty the image cache (benchmarks time a cold start with it)."""
    _CACHE.clear()


def image_seal(data: bytes, width_mm: float | None) -> Seal | None:
    """Is an embedded image a seal? The most confident seal in it (shape, size in mm at its displayed size,
    ring text), judged at its displayed size; None when it holds none. Remembered by the image's digest."""
    def search() -> Seal | None:
        rgb = on_white(data)
        if rgb is None or rgb.shape[0] < 20 or rgb.shape[1] < 20:
            return None
        dpi = rgb.shape[1] / (width_mm / 25.4) if width_mm else 300.0
        seals = find_seals_sharp(rgb, dpi, source="docx-image")
        return max(seals, key=lambda s: s.confidence) if seals else None

    got = remembered(("docx", hashlib.md5(data).digest(), round(width_mm or 0, 1)), search)
    return replace(got) if got else None
