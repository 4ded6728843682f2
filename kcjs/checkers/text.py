"""Text helpers the checkers share: matching as people write, numbers as Chinese writes them."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kcjs.pipeline.headings import strip_numbering

# Numbers as people write them. Every pattern is bounded and cannot start or stop inside a longer run
# of the same characters (a 20,000-digit run is read in linear time and is not a number; issue 18).
CN_DIGITS = "零〇○一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
CN_NUM_CHARS = CN_DIGITS + "十拾百佰千仟"
_CN_RUN = CN_NUM_CHARS + "万萬亿億点"
MAX_DIGITS = 12      # no plausible count or amount (in 元) has more integer digits
MAX_CN_CHARS = 24    # 壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖 is 17 characters
_AR = r"(?<![\d.,，])(?:\d{1,3}(?:[,，]\d{3}){1,3}|\d{1,%d})(?:\.\d{1,6})?(?![\d])" % MAX_DIGITS
_CN = rf"(?<![{_CN_RUN}])[{_CN_RUN}]{{1,{MAX_CN_CHARS}}}(?![{_CN_RUN}])"
NUMBER = rf"(?:{_AR}|{_CN})"
_BIG = {"万": 10_000, "亿": 100_000_000}
_FOLD = str.maketrans({"萬": "万", "億": "亿", "○": "〇", "參": "叁", "陸": "陆", "貳": "贰"})


def cn_number(s: str) -> float | None:
    """A Chinese numeral as a number (六, 十二, 一百零八, 两千, 壹拾捌万伍仟, 二〇二四, 十六点五, 十六点五万),
    read by cn2an; None when it is not one or is longer than any plausible numeral."""
    import cn2an
    s = s.strip().translate(_FOLD).strip("点")
    if not s or len(s) > MAX_CN_CHARS:
        return None
    scale = 1
    if "点" in s:  # 十六点五万: cn2an reads the decimal, the trailing 万/亿 scales it
        while s and s[-1] in _BIG:
            scale *= _BIG[s[-1]]
            s = s[:-1]
    try:
        n = cn2an.cn2an(s, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(n) * scale


def cn_int(s: str) -> int | None:
    """A whole Chinese numeral (六, 十二, 三十五, 一百零八, 两千, 壹拾捌万) as an int, or None."""
    n = cn_number(s)
    return int(n) if n is not None and float(n).is_integer() else None


def to_number(s: str) -> float | None:
    """'1,800' / '29.5' / '三十五' / '壹拾捌' / '十六点五' -> a number; None when it is not one (or has more
    than MAX_DIGITS integer digits: no plausible count or amount does)."""
    s = unicodedata.normalize("NFKC", s.strip()).replace(",", "").replace("，", "")
    if not s:
        return None
    if re.fullmatch(r"\d{1,%d}(?:\.\d{1,6})?" % MAX_DIGITS, s):
        return float(s)
    if re.fullmatch(r"[\d.]+", s):
        return None  # digits, but too many to be a count or an amount
    return cn_number(s)


_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】<>、，,.。:：;；!！?？·・—\-_/／]+")


NORM_CACHE_CHARS = 64  # norm() of texts up to this long is kept: labels, keywords, cells and single characters


def norm(s: str) -> str:
    """For matching: NFKC (full-width to half-width), no spaces or punctuation, lower case. Short texts (the
    pack's names and keywords, labels, cells, which the checkers match again and again) are normalised once."""
    return _norm_short(s) if len(s) <= NORM_CACHE_CHARS else _norm(s)


def _norm(s: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", s)).lower()


_norm_short = lru_cache(maxsize=1 << 15)(_norm)  # ≤ 32768 × 64 characters: a few MB at most


def heading_key(text: str) -> str:
    """A heading's words for matching: numbering, punctuation and spaces removed."""
    return norm(strip_numbering(unicodedata.normalize("NFKC", text).strip()))


MAX_PLAUSIBLE_WAN = 1_000_000  # 100 亿元: beyond any project's amount, so not an amount (a hostile run)
_MONEY = re.compile(rf"({NUMBER})[ \t\u3000]{{0,3}}(万元|万|元)")


def money_wan(text: str) -> list[tuple[float, str]]:
    """Every amount of money in the text, in 万元, with the words it was read from (in text order):
    30万元, 1.5万, 十六点五万元, 15万元整, 壹拾捌万伍仟元整, 人民币拾伍万元, 150,000元."""
    found: list[tuple[float, str]] = []
    for m in _MONEY.finditer(text):
        n = to_number(m.group(1))
        if n is None:
            continue
        wan = n if m.group(2) in ("万元", "万") else n / 10_000
        if wan <= MAX_PLAUSIBLE_WAN:
            found.append((wan, m.group(0)))
    return found


def quote(text: str, limit: int = 40) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    return t if len(t) <= limit else t[: limit - 1] + "…"
