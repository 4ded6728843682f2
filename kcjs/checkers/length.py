"""Length in 字 of a deliverable against the pack's rule (closed range or the reading of "N 字")."""
from __future__ import annotations

from kcjs.checkers.context import Requirements
from kcjs.checkers.counting import MODE_NAMES, MODES, body_count
from kcjs.checkers.registry import rule
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location

TOO_SHORT = rule("length.too_short", "error", "正文字数少于下限")
TOO_LONG = rule("length.too_long", "error", "正文字数超过上限")
NEAR_LIMIT = rule("length.near_limit", "warning", "正文字数离上限或下限不足 1%，不同软件统计可能越界")
MODES_DISAGREE = rule("length.modes_disagree", "warning", "按不同统计口径，字数落在限值的两侧")
ABOVE_NOMINAL = rule("length.above_nominal", "warning", "正文字数明显超过通知给出的参考字数")
DOCPROPS_HINT = rule("length.docprops_hint", "info", "文档属性中保存的字数与实际不符（仅供参考）")

SCOPE = "正文和表格（不含页眉页脚、文本框、脚注）"


def _in_range(n: int, lo: int | None, hi: int | None) -> bool:
    return (lo is None or n >= lo) and (hi is None or n <= hi)


def check(doc: Document, req: Requirements) -> list[Finding]:
    ln = req.length
    if ln is None:
        return []
    mode = req.mode
    n = body_count(doc, mode)
    lo, hi = ln.min, ln.max
    ocr = "；扫描件经 OCR 识别，计数可能有少量误差" if any(p.source == "ocr" for p in doc.pages) else ""
    how = f"{MODE_NAMES[mode]}，统计范围：{SCOPE}{ocr}"
    expected = f"{lo}–{hi} 字" if lo is not None and hi is not None else (f"≥ {lo} 字" if lo is not None else f"≤ {hi} 字")
    name = req.deliverable.name
    out: list[Finding] = []
    if lo is not None and n < lo:
        out.append(Finding(TOO_SHORT, "error", f"{name}正文 {n} 字，少于下限 {lo} 字（差 {lo - n} 字；{how}）",
                           Location(), expected=expected, actual=n, hint=f"请补充内容至至少 {lo} 字"))
    elif hi is not None and n > hi:
        out.append(Finding(TOO_LONG, "error", f"{name}正文 {n} 字，超过上限 {hi} 字（多 {n - hi} 字；{how}）",
                           Location(), expected=expected, actual=n, hint=f"请删减至 {hi} 字以内"))
    else:
        ratio = req.pack.length_readings.near_limit_ratio
        for limit, side in ((lo, "下限"), (hi, "上限")):
            if limit is not None and abs(n - limit) <= limit * ratio:
                out.append(Finding(NEAR_LIMIT, "warning", f"{name}正文 {n} 字，距{side} {limit} 字仅 {abs(n - limit)} 字"
                                   f"（{how}）；WPS、Word 版本不同统计可能略有差异", Location(), expected=expected, actual=n,
                                   hint="建议留出余量"))
        if ln.warn_above is not None and n > ln.warn_above:
            out.append(Finding(ABOVE_NOMINAL, "warning", f"{name}正文 {n} 字，明显超过通知给出的参考字数 {ln.nominal} 字"
                               f"（超过 {ln.warn_above} 字即提示；{how}）", Location(), expected=f"约 {ln.nominal} 字", actual=n))
    judged = _in_range(n, lo, hi)
    others = {m: body_count(doc, m) for m in MODES if m != mode}
    flipped = {m: v for m, v in others.items() if _in_range(v, lo, hi) != judged}
    if flipped:
        alt = "，".join(f"按{MODE_NAMES[m]}为 {v} 字" for m, v in flipped.items())
        out.append(Finding(MODES_DISAGREE, "warning", f"按{MODE_NAMES[mode]}为 {n} 字（{'符合' if judged else '不符合'}要求），"
                           f"但{alt}（{'不符合' if judged else '符合'}要求）；评审口径不同时结论会不同",
                           Location(), expected=expected, actual={mode: n, **flipped}))
    stored = doc.properties.get("app_words")
    words = body_count(doc, "word")
    if isinstance(stored, int) and stored and abs(stored - words) > max(10, stored * 0.01):
        out.append(Finding(DOCPROPS_HINT, "info", f"文档属性中记录的字数为 {stored}，实际统计为 {words}"
                           "（属性值常未更新，仅供参考，不作为判断依据）", Location(), actual=stored))
    return out
