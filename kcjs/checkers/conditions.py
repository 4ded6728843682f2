"""Qualitative requirements the notice names, with evidence: who gives the keynote, who leads the service
team and how many it has, which national society applies jointly. Which words count is the pack's."""
from __future__ import annotations

import re

from kcjs.checkers.context import Requirements
from kcjs.checkers.eligibility import applicant_types, named_units
from kcjs.checkers.fields import read_fields
from kcjs.checkers.placeholders import PLACEHOLDER, is_placeholder
from kcjs.checkers.registry import rule
from kcjs.checkers.text import norm, quote
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.findings import Finding, Location
from kcjs.pipeline.rulepack import Requirement, Subprogram

UNSTATED = rule("requirement.unstated", "warning", "通知规定的资格条件（主报告人、领衔专家等）在申报书中未见说明")
STATED = rule("requirement.stated", "info", "通知规定的资格条件及申报书中的依据")
MEMBERS_BELOW = rule("requirement.members_below", "error", "成员名单人数少于通知要求")

# A clause that restates the notice (主报告人须是院士…) is not evidence that the applicant meets it.
RESTATING = re.compile(r"须|应当|应为|应是|要求")
NAME_HEADER = re.compile(r"^\s*(姓\s*名|专家姓名|成员姓名|人员姓名)\s*$")


def _units(doc: Document):
    """(text, location) of every clause of the body and every table row (cells joined): where a statement stands."""
    for i, b in enumerate(doc.blocks):
        if b.type in ("paragraph", "heading") and b.text:
            for clause in re.split(r"[。；;！？!?\n]", b.text):
                if clause.strip():
                    yield clause, Location(page=b.page, paragraph=i, quote=quote(clause))
        elif b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                cells = [(c, t) for c, t in enumerate(row) if t and (r, c) not in b.copies]
                for c, cell in cells:  # a statement inside one cell
                    for clause in re.split(r"[。；;！？!?\n]", cell):
                        if clause.strip():
                            yield clause, Location(page=b.page, table=i, cell=(r, c), quote=quote(clause))
                cells = [t for _, t in cells]
                yield " | ".join(cells), Location(page=b.page, table=i, cell=(r, 0), quote=quote(" | ".join(cells)))


def statement(doc: Document, subjects: tuple[str, ...], qualifiers: tuple[str, ...]) -> tuple[str, str, Location] | None:
    """The first clause or table row naming a subject with a qualifier (主报告人 … 院士), not restating the
    notice: (subject, qualifier, where); None when the document says nothing of the kind."""
    subj = [(s, norm(s)) for s in subjects]
    qual = [(q, norm(q)) for q in qualifiers]
    for text, where in _units(doc):
        key = norm(text)
        s = next((s for s, n in subj if n in key), None)
        q = next((q for q, n in qual if n in key), None)
        if s and q and not RESTATING.search(text):
            return s, q, where
    return None


def member_table(doc: Document) -> tuple[int, int, Block] | None:
    """The member list: the table with a 姓名 column and the most filled rows under it, as
    (block index, number of members, table); None when the document has none."""
    best = None
    for i, b in enumerate(doc.blocks):
        if b.type != "table" or not b.rows:
            continue
        for h, header in enumerate(b.rows[:2]):
            col = next((c for c, t in enumerate(header) if NAME_HEADER.match(t)), None)
            if col is None:
                continue
            names = [row[col] for r, row in enumerate(b.rows[h + 1:], start=h + 1)
                     if col < len(row) and row[col].strip() and (r, col) not in b.copies
                     and not NAME_HEADER.match(row[col]) and not is_placeholder(row[col])]
            if best is None or len(names) > best[1]:
                best = (i, len(names), b)
            break
    return best


def _members(doc: Document, req: Requirements, r: Requirement) -> list[Finding]:
    target = next(t for t in req.subprogram.targets if t.id == r.evidence.members_target)
    minimum = int(target.min) if float(target.min).is_integer() else target.min
    found = member_table(doc)
    if found is None:
        return [Finding(STATED, "info", f"未附成员名单，“{target.name.split('（')[0]}”人数以年度目标中的承诺为准"
                        f"（通知要求不少于 {minimum} {target.unit}）", Location(), expected=f"≥ {minimum} {target.unit}")]
    i, n, b = found
    where = Location(page=b.page, table=i, quote=quote(" | ".join(b.rows[0])))
    if n == 0:  # the form's blank member table: an unfilled field, not a short list
        team = req.subprogram.team.name if req.subprogram.team else ""
        return [Finding(PLACEHOLDER, "error", f"{team}成员名单尚未填写（通知要求不少于 {minimum} {target.unit}）", where,
                        expected=f"≥ {minimum} {target.unit}", actual="未填写", hint="请逐行填写成员的姓名、单位、职称/称号和分工")]
    if n < target.min:
        return [Finding(MEMBERS_BELOW, "error", f"成员名单只列出 {n} {target.unit}，少于通知要求的 {minimum} {target.unit}"
                        f"（{target.name.split('（')[0]}）", where, expected=f"≥ {minimum} {target.unit}", actual=f"{n} {target.unit}",
                        hint=f"请补充成员，使组成人员不少于 {minimum} {target.unit}")]
    return [Finding(STATED, "info", f"成员名单列出 {n} {target.unit}，符合不少于 {minimum} {target.unit}的要求", where,
                    expected=f"≥ {minimum} {target.unit}", actual=f"{n} {target.unit}")]


def _joint(doc: Document, req: Requirements, sub: Subprogram) -> list[Finding]:
    """The joint applicant the notice requires, named: info with its name (eligibility.joint_missing when not)."""
    a = sub.applicants
    partner = read_fields(doc, req.kind).get("partner")
    if partner is not None and partner.value.strip() and not is_placeholder(partner.value):
        units = [u for u in named_units(partner.value) if set(applicant_types(req.pack, u)) & set(a.joint_types)]
        where = partner.where
    else:
        units = [u for u in named_units(doc.body_text()) if set(applicant_types(req.pack, u)) & set(a.joint_types)]
        where = Location()
    if not units:
        return []  # eligibility.joint_missing (or template.placeholder_left) says so
    need = "、".join(req.pack.applicant_type(t).name for t in a.joint_types)
    units = list(dict.fromkeys(units))
    return [Finding(STATED, "info", f"已写明联合申报的{need}：{'、'.join(units)}（通知要求联合 {a.joint_count or 1} 家）",
                    where, expected=f"{a.joint_count or 1} 家{need}", actual="、".join(units))]


def check(doc: Document, req: Requirements) -> list[Finding]:
    if not req.is_application or req.subprogram is None:
        return []
    sub, out = req.subprogram, []
    for r in sub.requirements:
        ev = r.evidence
        if ev is None:
            continue
        if ev.subjects and ev.qualifiers:
            said = statement(doc, ev.subjects, ev.qualifiers)
            if said is None:
                out.append(Finding(UNSTATED, "warning", f"申报书未说明“{r.text}”（未见{ev.subjects[0]}为"
                                   f"{'、'.join(ev.qualifiers[:3])}等的表述）", Location(), expected=r.text,
                                   hint=f"请写明{ev.subjects[0]}的姓名和身份（如“{ev.qualifiers[0]}”）"))
            else:
                s, q, where = said
                out.append(Finding(STATED, "info", f"“{r.text}”：申报书写明{s}为{q}", where, expected=r.text, actual=where.quote))
        if ev.members_target:
            out.extend(_members(doc, req, r))
    if sub.team and not any(r.evidence and r.evidence.members_target for r in sub.requirements):
        out.extend(_blank_team(doc, sub))
    if sub.applicants.joint == "required" and sub.applicants.joint_types:
        out.extend(_joint(doc, req, sub))
    return out


def _blank_team(doc: Document, sub: Subprogram) -> list[Finding]:
    """The member table the form prints for `sub.team` (专家团队, 院士团队 …) left blank: an unfilled field, whether
    or not the notice sets a minimum (where it does, _members says so with the minimum)."""
    found = member_table(doc)
    if found is None or found[1]:
        return []
    i, _, b = found
    return [Finding(PLACEHOLDER, "error", f"{sub.team.name}成员名单尚未填写",
                    Location(page=b.page, table=i, quote=quote(" | ".join(b.rows[0]))), actual="未填写",
                    hint="请逐行填写成员的姓名、单位、职称/称号和分工")]
