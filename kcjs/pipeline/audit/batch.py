"""One audit: intake -> tasks (manifest or detection) -> runner (cached) -> cross-submission rules -> report."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from kcjs.checkers import limits as cross
from kcjs.checkers.registry import rule
from kcjs.pipeline import __version__
from kcjs.pipeline.audit import intake, narrative, runner, tables
from kcjs.pipeline.audit.store import Store, result_key
from kcjs.pipeline.findings import Finding
from kcjs.pipeline.packloader import DEFAULT_PACK, find_direction, find_kind, find_subprogram
from kcjs.pipeline.readers import TOO_LARGE, UNREADABLE, Limits
from kcjs.pipeline.rulepack import RulePack

UNSAFE = rule("file.unsafe_path", "error", "压缩包内文件路径不安全（绝对路径、.. 或链接），已拒绝解压")


@dataclass
class AuditOptions:
    manifest: Path | None = None
    blacklist: Path | None = None
    stage: str = "application"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    count_mode: str | None = None
    limits: Limits = field(default_factory=Limits)
    quiet: bool = False
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


def _skipped_result(sub: intake.Submission) -> dict:
    rule_id = TOO_LARGE if "上限" in sub.skipped else UNSAFE if "不安全" in sub.skipped else UNREADABLE
    f = Finding(rule_id, "error", sub.skipped)
    return {"file": sub.name, "sha256": None, "subprogram": None, "direction": None, "kind": None, "status": "error",
            "metrics": {}, "findings": [f.to_json()]}


def audit(input_path: Path, out: Path, pack: RulePack, pack_path: Path | None, opts: AuditOptions) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    subs = intake.collect(input_path, out / ".kcjs-work", opts.limits.max_bytes)
    manifest = tables.load_manifest(opts.manifest) if opts.manifest else {}
    blacklist = tables.load_blacklist(opts.blacklist) if opts.blacklist else {}
    pack_file = Path(pack_path) if pack_path else DEFAULT_PACK
    pack_hash = hashlib.sha256(pack_file.read_bytes()).hexdigest()
    tasks, rows, fixed = [], {}, {}
    for s in subs:
        row = manifest.get(s.name) or manifest.get(Path(s.name).name)
        rows[s.name] = row
        if s.skipped:
            fixed[s.name] = _skipped_result(s)
            continue
        try:
            given = _given(pack, row)
        except (LookupError, ValueError) as e:
            raise tables.TableError(f"清单中“{s.name}”一行：{e}") from None
        digest = sha256_of(s.path)
        tasks.append(runner.Task(str(s.path), s.name, result_key(digest, pack_hash, given, opts.count_mode), digest, given,
                                 opts.count_mode))
    store = Store(out / "kcjs-cache.sqlite")
    try:
        done, checked_now = runner.run(tasks, store, str(pack_file), opts.limits, opts.workers, opts.quiet)
    finally:
        store.close()
    by_name = {t.name: done[t.key] for t in tasks}
    documents = []
    for s in subs:
        result = json.loads(json.dumps(fixed.get(s.name) or by_name[s.name]))  # identical files share one result
        result["file"] = s.name
        documents.append(_annotate(result, s, rows.get(s.name), pack))
    entries = [cross.Entry(d["file"], d.get("applicant") or "", tables.applicant_key(d.get("applicant") or ""),
                           d.get("subprogram"), d.get("direction"), d.get("kind"), d.get("sha256"),
                           (d.get("metrics") or {}).get("content_sha256")) for d in documents]
    findings = cross.check(entries, pack, blacklist, opts.stage)
    findings += _narratives(documents, {t.name: t.key for t in tasks}, out, pack, pack_file, opts)
    for d in documents:
        d["cross"] = [f["rule"] for f in findings if d["file"] in f["files"]]
    return {"documents": documents, "findings": findings, "applicants": _applicants(documents, findings, pack),
            "summary": {**_summary(documents, findings, pack, opts), "checked_now": checked_now,
                        "from_cache": len(tasks) - checked_now}}


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
    for f in findings:
        a = out.get(tables.applicant_key(f["applicant"]))
        if a is not None:
            a["problems"].append(f["message"])
    return sorted(out.values(), key=lambda a: a["applicant"])


def _summary(documents: list[dict], findings: list[dict], pack: RulePack, opts: AuditOptions) -> dict:
    count = {k: sum(d["status"] == k for d in documents) for k in ("pass", "fail", "error")}
    return {"documents": len(documents), **count,
            "applicants": len({tables.applicant_key(d.get("applicant") or "") for d in documents if d.get("applicant")}),
            "cross_errors": sum(f["severity"] == "error" for f in findings),
            "stage": opts.stage, "rule_pack": f"{pack.program.id} {pack.program.version}",
            "kcjs_version": __version__, "generated": dt.datetime.now().isoformat(timespec="seconds")}
