"""`kcjs rules`: the pack as the JSON contract and as a readable Chinese checklist."""
from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kcjs.checkers.counting import MODE_NAMES
from kcjs.pipeline.rulepack import Deliverable, RulePack, Source, Subprogram, plain

STAGE_NAMES = {"application": "申报时", "acceptance": "结项时"}


def _src(s: Source | None) -> dict | None:
    return {"line": s.line, "quote": s.quote} if s else None


def length_json(pack: RulePack, d: Deliverable) -> dict | None:
    ln = pack.resolve_length(d.length)
    if ln is None:
        return None
    out = {"min": ln.min, "max": ln.max, "mode": ln.mode}
    if ln.nominal is not None:
        out.update(nominal=ln.nominal, warn_above=ln.warn_above, reading="nominal")
    else:
        out["reading"] = "range"
    return out


def subprogram_json(pack: RulePack, s: Subprogram) -> dict:
    cls = pack.program_class(s.class_)
    a = s.applicants
    return {
        "id": s.id, "name": s.name, "aliases": list(s.aliases),
        "class": s.class_, "class_name": cls.name,
        "cycle_years": s.cycle_years, "cap_wan": plain(s.cap_wan), "cap_per": s.cap_per,
        "disbursement_on_approval_pct": plain(cls.disbursement_on_approval_pct),
        "applicants": [{"type": t, "name": pack.applicant_type(t).name} for t in a.types],
        "joint": a.joint,
        "joint_with": [{"type": t, "name": pack.applicant_type(t).name, "count": a.joint_count}
                       for t in a.joint_types],
        "channel": a.channel,
        "applicant_note": a.note,
        "conditions": [{"id": c.id, "text": c.text, "source": _src(c.source)} for c in a.conditions],
        "targets": [{"id": t.id, "name": t.name, "min": plain(t.min), "unit": t.unit,
                     "source": _src(t.source)} for t in s.targets],
        "requirements": [{"id": r.id, "text": r.text, "source": _src(r.source)} for r in s.requirements],
        "deliverables": [{"kind": d.kind, "kind_name": pack.kind(d.kind).name, "name": d.name,
                          "count": d.count, "stage": d.stage, "length": length_json(pack, d),
                          "due": d.due.isoformat() if d.due else None, "source": _src(d.source)}
                         for d in s.deliverables],
        "directions": [{"id": d.id, "name": d.name, "cap_wan": plain(d.cap_wan)} for d in s.directions],
        "stamps": [{"id": st.id, "label": st.label, "party": st.party, "severity": st.severity}
                   for st in s.stamps],
        "preferences": [p.text for p in s.preferences],
        "team": ({"name": s.team.name, "members_target": s.team.members_target,
                  "leader": s.team.leader, "rule": "requirement.members_below" if s.team.members_target else None}
                 if s.team else None),
        "source": {"cap": _src(s.cap_source), "applicants": _src(a.source)},
    }


def _form_json(pack: RulePack) -> dict:
    """What the 申报书 prints beyond its sections, and the rules that read it back."""
    f = pack.application_form
    b = f.budget
    return {"staff_field": f.staff_field, "commitment": f.commitment,
            "budget": ({"items": list(b.items), "sources": list(b.sources), "request_source": b.request_source,
                        "total_label": b.total_label,
                        "rules": ["budget.sum_mismatch", "budget.request_mismatch", "budget.sources_mismatch"]}
                       if b else None)}


def pack_json(pack: RulePack, subs: list[Subprogram]) -> dict:
    p, d = pack.program, pack.dates
    return {
        "program": {"id": p.id, "name": p.name, "year": p.year, "version": p.version,
                    "issuer": p.issuer, "document_no": p.document_no,
                    "issued": p.issued.isoformat() if p.issued else None},
        "dates": {"online_open": d.online_open.isoformat(), "online_close": d.online_close.isoformat(),
                  "paper_deadline": d.paper_deadline.isoformat(), "online_system": d.online_system},
        "classes": [{"id": c.id, "name": c.name, "disbursement_on_approval_pct": plain(c.disbursement_on_approval_pct),
                     "note": c.disbursement_note} for c in pack.classes],
        "limits": [{"id": x.id, "rule": x.rule, "name": x.name, "subprograms": list(x.subprograms),
                    "classes": list(x.classes), "max": x.max, "count_by": x.count_by} for x in pack.limits],
        "disqualifications": (
            {"lookback_years": pack.disqualifications.lookback_years,
             "items": [{"id": i.id, "text": i.text} for i in pack.disqualifications.items]}
            if pack.disqualifications else None),
        "application_form": _form_json(pack),
        "length_readings": {"default_mode": pack.length_readings.default_mode,
                            "near_limit_ratio": pack.length_readings.near_limit_ratio,
                            "nominal": pack.length_readings.nominal.model_dump()},
        "document_kinds": [{"id": k.id, "name": k.name,
                            "sections": [{"id": s.id, "name": s.name, "required": s.required,
                                          "synonyms": list(s.synonyms)} for s in k.sections]}
                           for k in pack.document_kinds],
        "subprograms": [subprogram_json(pack, s) for s in subs],
    }


# --- text ---------------------------------------------------------------------------

def length_text(pack: RulePack, d: Deliverable) -> str:
    ln = pack.resolve_length(d.length)
    if ln is None:
        return "未规定"
    mode = MODE_NAMES[ln.mode]
    if ln.nominal is not None:
        warn = f"，超过 {ln.warn_above} 字提示" if ln.warn_above else ""
        return f"（{ln.nominal} 字）按不少于 {ln.min} 字{warn}（{mode}）"
    if ln.min is not None and ln.max is not None:
        return f"{ln.min}–{ln.max} 字（{mode}）"
    return f"不少于 {ln.min} 字（{mode}）" if ln.min is not None else f"不超过 {ln.max} 字（{mode}）"


def _subprogram_panel(pack: RulePack, s: Subprogram) -> Panel:
    cls = pack.program_class(s.class_)
    a = s.applicants
    head = Text()
    head.append(f"类别：{cls.name}" + (f"（{s.cycle_years} 年周期）" if s.cycle_years else ""))
    per = "每个方向" if s.cap_per == "direction" else "每个项目"
    head.append(f"    资助上限：{per}不超过 {plain(s.cap_wan)} 万元")
    head.append(f"    拨付：立项后 {plain(cls.disbursement_on_approval_pct)}%\n")
    head.append("申报主体：" + "；".join(pack.applicant_type(t).name for t in a.types))
    if a.joint == "required":
        head.append("（须联合 " + "、".join(f"{a.joint_count or 1} 家{pack.applicant_type(t).name}"
                                           for t in a.joint_types) + " 共同申报）")
    if a.channel:
        head.append(f"（由{pack.applicant_type(a.channel).name}统一扎口申报）")
    for c in a.conditions:
        head.append(f"\n条件：{c.text}")
    parts: list = [head]
    if s.directions:
        t = Table(title="方向", title_justify="left", show_edge=False)
        t.add_column("id"); t.add_column("方向"); t.add_column("上限（万元）", justify="right")
        for d in s.directions:
            t.add_row(d.id, d.name, str(plain(d.cap_wan)))
        parts.append(t)
    if s.targets:
        t = Table(title="年度目标（全年不少于）", title_justify="left", show_edge=False)
        t.add_column("id", no_wrap=True); t.add_column("目标", overflow="fold")
        t.add_column("最低", justify="right"); t.add_column("单位")
        for x in s.targets:
            t.add_row(x.id, x.name, str(plain(x.min)), x.unit)
        parts.append(t)
    if s.requirements:
        parts.append(Text("要求：\n" + "\n".join(f"  • {r.text}" for r in s.requirements)))
    if s.deliverables:
        lines = [f"  • {d.name}（{d.kind}）× {d.count}，{STAGE_NAMES[d.stage]}提交"
                 + (f"，截止 {d.due}" if d.due else "") + f"；字数：{length_text(pack, d)}"
                 for d in s.deliverables]
        parts.append(Text("须提交的材料：\n" + "\n".join(lines)))
    if s.team:
        need = next((f"，不少于 {plain(t.min)} {t.unit}" for t in s.targets if t.id == s.team.members_target), "")
        parts.append(Text(f"成员名单：{s.team.name}（姓名、单位、职称/称号、分工{need}"
                          + ("，第一行为领衔专家" if s.team.leader else "") + "）"))
    stamps = "；".join(f"{st.label}" + ("（提示级）" if st.severity != "error" else "") for st in s.stamps)
    parts.append(Text(f"盖章：{stamps}（封面和申报单位意见页各一处）"))
    return Panel(Group(*parts), title=f"[bold]{s.name}[/bold]  ({s.id})", title_align="left")


def render_text(pack: RulePack, subs: list[Subprogram], console: Console) -> None:
    p, d = pack.program, pack.dates
    console.print(f"[bold]{p.name}[/bold]  {p.document_no}  规则包版本 {p.version}")
    console.print(f"网上申报：{d.online_open} 至 {d.online_close}；纸质申报书（盖章）寄达截止："
                  f"{d.paper_deadline:%Y-%m-%d %H:%M}")
    for s in subs:
        console.print(_subprogram_panel(pack, s))
    if len(subs) == len(pack.subprograms):
        for lim in pack.limits:
            console.print(f"限制：{lim.name}（{lim.rule}）")
        if pack.disqualifications:
            dq = pack.disqualifications
            console.print("不得申报：" + "；".join(i.text for i in dq.items))
