"""The 申报书 as an official form: cover, opinion blocks, member and budget tables, layout, --data, and the
checkers reading what the form holds; round trip blank → findings, filled and stamped → pass (.docx, PDF)."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.shared import Mm

from kcjs.corpus.build import UNIT_NAMES
from kcjs.corpus.gen import _float, seal_png
from kcjs.pipeline.check import check_document
from kcjs.pipeline.form_data import cn_date, write_from_data
from kcjs.pipeline.forms import Form, render
from kcjs.pipeline.readers import read_document
from tests.test_templates import compliant_values, kinds_found
from tests.tools import needs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def blank(pack, tmp_path, sid, direction=None):
    sub = pack.subprogram(sid)
    return render(pack, Form(sub, "application", direction), tmp_path / f"{sid}-blank.docx")


def filled(pack, tmp_path, sid, direction=None, **changes):
    sub = pack.subprogram(sid)
    values = {**compliant_values(pack, sub, direction), **changes}
    return render(pack, Form(sub, "application", direction), tmp_path / f"{sid}.docx", values), values


def cover_rows(path) -> list[tuple[str, str]]:
    t = docx.Document(str(path)).tables[0]
    return [(r.cells[0].text.rstrip("："), r.cells[1].text) for r in t.rows]


# --- 1. cover -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sid, extra", [("academician-center", []), ("enterprise-expert-center", ["推荐单位（盖章）"]),
                                        ("society-local-cooperation", ["联合申报单位（盖章）"])])
def test_cover_lines_and_stamp_lines(pack, tmp_path, sid, extra):
    path, v = filled(pack, tmp_path, sid)
    labels = [label for label, _ in cover_rows(path)]
    assert labels == ["项目名称", "申报单位（盖章）", *extra, "项目负责人", "联系电话", "起止时间", "填报日期"]
    rows = dict(cover_rows(path))
    assert rows["申报单位（盖章）"] == v["applicant"] and rows["填报日期"] == "2024年3月20日"
    first = docx.Document(str(path)).paragraphs[0]
    assert first.text.startswith(pack.application_form.staff_field + "：") and first.runs[-1].font.underline
    assert "【" not in first.text and "_" not in first.text  # a blank for staff, not a prompt the checker flags


def test_cover_stamp_line_is_checked(pack, tmp_path):
    path, _ = filled(pack, tmp_path, "academician-center")
    stamped = stamp(path, tmp_path / "opinion-only.docx", cover=False)
    r = check_document(read_document(stamped), pack)
    missing = [f for f in r["findings"] if f["rule"] == "stamp.missing"]
    assert len(missing) == 1 and missing[0]["message"].startswith("封面“申报单位（盖章）”"), r["findings"]
    where = missing[0]["location"]
    assert where["table"] == 0 and where["row"] == 2
    assert where["row_label"] == "申报单位（盖章）" and "column_label" not in where  # its own row, not 项目名称
    from kcjs.pipeline.check_view import where as where_text
    assert "第 2 行（“申报单位（盖章）”）" in where_text(where)


# --- 2. opinion blocks and 承诺 --------------------------------------------------------------------------------

def opinion_table(path):
    return docx.Document(str(path)).tables[-1]


@pytest.mark.parametrize("sid, titles", [
    ("academician-center", ["申报单位承诺", "申报单位意见"]),
    ("enterprise-expert-center", ["申报单位承诺", "申报单位意见", "推荐单位意见（设区市科协）"]),
    ("society-local-cooperation", ["申报单位承诺", "申报单位意见", "联合申报单位意见（国家级学会）"])])
def test_opinion_blocks_with_signature_seal_and_date(pack, tmp_path, sid, titles):
    t = opinion_table(blank(pack, tmp_path, sid))
    assert [r.cells[0].text for r in t.rows] == titles
    for r in t.rows:
        lines = [p.text for p in r.cells[1].paragraphs]
        assert any("（签字）" in x for x in lines) and lines[-1].replace("　", "") == "年月日"
    for r in t.rows[1:]:
        assert any(x.endswith("（盖章）") for x in (p.text for p in r.cells[1].paragraphs))
    promise = t.rows[0].cells[1].paragraphs[0].text
    assert "真实" in promise
    for item in pack.disqualifications.items:  # the notice's three 不得申报 situations, quoted
        assert item.text in promise


# --- 3. tables ------------------------------------------------------------------------------------------------

def test_service_team_table_has_the_packs_minimum_of_rows_and_a_leader(pack, tmp_path):
    sub = pack.subprogram("expert-service-tour")
    need = int(next(t.min for t in sub.targets if t.id == sub.team.members_target))
    t = next(t for t in docx.Document(str(blank(pack, tmp_path, sub.id))).tables if t.rows[0].cells[1].text == "姓名")
    assert [c.text for c in t.rows[0].cells] == ["序号", "姓名", "单位", "职称/称号", "分工"]
    assert len(t.rows) - 1 == need and t.rows[1].cells[4].text == "领衔专家"


def test_platform_team_and_partner_tables(pack, tmp_path):
    for sub in pack.subprograms:
        d = docx.Document(str(blank(pack, tmp_path, sub.id, sub.directions[0] if sub.directions else None)))
        heads = [[c.text for c in t.rows[0].cells] for t in d.tables]
        assert (["序号", "姓名", "单位", "职称/称号", "分工"] in heads) == (sub.team is not None), sub.id
        partner = any(t.rows[0].cells[0].text == "学会名称" for t in d.tables)
        assert partner == (sub.applicants.joint == "required"), sub.id
    assert pack.subprogram("society-local-cooperation").team is None
    assert all(pack.subprogram(s).team for s in ("academician-center", "enterprise-expert-center",
                                                  "society-research-institute", "national-society-platform"))


def test_budget_tables_with_preset_rows_and_totals(pack, tmp_path):
    lines = {"会议费": 4, "差旅费": 3, "专家咨询费": 3, "劳务费": 2, "资料/出版费": 2, "其他": 1}
    path, _ = filled(pack, tmp_path, "society-consortium", budget_lines=lines, budget_sources={"地方配套": 0, "单位自筹": 0})
    d = docx.Document(str(path))
    spent = next(t for t in d.tables if t.rows[0].cells[0].text == "支出科目")
    source = next(t for t in d.tables if t.rows[0].cells[0].text == "经费来源")
    budget = pack.application_form.budget
    assert [r.cells[0].text for r in spent.rows[1:]] == [*budget.items, "合计"]
    assert [r.cells[1].text for r in spent.rows[1:]] == ["4", "3", "3", "2", "2", "1", "15"]
    assert [r.cells[0].text for r in source.rows[1:]] == [*budget.sources, "合计"]
    assert [r.cells[1].text for r in source.rows[1:]] == ["15", "0", "0", "15"]


# --- 4. layout ------------------------------------------------------------------------------------------------

def test_layout_rows_headers_keep_fonts_page_numbers(pack, tmp_path):
    path = blank(pack, tmp_path, "expert-service-tour")
    body = xml(path)
    d = docx.Document(str(path))
    for t in d.tables:
        for row in t.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(f"{W}cantSplit") is not None
    ruled = [t for t in d.tables if t.rows[0].cells[0].text in ("序号", "支出科目", "经费来源")]
    assert len(ruled) == 4 and all(t.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None for t in ruled)
    for t in ruled[2:]:  # the budget tables: the row above 合计 keeps with it
        assert t.rows[-1].cells[0].text == "合计"
        assert all(p.paragraph_format.keep_with_next for c in t.rows[-2].cells for p in c.paragraphs)
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    styles = xml(path, "word/styles.xml")
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles, re.S).group(0)
    assert 'w:eastAsia="仿宋_GB2312"' in normal and "eastAsiaTheme" not in normal
    heading = re.search(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert 'w:eastAsia="黑体"' in heading and "Theme" not in re.search(r"<w:rFonts[^>]*>", heading).group(0)
    fonts = xml(path, "word/fontTable.xml")
    assert re.search(r'<w:font w:name="仿宋_GB2312">\s*<w:altName w:val="仿宋"/>', fonts)
    footer = xml(path, "word/footer1.xml")
    assert 'w:instr=" PAGE "' in footer
    assert "{{" not in body and "{%" not in body


def test_cover_has_no_page_number_and_the_title_is_written_tight(pack, tmp_path):
    path, _ = filled(pack, tmp_path, "society-local-cooperation")
    d = docx.Document(str(path))
    sec = d.sections[0]
    assert sec.different_first_page_header_footer  # w:titlePg
    assert not sec.first_page_footer.is_linked_to_previous and sec.first_page_footer.paragraphs[0].text == ""
    assert "PAGE" not in sec.first_page_footer._element.xml and 'w:instr=" PAGE "' in sec.footer._element.xml
    year = pack.program.year
    texts = [p.text for p in d.paragraphs]
    assert f"{year}年度“科创江苏”专项计划" in texts and not any(f"{year} 年" in t for t in texts)
    notes = "\n".join(texts[texts.index("填写说明") + 1:])
    o, c = pack.dates.online_open, pack.dates.online_close
    assert f"网上填报时间：{o.year}年{o.month}月{o.day}日至{c.year}年{c.month}月{c.day}日" in notes
    assert not re.search(r"\d{4}-\d{2}-\d{2}", notes), notes


def test_joint_applicants_opinion_row_prompts_like_the_applicants(pack, tmp_path):
    sub = pack.subprogram("society-local-cooperation")
    path = blank(pack, tmp_path, sub.id)
    rows = {r.cells[0].text.split("（")[0]: r.cells[1].paragraphs[0].text for r in opinion_table(path).rows}
    assert rows["申报单位意见"] == rows["联合申报单位意见"] == "【请填写审核意见】"
    path = blank(pack, tmp_path, "enterprise-expert-center")  # a recommending unit writes its own opinion by hand
    rows = {r.cells[0].text.split("（")[0]: r.cells[1].paragraphs[0].text for r in opinion_table(path).rows}
    assert rows["推荐单位意见"] == ""
    filled_path, _ = filled(pack, tmp_path, sub.id)
    rows = {r.cells[0].text.split("（")[0]: r.cells[1].paragraphs[0].text for r in opinion_table(filled_path).rows}
    assert rows["联合申报单位意见"] == "同意联合申报。"
    r = check_document(read_document(tmp_path / f"{sub.id}-blank.docx"), pack)
    prompts = [f for f in r["findings"] if f["rule"] == "template.placeholder_left" and "审核意见" in str(f)]
    assert len(prompts) == 2, prompts  # 申报单位意见 and 联合申报单位意见, each still to write


# --- 5. --data ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [dt.datetime(2024, 3, 20), dt.date(2024, 3, 20), 45371, 45371.0, "2024-03-20",
                                   "2024/3/20", "2024.3.20", "20240320", "2024年3月20日"])
def test_dates_are_written_the_chinese_way(value):
    assert cn_date(value) == "2024年3月20日"


def test_every_bad_row_is_reported_and_good_rows_written(pack, tmp_path, kcjs):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["子项目", "申报单位", "项目名称", "填报日期", "申请资助经费（万元）", "会议费（万元）", "差旅费（万元）",
               "起止时间", "团队成员", "项目负责人", "联系人", "联系电话"])
    people = ["王明", "张华", "025-83625054"]
    ws.append(["学会联合体", "江苏省智能制造学会联合体", "联合体项目", dt.datetime(2024, 3, 20), 15, 10, 5,
               "2024-04-01至2024-12-31", "王立新，东南大学，中国工程院院士，领衔专家", *people])
    ws.append(["学会联合体", "江苏省机械工程学会", "项目乙", "下周一", "待定", None, None, None, None, *people])
    ws.append(["不存在的子项目", "某单位", "项目丙", 45371, 10, None, None, None, None, *people])
    ws.append([None] * 12)
    ws.append(["学会产业研究院", "江苏省人工智能学会", "研究院项目", 45371, 15, None, None, None, None, *people])
    data = tmp_path / "rows.xlsx"
    wb.save(data)
    paths, bad = write_from_data(pack, data, tmp_path / "out")
    assert len(paths) == 2
    assert [(b.row, b.column) for b in bad] == [(3, "填报日期"), (3, "申请资助经费（万元）"), (4, "子项目")]
    assert "下周一" in bad[0].why and "待定" in bad[1].why
    first = docx.Document(str(paths[0]))
    assert dict(cover_rows(paths[0]))["填报日期"] == "2024年3月20日"
    assert dict(cover_rows(paths[0]))["起止时间"] == "2024年4月1日至2024年12月31日"
    spent = next(t for t in first.tables if t.rows[0].cells[0].text == "支出科目")
    assert [r.cells[1].text for r in spent.rows[1:3]] == ["10", "5"] and spent.rows[-1].cells[1].text == "15"
    team = next(t for t in first.tables if t.rows[0].cells[1].text == "姓名")
    assert [c.text for c in team.rows[1].cells] == ["1", "王立新", "东南大学", "中国工程院院士", "领衔专家"]
    code, stdout, err = kcjs("template", "--data", str(data), "-o", str(tmp_path / "cli"))
    assert code == 1 and len(stdout.split()) == 2
    assert "rows.xlsx 第 3 行，“填报日期”列" in err and "第 4 行，“子项目”列" in err


def _sheet(tmp_path, header, rows, name="rows.xlsx"):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(tmp_path / name)
    return tmp_path / name


@pytest.mark.parametrize("amount, wan", [("25000元", 2.5), ("贰万伍仟元", 2.5), ("贰万伍仟元整", 2.5), ("两万五元", 2.5),
                                         ("15万元", 15), ("十五万元", 15), (15, 15), ("12.5", 12.5)])
def test_data_amounts_in_yuan_are_converted_to_wan(pack, tmp_path, amount, wan):
    data = _sheet(tmp_path, ["子项目", "申报单位", "项目名称", "项目负责人", "联系人", "联系电话", "填报日期", "申请资助经费（万元）"],
                  [["学会联合体", "江苏省智能制造学会联合体", "联合体项目", "王明", "张华", "025-83625054", 45371, amount]])
    paths, bad = write_from_data(pack, data, tmp_path / "out")
    assert bad == [] and len(paths) == 1
    body = "\n".join(p.text for p in docx.Document(str(paths[0])).paragraphs)
    assert f"{wan:g} 万元" in body or f"{wan:g}万元" in body, body[:2000]
    assert "25000" not in body


def test_data_bare_yuan_in_a_wan_column_is_a_bad_cell(pack, tmp_path, kcjs):
    cap = pack.subprogram("society-consortium").cap_wan
    people = ["王明", "张华", "025-83625054", 45371]
    data = _sheet(tmp_path, ["子项目", "申报单位", "项目名称", "项目负责人", "联系人", "联系电话", "填报日期",
                             "申请资助经费（万元）", "会议费（万元）"],
                  [["学会联合体", "甲学会", "项目甲", *people, 25000, None],
                   ["学会联合体", "乙学会", "项目乙", *people, "两万五", None],
                   ["学会联合体", "丙学会", "项目丙", *people, cap, cap * 10_000],
                   ["学会联合体", "丁学会", "项目丁", *people, cap, cap]])
    paths, bad = write_from_data(pack, data, tmp_path / "out")
    assert len(paths) == 1 and "丁学会" in paths[0].name
    assert [(b.row, b.column) for b in bad] == [(2, "申请资助经费（万元）"), (3, "申请资助经费（万元）"), (4, "会议费（万元）")]
    assert all(b.why.startswith("金额应以万元填写") and f"{cap:g} 万元" in b.why for b in bad)
    code, _, err = kcjs("template", "--data", str(data), "-o", str(tmp_path / "cli"))
    assert code == 1 and "rows.xlsx 第 2 行，“申请资助经费（万元）”列：金额应以万元填写" in err


def test_data_rows_with_empty_required_fields_are_reported(pack, tmp_path, kcjs):
    header = ["子项目", "申报单位", "项目名称", "项目负责人", "联系人", "联系电话", "填报日期", "申请资助经费（万元）"]
    data = _sheet(tmp_path, header, [["学会联合体", None, "项目甲", "王明", "张华", "025-83625054", 45371, 15],
                                     ["学会联合体", "乙学会", "  ", "王明", "张华", "025-83625054", 45371, 15],
                                     ["学会联合体", "丙学会", "项目丙", "王明", "张华", "025-83625054", 45371, 15]])
    paths, bad = write_from_data(pack, data, tmp_path / "out")
    assert len(paths) == 1 and "丙学会" in paths[0].name
    assert [(b.row, b.column, b.why) for b in bad] == [(2, "申报单位", "为空"), (3, "项目名称", "为空")]
    assert bad[0].text(data) == "rows.xlsx 第 2 行，“申报单位”列为空"
    no_column = _sheet(tmp_path, header[:1] + header[2:], [["学会联合体", "项目甲", "王明", "张华", "025-83625054", 45371, 15]],
                       "no-column.xlsx")
    paths, bad = write_from_data(pack, no_column, tmp_path / "out2")
    assert paths == [] and [(b.row, b.column) for b in bad] == [(2, "申报单位")]
    code, _, err = kcjs("template", "--data", str(data), "-o", str(tmp_path / "cli"))
    assert code == 1 and "第 2 行，“申报单位”列为空" in err and "第 3 行，“项目名称”列为空" in err


def test_data_example_round_trip(pack, tmp_path, kcjs):
    code, stdout, _ = kcjs("template", "--data-example", "学会联合体", "-o", str(tmp_path))
    assert code == 0
    example = stdout.split()[0]
    from openpyxl import load_workbook
    ws = load_workbook(example).worksheets[0]
    header = [c.value for c in ws[1]]
    for col in ("子项目", "申报单位", "项目名称", "项目负责人", "联系电话", "填报日期", "申请资助经费（万元）",
                "会议费（万元）", "地方配套（万元）", "团队成员", "服务省级以上园区"):
        assert col in header, col
    assert isinstance(ws[2][header.index("填报日期")].value, dt.datetime)
    for col in ("申请资助经费（万元）", "会议费（万元）", "地方配套（万元）", "服务省级以上园区"):  # numbers, not text
        assert isinstance(ws[2][header.index(col)].value, (int, float)), col
    assert ws[2][header.index("申请资助经费（万元）")].value == pack.subprogram("society-consortium").cap_wan
    code, stdout, _ = kcjs("template", "--data", example, "-o", str(tmp_path / "out"))
    assert code == 0
    r = check_document(read_document(stdout.split()[0]), pack)
    assert kinds_found(r) <= {"stamp.missing"}, r["findings"]
    assert not [f for f in r["findings"] if f["severity"] == "warning" and f["rule"] != "stamp.missing"]


# --- 6. checkers read the form --------------------------------------------------------------------------------

def rules(path, pack):
    return {f["rule"] for f in check_document(read_document(path), pack)["findings"]}


def test_short_service_team_is_reported(pack, tmp_path):
    sub = pack.subprogram("expert-service-tour")
    v = compliant_values(pack, sub)
    path, _ = filled(pack, tmp_path, sub.id, team=v["team"][:-1])
    r = check_document(read_document(path), pack)
    short = [f for f in r["findings"] if f["rule"] == "requirement.members_below"]
    assert len(short) == 1 and short[0]["actual"] == f"{len(v['team']) - 1} 人"


def test_blank_member_table_is_reported_for_every_team(pack, tmp_path):
    teams = [sub for sub in pack.subprograms if sub.team]
    assert {"society-consortium", "expert-service-tour"} <= {s.id for s in teams}
    for sub in teams:
        direction = sub.directions[0] if sub.directions else None
        path, _ = filled(pack, tmp_path, sub.id, direction, team=[])
        r = check_document(read_document(path), pack)
        blank_team = [f for f in r["findings"] if f["rule"] == "template.placeholder_left" and "成员名单" in f["message"]]
        assert len(blank_team) == 1 and blank_team[0]["message"].startswith(sub.team.name), (sub.id, r["findings"])
        assert blank_team[0]["location"]["table"] is not None
        path, _ = filled(pack, tmp_path, sub.id, direction)
        assert not [f for f in check_document(read_document(path), pack)["findings"]
                    if f["rule"] == "template.placeholder_left"], sub.id


def test_budget_disagreements_are_reported(pack, tmp_path):
    lines = {"会议费": 4, "差旅费": 3, "专家咨询费": 3, "劳务费": 2, "资料/出版费": 2, "其他": 1}
    ok, _ = filled(pack, tmp_path, "society-consortium", budget_lines=lines)
    assert not rules(ok, pack) & {"budget.sum_mismatch", "budget.request_mismatch", "budget.sources_mismatch"}
    d = docx.Document(str(ok))
    spent = next(t for t in d.tables if t.rows[0].cells[0].text == "支出科目")
    source = next(t for t in d.tables if t.rows[0].cells[0].text == "经费来源")
    spent.rows[1].cells[1].paragraphs[0].runs[0].text = "5"       # items add up to 16, 合计 says 15
    source.rows[1].cells[1].paragraphs[0].runs[0].text = "12"     # 申请省科协资助 12, the form asks for 15
    source.rows[-1].cells[1].paragraphs[0].runs[0].text = "12"    # 来源合计 12, 支出合计 15
    bad = tmp_path / "bad.docx"
    d.save(str(bad))
    r = check_document(read_document(bad), pack)
    found = {f["rule"]: f for f in r["findings"]}
    sums = sorted(f["expected"] for f in r["findings"] if f["rule"] == "budget.sum_mismatch")
    assert sums == ["16 万元"]  # 支出 items vs 合计 15
    assert found["budget.request_mismatch"]["actual"] == "12 万元" and "申请资助经费 15 万元" in \
        found["budget.request_mismatch"]["message"]
    assert found["budget.sources_mismatch"]["message"] == "经费支出合计 15 万元，与经费来源合计 12 万元不符"


def test_missing_partner_society_is_reported(pack, tmp_path):
    path, _ = filled(pack, tmp_path, "society-local-cooperation", partner="")
    r = check_document(read_document(path), pack)
    blanks = [f["location"] for f in r["findings"] if f["rule"] == "template.placeholder_left"]
    assert len(blanks) == 3  # the cover's 联合申报单位（盖章）, the information table, the partner table
    path, _ = filled(pack, tmp_path, "society-local-cooperation", partner="江苏省机械工程学会")  # not a 国家级学会
    assert "eligibility.joint_missing" in rules(path, pack)


def test_new_rules_are_listed(kcjs):
    code, out, _ = kcjs("rules", "--list-checks", "--format", "json")
    for rid in ("budget.request_mismatch", "budget.sources_mismatch", "budget.sum_mismatch", "requirement.members_below",
                "stamp.missing"):
        assert rid in out


# --- round trip -----------------------------------------------------------------------------------------------

def _party(text: str, v: dict) -> str:
    if "联合申报单位" in text:
        return v["partner"]
    if "推荐单位" in text:
        return UNIT_NAMES["city-cast"]
    return v["applicant"]


def stamp(path, out, values=None, cover=True, inline=False, opinion=True):
    """Stamp a filled form as its parties would: a red seal bearing the party's name on each （盖章） line
    (on the cover too unless cover=False; on the opinion page unless opinion=False); floating behind the text, or
    `inline` (Word's default for a picture)."""
    d = docx.Document(str(path))
    v = values or {"applicant": dict(cover_rows(path))["申报单位（盖章）"],
                   "partner": dict(cover_rows(path)).get("联合申报单位（盖章）", "")}
    places = []
    if cover:
        places += [(row.cells[1].paragraphs[0], row.cells[0].text) for row in d.tables[0].rows if "（盖章）" in row.cells[0].text]
    n_cover = len(places)
    places += [(p, p.text) for row in d.tables[-1].rows for p in row.cells[1].paragraphs
               if p.text.endswith("（盖章）") and opinion]
    for k, (para, label) in enumerate(places):  # floating, behind the text, as an electronic seal is placed
        run = para.add_run()
        # cut-out seals (the shape in alpha alone): LibreOffice's PDF export shares one base image between them and
        # keeps the shapes in their soft masks, which the seal search must tell apart
        run.add_picture(io.BytesIO(seal_png(text=_party(label, v))), width=Mm(38))
        if inline:
            continue
        _float(run)
        if k < n_cover:  # the cover's lines are 10 mm apart: side by side, as people stamp them
            run._r.find(f".//{WP}positionH/{WP}posOffset").text = str(Mm(4 + 52 * (k % 2)))
    d.save(str(out))
    return out


def _forms(pack):
    for sub in pack.subprograms:
        yield sub, (sub.directions[0] if sub.directions else None)


def test_round_trip_docx(pack, tmp_path):
    for sub, direction in _forms(pack):
        r = check_document(read_document(blank(pack, tmp_path, sub.id, direction)), pack)
        assert kinds_found(r) <= {"template.placeholder_left", "target.missing", "budget.missing", "stamp.missing"}, \
            (sub.id, kinds_found(r))
        path, v = filled(pack, tmp_path, sub.id, direction)
        r = check_document(read_document(stamp(path, tmp_path / f"{sub.id}-stamped.docx", v)), pack)
        assert r["status"] == "pass", (sub.id, [f for f in r["findings"] if f["severity"] != "info"])


@pytest.mark.parametrize("inline", [False, True])
def test_a_docx_stamped_on_its_cover_only_misses_the_opinion_pages_seal(pack, tmp_path, inline):
    """Wrong before: the opinion line, judged first, took the cover's seal as one "on its page but far" (a .docx has
    no pages) and the cover was told it had none. Each line's own seal is taken first."""
    path, v = filled(pack, tmp_path, "society-consortium")
    r = check_document(read_document(stamp(path, tmp_path / "cover-only.docx", v, inline=inline, opinion=False)), pack)
    stamps = [(f["rule"], f["message"].startswith("封面")) for f in r["findings"] if f["rule"].startswith("stamp.")]
    assert stamps == [("stamp.missing", False)]


def test_two_parties_seals_swapped_between_their_lines_are_both_mismatches(pack, tmp_path):
    """Wrong before: each line took, of the seals near it, the one whose ring read most like its party, so seals
    swapped between the 申报单位 and 联合申报单位 lines (each in the other's table row) passed. A seal clearly
    nearer one line (its own row) is that line's; the name decides only between seals as near."""
    path, v = filled(pack, tmp_path, "society-local-cooperation")
    swapped = {"applicant": v["partner"], "partner": v["applicant"]}
    r = check_document(read_document(stamp(path, tmp_path / "swapped.docx", swapped)), pack)
    found = sorted((f["rule"], f["message"].startswith("封面"), "联合" in f["message"].split("处")[0])
                   for f in r["findings"] if f["rule"].startswith("stamp."))
    assert found == [("stamp.name_mismatch", cover, partner) for cover in (False, True) for partner in (False, True)]
    r = check_document(read_document(stamp(path, tmp_path / "right.docx", v)), pack)
    assert not [f for f in r["findings"] if f["rule"].startswith("stamp.")]


@needs("soffice")
def test_seal_put_in_line_with_the_text_survives_the_pdf(pack, tmp_path):
    """A seal picture placed in line (Word's default), not floating: its line grows (spacing 'at least' on the
    stamp lines) instead of cutting the seal to a 28 pt strip, so the PDF still shows and passes it."""
    path, v = filled(pack, tmp_path, "society-consortium")
    stamped = stamp(path, tmp_path / "inline.docx", v, inline=True)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(stamped)], capture_output=True, timeout=300)
    r = check_document(read_document(stamped.with_suffix(".pdf")), pack)
    assert len(r["metrics"]["seals"]) == 2 and r["status"] == "pass", [f for f in r["findings"] if f["severity"] != "info"]


@needs("soffice")
def test_round_trip_pdf(pack, tmp_path):
    docs = []
    for sub, direction in _forms(pack):
        path, v = filled(pack, tmp_path, sub.id, direction)
        docs.append((sub, stamp(path, tmp_path / f"{sub.id}-stamped.docx", v)))
        docs.append((sub, blank(pack, tmp_path, sub.id, direction)))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *[str(p) for _, p in docs]], capture_output=True, timeout=600)
    for sub, p in docs:
        r = check_document(read_document(p.with_suffix(".pdf")), pack)
        if "blank" in p.name:
            assert kinds_found(r) <= {"template.placeholder_left", "target.missing", "budget.missing", "stamp.missing"}, \
                (sub.id, kinds_found(r))
        else:
            assert r["status"] == "pass", (sub.id, [f for f in r["findings"] if f["severity"] != "info"])
