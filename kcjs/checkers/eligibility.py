"""Who may apply: the applicant's type read from its name, against the subprogram's list."""
from __future__ import annotations

import re

from kcjs.checkers.context import Requirements
from kcjs.checkers.fields import read_fields
from kcjs.checkers.placeholders import is_placeholder
from kcjs.checkers.registry import rule
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location
from kcjs.pipeline.rulepack import RulePack

APPLICANT_TYPE = rule("eligibility.applicant_type", "error", "申报单位类型不在该子项目的申报主体范围内（类型无法判断时为提示）")
JOINT_MISSING = rule("eligibility.joint_missing", "error", "须联合申报的子项目未写明联合单位")

_UNIT = re.compile(r"[\u4e00-\u9fff（）()]{2,40}?(?:学会|协会|研究会|促进会)")


def named_units(text: str) -> list[str]:
    """Every society's name in the text (…学会, …协会, …研究会, …促进会), in text order."""
    return [m.group(0) for m in _UNIT.finditer(text)]


def applicant_types(pack: RulePack, name: str) -> list[str]:
    """Every applicant type whose name pattern the unit's name matches."""
    name = re.sub(r"\s", "", name)
    return [t.id for t in pack.applicant_types if any(re.search(p, name) for p in t.patterns)]


def check(doc: Document, req: Requirements) -> list[Finding]:
    if not req.is_application or req.subprogram is None:
        return []
    pack, a, out = req.pack, req.subprogram.applicants, []
    fields = read_fields(doc, req.kind)
    fv = fields.get("applicant")
    allowed = "、".join(pack.applicant_type(t).name for t in a.types)
    if fv and fv.value.strip() and not is_placeholder(fv.value):
        unit = fv.value.strip().split("\n")[0]
        types = applicant_types(pack, unit)
        names = "、".join(pack.applicant_type(t).name for t in types)
        if not types:
            out.append(Finding(APPLICANT_TYPE, "warning", f"无法从单位名称“{unit}”判断申报主体类型，请人工核对（本子项目限：{allowed}）",
                               fv.where, expected=allowed, actual=unit))
        elif not set(types) & set(a.types):
            out.append(Finding(APPLICANT_TYPE, "error", f"申报单位“{unit}”属于{names}，不在“{req.subprogram.name}”的申报主体范围内（限：{allowed}）",
                               fv.where, expected=allowed, actual=names, hint=a.note or None))
    partner = fields.get("partner")
    if a.joint == "required" and a.joint_types and partner is not None and is_placeholder(partner.value):
        return out  # the partner field is there but unfilled: template.placeholder_left says so
    if a.joint == "required" and a.joint_types:
        text = doc.body_text()
        partners = [m.group(0) for m in _UNIT.finditer(text)
                    if set(applicant_types(pack, m.group(0))) & set(a.joint_types)]
        if not partners:
            need = "、".join(pack.applicant_type(t).name for t in a.joint_types)
            out.append(Finding(JOINT_MISSING, "error", f"“{req.subprogram.name}”须联合 {a.joint_count or 1} 家{need}共同申报，申报书中未找到联合单位",
                               Location(), expected=need, hint="请在基本信息中写明联合申报单位（如“中国××学会”）并由其盖章"))
    return out
