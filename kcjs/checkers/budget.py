"""The funding requested, in 万元, against the subprogram's cap; and budget tables that do not add up."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kcjs.checkers.context import Requirements
from kcjs.checkers.registry import rule
from kcjs.checkers.text import NUMBER, money_wan, norm, quote, to_number
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location

OVER_CAP = rule("budget.over_cap", "error", "申请资助经费超过子项目上限")
MISSING = rule("budget.missing", "error", "申报书没有写明申请资助经费")
SUM_MISMATCH = rule("budget.sum_mismatch", "warning", "经费预算表各项之和与合计不符")
REQUEST_MISMATCH = rule("budget.request_mismatch", "warning", "经费来源中的申请省科协资助与申请资助经费不符")
SOURCES_MISMATCH = rule("budget.sources_mismatch", "warning", "经费支出合计与经费来源合计不符")

REQUEST = re.compile(r"申请(?:省科协)?(?:专项)?资助(?:经费|金额|额度)?|申请(?:经费|金额|额度)|资助经费|拟申请")
# 申请资助经费（万元）：28 — the unit in the label, a bare number after it, as in a table
LABEL_UNIT = re.compile(rf"^[ \t\u3000]{{0,3}}[（(][ \t\u3000]{{0,3}}(万元|元)[ \t\u3000]{{0,3}}[)）][ \t\u3000]{{0,3}}[：:]?"
                        rf"[ \t\u3000]{{0,3}}({NUMBER})(?![ \t\u3000]{{0,3}}[万元])")
TOTAL = re.compile(r"^\s*(合\s*计|总\s*计|总额|经费总额)")
AMOUNT_HEADER = re.compile(r"金额|预算|经费|数额")


@dataclass(frozen=True)
class Amount:
    wan: float
    where: Location
    words: str


def _table_unit(texts: list[str]) -> float:
    """万元 per unit of a bare number in a table: headers say （元） or （万元）; 万元 by default."""
    joined = " ".join(texts)
    if re.search(r"[（(]\s*元\s*[)）]|单位[：:]\s*元(?!万)", joined) and "万元" not in joined:
        return 1 / 10_000
    return 1.0


def _cell_amount(text: str, unit: float) -> tuple[float, str] | None:
    money = money_wan(text)
    if money:
        return money[0]
    m = re.fullmatch(rf"\s*({NUMBER})\s*", text)
    n = to_number(m.group(1)) if m else None
    return (n * unit, text.strip()) if n is not None else None


def requested(doc: Document, skip: frozenset[int] = frozenset()) -> Amount | None:
    """The amount asked for: a labelled table cell first, then a sentence, then a budget table's total;
    tables whose block index is in `skip` are not read. Read once per document and `skip` while it is
    checked (Document.derived)."""
    return doc.derived(("requested", skip), lambda: _requested(doc, skip))


def _requested(doc: Document, skip: frozenset[int]) -> Amount | None:
    for i, b in enumerate(doc.blocks):
        if b.type != "table" or not b.rows or i in skip:
            continue
        unit = _table_unit([t for row in b.rows[:2] for t in row])
        for r, row in enumerate(b.rows):
            for c, label in enumerate(row):
                if not REQUEST.search(label):
                    continue
                own = money_wan(label)
                if own:
                    return Amount(own[0][0], Location(page=b.page, table=i, cell=(r, c), quote=quote(label)), own[0][1])
                for k in range(c + 1, len(row)):
                    got = _cell_amount(row[k], _table_unit([label]) if "元" in label else unit)
                    if got:
                        return Amount(got[0], Location(page=b.page, table=i, cell=(r, k), quote=quote(f"{label} | {row[k]}")), got[1])
    for i, b in enumerate(doc.blocks):
        if b.type not in ("paragraph", "heading"):
            continue
        for m in REQUEST.finditer(b.text):
            after = b.text[m.end():m.end() + 40]
            labelled = LABEL_UNIT.match(after)
            n = to_number(labelled.group(2)) if labelled else None
            if n is not None:
                wan = n if labelled.group(1) == "万元" else n / 10_000
                return Amount(wan, Location(page=b.page, paragraph=i, quote=quote(b.text[m.start():m.end() + 40])),
                              labelled.group(0).strip())
            money = money_wan(after)
            if money:
                return Amount(money[0][0], Location(page=b.page, paragraph=i, quote=quote(b.text[m.start():m.end() + 40])),
                              money[0][1])
    for i, b, col, total_row, unit in _budget_tables(doc):
        got = _cell_amount(b.rows[total_row][col], unit) if i not in skip else None
        if got:
            return Amount(got[0], Location(page=b.page, table=i, cell=(total_row, col), quote=quote(" | ".join(b.rows[total_row]))),
                          got[1])
    return None


def _budget_tables(doc: Document):
    """(index, table, amount column, total row, unit) of each table with an amount column and a 合计 row."""
    for i, b in enumerate(doc.blocks):
        if b.type != "table" or not b.rows or len(b.rows) < 3:
            continue
        header = b.rows[0]
        cols = [c for c, t in enumerate(header) if AMOUNT_HEADER.search(t) and not re.search(r"说明|依据|用途|科目|内容|来源", t)]
        totals = [r for r, row in enumerate(b.rows) if row and TOTAL.match(row[0])]
        if cols and totals:
            yield i, b, cols[0], totals[-1], _table_unit(header)


def check(doc: Document, req: Requirements) -> list[Finding]:
    if not req.is_application or req.subprogram is None:
        return []
    out: list[Finding] = []
    cap = req.cap_wan
    amount = requested(doc)
    per = f"“{req.direction.name}”方向" if req.direction else "每个项目"
    if amount is None:
        out.append(Finding(MISSING, "error", f"没有找到申请资助经费（{per}不超过 {cap:g} 万元）", Location(section="经费预算"),
                           expected=f"≤ {cap:g} 万元", hint="请在经费预算中写明“申请资助经费 ×× 万元”"))
    elif amount.wan > cap + 1e-9:
        out.append(Finding(OVER_CAP, "error", f"申请资助经费 {amount.wan:g} 万元（“{amount.words}”），超过{per}上限 {cap:g} 万元",
                           amount.where, expected=f"≤ {cap:g} 万元", actual=f"{amount.wan:g} 万元",
                           hint=f"请将申请资助经费调整到 {cap:g} 万元以内"))
    for i, b, col, total_row, unit in _budget_tables(doc):
        items = [_cell_amount(row[col], unit) for row in b.rows[1:total_row] if col < len(row)]
        values = [v[0] for v in items if v]
        total = _cell_amount(b.rows[total_row][col], unit)
        if values and total and abs(sum(values) - total[0]) > 0.005:
            out.append(Finding(SUM_MISMATCH, "warning", f"经费预算表各项之和为 {sum(values):g} 万元，与合计 {total[0]:g} 万元不符",
                               Location(page=b.page, table=i, cell=(total_row, col), quote=quote(" | ".join(b.rows[total_row]))),
                               expected=f"{sum(values):g} 万元", actual=f"{total[0]:g} 万元"))
    out += _sources(doc, req)
    return out


def _is_sources(b, names: set[str]) -> bool:
    return any(row and norm(row[0]) in names for row in b.rows[1:])


def _sources(doc: Document, req: Requirements) -> list[Finding]:
    """The 经费来源 table (rows named as the pack's budget.sources) against the rest of the form: its
    申请省科协资助 row equals the 申请资助经费 stated elsewhere, its 合计 equals the 支出 table's 合计."""
    form = req.pack.application_form.budget
    if form is None:
        return []
    names = {norm(s) for s in form.sources}
    tables = list(_budget_tables(doc))
    sources = [t for t in tables if _is_sources(t[1], names)]
    spent = [t for t in tables if not _is_sources(t[1], names)]
    if not sources:
        return []
    i, b, col, total_row, unit = sources[0]
    out: list[Finding] = []
    row = next((r for r in range(1, total_row) if norm(b.rows[r][0]) == norm(form.request_source)), None)
    asked = _cell_amount(b.rows[row][col], unit) if row is not None and col < len(b.rows[row]) else None
    stated = requested(doc, skip=frozenset(t[0] for t in tables))
    if asked and stated and abs(asked[0] - stated.wan) > 0.005:
        out.append(Finding(REQUEST_MISMATCH, "warning", f"经费来源中“{form.request_source}”为 {asked[0]:g} 万元，"
                           f"与申请资助经费 {stated.wan:g} 万元（“{stated.words}”）不符",
                           Location(page=b.page, table=i, cell=(row, col), quote=quote(" | ".join(b.rows[row]))),
                           expected=f"{stated.wan:g} 万元", actual=f"{asked[0]:g} 万元",
                           hint="请使经费来源中的申请省科协资助与申请资助经费一致"))
    src_total = _cell_amount(b.rows[total_row][col], unit)
    if spent and src_total:
        j, sb, scol, srow, sunit = spent[0]
        spent_total = _cell_amount(sb.rows[srow][scol], sunit)
        if spent_total and abs(spent_total[0] - src_total[0]) > 0.005:
            out.append(Finding(SOURCES_MISMATCH, "warning", f"经费支出合计 {spent_total[0]:g} 万元，与经费来源合计 "
                               f"{src_total[0]:g} 万元不符", Location(page=b.page, table=i, cell=(total_row, col),
                                                                  quote=quote(" | ".join(b.rows[total_row]))),
                               expected=f"{spent_total[0]:g} 万元", actual=f"{src_total[0]:g} 万元",
                               hint="支出预算与经费来源应当相等"))
    return out
