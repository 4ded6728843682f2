"""Dates: the 申报日期 against the submission window; a deliverable's date against its due date."""
from __future__ import annotations

import datetime as dt
import re

from kcjs.checkers.context import Requirements
from kcjs.checkers.fields import read_fields
from kcjs.checkers.registry import rule
from kcjs.checkers.text import quote, to_number
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location

LATE = rule("date.late", "error", "日期晚于通知规定的截止日期")
SUSPICIOUS = rule("date.suspicious", "warning", "日期早于通知发布日期，可能填错")

_Y = r"(\d{4}|[二〇零○一三四五六七八九]{4})"
_MD = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = re.compile(rf"{_Y}\s*(?:年|[-./])\s*{_MD}\s*(?:月|[-./])\s*{_MD}\s*日?")


def parse_date(text: str) -> dt.date | None:
    """The first date in the text (2024年3月20日, 2024-03-20, 2024.3.20, 二〇二四年三月二十日)."""
    for m in DATE.finditer(text):
        y, mo, d = (to_number(g) for g in m.groups())
        try:
            return dt.date(int(y), int(mo), int(d))
        except (TypeError, ValueError):
            continue
    return None


def _signing_date(doc: Document) -> tuple[dt.date, Location] | None:
    """A deliverable's date: the last date in its last few blocks (落款)."""
    for i in range(len(doc.blocks) - 1, max(-1, len(doc.blocks) - 6), -1):
        b = doc.blocks[i]
        if b.type in ("paragraph", "heading"):
            found = [parse_date(m.group(0)) for m in DATE.finditer(b.text)]
            found = [d for d in found if d]
            if found:
                return found[-1], Location(page=b.page, paragraph=i, quote=quote(b.text))
    return None


def check(doc: Document, req: Requirements) -> list[Finding]:
    dates, out = req.pack.dates, []
    if req.is_application:
        fv = read_fields(doc, req.kind).get("date")
        d = parse_date(fv.value) if fv else None
        if d is None:
            return []
        if d > dates.online_close:
            out.append(Finding(LATE, "error", f"申报日期 {d:%Y年%-m月%-d日} 晚于网上申报截止日 {dates.online_close:%Y年%-m月%-d日}",
                               fv.where, expected=f"{dates.online_open} 至 {dates.online_close}", actual=d.isoformat(),
                               hint="请核对申报日期；逾期不予受理"))
        elif req.pack.program.issued and d < req.pack.program.issued:
            out.append(Finding(SUSPICIOUS, "warning", f"申报日期 {d:%Y年%-m月%-d日} 早于通知发布日期 {req.pack.program.issued:%Y年%-m月%-d日}，可能填错",
                               fv.where, actual=d.isoformat()))
        return out
    deliverable = req.deliverable
    if deliverable is None or deliverable.due is None:
        return out
    signed = _signing_date(doc)
    if signed and signed[0] > deliverable.due:
        d, where = signed
        out.append(Finding(LATE, "error", f"{deliverable.name}落款日期 {d:%Y年%-m月%-d日} 晚于截止日期 {deliverable.due:%Y年%-m月%-d日}",
                           where, expected=f"≤ {deliverable.due}", actual=d.isoformat()))
    return out
