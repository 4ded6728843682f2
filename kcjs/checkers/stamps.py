"""Stamps: each stamp line of an application (申报单位（盖章） …) needs an official seal next to it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kcjs.checkers.context import Requirements
from kcjs.checkers.names import SEAL_MIN_CHARS, SEAL_MIN_RATIO, SEAL_UNSURE_RATIO, applicant_key, kind_slip, seal_name_ratio
from kcjs.checkers.registry import rule
from kcjs.checkers.text import norm, quote
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.findings import Finding, Location
from kcjs.pipeline.rulepack import StampLine

MISSING = rule("stamp.missing", "error", "盖章栏没有公章（推荐单位章为提示级）")
FAR = rule("stamp.far", "warning", "公章与盖章栏在同一页但相距较远")
COUNT = rule("stamp.count", "error", "联合申报的公章数少于申报单位数")
SIGNATURE_INVALID = rule("stamp.signature_invalid", "error", "电子签章已被改动或无法验证完整性")
NAME_MISMATCH = rule("stamp.name_mismatch", "error", "公章印文与申报书填写的单位名称不一致")
NAME_UNREAD = rule("stamp.name_unread", "info", "公章印文未能识别或与单位名称不完全一致，请人工核对是否为本单位公章")
UNVERIFIABLE = rule("stamp.unverifiable", "warning", "扫描件为灰度/黑白，无法确认公章")
SPECIAL_SEAL = rule("stamp.special_seal", "error", "盖章栏加盖的是财务专用章、合同专用章等专用章，不是单位公章")
CROSS_PAGE = rule("stamp.cross_page_missing", "error", "多页材料缺少骑缝章（规则包要求时检查）")
NEAR_PT = 130.0     # ~45 mm above or below its line: where a seal stamped on that line lands
NEAR_BLOCKS = 3     # .docx: an image anchored within three blocks of the line is next to it


@dataclass
class Line:
    stamp: StampLine
    block: int
    page: int | None
    box: tuple | None
    row: int | None = None
    col: int = 0


OCR_SLIP_MIN = 6  # a label this long (normalised) is still found in OCR text with one character misread (盖童 for 盖章)


def _mentions(text: str, keys: list[str], ocr: bool, others: tuple[str, ...] = ()) -> bool:
    """Does the text hold one of the label's keys: exactly, or in OCR text, with one character slipped
    (the label under a seal reads 申报单位（盖童）)? Not inside another party's longer label (`others`, normalised):
    申报单位（盖章） in 联合申报单位（盖章） is the partner's line. Not after 加盖 in the same sentence: "须加盖：
    申报单位公章、联合申报单位公章" tells what to stamp; it is not a place to stamp."""
    for sentence in _SENTENCES.split(text):
        t = norm(sentence)
        for o in others:
            t = t.replace(o, "□")
        if any(k in t and INSTRUCTION not in t[:t.index(k)] for k in keys):
            return True
        if ocr and any(len(k) >= OCR_SLIP_MIN and _one_slip(k, t) for k in keys):
            return True
    return False


INSTRUCTION = "加盖"
_SENTENCES = re.compile(r"[\n。；;]")


def _one_slip(key: str, text: str) -> bool:
    n = len(key)
    return any(sum(a != b for a, b in zip(key, text[i:i + n])) <= 1 and INSTRUCTION not in text[:i]
               for i in range(len(text) - n + 1))


def find_lines(doc: Document, stamp: StampLine, parties: tuple[StampLine, ...] = ()) -> list[Line]:
    """The blocks that carry the stamp's label or a synonym (a table: its first such cell), in document order;
    parties: every stamp line of the subprogram, whose longer labels hold this one's (联合申报单位 holds 申报单位)."""
    keys = [norm(n) for n in (stamp.label, *stamp.synonyms)]
    others = tuple(sorted({o for p in parties if p is not stamp for o in (norm(n) for n in (p.label, *p.synonyms))
                           if any(k in o and k != o for k in keys)}, key=len, reverse=True))
    out = []
    for i, b in enumerate(doc.blocks):
        ocr = b.source == "ocr"
        if b.type in ("paragraph", "heading") and _mentions(b.text, keys, ocr, others):
            out.append(Line(stamp, i, b.page, b.box))
        elif b.type == "table" and b.rows:
            hit = next(((r, c) for r, row in enumerate(b.rows) for c, t in enumerate(row)
                        if _mentions(t, keys, ocr, others)), None)
            if hit:
                out.append(Line(stamp, i, b.page, b.box, *hit))
    return out


def _near(doc: Document, line: Line, seal) -> bool:
    if seal.block is not None:  # a .docx image: judged by where it is anchored
        img: Block = doc.blocks[seal.block]
        if img.anchor is None:
            return False
        if img.anchor == line.block:  # in the line's paragraph, or in its table near its row
            return line.row is None or img.cell is None or line.row - 1 <= img.cell[0] <= line.row + 2
        return abs(img.anchor - line.block) <= NEAR_BLOCKS
    if seal.page != line.page or line.box is None:
        return False
    cy = (seal.box[1] + seal.box[3]) / 2
    return line.box[1] - NEAR_PT <= cy <= line.box[3] + NEAR_PT


def _same_page(line: Line, seal) -> bool:
    return seal.block is not None or (seal.page is not None and seal.page == line.page)


def check(doc: Document, req: Requirements) -> list[Finding]:
    if not req.is_application or req.subprogram is None:
        return []
    out: list[Finding] = []
    for s in doc.signatures:
        if s.signed and s.intact is False:
            out.append(Finding(SIGNATURE_INVALID, "error", f"电子签章“{s.name}”在签署后被改动或签名数据损坏，不能作为有效盖章",
                               Location(page=s.page), hint="请重新签章后提交未经改动的文件"))
    evidence = list(doc.seals) + [_signature_seal(s) for s in doc.signatures if s.signed and s.intact]
    fields = _party_names(doc, req)
    grey = [p.number for p in doc.pages if p.colourless]
    used: set[int] = set()
    parties = [st for st in req.subprogram.stamps if st.severity == "error"]
    missing = 0
    todo: list[tuple[Line, bool]] = []  # (stamp line, on the cover)
    for n, stamp in enumerate(req.subprogram.stamps):
        lines = find_lines(doc, stamp, tuple(req.subprogram.stamps))
        if not lines:
            if n == 0 and not evidence and grey:  # the line may be under a seal that a grey scan hides
                out.append(_unverifiable(stamp, Location(page=grey[-1])))
            elif n == 0 and not evidence and any(p.source == "ocr" for p in doc.pages):
                missing += 1
                out.append(Finding(MISSING, stamp.severity, f"扫描件中没有读到“{stamp.label}”栏，也没有发现任何公章",
                                   Location(), expected=f"{stamp.label}处加盖公章", actual="未发现公章",
                                   hint="请提交盖章页清晰的彩色扫描件"))
            elif n == 0 and not evidence:  # no stamp line at all, and no seal anywhere
                missing += 1
                out.append(Finding(MISSING, stamp.severity, f"申报书中没有“{stamp.label}”栏，也没有发现任何公章",
                                   Location(), expected=f"{stamp.label}处加盖公章", actual="未发现公章",
                                   hint="请使用标准申报书格式，在申报单位意见处加盖公章"))
            elif n == 0:  # the line not read (a scan: misread or under the seal), the seals are: still whose they are
                out += _whose_unlined(stamp, evidence, used, fields)
            continue  # a partner's line absent from the form: counted below for joint applications
        todo += _lines_to_check(doc, lines)
    near = _near_seals(doc, todo, evidence, used, fields)  # first: each line's own seal, beside it
    for k, (line, on_cover) in enumerate(todo):
        found, miss = _judge(doc, line, on_cover, evidence, used, fields, grey, near.get(k))
        out += found
        missing += miss
    if len(req.subprogram.stamps) == 1 and any(p.source == "ocr" for p in doc.pages):
        out += _whose_leftovers(req.subprogram.stamps[0], evidence, used, fields)
    out += _cross_page(doc, req)
    if len(parties) > 1 and not missing and len(evidence) < len(parties) and not grey:
        out.append(Finding(COUNT, "error", f"联合申报须由 {len(parties)} 家单位分别盖章，只找到 {len(evidence)} 枚公章",
                           Location(), expected=len(parties), actual=len(evidence),
                           hint="请每家申报单位在各自的盖章栏加盖公章"))
    return out


def cover_line(doc: Document, lines: list[Line]) -> Line | None:
    """The stamp line of the cover (申报单位（盖章）：… above the form's first heading), if the form has one."""
    first_heading = next((i for i, b in enumerate(doc.blocks) if b.type == "heading" and b.level != 0), None)
    if first_heading is None or not lines or lines[0].block >= first_heading:
        return None
    return lines[0]


def _lines_to_check(doc: Document, lines: list[Line]) -> list[tuple[Line, bool]]:
    """(line, on the cover): the opinion section's line (the last: an earlier mention is usually the
    instructions), and the cover's when the form has one."""
    last = lines[-1]
    cover = cover_line(doc, lines)
    return [(last, False)] + ([(cover, True)] if cover is not None and cover.block != last.block else [])


def _near_seals(doc: Document, todo: list[tuple[Line, bool]], evidence: list, used: set[int], fields: dict) -> dict[int, int]:
    """{index in todo: index in evidence}: the seal beside each line, taken (into `used`) before any line looks
    further: a .docx seal in the cover's cell is the cover's, not the opinion page's seal stamped far away."""
    out = {}
    for k, (line, _) in enumerate(todo):
        beside = [j for j, seal in enumerate(evidence) if j not in used and _near(doc, line, seal)]
        near = _nearest(doc, line, beside, evidence) or _likeliest(line.stamp, beside, evidence, fields)
        if near:
            used.add(near[0])
            out[k] = near[0]
    return out


def _judge(doc: Document, line: Line, cover: bool, evidence: list, used: set[int], fields: dict, grey: list[int],
           near: int | None) -> tuple[list[Finding], int]:
    """Findings for one stamp line: its seal (`near`: the one beside it, or the nearest unused one on its page), or
    where the seal is missing; and 1 when an error-level seal is missing."""
    stamp = line.stamp
    b = doc.blocks[line.block]
    on_cover = "封面" if cover else ""
    where = Location(page=line.page, paragraph=line.block if b.type != "table" else None,
                     table=line.block if b.type == "table" else None,
                     cell=(line.row, line.col) if line.row is not None else None,
                     quote=quote(b.text or stamp.label))
    if near is not None:
        return _whose(stamp, evidence[near], fields, where, on_cover), 0
    same = [k for k, seal in enumerate(evidence) if k not in used and _same_page(line, seal)]
    if same:
        used.add(same[0])
        return [Finding(FAR, "warning", f"{on_cover}“{stamp.label}”所在页有公章，但离盖章栏较远，请确认盖在正确位置",
                        where, expected=stamp.label, actual=_describe(evidence[same[0]]))] + \
            _whose(stamp, evidence[same[0]], fields, where, on_cover), 0
    if line.page in grey or (line.page is None and grey):
        return [_unverifiable(stamp, where)], 0
    elsewhere = [seal for k, seal in enumerate(evidence) if k not in used]
    note = f"；文件中的公章在第 {elsewhere[0].page} 页，与盖章栏不在同一页" if elsewhere and elsewhere[0].page else ""
    blue = [seal for seal in doc.blue_seals if _near(doc, line, seal)]
    if blue:
        text = f"（印文读作“{blue[0].text}”）" if blue[0].text else ""
        note += f"；该处有一枚蓝色印章{text}，公章须用红色印油加盖，蓝色印章不能作为公章"
    party = f"（{stamp.party}）" if stamp.party else ""
    return [Finding(MISSING, stamp.severity, f"{on_cover}“{stamp.label}”{party}处没有找到公章{note}", where,
                    expected=f"{stamp.label}处加盖公章", actual="未发现公章",
                    hint=stamp.note or "纸质申报书须经申报单位负责人审核盖章；电子版请提交盖章后的扫描件")], \
        int(stamp.severity == "error")


CLEAR_PT = 28.0  # ~10 mm: a seal this much nearer a line than any other is that line's, whatever its ring reads
ROW_PT = 30.0    # .docx: a table row or a block counted as this far (a .docx has no positions): one row apart is clear


def _distance(doc: Document, line: Line, seal) -> float | None:
    """How far a seal lies from a line (pt, or rows and blocks × ROW_PT in a .docx); None when unknown (a PDF table's
    rows share the table's box)."""
    if seal.block is not None:
        img = doc.blocks[seal.block]
        if img.anchor is None:
            return None
        if img.anchor == line.block:
            return None if line.row is None or img.cell is None else abs(img.cell[0] - line.row) * ROW_PT
        return abs(img.anchor - line.block) * ROW_PT
    if line.row is not None or line.box is None or seal.page != line.page:
        return None
    return abs((seal.box[1] + seal.box[3]) / 2 - (line.box[1] + line.box[3]) / 2)


def _nearest(doc: Document, line: Line, candidates: list[int], evidence: list) -> list[int]:
    """[the candidate] clearly nearest the line (CLEAR_PT nearer than the next), so that two parties' seals swapped
    between their lines are each judged on the line they are stamped on; [] when nearness cannot tell."""
    if len(candidates) < 2:
        return []
    far = [(_distance(doc, line, evidence[k]), k) for k in candidates]
    if any(d is None for d, _ in far):
        return []
    far.sort()
    return [far[0][1]] if far[1][0] - far[0][0] >= CLEAR_PT else []


def _likeliest(stamp: StampLine, candidates: list[int], evidence: list, fields: dict) -> list[int]:
    """The candidate seals near a line, the one whose ring reads most like the line's party first: two parties'
    seals side by side on one page (a PDF table's rows share one box) go each to its own line. Document order
    otherwise."""
    if stamp.field not in fields or len(candidates) < 2:
        return candidates
    name = fields[stamp.field][1]
    return sorted(candidates, key=lambda k: -seal_name_ratio(evidence[k].text, name) if evidence[k].text else 0)


def _whose_unlined(stamp: StampLine, evidence: list, used: set[int], fields: dict) -> list[Finding]:
    """The applicant's seal when its line was not found: the seal whose ring reads most like the named unit is
    taken and judged (`_whose`), located at the seal."""
    ring = [k for k, seal in enumerate(evidence) if k not in used and seal.shape in ("round", "oval")]
    best = _likeliest(stamp, ring, evidence, fields)[:1] if len(ring) > 1 else ring
    if not best:
        return []
    used.add(best[0])
    seal = evidence[best[0]]
    return _whose(stamp, seal, fields, Location(page=seal.page, quote=stamp.label))


def _whose_leftovers(stamp: StampLine, evidence: list, used: set[int], fields: dict) -> list[Finding]:
    """A scan whose only party is the applicant: a seal beside no stamp line that was read (the line under it
    misread) is still the applicant's, and judged as such (`_whose`), located at the seal."""
    out = []
    for k, seal in enumerate(evidence):
        if k not in used and seal.shape in ("round", "oval") and seal.block is None:
            used.add(k)
            out += _whose(stamp, seal, fields, Location(page=seal.page, quote=stamp.label))
    return out


def _party_names(doc: Document, req: Requirements) -> dict[str, tuple[str, str]]:
    """The units the form names, by field id: (field name, first line of its value); blanks and placeholders left out."""
    from kcjs.checkers.fields import read_fields
    from kcjs.checkers.placeholders import is_placeholder
    out = {}
    for fid, fv in read_fields(doc, req.kind).items():
        value = fv.value.split("\n")[0].strip()
        if value and not is_placeholder(value):
            out[fid] = (fv.field.name, value)
    return out


SPECIAL = re.compile(r"([\u4e00-\u9fff]{0,2})专用")  # 财务专用章, 合同专用章, 发票专用章 … (专用 is read surely; 章 may not be)


def _special(stamp: StampLine, seal, where: Location, on_cover: str) -> list[Finding]:
    """A special-purpose seal (its line across the middle reads …专用章) on a line that needs the unit's 公章."""
    m = SPECIAL.search(getattr(seal, "inner", None) or "")
    if not m or seal.shape not in ("round", "oval"):
        return []
    kind = f"{m.group(1)}专用章" if len(m.group(1)) == 2 else "专用章"
    read = f"（印章中间读作“{seal.inner}”）" if seal.inner != kind else ""
    return [Finding(SPECIAL_SEAL, stamp.severity, f"{on_cover}“{stamp.label}”处加盖的是“{kind}”{read}，应加盖单位公章",
                    _at_seal(seal, where),
                    expected="单位公章", actual=kind, hint="专用章（财务、合同等）不能代替公章，请加盖申报单位公章")]


def _whose(stamp: StampLine, seal, fields: dict, where: Location, on_cover: str = "") -> list[Finding]:
    """Is the seal on this line the unit's 公章 (not a special-purpose seal: _special), and the seal of the unit the
    form names for it? Its ring text against the name. on_cover: "封面" for the cover's line (said before the label)."""
    return _special(stamp, seal, where, on_cover) + _whose_name(stamp, seal, fields, where, on_cover)


def _whose_name(stamp: StampLine, seal, fields: dict, where: Location, on_cover: str = "") -> list[Finding]:
    if stamp.field is None or stamp.field not in fields or seal.shape not in ("round", "oval"):
        return []
    label, name = fields[stamp.field]
    at = f"{on_cover}“{stamp.label}”处公章"
    if seal.text and applicant_key(seal.text) == applicant_key(name):
        return []  # the whole name read, however short (甲学会)
    if seal.text and len(seal.text) >= SEAL_MIN_CHARS and _bare(seal.text) in _bare(name):
        return []  # the ring read in part, and the part is the name's
    if not seal.text or len(applicant_key(seal.text)) < SEAL_MIN_CHARS:
        read = f"（只读到“{seal.text}”）" if seal.text else ""
        return [_unsure(f"{at}的印文未能识别{read}，请人工核对是否为“{name}”的公章", seal, name, where)]
    around = _around(seal.text, name)
    if around and _province_left(around[0]) and not around[1]:
        around = None  # 江省…: the 江苏省 prefix read with a character dropped, left to the names' likeness
    if around and (_SUB_UNIT.search(around[1]) or _PARENT.search(around[0])):  # 江苏省示例学会南京分会: another unit
        return [_mismatch(stamp, seal, label, name, where, on_cover)]
    if around and len(around[0] + around[1]) <= STRAY_MAX:  # the whole name and a few stray characters at its ends
        extra = around[0] + ("…" if all(around) else "") + around[1]
        return [_unsure(f"{at}印文含{label}“{name}”，另读到“{extra}”（可能是专用章中间的文字或识别误差），"
                        "请人工核对是否为该单位公章", seal, name, where)]
    ratio = seal_name_ratio(seal.text, name)
    slip = kind_slip(seal.text, name)
    if slip and ratio >= SEAL_MIN_RATIO and (seal.text_score or 0) >= MISMATCH_MIN_SCORE:  # read surely: 协会 for 学会
        return [Finding(NAME_MISMATCH, "warning", f"{at}印文读作“{seal.text}”，与{label}“{name}”的单位类型不同"
                        f"（{slip[0]}/{slip[1]}），如非识别误差即为其他单位的公章，请核对",
                        _at_seal(seal, where), expected=name, actual=seal.text)]
    if ratio >= SEAL_MIN_RATIO:  # most likely the name with a character misread, but a unit of a like name reads so too
        return [_unsure(f"{at}印文读作“{seal.text}”，与{label}“{name}”不完全一致（可能是识别误差），请人工核对",
                        seal, name, where)]
    if ratio >= SEAL_UNSURE_RATIO or (seal.text_score or 0) < MISMATCH_MIN_SCORE:
        # alike in part, or read unsurely (a worn ring, a low-resolution or grey scan): a misread as likely as another unit
        return [_unsure(f"{at}的印文识别不清（读作“{seal.text}”），请人工核对是否为“{name}”的公章", seal, name, where)]
    return [_mismatch(stamp, seal, label, name, where, on_cover)]


MISMATCH_MIN_SCORE = 0.75  # recogniser confidence a ring read needs to contradict the form: below it, an applicant's own
                           # worn seal read wrong (4 of 50 worn/low-dpi own seals read so, at 0.56–0.80) is said, not an error


def _at_seal(seal, where: Location) -> Location:
    """Where a finding about a seal points: the seal's page, the stamp line's block and cell."""
    return Location(page=seal.page or where.page, paragraph=where.paragraph, table=where.table, cell=where.cell,
                    quote=where.quote)


def _unsure(message: str, seal, name: str, where: Location) -> Finding:
    """stamp.name_unread: the ring not read, or read too unsurely to say whose it is; a person looks."""
    return Finding(NAME_UNREAD, "info", message, _at_seal(seal, where),
                   expected=name, actual=seal.text or "未识别")


def _mismatch(stamp: StampLine, seal, label: str, name: str, where: Location, on_cover: str) -> Finding:
    return Finding(NAME_MISMATCH, "error", f"{on_cover}“{stamp.label}”处公章印文为“{seal.text}”，与申报书填写的{label}“{name}”不一致",
                   _at_seal(seal, where), expected=name, actual=seal.text,
                   hint="请加盖申报书所填单位的公章；如单位更名，请附更名证明")


def _province_left(before: str) -> bool:
    """Is what was read before the name what is left of 江苏省: a worn ring's dropped character (江省, 苏省, 省) or
    misread ones before 省 (自工省) that name no province (浙江省… is another province's unit)?"""
    if not before or (before.endswith("省") and before in PROVINCES):
        return False
    return set(before) <= set("江苏省") or (len(before) <= 3 and before.endswith("省"))


PROVINCES = {"河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
             "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省",
             "青海省", "台湾省"}  # every province but 江苏省: a unit named after one is another province's


STRAY_MAX = 3  # characters read beside the whole name that may be stray (a special-purpose seal's inner line, a
               # broken stroke): said, not a mismatch; a sub-unit after the name or a parent before it is another unit
_SUB_UNIT = re.compile(r"(分会|分公司|分院|分所|分中心|分部|分校|办事处|支部|党委|委员会|专委会|秘书处|工作站|工会|团委|"
                       r"研究所|研究院|中心|公司|学会|协会|学院|大学)$")
_PARENT = re.compile(r"中国|中共|全国|中华|[省市县区镇乡]$")  # 中国…, 南京市…


def _around(ring: str, name: str) -> tuple[str, str] | None:
    """(before, after): the characters read before and after the applicant's whole name in a seal's ring text
    (("尊由至", "") for 尊由至江苏省示例学会; ("", "南京分会") for 江苏省示例学会南京分会), the fewest over the name
    written whole and keyed (江苏省 left off); None when the ring does not hold the whole name with something more."""
    best = None
    t = _bare(ring)
    for n in {_bare(name), applicant_key(name)}:
        if len(n) < SEAL_MIN_CHARS or n not in t or n == t:
            continue
        i = t.index(n)
        got = (t[:i], t[i + len(n):])
        if best is None or len("".join(got)) < len("".join(best)):
            best = got
    return best


def _bare(name: str) -> str:
    return "".join(ch for ch in name if "\u4e00" <= ch <= "\u9fff")


def _unverifiable(stamp: StampLine, where: Location) -> Finding:
    return Finding(UNVERIFIABLE, "warning", f"扫描件为灰度/黑白（页面上没有任何彩色），无法确认“{stamp.label}”处是否加盖公章",
                   where, expected=f"{stamp.label}处加盖公章", actual="灰度/黑白扫描件，未能确认公章",
                   hint="请提交盖章页的彩色扫描件")


def cross_page_json(doc: Document) -> list[dict]:
    """The 骑缝章 found: {pages, edge, diameter_mm} each (kcjs.pipeline.seal_parts)."""
    from kcjs.pipeline.seal_parts import cross_page_seals
    return cross_page_seals(doc.seal_parts)


def _cross_page(doc: Document, req: Requirements) -> list[Finding]:
    """A pack that asks for a 骑缝章 (cross_page_seal.required): every page of a PDF of min_pages or more
    must carry part of one."""
    rule_ = req.pack.cross_page_seal
    n = len(doc.pages)
    if not rule_.required or doc.format != "pdf" or n < rule_.min_pages:
        return []
    covered = {p for c in cross_page_json(doc) for p in c["pages"]}
    bare = [p for p in range(1, n + 1) if p not in covered]
    if not bare:
        return []
    pages = "、".join(str(p) for p in bare[:10]) + ("等" if len(bare) > 10 else "")
    return [Finding(CROSS_PAGE, rule_.severity, f"共 {n} 页的材料须加盖骑缝章，第 {pages} 页页边未发现骑缝章",
                    Location(page=bare[0]), expected="各页页边骑缝章", actual=f"{len(bare)} 页未见骑缝章",
                    hint="请将各页错开叠放后在页边加盖骑缝章，再扫描提交")]


def _signature_seal(s):
    from kcjs.pipeline.seals import Seal
    return Seal(s.page, s.box, "signature", round((s.box[2] - s.box[0]) * 25.4 / 72, 1),
                round((s.box[3] - s.box[1]) * 25.4 / 72, 1), 1.0, "signature")


def _describe(seal) -> str:
    where = f"第 {seal.page} 页" if seal.page else "文档中"
    shape = SHAPES.get(seal.shape, "")
    text = f"（印文“{seal.text}”）" if getattr(seal, "text", None) else ""
    return f"{where}{seal.width_mm:g}×{seal.height_mm:g} mm {shape}印章{text}"


SHAPES = {"round": "圆形", "oval": "椭圆形", "square": "方形", "signature": "电子签章"}


def seals_json(doc: Document) -> list[dict]:
    out = [{"page": s.page, "box": list(s.box), "shape": s.shape, "width_mm": s.width_mm, "height_mm": s.height_mm,
            "confidence": s.confidence, "source": s.source, "text": s.text, "text_score": s.text_score, "star": s.star,
            "mode": s.mode, "inner": s.inner} for s in doc.seals]
    out += [{"page": s.page, "box": [round(v, 1) for v in s.box], "shape": "signature", "source": "signature",
             "signed": s.signed, "intact": s.intact, "name": s.name} for s in doc.signatures]
    return out
