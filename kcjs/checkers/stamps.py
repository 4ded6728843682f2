"""Stamps: each stamp line of an application (申报单位（盖章） …) needs an official seal next to it."""
from __future__ import annotations

from dataclasses import dataclass

from kcjs.checkers.context import Requirements
from kcjs.checkers.registry import rule
from kcjs.checkers.text import norm, quote
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.findings import Finding, Location
from kcjs.pipeline.rulepack import StampLine

MISSING = rule("stamp.missing", "error", "盖章栏没有公章（推荐单位章为提示级）")
FAR = rule("stamp.far", "warning", "公章与盖章栏在同一页但相距较远")
COUNT = rule("stamp.count", "error", "联合申报的公章数少于申报单位数")
SIGNATURE_INVALID = rule("stamp.signature_invalid", "error", "电子签章已被改动或无法验证完整性")
NEAR_PT = 130.0     # ~45 mm above or below its line: where a seal stamped on that line lands
NEAR_BLOCKS = 3     # .docx: an image anchored within three blocks of the line is next to it


@dataclass
class Line:
    stamp: StampLine
    block: int
    page: int | None
    box: tuple | None
    row: int | None = None


def find_lines(doc: Document, stamp: StampLine) -> list[Line]:
    keys = [norm(n) for n in (stamp.label, *stamp.synonyms)]
    out = []
    for i, b in enumerate(doc.blocks):
        if b.type in ("paragraph", "heading") and any(k in norm(b.text) for k in keys):
            out.append(Line(stamp, i, b.page, b.box))
        elif b.type == "table" and b.rows:
            for r, row in enumerate(b.rows):
                if any(any(k in norm(t) for k in keys) for t in row):
                    out.append(Line(stamp, i, b.page, b.box, r))
                    break
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
    used: set[int] = set()
    parties = [st for st in req.subprogram.stamps if st.severity == "error"]
    missing = 0
    for n, stamp in enumerate(req.subprogram.stamps):
        lines = find_lines(doc, stamp)
        if not lines:
            if n == 0 and not evidence:  # no stamp line at all, and no seal anywhere
                missing += 1
                out.append(Finding(MISSING, stamp.severity, f"申报书中没有“{stamp.label}”栏，也没有发现任何公章",
                                   Location(), expected=f"{stamp.label}处加盖公章", actual="未发现公章",
                                   hint="请使用标准申报书格式，在申报单位意见处加盖公章"))
            continue  # a partner's line absent from the form: counted below for joint applications
        line = lines[-1]  # the opinion section comes last; an earlier mention is usually the instructions
        b = doc.blocks[line.block]
        where = Location(page=line.page, paragraph=line.block if b.type != "table" else None,
                         table=line.block if b.type == "table" else None,
                         cell=(line.row, 0) if line.row is not None else None, quote=quote(b.text or stamp.label))
        near = [k for k, seal in enumerate(evidence) if k not in used and _near(doc, line, seal)]
        if near:
            used.add(near[0])
            continue
        same = [k for k, seal in enumerate(evidence) if k not in used and _same_page(line, seal)]
        if same:
            used.add(same[0])
            out.append(Finding(FAR, "warning", f"“{stamp.label}”所在页有公章，但离盖章栏较远，请确认盖在正确位置",
                               where, expected=stamp.label, actual=_describe(evidence[same[0]])))
            continue
        elsewhere = [seal for k, seal in enumerate(evidence) if k not in used]
        note = f"；文件中的公章在第 {elsewhere[0].page} 页，与盖章栏不在同一页" if elsewhere and elsewhere[0].page else ""
        party = f"（{stamp.party}）" if stamp.party else ""
        missing += stamp.severity == "error"
        out.append(Finding(MISSING, stamp.severity, f"“{stamp.label}”{party}处没有找到公章{note}", where,
                           expected=f"{stamp.label}处加盖公章", actual="未发现公章",
                           hint=stamp.note or "纸质申报书须经申报单位负责人审核盖章；电子版请提交盖章后的扫描件"))
    if len(parties) > 1 and not missing and len(evidence) < len(parties):
        out.append(Finding(COUNT, "error", f"联合申报须由 {len(parties)} 家单位分别盖章，只找到 {len(evidence)} 枚公章",
                           Location(), expected=len(parties), actual=len(evidence),
                           hint="请每家申报单位在各自的盖章栏加盖公章"))
    return out


def _signature_seal(s):
    from kcjs.pipeline.seals import Seal
    return Seal(s.page, s.box, "signature", round((s.box[2] - s.box[0]) * 25.4 / 72, 1),
                round((s.box[3] - s.box[1]) * 25.4 / 72, 1), 1.0, "signature")


def _describe(seal) -> str:
    where = f"第 {seal.page} 页" if seal.page else "文档中"
    return f"{where}{seal.width_mm:g}×{seal.height_mm:g} mm {seal.shape}"


def seals_json(doc: Document) -> list[dict]:
    out = [{"page": s.page, "box": list(s.box), "shape": s.shape, "width_mm": s.width_mm, "height_mm": s.height_mm,
            "confidence": s.confidence, "source": s.source} for s in doc.seals]
    out += [{"page": s.page, "box": [round(v, 1) for v in s.box], "shape": "signature", "source": "signature",
             "signed": s.signed, "intact": s.intact, "name": s.name} for s in doc.signatures]
    return out
