"""Audit throughput on a generated batch of mixed submissions; every figure a ratio from one run.

    .venv/bin/python bench/bench_audit.py [N] [SCAN_SHARE]
    .venv/bin/python bench/bench_audit.py --readers [N] [SCAN_SHARE] [ROUNDS]

Measures: documents per second with 1 and 2 workers; audit time vs the sum of bare reading time of
the same files; a second (cached) run vs the first; peak memory at N/5 vs N documents.
With --readers: a reading child per document (--docs-per-reader 1, how audits read before issue 16)
against one long-lived reading child per worker (the default), runs alternated, ROUNDS each: CPU
user+sys of the whole process tree, its system share, and wall time, as ratios.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_batch(out: Path, n: int, scan_share: float) -> None:
    from kcjs.corpus.build import UNIT_NAMES, application
    from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    subs = list(pack.subprograms)
    scans = int(n * scan_share)
    variants = ["compliant", "compliant", "target-below", "over-cap", "placeholder", "missing-section"]
    for i in range(n):
        s = subs[i % len(subs)]
        content = application(pack, s, variants[i % len(variants)] if s.targets or "target" not in variants[i % len(variants)]
                              else "compliant", "table", s.directions[0] if s.directions else None)
        content[2].rows[0][1] = f"江苏省第{i}学会" if s.applicants.types[0] == "provincial-society" else UNIT_NAMES[s.applicants.types[0]]
        folder = out / f"单位{i % 97:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i < scans:
            data, ext = scan_pdf_bytes(pdf_bytes(content, seal_on_stamp_line=True), dpi=150, seed=i), "pdf"
        elif i % 2:
            data, ext = pdf_bytes(content, seal_on_stamp_line=True), "pdf"
        else:
            data, ext = docx_bytes(content, seal="inline"), "docx"
        (folder / f"{i:04d}-{s.id}.{ext}").write_bytes(data)


def one(src: str, out: str, workers: int, *extra: str) -> None:
    """Run one audit in this process and print its time and peak memory (this process and its workers)."""
    sys.argv = ["kcjs", "audit", src, "-o", out, "-q", "--workers", str(workers), "--format", "json", *extra]
    from kcjs.pipeline.cli import app
    t0 = time.perf_counter()
    try:
        app(standalone_mode=False)
    except SystemExit:
        pass
    dt = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sys.stderr.write(json.dumps({"seconds": dt, "parent_mb": me, "worker_mb": kids}) + "\n")


def measure(src: Path, out: Path, workers: int, *extra: str) -> dict:
    """One audit in a fresh process: its figures, plus the CPU (user, sys) of its whole process tree
    (every descendant is waited for before the audit returns, so RUSAGE_CHILDREN holds them all)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, __file__, "--one", str(src), str(out), str(workers), *extra],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    got = json.loads(p.stderr.strip().splitlines()[-1])
    got.update(wall=wall, user=after.ru_utime - before.ru_utime, sys=after.ru_stime - before.ru_stime,
               statuses=_statuses(out))
    return got


def _statuses(out: Path) -> dict:
    """{file: (status, its findings' rules)} of an audit's report (the two ways of reading must agree on every file)."""
    report = json.loads((out / "kcjs-report.json").read_text(encoding="utf-8"))
    return {d["file"]: (d["status"], sorted(f["rule"] for f in d["findings"])) for d in report["documents"]}


def readers(n: int, scan_share: float, rounds: int) -> None:
    """A reading child per document vs one long-lived reading child per worker, in one run."""
    ways = {"a child per document (before)": ("--docs-per-reader", "1"), "long-lived reading child": ()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_batch(tmp / "in", n, scan_share)
        got: dict[str, list[dict]] = {w: [] for w in ways}
        for r in range(rounds):
            for i, (way, extra) in enumerate(ways.items()):
                got[way].append(measure(tmp / "in", tmp / f"o{r}-{i}", 2, *extra))
    statuses = [x["statuses"] for runs in got.values() for x in runs]
    print(f"\nAudit of {n} generated submissions ({int(n * scan_share)} scanned), 2 workers, {rounds} runs each "
          f"(alternated); same status and findings on every file: {all(s == statuses[0] for s in statuses)}")
    print(f"{'way':<32}{'CPU s':>8}{'user':>8}{'sys':>8}{'wall s':>8}{'ms sys/doc':>12}")
    sums = {}
    for way, runs in got.items():
        user, sys_ = sum(x["user"] for x in runs) / rounds, sum(x["sys"] for x in runs) / rounds
        wall = sum(x["wall"] for x in runs) / rounds
        sums[way] = (user + sys_, sys_, wall)
        print(f"{way:<32}{user + sys_:>8.1f}{user:>8.1f}{sys_:>8.1f}{wall:>8.1f}{1000 * sys_ / n:>12.1f}")
    (cpu0, sys0, wall0), (cpu1, sys1, wall1) = sums.values()
    print(f"long-lived vs per document: CPU {cpu1 / cpu0:.2f}x, system CPU {sys1 / sys0:.2f}x, wall {wall1 / wall0:.2f}x")


def bare_reading(src: Path) -> float:
    """Sum of bare text extraction time of every file (python-docx paragraphs; page.get_text())."""
    import io

    import docx
    import pymupdf
    total = 0.0
    for f in sorted(src.rglob("*.*")):
        data = f.read_bytes()
        t0 = time.perf_counter()
        if f.suffix == ".docx":
            "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        else:
            "".join(page.get_text() for page in pymupdf.open(stream=data, filetype="pdf"))
        total += time.perf_counter() - t0
    return total


def main(n: int, scan_share: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big, small = tmp / "big", tmp / "small"
        t0 = time.perf_counter()
        make_batch(big, n, scan_share)
        make_batch(small, max(1, n // 5), scan_share)
        print(f"\nAudit of {n} generated submissions ({int(n * scan_share)} scanned; made in {time.perf_counter() - t0:.0f} s)")
        w1 = measure(big, tmp / "o1", 1)
        w2 = measure(big, tmp / "o2", 2)
        cached = measure(big, tmp / "o2", 2)
        small_run = measure(small, tmp / "o3", 2)
        bare = bare_reading(big)
        rows = [("1 worker", w1), ("2 workers", w2), ("2 workers, second run (cached)", cached),
                (f"2 workers, {max(1, n // 5)} documents", small_run)]
        print(f"{'run':<34}{'seconds':>9}{'docs/s':>9}{'parent MB':>11}{'worker MB':>11}")
        for name, r in rows:
            docs = n if "documents" not in name else max(1, n // 5)
            print(f"{name:<34}{r['seconds']:>9.1f}{docs / r['seconds']:>9.1f}{r['parent_mb']:>11.0f}{r['worker_mb']:>11.0f}")
        print(f"2 workers vs 1: {w1['seconds'] / w2['seconds']:.2f}x faster (aim >= 1.8x)")
        print(f"first run vs cached second run: {w2['seconds'] / cached['seconds']:.1f}x (aim >= 20x)")
        print(f"audit (2 workers) vs the sum of bare reading of the same files ({bare:.1f} s): {w2['seconds'] / bare:.1f}x")
        print(f"peak memory at {n} vs {max(1, n // 5)} documents: parent {w2['parent_mb'] / small_run['parent_mb']:.2f}x, "
              f"workers {w2['worker_mb'] / small_run['worker_mb']:.2f}x (aim: flat)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2], sys.argv[3], int(sys.argv[4]), *sys.argv[5:])
    elif sys.argv[1:2] == ["--readers"]:
        a = sys.argv[2:]
        readers(int(a[0]) if a else 80, float(a[1]) if len(a) > 1 else 0.02, int(a[2]) if len(a) > 2 else 2)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, float(sys.argv[2]) if len(sys.argv) > 2 else 0.02)
