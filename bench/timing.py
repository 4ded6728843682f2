"""Timing for the benchmarks: machines here are noisy, so take the best of a few runs."""
from __future__ import annotations

import time


def best_of(fn, repeat: int = 3) -> float:
    """Best of `repeat` wall times of fn() (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
