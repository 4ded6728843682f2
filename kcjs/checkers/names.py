"""Applicants' names as people write them (全称/简称, 江苏省/省, brackets, 经开区/经济技术开发区, 管委会):
one key per unit for exact matching, and a similarity for names that are only alike."""
from __future__ import annotations

import re
import unicodedata

_PREFIX = re.compile(r"^(江苏省|江苏|省)")
_SPACE_BRACKETS = re.compile(r"[\s()（）\[\]【】<>《》〈〉\"'“”‘’「」·・、,，.。]+")
_STAMP_NOTE = re.compile(r"[（(](盖章|公章|签章|章)[)）]$")
_SHORT_FORMS = (("经济技术开发区", "经开区"), ("高新技术产业开发区", "高新区"), ("管理委员会", "管委会"),
                ("科学技术协会", "科协"), ("有限责任公司", "有限公司"))


def applicant_key(name: str) -> str:
    """An applicant's name for matching: NFKC, no spaces, quotes or brackets (their text kept), no
    江苏省/省 prefix, no "（盖章）", long forms written short (经济技术开发区 -> 经开区, 管理委员会 -> 管委会,
    高新技术产业开发区 -> 高新区, 科学技术协会 -> 科协, 有限责任公司 -> 有限公司)."""
    s = unicodedata.normalize("NFKC", name or "").strip()
    s = _STAMP_NOTE.sub("", s)
    s = _SPACE_BRACKETS.sub("", s)
    for full, short in _SHORT_FORMS:
        s = s.replace(full, short)
    return _PREFIX.sub("", s)


def name_similarity(a: str, b: str) -> float:
    """How alike two applicants' keys (applicant_key) are, 0–100: rapidfuzz's ratio (2 × common / total)."""
    from rapidfuzz import fuzz
    return float(fuzz.ratio(a, b)) if a and b else 0.0


_REGION = re.compile(r"^(江苏省|江苏|省|中国|全国|中华)")
SEAL_MIN_RATIO = 78     # a seal's ring text this alike (0–100) is the named unit's: tests/test_stamps.py measures it
SEAL_MIN_CHARS = 4      # Han characters a ring text needs before it can contradict a name


def _region(name: str) -> str | None:
    m = _REGION.match(_SPACE_BRACKETS.sub("", unicodedata.normalize("NFKC", name or "")))
    return None if m is None else ("jiangsu" if m.group(1) in ("江苏省", "江苏", "省") else "national")


def seal_name_ratio(ring_text: str, name: str) -> float:
    """How alike a seal's ring text (perhaps read in part) and a unit's name are, 0–100: applicant_key on both;
    rapidfuzz's ratio, or where the ring text is long enough its best alignment inside the name (a ring read in
    part); 0 when the two name different levels (江苏省… against 中国…/全国…)."""
    from rapidfuzz import fuzz
    a, b = applicant_key(ring_text), applicant_key(name)
    if not a or not b:
        return 0.0
    ra, rb = _region(ring_text), _region(name)
    if ra and rb and ra != rb:
        return 0.0
    r = float(fuzz.ratio(a, b))
    if len(a) >= 5:
        r = max(r, float(fuzz.partial_ratio(a, b)))
    return r
