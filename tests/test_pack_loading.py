"""A broken pack gets a message naming the file, the line and the problem; other packs work."""
from __future__ import annotations

from pathlib import Path

import pytest

from kcjs.pipeline.packloader import DEFAULT_PACK, RulePackError, find_subprogram, load_pack, parse_pack

OTHER = Path(__file__).parent / "packs" / "other-2025.yaml"
TEXT = DEFAULT_PACK.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def broken(old: str, new: str) -> tuple[str, int]:
    assert TEXT.count(old) >= 1, old
    return TEXT.replace(old, new, 1), line_of(TEXT, old)


@pytest.mark.parametrize("old,new,words", [
    ("cap_wan: 30", "cap_wan: 三十", "应为数字"),
    ("cap_wan: 30", "cap_wan: -30", "> 0"),
    ("cap_wan: 30", "cap_wnn: 30", "未知字段"),
    ("class: platform\n    cycle_years: 3\n    cap_wan: 30", "class: platfrom\n    cycle_years: 3\n    cap_wan: 30",
     "platfrom"),
    ("length: {min: 4000, max: 5000}", "length: {min: 5000, max: 4000}", "大于 max"),
    ("due: 2024-11-30", "due: 2024-13-30", "日期"),
    ("      - id: tech-transfer\n        name: 科技成果转化落地（以签署技术转让、许可、作价投资等合同为标准）\n        min: 3",
     "      - id: tech-transfer\n        name: 科技成果转化落地（以签署技术转让、许可、作价投资等合同为标准）\n        min: 3\n        min: 4",
     "重复"),
    ("min: 50\n", "min: [50\n", "YAML"),
])
def test_broken_pack_message_names_file_line_and_problem(old, new, words):
    text, line = broken(old, new)
    with pytest.raises(RulePackError) as e:
        parse_pack(text, "staff-edit.yaml")
    msg = str(e.value)
    assert "staff-edit.yaml" in msg and words in msg
    lines = [int(n) for n in __import__("re").findall(r"第 (\d+) 行", msg)]
    assert any(abs(n - line) <= 3 for n in lines), (msg, line)


def test_missing_field_and_several_errors_at_once():
    text = TEXT.replace("    unit: 个\n", "\n", 2).replace("cap_wan: 20\n    cap_source", "cap_source", 1)
    with pytest.raises(RulePackError) as e:
        parse_pack(text, "p.yaml")
    msg = str(e.value)
    assert "3 处错误" in msg and msg.count("缺少必填字段") == 3 and ".unit" in msg and ".cap_wan" in msg


@pytest.mark.parametrize("content,words", [
    ("", "顶层应为映射"),
    ("- a\n- b\n", "顶层应为映射"),
    ("program: {id: x}\n", "缺少必填字段"),
])
def test_degenerate_packs(content, words):
    with pytest.raises(RulePackError, match=words):
        parse_pack(content, "x.yaml")


def test_unreadable_pack_files(tmp_path):
    with pytest.raises(RulePackError, match="找不到规则包"):
        load_pack(tmp_path / "none.yaml")
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("program: 科创江苏\n".encode("gbk"))
    with pytest.raises(RulePackError, match="UTF-8"):
        load_pack(gbk)


def test_pack_objects_are_immutable(pack):
    with pytest.raises(Exception):
        pack.subprograms[0].cap_wan = 99  # type: ignore[misc]


def test_lookup_by_id_chinese_name_alias_and_direction(pack):
    assert find_subprogram(pack, "学会联合体").id == "society-consortium"
    assert find_subprogram(pack, "society-consortium").id == "society-consortium"
    assert find_subprogram(pack, "院士中心").id == "academician-center"
    assert find_subprogram(pack, "服务“科创江苏”其他专项").id == "special-service"
    assert find_subprogram(pack, '服务"科创江苏"其他专项').id == "special-service"
    assert find_subprogram(pack, "科技小院").id == "special-service"
    with pytest.raises(LookupError, match="society-local-cooperation"):
        find_subprogram(pack, "会地合作行动")


def test_another_program_loads_with_no_code_change():
    other = load_pack(OTHER)
    assert other.program.year == 2025
    lab = find_subprogram(other, "实验室")
    ln = other.resolve_length(lab.deliverables[0].length)
    assert (ln.min, ln.max, ln.warn_above, ln.mode) == (1800, None, None, "chars")
