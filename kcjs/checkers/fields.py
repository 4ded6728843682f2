"""The information fields of a form (申报单位, 项目类别, 申报日期 …), read from tables and "label：value" lines."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kcjs.checkers.text import norm, quote
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.findings import Location
from kcjs.pipeline.rulepack import DocumentKind, InfoField

_LABEL_VALUE = re.compile(r"^\s*([^：:]{2,12})\s*[：:]\s*(.*)$")


@dataclass(frozen=True)
class FieldValue:
    field: InfoField
    value: str
    where: Location
    label: tuple[int, int] | None = None  # (row, column) of the label cell when read from a table


_NOTE = re.compile(r"[（(][^（）()]*[）)]\s*[：:]?\s*$")


def _is_label(text: str, f: InfoField) -> bool:
    """The cell is the field's label, perhaps with a note in brackets: 联合申报单位（国家级学会）."""
    key = norm(_NOTE.sub("", text))
    return bool(key) and key in _label_keys(tuple(f.all_names))


@lru_cache(maxsize=256)
def _label_keys(names: tuple[str, ...]) -> frozenset[str]:
    """A field's names as matched (norm), computed once per field of the pack."""
    return frozenset(norm(n) for n in names)


def is_label(text: str, kind: DocumentKind) -> bool:
    """The text is the label of one of the kind's fields."""
    return any(_is_label(text, f) for f in kind.fields)


def read_fields(doc: Document, kind: DocumentKind) -> dict[str, FieldValue]:
    """Each field's first occurrence: a table cell labelled with it (value to its right), or a line
    'label：value' in a paragraph or cell. A field that is present but blank has value ''.
    Read once per document and kind while it is checked (Document.derived): do not modify the dict."""
    return doc.derived(("fields", id(kind)), lambda: _read_fields(doc, kind))


def _read_fields(doc: Document, kind: DocumentKind) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    shaky: set[str] = set()  # fields read by OCR under a seal: a later clear occurrence (the 基本信息 table) wins
    for i, b in enumerate(doc.blocks):
        if b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                for c, text in enumerate(row):
                    if (r, c) in b.copies:
                        continue
                    for f in kind.fields:
                        if f.id in out and f.id not in shaky:
                            continue
                        if _is_label(text, f):
                            value, at = _beside(b, r, c, kind)
                            _keep(doc, out, shaky, FieldValue(f, value, Location(page=b.page, table=i, cell=(r, at),
                                                                    quote=quote(f"{text} | {value}")), (r, c)))
                        else:
                            _label_value(text, f, out, shaky, doc, Location(page=b.page, table=i, cell=(r, c)))
        elif b.type in ("paragraph", "heading"):
            for f in kind.fields:
                if f.id not in out or f.id in shaky:
                    _label_value(b.text, f, out, shaky, doc, Location(page=b.page, paragraph=i))
    return out


def _beside(b: Block, r: int, c: int, kind: DocumentKind) -> tuple[str, int]:
    """(value, its column) of the label at (r, c): the next cell to its right, up to another label. On a scan
    (OCR) a centred value may be set apart by empty columns: the first non-empty cell (not all of them: a row
    may go on with a label the form has and the pack does not, 职称 | 教授)."""
    row = b.rows[r]
    for k in range(c + 1, len(row)):
        if (r, k) in b.copies and row[k] == row[c]:
            continue
        if is_label(row[k], kind):
            break
        if b.source != "ocr" or row[k].strip():
            return row[k].strip(), k
    return "", c + 1


def _keep(doc: Document, out: dict, shaky: set, fv: FieldValue) -> None:
    """Record a field's value: its first occurrence, unless that one was read under a seal and this one is clear."""
    fid = fv.field.id
    under = seal_over(doc, fv.where) is not None
    if fid in out and (under or not fv.value.strip()):
        return  # no clearer than what was read first
    out[fid] = fv
    shaky.discard(fid)
    if under:
        shaky.add(fid)


def _label_value(text: str, f: InfoField, out: dict, shaky: set, doc: Document, where: Location) -> None:
    for line in text.split("\n"):
        m = _LABEL_VALUE.match(line)
        if m and _is_label(m.group(1), f):
            value = m.group(2).strip()
            _keep(doc, out, shaky, FieldValue(f, value, Location(page=where.page, paragraph=where.paragraph,
                                                                 table=where.table, cell=where.cell, quote=quote(line))))
            return


def value_cells(doc: Document, fv: FieldValue, kind: DocumentKind) -> list[str]:
    """Every cell a table gives a field's value in, in reading order (see units_beside); [fv.value] outside a
    table."""
    if fv.label is None or fv.where.table is None:
        return [fv.value]
    b = doc.blocks[fv.where.table]
    return [t for t in ("\u3000".join(b.rows[r][c] for r, c in unit if b.rows[r][c])
                        for unit in units_beside(b, fv.label, lambda t: is_label(t, kind))) if t]


def units_beside(b: Block, label: tuple[int, int], stop) -> list[list[tuple[int, int]]]:
    """The cells a table gives a label's value in, as units of (row, col): each cell right of the label (up to
    the next cell `stop` accepts: another label), then each row the label spans when merged down (项目类别 over
    one row per option: the row's cells right of it), or, when nothing is beside a label, the row below it."""
    r0, c0 = label
    text = b.rows[r0][c0]

    def right_of(r: int) -> list[tuple[int, int]]:
        out = []
        for k in range(c0 + 1, len(b.rows[r])):
            cell = b.rows[r][k]
            if (r, k) in b.copies and cell == b.rows[r][k - 1]:
                continue
            if cell and stop(cell):
                break
            out.append((r, k))
        return out

    units = [[cell] for cell in right_of(r0)]
    r = r0 + 1
    while r < len(b.rows) and (r, c0) in b.copies and b.rows[r][c0] == text:  # the label merged down
        units.append(right_of(r))
        r += 1
    if r == r0 + 1 and not any(b.rows[y][x] for unit in units for y, x in unit) and r < len(b.rows):
        row = b.rows[r]  # the label spans its row or has an empty cell beside it: the options sit below
        units.append([(r, k) for k, t in enumerate(row) if t and not ((r, k) in b.copies and t == row[k - 1])])
    return [u for u in units if u]


def seal_over(doc: Document, where: Location):
    """The seal (kcjs.pipeline.seals.Seal) stamped across the OCR-read block of a field's value, or None: on a scan,
    print under a seal's ink may not be read (a black-and-white scan cannot tell them apart). Text layers keep
    what lies under a seal, so only blocks read by OCR are asked. A line "label：" reaches to the page's right edge:
    its value, unread, was to the right of what was read."""
    i = where.table if where.table is not None else where.paragraph
    block = doc.blocks[i] if i is not None and i < len(doc.blocks) else None
    if block is None or block.source != "ocr" or block.box is None:
        return None
    x0, y0, x1, y1 = block.box
    if block.type != "table":
        x1 = float("inf")
    for s in doc.seals:
        if s.page == block.page and s.box[0] < x1 and s.box[2] > x0 and s.box[1] < y1 and s.box[3] > y0:
            return s
    return None
