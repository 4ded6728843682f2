"""Hostile input never costs a batch (issue 18): limits on the whole per-document work, strict JSON,
a batch that survives its worst file and name, transient failures not cached, atomic reports, a damaged
cache rebuilt, bounded disk, and messages without Python internals. Every input is built here."""
from __future__ import annotations

import errno
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes, sample_application, scan_pdf_bytes
from kcjs.pipeline import safe_output
from kcjs.pipeline.audit import report as report_mod
from kcjs.pipeline.audit.batch import AuditOptions, audit
from kcjs.pipeline.audit.store import Store
from kcjs.pipeline.check import Given, check_file, check_once
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import Limits
from tests import hostile

PACK = load_pack()

INTERNALS = re.compile(r"\b[A-Z][A-Za-z]+(Error|Exception)\b|退出码 None|Traceback|Errno|exit code|\bNone\b")


def strict(text: str):
    """json.loads that refuses Infinity, -Infinity and NaN (which are not JSON)."""
    def refuse(c):
        raise ValueError(f"not JSON: {c}")
    return json.loads(text, parse_constant=refuse)


def messages(result: dict) -> str:
    return " ".join(f["message"] + (f.get("hint") or "") for f in result["findings"])


def good_app(i: int = 0) -> bytes:
    """A compliant 学会联合体 申报书; each i its own applicant (so no two files are duplicates)."""
    content = application(PACK, PACK.subprogram("society-consortium"), "compliant", "table")
    content[2].rows[0][1] = f"江苏省{'机械电子化工材料'[i % 8]}{i}工程学会"
    return docx_bytes(content, seal="inline")


# --- 1. the whole per-document work under the limits ------------------------------------------

@pytest.mark.parametrize("name,make", [
    ("digits.docx", hostile.long_digits_docx),            # 20,000 digits (a money pattern took 22 s)
    ("numerals.docx", hostile.chinese_numerals_docx),     # 5,000 Chinese numerals before 万元 (int-digit limit)
    ("amount.docx", hostile.huge_amount_docx),            # 400 digits: float inf, JSON would say Infinity
    ("gridspan.docx", hostile.gridspan_docx),             # gridSpan 1,000,000
])
def test_hostile_numbers_and_spans_end_as_findings_in_strict_json(tmp_path, kcjs, name, make):
    p = tmp_path / name
    p.write_bytes(make())
    code, stdout, _ = kcjs("check", str(p), "--format", "json", "--subprogram", "society-consortium", "--kind",
                           "application", "--timeout", "60")
    result = strict(stdout)
    assert code == 1 and result["status"] in ("fail", "error")
    rules = [f["rule"] for f in result["findings"]]
    assert "file.timeout" not in rules and "check.internal_error" not in rules, messages(result)
    assert not INTERNALS.search(messages(result)) and "inf" not in messages(result)


def _sleepy(doc, req):
    time.sleep(60)
    return []


def _greedy(doc, req):
    hog = bytearray(8 * 2**30)  # 8 GB: more than the child's address space
    return [hog]


class _Checker:
    def __init__(self, fn):
        self.check = fn


@pytest.mark.parametrize("fn,rule", [(_sleepy, "file.timeout"), (_greedy, "file.too_large")])
def test_a_checker_can_only_cost_its_own_limit(tmp_path, pack, monkeypatch, fn, rule):
    """Checking runs in the limited child too: a checker that loops or eats memory ends as a finding."""
    p = tmp_path / "ok.docx"
    p.write_bytes(good_app())
    from kcjs.pipeline import check as check_mod
    monkeypatch.setattr(check_mod, "CHECKERS", [*check_mod.CHECKERS, _Checker(fn)])
    timeout = 10 if fn is _sleepy else 120  # the sleeper sleeps 60 s; the glutton must get to its allocation
    result, transient = check_once(p, pack, Given(), Limits(timeout_s=timeout, max_memory_mb=2048))
    assert [f["rule"] for f in result["findings"]] == [rule] and result["status"] == "error"
    assert transient == (rule == "file.timeout")  # a timeout may be the machine's: retried, not cached
    assert not INTERNALS.search(messages(result))


def _hostile_by_name(doc, req):
    if "loop" in doc.path:
        while True:  # a parser loop: CPU, not sleep
            pass
    if "greedy" in doc.path:
        return [bytearray(8 * 2**30)]
    return []


def test_one_reading_child_serves_a_batch_and_a_hostile_document_costs_only_its_own_limit(tmp_path, pack, monkeypatch):
    """The audit's long-lived reading child (readers.Reader): good documents before and after a looping
    and a greedy one are all checked; each hostile one ends as its own finding and the child is replaced."""
    from kcjs.pipeline import check as check_mod
    from kcjs.pipeline.readers import Reader
    monkeypatch.setattr(check_mod, "CHECKERS", [*check_mod.CHECKERS, _Checker(_hostile_by_name)])
    names = ["good1.docx", "good2.docx", "loop.docx", "good3.docx", "greedy.docx", "good4.docx"]
    for i, name in enumerate(names):
        (tmp_path / name).write_bytes(good_app(i))
    reader = Reader(Limits(timeout_s=8, max_memory_mb=2048, docs_per_reader=10))
    children, got = [], {}
    try:
        for name in names:
            got[name] = check_once(tmp_path / name, pack, Given(), reader.limits, reader=reader)
            children.append(reader.proc.pid if reader.proc else None)
    finally:
        reader.close()
    assert all(got[n][0]["status"] != "error" for n in names if n.startswith("good")), got
    assert [f["rule"] for f in got["loop.docx"][0]["findings"]] == ["file.timeout"] and got["loop.docx"][1]
    assert [f["rule"] for f in got["greedy.docx"][0]["findings"]] == ["file.too_large"] and not got["greedy.docx"][1]
    assert children[0] == children[1] and children[2] is None  # one child served both; the looping one's was killed
    assert children[3] == children[4] == children[5] != children[0]  # a new child after it, greedy or not


def test_a_reading_child_killed_from_outside_is_retried(tmp_path, pack, monkeypatch):
    p = tmp_path / "ok.docx"
    p.write_bytes(good_app())
    flag = tmp_path / "killed-once"

    from kcjs.pipeline import check as check_mod
    real = check_mod._read_and_check

    def dies_once(*args):
        if not flag.exists():
            flag.write_text("x")
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args)
    monkeypatch.setattr(check_mod, "_read_and_check", dies_once)
    first, transient = check_once(p, pack, Given(), Limits())
    assert transient and first["findings"][0]["rule"] == "file.unreadable" and not INTERNALS.search(messages(first))
    flag.unlink()
    assert check_file(p, pack, Given(), Limits())["status"] != "error"  # check retries a killed child once


# --- 2. JSON is always JSON ------------------------------------------------------------------

def test_clean_values_make_strict_json():
    value = {"a": float("inf"), "b": [float("nan"), -float("inf"), 1.5], "c": "x\x00\x1b[31m\ud800y"}
    text = safe_output.dumps(value)
    assert strict(text) == {"a": None, "b": [None, None, 1.5], "c": "x\ufffd\ufffd[31m\ufffdy"}


# --- 3. a batch survives its worst file and name ---------------------------------------------

def _zip(path: Path, members: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return path


def _reports(out: Path) -> dict:
    from openpyxl import load_workbook
    report = strict((out / "kcjs-report.json").read_text(encoding="utf-8"))
    wb = load_workbook(out / "kcjs-report.xlsx")
    assert "汇总" in wb.sheetnames and wb["汇总"].max_row >= len(report["documents"]) + 1
    assert "</html>" in (out / "kcjs-report.html").read_text(encoding="utf-8")
    for d in report["documents"]:
        assert not INTERNALS.search(messages(d)), messages(d)
    return report


def test_hostile_folder_names_and_files(tmp_path, kcjs):
    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.docx").write_bytes(good_app(1))
    with open(os.path.join(os.fsencode(src), "申报书.docx".encode("gbk")), "wb") as f:  # what unzip makes of GBK
        f.write(good_app(2))
    (src / "a\x01b\x1b[31m.docx").write_bytes(good_app(3))
    (src / "[").mkdir()  # the name [/]x[red].docx: rich would read [/] and [red] as markup
    (src / "[" / "]x[red].docx").write_bytes(good_app(4))
    (src / "[" / "]y[bold].docx").write_bytes(good_app(4))  # identical: a cross finding prints both names
    os.mkfifo(src / "pipe.docx")
    out = src / "报告"  # OUT inside INPUT
    for _ in range(2):  # the second run must not take the first run's reports for submissions
        code, stdout, _ = kcjs("audit", str(src), "-o", str(out), "--workers", "2")
        assert code == 1 and "file.duplicate" in stdout and "[/]x[red].docx" in stdout
    report = _reports(out)
    docs = {d["file"]: d for d in report["documents"]}
    assert set(docs) == {"ok.docx", "申报书.docx", "a\ufffdb\ufffd[31m.docx", "[/]x[red].docx", "[/]y[bold].docx", "pipe.docx"}
    assert docs["申报书.docx"]["status"] == "pass" and "GBK" in messages(docs["申报书.docx"])
    assert docs["a\ufffdb\ufffd[31m.docx"]["status"] == "pass"  # a warning about its name, checked as usual
    assert [f["rule"] for f in docs["pipe.docx"]["findings"]] == ["file.not_regular"]
    assert "输出目录" in " ".join(report["summary"]["notes"])


@pytest.mark.filterwarnings("ignore:Duplicate name")  # two members of one name, on purpose
def test_hostile_zip_members(tmp_path, pack):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("申报书.docx", good_app(5))
        z.writestr("zeros.pdf", b"\0" * (20 * 2**20))
    long = "申" * 96 + ".docx"  # 293 bytes: past a file system's 255
    z = _zip(tmp_path / "batch.zip", [(long, good_app(1)), ("x", b"just a file"), ("x/y.docx", good_app(2)),
                                      ("same.docx", good_app(3)), ("same.docx", good_app(4)),
                                      ("bomb.pdf", b"\0" * (30 * 2**20)), ("江苏省某学会.zip", inner.getvalue())])
    out = tmp_path / "out"
    report = audit(z, out, pack, None, AuditOptions(workers=2, quiet=True))
    docs = {d["file"]: d for d in report["documents"]}
    assert docs[long]["status"] == "pass"
    assert docs["x/y.docx"]["status"] == "pass" and docs["x"]["findings"][0]["rule"] == "file.unsupported"
    same = [d for name, d in docs.items() if name.startswith("same")]
    assert [d["status"] for d in same] == ["pass", "pass"] and "同名" in messages(same[1])
    assert not [f for f in report["findings"] if f["rule"] == "file.duplicate"]  # two files, two results
    assert "压缩炸弹" in messages(docs["bomb.pdf"]) and "压缩炸弹" in messages(docs["江苏省某学会.zip/zeros.pdf"])
    nested = docs["江苏省某学会.zip/申报书.docx"]
    assert nested["status"] == "pass"
    assert not (out / ".kcjs-work").exists()  # extracted files removed at the end


def _audit_proc(src: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kcjs.pipeline.cli", "audit", str(src), "-o", str(out), "-q",
                             "--format", "json", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _first(pid: int, depth: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p, d in hostile.descendants(pid).items() if d == depth]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError("no process at that depth")


def _scans(src: Path, n: int) -> None:
    src.mkdir()
    for i in range(n):
        (src / f"{i}.pdf").write_bytes(scan_pdf_bytes(pdf_bytes(sample_application(1 + i % 2)), dpi=110))


def test_a_killed_pool_worker_costs_nothing(tmp_path):
    _scans(tmp_path / "in", 4)
    proc = _audit_proc(tmp_path / "in", tmp_path / "out", "--workers", "2")
    _first(proc.pid, 2)  # a worker is checking a document: kill that worker (not its child)
    worker = next(p for p, d in hostile.descendants(proc.pid).items() if d == 1 and hostile.descendants(p))
    os.kill(worker, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    report = strict(stdout)
    assert proc.returncode in (0, 1) and "Traceback" not in stderr
    assert len(report["documents"]) == 4 and all(d["status"] != "error" for d in report["documents"])


def _long_docx(src: Path) -> None:
    """A .docx that takes a while to read and check (its child lives long enough to be signalled)."""
    src.mkdir()
    content = application(PACK, PACK.subprogram("society-consortium"), "compliant", "table")
    at = next(i for i, b in enumerate(content) if getattr(b, "text", "").startswith("二、")) + 1
    filler = [b for b in sample_application(1) if getattr(b, "level", 1) is None][0]
    (src / "long.docx").write_bytes(docx_bytes(content[:at] + [filler] * 1500 + content[at:], seal="inline"))


@pytest.mark.parametrize("sig,extra", [(signal.SIGKILL, ()), (signal.SIGSTOP, ("--timeout", "20"))])
def test_transient_failures_are_retried_and_never_cached(tmp_path, sig, extra):
    """A reading child killed from outside, or stalled past the time limit (a loaded machine)."""
    _long_docx(tmp_path / "in")
    proc = _audit_proc(tmp_path / "in", tmp_path / "out", "--workers", "1", *extra)
    os.kill(_first(proc.pid, 2), sig)
    stdout, _ = proc.communicate(timeout=600)
    doc = strict(stdout)["documents"][0]
    assert doc["status"] != "error", doc["findings"]  # the retry read it
    db = sqlite3.connect(str(tmp_path / "out" / "kcjs-cache.sqlite"))
    stored = [json.loads(r[0])["status"] for r in db.execute("SELECT result FROM results")]
    assert stored == [doc["status"]]


# --- 5. reports written atomically, a damaged cache rebuilt, an unwritable OUT -----------------

def _damaged(path: Path, how: str, good: Path) -> None:
    if how == "random":
        path.write_bytes(os.urandom(8192))
    elif how == "text":
        path.write_bytes(b"hello\n" * 100)
    elif how == "truncated":
        path.write_bytes(good.read_bytes()[:3000])
    elif how == "garbage-pages":
        path.write_bytes(good.read_bytes()[:100] + os.urandom(len(good.read_bytes()) - 100))
    elif how == "wrong-schema":
        sqlite3.connect(str(path)).execute("CREATE TABLE results (key TEXT)").connection.commit()
    elif how == "directory":
        path.mkdir()
    elif how == "garbage-wal":
        path.write_bytes(good.read_bytes())
        Path(str(path) + "-wal").write_bytes(b"\x37\x7f\x06\x82" + os.urandom(5000))


@pytest.mark.parametrize("how", ["random", "text", "truncated", "garbage-pages", "wrong-schema", "directory", "garbage-wal"])
def test_a_damaged_cache_is_moved_aside_and_rebuilt(tmp_path, how):
    good = tmp_path / "good.sqlite"
    s = Store(good)
    for i in range(50):
        s.put(f"k{i}", "sha", {"status": "pass", "n": i, "pad": "x" * 200})
    s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    path = tmp_path / "out" / "kcjs-cache.sqlite"
    path.parent.mkdir()
    _damaged(path, how, good)
    store = Store(path)
    store.put("k", "sha", {"status": "pass", "wan": float("inf")})
    assert store.get("k") == {"status": "pass", "wan": None}
    store.close()
    if how != "garbage-wal":  # SQLite itself ignores a WAL whose checksums fail
        assert store.warnings and "已损坏" in store.warnings[0]
        assert list(path.parent.glob("kcjs-cache.sqlite.damaged-*"))


def test_a_stored_row_that_is_not_json_is_checked_again(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    store.db.execute("INSERT INTO results VALUES ('k', 's', 'not json {')")
    assert store.get("k") is None


def test_reports_replace_the_previous_one_whole_or_not_at_all(tmp_path, pack, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.docx").write_bytes(good_app())
    out = tmp_path / "out"
    report = audit(src, out, pack, None, AuditOptions(workers=1, quiet=True))
    paths = [report_mod.write_json(report, out / "kcjs-report.json"), report_mod.write_xlsx(report, out / "kcjs-report.xlsx"),
             report_mod.write_html(report, out / "kcjs-report.html")]
    before = [p.read_bytes() for p in paths]

    def dies_half_way(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", dies_half_way)
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    for write, p in zip((report_mod.write_json, report_mod.write_xlsx, report_mod.write_html), paths):
        with pytest.raises(OSError):
            write(report, p)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert [p.read_bytes() for p in paths] == before
    assert sorted(x.name for x in out.iterdir() if not x.name.startswith("kcjs-cache")) == [
        "kcjs-report.html", "kcjs-report.json", "kcjs-report.xlsx"]  # no temp files left behind


def _mount(args: list[str]) -> bool:
    return os.geteuid() == 0 and subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.mark.parametrize("kind", ["read-only", "full"])
def test_an_unwritable_out_exits_2_with_a_chinese_message(tmp_path, kcjs, kind):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.docx").write_bytes(good_app())
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if kind == "read-only":
        mounted = _mount(["--bind", "-o", "ro", str(mnt), str(mnt)])
        if not mounted:
            if os.geteuid() == 0:
                pytest.skip("root without mount: cannot make a read-only directory")
            mnt.chmod(0o500)
    else:
        mounted = _mount(["-t", "tmpfs", "-o", "size=24k", "tmpfs", str(mnt)])
        if not mounted:
            pytest.skip("a full file system needs a tmpfs mount (root)")
    try:
        code, _, err = kcjs("audit", str(src), "-o", str(mnt / "out"), "--workers", "1", "-q")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)])
        mnt.chmod(0o700)
    assert code == 2 and "无法写入输出目录" in err
    assert ("磁盘空间已满" if kind == "full" else "没有写入权限") in err and not INTERNALS.search(err)


# --- 7. messages in the user's terms ---------------------------------------------------------

@pytest.mark.parametrize("name,make,words", [
    ("page.pdf", hostile.huge_page_pdf, "页面过大"),
    ("thin.png", hostile.thin_png, "图片尺寸异常"),
])
def test_odd_sizes_are_named_not_called_damage(tmp_path, pack, name, make, words):
    p = tmp_path / name
    p.write_bytes(make())
    result = check_file(p, pack, Given(), Limits(timeout_s=60))
    assert words in messages(result) and "损坏" not in messages(result) and not INTERNALS.search(messages(result))


def test_a_pdf_holding_a_thin_image_is_read(tmp_path, pack):
    p = tmp_path / "thin-image.pdf"
    p.write_bytes(hostile.pdf_with_image(hostile.thin_png()))
    assert check_file(p, pack, Given(), Limits(timeout_s=60))["status"] != "error"


# --- fuzz ------------------------------------------------------------------------------------

def test_fuzz_mutants_of_generated_documents(tmp_path, pack):
    """300 seeded mutants of generated .docx and PDFs: each ends as a result in strict JSON, in the
    user's words, within its limit."""
    statuses = {}
    for name, data in hostile.mutants(300):
        p = tmp_path / name
        p.write_bytes(data)
        result, transient = check_once(p, pack, Given(), Limits(timeout_s=60))
        strict(safe_output.dumps(result))
        assert result["status"] in ("pass", "fail", "review", "error"), name
        assert not transient, (name, result["findings"])
        assert not INTERNALS.search(messages(result)), (name, messages(result))
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        p.unlink()
    assert statuses.get("error", 0) >= 30 and sum(v for k, v in statuses.items() if k != "error") >= 30, statuses


def test_zip_inside_a_folder_is_opened(tmp_path, pack):
    """An applicant's folder zipped and dropped into the batch folder: its documents are checked as `a.zip/b.docx`."""
    src = tmp_path / "in"
    (src / "学会甲").mkdir(parents=True)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("申报书.docx", good_app(6))
        z.writestr("../escape.docx", good_app(7))
    (src / "学会甲" / "材料.zip").write_bytes(inner.getvalue())
    batch = io.BytesIO()
    with zipfile.ZipFile(batch, "w", zipfile.ZIP_DEFLATED) as z:  # a batch zip holding an applicant's zip
        z.writestr("丁学会/附件/内层.zip", inner.getvalue())
    (src / "批量.zip").write_bytes(batch.getvalue())
    (src / "乙.zip").write_bytes(inner.getvalue()[:-30])  # truncated: not readable as a zip
    (src / "ok.docx").write_bytes(good_app(8))
    junk = io.BytesIO()
    with zipfile.ZipFile(junk, "w") as z:  # a damaged 申报书: a zip, but of no Word document
        z.writestr("junk.bin", b"\x00" * 64)
    (src / "假的.docx").write_bytes(junk.getvalue())
    report = audit(src, tmp_path / "out", pack, None, AuditOptions(workers=1, quiet=True))
    docs = {d["file"]: d for d in report["documents"]}
    assert docs["假的.docx"]["status"] == "error" and docs["假的.docx"]["findings"][0]["rule"].startswith("file.")
    del docs["假的.docx"]  # one document with its own finding, not a folder of one junk.bin
    assert set(docs) == {"学会甲/材料.zip/申报书.docx", "学会甲/材料.zip/../escape.docx", "乙.zip", "ok.docx",
                         "批量.zip/丁学会/附件/内层.zip/申报书.docx", "批量.zip/丁学会/附件/内层.zip/../escape.docx"}
    assert docs["批量.zip/丁学会/附件/内层.zip/申报书.docx"]["status"] == "pass"
    from kcjs.pipeline.audit.intake import collect
    folders = {s.name: s.folder for s in collect(src, tmp_path / "work", 2**26)}
    assert folders["批量.zip/丁学会/附件/内层.zip/申报书.docx"] == "丁学会"  # the applicant's folder, not the batch zip's
    assert folders["学会甲/材料.zip/申报书.docx"] == "学会甲" and folders["乙.zip"] == ""
    assert docs["学会甲/材料.zip/申报书.docx"]["status"] == "pass"
    assert docs["学会甲/材料.zip/../escape.docx"]["status"] == "error" and "路径不安全" in messages(
        docs["学会甲/材料.zip/../escape.docx"])
    assert docs["乙.zip"]["status"] == "error" and docs["乙.zip"]["findings"][0]["rule"].startswith("file.")
    assert not list((tmp_path / "out").glob(".kcjs-work*"))
