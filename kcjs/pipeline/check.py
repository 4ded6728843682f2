"""`kcjs check`: read a document, decide what it is, run every checker, build the JSON contract."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kcjs.checkers.catalog import CHECKERS
from kcjs.checkers.context import Requirements
from kcjs.checkers.counting import MODES, body_count
from kcjs.checkers.detect import detect
from kcjs.checkers.registry import rule
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, status_of
from kcjs.pipeline.rulepack import Direction, DocumentKind, RulePack, Subprogram

INFERRED = rule("detect.inferred", "info", "子项目或材料类型由 kcjs 从文档中识别")
UNKNOWN_KIND = rule("detect.unknown_kind", "warning", "无法识别材料类型，只做通用检查")
INTERNAL = rule("check.internal_error", "error", "检查程序内部错误（请把文件交给维护人员）")
UNKNOWN_SUBPROGRAM = rule("detect.unknown_subprogram", "warning", "无法识别子项目，跳过与子项目相关的检查")
AMBIGUOUS = rule("detect.ambiguous", "warning", "项目类别或方向的勾选框勾了多项或一项未勾，无法确定，需人工核查")


@dataclass(frozen=True)
class Given:
    """What the user said a document is (each may be None: then it is detected)."""
    subprogram: Subprogram | None = None
    kind: DocumentKind | None = None
    direction: Direction | None = None
    count_mode: str | None = None


def _what(doc: Document, pack: RulePack, given: Given) -> tuple[Requirements, list[Finding], bool]:
    """What the document is checked against, the notes on how that was decided, and whether kcjs
    recognised it (kind and subprogram known and unambiguous; else the status is `review`)."""
    notes: list[Finding] = []
    found = detect(doc, pack)
    ambiguous = False
    for what, message in found.ambiguous:
        if what == "subprogram" and given.subprogram is not None or what == "direction" and given.direction is not None:
            continue
        ambiguous = True
        notes.append(Finding(AMBIGUOUS, "warning", message, found.ambiguous_where,
                             hint="请只勾选一项，或用 --subprogram / --direction 指定"))
    kind = given.kind or found.kind
    sub = given.subprogram or found.subprogram
    direction = given.direction or (found.direction if sub is not None and sub is found.subprogram else None)
    said = []
    if given.kind is None and found.kind is not None:
        said.append(f"材料类型“{found.kind.name}”")
    if given.subprogram is None and found.subprogram is not None:
        said.append(f"子项目“{found.subprogram.name}”（依据：{found.evidence}）")
    if given.direction is None and found.direction is not None and direction is not None:
        said.append(f"方向“{found.direction.name}”")
    if said:
        notes.append(Finding(INFERRED, "info", "已自动识别" + "，".join(said) + "；如有误请用 --subprogram / --kind 指定"))
    if kind is None:
        notes.append(Finding(UNKNOWN_KIND, "warning", "无法从标题识别材料类型（申报书或哪种成果材料），只做通用检查",
                             hint="请用 --kind 指定，例如 --kind application"))
        kind = DocumentKind(id="unknown", name="未知材料")
    if sub is None and not any(a[0] == "subprogram" for a in found.ambiguous):
        notes.append(Finding(UNKNOWN_SUBPROGRAM, "warning", "无法识别所属子项目，未检查目标、经费、字数和申报主体",
                             hint="请用 --subprogram 指定，例如 --subprogram 学会联合体"))
    if sub is not None and sub.directions and direction is None and kind.id == "application" and not ambiguous:
        notes.append(Finding(UNKNOWN_SUBPROGRAM, "warning", f"无法识别“{sub.name}”的申报方向，经费上限按子项目统一上限检查",
                             hint="请在项目类别中写明方向，或用 --direction 指定"))
    recognised = kind.id != "unknown" and sub is not None and not ambiguous
    return Requirements(pack, kind, sub, direction, given.count_mode), notes, recognised


def check_document(doc: Document, pack: RulePack, given: Given = Given()) -> dict:
    """The check result of one read document, as the JSON contract of DESIGN.md."""
    result = {"file": doc.path, "sha256": doc.sha256, "subprogram": None, "direction": None, "kind": None,
              "status": "error", "metrics": {}, "findings": []}
    if not doc.readable:
        result["findings"] = [f.to_json() for f in doc.findings]
        return result
    with doc.checking():  # the blocks are final: body text, fields, sections … are derived once (Document.derived)
        req, notes, recognised = _what(doc, pack, given)
        findings = list(doc.findings) + notes
        for checker in CHECKERS:
            findings.extend(checker.check(doc, req))
        result.update(subprogram=req.subprogram.id if req.subprogram else None,
                      direction=req.direction.id if req.direction else None,
                      kind=req.kind.id if req.kind.id != "unknown" else None,
                      status=status_of(findings, recognised=recognised), metrics=metrics(doc, req),
                      findings=[_numbered(f.to_json(), doc) for f in sorted(findings, key=_severity_order)])
    return result


_UNIT = re.compile(r"^[\u4e00-\u9fff（）()·]{2,40}(学会|协会|研究会|促进会|联合体|科学技术协会|科协|人民政府|委员会|管委会|"
                   r"公司|大学|学院|研究院|研究所|中心)$")


def signer(doc: Document) -> str | None:
    """The unit that signs a deliverable: a unit's name among its last lines (落款), else None."""
    tail = [b.text.strip() for b in doc.blocks[-5:] if b.type == "paragraph" and b.text.strip()]
    return next((t for t in reversed(tail) if _UNIT.match(t)), None)


def _numbered(finding: dict, doc: Document) -> dict:
    """Checkers point at blocks; people count paragraphs and tables: give both (`block` is what
    `kcjs inspect` lists, `paragraph`/`table` count from 0 among paragraphs/tables)."""
    loc = finding["location"]
    for key, types in (("paragraph", ("paragraph", "heading")), ("table", ("table",))):
        if key in loc and 0 <= loc[key] < len(doc.blocks):
            loc["block"] = loc[key]
            loc[key] = sum(1 for b in doc.blocks[:loc[key]] if b.type in types)
    if "block" in loc:
        _findable(loc, doc)
    return finding


_NUMBERISH = re.compile(r"^[\d.,，%％~～\-–—()（）\s]*$")


def _label_rows(rows: list[list[str]]) -> bool:
    """A label/value table (a cover's 项目名称：| 值, 申报单位（盖章）：| 值 …): every row opens with a label that ends
    with a colon, so its first row is one more line, not a header."""
    firsts = [row[0].strip() for row in rows if row and row[0].strip()]
    return len(firsts) >= 2 and len(firsts) == len(rows) and all(f.endswith(("：", ":")) for f in firsts)


def _findable(loc: dict, doc: Document) -> None:
    """Where a person finds it without counting paragraphs: `section` (the nearest heading at or before the
    block), `quote` (the block's own words) and, for a table cell, `row`/`column` (1-based) with the
    row's first cell and the column's header as `row_label`/`column_label`."""
    from kcjs.checkers.text import quote
    i = loc["block"]
    if "section" not in loc:
        head = next((b for b in reversed(doc.blocks[:i + 1]) if b.type == "heading" and (b.level or 0) >= 1), None)
        if head is not None:
            loc["section"] = quote(head.text)
    b = doc.blocks[i]
    cell = loc.get("cell")
    if b.type == "table" and b.rows and isinstance(cell, list) and len(cell) == 2:
        r, c = cell
        if 0 <= r < len(b.rows) and 0 <= c < len(b.rows[r]):
            loc["row"], loc["column"] = r + 1, c + 1
            left = b.rows[r][c - 1].strip() if c > 0 else ""
            if _label_rows(b.rows):  # a cover's 项目名称： | 值 lines: each row's own label, no header row
                label, header = b.rows[r][0].strip().rstrip("：:"), ""
            elif left and len(left) <= 12 and not _NUMBERISH.match(left):  # 标签 | 值: the label beside it
                label, header = left, ""
            else:  # a column table: the row's first words, the column's header
                label = next((x for x in b.rows[r][:c] if x.strip() and not _NUMBERISH.match(x.strip())), "")
                header = b.rows[0][c] if r > 0 else ""
            if label:
                loc["row_label"] = quote(label, 20)
            if header.strip() and header != label:
                loc["column_label"] = quote(header, 20)
            if "quote" not in loc and b.rows[r][c].strip():
                loc["quote"] = quote(b.rows[r][c])
    elif "quote" not in loc and b.type in ("paragraph", "heading") and b.text.strip():
        loc["quote"] = quote(b.text)


def internal_error(path: str, sha256: str | None, e: BaseException | str) -> dict:
    """The result of a document whose check crashed: status error, and the batch goes on. The user reads
    a Chinese sentence; the Python detail goes to stderr, for maintainers."""
    import sys
    detail = e if isinstance(e, str) else f"{type(e).__name__}: {str(e)[:300]}"
    sys.stderr.write(f"kcjs: internal error on {path}: {detail}\n")
    f = Finding(INTERNAL, "error", "检查该文件时程序出错，请人工审核，并把文件反馈给维护人员")
    return error_result(path, sha256, f)


def error_result(path: str, sha256: str | None, *findings: Finding) -> dict:
    """A result with status error and these findings (the JSON contract's shape)."""
    return {"file": path, "sha256": sha256, "subprogram": None, "direction": None, "kind": None, "status": "error",
            "metrics": {}, "findings": [f.to_json() for f in findings]}


DOCUMENT = "_document"  # a result's key for the Document it was checked from (check_once(keep_doc=True)); popped by the caller


def _read_and_check(path: str, limits, pack: RulePack, given: Given, narrative: bool = False,
                    pack_path: str | None = None, keep_doc: bool = False) -> dict:
    from kcjs.pipeline.readers import read_document
    doc = read_document(path, limits)
    try:
        result = check_document(doc, pack, given)
        if keep_doc:
            result[DOCUMENT] = doc
        if narrative:  # the text kcjs audit compares across submissions (dup.narrative), stored apart from the result
            from kcjs.pipeline.audit.narrative import capture
            from kcjs.pipeline.audit.store import NARRATIVE
            result[NARRATIVE] = capture(doc, result, pack, pack_path)
        return result
    except RecursionError:
        return error_result(path, doc.sha256, Finding(INTERNAL, "error", "文件结构嵌套过深，无法检查，疑似恶意构造"))
    except MemoryError:
        from kcjs.pipeline.readers import TOO_LARGE
        return error_result(path, doc.sha256, Finding(TOO_LARGE, "error", "检查该文件需要的内存超过上限，疑似恶意构造"))
    except Exception as e:  # a checker's bug costs this document only
        return internal_error(path, doc.sha256, e)


def check_once(path, pack: RulePack, given: Given, limits, narrative: bool = False,
               pack_path: str | None = None, reader=None, keep_doc: bool = False) -> tuple[dict, bool]:
    """Read and check one file in a forked child under the time and memory limits (readers.Limits):
    whatever a reader or checker does, one document costs at most its own limit. With `reader` (a
    readers.Reader) the child is its long-lived one, else a child forked for this file alone.
    Returns (result, transient): transient when the child timed out or was killed, which may be the
    machine's fault (load, an outside kill) rather than the file's: retry it, never cache it.
    With `narrative`, the result carries the captured narrative (kcjs.pipeline.audit.narrative) for the store; with
    `keep_doc`, the Document read (under DOCUMENT, when the child answered), so the caller need not read it again."""
    from kcjs.pipeline.readers import KILLED_MESSAGE, TIMEOUT, UNREADABLE, kinds_of, run_limited, timeout_message
    path = str(path)
    args = (path, limits, pack, given, narrative, pack_path, keep_doc)
    got = (reader.call(_read_and_check, args) if reader is not None
           else run_limited(_read_and_check, args, limits, kinds_of(path)))
    if got.status == "ok":
        return got.value, False
    if got.status == "raised":
        return internal_error(path, None, got.detail), False
    if got.status == "timeout":
        return error_result(path, None, Finding(TIMEOUT, "error", timeout_message(limits, "读取和检查"))), True
    return error_result(path, None, Finding(UNREADABLE, "error", KILLED_MESSAGE)), True


def check_file(path, pack: RulePack, given: Given, limits, retry_timeout: bool = False, reader=None,
               keep_doc: bool = False) -> dict:
    """check_once, once more when its child was killed (or timed out, with retry_timeout)."""
    result, transient = check_once(path, pack, given, limits, reader=reader, keep_doc=keep_doc)
    if transient and (retry_timeout or result["findings"][0]["rule"] != "file.timeout"):
        result, _ = check_once(path, pack, given, limits, reader=reader, keep_doc=keep_doc)
    return result


def check_files(paths: list, pack: RulePack, given: Given, limits, keep_doc: bool = False):
    """check_file of each path in turn, yielding (result, Document or None). Several files share one long-lived
    reading child (readers.Reader, as the audit's workers do: no fork per document, the same time and memory limits
    per document, a new child after a timeout, a crash or limits.docs_per_reader files); one file gets a child of
    its own (run_limited), which imports only what that file needs. With `keep_doc`, the Document each result was
    checked from (None when the child did not answer), for the annotated copy: a file is read once."""
    from kcjs.pipeline.readers import Reader, can_fork, kinds_of
    reader = None
    if len(paths) > 1 and limits.docs_per_reader > 1 and can_fork():
        reader = Reader(limits, kinds=tuple(dict.fromkeys(k for p in paths for k in kinds_of(p))))
    try:
        for path in paths:
            result = check_file(path, pack, given, limits, reader=reader, keep_doc=keep_doc)
            yield result, result.pop(DOCUMENT, None)
    finally:
        if reader is not None:
            reader.close()


def _severity_order(f: Finding) -> int:
    return {"error": 0, "warning": 1, "info": 2}[f.severity]


def metrics(doc: Document, req: Requirements) -> dict:
    """The figures of a checked document. Inside check_document they are the checkers' own (body text,
    counts, sections, fields, amount, targets: Document.derived), not computed again."""
    from kcjs.checkers.budget import requested
    from kcjs.checkers.stamps import cross_page_json, seals_json
    from kcjs.checkers.structure import locate
    from kcjs.checkers.targets import commitments
    m: dict = {"pages": doc.page_count, "format": doc.format, "content_sha256": doc.content_digest(),
               "ocr_pages": [p.number for p in doc.pages if p.source == "ocr"],
               "count": {m: body_count(doc, m) for m in MODES}, "count_mode": req.mode,
               "sections_found": sorted(locate(doc, req.kind)), "seals": seals_json(doc),
               "cross_page_seals": cross_page_json(doc)}
    if req.length is not None:
        ln = req.length
        m["length_rule"] = {"min": ln.min, "max": ln.max, "mode": req.mode, "warn_above": ln.warn_above}
    if not req.is_application:
        m["applicant_name"] = signer(doc)
    if req.is_application:
        from kcjs.checkers.fields import read_fields
        from kcjs.checkers.placeholders import is_placeholder
        fv = read_fields(doc, req.kind).get("applicant")
        from kcjs.checkers.names import without_stamp_note
        m["applicant_name"] = without_stamp_note(fv.value.split("\n")[0]) if fv and not is_placeholder(fv.value) else None
    if req.is_application and req.subprogram is not None:
        amount = requested(doc)
        m["requested_wan"] = amount.wan if amount else None
        m["cap_wan"] = req.cap_wan
        m["targets"] = {t: c.value for t, c in commitments(doc, req).items()}
    return m
