"""`kcjs check`: read a document, decide what it is, run every checker, build the JSON contract."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kcjs.checkers.catalog import CHECKERS
from kcjs.checkers.context import Requirements
from kcjs.checkers.counting import count_all
from kcjs.checkers.detect import detect
from kcjs.checkers.registry import rule
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, status_of
from kcjs.pipeline.rulepack import Direction, DocumentKind, RulePack, Subprogram

INFERRED = rule("detect.inferred", "info", "子项目或材料类型由 kcjs 从文档中识别")
UNKNOWN_KIND = rule("detect.unknown_kind", "warning", "无法识别材料类型，只做通用检查")
INTERNAL = rule("check.internal_error", "error", "检查程序内部错误（请把文件交给维护人员）")
UNKNOWN_SUBPROGRAM = rule("detect.unknown_subprogram", "warning", "无法识别子项目，跳过与子项目相关的检查")


@dataclass(frozen=True)
class Given:
    """What the user said a document is (each may be None: then it is detected)."""
    subprogram: Subprogram | None = None
    kind: DocumentKind | None = None
    direction: Direction | None = None
    count_mode: str | None = None


def _what(doc: Document, pack: RulePack, given: Given) -> tuple[Requirements | None, list[Finding]]:
    notes: list[Finding] = []
    found = detect(doc, pack)
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
    if sub is None:
        notes.append(Finding(UNKNOWN_SUBPROGRAM, "warning", "无法识别所属子项目，未检查目标、经费、字数和申报主体",
                             hint="请用 --subprogram 指定，例如 --subprogram 学会联合体"))
    if sub is not None and sub.directions and direction is None and kind.id == "application":
        notes.append(Finding(UNKNOWN_SUBPROGRAM, "warning", f"无法识别“{sub.name}”的申报方向，经费上限按子项目统一上限检查",
                             hint="请在项目类别中写明方向，或用 --direction 指定"))
    return Requirements(pack, kind, sub, direction, given.count_mode), notes


def check_document(doc: Document, pack: RulePack, given: Given = Given()) -> dict:
    """The check result of one read document, as the JSON contract of DESIGN.md."""
    result = {"file": doc.path, "sha256": doc.sha256, "subprogram": None, "direction": None, "kind": None,
              "status": "error", "metrics": {}, "findings": []}
    if not doc.readable:
        result["findings"] = [f.to_json() for f in doc.findings]
        return result
    req, notes = _what(doc, pack, given)
    findings = list(doc.findings) + notes
    for checker in CHECKERS:
        findings.extend(checker.check(doc, req))
    result.update(subprogram=req.subprogram.id if req.subprogram else None,
                  direction=req.direction.id if req.direction else None,
                  kind=req.kind.id if req.kind.id != "unknown" else None,
                  status=status_of(findings), metrics=metrics(doc, req),
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
    return finding


def internal_error(path: str, sha256: str | None, e: Exception) -> dict:
    """The result of a document whose check crashed: status error, and the batch goes on."""
    f = Finding(INTERNAL, "error", f"检查该文件时程序出错（{type(e).__name__}: {str(e)[:200]}），请人工审核并反馈给维护人员")
    return {"file": path, "sha256": sha256, "subprogram": None, "direction": None, "kind": None, "status": "error",
            "metrics": {}, "findings": [f.to_json()]}


def _severity_order(f: Finding) -> int:
    return {"error": 0, "warning": 1, "info": 2}[f.severity]


def metrics(doc: Document, req: Requirements) -> dict:
    from kcjs.checkers.budget import requested
    from kcjs.checkers.stamps import cross_page_json, seals_json
    from kcjs.checkers.structure import locate
    from kcjs.checkers.targets import commitments
    m: dict = {"pages": doc.page_count, "format": doc.format, "content_sha256": doc.content_digest(),
               "ocr_pages": [p.number for p in doc.pages if p.source == "ocr"],
               "count": count_all(doc.body_text()), "count_mode": req.mode,
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
        m["applicant_name"] = fv.value.split("\n")[0].strip() if fv and not is_placeholder(fv.value) else None
    if req.is_application and req.subprogram is not None:
        amount = requested(doc)
        m["requested_wan"] = amount.wan if amount else None
        m["cap_wan"] = req.cap_wan
        m["targets"] = {t: c.value for t, c in commitments(doc, req).items()}
    return m
