"""Audit throughput on a generated batch of mixed submissions; every figure a ratio from one run.

    .venv/bin/python bench/bench_audit.py [N] [SCAN_SHARE]

Measures: documents per second with 1 and 2 workers; audit time vs the sum of bare reading time of
the same files; a second (cached) run vs the first; peak memory at N/5 vs N documents.
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


def one(src: str, out: str, workers: int) -> None:
    """Run one audit in this process and print its time and peak memory (this process and its workers)."""
    sys.argv = ["kcjs", "audit", src, "-o", out, "-q", "--workers", str(workers), "--format", "json"]
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


def measure(src: Path, out: Path, workers: int) -> dict:
    p = subprocess.run([sys.executable, __file__, "--one", str(src), str(out), str(workers)],
                       capture_output=True, text=True, cwd=ROOT)
    return json.loads(p.stderr.strip().splitlines()[-1])


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
        one(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, float(sys.argv[2]) if len(sys.argv) > 2 else 0.02)
