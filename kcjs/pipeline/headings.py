"""Numbered headings as Chinese documents write them: 第一部分 / 一、 / （一） / 1. / 1.1 / （1）."""
from __future__ import annotations

import re

_CN = "一二三四五六七八九十百零〇两"
NUMBERING = [  # (pattern, level), most specific first
    (re.compile(rf"^第[{_CN}\d]+(部分|章|篇|节)"), 1),
    (re.compile(rf"^[{_CN}]+\s*[、.．]"), 1),
    (re.compile(rf"^[（(]\s*[{_CN}]+\s*[)）]"), 2),
    (re.compile(r"^\d+\s*[.．]\s*\d+(\s*[.．]\s*\d+)*(?![\d%])"), 4),
    (re.compile(r"^\d+\s*(、|[.．](?!\d))"), 3),
    (re.compile(r"^[（(]\s*\d+\s*[)）]"), 4),
]
MAX_HEADING_CHARS = 40
_SENTENCE_END = re.compile(r"[。；;，,：:！!？?]$")
_STYLE_LEVEL = re.compile(r"^(?:heading|标题|title)\s*(\d)?$", re.I)


# a list item's number at the start of a line: "1." "1、" "（1）" "①" "一、" (not "1.5", a decimal)
ITEM_START = re.compile(r"^(\d{1,2}\s?[.．、](?!\d)|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,3}、)")


def numbering_level(text: str) -> int | None:
    """The level a numbering prefix implies, or None when the text starts with none."""
    t = text.strip()
    for rx, level in NUMBERING:
        if rx.match(t):
            return level
    return None


def strip_numbering(text: str) -> str:
    """The heading's words without its numbering and surrounding punctuation."""
    t = text.strip()
    for rx, _ in NUMBERING:
        m = rx.match(t)
        if m:
            t = t[m.end():]
            break
    return t.strip(" \t、.．:：")


def style_level(style_name: str | None) -> int | None:
    """Heading level from a style name: Heading 2 / 标题 2 / heading2 -> 2; Title / 标题 -> 0."""
    if not style_name:
        return None
    m = _STYLE_LEVEL.match(style_name.strip())
    if not m:
        return None
    if m.group(1):
        return int(m.group(1))
    return 0


def heading_level(text: str, emphasized: bool) -> int | None:
    """Level of a short numbered line that stands out (bold or larger type), else None.

    A numbered line that ends like a sentence, or is long, is a list item, not a heading.
    """
    t = text.strip()
    if not t or len(t) > MAX_HEADING_CHARS or _SENTENCE_END.search(t):
        return None
    level = numbering_level(t)
    if level is None or not strip_numbering(t):
        return None
    return level if emphasized or level <= 2 and len(t) <= 20 else None
