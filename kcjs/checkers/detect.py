"""What a document is: its kind (申报书 or a deliverable) and subprogram, from its title and 项目类别."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kcjs.checkers.fields import FieldValue, is_label, read_fields, units_beside, value_cells
from kcjs.checkers.text import norm
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Location
from kcjs.pipeline.rulepack import Direction, DocumentKind, RulePack, Subprogram


@dataclass(frozen=True)
class Detected:
    kind: DocumentKind | None
    subprogram: Subprogram | None
    direction: Direction | None
    evidence: str
    ambiguous: tuple[tuple[str, str], ...] = ()  # (subprogram | direction, Chinese message)
    ambiguous_where: Location = field(default_factory=Location)


# Check boxes as the .docx reader writes them (☑ ☐, from w:sym glyphs and content controls) and as people
# type them: ☑ ☒ ■ ▣ √ （√） [√] ticked; □ ☐ （ ） unticked.
_TICKED = r"[（(\[][ \t\u3000]{0,2}[√✓✔][ \t\u3000]{0,2}[)）\]]|[☑☒■▣✓✔√]"
_UNTICKED = r"[（(\[][ \t\u3000]{0,4}[)）\]]|[□☐]"
MARK = re.compile(rf"(?P<ticked>{_TICKED})|(?P<unticked>{_UNTICKED})")


def choices(text: str) -> list[tuple[bool, str]] | None:
    """The options of a check-box list as (ticked, option text), marks before or after each option;
    None when the text has no check box."""
    marks = list(MARK.finditer(text))
    if not marks:
        return None
    out = []
    if not norm(text[marks[-1].end():]) and norm(text[:marks[0].start()]):  # 选项A☑ 选项B☐: marks follow options
        starts = [0] + [m.end() for m in marks[:-1]]
        for m, a in zip(marks, starts):
            out.append((m.group("ticked") is not None, text[a:m.start()].strip()))
    else:
        ends = [m.start() for m in marks[1:]] + [len(text)]
        for m, e in zip(marks, ends):
            out.append((m.group("ticked") is not None, text[m.end():e].strip()))
    return [(t, o) for t, o in out if norm(o)]


def ticked_only(text: str) -> str:
    """The text with every unticked option of its check-box lists removed (a label before the list is kept)."""
    opts = choices(text)
    if opts is None:
        return text
    first = MARK.search(text)
    label = text[:first.start()] if norm(text[first.end():]) and not _trailing(text) else ""
    return "\n".join([label] + [o for t, o in opts if t])


def _trailing(text: str) -> bool:
    marks = list(MARK.finditer(text))
    return not norm(text[marks[-1].end():]) and bool(norm(text[:marks[0].start()]))


def _named(text: str, names: dict[str, object]) -> list:
    """Every distinct object whose name occurs in the text, a name inside a longer one not counted."""
    key = norm(text)
    spans = [(m.start(), m.start() + len(n), obj) for n, obj in names.items() if n
             for m in re.finditer(re.escape(n), key)]
    kept = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)]
    out = []
    for _, _, obj in sorted(kept, key=lambda s: s[0]):
        if obj not in out:
            out.append(obj)
    return out


def _pick(text: str, names: dict[str, object], what: str) -> tuple[object | None, str | None]:
    """The one option a check-box list (or a list of names) picks: (object, None), or (None, why) when
    two or none are ticked; (None, None) when the text names none of them."""
    opts = choices(text)
    if opts is None:
        named = _named(text, names)
        if len(named) > 1:
            return None, f"{what}列出了 {len(named)} 项（{'、'.join(o.name for o in named)}）且看不出勾选了哪一项"
        return (named[0] if named else None), None
    ticked = [o for t, o in opts if t]
    picked = []
    for o in ticked:
        hit = _longest(o, names)
        if hit is not None and hit not in picked:
            picked.append(hit)
    listed = _named(text, names)
    if len(picked) == 1:
        return picked[0], None
    if len(picked) > 1:
        return None, f"{what}勾选了 {len(picked)} 项（{'、'.join(o.name for o in picked)}），只能选择一项"
    if not listed:
        return None, None
    if not ticked:
        return None, f"{what}列出了 {len(listed)} 项，但没有勾选任何一项"
    return None, None  # what is ticked is not one of these names (e.g. a class): decided elsewhere


def options_text(doc: Document, fv: FieldValue, kind: DocumentKind) -> str:
    """A field's check-box list as one text, also when its options are spread over a table: one cell per
    option beside the label, one row per option under a label merged down, or a row of options below it.
    Each cell (or row) becomes ☑option / ☐option; in a list where some cells carry marks, a cell with none is
    an unticked option (a √ column left blank). The value as read when no cell carries a mark."""
    cells = value_cells(doc, fv, kind)
    if cells == [fv.value] or not any(MARK.search(c) for c in cells):
        return fv.value
    return _as_one_list(cells)


def _as_one_list(cells: list[str]) -> str:
    """Cells of options as one check-box list ☑a　☐b…; a cell without a mark is an unticked option."""
    out = []
    for c in cells:
        opts = choices(c)
        if opts is None:
            out.append("☐" + c)
        else:
            out.extend(("☑" if t else "☐") + o for t, o in opts)
    return "\u3000".join(out)


def _head_text(doc: Document, blocks: int = 8) -> str:
    return "\n".join(ticked_only(b.text) for b in doc.blocks[:blocks] if b.type in ("heading", "paragraph"))


def _choice_texts(doc: Document, kind: DocumentKind | None, blocks: int = 12) -> list[tuple[str, Location]]:
    """Paragraphs and table cells near the top that hold a check-box list; a list spread over a table (a cell
    or row per option beside or under its label, see fields.units_beside) as one text, at its label."""
    out = []
    for i, b in enumerate(doc.blocks[:blocks]):
        if b.type in ("heading", "paragraph") and MARK.search(b.text):
            out.append((b.text, Location(page=b.page, paragraph=i)))
        elif b.type == "table" and b.rows:
            used: set[tuple[int, int]] = set()
            for r, row in enumerate(b.rows):
                for c, t in enumerate(row):
                    if (r, c) in b.copies or (r, c) in used or MARK.search(t) or not norm(t) or len(t) > 30:
                        continue
                    units = units_beside(b, (r, c), lambda x: kind is not None and is_label(x, kind))
                    texts = ["\u3000".join(b.rows[y][x] for y, x in u if b.rows[y][x]) for u in units]
                    if len(units) > 1 and any(MARK.search(x) for x in texts):
                        used.update(cell for u in units for cell in u)
                        out.append((_as_one_list([x for x in texts if x]), Location(page=b.page, table=i, cell=(r, c))))
            for r, row in enumerate(b.rows):
                for c, t in enumerate(row):
                    if (r, c) not in b.copies and (r, c) not in used and MARK.search(t):
                        out.append((t, Location(page=b.page, table=i, cell=(r, c))))
    return out


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
    if category is not None:
        category = FieldValue(category.field, options_text(doc, category, application), category.where, category.label)
    if kind is None and category is not None:
        kind = application  # no kind in the title, but a 项目类别 field: an application form
    subs = {norm(n): s for s in pack.subprograms for n in (s.name, *s.aliases)}
    ambiguous: list[tuple[str, str]] = []
    where = Location()
    sub, why = _pick(category.value, subs, "项目类别") if category and category.value else (None, None)
    evidence = f"项目类别“{ticked_only(category.value).strip()}”" if sub else ""
    if why:
        ambiguous.append(("subprogram", why))
        where = category.where
        return Detected(kind, None, None, "", tuple(ambiguous), where)
    if sub is None and category and category.value and choices(category.value) is not None:
        sub = _longest(ticked_only(category.value), subs)  # 服务“科创江苏”其他专项：☑乡村振兴 ☐…
        evidence = f"项目类别“{ticked_only(category.value).strip()}”" if sub else ""
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
        dirs = {norm(n): d for d in sub.directions for n in (d.name, *d.aliases)}
        lists = [(t, at) for t, at in _choice_texts(doc, application) if _named(t, dirs)]
        for text, at in lists:  # a check-box list of directions decides
            direction, why = _pick(text, dirs, "申报方向")
            if why:
                return Detected(kind, sub, None, evidence, (("direction", why),), at)
            if direction is not None:
                break
        if direction is None and category and category.value and not lists:
            direction, why = _pick(category.value, dirs, "申报方向")  # several directions, no box: cannot tell
            if why:
                return Detected(kind, sub, None, evidence, (("direction", why),), category.where)
        if direction is None:
            text = (ticked_only(category.value) if category else "") + "\n" + head
            direction = _longest(text, dirs)
    return Detected(kind, sub, direction, evidence)
