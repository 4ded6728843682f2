"""Text helpers the checkers share: matching as people write, numbers as Chinese writes them."""
from __future__ import annotations

import math
import re
import unicodedata

from kcjs.pipeline.headings import strip_numbering

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "三": 3, "叁": 3, "參": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
           "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CN_NUM_CHARS = "".join(_DIGITS) + "".join(_UNITS)
# A number starts where a run of digits starts (no match from inside a run) and is at most 16 digits or 20
# numerals long: a longer run is no amount, and unbounded runs made these patterns quadratic (20,000 digits: 22 s).
NUMBER = rf"(?:(?<![\d.,，])\d[\d,，]{{0,15}}(?:\.\d{{1,6}})?|(?<![{CN_NUM_CHARS}])[{CN_NUM_CHARS}]{{1,20}})"
MAX_NUMERALS = 24
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】<>、，,.。:：;；!！?？·・—\-_/／]+")


def norm(s: str) -> str:
    """For matching: NFKC (full-width to half-width), no spaces or punctuation, lower case."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", s)).lower()


def heading_key(text: str) -> str:
    """A heading's words for matching: numbering, punctuation and spaces removed."""
    return norm(strip_numbering(unicodedata.normalize("NFKC", text).strip()))


def cn_int(s: str) -> int | None:
    """A Chinese numeral (六, 十二, 三十五, 一百零八, 两千, 壹拾捌万) as an int, or None (also when longer than
    any amount is written: MAX_NUMERALS)."""
    if not s or len(s) > MAX_NUMERALS or any(ch not in _DIGITS and ch not in _UNITS and ch not in _BIG for ch in s):
        return None
    if all(ch in _DIGITS for ch in s) and len(s) > 1:  # 二〇二四: digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def to_number(s: str) -> float | None:
    """'1,800' / '29.5' / '三十五' / '壹拾捌' -> a number; None when it is not one."""
    s = unicodedata.normalize("NFKC", s.strip()).replace(",", "").replace("，", "")
    if not s:
        return None
    try:
        n = float(s)
        return n if math.isfinite(n) else None  # '1e999', 'nan', 'inf' are no amounts
    except ValueError:
        n = cn_int(s)
        return float(n) if n is not None else None


_MONEY = re.compile(rf"({NUMBER})\s*(万元|万|元)")
_CAPITAL_MONEY = re.compile(r"(?<![零壹贰叁肆伍陆柒捌玖拾佰仟万亿])([壹贰叁肆伍陆柒捌玖拾][零壹贰叁肆伍陆柒捌玖拾佰仟万亿]{0,20})元(?:整|正)?")


def money_wan(text: str) -> list[tuple[float, str]]:
    """Every amount of money in the text, in 万元, with the words it was read from (in text order)."""
    found: list[tuple[int, float, str]] = []
    spans: list[tuple[int, int]] = []
    for m in _CAPITAL_MONEY.finditer(text):  # 大写 first: 壹拾捌万伍仟元整 is one amount
        n = cn_int(m.group(1))
        if n is not None:
            found.append((m.start(), n / 10_000, m.group(0)))
            spans.append(m.span())
    for m in _MONEY.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        n = to_number(m.group(1))
        if n is not None:
            found.append((m.start(), n if m.group(2) in ("万元", "万") else n / 10_000, m.group(0)))
    return [(n, words) for _, n, words in sorted(found)]


def quote(text: str, limit: int = 40) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    return t if len(t) <= limit else t[: limit - 1] + "…"
