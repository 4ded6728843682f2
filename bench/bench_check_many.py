"""`kcjs check` of many files at once: a reading child forked per file (`--docs-per-reader 1`, how check read
before) against one long-lived reading child (the default), in one run, runs alternated.

    .venv/bin/python bench/bench_check_many.py [N] [ROUNDS]

Each run is a fresh `kcjs check f1 … fN --format json` process; its CPU is that of the whole process tree
(user + system of the process and every descendant, all waited for: RUSAGE_CHILDREN). The files are the
audit bench's generated mix (bench_audit.make_batch, no scans): .docx and text PDFs of every subprogram.
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
sys.path.insert(0, str(ROOT / "bench"))


def measure(files: list[Path], *extra: str) -> dict:
    """One `kcjs check` of `files` in a fresh process: CPU (user, sys) of its process tree, wall, and each file's
    (status, rules)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([str(Path(sys.executable).parent / "kcjs"), "check", *map(str, files), "--format", "json", *extra],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    results = json.loads(p.stdout)
    return {"user": after.ru_utime - before.ru_utime, "sys": after.ru_stime - before.ru_stime, "wall": wall,
            "statuses": {Path(r["file"]).name: (r["status"], sorted(f["rule"] for f in r["findings"])) for r in results}}


def main(n: int, rounds: int) -> None:
    from bench_audit import make_batch
    ways = {"a child per file (before)": ("--docs-per-reader", "1"), "long-lived reading child": ()}
    with tempfile.TemporaryDirectory() as tmp:
        make_batch(Path(tmp), n, 0.0)
        files = sorted(Path(tmp).rglob("*.*"))
        got: dict[str, list[dict]] = {w: [] for w in ways}
        for r in range(rounds):
            for way, extra in (list(ways.items()) if r % 2 == 0 else list(ways.items())[::-1]):
                got[way].append(measure(files, *extra))
    statuses = [x["statuses"] for runs in got.values() for x in runs]
    kinds = {f.suffix for f in files}
    print(f"\nkcjs check of {len(files)} files ({', '.join(sorted(kinds))}), {rounds} runs each (alternated); "
          f"same status and findings on every file: {all(s == statuses[0] for s in statuses)}")
    print(f"{'way':<30}{'CPU s':>8}{'user':>8}{'sys':>8}{'wall s':>8}{'ms CPU/file':>13}")
    sums = {}
    for way, runs in got.items():
        user, sys_ = (min(x[k] for x in runs) for k in ("user", "sys"))
        cpu = min(x["user"] + x["sys"] for x in runs)
        wall = min(x["wall"] for x in runs)
        sums[way] = (cpu, sys_, wall)
        print(f"{way:<30}{cpu:>8.2f}{user:>8.2f}{sys_:>8.2f}{wall:>8.1f}{1000 * cpu / len(files):>13.0f}")
    (cpu0, sys0, wall0), (cpu1, sys1, wall1) = sums.values()
    print(f"long-lived vs per file (least of the runs): CPU {cpu1 / cpu0:.2f}x, system CPU {sys1 / sys0:.2f}x, "
          f"wall {wall1 / wall0:.2f}x")
    pairs = [(b["user"] + b["sys"]) / (a["user"] + a["sys"]) for a, b in zip(*got.values())]
    print("per round (long-lived / per file, CPU): " + ", ".join(f"{x:.2f}" for x in pairs))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]) if a else 40, int(a[1]) if len(a) > 1 else 3)
