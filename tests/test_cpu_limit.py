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


# --- a long-lived reading child (readers.Reader): the same limits, per call -------------------------

def _pid() -> int:
    import os
    return os.getpid()


def _hog(mb: int) -> int:
    return len(bytearray(mb * 2**20))


def _die() -> None:
    import os
    import signal
    os.kill(os.getpid(), signal.SIGKILL)


def test_reader_serves_many_calls_from_one_child_and_counts_cpu_per_call():
    """Three calls of 0.6 s CPU each under a 1 s limit all finish: each is charged its own CPU, not the child's."""
    from kcjs.pipeline.readers import Reader
    reader = Reader(Limits(timeout_s=1.0, docs_per_reader=10))
    try:
        pids = [reader.call(_pid, ()).value for _ in range(3)]
        assert len(set(pids)) == 1 and pids[0] != _pid()
        assert [reader.call(_spin, (0.6,)).status for _ in range(3)] == ["ok"] * 3
    finally:
        reader.close()


def test_reader_is_replaced_after_a_timeout_a_crash_and_n_documents():
    from kcjs.pipeline.readers import Reader
    reader = Reader(Limits(timeout_s=1.0, docs_per_reader=3))
    try:
        first = reader.call(_pid, ())
        assert reader.call(_spin, (30.0,)).status == "timeout"
        second = reader.call(_pid, ())
        assert second.status == "ok" and second.value != first.value
        killed = reader.call(_die, ())
        assert killed.status == "killed" and killed.transient
        third = [reader.call(_pid, ()).value for _ in range(4)]  # 3 per child, then a new one
        assert third[0] not in (first.value, second.value) and third[:3] == [third[0]] * 3 and third[3] != third[0]
        assert reader.call(_wait, (2.0,)).value == "done"  # waiting is not cut at the CPU limit
    finally:
        reader.close()


def test_reader_memory_limit_ends_one_call_only():
    """A call that wants more than the child's address space gets MemoryError (an outcome); the next call is served."""
    from kcjs.pipeline.readers import Reader
    reader = Reader(Limits(timeout_s=30.0, max_memory_mb=1024))
    try:
        got = reader.call(_hog, (4096,))
        assert got.status == "raised" and "MemoryError" in got.detail
        assert reader.call(_hog, (16,)).value == 16 * 2**20
    finally:
        reader.close()


def test_reader_refuses_a_call_it_cannot_send():
    from kcjs.pipeline.readers import Reader
    reader = Reader(Limits(timeout_s=5.0))
    try:
        assert reader.call(lambda: 1, ()).status == "raised"
        assert reader.call(_pid, ()).status == "ok"
    finally:
        reader.close()


def test_reading_child_dies_with_its_parent(tmp_path):
    """A pool worker killed from outside does not leave its reading child running unwatched."""
    import os
    import subprocess
    import sys
    script = ("import os, signal\n"
              "from kcjs.pipeline.readers import Limits, Reader\n"
              "from tests.test_cpu_limit import _pid\n"
              "r = Reader(Limits(timeout_s=5.0))\n"
              "print(r.call(_pid, ()).value, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    child = int(p.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{child}"):
        time.sleep(0.05)
    status = open(f"/proc/{child}/status").read() if os.path.exists(f"/proc/{child}") else ""
    assert not status or "zombie" in status
