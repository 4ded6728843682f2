"""The applicant's committed value for every annual target, against the notice's minimum."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kcjs.checkers.context import Requirements
from kcjs.checkers.registry import rule
from kcjs.checkers.structure import locate, span_text
from kcjs.checkers.text import NUMBER, norm, quote, to_number
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.findings import Finding, Location
from kcjs.pipeline.rulepack import Target

BELOW = rule("target.below_minimum", "error", "年度目标值低于通知规定的最低要求")
MISSING = rule("target.missing", "error", "申报书没有承诺通知规定的某项年度目标")

# Units people write for each unit of the notice (language, not figures of the notice).
UNIT_WORDS = {"个": "个项件", "项": "项个件", "场": "场次届", "家": "家个所", "人": "人名位", "次": "次场"}
VALUE_HEADER = re.compile(r"目标值|承诺|申报值|计划|本单位|预期|年度目标|数量|指标值|完成值|目标数")
NOT_VALUE_HEADER = re.compile(r"最低|要求|下限|通知|标准|单位$")
QUOTING_NOTICE = re.compile(r"通知要求|要求不少于|最低要求|通知规定|申报条件")


@dataclass(frozen=True)
class Commitment:
    value: float
    where: Location
    words: str


def _keywords(t: Target) -> tuple[str, ...]:
    """The target's name and keywords as matched (norm), longest first."""
    return _keyword_keys(t.name, tuple(t.keywords))


@lru_cache(maxsize=256)
def _keyword_keys(name: str, keywords: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({norm(k) for k in (name.split("（")[0], *keywords) if norm(k)}, key=len, reverse=True))


def _best_target(text: str, targets: tuple[Target, ...]) -> tuple[Target, str] | None:
    """The target whose longest keyword occurs in the text, with that keyword."""
    key = norm(text)
    best = None
    for t in targets:
        for k in _keywords(t):
            if k in key:
                if best is None or len(k) > len(best[1]):
                    best = (t, k)
                break
    return best


_ANY_UNIT = "".join(sorted(set("".join(UNIT_WORDS.values()))))
_SP = r"[ \t\u3000]{0,3}"
_GE = r"(?:≥|≧|>=|>|大于或等于|大于等于|不少于|不低于|至少|达到|超过)"
_SUFFIX = r"(?:\(含\)以上|及以上|或以上|以上)"  # 6个（含）以上 (NFKC makes the brackets ASCII)
_PER_YEAR = r"(?:/年|每年)"
# A value cell as people fill it: 6 / 6个 / ≥6个 / >=6 / 不少于6个 / 6个以上 / 6个（含）以上 / 6（个）/ 全年6项 / 6个/年
_RANGE = r"(?:[-–—~～]|至|到)"  # 2-3家, 2～3个, 2至3家: a range promises its lower bound
VALUE_CELL = re.compile(rf"{_SP}(?:(?:全年|每年|年度){_SP})?(?:{_GE}{_SP})?(?:({NUMBER}){_SP}{_RANGE}{_SP})?({NUMBER}){_SP}"
                        rf"(?:\({_SP}[{_ANY_UNIT}]{_SP}\)|[{_ANY_UNIT}]次?)?{_SP}{_SUFFIX}?{_SP}{_PER_YEAR}?{_SP}[。.]?{_SP}")
SEQUENCE_HEADER = re.compile(r"^\s*(序号|编号|序|no\.?|排序)\s*$", re.I)


def _is_year(v: float) -> bool:
    return v.is_integer() and 1900 <= v <= 2100


def _number_with_unit(text: str, unit: str, after: int = 0) -> tuple[float, str] | None:
    """The number followed by one of the unit's words (or right after ≥) nearest after position `after`
    (else the last before it); an ordinal (第3项) is not a value."""
    units = UNIT_WORDS.get(unit, unit)
    hits = [(m.start(), _lower(m.group(1), m.group(2)), m.group(0))
            for m in re.finditer(rf"(?<!第)(?:({NUMBER}){_SP}{_RANGE}{_SP})?({NUMBER}){_SP}[{units}]", text)]
    hits += [(m.start(), to_number(m.group(1)), m.group(0))  # 问题≥6: a number after ≥ needs no unit
             for m in re.finditer(rf"(?:≥|≧|>=|＞＝){_SP}({NUMBER})(?![\d.%％])", text)
             if not any(h[0] <= m.start(1) < h[0] + len(h[2]) for h in hits)]
    hits = [h for h in hits if h[1] is not None]
    if not hits:
        return None
    later = [h for h in hits if h[0] >= after]
    pos, value, words = min(later, key=lambda h: h[0]) if later else hits[-1]
    return value, words


def cell_value(text: str) -> float | None:
    """The committed value of a value cell (6, ≥6个, 不少于6个, >=6, 6个以上, 6（个）); None for anything
    else, and for a bare year (2024 is never a target's value)."""
    m = VALUE_CELL.fullmatch(unicodedata.normalize("NFKC", text))
    v = _lower(m.group(1), m.group(2)) if m else None
    if v is None or (_is_year(v) and m.group(0).strip() == m.group(2)):
        return None
    return v


def _lower(low: str | None, high: str) -> float | None:
    """The value a number or a range (low may be None) commits to: its lower bound."""
    values = [v for v in (to_number(low) if low else None, to_number(high)) if v is not None]
    return min(values) if values else None


# A requirement in brackets after a row's label: 解决企业重点难点技术问题（不少于5个）| ___ — the notice's minimum
# printed on the form, not the applicant's value (which belongs in the cell beside it).
_LABEL_NOTE = re.compile(rf"[（(][^（）()]{{0,12}}?{_GE}{_SP}{NUMBER}{_SP}[{_ANY_UNIT}]?[^（）()]{{0,6}}[)）]")


def _texts(blocks: list[Block], offset: int):
    """(text, location) of every paragraph, heading and table cell: a sentence inside a cell is prose too; a
    row label with cells beside it loses the requirement notes in brackets it carries."""
    for i, b in enumerate(blocks):
        if b.type in ("paragraph", "heading") and b.text:
            yield b.text, Location(page=b.page, paragraph=offset + i)
        elif b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                beside = sum(1 for c in range(len(row)) if (r, c) not in b.copies) > 1
                for c, text in enumerate(row):
                    if text and (r, c) not in b.copies:
                        yield (_label_without_note(text) if beside else text), \
                            Location(page=b.page, table=offset + i, cell=(r, c))


def _label_without_note(text: str) -> str:
    """A row label (short, no digit outside its notes) without its requirement notes; other text as it is."""
    bare = _LABEL_NOTE.sub("", text)
    return bare if bare != text and len(text) <= 40 and not re.search(r"[0-9０-９]", bare) else text


def from_prose(blocks: list[Block], targets: tuple[Target, ...], offset: int) -> dict[str, Commitment]:
    found: dict[str, Commitment] = {}
    for text, at in _texts(blocks, offset):
        for clause in re.split(r"[。；;！？!?\n]", text):
            if QUOTING_NOTICE.search(clause):
                continue
            for part in _split_by_targets(clause, targets):
                hit = _best_target(part, targets)
                if not hit or hit[0].id in found:
                    continue
                t, k = hit
                pos = norm(part).find(k)
                got = _number_with_unit(part, t.unit, after=_raw_pos(part, pos + len(k)))
                if got:
                    found[t.id] = Commitment(got[0], Location(page=at.page, paragraph=at.paragraph, table=at.table,
                                                              cell=at.cell, quote=quote(part)), got[1])
    return found


def _split_by_targets(clause: str, targets: tuple[Target, ...]) -> list[str]:
    """Split a clause at '，' or '、' where each piece names its own target (“解决问题6个、成果转化4项”);
    “梳理35项区域、企业重点产业创新需求” stays whole (its first piece names no target)."""
    pieces = re.split(r"[，,、]", clause)
    if len(pieces) == 1:
        return pieces
    out, current = [], ""
    for p in pieces:
        if current and _best_target(p, targets) and re.search(NUMBER, current) and _best_target(current, targets):
            out.append(current)
            current = p
        else:
            current = f"{current}、{p}" if current else p
    return out + [current]


def _raw_pos(text: str, norm_pos: int) -> int:
    """Position in `text` of the character at `norm_pos` in norm(text)."""
    seen = 0
    for i, ch in enumerate(text):
        if norm(ch):
            if seen == norm_pos:
                return i
            seen += 1
    return len(text)


def _sequence_cols(rows: list[list[str]], header_row: int) -> set[int]:
    """Columns that number the rows (headed 序号, or a first column running 1, 2, 3 …): never a target's value."""
    cols = {c for c, t in enumerate(rows[header_row]) if SEQUENCE_HEADER.match(t)} if header_row >= 0 else set()
    for c in (0,):
        values = [to_number(r[c]) if c < len(r) and re.fullmatch(r"\s*\d{1,3}\s*[.、．]?\s*", r[c]) else None
                  for r in rows[header_row + 1:]]
        values = [v for v in values if v is not None]
        if len(values) >= 2 and values == [values[0] + k for k in range(len(values))]:
            cols.add(c)
    return cols


def _is_value_sentence(text: str, targets: tuple[Target, ...]) -> bool:
    """A cell that may give the value of the target its row names in words (全年不少于6个): it names no target
    itself (a cell of prose naming targets is read clause by clause, from_prose) and quotes no requirement."""
    return bool(text) and _best_target(text, targets) is None and not QUOTING_NOTICE.search(text)


def from_tables(blocks: list[Block], targets: tuple[Target, ...], offset: int) -> dict[str, Commitment]:
    """Values of tables with a row per target, and of tables laid out across (a column per target named in a
    header row, its value below)."""
    found: dict[str, Commitment] = {}
    for i, b in enumerate(blocks):
        if b.type != "table" or not b.rows:
            continue
        layouts = [(b.rows, b.copies, False)]
        if any(len({h[0].id for h in (_best_target(t, targets) for t in row) if h}) >= 2 for row in b.rows[:3]):
            width = max(len(r) for r in b.rows)
            across = [[row[c] if c < len(row) else "" for row in b.rows] for c in range(width)]
            layouts.append((across, {(c, r) for r, c in b.copies}, True))
        for rows, copies, turned in layouts:
            for tid, (r, c, v, words) in _table_values(rows, copies, targets).items():
                if tid not in found:
                    cell = (c, r) if turned else (r, c)
                    where = Location(page=b.page, table=offset + i, cell=cell, quote=quote(" | ".join(b.rows[cell[0]])))
                    found[tid] = Commitment(v, where, words)
    return found


def _table_values(rows: list[list[str]], copies: set, targets: tuple[Target, ...]) -> dict[str, tuple]:
    """{target id: (row, col, value, words)} of a table with a row per target: the value column a header
    names (目标值, 本单位 …), else the rightmost cell that reads as a value."""
    found: dict[str, tuple] = {}
    value_col, skip_cols, header_row = None, set(), -1
    for r, row in enumerate(rows[:3]):
        cols = [c for c, t in enumerate(row) if VALUE_HEADER.search(t) and not NOT_VALUE_HEADER.search(t)]
        if cols:
            value_col, header_row = cols[-1], r
            skip_cols = {c for c, t in enumerate(row) if NOT_VALUE_HEADER.search(t)}
            break
    skip_cols |= _sequence_cols(rows, header_row) - {value_col}
    for r, row in enumerate(rows):
        if r <= header_row:
            continue
        label = " ".join(t for c, t in enumerate(row)
                         if c != value_col and c not in skip_cols and cell_value(t) is None)
        hit = _best_target(label, targets)
        if not hit or hit[0].id in found:
            continue
        t = hit[0]
        cols = [value_col] if value_col is not None else \
            [c for c in reversed(range(len(row))) if c not in skip_cols]
        for c in cols:
            if c >= len(row) or (r, c) in copies and c and row[c] == row[c - 1]:
                continue  # a cell merged across the row is the label's own text, not a value beside it
            v = cell_value(row[c])
            words = row[c]
            if v is None and (c == value_col or value_col is None) and _is_value_sentence(row[c], targets):
                got = _number_with_unit(row[c], t.unit)  # a sentence as the value: 全年不少于6个
                v, words = got if got else (None, words)
            if v is not None:
                found[t.id] = (r, c, v, words)
                break
    return found


def commitments(doc: Document, req: Requirements) -> dict[str, Commitment]:
    """Committed values: tables before prose, the targets section before the rest of the document.
    Read once per document, kind and subprogram while it is checked (Document.derived): do not modify the dict."""
    return doc.derived(("targets", id(req.kind), id(req.subprogram)), lambda: _commitments(doc, req))


def _commitments(doc: Document, req: Requirements) -> dict[str, Commitment]:
    targets = req.subprogram.targets
    span = locate(doc, req.kind).get("targets")
    scopes = []
    if span is not None:
        start = span.title if span.via == "table" else span.start
        scopes.append((span_text(doc, span), start))
    scopes.append((doc.blocks, 0))
    found: dict[str, Commitment] = {}
    for blocks, offset in scopes:
        for reader in (from_tables, from_prose):
            for tid, c in reader(blocks, targets, offset).items():
                found.setdefault(tid, c)
    return found


def check(doc: Document, req: Requirements) -> list[Finding]:
    if not req.is_application or req.subprogram is None or not req.subprogram.targets:
        return []
    found = commitments(doc, req)
    out = []
    for t in req.subprogram.targets:
        c = found.get(t.id)
        minimum = int(t.min) if float(t.min).is_integer() else t.min
        if c is None:
            out.append(Finding(MISSING, "error", f"没有找到“{t.name}”的年度目标值（通知要求全年不少于 {minimum} {t.unit}）",
                               Location(section="年度目标任务"), expected=f"≥ {minimum} {t.unit}", actual=None,
                               hint=f"请在年度目标任务中写明，例如“{t.name.split('（')[0]}不少于 {minimum} {t.unit}”"))
        elif c.value < t.min:
            v = int(c.value) if c.value.is_integer() else c.value
            out.append(Finding(BELOW, "error", f"“{t.name}”目标为 {v} {t.unit}，低于通知要求的最低 {minimum} {t.unit}",
                               c.where, expected=f"≥ {minimum} {t.unit}", actual=f"{v} {t.unit}",
                               hint=f"请将该目标提高到不少于 {minimum} {t.unit}"))
    return out
