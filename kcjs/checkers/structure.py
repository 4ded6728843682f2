"""Where each required section of a document kind stands: by heading, short line, or table cell."""
from __future__ import annotations

from dataclasses import dataclass

from kcjs.checkers.text import heading_key, norm
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.headings import numbering_level
from kcjs.pipeline.rulepack import DocumentKind, Section

MAX_LABEL_CHARS = 25
# A heading typed with a typo (实施方桉) finds its section by edit distance: rapidfuzz's ratio (0–100) on the
# heading's words against each name of at least FUZZY_MIN_CHARS characters. 75 lets one wrong character of
# four through and keeps two-character names exact (经验 is not 经费).
FUZZY_MIN_SCORE = 75
FUZZY_MIN_CHARS = 4
FUZZY_MAX_EXTRA = 2  # the heading may be at most this many characters longer or shorter than the name


@dataclass(frozen=True)
class Span:
    """A located section: blocks[start:end] are its content; `via` says how its title was found."""
    section: Section
    title: int
    start: int
    end: int
    via: str  # heading | line | table
    cell: tuple[int, int] | None = None
    fuzzy: tuple[str, float] | None = None  # found by a similar heading: (the name it resembles, score 0–100)


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


def fuzzy_match(text: str, section: Section) -> tuple[str, float] | None:
    """The section name a heading resembles (a typo of it), with rapidfuzz's score; None below the threshold."""
    key = heading_key(text)
    if not key or len(key) > MAX_LABEL_CHARS:
        return None
    from rapidfuzz import fuzz  # only when a section was not found by its name
    best = None
    for name in section.all_names:
        n = norm(name)
        if len(n) < FUZZY_MIN_CHARS or abs(len(key) - len(n)) > FUZZY_MAX_EXTRA:
            continue
        score = fuzz.ratio(key, n, score_cutoff=FUZZY_MIN_SCORE)
        if score and (best is None or score > best[1]):
            best = (name, score)
    return best


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


def _fuzzy_candidates(blocks: list[Block]):
    """(block index, text, cell) of every place a heading stands: heading blocks, numbered short lines,
    numbered first lines of table cells."""
    for i, b in enumerate(blocks):
        if b.type == "heading" and b.level != 0:
            yield i, b.text, None
        elif b.type == "paragraph" and len(b.text) <= MAX_LABEL_CHARS and numbering_level(b.text) is not None:
            yield i, b.text, None
        elif b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                for c, text in enumerate(row):
                    first = text.split("\n")[0] if text else ""
                    if (r, c) not in b.copies and first and numbering_level(first) is not None:
                        yield i, first, (r, c)


def locate(doc: Document, kind: DocumentKind) -> dict[str, Span]:
    """The first place each section of `kind` appears: headings first, then short lines, then table cells.
    Found once per document and kind while it is checked (Document.derived): do not modify the dict."""
    return doc.derived(("sections", id(kind)), lambda: _locate(doc, kind))


def _locate(doc: Document, kind: DocumentKind) -> dict[str, Span]:
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
    missing = [s for s in kind.sections if s.id not in found]
    if missing:
        taken = {(sp.title, sp.cell) for sp in found.values()}
        for section in missing:
            for i, text, cell in _fuzzy_candidates(blocks):
                if (i, cell) in taken or (cell is None and i in used):
                    continue
                hit = fuzzy_match(text, section)
                if hit is None:
                    continue
                if cell is None:
                    sp = _heading_span(blocks, i, section, "heading" if blocks[i].type == "heading" else "line")
                    found[section.id] = Span(section, sp.title, sp.start, sp.end, sp.via, None, hit)
                    used.add(i)
                else:
                    found[section.id] = Span(section, i, i, i + 1, "table", cell, hit)
                taken.add((i, cell))
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
