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


def without_stamp_note(name: str) -> str:
    """The name as written, without a trailing "（盖章）"/"(公章)" copied from its label: "江苏省示例学会 （盖章）" -> "江苏省示例学会"."""
    return _STAMP_NOTE.sub("", name.strip()).strip()


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
SEAL_UNSURE_RATIO = 50  # below SEAL_MIN_RATIO but this alike: a misread of the name as likely as another unit (said
                        # as unread, not as a mismatch); other units score ≤ 33 once their kind and city are set aside


def _region(name: str) -> str | None:
    m = _REGION.match(_SPACE_BRACKETS.sub("", unicodedata.normalize("NFKC", name or "")))
    return None if m is None else ("jiangsu" if m.group(1) in ("江苏省", "江苏", "省") else "national")


_CITY = re.compile(r"^(?:江苏省|江苏|省)?([\u4e00-\u9fff]{2,3}?[市县区])")


def _level(name: str) -> str | None:
    """Whose level a name gives: 'national' (中国…), 'city:南京市' (a city, county or district first, after any
    江苏省), 'province' (江苏省… with no city after it); None when it names none (机械工程学会, 东南大学…)."""
    s = _SPACE_BRACKETS.sub("", unicodedata.normalize("NFKC", name or ""))
    city = _CITY.match(s)
    if city:
        return "city:" + city.group(1)
    region = _region(s)
    return "province" if region == "jiangsu" else region


def _one_slip(a: str, b: str) -> bool:
    """Two cities' levels ('city:无锡市', 'city:无成市') one misread character apart: the same city as likely
    as another (南京市, 南通市), left to the names' likeness."""
    return a.startswith("city:") and b.startswith("city:") and len(a) == len(b) and \
        sum(x != y for x, y in zip(a, b)) <= 1


def seal_name_ratio(ring_text: str, name: str) -> float:
    """How alike a seal's ring text (perhaps read in part) and a unit's name are, 0–100: applicant_key on both;
    rapidfuzz's ratio, or where the ring text is long enough its best alignment inside the name (a ring read in
    part); 0 when the two name different levels or places (江苏省… against 中国…/全国… or 南京市…; 南京市… against
    苏州市…): a provincial society's seal is not its city namesake's."""
    from rapidfuzz import fuzz
    ra, rb = _region(ring_text), _region(name)
    if ra and rb and ra != rb:
        return 0.0
    ring_text = _province_misread(ring_text)
    la, lb = _level(ring_text), _level(name)
    if la and lb and la != lb and not _one_slip(la, lb):
        return 0.0
    if all(_other_kind(key(ring_text), key(name)) for key in (applicant_key, _long_key)):
        return 0.0  # 科技局 against 科协, 学会 against 研究院: other units, however alike the rest
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
    both end with is dropped (a shared long ending would make any two such units look alike). A bare kind
    (江苏省科学技术协会 keyed 科协) against one with a head (东南大学科协) is another unit: its head is empty."""
    for k in _KINDS:
        if a.endswith(k) and b.endswith(k) and (len(a) > len(k) or len(b) > len(k)):
            a, b = a[:-len(k)], b[:-len(k)]
            ca, cb = _CITY.match(a), _CITY.match(b)
            if ca and cb and ca.group(0) == cb.group(0):  # 南京市机械工程 against 南京市化学化工: the same city too
                a, b = a[ca.end():], b[cb.end():]
            return a or "—", b or "—"
    return a, b


def _kind(key: str) -> str | None:
    """The kind of unit a name ends with (_KINDS, the longest that fits), None when it ends with none."""
    return max((k for k in _KINDS if key.endswith(k)), key=len, default=None)


def kind_slip(ring_text: str, name: str) -> tuple[str, str] | None:
    """(ring's kind, name's kind) when two names end with kinds of unit one character apart (协会 and 学会, 学院 and
    学会): as likely a misread as another unit. None otherwise."""
    ka, kb = _kind(applicant_key(ring_text)), _kind(applicant_key(name))
    return (ka, kb) if _one_apart(ka, kb) else None


def _one_apart(a: str | None, b: str | None) -> bool:
    """Two words of one length that differ in exactly one character."""
    return bool(a and b) and len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def _other_kind(a: str, b: str) -> bool:
    """Do two keyed names end with kinds of unit that cannot be one (科学技术局 and 科学技术协会; not 协会 and
    科学技术协会, a character of it misread; nor 学院 and 学会, one character apart: a worn ring's misread as
    likely as another unit, left to the names' likeness)?"""
    ka, kb = _kind(a), _kind(b)
    return bool(ka and kb and not (ka.endswith(kb) or kb.endswith(ka)) and not _one_apart(ka, kb))


def _province_misread(ring_text: str) -> str:
    """A ring read with one character of 江苏省 slipped (江区省, 工苏省, 江苏考) has its prefix back: the prefix is
    left out of both names, and a slip in it would otherwise count against the rest."""
    s = unicodedata.normalize("NFKC", ring_text or "")
    if len(s) >= 6 and s[:3] != "江苏省" and sum(a == b for a, b in zip(s[:3], "江苏省")) == 2:
        return "江苏省" + s[3:]
    return ring_text


def _long_key(name: str) -> str:
    s = _SPACE_BRACKETS.sub("", _STAMP_NOTE.sub("", unicodedata.normalize("NFKC", name or "").strip()))
    return _PREFIX.sub("", s)
