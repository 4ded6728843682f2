"""Checking: check_document's CPU ms per document on the eval corpus, with identical results.

    .venv/bin/python bench/bench_check.py [--against REF] [--files N] [--repeat N]

The corpus's .docx and text PDFs (benchcorpus.py) are read once here. Two worker processes unpickle the
same Documents and check them file by file in turn (the order swapped every file), each check with cold
caches, as in the forked child that checks a document in `kcjs check` and `kcjs audit`:
- without --against: this tree, against this tree with the shared views switched off (Document.checking
  made a no-op: body text, counts, fields, sections, amount and targets computed afresh by every user);
- with --against REF: this tree against git revision REF's kcjs (same interpreter and packages).
Every result (status, findings, metrics) must be identical: the script exits 1 naming the first that is not.
"""
from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import env_for, quick, ratios, tree_at


def _cold() -> None:
    """Empty every cache of the checkers (as a freshly forked reading child has them: empty)."""
    import kcjs.checkers as pkg
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.startswith(pkg.__name__ + "."):
            continue
        for obj in list(vars(mod).values()):
            if callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


def worker(docs_path: str, fresh: bool, repeat: int) -> None:
    """Check the pickled documents named on stdin (one index per line); answer one JSON line per document."""
    from contextlib import contextmanager

    from kcjs.pipeline.check import check_document
    from kcjs.pipeline.document import Document
    from kcjs.pipeline.packloader import load_pack
    if fresh:
        Document.checking = contextmanager(lambda self: (yield))  # no shared views: each user computes its own
    pack = load_pack()
    docs = pickle.loads(Path(docs_path).read_bytes())
    check_document(docs[0], pack)  # imports and one-time loads
    for line in sys.stdin:
        doc = docs[int(line)]
        best, result = float("inf"), None
        for _ in range(repeat):
            _cold()
            t0 = time.process_time()
            result = check_document(doc, pack)
            best = min(best, time.process_time() - t0)
        sys.stdout.write(json.dumps({"ms": best * 1000, "result": result}, ensure_ascii=False, sort_keys=True) + "\n")
        sys.stdout.flush()


def read_corpus(n: int | None) -> list:
    from benchcorpus import corpus, sample, text_files
    from kcjs.pipeline.readers import Limits, read_document
    files = text_files(corpus())
    chosen = sample(files["docx"], n) + sample(files["pdf"], n) if n else files["docx"] + files["pdf"]
    return [read_document(f, Limits(ocr=False)) for f in chosen]


def main(against: str | None, n: int | None, repeat: int) -> int:
    t0 = time.process_time()
    docs = read_corpus(n)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "docs.pkl").write_bytes(pickle.dumps(docs))
        base = tree_at(against, tmp / "base") if against else None
        sides = {"this tree": (env_for(None), []),
                 against or "views off": (env_for(base), [] if against else ["--fresh"])}
        procs = {k: subprocess.Popen([sys.executable, __file__, "--worker", str(tmp / "docs.pkl"), "--repeat", str(repeat),
                                      *extra], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for k, (env, extra) in sides.items()}
        names = list(procs)
        ms: dict[str, list[float]] = {k: [] for k in names}
        for i in range(len(docs)):
            got = {}
            for k in (names if i % 2 == 0 else names[::-1]):
                procs[k].stdin.write(f"{i}\n")
                procs[k].stdin.flush()
                answer = json.loads(procs[k].stdout.readline())
                ms[k].append(answer["ms"])
                got[k] = answer["result"]
            a, b = (got[k] for k in names)
            if a != b:
                print(f"\nDIFFERENT RESULTS for {docs[i].path}:\n {names[0]}: {json.dumps(a, ensure_ascii=False)[:1500]}\n"
                      f" {names[1]}: {json.dumps(b, ensure_ascii=False)[:1500]}")
                return 1
        for p in procs.values():
            p.stdin.close()
            p.wait()
    new, old = ms[names[0]], ms[names[1]]
    med, p90 = ratios(new, old)
    print(f"\ncheck_document, CPU ms per document ({len(docs)} documents of the corpus, least of {repeat} cold runs;"
          f" read in {time.process_time() - t0:.0f} s): results identical")
    print(f"{'':<14}{'mean ms':>9}{'median ms':>11}{'p90 ms':>8}")
    for k in names:
        print(f"{k:<14}{statistics.mean(ms[k]):>9.2f}{statistics.median(ms[k]):>11.2f}{sorted(ms[k])[int(0.9 * (len(ms[k]) - 1))]:>8.2f}")
    print(f"this tree / {names[1]}: per document median {med:.2f}×, p90 {p90:.2f}×; "
          f"total {sum(new) / sum(old):.2f}×")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--against", help="a git revision to compare with (e.g. main, a commit)")
    ap.add_argument("--files", type=int, default=15 if quick() else None, help="files of each format (default: all)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.fresh, a.repeat)
    elif main(a.against, a.files, a.repeat):
        sys.exit(1)  # (0 is not raised: bench/run.py runs the next benchmark)
