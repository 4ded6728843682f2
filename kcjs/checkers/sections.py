"""Sections each document kind must have (the pack's list, matched as people write headings)."""
from __future__ import annotations

from kcjs.checkers.context import Requirements
from kcjs.checkers.registry import rule
from kcjs.checkers.structure import locate, span_has_content
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location

MISSING = rule("section.missing", "error", "缺少必备章节")
EMPTY = rule("section.empty", "warning", "章节只有标题没有内容")
ORDER = rule("section.order", "warning", "章节顺序与标准格式不一致")
FUZZY = rule("section.fuzzy_heading", "warning", "章节标题与标准名称不一致（疑似错别字），已按最相近的章节识别")


def check(doc: Document, req: Requirements) -> list[Finding]:
    spans = locate(doc, req.kind)
    out: list[Finding] = []
    for s in req.kind.sections:
        if s.id not in spans:
            if s.required:
                alias = "、".join(s.synonyms[:3])
                out.append(Finding(MISSING, "error", f"缺少“{s.name}”部分",
                                   Location(section=s.name), expected=s.name, actual=None,
                                   hint=f"请增加标题为“{s.name}”的一节" + (f"（也可写作：{alias}）" if alias else "")))
            continue
        span = spans[s.id]
        if span.fuzzy:
            b = doc.blocks[span.title]
            words = b.rows[span.cell[0]][span.cell[1]].split("\n")[0] if span.cell else b.text
            out.append(Finding(FUZZY, "warning", f"标题“{words.strip()}”与“{span.fuzzy[0]}”相近（相似度 {span.fuzzy[1]:.0f}%），"
                               f"已按“{s.name}”部分识别；请核对是否有错别字",
                               Location(page=b.page, section=s.name, paragraph=None if span.cell else span.title,
                                        table=span.title if span.cell else None, cell=span.cell, quote=words.strip()),
                               expected=s.name, actual=words.strip(), hint=f"建议将标题改为“{s.name}”"))
        if not span_has_content(doc, span):
            b = doc.blocks[span.title]
            out.append(Finding(EMPTY, "warning", f"“{s.name}”部分只有标题，没有填写内容",
                               Location(page=b.page, section=s.name, paragraph=span.title),
                               hint=f"请在“{s.name}”下填写内容"))
    order = [s.id for s in req.kind.sections if s.id in spans]
    positions = [(spans[i].title, spans[i].cell or (0, 0)) for i in order]
    for a, b, pa, pb in zip(order, order[1:], positions, positions[1:]):
        if pb < pa:
            na, nb = (next(s.name for s in req.kind.sections if s.id == x) for x in (a, b))
            out.append(Finding(ORDER, "warning", f"“{nb}”出现在“{na}”之前，与标准格式顺序不一致",
                               Location(section=nb, paragraph=spans[b].title),
                               expected=[s.name for s in req.kind.sections if s.id in spans]))
            break
    return out
