"""Partial seals cut by a page's edge, and the 骑缝章 they make across consecutive pages (no OpenCV here:
checkers use it)."""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median


@dataclass
class EdgePart:
    """A partial seal cut by a page's left or right edge: one page's share of a 骑缝章."""
    page: int
    edge: str                                   # left | right
    box: tuple[float, float, float, float]      # points
    centre_y: float                             # points: the fitted circle's centre
    radius_mm: float


def cross_page_seals(parts: list[EdgePart]) -> list[dict]:
    """Chains of partial seals on consecutive pages that line up (one 骑缝章): the right edge of page n with
    the left edge of page n+1 (a spread), or the same edge of a fanned stack; at most 20 mm apart vertically,
    radii within 25 %. Each: {pages, edge, diameter_mm}."""
    by_page: dict[int, list[EdgePart]] = {}
    for p in parts:
        by_page.setdefault(p.page, []).append(p)
    chains: list[list[EdgePart]] = []
    used: set[int] = set()
    for p in sorted(parts, key=lambda q: q.page):
        if id(p) in used:
            continue
        chain = [p]
        used.add(id(p))
        while True:
            last = chain[-1]
            nxt = [q for q in by_page.get(last.page + 1, []) if id(q) not in used
                   and (q.edge == last.edge or (last.edge, q.edge) == ("right", "left"))
                   and abs(q.centre_y - last.centre_y) <= 20 * 72 / 25.4
                   and abs(q.radius_mm - last.radius_mm) <= 0.25 * max(q.radius_mm, last.radius_mm)]
            if not nxt:
                break
            chain.append(nxt[0])
            used.add(id(nxt[0]))
        if len(chain) > 1:
            chains.append(chain)
    return [{"pages": [p.page for p in c], "edge": c[0].edge if all(p.edge == c[0].edge for p in c) else "spread",
             "diameter_mm": round(2 * median(p.radius_mm for p in c), 1)} for c in chains]


def not_parts(seals: list, parts: list[EdgePart]) -> list:
    """The seals that are not a partial seal at the page's edge: a 骑缝章's share of a page is reported in
    cross_page_seals, never as a seal of its own (half a ring can read as an oval with ring text)."""
    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return max(w, 0) * max(h, 0) / max((a[2] - a[0]) * (a[3] - a[1]), 1e-6)
    return [s for s in seals if not any(p.page == s.page and overlap(s.box, p.box) > 0.5 for p in parts)]
