"""`kcjs template`: the standard forms, blank or filled, from the docxtpl templates and the rule pack."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from kcjs.checkers.counting import MODE_NAMES
from kcjs.pipeline.packloader import find_direction, find_subprogram
from kcjs.pipeline.rules_view import STAGE_NAMES
from kcjs.pipeline.rulepack import Direction, RulePack, Subprogram, normalize_name, plain

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BLANK = "【请填写】"
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


def _num(x: float) -> str:
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
    pay = f"立项后拨付约 {_num(cls.disbursement_on_approval_pct)}% 的经费" if cls.disbursement_on_approval_pct < 100 \
        else "立项后拨付全部经费"
    return f"{who}原则上不超过 {_num(cap)} 万元；{cls.name}{pay}"


def _notes(pack: RulePack, sub: Subprogram, direction: Direction | None) -> list[str]:
    d = pack.dates
    a = sub.applicants
    types = "、".join(pack.applicant_type(t).name for t in a.types)
    notes = [f"可申报单位类型：{types}" + (f"（{a.note}）" if a.note else ""),
             f"网上填报时间：{d.online_open.isoformat()} 至 {d.online_close.isoformat()}；纸质申报书经申报单位负责人"
             f"审核并加盖公章后，于 {d.paper_deadline:%Y-%m-%d %H:%M} 前寄达。",
             "须加盖：" + "、".join(st.label.replace("（盖章）", "公章") + (f"（{st.party}）" if st.party else "")
                                   for st in sub.stamps) + "。"]
    for c in a.conditions:
        notes.append(f"申报条件：{c.text}。")
    for lim in pack.limits:
        if sub.id in lim.subprograms or sub.class_ in lim.classes:
            notes.append(f"申报限制：{lim.name}。")
    for dl in sub.deliverables:
        notes.append(f"须提交：{dl.name}（{STAGES[dl.stage]}" + (f"，{dl.due.isoformat()} 前" if dl.due else "") + "）。")
    return notes


def application_context(pack: RulePack, sub: Subprogram, direction: Direction | None, values: dict | None) -> dict:
    v = values or {}
    kind = pack.kind("application")
    category = f"{pack.program_class(sub.class_).name}—{cn_quotes(sub.name)}" + (f"（{direction.name}）" if direction else "")
    field_values = {f.id: str(v.get(f.id, "") or "") for f in kind.fields}
    field_values["category"] = category
    blank = {k: BLANK for k in ("project", "applicant", "head", "date")}
    sections = {s.id: s.name for s in kind.sections}
    targets = v.get("targets", {})
    items = v.get("budget_items") or ([{"item": "项目实施经费", "amount": _num(float(v["budget"])), "basis": "按实际需要测算"}]
                                      if v.get("budget") not in (None, "") else [{"item": "", "amount": "", "basis": ""}] * 3)
    return {
        "program": pack.program, "program_title": cn_quotes(pack.program.name), "category": category,
        "s": {"applicant_info": sections.get("applicant-info", ""), "basis": sections.get("basis", ""),
              "plan": sections.get("plan", ""), "targets": sections.get("targets", ""),
              "budget": sections.get("budget", ""), "opinion": sections.get("opinion", "")},
        "v": {**blank, **{k: field_values[k] for k in field_values if field_values[k]},
              "intro": v.get("intro") or "【请填写：单位性质、会员或专家队伍、服务产业的基础】",
              "basis": v.get("basis") or "【请填写：已开展的工作、已建平台、已有合作】",
              "plan": v.get("plan") or "【请填写：建设目标、主要任务、进度安排、保障措施】",
              "goals": v.get("goals") or ("" if sub.targets else "【请填写：年度工作目标和活动计划】"),
              "budget": _num(float(v["budget"])) if v.get("budget") not in (None, "") else BLANK,
              "budget_total": _num(float(v["budget"])) if v.get("budget") not in (None, "") else "",
              "opinion": v.get("opinion") or "【请填写审核意见】"},
        "fields": [{"name": f.name + (f"（{'、'.join(pack.applicant_type(t).name for t in sub.applicants.joint_types)}）"
                                      if f.joint_only else ""), "value": field_values[f.id] or BLANK}
                   for f in kind.fields if not f.joint_only or sub.applicants.joint == "required"],
        "targets": [{"name": t.name.split("（")[0], "unit": t.unit, "min": _num(t.min),
                     "value": _num(float(targets[t.id])) if targets.get(t.id) not in (None, "") else ""}
                    for t in sub.targets],
        "requirements": [r.text for r in sub.requirements],
        "cap_text": cap_text(pack, sub, direction),
        "budget_items": items,
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
    due = f"{dl.due.isoformat()} 前提交" if dl.due else STAGES[dl.stage]
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


# --- filled forms from data -------------------------------------------------------------------

def load_rows(path: Path) -> list[dict]:
    """Rows of data: a YAML or JSON list (or one mapping), or the first sheet of an Excel workbook."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        return [{h: c for h, c in zip(header, r) if h and c is not None} for r in rows[1:] if any(c is not None for c in r)]
    text = path.read_text(encoding="utf-8-sig")
    if suffix == ".json":
        data = json.loads(text)
    else:
        import yaml
        data = yaml.safe_load(text)
    if isinstance(data, dict):
        data = data.get("applicants", [data]) if "applicants" in data else [data]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueError("数据文件应为一个映射或映射的列表（每个申报单位一项）")
    return data


_ALIASES = {"subprogram": ("subprogram", "子项目", "项目类别", "申报类别"), "direction": ("direction", "方向"),
            "budget": ("budget", "申请经费", "申请资助经费", "申请经费（万元）", "申请资助经费（万元）"),
            "plan": ("plan", "项目实施方案", "实施方案"), "basis": ("basis", "前期工作基础", "工作基础"),
            "intro": ("intro", "单位简介"), "opinion": ("opinion", "申报单位意见", "审核意见"),
            "goals": ("goals", "年度目标", "年度工作目标")}


def row_values(pack: RulePack, row: dict) -> tuple[Subprogram, Direction | None, dict]:
    """Map one row's columns (ids or Chinese names) to a subprogram, a direction and template values."""
    keys = {normalize_name(str(k)): v for k, v in row.items()}

    def get(names) -> object:
        return next((keys[normalize_name(n)] for n in names if normalize_name(n) in keys), None)

    sub_name = get(_ALIASES["subprogram"])
    if not sub_name:
        raise ValueError("缺少“子项目”一列")
    sub = find_subprogram(pack, str(sub_name))
    direction = None
    d = get(_ALIASES["direction"])
    if d:
        direction = find_direction(sub, str(d))
    values: dict = {k: get(names) for k, names in _ALIASES.items() if k not in ("subprogram", "direction")}
    for f in pack.kind("application").fields:
        got = get((f.id, f.name, *f.synonyms))
        if got is not None:
            values[f.id] = str(got)
    values["targets"] = {}
    for t in sub.targets:
        short = t.name.split("（")[0]
        got = get((t.id, t.name, short))
        if got is not None:
            values["targets"][t.id] = got
    return sub, direction, {k: v for k, v in values.items() if v is not None}


def write_from_data(pack: RulePack, data: Path, out: Path) -> list[Path]:
    """One filled 申报书 per row of the data file."""
    paths = []
    for n, row in enumerate(load_rows(data), 1):
        try:
            sub, direction, values = row_values(pack, row)
        except (LookupError, ValueError) as e:
            raise ValueError(f"{data.name} 第 {n} 条：{e}") from None
        form = Form(sub, "application", direction)
        paths.append(render(pack, form, out / form.file_name(pack, values.get("applicant") or f"第{n}条"), values))
    return paths
