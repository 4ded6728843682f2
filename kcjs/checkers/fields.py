"""The information fields of a form (申报单位, 项目类别, 申报日期 …), read from tables and "label：value" lines."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kcjs.checkers.text import norm, quote
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Location
from kcjs.pipeline.rulepack import DocumentKind, InfoField

_LABEL_VALUE = re.compile(r"^\s*([^：:]{2,12})\s*[：:]\s*(.*)$")


@dataclass(frozen=True)
class FieldValue:
    field: InfoField
    value: str
    where: Location


_NOTE = re.compile(r"[（(][^（）()]*[）)]\s*[：:]?\s*$")


def _is_label(text: str, f: InfoField) -> bool:
    """The cell is the field's label, perhaps with a note in brackets: 联合申报单位（国家级学会）."""
    key = norm(_NOTE.sub("", text))
    return bool(key) and key in _label_keys(tuple(f.all_names))


@lru_cache(maxsize=256)
def _label_keys(names: tuple[str, ...]) -> frozenset[str]:
    """A field's names as matched (norm), computed once per field of the pack."""
    return frozenset(norm(n) for n in names)


def _any_label(text: str, kind: DocumentKind) -> bool:
    return any(_is_label(text, f) for f in kind.fields)


def read_fields(doc: Document, kind: DocumentKind) -> dict[str, FieldValue]:
    """Each field's first occurrence: a table cell labelled with it (value to its right), or a line
    'label：value' in a paragraph or cell. A field that is present but blank has value ''.
    Read once per document and kind while it is checked (Document.derived): do not modify the dict."""
    return doc.derived(("fields", id(kind)), lambda: _read_fields(doc, kind))


def _read_fields(doc: Document, kind: DocumentKind) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    for i, b in enumerate(doc.blocks):
        if b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                for c, text in enumerate(row):
                    if (r, c) in b.copies:
                        continue
                    for f in kind.fields:
                        if f.id in out:
                            continue
                        if _is_label(text, f):
                            value, at = "", c + 1
                            for k in range(c + 1, len(row)):
                                if (r, k) in b.copies and row[k] == text:
                                    continue
                                if _any_label(row[k], kind):
                                    break
                                value, at = row[k].strip(), k
                                break
                            out[f.id] = FieldValue(f, value, Location(page=b.page, table=i, cell=(r, at),
                                                                      quote=quote(f"{text} | {value}")))
                        else:
                            _label_value(text, f, out, Location(page=b.page, table=i, cell=(r, c)))
        elif b.type in ("paragraph", "heading"):
            for f in kind.fields:
                if f.id not in out:
                    _label_value(b.text, f, out, Location(page=b.page, paragraph=i))
    return out


def _label_value(text: str, f: InfoField, out: dict, where: Location) -> None:
    for line in text.split("\n"):
        m = _LABEL_VALUE.match(line)
        if m and _is_label(m.group(1), f):
            value = m.group(2).strip()
            out[f.id] = FieldValue(f, value, Location(page=where.page, paragraph=where.paragraph, table=where.table,
                                                      cell=where.cell, quote=quote(line)))
            return
