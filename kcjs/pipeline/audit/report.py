"""The audit's reports: JSON for tools, an Excel workbook for staff, a self-contained HTML page.
Reporters only format what the checks found; they decide nothing."""
from __future__ import annotations

import json
from pathlib import Path

from kcjs.pipeline.rulepack import plain

STATUS_NAMES = {"pass": "通过", "fail": "不通过", "error": "无法读取"}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_FILL = {"pass": "C6EFCE", "fail": "FFC7CE", "error": "D9D9D9"}


def write_json(report: dict, path: Path) -> Path:
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _where(loc: dict) -> str:
    from kcjs.pipeline.check_view import where
    return where(loc)


def summary_rows(report: dict) -> list[list]:
    rows = []
    for d in report["documents"]:
        m = d.get("metrics") or {}
        errors = sum(f["severity"] == "error" for f in d["findings"])
        warnings = sum(f["severity"] == "warning" for f in d["findings"])
        count = (m.get("count") or {}).get(m.get("count_mode", "word"))
        rows.append([d["file"], d.get("applicant") or "", d.get("subprogram_name") or "", d.get("kind_name") or "",
                     STATUS_NAMES[d["status"]], errors, warnings, count, plain(m.get("requested_wan")), plain(m.get("cap_wan")),
                     len([s for s in m.get("seals", []) if s.get("source") != "signature" or s.get("intact")]),
                     "；".join(d.get("cross", [])), "；".join(d.get("inferred", []))])
    return rows


SUMMARY_HEADER = ["文件", "申报单位", "子项目", "材料类型", "结论", "错误数", "警告数", "字数", "申请经费（万元）",
                  "经费上限（万元）", "公章数", "跨申报问题", "自动识别"]
FINDINGS_HEADER = ["文件", "申报单位", "级别", "规则", "问题", "位置", "原文", "要求", "实际", "建议"]
APPLICANTS_HEADER = ["申报单位", "文件数", "申报书数", "平台建设类", "项目活动类", "问题"]
CROSS_HEADER = ["申报单位", "级别", "规则", "问题", "涉及文件"]


def finding_rows(report: dict) -> list[list]:
    rows = []
    for d in report["documents"]:
        for f in d["findings"]:
            loc = f.get("location") or {}
            rows.append([d["file"], d.get("applicant") or "", SEVERITY_NAMES[f["severity"]], f["rule"], f["message"],
                         _where(loc), loc.get("quote", ""), _text(f.get("expected")), _text(f.get("actual")), f.get("hint", "")])
    return rows


def applicant_rows(report: dict) -> list[list]:
    return [[a["applicant"], a["files"], a["applications"], a["platform"], a["activity"], "；".join(a["problems"])]
            for a in report["applicants"]]


def cross_rows(report: dict) -> list[list]:
    return [[f["applicant"], SEVERITY_NAMES[f["severity"]], f["rule"], f["message"], "、".join(f["files"])]
            for f in report["findings"]]


def _text(v) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _safe(cell, value) -> None:
    """Text that starts with = + - @ (or a tab/CR) is written as text, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.data_type = "s"
        cell.quotePrefix = True


def _sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int], status_col: int | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill
    ws = wb.create_sheet(title)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=c)
            _safe(cell, value)
            cell.alignment = Alignment(wrap_text=isinstance(value, str) and len(value) > 30, vertical="top")
        if status_col is not None:
            code = next((k for k, v in STATUS_NAMES.items() if v == row[status_col]), None)
            if code:
                ws.cell(row=r, column=status_col + 1).fill = PatternFill("solid", fgColor=STATUS_FILL[code])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=max(1, len(rows) + 1), column=len(header)).coordinate}"
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
    return ws


def write_xlsx(report: dict, path: Path) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "汇总", SUMMARY_HEADER, summary_rows(report), [40, 28, 22, 16, 10, 8, 8, 8, 14, 14, 8, 40, 40], status_col=4)
    _sheet(wb, "问题明细", FINDINGS_HEADER, finding_rows(report), [40, 28, 8, 26, 60, 28, 40, 18, 18, 40])
    _sheet(wb, "申报单位", APPLICANTS_HEADER, applicant_rows(report), [30, 8, 10, 12, 12, 80])
    _sheet(wb, "跨申报检查", CROSS_HEADER, cross_rows(report), [30, 8, 26, 70, 60])
    narrative_sheet(wb, report)
    wb.save(path)
    return path


HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:12px 0;width:100%;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#ddebf7;position:sticky;top:0}
.pass{background:#c6efce}.fail{background:#ffc7ce}.error{background:#d9d9d9}
.sev-error{color:#b00}.sev-warning{color:#a60}.sev-info{color:#06c}
.small{color:#666;font-size:12px}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ s.documents }} 个文件：通过 {{ s.pass }}，不通过 {{ s.fail }}，无法读取 {{ s.error }}；
{{ s.applicants }} 个申报单位；跨申报问题 {{ s.cross_errors }} 个。规则包：{{ s.rule_pack }}；检查于 {{ s.generated }}。</p>
<h2>汇总</h2>
<table><tr>{% for h in summary_header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for r in summary %}<tr>{% for c in r %}<td{% if loop.index0 == 4 %} class="{{ status_class[c] }}"{% endif %}>{{ "" if c is none else c }}</td>{% endfor %}</tr>
{% endfor %}</table>
<h2>跨申报检查</h2>
{% if cross %}<table><tr>{% for h in cross_header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for r in cross %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
{% else %}<p>无。</p>{% endif %}
{{ narrative | safe }}
<h2>问题明细</h2>
<table><tr>{% for h in findings_header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for r in findings %}<tr>{% for c in r %}<td{% if loop.index0 == 2 %} class="sev-{{ severity_class[c] }}"{% endif %}>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</table>
<p class="small">kcjs {{ s.kcjs_version }}。本报告由程序生成，请以通知原文为准。</p>
</body></html>"""


def write_html(report: dict, path: Path) -> Path:
    from jinja2 import Environment
    env = Environment(autoescape=True)  # every value escaped: file names and quotes come from applicants
    html = env.from_string(HTML).render(
        title="“科创江苏”专项计划申报材料审核报告", s=report["summary"], summary_header=SUMMARY_HEADER,
        summary=summary_rows(report), findings_header=FINDINGS_HEADER, findings=finding_rows(report),
        cross_header=CROSS_HEADER, cross=cross_rows(report), narrative=narrative_html(report),
        status_class={v: k for k, v in STATUS_NAMES.items()}, severity_class={v: k for k, v in SEVERITY_NAMES.items()})
    path.write_text(html, encoding="utf-8")
    return path


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


NARRATIVE_HTML = """<h2>文本重合（疑似抄袭或重复申报）</h2>
{% if pairs %}<p class="small">按重合度（正文字符片段的 Jaccard 相似度）从高到低；已去除数字、单位名称、模板提示语和通知原文。每对列出最长的重合段落及其在两份材料中的位置。</p>
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


def narrative_html(report: dict) -> str:
    """The HTML report's 文本重合 section (every value escaped)."""
    from jinja2 import Environment
    return Environment(autoescape=True).from_string(NARRATIVE_HTML).render(pairs=_pairs(report), other=_other)
