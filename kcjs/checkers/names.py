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
