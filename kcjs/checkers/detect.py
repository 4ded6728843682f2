"""What a document is: its kind (申报书 or a deliverable) and subprogram, from its title and 项目类别."""
from __future__ import annotations

from dataclasses import dataclass

from kcjs.checkers.fields import read_fields
from kcjs.checkers.text import norm
from kcjs.pipeline.document import Document
from kcjs.pipeline.rulepack import Direction, DocumentKind, RulePack, Subprogram


@dataclass(frozen=True)
class Detected:
    kind: DocumentKind | None
    subprogram: Subprogram | None
    direction: Direction | None
    evidence: str


def _head_text(doc: Document, blocks: int = 8) -> str:
    return "\n".join(b.text for b in doc.blocks[:blocks] if b.type in ("heading", "paragraph"))


def title(doc: Document) -> str:
    """The document's title: its level-0 heading near the top, else its first lines."""
    texts = [b for b in doc.blocks[:8] if b.type in ("heading", "paragraph") and b.text.strip()]
    top = next((b.text for b in texts if b.type == "heading" and b.level == 0), None)
    return top if top else "\n".join(b.text for b in texts[:2])


def _longest(text: str, names: dict[str, object]):
    key = norm(text)
    hits = [(len(n), obj) for n, obj in names.items() if n and n in key]
    return max(hits, key=lambda h: h[0])[1] if hits else None


def detect(doc: Document, pack: RulePack) -> Detected:
    head, name = _head_text(doc), title(doc)
    kinds = {norm(k.name): k for k in pack.document_kinds}
    for s in pack.subprograms:
        for d in s.deliverables:
            kinds.setdefault(norm(d.name.split("（")[0]), pack.kind(d.kind))
    kinds[norm("申报书")] = pack.kind("application") if any(k.id == "application" for k in pack.document_kinds) else None
    kind = _longest(name, kinds)
    application = next((k for k in pack.document_kinds if k.id == "application"), None)
    category = read_fields(doc, application).get("category") if application else None
    if kind is None and category is not None:
        kind = application  # no kind in the title, but a 项目类别 field: an application form
    subs = {norm(n): s for s in pack.subprograms for n in (s.name, *s.aliases)}
    sub = _longest(category.value, subs) if category and category.value else None
    evidence = f"项目类别“{category.value}”" if sub else ""
    if sub is None:
        sub = _longest(name, subs)
        evidence = "标题" if sub else ""
    if sub is None:
        sub = _longest(head, subs)
        evidence = "文首内容" if sub else ""
    if sub is None and kind is not None and kind.id != "application":
        owners = [s for s in pack.subprograms if any(d.kind == kind.id for d in s.deliverables)]
        if len(owners) == 1:
            sub, evidence = owners[0], f"只有该子项目要求提交“{kind.name}”"
    direction = None
    if sub is not None and sub.directions:
        where = (category.value if category else "") + "\n" + head
        direction = _longest(where, {norm(n): d for d in sub.directions for n in (d.name, *d.aliases)})
    return Detected(kind, sub, direction, evidence)
