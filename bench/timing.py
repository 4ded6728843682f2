"""Timing for the benchmarks. Machines here are loaded and noisy, so: CPU time rather than wall time,
methods interleaved file by file (each file's ratio compares runs made moments apart), the least disturbed
of a few runs, and ratios summarised by their median and 90th percentile."""
from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent


def quick() -> bool:
    """`bench/run.py --quick` (or KCJS_BENCH_QUICK=1): fewer files and repeats, heavy sections skipped."""
    return os.environ.get("KCJS_BENCH_QUICK", "") not in ("", "0")


def best_of(fn, repeat: int = 3) -> float:
    """Best of `repeat` wall times of fn() (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cpu(fn: Callable[[], object]) -> float:
    """CPU seconds (user + system, every thread of this process) fn() takes; the garbage of earlier runs
    is collected first and the collector paused meanwhile (as timeit does), so no run pays for another's."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.process_time()
        fn()
        return time.process_time() - t0
    finally:
        gc.enable()


def interleaved(items: Sequence, methods: dict[str, Callable[[object], object]], repeat: int = 2) -> dict[str, list[float]]:
    """{method: [CPU seconds per item]}: for each item every method runs in turn, `repeat` rounds, the order
    rotated from item to item; each figure is the least of its rounds."""
    names = list(methods)
    out: dict[str, list[float]] = {n: [] for n in names}
    for i, item in enumerate(items):
        order = names[i % len(names):] + names[:i % len(names)]
        best = {n: float("inf") for n in names}
        for _ in range(repeat):
            for n in order:
                best[n] = min(best[n], cpu(lambda: methods[n](item)))
        for n in names:
            out[n].append(best[n])
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) of values, interpolated."""
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (k - lo)


def ratios(num: Sequence[float], den: Sequence[float]) -> tuple[float, float]:
    """Median and 90th percentile of the per-item ratios num[i] / den[i]."""
    rs = [a / b for a, b in zip(num, den) if b > 0]
    return statistics.median(rs), percentile(rs, 90)


# --- memory: the whole process tree's PSS ----------------------------------------------------------

def _pss_kib(pid: int) -> int:
    """Proportional set size of one process, KiB (/proc/PID/smaps_rollup); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_pss_kib(pid: int) -> int:
    """PSS of a process and all its descendants, KiB: pages shared by a parent and its forked children
    are counted once between them, not once per process."""
    sys.path.insert(0, str(ROOT))
    from tests.hostile import descendants  # the /proc process-tree walker the hostile tests use
    return _pss_kib(pid) + sum(_pss_kib(p) for p in descendants(pid))


def peak_tree_pss_mib(cmd: list[str], interval: float = 0.02, **kw) -> tuple[float, int]:
    """Run cmd; (the largest PSS its process tree had at any sample, MiB; its exit status)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_pss_kib(proc.pid))
        time.sleep(interval)
    return peak / 1024, proc.returncode


# --- a baseline: another revision of kcjs, run from its own source tree ------------------------------

def tree_at(ref: str, into: Path) -> Path:
    """The source of git revision `ref` exported into `into` (git archive): run with PYTHONPATH=into,
    the same interpreter and packages import that revision's kcjs instead of this tree's."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def env_for(tree: Path | None) -> dict:
    """The environment that imports kcjs from `tree` (None: this tree)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_cpu(cmd: list[str], **kw) -> float:
    """CPU seconds (user + system) of cmd and every descendant it waited for (a reading child included)."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
