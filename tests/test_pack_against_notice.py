"""The 2024 pack held against the notice: figures typed here from the notice's own sentences."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from kcjs.pipeline.packloader import DEFAULT_PACK

# (subprogram, sentence of the notice, cap in 万元, class)
CAPS = [
    ("academician-center", "每个项目资助经费原则上不超过 30 万元", 30, "platform"),
    ("enterprise-expert-center", "每个项目资助经费原则上不超过 15 万元", 15, "platform"),
    ("society-research-institute", "每个项目资助经费原则上不超过 15 万元", 15, "platform"),
    ("society-consortium", "每个项目资助经费原则上不超过 15 万元", 15, "platform"),
    ("national-society-platform", "每个项目资助经费原则上不超过 20 万元", 20, "platform"),
    ("academic-conference", "每个项目资助经费原则上不超过 10 万元", 10, "activity"),
    ("society-local-cooperation", "每个项目资助经费原则上不超过 15 万元", 15, "activity"),
    ("expert-service-tour", "每个项目资助经费原则上不超过 10 万元", 10, "activity"),
    ("special-service", "每个方向的项目资助经费原则上不超过 20 万元", 20, "activity"),
]

# (subprogram, the notice's words, minimum, unit)
MINIMUMS = [
    ("academician-center", "全年推动解决企业重点难点技术问题不少于 5 个", 5, "个"),
    ("academician-center", "推动科技成果转化落地不少于 3 项", 3, "项"),
    ("academician-center", "高端学术大会不少于 2 场并作主旨报告", 2, "场"),
    ("academician-center", "全年新增企业会员单位不少于 10 家", 10, "家"),
    ("academician-center", "重点产业创新需求不少于 30 项", 30, "项"),
    ("enterprise-expert-center", "全年推动解决企业重点难点技术问题不少于 2 个", 2, "个"),
    ("enterprise-expert-center", "推动科技成果转化落地不少于 1 项", 1, "项"),
    ("enterprise-expert-center", "举办高端学术大会不少于 1 场并作主旨报告", 1, "场"),
    ("enterprise-expert-center", "开展各类科技服务年度累计不少于 5 次", 5, "次"),
    ("society-research-institute", "全年推动解决产业重难点技术问题不少于 5 个", 5, "个"),
    ("society-research-institute", "科技成果转化落地不少于 2 项", 2, "项"),
    ("society-consortium", "全年服务省级以上园区（高新区或开发区）至少 3 家", 3, "家"),
    ("society-consortium", "年度十大科技进展遴选活动数量至少 50 项", 50, "项"),
    ("society-consortium", "联合组织青年人才托举至少 10 人", 10, "人"),
    ("national-society-platform", "国际性高端学术大会不少于 3 场", 3, "场"),
    ("national-society-platform", "签订项目合作协议不少于 2 个", 2, "个"),
    ("national-society-platform", "企业重难点技术问题不少于 3 个", 3, "个"),
    ("academic-conference", "大会规模至少 300 人", 300, "人"),
    ("expert-service-tour", "组成人员不少于 8 人", 8, "人"),
    ("expert-service-tour", "年内深入全省至少 5 个市县", 5, "个"),
    ("expert-service-tour", "全年进园区和企业数不少于 30 家", 30, "家"),
]

# (subprogram, kind, the notice's words, min, max) with the pack's stated reading of "（N 字）"
LENGTHS = [
    ("academician-center", "advisory-report", "意见建议并提交省或地方党委政府（4000 至 5000 字）", 4000, 5000),
    ("academician-center", "success-case", "1 个年度成功合作案例（1500 字）", 1500, None),
    ("society-consortium", "consortium-case", "联合体工作典型案例 1 个（3000 字）", 3000, None),
    ("national-society-platform", "success-case", "年度合作成功案例 1 个（5000 字）", 5000, None),
    ("society-consortium", "industry-report", "联合发布年度高质量行业发展报告 1 份", None, None),
]

NOTICE = (DEFAULT_PACK.parent / "notice-2024.txt").read_text(encoding="utf-8")
FLAT = re.sub(r"\s", "", NOTICE)


def in_notice(sentence: str) -> bool:
    return re.sub(r"\s", "", sentence) in FLAT


@pytest.mark.parametrize("sid,sentence,cap,cls", CAPS)
def test_caps_and_classes(pack, sid, sentence, cap, cls):
    assert in_notice(sentence)
    s = pack.subprogram(sid)
    assert s.cap_wan == cap and s.class_ == cls


def test_every_subprogram_of_the_notice_and_no_other(pack):
    assert {s.id for s in pack.subprograms} == {c[0] for c in CAPS}
    names = {s.name.replace('"', "") for s in pack.subprograms}
    for n in ("产业院士协同创新中心", "企业院士专家创新中心", "学会产业研究院", "学会联合体",
              "国家级学会实体化平台", "高质量学术交流大会", "会地合作双百行动", "院士专家服务产业江苏行",
              "服务科创江苏其他专项"):
        assert n in names and in_notice(n.replace("服务科创江苏", "服务“科创江苏”"))


@pytest.mark.parametrize("sid,sentence,minimum,unit", MINIMUMS)
def test_minimums(pack, sid, sentence, minimum, unit):
    assert in_notice(sentence)
    matches = [t for t in pack.subprogram(sid).targets if t.min == minimum and t.unit == unit
               and re.sub(r"\s", "", sentence) in re.sub(r"\s", "", t.source.quote)]
    assert len(matches) == 1, (sid, sentence)


def test_number_of_targets(pack):
    for sid in {m[0] for m in MINIMUMS}:
        assert len(pack.subprogram(sid).targets) == sum(1 for m in MINIMUMS if m[0] == sid)
    for sid in ("society-local-cooperation", "special-service"):
        assert pack.subprogram(sid).targets == ()


@pytest.mark.parametrize("sid,kind,sentence,lo,hi", LENGTHS)
def test_lengths(pack, sid, kind, sentence, lo, hi):
    assert in_notice(sentence)
    d = next(d for d in pack.subprogram(sid).deliverables if d.kind == kind)
    ln = pack.resolve_length(d.length)
    if lo is None:
        assert ln is None
    else:
        assert (ln.min, ln.max, ln.mode) == (lo, hi, "word")
        if hi is None:  # the stated reading: a warning above 1.5 × N
            assert ln.warn_above == round(lo * 1.5)


def test_directions(pack):
    s = pack.subprogram("special-service")
    assert in_notice("主要分四个方向")
    assert [d.id for d in s.directions] == ["youth-science", "rural-revitalization", "program-tracking", "soe-innovation"]
    assert all(d.cap_wan == 20 for d in s.directions) and s.cap_per == "direction"


def test_dates(pack):
    assert in_notice("线上系统开放时间为 3 月 15 日至 3 月 31 日")
    assert in_notice("于 4 月 3 日 18 点前寄送")
    d = pack.dates
    assert (d.online_open, d.online_close) == (dt.date(2024, 3, 15), dt.date(2024, 3, 31))
    assert d.paper_deadline == dt.datetime(2024, 4, 3, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert in_notice("2024 年 12 月份前，撰写完成 1 份高质量的意见建议")
    advisory = pack.subprogram("academician-center").deliverables[0]
    assert advisory.due == dt.date(2024, 11, 30)  # "12 月份前" read as before December


def test_limits_and_disbursement(pack):
    assert in_notice("3 个子项目不可兼报，符合条件的申报主体最多可申报 1 项")
    assert in_notice("所有子项目，符合条件的申报主体最多可申报 2 项")
    lim = {x.rule: x for x in pack.limits}
    assert lim["limit.platform_exclusive"].max == 1
    assert set(lim["limit.platform_exclusive"].subprograms) == {
        "academician-center", "enterprise-expert-center", "society-research-institute"}
    assert lim["limit.activity_max2"].max == 2 and lim["limit.activity_max2"].classes == ("activity",)
    assert in_notice("拨付约 50%的经费") and in_notice("项目立项后，拨付全部经费")
    assert pack.program_class("platform").disbursement_on_approval_pct == 50
    assert pack.program_class("activity").disbursement_on_approval_pct == 100
    assert pack.disqualifications.lookback_years == 2 and len(pack.disqualifications.items) == 3


def test_who_may_apply(pack):
    s = pack.subprogram("society-local-cooperation")
    assert in_notice("县（市、区）人民政府（须联合 1 家国家级学会）共同申报")
    assert s.applicants.joint == "required" and s.applicants.joint_types == ("national-society",)
    assert s.applicants.joint_count == 1
    assert len(s.stamps) == 2 and all(st.severity == "error" for st in s.stamps)
    e = pack.subprogram("enterprise-expert-center")
    assert e.applicants.types == ("enterprise-cast",) and e.applicants.channel == "city-cast"
    assert [st.severity for st in e.stamps] == ["error", "warning"]
    assert pack.subprogram("national-society-platform").applicants.types == ("national-society",)
    assert pack.subprogram("society-consortium").applicants.conditions[0].text.endswith("达到一类")


def _sources(obj, path=""):
    from pydantic import BaseModel
    from kcjs.pipeline.rulepack import Source
    if isinstance(obj, Source):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _sources(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, tuple):
        for i, x in enumerate(obj):
            yield from _sources(x, f"{path}[{i}]")


def test_every_source_quote_stands_in_the_notice_at_its_line(pack):
    lines = NOTICE.splitlines()
    owner = [i for i, line in enumerate(lines, 1) for ch in line if not ch.isspace()]
    sources = list(_sources(pack))
    assert len(sources) > 60
    for path, src in sources:
        q = re.sub(r"\s", "", src.quote)
        starts = [owner[m.start()] for m in re.finditer(re.escape(q), FLAT)]
        assert starts, f"{path}: quote not in the notice: {src.quote}"
        assert src.line in starts, f"{path}: quote begins on line {starts}, pack says {src.line}"


def test_every_rule_of_a_subprogram_has_a_source(pack):
    for s in pack.subprograms:
        assert s.cap_source and s.applicants.source
        assert all(t.source for t in s.targets) and all(d.source for d in s.deliverables)
        assert all(st.source for st in s.stamps)
