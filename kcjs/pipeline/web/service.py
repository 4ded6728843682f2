"""What the page does, without HTTP: check one upload, make a blank form, audit a zip; results as view data.

Every upload is written to a private temporary folder under a fixed name (never the name the browser sent),
read in the isolated reader, and the folder is deleted before the function returns.
"""
from __future__ import annotations

import logging
import re
import secrets
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kcjs.pipeline.rulepack import RulePack

log = logging.getLogger("kcjs.web")

# extensions kept on the temporary copy (the reader names a mislabelled file by them); anything else: none
_EXTENSIONS = {".docx", ".pdf", ".doc", ".wps", ".ofd", ".odt", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".zip"}
SEVERITIES = (("error", "错误"), ("warning", "警告"), ("info", "提示"))
STATUS = {"pass": ("通过", "未发现不符合通知要求的问题"), "fail": ("不通过", "有必须修改的问题"),
          "review": ("需人工核对", "kcjs 无法确定材料类型或子项目"), "error": ("无法读取", "文件无法读取，未做检查")}


class UserError(Exception):
    """A problem the person can fix (too large, wrong type, busy): its message is shown as it is, in Chinese."""


@dataclass
class Settings:
    max_file_mb: float = 20.0        # one document
    max_zip_mb: float = 200.0        # a batch
    max_zip_files: int = 500
    timeout_s: float = 120.0         # reading one document (OCR of a long scan included)
    concurrent: int = 2              # documents checked at once; more wait
    wait_s: float = 120.0            # how long a request waits for its turn
    downloads_mb: float = 300.0      # annotated copies and reports kept in memory for download
    download_ttl_s: float = 3600.0
    pack_path: Path | None = None


@dataclass
class Download:
    name: str
    data: bytes
    media_type: str
    created: float = field(default_factory=time.monotonic)


class Downloads:
    """Files made for a person (annotated copy, reports), kept in memory under an unguessable token
    for a while: never on disk, oldest dropped first when over the memory budget."""

    def __init__(self, max_bytes: int, ttl_s: float) -> None:
        self.max_bytes, self.ttl_s = max_bytes, ttl_s
        self.items: dict[str, Download] = {}
        self.lock = threading.Lock()

    def put(self, name: str, data: bytes, media_type: str) -> str:
        token = secrets.token_urlsafe(18)
        with self.lock:
            self.items[token] = Download(name, data, media_type)
            self._trim()
        return token

    def get(self, token: str) -> Download | None:
        with self.lock:
            self._trim()
            return self.items.get(token)

    def _trim(self) -> None:
        now = time.monotonic()
        for k in [k for k, d in self.items.items() if now - d.created > self.ttl_s]:
            del self.items[k]
        while self.items and sum(len(d.data) for d in self.items.values()) > self.max_bytes:
            del self.items[next(iter(self.items))]


MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "html": "text/html; charset=utf-8",
         "json": "application/json"}


def display_name(name: str | None) -> str:
    """The browser's file name as something to show (escaped later by the template): last part, no control chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "未命名文件"


def _suffix(name: str) -> str:
    s = Path(name).suffix.lower()
    return s if s in _EXTENSIONS else ""


class Service:
    def __init__(self, settings: Settings) -> None:
        from kcjs.pipeline.packloader import load_pack
        self.settings = settings
        self.pack: RulePack = load_pack(settings.pack_path)
        self.downloads = Downloads(int(settings.downloads_mb * 2**20), settings.download_ttl_s)
        self.turns = threading.BoundedSemaphore(max(1, settings.concurrent))

    # --- choices shown in the selects ---------------------------------------------------------
    def choices(self) -> dict:
        p = self.pack
        return {"subprograms": [{"id": s.id, "name": s.name,
                                 "directions": [{"id": d.id, "name": d.name} for d in s.directions],
                                 "kinds": ["application", *dict.fromkeys(d.kind for d in s.deliverables)]}
                                for s in p.subprograms],
                "kinds": [{"id": k.id, "name": k.name} for k in p.document_kinds]}

    def given(self, subprogram: str | None, kind: str | None, direction: str | None):
        from kcjs.pipeline.check import Given
        from kcjs.pipeline.packloader import find_direction, find_kind, find_subprogram
        try:
            sub = find_subprogram(self.pack, subprogram) if subprogram else None
            knd = find_kind(self.pack, kind) if kind else None
            dirn = find_direction(sub, direction) if sub and direction else None
        except LookupError as e:
            raise UserError(str(e)) from None
        return Given(sub, knd, dirn)

    # --- one document ---------------------------------------------------------------------------
    def check(self, upload, name: str, subprogram: str | None = None, kind: str | None = None,
              direction: str | None = None) -> dict:
        """Check one uploaded file (a binary file object); returns the view of the result."""
        from kcjs.pipeline.annotate import AnnotateError, annotate_isolated, annotated_name
        from kcjs.pipeline.check import check_document
        from kcjs.pipeline.readers import Limits, can_fork, read_document, read_isolated
        # Windows has no fork: there the document is read in this process (the reader still never raises)
        read = read_isolated if can_fork() else read_document
        given = self.given(subprogram, kind, direction)
        shown = display_name(name)
        limit = int(self.settings.max_file_mb * 2**20)
        with self._turn(), tempfile.TemporaryDirectory(prefix="kcjs-web-") as tmp:
            path = Path(tmp) / ("upload" + _suffix(shown))
            size = _save(upload, path, limit)
            if size == 0:
                raise UserError("上传的文件是空的（0 字节），请重新选择文件")
            started = time.monotonic()
            doc = read(path, Limits(max_bytes=limit, timeout_s=self.settings.timeout_s))
            result = check_document(doc, self.pack, given)
            result["file"] = shown
            annotated, note = None, None
            if doc.readable:
                try:
                    data, fmt = annotate_isolated(path.read_bytes(), doc, result, self.settings.timeout_s)
                    annotated = {"name": annotated_name(shown, fmt),
                                 "token": self.downloads.put(annotated_name(shown, fmt), data, MEDIA[fmt])}
                except AnnotateError as e:
                    note = str(e)
                    log.warning("annotated copy failed for an upload of %d bytes: %s", size, e)
            seconds = time.monotonic() - started
        log.info("checked an upload of %d bytes in %.2f s: %s", size, seconds, result["status"])
        return self.view(result, annotated, note, seconds)

    def view(self, result: dict, annotated: dict | None = None, note: str | None = None, seconds: float = 0.0) -> dict:
        from kcjs.pipeline.check_view import key_facts, where
        sub = next((s for s in self.pack.subprograms if s.id == result.get("subprogram")), None)
        kind = next((k for k in self.pack.document_kinds if k.id == result.get("kind")), None)
        direction = next((d for d in (sub.directions if sub else ()) if d.id == result.get("direction")), None)
        groups = []
        for sev, title in SEVERITIES:
            items = []
            for f in result["findings"]:
                if f["severity"] != sev:
                    continue
                loc = f.get("location") or {}
                items.append({"rule": f["rule"], "message": _for_page(f["message"]), "where": where(loc), "quote": loc.get("quote"),
                              "expected": _text(f.get("expected")), "actual": _text(f.get("actual")), "hint": _for_page(f.get("hint"))})
            if items:
                groups.append({"severity": sev, "title": title, "findings": items})
        status = result["status"]
        return {"file": result["file"], "status": status, "status_name": STATUS.get(status, (status, ""))[0],
                "status_note": STATUS.get(status, ("", ""))[1],
                "subprogram": sub.id if sub else "", "subprogram_name": sub.name if sub else "未识别",
                "kind": kind.id if kind else "", "kind_name": kind.name if kind else "未识别",
                "direction": direction.id if direction else "", "direction_name": direction.name if direction else "",
                "facts": key_facts(result), "groups": groups, "annotated": annotated, "annotate_note": note,
                "seconds": round(seconds, 2), "raw": result}

    # --- blank forms ------------------------------------------------------------------------------
    def form(self, subprogram: str, kind: str | None, direction: str | None) -> tuple[str, bytes]:
        """(file name, .docx bytes) of one blank form, as `kcjs template`."""
        from kcjs.pipeline.forms import forms_of, render
        given = self.given(subprogram, kind, direction)
        sub = given.subprogram
        if sub is None:
            raise UserError("请选择子项目")
        kid = given.kind.id if given.kind else "application"
        if kid != "application" and kid not in {d.kind for d in sub.deliverables}:
            raise UserError(f"“{sub.name}”不需要提交“{given.kind.name}”")
        forms = forms_of(sub, kid, given.direction)
        f = forms[0]
        with tempfile.TemporaryDirectory(prefix="kcjs-web-") as tmp:
            path = render(self.pack, f, Path(tmp) / "form.docx")
            return f.file_name(self.pack), path.read_bytes()

    # --- a batch, for staff -----------------------------------------------------------------------
    def audit(self, upload, name: str, stage: str = "application") -> dict:
        """Audit an uploaded zip as `kcjs audit`; the three reports are kept for download."""
        from kcjs.pipeline.audit import intake, tables
        from kcjs.pipeline.audit.batch import AuditOptions, audit
        from kcjs.pipeline.audit.report import write_html, write_json, write_xlsx
        from kcjs.pipeline.readers import Limits
        if stage not in ("application", "acceptance"):
            raise UserError("审核阶段只能是申报或结项")
        with self._turn(), tempfile.TemporaryDirectory(prefix="kcjs-web-") as tmp:
            archive = Path(tmp) / "batch.zip"
            _save(upload, archive, int(self.settings.max_zip_mb * 2**20))
            try:
                with zipfile.ZipFile(archive) as zf:
                    members = [i for i in zf.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError):
                raise UserError("上传的文件不是有效的 .zip 压缩包") from None
            if not members:
                raise UserError("压缩包是空的")
            if len(members) > self.settings.max_zip_files:
                raise UserError(f"压缩包内有 {len(members)} 个文件，网页版一次最多审核 {self.settings.max_zip_files} 个；"
                                "更多请用命令 kcjs audit")
            out = Path(tmp) / "report"
            opts = AuditOptions(stage=stage, workers=max(1, self.settings.concurrent), quiet=True,
                                limits=Limits(max_bytes=int(self.settings.max_file_mb * 2**20), timeout_s=self.settings.timeout_s))
            started = time.monotonic()
            try:
                report = audit(archive, out, self.pack, self.settings.pack_path, opts)
            except (intake.IntakeError, tables.TableError) as e:
                raise UserError(str(e)) from None
            files = {}
            for fmt, write in (("xlsx", write_xlsx), ("html", write_html), ("json", write_json)):
                p = write(report, out / f"kcjs-report.{fmt}")
                files[fmt] = {"name": f"kcjs-report.{fmt}", "token": self.downloads.put(f"kcjs-report.{fmt}", p.read_bytes(), MEDIA[fmt])}
            seconds = time.monotonic() - started
        log.info("audited a batch of %d files in %.1f s", len(members), seconds)
        docs = [{"file": d["file"], "applicant": d.get("applicant") or "", "status": d["status"],
                 "status_name": STATUS.get(d["status"], (d["status"], ""))[0],
                 "errors": sum(f["severity"] == "error" for f in d["findings"]),
                 "first": next((f["message"] for f in d["findings"] if f["severity"] == "error"), "")}
                for d in report["documents"]]
        return {"name": display_name(name), "summary": report["summary"], "documents": docs,
                "cross": [{"rule": f["rule"], "message": f["message"]} for f in report["findings"]],
                "files": files, "seconds": round(seconds, 1)}

    def _turn(self):
        service = self

        class Turn:
            def __enter__(self):
                if not service.turns.acquire(timeout=service.settings.wait_s):
                    raise UserError("服务器正忙（同时检查的文件过多），请稍后再试")

            def __exit__(self, *exc):
                service.turns.release()
        return Turn()


_CLI_OPTIONS = re.compile(r"(或)?请?用\s*--(subprogram|kind|direction).*$")


def _for_page(text: str | None) -> str | None:
    """A finding written for the command line, told for the page: '请用 --kind 指定' -> the selects above."""
    if not text or "--" not in text:
        return text
    return _CLI_OPTIONS.sub(lambda m: (m.group(1) or "请") + "在上方“子项目”“材料类型”“方向”中改选", text)


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, dict):
        return "；".join(f"{k} {x}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    return str(v)


def _save(upload, path: Path, limit: int) -> int:
    """Copy the upload to `path` (mode 0600 inside a 0700 folder); UserError past `limit` bytes."""
    size = 0
    with open(path, "wb") as out:
        while chunk := upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise UserError(f"文件超过 {limit / 2**20:.0f} MB 的上限，请压缩图片或拆分文件后再试")
            out.write(chunk)
    return size


