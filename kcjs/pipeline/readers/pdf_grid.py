"""Ruled tables of a text-PDF page, built from its vector rules and filled from its text pieces.

Rules are what `page.get_drawings()` gives: stroked lines, rectangle outlines and thin filled rectangles
(Word and LibreOffice draw cell borders either way), horizontal and vertical. Rules within SNAP pt of one
line are one line, collinear pieces less than JOIN pt apart one rule; the rules of a table cross each other
and form a grid of row and column boundaries; grid squares with no border between them are one merged
cell. The tolerances and the way rules become cells are those of PyMuPDF's line-based `find_tables`
(pdfplumber's), which read these tables before: same cells, without a Python object per character.

Shapes: a rule is (position, start, end) in pt, in the displayed page's frame; a cell (x0, y0, x1, y1);
a table `Grid(box, cells)`; `fill` gives (rows, copies) as `Block.rows` / `Block.copies` want them.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from kcjs.pipeline.headings import ITEM_START
from kcjs.pipeline.readers import pdf_textlayer as textlayer

SNAP = 3.0       # pt: rules this close to one line are moved onto it (their mean position)
JOIN = 3.0       # pt: collinear rules with a gap up to this are one rule
MIN_RULE = 3.0   # pt: a shorter rule is no border; a thinner filled rectangle is a rule, not a box
TOUCH = 3.0      # pt: a rule that ends this close to another still meets it
OVERHANG = 0.5   # pt: a text piece reaching this far past its cell is cut into glyphs (see `tables`)

Rule = tuple[float, float, float]  # position, start, end (pt)
Cell = tuple[float, float, float, float]


@dataclass
class Grid:
    box: Cell
    cells: list[Cell]


def tables(paths: list[dict], pieces: list, glyphs: Callable[[Cell], list], join: Callable[[str, str], str],
           matrix=None) -> list[tuple[Cell, list[list[str]], set[tuple[int, int]]]]:
    """(box, rows, copies) of each ruled table of a page, top to bottom.

    paths: `page.get_drawings()`; matrix: the page's rotation matrix (a /Rotate page), or None.
    pieces: the page's text as `pdf_textlayer.page_text` gives it (text, x0, x1, baseline, size).
    glyphs(box): the glyphs of a box as pieces, asked for only when a text piece crosses a cell border.
    join(a, b): how wrapped lines of a cell are joined (the reader's rule)."""
    hs, vs = rules(paths, pieces, matrix)
    if len(hs) < 2 or len(vs) < 2:
        return []
    out = []
    for g in grids(hs, vs, pieces):
        x0, y0, x1, y1 = g.box
        filled = fill(g, pieces, join)
        if filled is None:  # text crossing a column border: assign glyph by glyph
            filled = fill(g, glyphs((x0 - 2, y0 - 2, x1 + 2, y1 + 2)), join)
        out.append((g.box, *filled))
    return out


def rules(paths: list[dict], pieces: list, matrix=None) -> tuple[list[Rule], list[Rule]]:
    """Horizontal rules (y, x0, x1) and vertical rules (x, y0, y1) of the drawings, snapped and joined.
    Each group of touching drawings with text inside also gives the four sides of its box, as PyMuPDF
    does (a table drawn without its outer border is closed)."""
    hs: list[list[float]] = []
    vs: list[list[float]] = []

    def line(p, q) -> None:
        if matrix is not None:
            p, q = p * matrix, q * matrix
        x0, x1 = (p.x, q.x) if p.x <= q.x else (q.x, p.x)
        y0, y1 = (p.y, q.y) if p.y <= q.y else (q.y, p.y)
        if y0 == y1:
            if x1 - x0 >= 1:
                hs.append([y0, x0, x1])
        elif x1 - x0 <= SNAP and y1 - y0 >= 1:
            vs.append([x0, y0, y1])

    def box(x0, y0, x1, y1) -> None:
        hs.extend(([y0, x0, x1], [y1, x0, x1]))
        vs.extend(([x0, y0, y1], [x1, y0, y1]))

    boxes = []
    for path in paths:
        items = path["items"]
        if not items or textlayer.glyph_count(path):  # text drawn as outlines: its strokes are no rules
            continue
        r = path["rect"] * matrix if matrix is not None else path["rect"]
        boxes.append([r.x0, r.y0, r.x1, r.y1])
        for it in items:
            kind = it[0]
            if kind == "l":
                line(it[1], it[2])
            elif kind == "re":
                rect = it[1].normalize() if matrix is None else (it[1] * matrix).normalize()
                w, h = rect.width, rect.height
                if w <= MIN_RULE and w < h:
                    x = (rect.x0 + rect.x1) / 2
                    vs.append([x, rect.y0, rect.y1])
                elif h <= MIN_RULE and h < w:
                    y = (rect.y0 + rect.y1) / 2
                    hs.append([y, rect.x0, rect.x1])
                elif w or h:
                    box(rect.x0, rect.y0, rect.x1, rect.y1)
            elif kind == "qu":
                ul, ur, ll, lr = it[1]
                for p, q in ((ul, ll), (ll, lr), (lr, ur), (ur, ul)):
                    line(p, q)
        if path.get("closePath") and items[0][0] == "l" and items[-1][0] == "l":
            line(items[-1][2], items[0][1])
    hs = [e for e in hs if e[2] - e[1] >= 1]
    vs = [e for e in vs if e[2] - e[1] >= 1]
    if len(hs) < 2 or len(vs) < 2:
        return [], []
    for x0, y0, x1, y1 in _envelopes(boxes):
        if x1 - x0 > 1 and y1 - y0 > 1 and any(x0 <= p[1] and p[2] <= x1 and y0 <= p[3] - 0.8 * p[4] and p[3] + 0.2 * p[4] <= y1
               for p in pieces if p[0].strip()):
            box(x0, y0, x1, y1)
    hs = [e for e in _join(_snap(hs)) if e[2] - e[1] >= MIN_RULE]
    vs = [e for e in _join(_snap(vs)) if e[2] - e[1] >= MIN_RULE]
    return hs, vs


def _envelopes(boxes: list[list[float]]) -> list[list[float]]:
    """Boxes of drawings grown by every box within SNAP pt of them, until none is (PyMuPDF's grouping)."""
    rest = sorted(boxes, key=lambda b: (b[3], b[0]))
    out = []
    while rest:
        g = rest.pop(0)
        grown = True
        while grown:
            grown = False
            keep = []
            for b in rest:
                if (b[0] <= g[2] + SNAP and g[0] <= b[2] + SNAP and b[1] <= g[3] + SNAP and g[1] <= b[3] + SNAP
                        and _near(g, b)):
                    g = [min(g[0], b[0]), min(g[1], b[1]), max(g[2], b[2]), max(g[3], b[3])]
                    grown = True
                else:
                    keep.append(b)
            rest = keep
        out.append(g)
    return out


def _near(a, b) -> bool:
    """PyMuPDF's `are_neighbors`: a corner coordinate of one within SNAP of the other's extent, in x and y."""
    def one(r1, r2) -> bool:
        return ((r2[0] - SNAP <= r1[0] <= r2[2] + SNAP or r2[0] - SNAP <= r1[2] <= r2[2] + SNAP)
                and (r2[1] - SNAP <= r1[1] <= r2[3] + SNAP or r2[1] - SNAP <= r1[3] <= r2[3] + SNAP))
    return one(a, b) or one(b, a)


def _snap(edges: list[list[float]]) -> list[list[float]]:
    """Rules whose positions chain within SNAP of each other moved to their mean position."""
    edges.sort(key=lambda e: e[0])
    out, group = [], []
    for e in edges:
        if group and e[0] - group[-1][0] > SNAP:
            _settle(group, out)
            group = []
        group.append(e)
    _settle(group, out)
    return out


def _settle(group: list[list[float]], out: list) -> None:
    if group:
        mean = sum(e[0] for e in group) / len(group)
        out.extend([mean, e[1], e[2]] for e in group)


def _join(edges: list[list[float]]) -> list[Rule]:
    """Collinear rules that overlap or are at most JOIN apart as one rule."""
    edges.sort(key=lambda e: (e[0], e[1]))
    out: list[list[float]] = []
    for pos, a, b in edges:
        last = out[-1] if out else None
        if last is not None and last[0] == pos and a <= last[2] + JOIN:
            last[2] = max(last[2], b)
        else:
            out.append([pos, a, b])
    return [tuple(e) for e in out]


def grids(hs: list[Rule], vs: list[Rule], pieces: list) -> list[Grid]:
    """Tables of the rules: each set of rules that cross one another is a grid of row and column
    boundaries; its squares joined where no rule parts them, kept where rules close them all round;
    cells that share a corner are one table, kept when it has two columns or more and some text."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if vy0 <= y + TOUCH and vy1 >= y - TOUCH and hx0 - TOUCH <= x <= hx1 + TOUCH:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list, list]] = {}
    for i, e in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(e)
    for j, e in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(e)
    cells: list[Cell] = []
    for h, v in groups.values():
        if len(h) >= 2 and len(v) >= 2:
            cells += _cells(h, v)
    out = [g for g in _tables_of(cells) if _kept(g, pieces)]
    out.sort(key=lambda g: min((c[1], c[0]) for c in g.cells))
    return out


def _cells(hs: list[Rule], vs: list[Rule]) -> list[Cell]:
    """Cells of one grid: squares between neighbouring boundaries, merged across missing borders; a
    merged group counts only when it is a rectangle with rules on all its sides."""
    xs = sorted({e[0] for e in vs})
    ys = sorted({e[0] for e in hs})
    nr, nc = len(ys) - 1, len(xs) - 1
    by_x: dict[float, list[Rule]] = {}
    by_y: dict[float, list[Rule]] = {}
    for e in vs:
        by_x.setdefault(e[0], []).append(e)
    for e in hs:
        by_y.setdefault(e[0], []).append(e)

    def ruled(lines: list[Rule], a: float, b: float) -> bool:
        return any(s <= a + TOUCH and e >= b - TOUCH for _, s, e in lines)

    # vert[r][c]: a rule on x = xs[c] between ys[r] and ys[r+1]; horiz[r][c]: on y = ys[r] between xs[c] and xs[c+1]
    vert = [[ruled(by_x[xs[c]], ys[r], ys[r + 1]) for c in range(nc + 1)] for r in range(nr)]
    horiz = [[ruled(by_y[ys[r]], xs[c], xs[c + 1]) for c in range(nc)] for r in range(nr + 1)]
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not vert[r][c + 1]:
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr and not horiz[r + 1][c]:
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            members.setdefault(find(r * nc + c), []).append((r, c))
    out = []
    for sq in members.values():
        r0, r1 = min(r for r, _ in sq), max(r for r, _ in sq)
        c0, c1 = min(c for _, c in sq), max(c for _, c in sq)
        if len(sq) != (r1 - r0 + 1) * (c1 - c0 + 1):
            continue
        closed = (all(horiz[r0][c] and horiz[r1 + 1][c] for c in range(c0, c1 + 1))
                  and all(vert[r][c0] and vert[r][c1 + 1] for r in range(r0, r1 + 1)))
        if closed:
            out.append((xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
    return out


def _tables_of(cells: list[Cell]) -> list[Grid]:
    """Cells that share a corner, directly or through others, as one table."""
    owner: dict[tuple[float, float], int] = {}
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[find(i)] = find(j)
    groups: dict[int, list[Cell]] = {}
    for i, c in enumerate(cells):
        groups.setdefault(find(i), []).append(c)
    return [Grid((min(c[0] for c in g), min(c[1] for c in g), max(c[2] for c in g), max(c[3] for c in g)), g)
            for g in groups.values()]


def _kept(g: Grid, pieces: list) -> bool:
    """Two cell columns or more, and some text on it (a frame around a paragraph is no table)."""
    if len({c[0] for c in g.cells}) < 2 or len({c[2] for c in g.cells}) < 2:
        return False
    x0, y0, x1, y1 = g.box
    return any(p[1] < x1 and p[2] > x0 and p[3] - 0.8 * p[4] < y1 and p[3] + 0.2 * p[4] > y0
               for p in pieces if p[0].strip())


def fill(g: Grid, pieces: list, join: Callable[[str, str], str]) -> tuple[list[list[str]], set[tuple[int, int]]] | None:
    """Rows of the table's cell texts, and the grid positions that repeat a merged cell; None when a
    piece runs across a cell border (its glyphs must be placed one by one).

    Rows are the cells' distinct tops, columns their distinct left sides; a position a merged cell
    covers repeats that cell's text. A piece belongs to the cell holding its middle, at 0.3 of its size
    above its baseline; a cell's pieces are read line by line (baselines within half a size), each line
    left to right, wrapped lines joined by `join`."""
    xs = sorted({v for c in g.cells for v in (c[0], c[2])})
    ys = sorted({v for c in g.cells for v in (c[1], c[3])})
    at: dict[tuple[int, int], int] = {}
    for k, (x0, y0, x1, y1) in enumerate(g.cells):
        for r in range(ys.index(y0), ys.index(y1)):
            for c in range(xs.index(x0), xs.index(x1)):
                at[r, c] = k
    inside: list[list] = [[] for _ in g.cells]
    bx0, by0, bx1, by1 = g.box
    for p in pieces:
        mx, my = (p[1] + p[2]) / 2, p[3] - 0.3 * p[4]
        if not (bx0 <= mx <= bx1 and by0 <= my <= by1):
            continue
        k = at.get((min(bisect_right(ys, my), len(ys) - 1) - 1, min(bisect_right(xs, mx), len(xs) - 1) - 1))
        if k is None:
            continue
        cell = g.cells[k]
        if (p[1] < cell[0] - OVERHANG or p[2] > cell[2] + OVERHANG) and len(p[0].strip()) > 1:
            return None
        inside[k].append(p)
    texts = [_text(ps, join, cell) for ps, cell in zip(inside, g.cells)]
    tops = sorted({c[1] for c in g.cells})
    lefts = sorted({c[0] for c in g.cells})
    rows, copies = [], set()
    for r, y in enumerate(tops):
        row = []
        for c, x in enumerate(lefts):
            k = at.get((ys.index(y), xs.index(x)))
            if k is None:
                row.append("")
                continue
            row.append(texts[k])
            if g.cells[k][:2] != (x, y):
                copies.add((r, c))
        rows.append(row)
    return rows, copies


_DONE = re.compile(r"[。；;！!？?：:]$")


def _text(pieces: list, join: Callable[[str, str], str], cell: Cell) -> str:
    """A cell's text: its pieces line by line, wrapped lines joined by `join`; a line that starts a list
    item ("2." "（2）" "②" "二、") or follows a finished sentence ending short of the cell's right side
    (a paragraph of its own in Word) starts on a new line ("\n"), as the .docx reader gives a cell's
    paragraphs."""
    pieces.sort(key=lambda p: p[3])
    lines: list[list] = []
    for p in pieces:
        if lines and abs(p[3] - lines[-1][0]) <= 0.5 * p[4]:
            lines[-1][1].append(p)
        else:
            lines.append([p[3], [p]])
    text, prev_x1 = "", None
    for _, row in lines:
        row.sort(key=lambda p: p[1])
        line = "".join(p[0] for p in row).strip()
        size = max(p[4] for p in row)
        if text and line and (ITEM_START.match(line) or (_DONE.search(text) and prev_x1 < cell[2] - 3 * size)):
            text += "\n" + line
        else:
            text = join(text, line)
        prev_x1 = max(p[2] for p in row if p[0].strip()) if line else prev_x1
    return text
