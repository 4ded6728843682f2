"""`kcjs rules`: the JSON contract, Chinese names, suggestions, other packs, exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

OTHER = Path(__file__).parent / "packs" / "other-2025.yaml"


def test_json_contract_for_all(kcjs_json):
    code, data = kcjs_json("rules", "--format", "json")
    assert code == 0
    assert data["program"]["year"] == 2024 and data["program"]["id"] == "jiangsu-kcjs-2024"
    subs = {s["id"]: s for s in data["subprograms"]}
    assert len(subs) == 9
    for s in subs.values():
        assert set(s) >= {"id", "name", "class", "cap_wan", "applicants", "targets", "deliverables", "directions"}
        assert s["class"] in ("platform", "activity")
        for t in s["targets"]:
            assert set(t) >= {"id", "name", "min", "unit"}
        for d in s["deliverables"]:
            assert set(d) >= {"kind", "name", "length", "due"}
    ac = subs["academician-center"]
    assert ac["cap_wan"] == 30 and ac["cycle_years"] == 3
    assert {t["id"]: t["min"] for t in ac["targets"]} == {
        "tech-problems": 5, "tech-transfer": 3, "conferences": 2, "new-members": 10, "innovation-needs": 30}
    adv = next(d for d in ac["deliverables"] if d["kind"] == "advisory-report")
    assert adv["length"] == {"min": 4000, "max": 5000, "mode": "word", "reading": "range"}
    assert adv["due"] == "2024-11-30"
    case = next(d for d in ac["deliverables"] if d["kind"] == "success-case")
    assert case["length"]["min"] == 1500 and case["length"]["max"] is None and case["length"]["warn_above"] == 2250
    ss = subs["special-service"]
    assert [(d["id"], d["cap_wan"]) for d in ss["directions"]] == [
        ("youth-science", 20), ("rural-revitalization", 20), ("program-tracking", 20), ("soe-innovation", 20)]
    assert data["dates"]["paper_deadline"] == "2024-04-03T18:00:00+08:00"
    assert {x["rule"]: x["max"] for x in data["limits"]} == {"limit.platform_exclusive": 1, "limit.activity_max2": 2}


def test_one_subprogram_by_chinese_name(kcjs_json, kcjs):
    code, data = kcjs_json("rules", "学会联合体", "--format", "json")
    assert code == 0 and [s["id"] for s in data["subprograms"]] == ["society-consortium"]
    code, text, _ = kcjs("rules", "会地合作双百行动")
    assert code == 0 and "会地合作双百行动" in text and "联合申报单位（盖章）" in text and "15 万元" in text


def test_text_checklist_for_all(kcjs):
    code, text, _ = kcjs("rules")
    assert code == 0
    for words in ("产业院士协同创新中心", "不超过 30 万元", "4000–5000 字", "2024-04-03 18:00", "不可兼报"):
        assert words in text


def test_unknown_name_suggests_and_exits_2(kcjs):
    code, _, stderr = kcjs("rules", "学会联合")
    assert code == 2 and "未知的子项目" in stderr and "society-consortium" in stderr


def test_bad_format_exits_2(kcjs):
    assert kcjs("rules", "--format", "xml")[0] == 2


def test_other_pack_via_option(kcjs_json):
    code, data = kcjs_json("--rules", str(OTHER), "rules", "实验室", "--format", "json")
    assert code == 0 and data["program"]["year"] == 2025
    assert data["subprograms"][0]["targets"] == [
        {"id": "papers", "name": "论文", "min": 4, "unit": "篇", "source": None}]


def test_broken_pack_via_option_exits_2(kcjs, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(OTHER.read_text(encoding="utf-8").replace("cap_wan: 50", "cap_wan: 五十"), encoding="utf-8")
    code, stdout, stderr = kcjs("--rules", str(bad), "rules")
    assert code == 2 and "bad.yaml" in stderr and "第 21 行（subprograms[0].cap_wan）：应为数字" in stderr and "处错误" in stderr and "Traceback" not in stderr + stdout


def test_list_checks_is_a_json_list(kcjs_json):
    code, data = kcjs_json("rules", "--list-checks", "--format", "json")
    assert code == 0 and isinstance(data, list)
    assert all(set(r) == {"id", "severity", "description"} for r in data)


def test_console_script_runs():
    exe = Path(sys.executable).with_name("kcjs")
    r = subprocess.run([str(exe), "rules", "院士专家服务产业江苏行", "--format", "json"],
                       capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)["subprograms"][0]
    assert s["cap_wan"] == 10 and {t["min"] for t in s["targets"]} == {8, 5, 30}


def test_check_of_a_missing_path_is_a_bad_argument(kcjs, tmp_path):
    """Only paths that are not there: exit 2 (the command could not run) with a Chinese message; among files that
    are, a missing one is an error result and the others are checked (test_check_cli_json_contract_and_exit_codes)."""
    code, out, err = kcjs("check", str(tmp_path / "没有这个文件.docx"))
    assert code == 2 and "找不到文件" in err and out == ""


def test_bad_argument_under_format_json_is_json_too(kcjs, tmp_path):
    """A tool reading stdout of `--format json` gets a JSON object even when the command cannot run (exit 2)."""
    for args in (("check", "--format", "json", "--subprogram", "不存在", str(tmp_path)),
                 ("check", "--format", "json", str(tmp_path / "没有这个文件.docx")),
                 ("rules", "--format", "json", "学会联合")):
        code, out, err = kcjs(*args)
        assert code == 2 and json.loads(out)["status"] == "error" and json.loads(out)["error"] in err.replace("\n", "")
    code, out, err = kcjs("template", "不存在", "-o", str(tmp_path))  # no --format: plain text only
    assert code == 2 and out == "" and "错误" in err
