"""`kcjs template`: the standard forms, blank or filled, from the docxtpl templates and the rule pack."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kcjs.checkers.counting import MODE_NAMES
from kcjs.pipeline.rules_view import STAGE_NAMES
from kcjs.pipeline.rulepack import Direction, RulePack, Subprogram, plain

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BLANK = "【请填写】"
OPINION_PROMPT = "【请填写审核意见】"  # the opinion an applicant (or a joint applicant) writes itself
CN_NUMS = "一二三四五六七八九十"
STAGES = {k: f"{v}提交" for k, v in STAGE_NAMES.items()}


def cn_quotes(s: str) -> str:
    """ASCII double quotes to Chinese ones, in pairs: 服务"科创江苏"其他专项 -> 服务“科创江苏”其他专项."""
    out, open_ = [], True
    for ch in s:
        if ch == '"':
            out.append("“" if open_ else "”")
            open_ = not open_
        else:
            out.append(ch)
    return "".join(out)


_LOOSE_SPACE = re.compile(r"(?<=[\d\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff“”])|(?<=[\u4e00-\u9fff“”])[ \t\u3000]+(?=\d)")


def tight(s: str) -> str:
    """No space between a figure and Chinese as a printed title writes it: 2024 年度 -> 2024年度 (the notice's text,
    as extracted from its PDF, spaces them)."""
    return _LOOSE_SPACE.sub("", s)


def cn_day(d) -> str:
    """A date as forms print it: 2024-03-15 -> 2024年3月15日."""
    return f"{d.year}年{d.month}月{d.day}日"


def num_text(x: float) -> str:
    """A figure as forms print it: 15.0 -> '15', 29.5 -> '29.5'."""
    return str(plain(float(x)))


def safe_name(s: str) -> str:
    """A file or folder name every system accepts (Windows refuses \\ / : * ? " < > |)."""
    return re.sub(r'[\\/:*?<>|]+', "-", cn_quotes(s)).strip(" .")


@dataclass(frozen=True)
class Form:
    subprogram: Subprogram
    kind: str  # application or a deliverable kind
    direction: Direction | None = None

    def file_name(self, pack: RulePack, applicant: str | None = None) -> str:
        name = "申报书" if self.kind == "application" else _deliverable(self.subprogram, self.kind).name.split("（")[0]
        who = f"-{safe_name(applicant)}" if applicant else ""
        where = safe_name(self.subprogram.name) + (f"-{self.direction.name}" if self.direction else "")
        return f"{where}{who}-{safe_name(name)}.docx"


def _deliverable(sub: Subprogram, kind: str):
    return next(d for d in sub.deliverables if d.kind == kind)


def cap_text(pack: RulePack, sub: Subprogram, direction: Direction | None) -> str:
    cls = pack.program_class(sub.class_)
    cap = direction.cap_wan if direction else sub.cap_wan
    who = f"“{direction.name}”方向" if direction else ("每个方向" if sub.cap_per == "direction" else "每个项目")
    pay = f"立项后拨付约 {num_text(cls.disbursement_on_approval_pct)}% 的经费" if cls.disbursement_on_approval_pct < 100 \
        else "立项后拨付全部经费"
    return f"{who}原则上不超过 {num_text(cap)} 万元；{cls.name}{pay}"


def _notes(pack: RulePack, sub: Subprogram, direction: Direction | None) -> list[str]:
    d = pack.dates
    a = sub.applicants
    types = "、".join(pack.applicant_type(t).name for t in a.types)
    notes = [f"可申报单位类型：{types}" + (f"（{a.note}）" if a.note else ""),
             f"网上填报时间：{cn_day(d.online_open)}至{cn_day(d.online_close)}；纸质申报书经申报单位负责人"
             f"审核并加盖公章后，于{cn_day(d.paper_deadline)}{d.paper_deadline:%H:%M}前寄达。",
             "须加盖：" + "、".join(st.label.replace("（盖章）", "公章") + (f"（{st.party}）" if st.party else "")
                                   for st in sub.stamps) + "。"]
    for c in a.conditions:
        notes.append(f"申报条件：{c.text}。")
    for lim in pack.limits:
        if sub.id in lim.subprograms or sub.class_ in lim.classes:
            notes.append(f"申报限制：{lim.name}。")
    for dl in sub.deliverables:
        notes.append(f"须提交：{dl.name}（{STAGES[dl.stage]}" + (f"，{cn_day(dl.due)}前" if dl.due else "") + "）。")
    return notes


def stamp_title(st) -> str:
    """推荐单位（盖章） -> 推荐单位意见（设区市科协）: the heading of that party's opinion block."""
    return st.label.replace("（盖章）", "意见") + (f"（{st.party}）" if st.party else "")


def commitment_text(pack: RulePack) -> str:
    """The 申报单位承诺: the pack's sentence, then the notice's 不得申报 situations quoted, numbered."""
    form = pack.application_form
    items = pack.disqualifications.items if pack.disqualifications else ()
    listed = "；".join(f"（{k}）{d.text}" for k, d in enumerate(items, 1))
    text = form.commitment or "本单位承诺：所提交的申报材料真实、准确、完整"
    return f"{text}：{listed}。如有不实，本单位愿承担相应责任。" if listed else f"{text}。如有不实，本单位愿承担相应责任。"


def _amount(x) -> str:
    return num_text(float(x)) if x not in (None, "") else ""


def _budget_rows(pack: RulePack, v: dict) -> tuple[list[dict], list[dict], str, str]:
    """The 支出科目 and 经费来源 rows of the budget table (amounts in 万元, '' where not given), and both 合计."""
    form = pack.application_form.budget
    lines = dict(v.get("budget_lines") or {})
    for i in v.get("budget_items") or []:  # the older list form: [{item, amount, basis}]
        if i.get("item"):
            lines[i["item"]] = i.get("amount")
    bases = v.get("budget_bases") or {}
    sources = dict(v.get("budget_sources") or {})
    budget = v.get("budget")
    if budget not in (None, ""):
        sources[form.request_source] = budget
        for s in form.sources:
            sources.setdefault(s, 0)
    names = list(form.items) + [k for k in lines if k not in form.items]
    items = [{"item": n, "amount": _amount(lines.get(n)), "basis": str(bases.get(n) or "")} for n in names]
    srcs = [{"item": n, "amount": _amount(sources.get(n)), "basis": ""} for n in form.sources]
    src_total = num_text(sum(float(x) for x in sources.values() if x not in (None, ""))) if sources else ""
    spent = [float(x) for x in lines.values() if x not in (None, "")]
    total = num_text(sum(spent)) if spent else src_total
    return items, srcs, total, src_total


def _team(sub: Subprogram, v: dict) -> dict | None:
    """The member table: the members given, or blank rows (as many as the pack's minimum where it has one)."""
    team = sub.team
    if team is None:
        return None
    rows = team.rows
    if team.members_target:
        rows = int(next(t.min for t in sub.targets if t.id == team.members_target))
    members = [{k: str(m.get(k) or "") for k in ("name", "unit", "title", "role")} for m in v.get("team") or []]
    if not members:
        members = [{"name": "", "unit": "", "title": "", "role": ""} for _ in range(rows)]
        if team.leader:
            members[0]["role"] = "领衔专家"
    need = "（第一行为领衔专家）" if team.leader else ""
    return {"caption": f"{team.name}成员名单{need}", "members": members}


def application_context(pack: RulePack, sub: Subprogram, direction: Direction | None, values: dict | None) -> dict:
    v = values or {}
    kind = pack.kind("application")
    category = f"{pack.program_class(sub.class_).name}—{cn_quotes(sub.name)}" + (f"（{direction.name}）" if direction else "")
    field_values = {f.id: str(v.get(f.id, "") or "") for f in kind.fields}
    field_values["category"] = category
    blank = {k: BLANK for k in ("project", "applicant", "head", "date", "phone")}
    vv = {**blank, **{k: field_values[k] for k in field_values if field_values[k]}}
    sections = {s.id: s.name for s in kind.sections}
    targets = v.get("targets", {})
    items, sources, total, src_total = _budget_rows(pack, v) if pack.application_form.budget else ([], [], "", "")
    cover = [{"label": "项目名称", "value": vv["project"]}]
    for st in sub.stamps:  # 申报单位（盖章）, then 推荐单位（盖章） or 联合申报单位（盖章） where the subprogram has one
        value = vv.get(st.field) if st.field else str(v.get(st.id) or "")
        cover.append({"label": st.label, "value": value or BLANK})
    cover += [{"label": "项目负责人", "value": vv["head"]}, {"label": "联系电话", "value": vv["phone"]},
              {"label": "起止时间", "value": str(v.get("period") or BLANK)}, {"label": "填报日期", "value": vv["date"]}]
    partner_rows = []
    if sub.applicants.joint == "required" and sub.applicants.joint_types:
        p = v.get("partner_info") or {}
        partner_rows = [{"name": "学会名称", "value": field_values.get("partner") or BLANK},
                        {"name": "是否已与省科协签约", "value": str(p.get("signed") or BLANK)},
                        {"name": "学会联系人", "value": str(p.get("contact") or BLANK)},
                        {"name": "学会联系电话", "value": str(p.get("phone") or BLANK)},
                        {"name": "合作分工", "value": str(p.get("role") or "【请填写：学会在项目中承担的工作】")}]
    joint_names = "、".join(pack.applicant_type(t).name for t in sub.applicants.joint_types)
    return {
        "program": pack.program, "program_title": tight(cn_quotes(pack.program.name)), "category": category,
        "staff_field": pack.application_form.staff_field, "cover": cover,
        "s": {"applicant_info": sections.get("applicant-info", ""), "basis": sections.get("basis", ""),
              "plan": sections.get("plan", ""), "targets": sections.get("targets", ""),
              "budget": sections.get("budget", ""), "opinion": sections.get("opinion", "")},
        "v": {**vv,
              "intro": v.get("intro") or "【请填写：单位性质、会员或专家队伍、服务产业的基础】",
              "basis": v.get("basis") or "【请填写：已开展的工作、已建平台、已有合作】",
              "plan": v.get("plan") or "【请填写：建设目标、主要任务、进度安排、保障措施】",
              "goals": v.get("goals") or ("" if sub.targets else "【请填写：年度工作目标和活动计划】"),
              "budget": num_text(float(v["budget"])) if v.get("budget") not in (None, "") else BLANK,
              "budget_total": total, "sources_total": src_total,
              "opinion": v.get("opinion") or OPINION_PROMPT},
        "fields": [{"name": f.name + (f"（{joint_names}）" if f.joint_only else ""), "value": field_values[f.id] or BLANK}
                   for f in kind.fields if not f.joint_only or sub.applicants.joint == "required"],
        "team": _team(sub, v),
        "partner_rows": partner_rows,
        "partner_caption": f"联合申报{joint_names}情况",
        "targets": [{"name": t.name.split("（")[0], "unit": t.unit, "min": num_text(t.min),
                     "value": num_text(float(targets[t.id])) if targets.get(t.id) not in (None, "") else ""}
                    for t in sub.targets],
        "requirements": [r.text for r in sub.requirements],
        "cap_text": cap_text(pack, sub, direction),
        "budget_items": items, "budget_sources": sources,
        "budget_total_label": pack.application_form.budget.total_label if pack.application_form.budget else "合计",
        "commitment": commitment_text(pack),
        "applicant_stamp": sub.stamps[0].label,
        # a joint applicant (a stamp line naming a field) writes its opinion as the applicant does: the same prompt;
        # a recommending unit's row stays blank for that unit to write by hand
        "other_opinions": [{"title": stamp_title(st), "label": st.label,
                            "text": str(v.get(f"{st.id}_opinion") or (OPINION_PROMPT if st.field else ""))}
                           for st in sub.stamps[1:]],
        "stamps": [{"label": st.label} for st in sub.stamps],
        "notes": _notes(pack, sub, direction),
    }


def length_text(pack: RulePack, dl) -> str:
    ln = pack.resolve_length(dl.length)
    if ln is None:
        return "字数不限"
    mode = "按" + MODE_NAMES[ln.mode]
    if ln.min is not None and ln.max is not None:
        return f"正文 {ln.min}–{ln.max} 字（{mode}）"
    return f"正文不少于 {ln.min} 字（{mode}，通知参考字数 {ln.nominal} 字）"


def deliverable_context(pack: RulePack, sub: Subprogram, kind: str, values: dict | None) -> dict:
    v = values or {}
    dl = _deliverable(sub, kind)
    k = pack.kind(kind)
    texts = v.get("sections", {})
    due = f"{cn_day(dl.due)}前提交" if dl.due else STAGES[dl.stage]
    return {
        "title": cn_quotes(sub.name) + dl.name.split("（")[0],
        "header": f"{dl.name}｜{length_text(pack, dl)}｜{due}",
        "sections": [{"number": CN_NUMS[i], "name": s.name,
                      "text": texts.get(s.id) or texts.get(s.name) or f"【请填写：{s.name}】"}
                     for i, s in enumerate(k.sections)],
        "v": {"unit": v.get("unit") or "【请填写单位名称】", "date": v.get("date") or "年　　月　　日"},
    }


def render(pack: RulePack, form: Form, path: Path, values: dict | None = None) -> Path:
    """Write one form, blank or filled with `values`, to `path`."""
    from docxtpl import DocxTemplate
    if form.kind == "application":
        tpl = DocxTemplate(str(TEMPLATES / "application.docx"))
        tpl.render(application_context(pack, form.subprogram, form.direction, values), autoescape=True)
    else:
        tpl = DocxTemplate(str(TEMPLATES / "deliverable.docx"))
        tpl.render(deliverable_context(pack, form.subprogram, form.kind, values), autoescape=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tpl.save(str(path))
    return path


def forms_of(sub: Subprogram, kind: str | None = None, direction: Direction | None = None) -> list[Form]:
    """The application (per direction where there are directions) and every deliverable of a subprogram."""
    if kind and kind != "application":
        return [Form(sub, kind)]
    apps = [Form(sub, "application", d) for d in ([direction] if direction else sub.directions or [None])]
    if kind == "application":
        return apps
    return apps + [Form(sub, k) for k in dict.fromkeys(d.kind for d in sub.deliverables)]


def write_all(pack: RulePack, out: Path) -> list[Path]:
    """Every form of every subprogram, in a tree: 类别/子项目/[方向-]申报书.docx and its deliverables."""
    paths = []
    for sub in pack.subprograms:
        folder = out / safe_name(pack.program_class(sub.class_).name) / safe_name(sub.name)
        for form in forms_of(sub):
            name = "申报书" if form.kind == "application" else _deliverable(sub, form.kind).name.split("（")[0]
            if form.direction:
                name = f"{form.direction.name}-{name}"
            paths.append(render(pack, form, folder / f"{safe_name(name)}.docx"))
    return paths
