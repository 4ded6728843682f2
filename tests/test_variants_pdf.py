"""Held-back variants of the PDF and scan reading kinds (issue 10's handed cases, made the way other
clients, drivers and scanners make them): fake bold drawn three times, 1 pt apart or diagonally, or by
text render mode 2; outlined text (转曲) under a stamped-on header or as one path per line; /Rotate
inherited from the page tree or mixed in one file; cover values in another type size or after a colon
column; glyphs drawn out of reading order in an embedded CJK font; list items inside a ruled cell;
scans fed askew, and scans carrying a scanner's invisible OCR layer. Each file is written to tmp_path
and checked as `kcjs check` reads it."""
from __future__ import annotations

import json

import pymupdf
import pytest

from kcjs.checkers.names import SEAL_MIN_RATIO, seal_name_ratio
from kcjs.corpus import real_pdf as rp
from kcjs.corpus.gen import A4, CJK, Para, Tbl, pdf_bytes, sample_application, scan_pdf_bytes, seal_png
from kcjs.pipeline.check import Given, check_document
from kcjs.pipeline.readers import Limits, read_bytes, read_document
from tests.test_read_pdf import han_recall

NO_SEALS = Limits(seals=False)
needs_noto = pytest.mark.skipif(rp.noto_cjk() is None, reason=f"fonts-noto-cjk ({rp.NOTO_CJK}) is not installed")


def checked(pack, path, kind: str = "application") -> dict:
    doc = read_document(path, NO_SEALS)
    return check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind(kind)))


@pytest.fixture(scope="module")
def base():
    data = pdf_bytes(sample_application(3))
    return data, read_bytes("a.pdf", data, NO_SEALS)


# --- fake bold ----------------------------------------------------------------------------------

@pytest.mark.parametrize("offsets", [((0.3, 0.0), (0.6, 0.0)), ((1.0, 0.0),), ((0.4, 0.4),), ((0.5, 0.0), (0.5, -0.5))],
                         ids=["three-times", "1pt", "diagonal", "diagonal-three-times"])
def test_fake_bold_copies_count_once(base, offsets, tmp_path):
    data, doc = base
    path = tmp_path / "bold.pdf"
    path.write_bytes(rp.fake_bold_copies(data, offsets))
    got = read_document(path, NO_SEALS)
    assert got.body_text() == doc.body_text()  # 1 pt: glyphs at x.5 and x+1.5 fell into grid cells 2 apart


def test_render_mode_bold_is_drawn_once(base, tmp_path):
    data, doc = base
    path = tmp_path / "tr2.pdf"
    path.write_bytes(rp.render_mode_bold(data))
    assert b"2 Tr" in pymupdf.open(path)[0].read_contents()
    assert read_document(path, NO_SEALS).body_text() == doc.body_text()


# --- rotation -----------------------------------------------------------------------------------

def test_mixed_and_inherited_rotations_read_in_display_order(base, tmp_path):
    data, doc = base
    for name, pdf in (("mixed.pdf", rp.rotated_pages(data, {1: 90, 2: 180, 3: 270})),
                      ("inherited.pdf", rp.rotate_inherited(data, 270))):
        path = tmp_path / name
        path.write_bytes(pdf)
        assert pymupdf.open(path)[0].rotation in (90, 270)
        assert read_document(path, NO_SEALS).body_text() == doc.body_text()


# --- covers -------------------------------------------------------------------------------------

COVER = [("项目类别", "产业院士协同创新中心"), ("项目名称", "示例产业协同创新服务平台建设"), ("申报单位", "江苏省示例学会"),
         ("项目负责人", "王  一"), ("联系电话", "025-12345678"), ("申报日期", "2024年3月20日")]


def cover(label_size: float, value_size: float, rise: float, spread: bool = True) -> bytes:
    """A WPS/Word cover: labels in one size (spread, or set left with the colon in a column of its
    own), each value in another size `rise` pt above its label's baseline, on an underline."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.insert_text((200, 170), "项目申报书", fontname=CJK, fontsize=22)
    y = 300.0
    for label, value in COVER:
        if spread:
            step = (110 - label_size) / (len(label) - 1)
            for k, ch in enumerate(label):
                page.insert_text((140 + k * step, y), ch, fontname=CJK, fontsize=label_size)
        else:
            page.insert_text((140, y), label, fontname=CJK, fontsize=label_size)
        page.insert_text((250, y), "：", fontname=CJK, fontsize=label_size)
        page.insert_text((275, y - rise), value, fontname=CJK, fontsize=value_size)
        page.draw_line((270, y + 3), (470, y + 3), width=0.6)
        y += 33
    return doc.tobytes()


@pytest.mark.parametrize("label_size,value_size,rise,spread", [(14, 12, 6, True), (12, 15, 6, True), (16, 14, 8, True),
                                                                (12, 12, 6, False), (12, 12, 3, True)])
def test_cover_value_in_another_size_or_after_a_colon_column(pack, tmp_path, label_size, value_size, rise, spread):
    path = tmp_path / "cover.pdf"
    path.write_bytes(rp.with_cover(cover(label_size, value_size, rise, spread), pdf_bytes(sample_application(1))))
    doc = read_document(path, NO_SEALS)
    texts = [b.text for b in doc.blocks if b.page == 1 and b.type == "paragraph"]
    assert texts == [f"{label}：{value}" for label, value in COVER]
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    assert r["metrics"]["applicant_name"] == "江苏省示例学会"
    assert "template.placeholder_left" not in {f["rule"] for f in r["findings"]}


# --- tables -------------------------------------------------------------------------------------

BUDGET = [["项目类别", "产业院士协同创新中心"], ["经费预算", "申请资助经费28.50万元；其中会议费10.5万元、差旅费8万元。"],
          ["资金来源", "申请资助经费贰拾捌点伍万元，自筹经费10.25万元。"]]


@needs_noto
@pytest.mark.parametrize("order", ["han-first", "reverse", "split"])
def test_cells_drawn_out_of_reading_order_read_in_order(tmp_path, order):
    content = [Para("五、经费预算", 1), Tbl(BUDGET)]
    path = tmp_path / "t.pdf"
    path.write_bytes(rp.redrawn(pdf_bytes(content, fontfile=rp.noto_cjk(), border_lines=True), rp.noto_cjk(), order))
    naive = pymupdf.open(path)[0].get_text()
    assert "28.50万元；" not in naive or order == "split"  # the content stream's order is not the reading order
    t = next(b for b in read_document(path, NO_SEALS).blocks if b.type == "table")
    assert t.rows == BUDGET


def target_page(pack, in_table: bool, marker=lambda k: f"（{k}）"):
    """A one-page 申报书 whose target list is numbered items, in a ruled cell or as paragraphs."""
    s = pack.subprogram("academician-center")
    values = {t.id: float(int(t.min) + 1 + k) for k, t in enumerate(s.targets)}
    items = [f"{marker(k)}\u3000{t.name.split('（')[0]}：{values[t.id]:g}{t.unit}" for k, t in enumerate(s.targets, 1)]
    listed = [Tbl([["年度目标", "\n".join(items)]])] if in_table else [Para(i) for i in items]
    body = [Para("一、申报单位基本情况", 1), Para("本单位长期服务全省重点产业发展。"), Para("二、前期工作基础", 1),
            Para("已建立专家库与企业需求库。"), Para("三、项目实施方案", 1), Para("按季度召开对接会。"),
            Para("四、年度目标任务", 1), *listed, Para("五、经费预算", 1), Para("申请资助经费30万元，全部用于项目实施。")]
    return pdf_bytes(body, header=None, page_numbers=False), items, values


@pytest.mark.parametrize("marker", [lambda k: f"{k}.", lambda k: f"（{k}）", lambda k: chr(0x245F + k)],
                         ids=["1.", "（1）", "①"])
def test_list_inside_a_ruled_cell_keeps_its_items_apart(pack, tmp_path, marker):
    data, items, values = target_page(pack, True, marker)
    path = tmp_path / "list.pdf"
    path.write_bytes(data)
    t = next(b for b in read_document(path, NO_SEALS).blocks if b.type == "table")
    assert t.rows[0][1].split("\n") == items
    assert checked(pack, path)["metrics"]["targets"] == values


# --- outlines (OCR: one page each) --------------------------------------------------------------

def test_outlines_under_a_stamped_header_and_one_path_per_line_are_ocred(tmp_path):
    data = pdf_bytes([Para("一、申报单位基本情况", 1), Para(sample_application(1)[5].text),
                      Para("二、年度目标任务", 1), Para("全年推动解决企业重点难点技术问题不少于6个。")])
    source = read_bytes("a.pdf", data, NO_SEALS).body_text()
    for name, pdf in (("header.pdf", rp.outlined_pages(data, keep_text=("2024年度科创江苏", "第 "))),
                      ("lines.pdf", rp.outlined_pages(data, per_line=True))):
        path = tmp_path / name
        path.write_bytes(pdf)
        doc = read_document(path, NO_SEALS)
        assert [p.ocr_reason for p in doc.pages] == ["outlines"], name
        assert han_recall(source, doc.body_text()) >= 0.95, name


def test_text_pages_with_a_table_and_headers_are_not_taken_for_outlines(base):
    _, doc = base
    assert all(p.source == "text" for p in doc.pages)


# --- scans (OCR) --------------------------------------------------------------------------------

@pytest.mark.parametrize("deg", [3.0, -1.5])
def test_scan_fed_askew_keeps_its_table_rows(pack, tmp_path, deg):
    s = pack.subprogram("academician-center")
    values = {t.id: float(int(t.min) + 2) for t in s.targets}
    rows = [["序号", "目标任务", "单位", "通知最低要求", "本单位目标值"]]
    rows += [[str(k), t.name.split("（")[0], t.unit, f"{t.min:g}", f"{values[t.id]:g}"] for k, t in enumerate(s.targets, 1)]
    data = pdf_bytes([Para("四、年度目标任务", 1), Tbl(rows), Para("五、经费预算", 1), Para("申请资助经费30万元。")],
                     header=None, page_numbers=False)
    path = tmp_path / "askew.pdf"
    path.write_bytes(scan_pdf_bytes(data, dpi=150, rotate_deg=deg, seed=4))
    doc = read_document(path, NO_SEALS)
    t = next(b for b in doc.blocks if b.type == "table")
    assert len(t.rows) == len(rows) and len(t.rows[0]) == 5
    r = check_document(doc, pack, Given(subprogram=s, kind=pack.kind("application")))
    assert r["metrics"]["targets"] == values


FORM_COVER = [("项目名称：", "示例学会服务产业创新项目"), ("申报单位（盖章）", "江苏省示例学会"), ("项目负责人：", "王明"),
              ("联系电话：", "025-83625054"), ("起止时间：", "2024年4月1日至2024年12月31日"), ("填报日期：", "2024年3月15日")]


def centred_cover(seal_text: str | None) -> bytes:
    """Our template's cover as LibreOffice exports it filled in: labels at one left edge, each value
    centred on its underline, and a seal image (of `seal_text`) over the 申报单位 label."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.insert_text((160, 180), "2024年度“科创江苏”专项计划", fontname=CJK, fontsize=20)
    page.insert_text((225, 225), "项目申报书", fontname=CJK, fontsize=26)
    y = 320.0
    for label, value in FORM_COVER:
        page.insert_text((82, y), label, fontname=CJK, fontsize=14)
        w = pymupdf.get_text_length(value, fontname=CJK, fontsize=14)
        page.insert_text((431 - w / 2, y), value, fontname=CJK, fontsize=14)
        page.draw_line((283, y + 8), (580, y + 8), width=0.6)
        y += 51
    if seal_text:
        page.insert_image(pymupdf.Rect(170, 310, 283, 423), stream=seal_png(diameter_px=320, text=seal_text))
    return doc.tobytes()


@pytest.mark.parametrize("dpi,colour,over_values", [(200, True, False), (150, False, False), (200, True, True),
                                                    (200, False, True), (150, False, True)],
                         ids=["colour-200dpi", "grey-150dpi", "colour-over-values", "grey-over-values", "grey-150-over-values"])
def test_scanned_cover_with_centred_values_reads_the_applicant_and_the_seal(pack, tmp_path, dpi, colour, over_values):
    """The centred values start anywhere, so the rows do not line up in columns: the cover is still a
    label | value table, its applicant is read, and another unit's seal on it is a name mismatch. A seal stamped
    over the values (ink over toner, its ring text across three rows) is dropped out before OCR, red or grey: the
    values under it are read, not its ring text (reviewer: grey scans gave five 未填写)."""
    data = rp.with_cover(centred_cover(None if over_values else "江苏省机械工程学会"), target_page(pack, False)[0])
    path = tmp_path / "form-scan.pdf"
    stamp = {"seal_pages": (1,), "seal_at": (0.6, 0.35)} if over_values else {}
    path.write_bytes(scan_pdf_bytes(data, dpi=dpi, seed=7, colour=colour, **stamp))
    doc = read_document(path)
    cover = next(b for b in doc.blocks if b.type == "table" and b.page == 1)
    assert [row[1] for row in cover.rows] == [value for _, value in FORM_COVER]  # (a label under the seal may misread)
    assert {len(row) for row in cover.rows} == {2}
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    rules = [f["rule"] for f in r["findings"]]
    assert r["metrics"]["applicant_name"] == "江苏省示例学会"
    assert "template.placeholder_left" not in rules
    assert rules.count("stamp.name_mismatch") == 1
    read = [s["text"] for s in r["metrics"]["seals"]]  # over print, grey: a ring character may slip
    assert len(read) == 1 and seal_name_ratio(read[0], "江苏省机械工程学会") >= SEAL_MIN_RATIO


def test_one_bit_cover_scan_reads_the_values_past_the_seals_ring_and_star(pack):
    """A black-and-white (1-bit) scan: the seal over the values is as black as the print, so its ink cannot be dropped
    by level; its ring stroke and star are whitened by shape. Wrong before: the row its ring text crossed was lost
    and called 未填写 (项目名称), and the applicant under its ring read wrong."""
    from tests import seal_variants as sv
    data = rp.with_cover(centred_cover(None), target_page(pack, False)[0])
    w, h = A4
    marks = sv.stamp_marks(sv.seal("江苏省示例学会", int(200 * 40 / 25.4)), 0, (w * 0.72, h * 0.42))
    doc = read_bytes("bw-cover.pdf", sv.scan(data, 200, mode="grey", marks=marks, threshold=150))
    assert [(s.page, s.mode, s.star) for s in doc.seals] == [(1, "grey", True)]
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    rules = [f["rule"] for f in r["findings"]]
    assert "template.placeholder_left" not in rules and "stamp.name_mismatch" not in rules
    cover = next(b for b in doc.blocks if b.type == "table" and b.page == 1)
    name = [row[1] for row in cover.rows if row[0] == "项目名称："]  # its ring text crosses the row: a character may mix in
    assert len(name) == 1 and seal_name_ratio(name[0], "示例学会服务产业创新项目") >= 70


def test_a_value_not_read_under_a_seal_on_a_scan_is_not_called_empty(pack):
    """A label read by OCR whose value is not: when a seal lies across that line, the value may be under it
    (template.value_under_seal, a warning to look), not 未填写; in a text layer the value would have been read."""
    from kcjs.checkers import placeholders
    from kcjs.checkers.context import Requirements
    from kcjs.pipeline.document import Block, Document, Page
    from kcjs.pipeline.seals import Seal

    def findings(source: str, seal_box: tuple) -> list[tuple[str, str]]:
        doc = Document("x.pdf", "pdf", pages=[Page(1, 595, 842)],
                       blocks=[Block("paragraph", "项目名称：", page=1, source=source, box=(80, 300, 150, 322))],
                       seals=[Seal(1, seal_box, "round", 40, 40, 0.9, "raster", mode="grey")])
        req = Requirements(pack, pack.kind("application"), pack.subprogram("academician-center"))
        return [(f.rule, f.severity) for f in placeholders.check(doc, req) if "项目名称" in f.message]

    assert findings("ocr", (380, 290, 480, 390)) == [("template.value_under_seal", "warning")]
    assert findings("ocr", (380, 500, 480, 600)) == [("template.placeholder_left", "error")]  # the seal is elsewhere
    assert findings("text", (380, 290, 480, 390)) == [("template.placeholder_left", "error")]


def test_fields_on_a_scan_read_past_empty_columns_and_past_a_seal(pack):
    """A scanned cover whose centred values OCR set in other columns (wrong before: 4 fields 未填写 or under a seal,
    the applicant None); and an applicant read wrong under a seal on the cover ("二智能学会") but clear in the
    基本信息 table: the clear one is the applicant (wrong before: a false name_mismatch against the seal)."""
    from kcjs.checkers.fields import read_fields
    from kcjs.pipeline.document import Block, Document
    from kcjs.pipeline.seals import Seal
    kind = pack.kind("application")
    cover = Block("table", page=1, source="ocr", box=(80, 300, 520, 560),
                  rows=[["申报单位（盖章）：", "", "", "二智能学会", ""], ["项目负责人：", "", "", "", "王明"],
                        ["联系电话：", "", "025-83625054", "", ""]])
    table = Block("table", page=3, source="ocr", box=(80, 100, 520, 300),
                  rows=[["申报单位", "江苏省人工智能学会"], ["项目负责人", "王明"]])
    seal = Seal(1, (300, 290, 410, 400), "round", 40, 40, 0.9, "raster", mode="grey")
    got = {k: v.value for k, v in read_fields(Document("x.pdf", "pdf", blocks=[cover, table], seals=[seal]), kind).items()}
    assert got["applicant"] == "江苏省人工智能学会" and got["head"] == "王明" and got["phone"] == "025-83625054"
    got = {k: v.value for k, v in read_fields(Document("y.pdf", "pdf", blocks=[cover, table]), kind).items()}
    assert got["applicant"] == "二智能学会"  # no seal over it: the first occurrence, as ever
    row = Block("table", page=2, source="ocr", box=(80, 100, 520, 140), rows=[["项目负责人", "", "王明", "职称", "教授"]])
    got = {k: v.value for k, v in read_fields(Document("z.pdf", "pdf", blocks=[row]), kind).items()}
    assert got["head"] == "王明"  # the first non-empty cell, not the rest of the row


def test_scan_with_a_scanners_invisible_text_layer_is_read_as_a_scan(pack, tmp_path):
    s = pack.subprogram("academician-center")
    data, items, values = target_page(pack, True)
    scan = pymupdf.open(stream=scan_pdf_bytes(data, dpi=150, seed=2), filetype="pdf")
    src = pymupdf.open(stream=data, filetype="pdf")
    for page, text_page in zip(scan, src):  # the scanner's OCR: invisible text (render mode 3) over the image
        for b in text_page.get_text("dict")["blocks"]:
            for ln in b.get("lines", []):
                for sp in ln["spans"]:
                    page.insert_text(sp["origin"], sp["text"], fontname=CJK, fontsize=sp["size"], render_mode=3)
    path = tmp_path / "searchable.pdf"
    path.write_bytes(scan.tobytes())
    doc = read_document(path, NO_SEALS)
    assert [p.ocr_reason for p in doc.pages] == ["hidden"]
    assert "隐藏文字层" in next(f.message for f in doc.findings if f.rule == "file.ocr")
    r = check_document(doc, pack, Given(subprogram=s, kind=pack.kind("application")))
    assert r["metrics"]["targets"] == values


def test_cli_check_reads_a_sideways_askew_scan(pack, tmp_path, kcjs):
    """As a user runs it: a page fed in sideways and 2° askew."""
    data, items, values = target_page(pack, False, lambda k: f"{k}、")
    path = tmp_path / "sideways.pdf"
    path.write_bytes(scan_pdf_bytes(data, dpi=150, rotate_deg=2.0, turns={1: 3}, seed=9))
    code, out, _ = kcjs("check", str(path), "--subprogram", "academician-center", "--kind", "application", "--format", "json")
    got = json.loads(out)
    assert got["metrics"]["targets"] == values
    assert not [f for f in got["findings"] if f["rule"].startswith("target.")]
