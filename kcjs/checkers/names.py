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
SEAL_MIN_RATIO = 72     # a seal's ring text this alike (0–100) is the named unit's: different units of the corpus score ≤ 67, the same unit read with a slip ≥ 75 (tests/test_stamps.py)
SEAL_MIN_CHARS = 4      # Han characters a ring text needs before it can contradict a name


def _region(name: str) -> str | None:
    m = _REGION.match(_SPACE_BRACKETS.sub("", unicodedata.normalize("NFKC", name or "")))
    return None if m is None else ("jiangsu" if m.group(1) in ("江苏省", "江苏", "省") else "national")


def seal_name_ratio(ring_text: str, name: str) -> float:
    """How alike a seal's ring text (perhaps read in part) and a unit's name are, 0–100: applicant_key on both;
    rapidfuzz's ratio, or where the ring text is long enough its best alignment inside the name (a ring read in
    part); 0 when the two name different levels (江苏省… against 中国…/全国…)."""
    from rapidfuzz import fuzz
    ra, rb = _region(ring_text), _region(name)
    if ra and rb and ra != rb:
        return 0.0
    best = 0.0
    for a, b in ((applicant_key(ring_text), applicant_key(name)), (_long_key(ring_text), _long_key(name))):
        if a and b:  # short forms read alike whichever way each side writes them; long forms keep misreads small
            r = max(float(fuzz.ratio(a, b)), float(fuzz.partial_ratio(a, b)) if len(a) >= 5 else 0.0)
            ha, hb = _heads(a, b)
            if (ha, hb) != (a, b) and fuzz.ratio(ha, hb) < 50:
                r = min(r, float(fuzz.ratio(ha, hb)))  # alike only in the kind of unit both are
            best = max(best, r)
    return best


_KINDS = ("科学技术协会", "学会联合体", "有限责任公司", "管理委员会", "科学技术局", "人民政府", "有限公司", "联合体",
          "研究会", "促进会", "管委会", "研究院", "研究所", "科协", "学会", "协会", "公司", "中心", "大学", "学院")


def _heads(a: str, b: str) -> tuple[str, str]:
    """Two names of the same kind of unit (…学会, …科学技术协会) compared by what sets them apart: the kind
    both end with is dropped (a shared long ending would make any two such units look alike)."""
    for k in _KINDS:
        if a.endswith(k) and b.endswith(k) and len(a) > len(k) and len(b) > len(k):
            return a[:-len(k)], b[:-len(k)]
    return a, b


def _long_key(name: str) -> str:
    s = _SPACE_BRACKETS.sub("", _STAMP_NOTE.sub("", unicodedata.normalize("NFKC", name or "").strip()))
    return _PREFIX.sub("", s)
