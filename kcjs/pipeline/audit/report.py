"""The audit's reports: JSON for tools, an Excel workbook for staff, a self-contained HTML page.
Reporters only format what the checks found; they decide nothing. Each sheet and each HTML section has
its own function (rows, then layout), so a new one is one more function and one more line."""
from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from kcjs.pipeline import safe_output
from kcjs.pipeline.rulepack import plain

STATUS_NAMES = {"pass": "通过", "fail": "不通过", "review": "需人工核查", "error": "无法读取"}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_FILL = {"pass": "C6EFCE", "fail": "FFC7CE", "review": "FFEB9C", "error": "D9D9D9"}
VERDICT_FILL = {"不予受理": "FFC7CE", "需补正": "FFEB9C", "合格": "C6EFCE"}
HIDDEN_RULES = ("detect.inferred",)  # shown in the 自动识别 column, not as problems


@dataclass(frozen=True)
class Cell:
    """A value with a link (a file's path relative to the report, and a PDF page) and a colour class
    ("pass", "sev-error", "v-reject" …)."""
    text: object
    link: str | None = None
    page: int | None = None
    cls: str | None = None

    @property
    def href(self) -> str | None:
        return _href(self.link, self.page)

    @property
    def target(self) -> str | None:
        """The link as Excel's HYPERLINK takes it: the path as is, #page=N for a PDF."""
        if not self.link:
            return None
        return self.link + (f"#page={self.page}" if self.page and self.link.lower().endswith(".pdf") else "")

    def __str__(self) -> str:
        return "" if self.text is None else str(self.text)


def value(c):
    return c.text if isinstance(c, Cell) else c


def write_json(report: dict, path: Path) -> Path:
    return safe_output.write_text(path, safe_output.dumps(report, indent=1))


def _where(loc: dict) -> str:
    from kcjs.pipeline.check_view import where
    return where(loc)


def _rule_name(report: dict, rule_id: str) -> str:
    return (report.get("rule_names") or {}).get(rule_id, "")


def _href(link: str | None, page: int | None = None) -> str | None:
    """A relative link as a URL: ASCII specials escaped (Chinese kept: Excel and browsers take it), #page=N for PDFs."""
    if not link:
        return None
    url = "".join(ch if ord(ch) > 127 else quote(ch, safe="/:~!$&'()*+,;=@") for ch in link)
    return url + (f"#page={page}" if page and link.lower().endswith(".pdf") else "")


def _file_cell(d: dict, page: int | None = None) -> Cell:
    return Cell(d["file"], d.get("link"), page)


# --- rows: the facts of each sheet / section -----------------------------------------------------------

VERDICT_HEADER = ["申报单位", "结论", "决定结论的规则", "文件数", "通过", "不通过", "需人工核查", "无法读取", "错误数", "警告数"]


def verdict_rows(report: dict) -> list[list]:
    rows = []
    for v in report.get("verdicts", []):
        rules = "；".join(f"{x['rule']} {_rule_name(report, x['rule'])}（{'、'.join(f for f in x['files'] if f) or '—'}）"
                         for x in v["decided_by"])
        rows.append([v["applicant"], Cell(v["verdict_name"], cls=f"v-{v['verdict']}"), rules, len(v["files"]), v["pass"],
                     v["fail"], v["review"], v["error"], v["errors"], v["warnings"]])
    return rows


SUMMARY_HEADER = ["文件", "申报单位", "子项目", "材料类型", "结论", "错误数", "警告数", "字数", "申请经费（万元）",
                  "经费上限（万元）", "公章数", "公章印文", "跨申报问题", "自动识别"]


def seal_texts(metrics: dict) -> str:
    """What the seals of a document read, for the auditor's eye: "第 1 页 江苏省机械工程学会；第 3 页 （印文未能识别）；
    骑缝章 第 5–6 页" (metrics.seals[*].text and metrics.cross_page_seals)."""
    parts = [(f"第 {s['page']} 页 " if s.get("page") else "") + (s.get("text") or "（印文未能识别）")
             for s in metrics.get("seals", []) if s.get("source") != "signature"]
    parts += [f"骑缝章 第 {min(c['pages'])}–{max(c['pages'])} 页" for c in metrics.get("cross_page_seals", [])]
    return "；".join(parts)


def summary_rows(report: dict) -> list[list]:
    rows = []
    annotated = any(d.get("annotated") for d in report["documents"])
    for d in report["documents"]:
        m = d.get("metrics") or {}
        errors = sum(f["severity"] == "error" for f in d["findings"])
        warnings = sum(f["severity"] == "warning" for f in d["findings"])
        count = (m.get("count") or {}).get(m.get("count_mode", "word"))
        row = [_file_cell(d), d.get("applicant") or "", d.get("subprogram_name") or "", d.get("kind_name") or "",
               Cell(STATUS_NAMES[d["status"]], cls=d["status"]), errors, warnings, count, plain(m.get("requested_wan")),
               plain(m.get("cap_wan")), len([s for s in m.get("seals", []) if s.get("source") != "signature" or s.get("intact")]),
               seal_texts(m), "；".join(d.get("cross", [])), "；".join(d.get("inferred", []))]
        if annotated:
            row.append(Cell("批注版", d["annotated"]) if d.get("annotated") else "")
        rows.append(row)
    return rows


def summary_header(report: dict) -> list[str]:
    return SUMMARY_HEADER + (["批注版"] if any(d.get("annotated") for d in report["documents"]) else [])


FINDINGS_HEADER = ["文件", "申报单位", "级别", "规则", "规则名称", "问题", "位置", "原文", "要求", "实际", "建议"]


def finding_rows(report: dict, documents: list[dict] | None = None) -> list[list]:
    """One row per finding of each document (detect.inferred notes excepted: they have their own column)."""
    rows = []
    for d in report["documents"] if documents is None else documents:
        for f in d["findings"]:
            if f["rule"] in HIDDEN_RULES:
                continue
            loc = f.get("location") or {}
            rows.append([_file_cell(d, loc.get("page")), d.get("applicant") or "",
                         Cell(SEVERITY_NAMES[f["severity"]], cls=f"sev-{f['severity']}"), f["rule"],
                         _rule_name(report, f["rule"]), f["message"], _where(loc), loc.get("quote", ""),
                         _text(f.get("expected")), _text(f.get("actual")), f.get("hint", "")])
    return rows


APPLICANTS_HEADER = ["申报单位", "文件数", "申报书数", "平台建设类", "项目活动类", "问题"]


def applicant_rows(report: dict) -> list[list]:
    return [[a["applicant"], a["files"], a["applications"], a["platform"], a["activity"], "；".join(a["problems"])]
            for a in report["applicants"]]


CROSS_HEADER = ["申报单位", "级别", "规则", "规则名称", "问题", "涉及文件"]


def cross_rows(report: dict) -> list[list]:
    return [[f["applicant"], Cell(SEVERITY_NAMES[f["severity"]], cls=f"sev-{f['severity']}"), f["rule"],
             _rule_name(report, f["rule"]), f["message"], "、".join(f["files"])] for f in report["findings"]]


SETTINGS_HEADER = ["项目", "内容"]


def settings_rows(report: dict) -> list[list]:
    """How this report was made: rule pack, version, time, stage, staff's tables, this run's choices."""
    s = report["summary"]
    rows = [["规则包", s["rule_pack"]], ["kcjs 版本", s["kcjs_version"]], ["检查时间", s["generated"]],
            ["阶段", {"application": "申报", "acceptance": "结项"}.get(s["stage"], s["stage"])]]
    if s.get("manifest"):
        rows.append(["清单", f"{s['manifest']}（{s.get('manifest_rows', 0)} 行）"])
    if s.get("blacklist"):
        rows.append(["不得申报名单", f"{s['blacklist']}（{s.get('blacklist_rows', 0)} 个单位）"])
    for t in s.get("tables", []):
        role = {"manifest": "清单", "blacklist": "不得申报名单"}[t["role"]]
        rows.append(["输入中的表格", f"{t['file']}：识别为{role}，{'已使用' if t['used'] else '未使用（已另行指定或有多份）'}，不作为申报材料检查"])
    rows += [["本次设定", line] for line in s.get("settings_text", [])] or [["本次设定", "无（按规则包原样检查）"]]
    rows += [["说明", note] for note in s.get("notes", [])]
    return rows


def _text(v) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


# --- the workbook ---------------------------------------------------------------------------------------

def _safe(cell, value) -> None:
    """Text that starts with = + - @ (or a tab/CR) is written as text, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.data_type = "s"
        cell.quotePrefix = True


def _link_cell(cell, v: Cell) -> None:
    """A link that wraps like text in Excel, WPS and LibreOffice: a HYPERLINK formula (LibreOffice keeps a
    cell hyperlink on one clipped line); quotes doubled, so a file's name is never read as a formula."""
    from openpyxl.styles import Font
    target, text = v.target, str(v)
    if len(target) <= 255 and len(text) <= 255:
        cell.value = f'=HYPERLINK("{target.replace(chr(34), chr(34) * 2)}","{text.replace(chr(34), chr(34) * 2)}")'
        cell.data_type = "f"
        cell.quotePrefix = False
    else:  # HYPERLINK takes 255 characters at most
        cell.hyperlink = target
    cell.font = Font(color="0563C1", underline="single")


def _print_setup(ws, title: str) -> None:
    """A4 landscape, one page wide, header row on every page, page numbers in the footer."""
    from openpyxl.worksheet.page import PageMargins
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddHeader.center.text = f"{title}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped cell needs in a column `width` characters wide (a CJK character is ~1.8)."""
    import math
    import unicodedata
    n = 0
    for part in str(text).split("\n"):
        w = sum(1.8 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in part)
        n += max(1, math.ceil(w / max(1.0, width - 0.5)))
    return n


def _fit_rows(ws, rows: list[list], widths: list[float]) -> None:
    """Row heights for wrapped text (sheet row 1 is the header): LibreOffice does not grow rows itself."""
    for r, row in enumerate(rows, 1):
        lines = max((_lines(value(c), widths[i]) for i, c in enumerate(row) if value(c) is not None and i < len(widths)),
                    default=1)
        if lines > 1:
            ws.row_dimensions[r].height = min(409, 15 * lines + 2)


def _sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int]):
    from openpyxl.styles import Alignment, Font, PatternFill
    ws = wb.create_sheet(title)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
        c.alignment = Alignment(wrap_text=True, vertical="center")
    fills = {**{k: v for k, v in STATUS_FILL.items()}, **{f"v-{k}": VERDICT_FILL[n] for k, n in
                                                          (("reject", "不予受理"), ("fix", "需补正"), ("pass", "合格"))}}
    for r, row in enumerate(rows, 2):
        for c, v in enumerate(row, 1):
            cell = ws.cell(row=r, column=c)
            _safe(cell, value(v))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(v, Cell):
                if v.target:
                    _link_cell(cell, v)
                if v.cls in fills:
                    cell.fill = PatternFill("solid", fgColor=fills[v.cls])
                elif v.cls == "sev-error":
                    cell.font = Font(color="C00000", bold=True)
    ws.freeze_panes = "B2" if len(header) > 6 else "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=max(1, len(rows) + 1), column=len(header)).coordinate}"
    for i, w in enumerate(widths[:len(header)], 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
    _fit_rows(ws, [header, *rows], widths)
    _print_setup(ws, title)
    return ws


def verdict_sheet(wb, report: dict):
    return _sheet(wb, "审核结论", VERDICT_HEADER, verdict_rows(report), [30, 10, 60, 7, 6, 7, 8, 8, 7, 7])


def summary_sheet(wb, report: dict):
    return _sheet(wb, "汇总", summary_header(report), summary_rows(report),
                  [30, 22, 16, 12, 9, 6, 6, 7, 9, 9, 6, 18, 26, 8])


def findings_sheet(wb, report: dict):
    return _sheet(wb, "问题明细", FINDINGS_HEADER, finding_rows(report), [26, 16, 6, 16, 18, 36, 14, 24, 10, 10, 22])


def applicants_sheet(wb, report: dict):
    return _sheet(wb, "申报单位", APPLICANTS_HEADER, applicant_rows(report), [30, 8, 8, 10, 10, 90])


def cross_sheet(wb, report: dict):
    return _sheet(wb, "跨申报检查", CROSS_HEADER, cross_rows(report), [26, 7, 24, 28, 56, 40])


def settings_sheet(wb, report: dict):
    return _sheet(wb, "运行设置", SETTINGS_HEADER, settings_rows(report), [18, 110])


def write_xlsx(report: dict, path: Path) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    verdict_sheet(wb, report)
    summary_sheet(wb, report)
    findings_sheet(wb, report)
    applicants_sheet(wb, report)
    cross_sheet(wb, report)
    narrative_sheet(wb, report)
    settings_sheet(wb, report)
    with safe_output.atomic_path(path) as tmp:
        wb.save(tmp)
    return path


# --- the HTML page --------------------------------------------------------------------------------------

HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px;width:100%;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#ddebf7;position:sticky;top:0;min-width:3.5em;cursor:pointer}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
tr.filters td{background:#f4f8fc;padding:2px}tr.filters input{width:100%;box-sizing:border-box;font-size:12px}
td.n{text-align:right;white-space:nowrap}td.short{white-space:nowrap}
.pass,.fail,.review,.error,[class^=v-],[class^=sev-]{white-space:nowrap}
.pass,.v-pass{background:#c6efce}.fail,.v-reject{background:#ffc7ce}.review,.v-fix{background:#ffeb9c}.error{background:#d9d9d9}
.sev-error{color:#b00;font-weight:bold}.sev-warning{color:#a60}.sev-info{color:#06c}
.small{color:#666;font-size:12px}h3{margin:18px 0 4px}
@page{size:A4 landscape;margin:12mm}
@media print{
 body{margin:0;font-size:11px}table{font-size:10.5px}th{position:static;cursor:auto}
 thead{display:table-header-group}tr{break-inside:avoid}tr.filters{display:none}
 th[data-dir]::after{content:""}a{color:inherit;text-decoration:none}
 #findings{break-before:page}section.applicant+section.applicant{break-before:page}h2,h3{break-after:avoid}
}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ s.documents }} 个文件：通过 {{ s.pass }}，不通过 {{ s.fail }}，需人工核查 {{ s.review }}，无法读取 {{ s.error }}；
{{ s.applicants }} 个申报单位{% if s.unidentified %}（其中 1 组为未识别申报单位的文件）{% endif %}：{% for k, v in s.verdicts.items() %}{{ names[k] }} {{ v }}{{ "，" if not loop.last }}{% endfor %}；
跨申报问题 {{ s.cross_errors }} 个。规则包：{{ s.rule_pack }}；检查于 {{ s.generated }}。</p>
{% for sec in sections %}{{ sec|safe }}
{% endfor %}
<p class="small">kcjs {{ s.kcjs_version }}。本报告由程序生成，请以通知原文为准。点击表头排序，在表头下的输入框中筛选。</p>
<script>
document.querySelectorAll("table.data").forEach(function (t) {
  var head = t.tHead.rows[0], filters = t.tHead.rows[1], body = t.tBodies[0];
  Array.prototype.forEach.call(head.cells, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.dataset.dir !== "asc";
      Array.prototype.forEach.call(head.cells, function (c) { delete c.dataset.dir; });
      th.dataset.dir = asc ? "asc" : "desc";
      var key = function (r) { return r.cells[i] ? r.cells[i].textContent.trim() : ""; };
      Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b), n = (x !== "" && y !== "" && !isNaN(x) && !isNaN(y)) ? x - y : x.localeCompare(y, "zh-CN");
        return asc ? n : -n;
      }).forEach(function (r) { body.appendChild(r); });
    });
  });
  if (filters) filters.addEventListener("input", function () {
    var q = Array.prototype.map.call(filters.cells, function (c) { return c.firstChild ? c.firstChild.value.trim().toLowerCase() : ""; });
    Array.prototype.forEach.call(body.rows, function (r) {
      r.hidden = q.some(function (s, i) { return s && !(r.cells[i] && r.cells[i].textContent.toLowerCase().indexOf(s) >= 0); });
    });
  });
});
</script>
</body></html>"""

TABLE = """<table class="data"><thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr>
<tr class="filters">{% for h in header %}<td><input aria-label="筛选{{ h }}" placeholder="筛选"></td>{% endfor %}</tr></thead>
<tbody>{% for r in rows %}<tr>{% for c in r %}{% set v = c.text if c is cell else c %}<td{% if c is cell and c.cls %} class="{{ c.cls }}"{% elif v is number %} class="n"{% endif %}>{% if c is cell and c.href %}<a href="{{ c.href }}">{{ v }}</a>{% else %}{{ "" if v is none else v }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>"""


def _env():
    from jinja2 import Environment
    env = Environment(autoescape=True)  # every value escaped: file names and quotes come from applicants
    env.tests["cell"] = lambda x: isinstance(x, Cell)
    return env


def _table(header: list[str], rows: list[list]) -> str:
    """An HTML table (escaped), sortable and filterable by the page's script."""
    return _env().from_string(TABLE).render(header=header, rows=rows)


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{escape(title)}</h2>\n{body}</section>'


def verdict_section(report: dict):
    return _section("verdicts", "审核结论", _table(VERDICT_HEADER, verdict_rows(report)))


def settings_section(report: dict):
    items = "".join(f"<li>{escape(k)}：{escape(v)}</li>" for k, v in settings_rows(report))
    return _section("settings", "运行设置", f'<ul class="small">{items}</ul>')


def summary_section(report: dict):
    return _section("documents", "汇总", _table(summary_header(report), summary_rows(report)))


def cross_section(report: dict):
    rows = cross_rows(report)
    return _section("cross", "跨申报检查", _table(CROSS_HEADER, rows) if rows else "<p>无。</p>")


def findings_section(report: dict):
    """问题明细, one part per applicant (a page each when printed), in the order of 审核结论."""
    from kcjs.checkers.names import applicant_key
    parts = []
    by_key: dict[str, list[dict]] = {}
    for d in report["documents"]:
        by_key.setdefault(applicant_key(d.get("applicant") or ""), []).append(d)
    verdicts = {applicant_key(v["applicant"]) if v["applicant"] != "（申报单位未识别）" else "": v
                for v in report.get("verdicts", [])}
    order = list(verdicts) + [k for k in by_key if k not in verdicts]
    for key in order:
        docs = by_key.get(key, [])
        v = verdicts.get(key)
        name = v["applicant"] if v else (docs[0].get("applicant") if docs else "") or "（申报单位未识别）"
        rows = finding_rows(report, docs)
        verdict = f'<span class="v-{v["verdict"]}">{escape(v["verdict_name"])}</span>' if v else ""
        body = _table(FINDINGS_HEADER, rows) if rows else ("<p>无问题。</p>" if docs else "<p>没有提交的文件。</p>")
        parts.append(f'<section class="applicant"><h3>{escape(name)} {verdict}</h3>\n{body}</section>')
    return _section("findings", "问题明细（按申报单位）", "\n".join(parts))


def write_html(report: dict, path: Path) -> Path:
    from kcjs.pipeline.audit.screening import VERDICTS
    sections = [verdict_section(report), summary_section(report), cross_section(report), narrative_section(report),
                findings_section(report), settings_section(report)]
    html = _env().from_string(HTML).render(
        title="“科创江苏”专项计划申报材料审核报告", s=report["summary"], names=VERDICTS, sections=sections)
    return safe_output.write_text(path, html)


# --- near-duplicate narratives (dup.narrative): the pairs side by side --------------------------------

NARRATIVE_HEADER = ["重合度", "文件甲", "申报单位甲", "文件乙", "申报单位乙", "重合段落", "字数", "甲处位置", "甲处原文",
                    "乙处位置", "乙处原文"]


def _pairs(report: dict) -> list[dict]:
    return sorted((f for f in report["findings"] if f["rule"] == "dup.narrative"), key=lambda f: -f.get("overlap", 0))


def _other(side: dict) -> str:
    return (side.get("applicant") or "未知单位") + (f"（{side['year']}）" if side.get("year") else "")


def narrative_rows(report: dict) -> list[list]:
    """One row per shared passage of each dup.narrative pair: overlap (0–1), both files and applicants,
    the passage's length (characters), and its place and text in each document."""
    rows = []
    for f in _pairs(report):
        left, right = f["left"], f["right"]
        base = [f["overlap"], "、".join(left["files"]), left.get("applicant") or "", "、".join(right["files"]), _other(right)]
        for k, p in enumerate(f.get("passages") or [None], 1):
            rows.append(base + ([k, p["length"], p["left"]["where"], p["left"]["text"], p["right"]["where"], p["right"]["text"]]
                                if p else ["", "", "", "", "", ""]))
    return rows


def narrative_sheet(wb, report: dict):
    """The workbook's 文本重合 sheet: each pair's passages side by side (甲 | 乙), overlap as a percentage."""
    ws = _sheet(wb, "文本重合", NARRATIVE_HEADER, narrative_rows(report), [8, 30, 24, 30, 24, 8, 6, 26, 60, 26, 60])
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "0%"
    return ws


NARRATIVE_HTML = """{% if pairs %}<p class="small">按重合度（正文字符片段的 Jaccard 相似度）从高到低；已去除数字、单位名称、模板提示语和通知原文。每对列出最长的重合段落及其在两份材料中的位置。</p>
{% for f in pairs %}<div class="dup">
<h3>重合度 {{ "%.0f"|format(f.overlap * 100) }}%：{{ f.left.files|join("、") }}（{{ f.left.applicant or "未知单位" }}） ↔ {{ f.right.files|join("、") }}（{{ other(f.right) }}）</h3>
<table class="side"><tr><th class="n">段落</th><th>甲：{{ f.left.files|join("、") }}</th><th>乙：{{ f.right.files|join("、") }}</th></tr>
{% for p in f.passages %}<tr><td class="n">{{ loop.index }}<br><span class="small">{{ p.length }} 字</span></td>
<td><div class="small">{{ p.left.where }}</div><div class="quote">{{ p.left.text }}</div></td>
<td><div class="small">{{ p.right.where }}</div><div class="quote">{{ p.right.text }}</div></td></tr>
{% endfor %}</table></div>
{% endfor %}{% else %}<p>未发现不同申报单位之间的大段文本重合。</p>{% endif %}
<style>.side td{width:46%}.side .n{width:8%;text-align:center}.quote{white-space:pre-wrap;background:#fff4d6;padding:4px;margin-top:2px}
.dup h3{font-size:15px;margin:18px 0 4px}</style>"""


def narrative_section(report: dict) -> str:
    """The HTML report's 文本重合 section: each dup.narrative pair's passages side by side (every value escaped)."""
    body = _env().from_string(NARRATIVE_HTML).render(pairs=_pairs(report), other=_other)
    return _section("narrative", "文本重合（疑似抄袭或重复申报）", body)
