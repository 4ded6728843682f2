"""Check many files at once: a process pool, a time and memory limit per document, results stored as
they finish, a progress bar on a terminal and plain lines in a log."""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable

from kcjs.pipeline.audit.store import Store
from kcjs.pipeline.readers import Limits


@dataclass(frozen=True)
class Task:
    path: str
    name: str
    key: str
    sha256: str
    given: tuple  # (subprogram id, kind id, direction id), each may be None
    count_mode: str | None = None


_STATE: dict = {}


def _init(pack_path: str | None, limits: Limits, warm_ocr: bool, threads: int) -> None:
    from kcjs.pipeline.packloader import load_pack
    from kcjs.pipeline.readers import Reader, ocr, preload
    _STATE.update(pack=load_pack(pack_path), limits=limits, pack_path=pack_path,
                  reader=Reader(limits) if limits.docs_per_reader > 1 else None)
    ocr.set_threads(threads)  # workers share the cores instead of each OCR taking all of them
    preload()
    if warm_ocr:  # the engine's configuration; RapidOCR 3 loads each model on first use, so a reading
        ocr.engine()  # child loads them once on its first scan or seal ring, and keeps them for the next documents
        ocr.ring_engine()


def check_task(task: Task) -> tuple[Task, dict, bool]:
    """Read and check one file in this worker's long-lived reading child (readers.Reader: time and memory
    limits per document; with docs_per_reader 1, a child forked for this file): (task, result, transient)."""
    from kcjs.pipeline.check import Given, check_once, internal_error
    pack = _STATE["pack"]
    try:
        sub_id, kind_id, dir_id = task.given
        sub = pack.subprogram(sub_id) if sub_id else None
        kind = pack.kind(kind_id) if kind_id else None
        direction = next((d for d in sub.directions if d.id == dir_id), None) if sub and dir_id else None
        result, transient = check_once(task.path, pack, Given(sub, kind, direction, task.count_mode), _STATE["limits"],
                                       narrative=True, pack_path=_STATE.get("pack_path"),  # the store keeps it apart
                                       reader=_STATE.get("reader"))
    except Exception as e:  # a bug here must cost one document, not the batch
        result, transient = internal_error(task.path, task.sha256, e), False
    result["file"] = task.name
    return task, result, transient


class Progress:
    """A rich progress bar with ETA on a terminal; a line every 10 % (or 30 s) otherwise."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.done, self.quiet = total, 0, quiet
        self.tty = sys.stderr.isatty() and not quiet
        self.t0 = self.last = time.monotonic()
        self.bar = None
        if self.tty and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn
            self.bar = Bar(TextColumn("检查中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("check", total=total)

    def step(self, name: str) -> None:
        self.done += 1
        if self.bar:
            self.bar.advance(self.task)
            return
        now = time.monotonic()
        if not self.quiet and (self.done == self.total or self.done % max(1, self.total // 10) == 0 or now - self.last > 30):
            rate = self.done / max(now - self.t0, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0
            sys.stderr.write(f"已检查 {self.done}/{self.total}（{rate:.1f} 个/秒，预计还需 {eta:.0f} 秒）\n")
            self.last = now

    def close(self) -> None:
        if self.bar:
            self.bar.stop()


def run(tasks: list[Task], store: Store, pack_path: str | None, limits: Limits, workers: int,
        quiet: bool = False, on_result: Callable[[Task, dict], None] | None = None) -> tuple[dict[str, dict], int]:
    """Results of every task by key (from the store when already there, else checked now and stored),
    and how many were checked now."""
    results: dict[str, dict] = {}
    todo: dict[str, Task] = {}  # one check per distinct key: a file sent twice is read once
    for t in tasks:
        if t.key in results or t.key in todo:
            continue
        cached = store.get(t.key)
        if cached is not None:
            results[t.key] = cached
        else:
            todo[t.key] = t
    todo = list(todo.values())
    progress = Progress(len(todo), quiet)
    if todo:
        warm = len(todo) > 1 and any(t.path.lower().endswith(".pdf") for t in todo)  # scans come as PDFs
        workers = max(1, min(workers, len(todo)))
        threads = max(1, (os.cpu_count() or 1) // workers)

        def finish(task: Task, result: dict, keep: bool) -> None:
            if keep:  # a transient failure (timeout, kill) is reported, never cached as the file's result
                store.put(task.key, task.sha256, result)
            results[task.key] = result
            progress.step(task.name)
            if on_result:
                on_result(task, result)

        pending, retried, breaks = todo, set(), 0
        while pending:
            pending, lost = _round(pending, retried, finish, pack_path, limits, workers, warm, threads)
            if lost:  # the pool broke (a worker killed from outside): run what it lost in a new pool
                breaks += 1
                if breaks > MAX_POOL_BREAKS:
                    for t in lost:
                        finish(t, _lost_result(t), False)
                    lost = []
            pending = lost + pending
    progress.close()
    return results, len(todo)


MAX_POOL_BREAKS = 3


def _round(tasks: list[Task], retried: set, finish, pack_path, limits: Limits, workers: int, warm: bool,
           threads: int) -> tuple[list[Task], list[Task]]:
    """Check tasks in one pool; transient failures are retried once, after the others (the machine is
    less loaded then). Returns (tasks to retry, tasks lost to a broken pool)."""
    retry: list[Task] = []
    lost: list[Task] = []
    # Workers start clean (spawn): a fork of a process whose OCR or OpenCV threads are running can
    # deadlock. Each worker then forks its own reading child from that clean state, which serves
    # limits.docs_per_reader documents (readers.Reader) and is replaced after a crash or a timeout.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                             initargs=(pack_path, limits, warm, threads)) as pool:
        futures = {pool.submit(check_task, t): t for t in tasks}
        for fut in as_completed(futures):
            t = futures[fut]
            try:
                task, result, transient = fut.result()
            except BrokenProcessPool:
                lost.append(t)
                continue
            except Exception as e:  # the result could not come back (pickling): this document only
                from kcjs.pipeline.check import internal_error
                task, result, transient = t, internal_error(t.name, t.sha256, e), False
                result["file"] = t.name
            if transient and task.key not in retried:
                retried.add(task.key)
                retry.append(task)
                continue
            finish(task, result, not transient)
    return retry, lost


def _lost_result(task: Task) -> dict:
    from kcjs.pipeline.check import error_result
    from kcjs.pipeline.findings import Finding
    from kcjs.pipeline.readers import UNREADABLE
    result = error_result(task.name, task.sha256, Finding(
        UNREADABLE, "error", "检查进程多次被系统终止（可能内存不足），该文件未能检查；请稍后重新运行"))
    return result
