"""One audit: intake -> tasks (manifest or detection) -> runner (cached) -> cross-submission rules -> report."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from kcjs.checkers import limits as cross
from kcjs.checkers.registry import rule
from kcjs.pipeline import __version__, safe_output
from kcjs.pipeline.audit import intake, narrative, runner, screening, tables
from kcjs.pipeline.audit.settings import Settings
from kcjs.pipeline.audit.store import Store, result_key
from kcjs.pipeline.findings import Finding
from kcjs.pipeline.packloader import DEFAULT_PACK, find_direction, find_kind, find_subprogram
from kcjs.pipeline.readers import TOO_LARGE, UNREADABLE, Limits
from kcjs.pipeline.rulepack import RulePack

UNSAFE = rule("file.unsafe_path", "error", "压缩包内文件路径不安全（绝对路径、.. 或链接），已拒绝解压")
NOT_REGULAR = rule("file.not_regular", "error", "不是普通文件（命名管道、设备文件、链接）或无法访问，未检查")
ODD_NAME = rule("file.odd_name", "warning", "文件名异常（编码、控制字符或同名），报告中已改写显示")
SKIP_RULES = {"unsafe": UNSAFE, "too_large": TOO_LARGE, "bomb": UNREADABLE, "not_regular": NOT_REGULAR, "damaged": UNREADABLE}


@dataclass
class AuditOptions:
    manifest: Path | None = None
    blacklist: Path | None = None
    stage: str = "application"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    count_mode: str | None = None
    limits: Limits = field(default_factory=Limits)
    quiet: bool = False
    settings: Settings = field(default_factory=Settings)
    annotate: bool = False
    against: Path | None = None              # an earlier audit's output folder or kcjs-cache.sqlite (dup.narrative)
    dup_threshold: float = narrative.THRESHOLD


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _given(pack: RulePack, row: dict | None) -> tuple:
    """(subprogram, kind, direction) ids a manifest row names; a name it cannot resolve is a LookupError."""
    if not row:
        return (None, None, None)
    sub = find_subprogram(pack, row["subprogram"]) if row.get("subprogram") else None
    kind = find_kind(pack, row["kind"]) if row.get("kind") else None
    direction = find_direction(sub, row["direction"]) if sub and row.get("direction") else None
    return (sub.id if sub else None, kind.id if kind else None, direction.id if direction else None)


def _skipped_result(sub: intake.Submission, why: str | None = None, kind: str | None = None) -> dict:
    f = Finding(SKIP_RULES.get(kind or sub.kind, UNREADABLE), "error", why or sub.skipped)
    return {"file": sub.name, "sha256": None, "subprogram": None, "direction": None, "kind": None, "status": "error",
            "metrics": {}, "findings": [f.to_json()]}


def _same_file(a: Path, b: Path | None) -> bool:
    try:
        return b is not None and a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def staff_tables(subs: list[intake.Submission], opts: AuditOptions) -> tuple[list[intake.Submission], list[dict]]:
    """Take staff's own lists out of the submissions: the --manifest/--blacklist files when they sit in the
    input, and any table there that reads as a manifest or blacklist. Returns (submissions, tables found)."""
    keep, found = [], []
    for s in subs:
        role = ("manifest" if _same_file(s.path, opts.manifest) else "blacklist" if _same_file(s.path, opts.blacklist)
                else None) if not s.skipped else None
        if role is None and not s.skipped:
            role = tables.looks_like(s.path)
        if role is None:
            keep.append(s)
        else:
            found.append({"file": s.name, "role": role, "path": s.path})
    return keep, found


def _choose_table(given: Path | None, found: list[dict], role: str) -> Path | None:
    """The table given on the command line, else the only one of that role in the input."""
    if given is not None:
        return given
    mine = [t for t in found if t["role"] == role]
    return mine[0]["path"] if len(mine) == 1 else None


def _link(path: Path, out: Path) -> str | None:
    """The file's path relative to the report folder (so links work when OUT is moved with the input)."""
    if not path.exists():
        return None
    return Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()


def audit(input_path: Path, out: Path, pack: RulePack, pack_path: Path | None, opts: AuditOptions) -> dict:
    """Check a folder or zip of submissions: {"documents", "findings" (across the batch), "applicants",
    "verdicts", "summary"}. Raises intake.IntakeError or tables.TableError when it cannot run, OSError or
    sqlite3.Error when OUT cannot be written. Every string of the result is clean, every number finite."""
    out.mkdir(parents=True, exist_ok=True)
    work = out / ".kcjs-work"
    try:
        return safe_output.clean(_audit(input_path, out, work, pack, pack_path, opts))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # extracted files: the report says what they were


def _audit(input_path: Path, out: Path, work: Path, pack: RulePack, pack_path: Path | None, opts: AuditOptions) -> dict:
    notes = []
    if input_path.is_dir() and _inside(out, input_path):
        notes.append(f"输出目录 {out} 位于输入目录内：其中的报告和缓存不作为申报材料检查")
    settings = opts.settings
    subs, found_tables = staff_tables(intake.collect(input_path, work, opts.limits.max_bytes, out=out), opts)
    manifest_path = _choose_table(opts.manifest, found_tables, "manifest")
    blacklist_path = _choose_table(opts.blacklist, found_tables, "blacklist")
    manifest_rows = tables.load_manifest(manifest_path) if manifest_path else []
    if not subs and not manifest_rows:  # a mistyped or empty folder must not look like a clean batch
        raise intake.IntakeError(f"{intake.clean_text(str(input_path))} 中没有可检查的文件（文件夹为空，或只有报告目录）")
    blacklist = tables.load_blacklist(blacklist_path) if blacklist_path else []
    rows, missing = tables.match_files([s.name for s in subs], manifest_rows) if manifest_rows else ({}, [])
    pack_file = Path(pack_path) if pack_path else DEFAULT_PACK
    pack_hash = hashlib.sha256(pack_file.read_bytes()).hexdigest()
    tasks, fixed, bad_rows = [], {}, []
    for s in subs:
        row = rows.get(s.name)
        if s.skipped:
            fixed[s.name] = _skipped_result(s)
            continue
        try:
            given = _given(pack, row)
        except (LookupError, ValueError) as e:
            bad_rows.append((row, s.name, str(e)))
            given = (None, None, None)
        try:
            digest = sha256_of(s.path)
        except OSError:
            fixed[s.name] = _skipped_result(s, "文件无法读取（已被移走或没有权限），未检查", "damaged")
            continue
        tasks.append(runner.Task(str(s.path), s.name, result_key(digest, pack_hash, given, opts.count_mode), digest, given,
                                 opts.count_mode))
    store = Store(out / "kcjs-cache.sqlite")
    try:
        done, checked_now = runner.run(tasks, store, str(pack_file), opts.limits, opts.workers, opts.quiet)
    finally:
        store.close()
    notes.extend(store.warnings)
    by_name = {t.name: done[t.key] for t in tasks}
    documents = []
    for s in subs:
        result = json.loads(json.dumps(fixed.get(s.name) or by_name[s.name]))  # identical files share one result
        result["file"] = s.name
        if s.note:
            result["findings"].append(Finding(ODD_NAME, "warning", s.note).to_json())
        result = _annotate(settings.document(result), s, rows.get(s.name), pack)
        # extracted files are removed at the end: only files of a folder can be linked
        result["link"] = None if s.skipped or _inside(s.path, work) else _link(s.path, out)
        documents.append(result)
    entries = [cross.Entry(d["file"], d.get("applicant") or "", tables.applicant_key(d.get("applicant") or ""),
                           d.get("subprogram"), d.get("direction"), d.get("kind"), d.get("sha256"),
                           (d.get("metrics") or {}).get("content_sha256")) for d in documents]
    findings = cross.check(entries, pack, blacklist, opts.stage)
    findings += _narratives(documents, {t.name: t.key for t in tasks}, out, pack, pack_file, opts)
    if manifest_rows:
        unlisted = [e for e in entries if e.file not in rows]
        findings += cross.manifest_findings(missing, unlisted, bad_rows)
    findings = settings.findings(findings)
    for d in documents:
        d["cross"] = [f["rule"] for f in findings if d["file"] in f["files"]]
    if opts.annotate:
        _annotated_copies(documents, subs, out)
    verdicts = screening.verdicts(documents, findings, pack, settings)
    tables_json = [{"file": t["file"], "role": t["role"],
                    "used": t["path"] in (manifest_path, blacklist_path)} for t in found_tables]
    summary = {**_summary(documents, findings, verdicts, pack, opts), "checked_now": checked_now,
               "from_cache": len(tasks) - checked_now, "settings": settings.to_json(),
               "settings_text": settings.describe(), "tables": tables_json,
               "manifest": str(manifest_path) if manifest_path else None,
               "blacklist": str(blacklist_path) if blacklist_path else None,
               "manifest_rows": len(manifest_rows), "blacklist_rows": len(blacklist), "notes": notes}
    return {"documents": documents, "findings": findings, "applicants": _applicants(documents, findings, pack),
            "verdicts": verdicts, "summary": summary, "rule_names": screening.rule_names()}


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _annotator():
    """kcjs.pipeline.annotate.annotate_file(path, result, out_dir) -> Path, when this build has it, else None."""
    import importlib
    import importlib.util
    if importlib.util.find_spec("kcjs.pipeline.annotate") is None:
        return None
    return getattr(importlib.import_module("kcjs.pipeline.annotate"), "annotate_file", None)


def annotation_available() -> bool:
    return _annotator() is not None


def _annotated_copies(documents: list[dict], subs: list[intake.Submission], out: Path) -> None:
    """An annotated copy of every failing document, linked from the report as `annotated`."""
    annotate_file = _annotator()
    if annotate_file is None:
        return
    paths = {s.name: s.path for s in subs}
    target = out / "批注版"
    for d in documents:
        if d["status"] not in ("fail", "review") or d["file"] not in paths:
            continue
        try:
            made = annotate_file(paths[d["file"]], d, target / Path(d["file"]).parent)
        except Exception as e:  # one document's annotation must not cost the report
            d["annotated_error"] = f"{type(e).__name__}: {str(e)[:200]}"
            continue
        d["annotated"] = _link(Path(made), out) if made else None


def _narratives(documents: list[dict], keys: dict[str, str], out: Path, pack: RulePack, pack_file: Path,
                opts: AuditOptions) -> list[dict]:
    """dup.narrative findings (kcjs.pipeline.audit.narrative); the files audited are recorded in the store
    for a later year's --against."""
    try:
        against = narrative.open_against(opts.against, out) if opts.against else None
    except LookupError as e:
        raise tables.TableError(str(e)) from None
    store = Store(out / "kcjs-cache.sqlite")
    try:
        found = narrative.check(documents, keys, store, pack, pack_file, against, opts.dup_threshold)
        store.record_audit([{**d, "key": keys[d["file"]]} for d in documents if d["file"] in keys],
                           dt.datetime.now().isoformat(timespec="seconds"))
        return found
    finally:
        store.close()
        if against is not None:
            against.close()


def _annotate(result: dict, s: intake.Submission, row: dict | None, pack: RulePack) -> dict:
    """Add who submitted it and what kcjs had to infer (so staff can correct the manifest)."""
    m = result.get("metrics") or {}
    inferred = [f["message"].split("；")[0] for f in result["findings"] if f["rule"] == "detect.inferred"]
    if row and row.get("applicant"):
        result["applicant"], source = row["applicant"], "manifest"
    elif m.get("applicant_name"):
        result["applicant"], source = m["applicant_name"], "document"
        inferred.append(f"申报单位取自文中“{m['applicant_name']}”")
    elif s.folder:
        result["applicant"], source = s.folder, "folder"
        inferred.append(f"申报单位取自文件夹名“{s.folder}”")
    else:
        result["applicant"], source = None, "unknown"
    result["applicant_source"] = source
    result["inferred"] = inferred
    sub = next((x for x in pack.subprograms if x.id == result.get("subprogram")), None)
    kind = next((k for k in pack.document_kinds if k.id == result.get("kind")), None)
    result["subprogram_name"] = sub.name if sub else None
    result["kind_name"] = kind.name if kind else None
    return result


def _applicants(documents: list[dict], findings: list[dict], pack: RulePack) -> list[dict]:
    out: dict[str, dict] = {}
    for d in documents:
        key = tables.applicant_key(d.get("applicant") or "")
        if not key:
            continue
        a = out.setdefault(key, {"applicant": d["applicant"], "files": 0, "applications": 0, "platform": 0, "activity": 0,
                                 "problems": []})
        a["files"] += 1
        if d.get("kind") == "application" and d.get("subprogram"):
            a["applications"] += 1
            a[pack.subprogram(d["subprogram"]).class_] = a.get(pack.subprogram(d["subprogram"]).class_, 0) + 1
    doc_keys = screening.document_keys(documents)
    for f in findings:
        for key in screening.finding_keys(f, doc_keys):
            if key in out:
                out[key]["problems"].append(f["message"])
    return sorted(out.values(), key=lambda a: a["applicant"])


def _summary(documents: list[dict], findings: list[dict], verdicts: list[dict], pack: RulePack, opts: AuditOptions) -> dict:
    count = {k: sum(d["status"] == k for d in documents) for k in ("pass", "fail", "review", "error")}
    return {"documents": len(documents), **count,
            # one per verdict row, so the verdict counts add up to it: applicants named only by the manifest
            # included; the files whose applicant was not recognised are one row, said apart
            "applicants": len(verdicts),
            "unidentified": sum(x["applicant"] == screening.UNKNOWN_APPLICANT for x in verdicts),
            "cross_errors": sum(f["severity"] == "error" for f in findings),
            "verdicts": {v: sum(x["verdict"] == v for x in verdicts) for v in screening.VERDICTS},
            "stage": opts.stage, "rule_pack": f"{pack.program.id} {pack.program.version}",
            "kcjs_version": __version__, "generated": dt.datetime.now().isoformat(timespec="seconds")}
