"""Text-PDF tables from the ruling lines (pdf_grid) against PyMuPDF's find_tables (pdf_finder), the way
they were read before: real PDFs drawn as Word, LibreOffice and WPS draw tables, read both ways, cell
by cell."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pymupdf
import pytest

from kcjs.corpus import real_pdf as rp
from kcjs.corpus.gen import A4, CJK, Para, Tbl, docx_bytes, pdf_bytes, sample_application
from kcjs.pipeline.readers import Limits, pdf_finder, pdf_reader, read_bytes
from kcjs.pipeline.readers import pdf_textlayer as textlayer
from tests.tools import needs

NO_SEALS = Limits(seals=False)
SAMPLES = Path(__file__).resolve().parents[1] / "kcjs" / "corpus" / "samples"
ROWS = [["序号", "目标任务", "单位", "目标值"],
        ["1", "解决企业重点难点技术问题", "个", "7"],
        ["2", "科技成果转化落地", "项", "5"],
        ["3", "新增企业会员单位", "家", "12"]]


def draw_table(page, rows, merges=(), style="rect", x0=72.0, y0=100.0, cw=110.0, rh=40.0, inner=True):
    """A ruled table as office programs draw it. style: 'rect' (a stroked rectangle per cell), 'lines'
    (one stroked line per border, as LibreOffice and Word export), 'filled' (thin filled rectangles,
    as WPS and Word write borders). merges: (r0, c0, r1, c1) inclusive, the text in the top-left cell.
    inner=False: only the table's outer box is drawn."""
    nr, nc = len(rows), len(rows[0])
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
               if (r, c) != (r0, c0)}
    shape = page.new_shape()

    def rule(a, b):
        if style == "filled":
            shape.draw_rect(pymupdf.Rect(a.x - 0.25, a.y - 0.25, b.x + 0.25, b.y + 0.25))
        else:
            shape.draw_line(a, b)

    cells = []
    for r in range(nr):
        for c in range(nc):
            if (r, c) in covered:
                continue
            r1, c1 = next(((m[2], m[3]) for m in merges if m[:2] == (r, c)), (r, c))
            cells.append((pymupdf.Rect(x0 + c * cw, y0 + r * rh, x0 + (c1 + 1) * cw, y0 + (r1 + 1) * rh), rows[r][c]))
    if not inner:
        box = pymupdf.Rect(x0, y0, x0 + nc * cw, y0 + nr * rh)
        shape.draw_rect(box)
    elif style == "rect":
        for rect, _ in cells:
            shape.draw_rect(rect)
    else:
        for rect, _ in cells:
            for a, b in ((rect.tl, rect.tr), (rect.bl, rect.br), (rect.tl, rect.bl), (rect.tr, rect.br)):
                rule(a, b)
    shape.finish(color=None if style == "filled" else (0, 0, 0), fill=(0, 0, 0) if style == "filled" else None,
                 width=0.5)
    shape.commit()
    for rect, text in cells:
        page.insert_textbox(rect + (4, 6, -4, 0), text, fontname=CJK, fontsize=10.5, lineheight=1.3)


def one_page(rows, rotate=0, **kw) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.insert_text((72, 80), "一、申报单位基本情况", fontname=CJK, fontsize=15)
    draw_table(page, rows, **kw)
    page.insert_text((72, 400), "本单位承诺所填内容真实有效。", fontname=CJK, fontsize=12)
    if rotate:
        page.set_rotation(rotate)
    return doc.tobytes()


class Box(tuple):
    """A table's box, equal to another within 1 pt (the two paths snap rules to slightly different means)."""

    def __eq__(self, other) -> bool:
        return len(self) == len(other) and all(abs(a - b) <= 1 for a, b in zip(self, other))

    __hash__ = tuple.__hash__


def both(data: bytes) -> list[tuple[list, list]]:
    """Each text page's tables read both ways: (find_tables, pdf_grid), as (rows, copies, box)."""
    out = []
    for n, page in enumerate(pymupdf.open(stream=data, filetype="pdf"), 1):
        pieces = textlayer.page_text(page)[1]
        old = [(t.rows, t.copies, Box(t.box)) for t in pdf_finder.finder_tables(page, n)]
        new = [(t.rows, t.copies, Box(t.box)) for t in pdf_reader._tables(page, n, pieces)]
        out.append((old, new))
    return out


@pytest.mark.parametrize("style", ["rect", "lines", "filled"])
def test_simple_grid_every_border_style(style):
    [(old, new)] = both(one_page(ROWS, style=style))
    assert len(new) == 1 and new[0][0] == ROWS and new[0][1] == set()
    assert new == old


@pytest.mark.parametrize("style", ["rect", "lines", "filled"])
def test_cell_merged_across_columns(style):
    rows = [r[:] for r in ROWS]
    rows[2][2] = rows[2][3] = ""  # covered by 项 merged across the last two columns
    [(old, new)] = both(one_page(rows, merges=[(2, 1, 2, 3)], style=style))
    want = [r[:] for r in ROWS]
    want[2][2:] = [want[2][1]] * 2
    assert new[0][0] == want and new[0][1] == {(2, 2), (2, 3)}
    assert new == old


def test_cell_merged_down_repeats_the_merged_cell():
    """A rowspan in column 2: each position under it repeats the merged cell (find_tables copied the
    left neighbour there: the one place the two paths differ, and the grid is right)."""
    rows = [r[:] for r in ROWS]
    rows[2][2] = rows[3][2] = ""
    [(old, new)] = both(one_page(rows, merges=[(1, 2, 3, 2)], style="lines"))
    assert [r[2] for r in new[0][0]] == ["单位", "个", "个", "个"]
    assert new[0][1] == {(2, 2), (3, 2)}
    assert [r[2] for r in old[0][0]] == ["单位", "个", "科技成果转化落地", "新增企业会员单位"]  # the old fault
    assert [r[:2] + r[3:] for r in new[0][0]] == [r[:2] + r[3:] for r in old[0][0]]


def test_cell_merged_both_ways():
    rows = [["项目名称", "产业院士协同创新中心建设项目", "", ""],
            ["申报单位", "江苏省机械工程学会", "", ""],
            ["", "", "联系人", "张华"],
            ["联系电话", "025-83625054", "申报日期", "2024年3月20日"]]
    [(old, new)] = both(one_page(rows, merges=[(0, 1, 0, 3), (1, 1, 2, 1), (1, 0, 2, 0)], style="rect"))
    got, copies = new[0][0], new[0][1]
    assert got[0] == ["项目名称"] + ["产业院士协同创新中心建设项目"] * 3
    assert got[2][:2] == ["申报单位", "江苏省机械工程学会"] and (2, 0) in copies and (2, 1) in copies
    assert got[3] == rows[3]
    assert old[0][0][0] == got[0]


def test_outer_box_only_is_no_table_either_way():
    """A box around tab-aligned text has one cell: no table on either path; its lines stay text."""
    data = one_page(ROWS, inner=False)
    [(old, new)] = both(data)
    assert old == new == []
    doc = read_bytes("box.pdf", data, NO_SEALS)
    assert not [b for b in doc.blocks if b.type == "table"]
    assert any(b.text == "序号\t目标任务\t单位\t目标值" for b in doc.blocks)


@pytest.mark.parametrize("angle", [0, 90, 270])
def test_two_tables_on_a_page_upright_or_stored_with_rotate(angle):
    """A /Rotate page whose content is drawn turned back (it looks upright): tables in the displayed frame."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    draw_table(page, ROWS[:2], y0=100)
    draw_table(page, ROWS[2:], y0=300, style="filled")
    data = rp.rotated_pages(doc.tobytes(), {1: angle})
    [(old, new)] = both(data)
    assert [t[0] for t in new] == [ROWS[:2], ROWS[2:]]
    assert new == old


def test_text_run_across_a_column_border_is_split_by_glyph():
    """One text run drawn across a column rule (a value that overflows its cell): its glyphs go to the
    cells their middles are in, as find_tables put them."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    draw_table(page, [["甲", "乙"], ["", ""]], cw=80)
    page.insert_text((76, 150), "一二三四五六七八九十", fontname=CJK, fontsize=12)  # crosses x = 152
    [(old, new)] = both(doc.tobytes())
    assert new[0][0][1] == ["一二三四五六", "七八九十"]
    assert new == old


def test_table_across_a_page_break_is_one_table():
    rows = [["序号", "目标任务", "单位", "目标值"]] + [[str(i), f"第{i}项重点任务", "项", str(i * 2)] for i in range(1, 40)]
    data = pdf_bytes([Para("一、目标任务", 1), Tbl(rows)], border_lines=True)
    assert len(pymupdf.open(stream=data, filetype="pdf")) == 2
    pages = both(data)
    assert all(old == new for old, new in pages) and all(new for _, new in pages)
    [t] = [b for b in read_bytes("long.pdf", data, NO_SEALS).blocks if b.type == "table"]
    assert t.rows == rows


def test_bundled_samples_and_generated_documents_agree():
    files = sorted(SAMPLES.glob("*.pdf"))
    datas = [p.read_bytes() for p in files] + [pdf_bytes(sample_application(6)),
                                              pdf_bytes(sample_application(3), border_lines=True)]
    n = 0
    for data in datas:
        try:
            pages = both(data)
        except pymupdf.FileDataError:  # the bundled damaged file
            continue
        for old, new in pages:
            assert new == old
            n += len(new)
    assert n >= 6


@needs("soffice")
def test_libreoffice_export_reads_the_same_tables(tmp_path):
    """A form with merged cells exported by LibreOffice (borders as lines): both paths agree, and the
    cells are those of the .docx."""
    src = sample_application(2) + [Tbl([["项目名称", "示范项目", "", ""], ["联系人", "张华", "联系电话", "025-83625054"]],
                                       [(0, 1, 0, 3)])]
    docx = tmp_path / "form.docx"
    docx.write_bytes(docx_bytes(src))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    data = (tmp_path / "form.pdf").read_bytes()
    pages = both(data)
    assert all(old == new for old, new in pages)
    want = [b.rows for b in read_bytes("form.docx", docx.read_bytes(), NO_SEALS).blocks if b.type == "table"]
    got = [b.rows for b in read_bytes("form.pdf", data, NO_SEALS).blocks if b.type == "table"]
    assert got == want


def test_table_without_left_and_right_borders_is_closed_by_its_box():
    """Rows ruled across, inner columns ruled, no outer verticals (a common 三线表-like style): the box
    around the drawings closes the first and last columns, as PyMuPDF means to (its own text test for
    that box looks at mirrored y coordinates, so find_tables closes such a table only by chance)."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    x0, y0, cw, rh = 72.0, 100.0, 110.0, 40.0
    shape = page.new_shape()
    for r in range(len(ROWS) + 1):
        shape.draw_line((x0, y0 + r * rh), (x0 + 4 * cw, y0 + r * rh))
    for c in (1, 2, 3):
        shape.draw_line((x0 + c * cw, y0), (x0 + c * cw, y0 + len(ROWS) * rh))
    shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            page.insert_textbox(pymupdf.Rect(x0 + c * cw + 4, y0 + r * rh + 6, x0 + (c + 1) * cw - 4, y0 + (r + 1) * rh),
                                text, fontname=CJK, fontsize=10.5, lineheight=1.3)
    [(old, new)] = both(doc.tobytes())
    assert [t[0] for t in new] == [ROWS]
