"""The per-document limit counts the child's CPU time: a document is not cut short for waiting its turn on a
loaded machine, a parser loop is, and a child blocked without using the CPU is stopped by the wall backstop."""
from __future__ import annotations

import time

from kcjs.pipeline.readers import WALL_FACTOR, Limits, run_limited


def _spin(seconds: float) -> str:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "done"


def _wait(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def test_cpu_loop_stopped_at_its_cpu_limit():
    assert run_limited(_spin, (30.0,), Limits(timeout_s=1.0)).status == "timeout"


def test_waiting_child_is_not_cut_at_the_cpu_limit():
    """Sleeping 2 s uses no CPU: with a 1 s limit it still finishes (wall backstop is WALL_FACTOR × 1 s)."""
    assert WALL_FACTOR * 1.0 > 2.5
    got = run_limited(_wait, (2.0,), Limits(timeout_s=1.0))
    assert got.status == "ok" and got.value == "done"


def test_blocked_child_stopped_by_the_wall_backstop():
    assert run_limited(_wait, (60.0,), Limits(timeout_s=1.0)).status == "timeout"
