"""Template text left unfilled: Jinja tags, 【请填写】 prompts, XXX, blank lines and blank required fields."""
from __future__ import annotations

import re

from kcjs.checkers.context import Requirements
from kcjs.checkers.fields import read_fields, seal_over
from kcjs.checkers.registry import rule
from kcjs.checkers.text import quote
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location

PLACEHOLDER = rule("template.placeholder_left", "error", "模板中的占位内容未填写")
UNDER_SEAL = rule("template.value_under_seal", "warning", "扫描件中基本信息被公章覆盖，未能识别，须人工核对")

# A prompt as our templates print it (【请填写】, 【请填写：建设目标…】, 【请填写单位名称】, kcjs/pipeline/forms.py) and
# as other forms write it, in 【】 [] ［］ or 〔〕: 请 (敬请, 恳请) + a filling verb, or a bracket that opens with
# 填写/输入/此处填写. 请 inside a word (申请, 邀请, 提请, 聘请) is not a prompt, and 请示 / 请求 are not filling
# verbs: 【…完成立项申请】 and ［邀请院士填写问卷］ are the applicant's.
_PLEASE = r"(?<![申邀提聘吁宴延报呈])请[ \u3000]{0,2}(?:填写|填入|填报|输入|选择|勾选|在此|注明|简述|简要|写明|列出|描述|概述|补充|上传|删除|根据)"
_OPENS = r"(?:此处|在此)?[ \u3000]{0,2}(?:填写|填入|输入)(?!说明|要求|须知|指南|人|者|日期|时间)"  # 【填写说明】, 【填写人：王明】
_BRACKETS = (("【", "】"), (r"\[", r"\]"), ("［", "］"), ("〔", "〕"))
_CLOSERS = "".join(c for _, c in _BRACKETS)
PROMPT = re.compile("|".join(rf"{o}(?:[^{c}\n]{{0,30}}{_PLEASE}|[ \u3000]{{0,2}}{_OPENS})[^{c}\n]{{0,40}}{c}"
                             for o, c in _BRACKETS))

# A prompt half deleted (in any of the brackets above): its opening bracket and verb left before the applicant's text ("【请填写：项目目标 本项目…"),
# or its tail and closing bracket left after it ("…本项目 请填写建设目标】").
_OPENERS = "".join(o for o, _ in _BRACKETS)
HALF_PROMPT = re.compile(rf"[{_OPENERS}][ \u3000]{{0,2}}{_PLEASE}|{_PLEASE}[^{_OPENERS}{_CLOSERS}\n]{{0,40}}[{_CLOSERS}]")

PATTERNS = [
    (re.compile(r"\{\{[^{}\n]{0,200}\}\}|\{%[^{}\n]{0,200}%\}"), "模板标记"),
    (PROMPT, "填写提示"),
    (re.compile(r"单击或点击此处输入文字|单击此处输入文字|点击此处输入|Click or tap here to enter text", re.I), "Word 占位提示"),
    (re.compile(r"(?<![A-Za-z])(?:[XxＸｘ]{3,}|[XＸ]{2}(?=[\u4e00-\u9fff年月日]))"), "“XXX”"),
    (re.compile(r"_{4,}|＿{3,}"), "空白下划线"),
]
_EMPTY_DATE = re.compile(r"^[\s年月日_＿]*$")  # "    年  月  日" is a blank date


def _scan(text: str) -> list[tuple[str, str]]:
    """Every placeholder in the text: (what it is, the words); a half-deleted prompt where no whole one is."""
    hits = [(what, m) for rx, what in PATTERNS for m in rx.finditer(text)]
    whole = [m.span() for what, m in hits if m.re is PROMPT]
    halves = [("填写提示（只删了一半）", m) for m in HALF_PROMPT.finditer(text)
              if not any(a <= m.start() < b for a, b in whole)]
    return [(what, m.group(0)) for what, m in hits + halves]


def is_placeholder(value: str) -> bool:
    """A field value that is empty, a blank date, or template text."""
    return bool(_EMPTY_DATE.match(value) or _scan(value))


def check(doc: Document, req: Requirements) -> list[Finding]:
    out: list[Finding] = []
    for i, b in enumerate(doc.blocks):
        if b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                for c, text in enumerate(row):
                    for hit in _scan(text) if (r, c) not in b.copies else []:
                        out.append(Finding(PLACEHOLDER, "error", f"表格中留有未填写的{hit[0]}“{quote(hit[1], 20)}”",
                                           Location(page=b.page, table=i, cell=(r, c), quote=quote(text)),
                                           actual=hit[1], hint="请填写实际内容并删除模板提示"))
        elif b.type in ("paragraph", "heading"):
            for hit in _scan(b.text):
                out.append(Finding(PLACEHOLDER, "error", f"正文中留有未填写的{hit[0]}“{quote(hit[1], 20)}”",
                                   Location(page=b.page, paragraph=i, quote=quote(b.text)), actual=hit[1],
                                   hint="请填写实际内容并删除模板提示"))
    if req.kind.fields:
        for fv in read_fields(doc, req.kind).values():
            if _EMPTY_DATE.match(fv.value) and seal_over(doc, fv.where):
                out.append(Finding(UNDER_SEAL, "warning", f"基本信息“{fv.field.name}”未能识别：扫描件上该处被公章覆盖，"
                                   "请人工核对是否已填写", fv.where, expected=fv.field.name, actual="",
                                   hint="如已填写，可提交公章不压住文字的清晰扫描件或原件电子版"))
            elif _EMPTY_DATE.match(fv.value):
                out.append(Finding(PLACEHOLDER, "error", f"基本信息“{fv.field.name}”未填写", fv.where,
                                       expected=fv.field.name, actual="", hint=f"请填写{fv.field.name}"))
    return _dedupe(out)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.location.table, f.location.cell, f.location.paragraph, f.actual)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
