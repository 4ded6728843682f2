"""A classical detector of red official seals (公章) in page rasters and embedded images.

Red mask -> group by a ~4 mm dilation -> shape tests on each group (DESIGN.md, "Reading stamps").
OpenCV comes with RapidOCR already, so its connected components and hulls cost no extra install.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np

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


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Seal-red pixels: red hue with some saturation and light, or plainly redder than green and blue."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    by_hue = ((h <= 10) | (h >= 156)) & (s >= 40) & (v >= 70)
    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    by_margin = (r - np.maximum(g, b) >= 25) & (r >= 70)
    return (by_hue | by_margin).astype(np.uint8)


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
    (cx, cy), (w, h), angle = ellipse
    t = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    a, b = w / 2, h / 2
    ca, sa = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    hits = 0
    tol = max(2, int(min(w, h) * 0.04))
    for k in (0.92, 0.96, 1.0):  # the ring's ink sits on or just inside the fitted outline
        xs = cx + k * (a * np.cos(t) * ca - b * np.sin(t) * sa)
        ys = cy + k * (a * np.cos(t) * sa + b * np.sin(t) * ca)
        hit = np.zeros_like(t, dtype=bool)
        for dx in (-tol, 0, tol):
            for dy in (-tol, 0, tol):
                x = np.clip((xs + dx).astype(int), 0, mask.shape[1] - 1)
                y = np.clip((ys + dy).astype(int), 0, mask.shape[0] - 1)
                hit |= mask[y, x] > 0
        hits = max(hits, hit.mean())
    return float(hits)


def _square_edges(mask: np.ndarray) -> float:
    h, w = mask.shape
    band = max(2, int(min(h, w) * 0.08))
    sides = [mask[:band, :].any(axis=0), mask[-band:, :].any(axis=0), mask[:, :band].any(axis=1), mask[:, -band:].any(axis=1)]
    return float(np.mean([s.mean() for s in sides]))


def classify(mask: np.ndarray, px_per_mm: float) -> tuple[str, float] | None:
    """Shape and confidence of one red mark (its own mask, cropped), or None when it is not a seal."""
    h, w = mask.shape
    wmm, hmm = w / px_per_mm, h / px_per_mm
    if not (MIN_MM <= wmm <= MAX_MM and MIN_MM <= hmm <= MAX_MM):
        return None
    density = float(mask.mean())
    if not DENSITY[0] <= density <= DENSITY[1]:
        return None
    pts = cv2.findNonZero(mask)
    if pts is None or len(pts) < 20:
        return None
    hull = cv2.convexHull(pts)
    area, perim = cv2.contourArea(hull), cv2.arcLength(hull, True)
    circularity = 4 * np.pi * area / (perim * perim) if perim else 0.0
    if circularity >= MIN_CIRCULARITY and len(hull) >= 5:
        ellipse = cv2.fitEllipse(hull)
        ring = _ring_coverage(mask, ellipse)
        if ring >= MIN_RING:
            (_, _), (ew, eh), _ = ellipse
            ratio = min(ew, eh) / max(ew, eh)
            shape = "round" if ratio >= 0.9 else "oval"
            return shape, round(min(1.0, 0.5 * ring + 0.5 * circularity), 3)
    aspect = w / h
    if SQUARE_ASPECT[0] <= aspect <= SQUARE_ASPECT[1]:
        edges = _square_edges(mask)
        if edges >= MIN_SQUARE_EDGE and area / (w * h) >= 0.85:
            return "square", round(min(1.0, edges), 3)
    return None


def find_seals(rgb: np.ndarray, dpi: float, page: int | None = None, first_page: bool = False,
               source: str = "raster") -> list[Seal]:
    """Every seal in an image rendered at `dpi`; boxes in points (1/72 inch)."""
    mask = red_mask(rgb)
    if not mask.any():
        return []
    px_per_mm = dpi / 25.4
    k = max(3, int(GROUP_MM * px_per_mm) | 1)
    grouped = cv2.dilate(mask, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    out = []
    height = rgb.shape[0]
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < MIN_MM * px_per_mm * 0.8 or h < MIN_MM * px_per_mm * 0.8:
            continue
        sub = mask[y:y + h, x:x + w] * (labels[y:y + h, x:x + w] == i)
        ys, xs = np.nonzero(sub)
        if len(xs) == 0:
            continue
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        if first_page and y1 < height * LETTERHEAD_BAND and (x1 - x0) > MAX_MM * px_per_mm:
            continue  # a red letterhead across the top of the first page
        got = classify(sub[y0:y1, x0:x1], px_per_mm)
        found = [(x0, y0, x1, y1, got)] if got else _rings_inside(sub, px_per_mm)
        scale = 72 / dpi
        for a0, b0, a1, b1, (shape, conf) in found:
            box = tuple(round(float(v) * scale, 1) for v in (x + a0, y + b0, x + a1, y + b1))
            out.append(Seal(page, box, shape, round(float(a1 - a0) / px_per_mm, 1), round(float(b1 - b0) / px_per_mm, 1),
                            float(conf), source))
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


def image_seal(data: bytes, width_mm: float | None) -> tuple[str, float, float, float] | None:
    """Is an embedded image a seal? Its shape, confidence and displayed size (mm), judged at its displayed size."""
    rgb = on_white(data)
    if rgb is None or rgb.shape[0] < 20 or rgb.shape[1] < 20:
        return None
    dpi = rgb.shape[1] / (width_mm / 25.4) if width_mm else 300.0
    seals = find_seals(rgb, dpi, source="docx-image")
    if not seals:
        return None
    best = max(seals, key=lambda s: s.confidence)
    return best.shape, best.confidence, best.width_mm, best.height_mm
