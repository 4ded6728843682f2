"""Text-PDF tables as the reader found them before `pdf_grid`: PyMuPDF's line-based `find_tables` where
rules are, cells filled glyph by glyph. 5–15× the cost of the grid (a Python object per character);
kept as the reference tests/test_pdf_grid.py and bench/bench_pdf_tables.py compare the grid with.
Known fault the grid fixes: a position under a cell merged downwards (rowspan) in a column other than
the first repeats its left neighbour, not the merged cell."""
from __future__ import annotations

import pymupdf

from kcjs.pipeline.document import Block
from kcjs.pipeline.readers import pdf_textlayer as textlayer
from kcjs.pipeline.readers.pdf_grid import _text
from kcjs.pipeline.readers.pdf_reader import _join


def _ruled_area(page):
    """The box around the page's horizontal and vertical rules, where a ruled table may be; or None.
    (Word and LibreOffice draw cell borders as lines, which have no area: their ends are collected.)"""
    h = v = 0
    xs: list[float] = []
    ys: list[float] = []
    for path in page.get_drawings():
        for item in path["items"]:
            if item[0] == "re":
                h, v = h + 2, v + 2
                r = item[1]
                xs += [r.x0, r.x1]
                ys += [r.y0, r.y1]
            elif item[0] == "l":
                p, q = item[1], item[2]
                if abs(p.y - q.y) < 1 or abs(p.x - q.x) < 1:
                    h += abs(p.y - q.y) < 1
                    v += abs(p.x - q.x) < 1
                    xs += [p.x, q.x]
                    ys += [p.y, q.y]
    if h < 2 or v < 2:
        return None
    area = pymupdf.Rect(min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2)
    return area * page.rotation_matrix if page.rotation else area  # tables are found in the displayed frame


def _find_tables(page, clip):
    """PyMuPDF's line-based table finder, only where rules are. Its layout model (PyMuPDF ≥ 2) costs
    ~160 ms a page and finds the same ruled tables in bench/bench_read.py, so it is switched off."""
    try:
        return page.find_tables(clip=clip, use_layout=False).tables
    except TypeError:  # PyMuPDF < 2 has no layout stage
        return page.find_tables(clip=clip).tables


def finder_tables(page, number: int) -> list[Block]:
    """The page's ruled tables as `pdf_reader._tables` gives them (Blocks with rows, copies, box)."""
    clip = _ruled_area(page)
    if clip is None:
        return []
    out = []
    found = _find_tables(page, clip)
    if found and getattr(found[0], "textpage", None) is not None:  # the finder's own glyphs of the ruled area
        glyphs = textlayer.table_chars(found[0].textpage)
    elif found:
        area = pymupdf.Rect(found[0].bbox)
        for tab in found[1:]:
            area |= pymupdf.Rect(tab.bbox)
        glyphs = textlayer.chars(page, area + (-2, -2, 2, 2))
    for tab in found:
        rows: list[list[str]] = []
        copies: set[tuple[int, int]] = set()
        for r, trow in enumerate(tab.rows):
            resolved = []
            for c, cell in enumerate(trow.cells):
                if cell is None:  # covered by a merged cell: left neighbour, else the cell above
                    text = resolved[c - 1] if c > 0 else (rows[r - 1][c] if r > 0 else "")
                    copies.add((r, c))
                else:
                    text = _cell_text(cell, glyphs)
                resolved.append(text)
            rows.append(resolved)
        out.append(Block(type="table", rows=rows, copies=copies, page=number, box=tuple(tab.bbox)))
    return out


def _cell_text(cell, glyphs) -> str:
    """A ruled cell's text in reading order: its glyphs grouped into lines by baseline, each line left
    to right, wrapped lines joined (PyMuPDF's own cell text sorts by glyph tops, so with an embedded
    CJK font '.' and '、' fall to a line of their own: 28.5万元 read as 285)."""
    x0, y0, x1, y1 = cell
    inside = [g for g in glyphs if x0 <= (g[1] + g[2]) / 2 <= x1 and y0 <= g[3] - 0.3 * g[4] <= y1]
    return _text(inside, _join, cell)  # the grid path's reading order (pdf_grid._text)
