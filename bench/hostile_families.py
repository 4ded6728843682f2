"""Hostile input by family: tried / crashed / hung / wrong, running the kcjs CLI as a user would.

    python bench/hostile_families.py [--root SRC] [--only FAMILY]

--root runs another checkout's kcjs (e.g. an export of an older commit) with this one's builders.
crashed: a traceback, an exit code other than 0/1/2, or output that is not strict JSON;
hung: past the command's own --timeout by more than 20 s (or killed here after HARD s);
wrong: it ended, but not as the issue asks (missing report, lost document, internals in a message …).
Needs root for the read-only/full OUT cases (bind mount, tmpfs); they are counted as not tried otherwise.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
from tests import hostile  # noqa: E402
from kcjs.corpus.gen import docx_bytes, pdf_bytes, sample_application, scan_pdf_bytes  # noqa: E402

HARD = 150
TIMEOUT = 20
INTERNALS = re.compile(r"\b[A-Z][A-Za-z]+(Error|Exception)\b|退出码 None|Traceback|Errno|exit code")


def strict_json(text: str):
    def bad(c):
        raise ValueError(f"non-standard JSON constant {c}")
    return json.loads(text, parse_constant=bad)


class Run:
    def __init__(self, args, root: str, timeout: float = HARD, on_start=None):
        env = dict(os.environ, PYTHONPATH=root, PYTHONIOENCODING="utf-8")
        t0 = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, "-m", "kcjs.pipeline.cli", *map(str, args)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        if on_start:
            threading.Thread(target=on_start, args=(self.proc.pid,), daemon=True).start()
        try:
            out, err = self.proc.communicate(timeout=timeout)
            self.killed = False
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, err = self.proc.communicate()
            self.killed = True
        self.wall = time.monotonic() - t0
        self.code = self.proc.returncode
        self.out = out.decode("utf-8", "replace")
        self.err = err.decode("utf-8", "replace")

    def verdict(self, limit: float | None = None) -> str | None:
        """'hung' / 'crashed' or None when it ended normally."""
        if self.killed or (limit is not None and self.wall > limit + 20):
            return "hung"
        if "Traceback" in self.err or self.code not in (0, 1, 2):
            return "crashed"
        return None


def good_app(i: int = 0) -> bytes:
    """A compliant 学会联合体 申报书; each i its own applicant."""
    from kcjs.corpus.build import application
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    content = application(pack, pack.subprogram("society-consortium"), "compliant", "table")
    content[2].rows[0][1] = f"江苏省{'机械电子化工材料'[i % 8]}{i}工程学会"
    return docx_bytes(content, seal="inline")


# --- families -------------------------------------------------------------------------------

def check_json(root, tmp, name, data, want=None, given=()):
    p = tmp / name
    p.write_bytes(data)
    r = Run(["check", p, "--format", "json", "--timeout", TIMEOUT, *given], root)
    v = r.verdict(TIMEOUT)
    if v:
        return v
    try:
        res = strict_json(r.out)
    except ValueError:
        return "crashed"
    msgs = " ".join(f["message"] for f in res["findings"])
    if INTERNALS.search(msgs):
        return "wrong"
    if want and not want(res, msgs):
        return "wrong"
    return "ok"


GIVEN = ("--subprogram", "society-consortium", "--kind", "application")


def fam_checker_inputs(root, tmp):
    return {
        "20000 digits": check_json(root, tmp, "digits.docx", hostile.long_digits_docx(), given=GIVEN),
        "5000 Chinese numerals before 万元": check_json(root, tmp, "cn.docx", hostile.chinese_numerals_docx(), given=GIVEN),
        "400-digit amount (Infinity)": check_json(root, tmp, "amount.docx", hostile.huge_amount_docx(), given=GIVEN),
        "gridSpan 1,000,000": check_json(root, tmp, "span.docx", hostile.gridspan_docx(), given=GIVEN),
    }


def audit(root, src, out, *extra, on_start=None, fmt="json", hard=HARD):
    return Run(["audit", src, "-o", out, "-q", "--format", fmt, "--timeout", TIMEOUT, *extra], root, on_start=on_start,
               timeout=hard)


def audit_verdict(r: Run, out: Path, check=None) -> str:
    v = r.verdict()
    if v:
        return v
    if r.code == 2:
        return "wrong"
    try:
        report = strict_json((out / "kcjs-report.json").read_text(encoding="utf-8"))
        strict_json(r.out) if r.out.strip().startswith("{") else None
    except (OSError, ValueError):
        return "crashed" if (out / "kcjs-report.json").exists() else "wrong"
    if not all((out / f"kcjs-report.{e}").exists() for e in ("xlsx", "html")):
        return "wrong"
    msgs = " ".join(f["message"] for d in report["documents"] for f in d["findings"])
    if INTERNALS.search(msgs):
        return "wrong"
    if check and not check(report):
        return "wrong"
    return "ok"


def names(report):
    return [d["file"] for d in report["documents"]]


def mkzip(path: Path, members: list[tuple[str | bytes, bytes]]):
    with zipfile.ZipFile(path, "w") as z:
        for i, (name, data) in enumerate(members):
            z.writestr(f"stand-in-{i:04d}" if isinstance(name, bytes) else name, data)
    raw = path.read_bytes()
    for i, (name, _) in enumerate(members):
        if isinstance(name, bytes):  # raw bytes in the name, no UTF-8 flag (same length needed: pad)
            stand = f"stand-in-{i:04d}".encode()
            assert len(name) == len(stand), name
            raw = raw.replace(stand, name)
    path.write_bytes(raw)


def fam_names(root, tmp):
    res = {}
    # GBK bytes on disk (what unzip makes of a Chinese Windows zip)
    src = tmp / "gbk"
    src.mkdir()
    (src / "ok.docx").write_bytes(good_app(1))
    with open(os.path.join(os.fsencode(src), "申报书.docx".encode("gbk")), "wb") as f:
        f.write(good_app(2))
    r = audit(root, src, tmp / "gbk-out")
    res["GBK bytes in a file name"] = audit_verdict(r, tmp / "gbk-out", lambda rep: "申报书.docx" in names(rep))
    # control characters
    src = tmp / "ctl"
    src.mkdir()
    (src / "a\x01b\x1b[31m\x7f.docx").write_bytes(good_app(3))
    (src / "ok.docx").write_bytes(good_app(4))
    r = audit(root, src, tmp / "ctl-out")
    res["control characters in a name"] = audit_verdict(r, tmp / "ctl-out", lambda rep: len(rep["documents"]) == 2)
    # terminal markup: two identical files, so a cross finding names them on the terminal
    src = tmp / "markup"
    src.mkdir()
    (src / "[").mkdir()
    (src / "[" / "]a[red].docx").write_bytes(good_app(5))
    (src / "[" / "]b[bold].docx").write_bytes(good_app(5))
    r = Run(["audit", src, "-o", tmp / "markup-out", "-q"], root)
    res["[/] (terminal markup) in a name"] = r.verdict() or ("ok" if r.code in (0, 1) and "[/]a[red].docx" in r.out else "wrong")
    # 300-byte name in a zip
    z = tmp / "long.zip"
    long = "申" * 96 + ".docx"  # 293 bytes of UTF-8
    mkzip(z, [(long, good_app(6)), ("ok.docx", good_app(7))])
    r = audit(root, z, tmp / "long-out")
    res["300-byte name in a zip"] = audit_verdict(
        r, tmp / "long-out", lambda rep: any(d["file"].startswith("申申") and d["status"] == "pass" for d in rep["documents"]))
    # member x beside x/y.docx
    z = tmp / "xy.zip"
    mkzip(z, [("x", b"just a file"), ("x/y.docx", good_app(8))])
    r = audit(root, z, tmp / "xy-out")
    res["zip member x beside x/y.docx"] = audit_verdict(r, tmp / "xy-out", lambda rep: "x/y.docx" in names(rep))
    # two members of the same name, different content
    z = tmp / "same.zip"
    mkzip(z, [("a.docx", good_app(9)), ("a.docx", good_app(10))])
    r = audit(root, z, tmp / "same-out")
    res["two zip members of the same name"] = audit_verdict(
        r, tmp / "same-out", lambda rep: len(rep["documents"]) == 2 and not [f for f in rep["findings"] if f["rule"] == "file.duplicate"])
    # FIFO and device file
    for label, make in (("FIFO in the folder", lambda p: os.mkfifo(p)),
                        ("device file in the folder", lambda p: os.mknod(p, 0o600 | 0o020000, os.makedev(1, 3)))):
        src = tmp / label.split()[0]
        src.mkdir()
        (src / "ok.docx").write_bytes(good_app(11))
        try:
            make(src / "weird.docx")
        except (OSError, PermissionError):
            continue
        r = Run(["audit", src, "-o", tmp / (label + "-out"), "-q", "--format", "json"], root, timeout=60)
        res[label] = audit_verdict(r, tmp / (label + "-out"), lambda rep: "ok.docx" in names(rep))
    # OUT inside INPUT, run twice
    src = tmp / "outin"
    src.mkdir()
    (src / "ok.docx").write_bytes(good_app(12))
    audit(root, src, src / "报告")
    r = audit(root, src, src / "报告")
    res["OUT inside INPUT (second run)"] = audit_verdict(r, src / "报告", lambda rep: names(rep) == ["ok.docx"])
    # a pool worker killed mid-batch
    src = tmp / "pool"
    src.mkdir()
    for i in range(6):
        (src / f"{i}.pdf").write_bytes(scan_pdf_bytes(pdf_bytes(sample_application(1)), dpi=120))

    def kill_a_worker(pid):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = [p for p, d in hostile.descendants(pid).items() if d == 1 and b"spawn" in open(f"/proc/{p}/cmdline", "rb").read()]
            kids = [p for p, d in hostile.descendants(pid).items() if d == 2]
            if workers and kids:
                time.sleep(0.5)
                os.kill(workers[0], signal.SIGKILL)
                return
            time.sleep(0.05)
    r = audit(root, src, tmp / "pool-out", "--workers", "2", on_start=kill_a_worker, hard=900)  # 6 OCR runs
    res["pool worker killed"] = audit_verdict(r, tmp / "pool-out", lambda rep: len(rep["documents"]) == 6)
    return res


def kill_reader(sig_first, then=None, delay=0.3):
    """A thread target: wait for the first per-document child (depth 2), send it sig_first (once)."""
    def run(pid):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            kids = [p for p, d in hostile.descendants(pid).items() if d == 2]
            if kids:
                time.sleep(delay)
                try:
                    os.kill(kids[0], sig_first)
                except ProcessLookupError:
                    continue
                return
            time.sleep(0.02)
    return run


def fam_transient(root, tmp):
    res = {}
    scan = scan_pdf_bytes(pdf_bytes(sample_application(1)), dpi=150)
    for label, sig, extra in (("reading child killed from outside", signal.SIGKILL, []),
                              ("reading child stalled past --timeout (loaded machine)", signal.SIGSTOP, ["--timeout", "6"])):
        src = tmp / str(sig)
        src.mkdir()
        (src / "scan.pdf").write_bytes(scan)
        out = tmp / (str(sig) + "-out")
        r = Run(["audit", src, "-o", out, "-q", "--format", "json", *extra], root, on_start=kill_reader(sig))
        v = audit_verdict(r, out)
        if v == "ok":
            first = strict_json(r.out)["documents"][0]
            second = strict_json(Run(["audit", src, "-o", out, "-q", "--format", "json"], root).out)
            # a transient failure must be retried, or at least not be served from the cache next time
            v = "ok" if first["status"] != "error" or second["summary"]["checked_now"] == 1 else "wrong"
        res[label] = v
    return res


def corrupt_variants(good_db: Path) -> dict[str, callable]:
    def write(data):
        return lambda p: p.write_bytes(data)

    def truncated(p):
        p.write_bytes(good_db.read_bytes()[:3000])

    def garbage_pages(p):
        raw = bytearray(good_db.read_bytes())
        raw[100:] = bytes(random.Random(1).randrange(256) for _ in range(len(raw) - 100))
        p.write_bytes(bytes(raw))

    def wrong_schema(p):
        db = sqlite3.connect(str(p))
        db.execute("CREATE TABLE results (key TEXT)")
        db.commit()
        db.close()

    def bad_row(p):
        shutil.copy(good_db, p)
        db = sqlite3.connect(str(p))
        db.execute("UPDATE results SET result = 'not json {'")
        db.commit()
        db.close()

    def directory(p):
        p.mkdir()

    def bad_wal(p):
        shutil.copy(good_db, p)
        Path(str(p) + "-wal").write_bytes(b"\x37\x7f\x06\x82" + os.urandom(5000))

    def no_table_other_db(p):
        db = sqlite3.connect(str(p))
        db.execute("CREATE TABLE other (x)")
        db.commit()
        db.close()

    return {"zero bytes": write(b""), "random bytes": write(os.urandom(8192)), "text file": write(b"hello\n" * 100),
            "truncated": truncated, "garbage pages": garbage_pages, "wrong schema": wrong_schema,
            "row not JSON": bad_row, "a directory": directory, "garbage WAL": bad_wal, "other tables": no_table_other_db}


def fam_store_reports(root, tmp):
    res = {}
    src = tmp / "in"
    src.mkdir()
    (src / "a.docx").write_bytes(good_app(1))
    (src / "b.docx").write_bytes(good_app(2))
    base = tmp / "base"
    audit(root, src, base)
    good_db = tmp / "good.sqlite"
    db = sqlite3.connect(str(base / "kcjs-cache.sqlite"))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.copy(base / "kcjs-cache.sqlite", good_db)
    for label, make in corrupt_variants(good_db).items():
        out = tmp / f"c-{label}"
        out.mkdir()
        make(out / "kcjs-cache.sqlite")
        r = audit(root, src, out)
        res[f"corrupt cache: {label}"] = audit_verdict(r, out, lambda rep: len(rep["documents"]) == 2)
    # kill while the reports are written: the previous good report must survive
    out = tmp / "kills"
    audit(root, src, out)
    lost = 0
    for i in range(12):
        (src / "a.docx").write_bytes(good_app(100 + i))  # something new to check, then reports rewritten
        delay = 1.0 + (i % 6) * 0.25
        p = subprocess.Popen([sys.executable, "-m", "kcjs.pipeline.cli", "audit", str(src), "-o", str(out), "-q"],
                             env=dict(os.environ, PYTHONPATH=root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        time.sleep(delay)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        try:
            strict_json((out / "kcjs-report.json").read_text(encoding="utf-8"))
            from openpyxl import load_workbook
            load_workbook(out / "kcjs-report.xlsx")
            if "</html>" not in (out / "kcjs-report.html").read_text(encoding="utf-8"):
                raise ValueError
        except Exception:
            lost += 1
            audit(root, src, out)  # restore a good report for the next kill
    res["kill while writing reports (12 kills)"] = "ok" if lost == 0 else "wrong"
    # read-only and full OUT (root only: bind mount / tmpfs)
    if os.geteuid() == 0:
        for label, opts in (("read-only OUT", None), ("full OUT", "size=24k")):
            mnt = tmp / label.replace(" ", "-")
            mnt.mkdir()
            try:
                if opts:
                    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mnt)], check=True)
                else:
                    subprocess.run(["mount", "--bind", "-o", "ro", str(mnt), str(mnt)], check=True)
            except (subprocess.CalledProcessError, FileNotFoundError):
                continue
            try:
                r = audit(root, src, mnt / "out" if opts else mnt)
                v = r.verdict()
                res[label] = v or ("ok" if r.code == 2 and re.search(r"[\u4e00-\u9fff]", r.err) else "wrong")
            finally:
                subprocess.run(["umount", "-l", str(mnt)])
    return res


def fam_disk(root, tmp):
    res = {}
    zeros = b"\x00" * (40 * 2**20)
    outer = tmp / "bomb.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(20):
            z.writestr(f"d{i}/申报书.pdf", zeros)
        z.writestr("ok.docx", good_app(1))
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(20):
            z.writestr(f"{i}.pdf", zeros)
    nested = tmp / "nested.zip"
    with zipfile.ZipFile(nested, "w", zipfile.ZIP_STORED) as z:
        for i in range(3):
            z.writestr(f"单位{i}.zip", inner.getvalue())
        z.writestr("ok.docx", good_app(2))
    for label, src in (("zip of compressible members (800 MB)", outer), ("zips inside a zip", nested)):
        out = tmp / (src.stem + "-out")
        peak = [0]

        def watch(pid, work=out / ".kcjs-work"):
            while True:
                try:
                    size = sum(f.stat().st_size for f in work.rglob("*") if f.is_file())
                    peak[0] = max(peak[0], size)
                except OSError:
                    pass
                time.sleep(0.2)
                if not Path(f"/proc/{pid}").exists():
                    return
        r = audit(root, src, out, on_start=watch)
        v = audit_verdict(r, out, lambda rep: "ok.docx" in names(rep))
        left = sum(f.stat().st_size for f in (out / ".kcjs-work").rglob("*") if f.is_file()) if (out / ".kcjs-work").exists() else 0
        if v == "ok" and (left or peak[0] > 200 * 2**20):
            v = "wrong"
        res[label] = v
        print(f"   {label}: peak work dir {peak[0] / 2**20:.0f} MB, left {left / 2**20:.0f} MB", file=sys.stderr)
    return res


def fam_messages(root, tmp):
    no_damage = lambda res, msgs: "损坏" not in msgs
    return {
        "PDF with a 5 m page": check_json(root, tmp, "page.pdf", hostile.huge_page_pdf(),
                                          lambda res, msgs: no_damage(res, msgs) and (res["status"] != "error" or "页面过大" in msgs)),
        "1×100000 PNG": check_json(root, tmp, "thin.png", hostile.thin_png(), lambda res, msgs: "图片尺寸异常" in msgs),
        "PDF holding a 1×100000 image": check_json(root, tmp, "thinimg.pdf", hostile.pdf_with_image(hostile.thin_png()),
                                                   lambda res, msgs: no_damage(res, msgs)),
    }


def fam_fuzz(root, tmp, n=300):
    res = {}
    files = []
    for name, data in hostile.mutants(n):
        p = tmp / name
        p.write_bytes(data)
        files.append(p)
    for i in range(0, len(files), 25):
        chunk = files[i:i + 25]
        r = Run(["check", *chunk, "--format", "json", "--timeout", TIMEOUT], root, timeout=HARD * 2)
        try:
            results = strict_json(r.out) if not r.verdict() else None
        except ValueError:
            results = None
        if results is not None:
            for p, one in zip(chunk, results):
                msgs = " ".join(f["message"] for f in one["findings"])
                res[p.name] = "wrong" if INTERNALS.search(msgs) else "ok"
            continue
        for p in chunk:  # the chunk broke: find which file
            res[p.name] = check_json(root, tmp, p.name, p.read_bytes())
    return res


FAMILIES = {"checker inputs": fam_checker_inputs, "names and batch": fam_names, "transient failures": fam_transient,
            "store and reports": fam_store_reports, "bounded disk": fam_disk, "messages": fam_messages,
            "fuzz (300 mutants)": fam_fuzz}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(HERE))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    rows = []
    for fam, fn in FAMILIES.items():
        if args.only and args.only not in fam:
            continue
        with tempfile.TemporaryDirectory(prefix="kcjs-hostile-") as d:
            t0 = time.monotonic()
            res = fn(args.root, Path(d))
        counts = {k: sum(v == k for v in res.values()) for k in ("crashed", "hung", "wrong")}
        rows.append((fam, len(res), counts))
        for case, v in res.items():
            if v != "ok":
                print(f"   {fam}: {case}: {v}", file=sys.stderr)
        print(f"{fam:<22} tried {len(res):>3}  crashed {counts['crashed']:>3}  hung {counts['hung']:>3}  "
              f"wrong {counts['wrong']:>3}   ({time.monotonic() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
