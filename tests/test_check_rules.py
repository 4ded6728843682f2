"""Checkers on real generated documents: numbers as Chinese writes them, evidence in every finding."""
from __future__ import annotations

import json

import pytest

from kcjs.corpus.gen import Para, Tbl, docx_bytes
from kcjs.checkers.dates import parse_date
from kcjs.checkers.eligibility import applicant_types
from kcjs.checkers.text import cn_int, money_wan
from kcjs.pipeline.check import Given, check_document
from kcjs.pipeline.readers import read_bytes


def check(content, pack, **given):
    doc = read_bytes("x.docx", docx_bytes(content, style="bold", seal="inline"))
    sub = pack.subprogram(given.pop("subprogram")) if "subprogram" in given else None
    kind = pack.kind(given.pop("kind")) if "kind" in given else None
    return check_document(doc, pack, Given(subprogram=sub, kind=kind, **given))


def rules(result, severity=None):
    return sorted(f["rule"] for f in result["findings"] if severity is None or f["severity"] == severity)


def app(targets_text: str, budget_text: str = "申请资助经费30万元。", unit="江苏省机械工程学会") -> list:
    return [Para("2024年度“科创江苏”专项计划项目申报书", 0), Para("一、申报单位基本情况", 1),
            Tbl([["申报单位", unit], ["项目名称", "高端装备创新中心"], ["项目类别", "产业院士协同创新中心"],
                 ["项目负责人", "王明"], ["联系人", "张华"], ["联系电话", "025-83625054"], ["申报日期", "2024年3月20日"]]),
            Para("二、项目实施方案", 1), Para("联合院士团队开展技术攻关。"), Para("三、年度目标任务", 1), Para(targets_text),
            Para("四、经费预算", 1), Para(budget_text), Para("五、申报单位意见", 1), Para("申报单位（盖章）")]


OK_TARGETS = "全年推动解决企业重点难点技术问题不少于六个，推动科技成果转化落地不少于4项，举办全国性高端学术大会三场并作主旨报告，" \
             "新增企业会员单位十二家，梳理区域、企业重点产业创新需求三十五项。"


def test_compliant_application_passes_with_metrics(pack):
    r = check(app(OK_TARGETS), pack)
    assert r["status"] == "pass" and rules(r, "error") == [] and rules(r, "warning") == []
    assert (r["subprogram"], r["kind"]) == ("academician-center", "application")
    assert r["metrics"]["targets"] == {"tech-problems": 6, "tech-transfer": 4, "conferences": 3,
                                       "new-members": 12, "innovation-needs": 35}
    assert r["metrics"]["requested_wan"] == 30 and r["metrics"]["cap_wan"] == 30
    assert any(f["rule"] == "detect.inferred" for f in r["findings"])


def test_target_below_minimum_quotes_the_sentence(pack):
    r = check(app(OK_TARGETS.replace("三十五项", "二十九项")), pack)
    f = next(f for f in r["findings"] if f["rule"] == "target.below_minimum")
    assert f["expected"] == "≥ 30 项" and f["actual"] == "29 项" and "二十九项" in f["location"]["quote"]
    assert (f["location"]["block"], f["location"]["paragraph"]) == (6, 5) and "30" in f["message"] and "29" in f["message"]


def test_target_missing_names_the_target(pack):
    r = check(app(OK_TARGETS.replace("新增企业会员单位十二家，", "")), pack)
    assert rules(r, "error") == ["target.missing"]
    assert "新增企业会员单位" in next(f for f in r["findings"] if f["rule"] == "target.missing")["message"]


def test_targets_from_a_table_ignore_the_minimum_column(pack):
    table = Tbl([["指标", "通知最低要求", "本单位目标值"], ["解决企业重点难点技术问题（个）", "5", "4"],
                 ["科技成果转化落地（项）", "3", "3"], ["高端学术大会（场）", "2", "2"], ["新增企业会员单位（家）", "10", "10"],
                 ["梳理产业创新需求（项）", "30", "30"]])
    content = app("")
    content[6] = table
    r = check(content, pack)
    assert rules(r, "error") == ["target.below_minimum"]
    f = next(f for f in r["findings"] if f["rule"] == "target.below_minimum")
    assert f["actual"] == "4 个" and f["location"]["cell"] == [1, 2]


@pytest.mark.parametrize("words,cap_ok", [("申请资助经费壹拾捌万元整。", True), ("申请资助经费180,000元。", True),
                                          ("拟申请资助经费叁拾伍万元整。", False), ("申请资助经费 31.5 万元。", False)])
def test_budget_amounts_in_every_notation(pack, words, cap_ok):
    r = check(app(OK_TARGETS, words), pack)
    assert ("budget.over_cap" in rules(r)) is not cap_ok


def test_budget_missing_and_table_that_does_not_add_up(pack):
    r = check(app(OK_TARGETS, "经费预算见附表。"), pack)
    assert "budget.missing" in rules(r, "error")
    content = app(OK_TARGETS, "申请资助经费25万元。")
    content.insert(9, Tbl([["科目", "金额（万元）"], ["会议费", "10"], ["差旅费", "8"], ["合计", "25"]]))
    r = check(content, pack)
    f = next(f for f in r["findings"] if f["rule"] == "budget.sum_mismatch")
    assert f["severity"] == "warning" and f["expected"] == "18 万元" and f["actual"] == "25 万元"


def test_direction_cap_of_special_service(pack):
    content = app("建立专家团队和年度工作计划。", "申请资助经费22万元。")
    content[2].rows[2][1] = "服务“科创江苏”其他专项（青少年科普）"
    r = check(content, pack)
    assert r["subprogram"] == "special-service" and r["direction"] == "youth-science"
    assert "budget.over_cap" in rules(r) and "20 万元" in next(f for f in r["findings"] if f["rule"] == "budget.over_cap")["message"]


def test_placeholders_and_blank_fields(pack):
    content = app(OK_TARGETS.replace("六个", "XXX个") + "【请填写项目亮点】")
    content[2].rows[4][1] = ""
    r = check(content, pack)
    found = [f for f in r["findings"] if f["rule"] == "template.placeholder_left"]
    assert {f["actual"] for f in found} >= {"", "XXX"} and len(found) == 3
    assert any("联系人" in f["message"] for f in found)


def test_wrong_applicant_type_and_unknown_type(pack):
    r = check(app(OK_TARGETS, unit="江苏恒瑞装备有限公司"), pack)
    f = next(f for f in r["findings"] if f["rule"] == "eligibility.applicant_type")
    assert f["severity"] == "error" and "江苏恒瑞装备有限公司" in f["message"]
    r = check(app(OK_TARGETS, unit="张三工作室"), pack)
    f = next(f for f in r["findings"] if f["rule"] == "eligibility.applicant_type")
    assert f["severity"] == "warning"


def test_late_application_date(pack):
    content = app(OK_TARGETS)
    content[2].rows[6][1] = "二〇二四年四月二日"
    r = check(content, pack)
    f = next(f for f in r["findings"] if f["rule"] == "date.late")
    assert f["actual"] == "2024-04-02"


def test_not_chinese(pack):
    content = [Para("Application form", 0)] + [Para("We will solve key technical problems for enterprises. " * 5)] * 4
    r = check(content, pack, subprogram="academician-center", kind="application")
    assert "language.not_chinese" in rules(r, "error")


def test_sections_by_synonym_and_missing(pack):
    content = app(OK_TARGETS)
    content[3] = Para("二、建设内容", 1)
    assert "section.missing" not in rules(check(content, pack))
    del content[3:5]
    r = check(content, pack)
    f = next(f for f in r["findings"] if f["rule"] == "section.missing")
    assert f["expected"] == "项目实施方案" and "实施方案" in f["hint"]


def test_length_counts_word_mode_and_names_mode_and_scope(pack):
    body = "推动产业创新。" * 600  # 4200 字
    content = [Para("产业院士协同创新中心意见建议", 0), Para("一、基本情况", 1), Para(body[:1400]), Para("二、存在问题", 1),
               Para(body[:1400]), Para("三、对策建议", 1), Para(body[:700])]
    r = check(content, pack)
    assert (r["subprogram"], r["kind"]) == ("academician-center", "advisory-report")
    f = next(f for f in r["findings"] if f["rule"] == "length.too_short")
    assert "Word 字数统计" in f["message"] and "不含页眉页脚" in f["message"] and f["expected"] == "4000–5000 字"
    assert f["actual"] == r["metrics"]["count"]["word"] == 3500 + 14 + 3 * 6  # body, title, three headings
    r = check(content, pack, count_mode="chars")
    assert r["metrics"]["count_mode"] == "chars"


def test_chinese_numbers_money_and_dates():
    assert [cn_int(s) for s in ("六", "十二", "三十五", "一百零八", "两千", "壹拾捌万")] == [6, 12, 35, 108, 2000, 180000]
    assert [w for w, _ in money_wan("申请30万元，其中壹拾捌万伍仟元整、180,000元")] == [30, 18.5, 18]
    assert str(parse_date("落款：2024.11.5")) == "2024-11-05"
    assert str(parse_date("二〇二四年十二月三十一日")) == "2024-12-31"


@pytest.mark.parametrize("name,types", [("江苏省机械工程学会", ["provincial-society"]), ("中国机械工程学会", ["national-society"]),
                                        ("南京市科学技术协会", ["city-cast"]), ("宜兴市人民政府", ["local-government", "county-government"])])
def test_applicant_type_from_name(pack, name, types):
    assert applicant_types(pack, name) == types


def test_check_cli_json_contract_and_exit_codes(tmp_path, kcjs, pack):
    good = tmp_path / "good.docx"
    good.write_bytes(docx_bytes(app(OK_TARGETS), style="bold", seal="inline"))
    bad = tmp_path / "bad.docx"
    bad.write_bytes(docx_bytes(app(OK_TARGETS, "申请资助经费35万元。"), style="bold", seal="inline"))
    code, out, _ = kcjs("check", str(good), "--format", "json")
    one = json.loads(out)
    assert code == 0 and one["status"] == "pass" and len(one["sha256"]) == 64
    assert set(one) >= {"file", "sha256", "subprogram", "kind", "status", "metrics", "findings"}
    code, out, _ = kcjs("check", str(good), str(bad), str(tmp_path / "none.pdf"), "--format", "json")
    many = json.loads(out)
    assert code == 1 and [r["status"] for r in many] == ["pass", "fail", "error"]
    code, text, _ = kcjs("check", str(bad), "--subprogram", "院士中心")
    assert code == 1 and "不通过" in text and "超过每个项目上限 30 万元" in text and "建议" in text
    code, out, _ = kcjs("check", str(tmp_path), "--format", "json")  # a folder: every file in it
    assert code == 1 and sorted(r["status"] for r in json.loads(out)) == ["fail", "pass"]
    assert kcjs("check", str(good), "--subprogram", "不存在的子项目")[0] == 2
    assert kcjs("check", str(good), "--count-mode", "pages")[0] == 2


def test_list_checks_documents_every_reported_rule(kcjs_json):
    _, data = kcjs_json("rules", "--list-checks", "--format", "json")
    ids = {r["id"] for r in data}
    from tests.test_eval_corpus import REQUIRED
    assert REQUIRED <= ids and all(r["description"] for r in data)
