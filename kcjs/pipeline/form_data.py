"""`kcjs template --data` and `--data-example`: rows of a workbook (or YAML/JSON) to filled 申报书, every bad cell
reported with its row and column; and the example workbook with the Chinese headers those rows use."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kcjs.pipeline.forms import Form, cn_day, cn_quotes, num_text, render, safe_name, stamp_title
from kcjs.pipeline.packloader import find_direction, find_subprogram
from kcjs.pipeline.rulepack import Direction, RulePack, Subprogram, normalize_name, plain

EMPTY = "为空"  # the why of a required cell left empty: 第 3 行，“申报单位”列为空
ROW_KEY = "_row"  # where a data row came from: its row number in the sheet, or its item number in YAML/JSON


def load_rows(path: Path) -> list[dict]:
    """Rows of data: a YAML or JSON list (or one mapping), or the first sheet of an Excel workbook. Each row
    carries ROW_KEY: the sheet's row number (the header is row 1), or the item's number (1-based)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        return [{ROW_KEY: n, **{h: c for h, c in zip(header, r) if h and c is not None}}
                for n, r in enumerate(rows[1:], start=2) if any(c is not None and str(c).strip() for c in r)]
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
    return [{ROW_KEY: n, **r} for n, r in enumerate(data, 1)]


_ALIASES = {"subprogram": ("subprogram", "子项目", "项目类别", "申报类别"), "direction": ("direction", "方向"),
            "budget": ("budget", "申请经费", "申请资助经费", "申请经费（万元）", "申请资助经费（万元）"),
            "plan": ("plan", "项目实施方案", "实施方案"), "basis": ("basis", "前期工作基础", "工作基础"),
            "intro": ("intro", "单位简介"), "opinion": ("opinion", "申报单位意见", "审核意见"),
            "goals": ("goals", "年度目标", "年度工作目标"), "period": ("period", "起止时间", "项目起止时间"),
            "start": ("start", "开始时间", "起始时间", "开始日期"), "end": ("end", "结束时间", "截止时间", "结束日期"),
            "team": ("team", "团队成员", "成员名单", "服务团成员", "专家团队成员")}
_PARTNER = {"signed": ("是否已与省科协签约", "已与省科协签约"), "contact": ("学会联系人",), "phone": ("学会联系电话",),
            "role": ("合作分工", "学会合作分工")}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (its serial 60 is the 1900-02-29 that never was)
SERIAL_RANGE = (20000, 80000)  # serials of plausible dates: 1954 to 2119


def cn_date(value) -> str:
    """A date as forms print it, 2024年3月20日, from what a sheet holds: a datetime or date, an Excel serial
    (45371), or text (2024-03-20, 2024/3/20, 2024.3.20, 20240320, 2024年3月20日). Raises ValueError."""
    from kcjs.checkers.dates import parse_date
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        d = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            raise ValueError(f"“{value:g}”不是日期")
        d = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = str(value).strip()
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        d = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else parse_date(text)
        if d is None:
            raise ValueError(f"“{text}”不是日期（应写作 2024年3月20日 或 2024-03-20）")
    return cn_day(d)


def _period(text) -> str:
    """起止时间 text with each date formatted: 2024-04-01至2024-12-31 -> 2024年4月1日至2024年12月31日."""
    parts = re.split(r"\s*(?:至|到|—+|~|～|--)\s*", str(text).strip())
    if len(parts) != 2:
        raise ValueError(f"“{text}”应写作“开始日期至结束日期”")
    return "至".join(cn_date(x) for x in parts)


def _wan(value, cap: float | None = None) -> float:
    """An amount in 万元 from a cell: 15, 15.5, '15', '15万元', '十五万元'; an amount written in 元 is converted
    (25000元, 贰万伍仟元 -> 2.5). `cap` (万元, the pack's cap of the subprogram): a bare figure above it is taken
    for 元 written in a 万元 column. Raises ValueError."""
    from kcjs.checkers.text import money_wan, to_number
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        n = float(value)
    else:
        text = str(value).strip()
        said = money_wan(text)
        if len(said) == 1 and said[0][1].strip() == re.sub(r"^人民币|整$", "", text).strip():
            return said[0][0]  # a unit written: 25000元, 15万元, 贰万伍仟元整
        n = to_number(text)
        if n is None:
            raise ValueError(f"“{value}”不是金额（请填写万元数，如 15）")
    if cap is not None and n > cap:
        raise ValueError(f"金额应以万元填写：“{value}”超过本子项目资助上限 {num_text(cap)} 万元"
                         f"（若为元，请写作“{value}元”或换算为万元）")
    return n


def _members(value) -> list[dict]:
    """团队成员: a list of mappings (YAML/JSON), or text with one member a line (or separated by ；):
    姓名，单位，职称/称号，分工."""
    if isinstance(value, list):
        return [{k: str(m.get(k) or m.get(cn) or "") for k, cn in (("name", "姓名"), ("unit", "单位"),
                                                                    ("title", "职称"), ("role", "分工"))}
                for m in value if isinstance(m, dict)]
    out = []
    for line in re.split(r"[\n；;]+", str(value)):
        cells = [c.strip() for c in re.split(r"[，,、|/]", line) if c.strip()] if line.strip() else []
        if not cells:
            continue
        if len(cells) < 3:
            raise ValueError(f"“{line.strip()}”应写作“姓名，单位，职称/称号，分工”")
        out.append(dict(zip(("name", "unit", "title", "role"), cells + [""] * (4 - len(cells)))))
    return out


def required_fields(pack: RulePack, sub: Subprogram) -> set[str]:
    """Ids of the information fields a data row must fill: every field the form's information table prints (the
    pack's application fields; 联合申报单位 only where a joint applicant is required), but the 项目类别 the form
    writes from the 子项目 column."""
    joint = sub.applicants.joint == "required"
    return {f.id for f in pack.kind("application").fields if f.id != "category" and (joint or not f.joint_only)}


def row_values(pack: RulePack, row: dict) -> tuple[Subprogram, Direction | None, dict]:
    """Map one row's columns (ids or Chinese names) to a subprogram, a direction and template values.
    Raises RowProblems with every bad cell of the row: (column, why) each."""
    keys = {normalize_name(str(k)): (k, v) for k, v in row.items() if k != ROW_KEY}
    problems: list[tuple[str, str]] = []

    def get(names) -> object:
        for n in names:
            for key in (normalize_name(n), normalize_name(n) + "万元"):
                if key in keys and keys[key][1] not in (None, ""):
                    return keys[key][1]
        return None

    def column(names) -> str:
        return next((keys[key][0] for n in names for key in (normalize_name(n), normalize_name(n) + "万元")
                     if key in keys), names[-1])

    def convert(names, fn, what=None):
        got = get(names)
        if got is None:
            return None
        try:
            return fn(got)
        except ValueError as e:
            problems.append((column(names), str(e)))
            return None

    sub_name = get(_ALIASES["subprogram"])
    if not sub_name:
        raise RowProblems([("子项目", "缺少“子项目”一列或未填写")])
    try:
        sub = find_subprogram(pack, str(sub_name))
    except LookupError as e:
        raise RowProblems([(column(_ALIASES["subprogram"]), str(e))]) from None
    direction = None
    d = get(_ALIASES["direction"])
    if d:
        try:
            direction = find_direction(sub, str(d))
        except LookupError as e:
            problems.append((column(_ALIASES["direction"]), str(e)))
    values: dict = {k: get(names) for k, names in _ALIASES.items()
                    if k not in ("subprogram", "direction", "budget", "period", "start", "end", "team")}
    cap = direction.cap_wan if direction else sub.cap_wan
    wan = lambda x: _wan(x, cap)  # noqa: E731  money columns: a bare figure above the cap is 元
    values["budget"] = convert(_ALIASES["budget"], wan)
    for f in pack.kind("application").fields:
        names = (f.id, f.name, *f.synonyms)
        got = convert(names, cn_date) if f.id == "date" else get(names)
        if got is not None and str(got).strip():
            values[f.id] = str(got).strip()
        elif f.id in required_fields(pack, sub) and not any(c == column(names) for c, _ in problems):
            problems.append((column((*names[1:], f.name)), EMPTY))
    period = convert(_ALIASES["period"], _period)
    start, end = convert(_ALIASES["start"], cn_date), convert(_ALIASES["end"], cn_date)
    values["period"] = period or (f"{start}至{end}" if start and end else None)
    values["team"] = convert(_ALIASES["team"], _members)
    values["partner_info"] = {k: str(v) for k, names in _PARTNER.items() if (v := get(names)) is not None} or None
    for st in sub.stamps[1:]:
        if st.field is None:  # a recommending unit: 推荐单位, and its opinion
            values[st.id] = get((st.id, st.label.replace("（盖章）", "")))
        values[f"{st.id}_opinion"] = get((f"{st.id}_opinion", stamp_title(st).split("（")[0]))
    budget = pack.application_form.budget
    if budget:
        values["budget_lines"] = {i: v for i in budget.items
                                  if (v := convert((i, i.replace("/", "")), wan)) is not None} or None
        values["budget_sources"] = {s: v for s in budget.sources if s != budget.request_source
                                    if (v := convert((s,), wan)) is not None} or None
    values["targets"] = {}
    for t in sub.targets:
        short = t.name.split("（")[0]
        got = convert((t.id, t.name, short), _wan)
        if got is not None:
            values["targets"][t.id] = got
    if problems:  # in the sheet's column order
        order = list(row)
        raise RowProblems(sorted(problems, key=lambda p: order.index(p[0]) if p[0] in order else len(order)))
    return sub, direction, {k: v for k, v in values.items() if v is not None}


class RowProblems(ValueError):
    """The bad cells of one data row: [(column, why)]."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("；".join(f"“{c}”列{'' if why == EMPTY else '：'}{why}" for c, why in problems))
        self.problems = problems


@dataclass(frozen=True)
class BadRow:
    row: int      # the sheet's row number (header = 1), or the item's number in YAML/JSON
    column: str
    why: str

    def text(self, data: Path) -> str:
        where = f"第 {self.row} 行" if data.suffix.lower() in (".xlsx", ".xlsm") else f"第 {self.row} 条"
        return f"{data.name} {where}，“{self.column}”列{'' if self.why == EMPTY else '：'}{self.why}"


def write_from_data(pack: RulePack, data: Path, out: Path) -> tuple[list[Path], list[BadRow]]:
    """One filled 申报书 per good row of the data file; every bad cell of the other rows, as BadRow."""
    paths, bad = [], []
    for row in load_rows(data):
        n = row.get(ROW_KEY, len(paths) + len(bad) + 1)
        try:
            sub, direction, values = row_values(pack, row)
        except RowProblems as e:
            bad += [BadRow(n, c, why) for c, why in e.problems]
            continue
        form = Form(sub, "application", direction)
        paths.append(render(pack, form, out / form.file_name(pack, values.get("applicant") or f"第{n}条"), values))
    return paths, bad


def example_row(pack: RulePack, sub: Subprogram) -> dict[str, object]:
    """The columns a data file for `sub` has, Chinese headers first to last, with one applicant's compliant values
    (every figure from the pack: the cap, each target's minimum)."""
    kind = pack.kind("application")
    names = {f.id: f.name for f in kind.fields}
    direction = sub.directions[0] if sub.directions else None
    cap = direction.cap_wan if direction else sub.cap_wan
    row: dict[str, object] = {"子项目": cn_quotes(sub.name)}
    if direction:
        row["方向"] = direction.name
    row.update({names["applicant"]: "江苏省示例学会", names["project"]: "示例学会服务产业创新项目",
                names["head"]: "王明", names["contact"]: "张华", names["phone"]: "025-83625054",
                "填报日期": dt.datetime.combine(pack.dates.online_open, dt.time()),
                "开始时间": dt.datetime.combine(pack.dates.online_close, dt.time()) + dt.timedelta(days=1),
                "结束时间": dt.datetime(pack.program.year, 12, 31)})
    for st in sub.stamps[1:]:
        if st.field is None:
            row[st.label.replace("（盖章）", "")] = "南京市科学技术协会"
        row[stamp_title(st).split("（")[0]] = "同意。"
    if sub.applicants.joint == "required":
        row[names["partner"]] = "中国示例学会"
        row.update({"是否已与省科协签约": "是", "学会联系人": "李强", "学会联系电话": "010-68787000",
                    "合作分工": "组织学会专家深入园区开展服务"})
    row["申请资助经费（万元）"] = plain(float(cap))  # figures as numbers: a sheet sums and checks them
    budget = pack.application_form.budget
    if budget:
        share = round(cap / len(budget.items), 2)
        for k, item in enumerate(budget.items):
            row[f"{item}（万元）"] = plain(share if k < len(budget.items) - 1 else round(cap - share * (len(budget.items) - 1), 2))
        for s in budget.sources:
            if s != budget.request_source:
                row[f"{s}（万元）"] = 0
    for t in sub.targets:
        row[t.name.split("（")[0]] = plain(float(t.min))
    if sub.team:
        rows = int(next(t.min for t in sub.targets if t.id == sub.team.members_target)) if sub.team.members_target \
            else sub.team.rows
        row["团队成员"] = "\n".join(f"专家{k}，东南大学，{'中国工程院院士' if k == 1 else '教授'}，"
                                    f"{'领衔专家' if k == 1 else '技术咨询'}" for k in range(1, rows + 1))
    row.update({"单位简介": "本单位是……（单位性质、会员或专家队伍、服务产业的基础）",
                "前期工作基础": "已开展的工作、已建平台、已有合作……", "项目实施方案": "建设目标、主要任务、进度安排、保障措施……",
                "申报单位意见": "同意申报，所填内容真实有效。"})
    if not sub.targets:
        row["年度目标"] = "年度工作目标和活动计划……"
    return row


def write_data_example(pack: RulePack, sub: Subprogram, out: Path) -> Path:
    """An .xlsx with the Chinese headers `kcjs template --data` reads for `sub`, one example row, and a 说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    row = example_row(pack, sub)
    wb = Workbook()
    ws = wb.active
    ws.title = "申报单位"
    ws.append(list(row))
    ws.append(list(row.values()))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(cell.value, dt.datetime):
            cell.number_format = "yyyy-mm-dd"
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = max(12, min(40, 2 * len(str(col[0].value)) + 4))
    ws.freeze_panes = "B2"
    notes = wb.create_sheet("说明")
    for line in ("每行一个申报单位；第 1 行是列名，请勿修改。示例行请替换为实际内容。",
                 "日期可填 Excel 日期、2024-03-20 或 2024年3月20日，生成的申报书统一写作 2024年3月20日。",
                 "金额以万元为单位；经费科目各列之和即支出合计。",
                 "团队成员每行一人：姓名，单位，职称/称号，分工。",
                 "生成：kcjs template --data 本文件.xlsx -o 输出目录"):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"数据示例-{safe_name(sub.name)}.xlsx"
    wb.save(path)
    return path
