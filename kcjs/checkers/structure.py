"""Where each required section of a document kind stands: by heading, short line, or table cell."""
from __future__ import annotations

from dataclasses import dataclass

from kcjs.checkers.text import heading_key, norm
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.rulepack import DocumentKind, Section

MAX_LABEL_CHARS = 25


@dataclass(frozen=True)
class Span:
    """A located section: blocks[start:end] are its content; `via` says how its title was found."""
    section: Section
    title: int
    start: int
    end: int
    via: str  # heading | line | table
    cell: tuple[int, int] | None = None


def name_matches(text: str, section: Section) -> bool:
    """A title matches a section when it is one of its names, or one of them with a few words around."""
    key = heading_key(text)
    if not key or len(key) > MAX_LABEL_CHARS:
        return False
    for name in section.all_names:
        n = norm(name)
        if key == n or (n in key and len(key) <= len(n) + 8):
            return True
    return False


def _level(b: Block) -> int:
    return b.level if b.type == "heading" and b.level is not None else 1


def _heading_span(blocks: list[Block], i: int, section: Section, via: str) -> Span:
    level = _level(blocks[i])
    end = i + 1
    while end < len(blocks):
        b = blocks[end]
        if b.type == "heading" and b.level is not None and 0 < b.level <= level:
            break
        end += 1
    return Span(section, i, i + 1, end, via)


def locate(doc: Document, kind: DocumentKind) -> dict[str, Span]:
    """The first place each section of `kind` appears: headings first, then short lines, then table cells."""
    blocks = doc.blocks
    found: dict[str, Span] = {}
    used: set[int] = set()
    for section in kind.sections:
        for i, b in enumerate(blocks):
            if i in used or b.type != "heading" or b.level == 0 or not name_matches(b.text, section):
                continue
            found[section.id] = _heading_span(blocks, i, section, "heading")
            used.add(i)
            break
    for section in kind.sections:
        if section.id in found:
            continue
        for i, b in enumerate(blocks):
            if i in used:
                continue
            if b.type == "paragraph" and len(b.text) <= MAX_LABEL_CHARS and name_matches(b.text, section):
                found[section.id] = _heading_span(blocks, i, section, "line")
                used.add(i)
                break
            if b.type == "table" and b.rows:
                cell = _cell(b, section)
                if cell:
                    found[section.id] = Span(section, i, i, i + 1, "table", cell)
                    break
    return found


def _cell(b: Block, section: Section) -> tuple[int, int] | None:
    for r, row in enumerate(b.rows):
        for c, text in enumerate(row):
            if (r, c) not in b.copies and text and name_matches(text.split("\n")[0], section):
                return (r, c)
    return None


def span_has_content(doc: Document, span: Span) -> bool:
    """A section has content: text or a table below its title, or a filled cell beside or below it."""
    if span.via == "table":
        b = doc.blocks[span.title]
        r, c = span.cell
        label = b.rows[r][c]
        first = label.split("\n")
        if len(first) > 1 and "".join(first[1:]).strip():
            return True  # title and content in one cell
        beside = [t for k, t in enumerate(b.rows[r]) if k != c and t.strip() and t != label]
        below = [t for t in (b.rows[r + 1] if r + 1 < len(b.rows) else []) if t.strip()]
        return bool(beside or (below and not any(t == label for t in below)))
    for b in doc.blocks[span.start:span.end]:
        if b.type == "table" and any(t.strip() for row in b.rows or [] for t in row):
            return True
        if b.type in ("paragraph", "heading") and b.text.strip():
            return True
    return False


def span_text(doc: Document, span: Span | None) -> list[Block]:
    """The blocks of a section (the whole document when the section was not found)."""
    if span is None:
        return doc.blocks
    if span.via == "table":
        return [doc.blocks[span.title]]
    return doc.blocks[span.start:span.end]
