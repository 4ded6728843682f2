"""Near-duplicate narratives at scale: recall of planted copies, false pairs, time against the audit, memory.

    .venv/bin/python bench/bench_neardup.py [N]      (default 2000)

N generated narratives (2,000–5,000 characters; each quotes the notice, carries a template prompt,
numbers and its applicant's name): 10 % are planted copies taking 30–90 % of their text from another
document, 5 % light overlaps taking 3–10 %; the rest unrelated. Each is captured as the audit's
workers do (normalise, shingle, MinHash, into a result store), then the audit's comparison step runs.

Truth is the exact shingle Jaccard of each planted pair: a pair at or above the threshold must be
found (recall), and no reported pair may be below it (false pairs); pairs that were not planted are
counted too. Time is CPU time (this machine is shared, so wall time says more about the neighbours):
the near-duplicate step (capturing every document, writing it to the store, comparing) against the
audit's CPU for N documents, extrapolated from two real audits in this run of 10 and 50 generated
.docx/text-PDF submissions with their own narratives: (cpu50 − cpu10) / 40 per document (this
process, its workers and the children they read files in; the pool's start-up cancels out). Scans
(10–50× dearer to read) are left out, so the share is an upper bound. Memory: peak traced memory of
the comparison at N/4 and N documents.
"""
from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus(n: int, seed: int = 1):
    """(texts by document, planted pairs {(source, copy): share}, light overlaps {…}) for n documents."""
    from kcjs.corpus import prose
    rng = random.Random(seed)
    texts = {i: prose.paragraphs(10_000 + i, rng.randint(2000, 5000)) for i in range(n)}
    order = list(range(n))
    rng.shuffle(order)
    planted, light = {}, {}
    n_copy, n_light = n // 10, n // 20
    for k in range(n_copy + n_light):
        src, dst = order[2 * k], order[2 * k + 1]
        share = rng.uniform(0.3, 0.9) if k < n_copy else rng.uniform(0.03, 0.10)
        texts[dst] = prose.planted(texts[src], 50_000 + k, share, rng.randint(2000, 5000))
        (planted if k < n_copy else light)[(src, dst)] = share
    return texts, planted, light


NOTICE = None
SMALL, BIG = 10, 50  # sample audits: the difference is the marginal cost of BIG − SMALL documents


def document(i: int, paras: list[str]):
    from kcjs.pipeline.document import Block, Document
    from kcjs.pipeline.packloader import DEFAULT_PACK
    global NOTICE
    if NOTICE is None:
        NOTICE = "".join((DEFAULT_PACK.parent / "notice-2024.txt").read_text(encoding="utf-8").split())
    unit = f"江苏省第{i}学会"
    at = (i * 397) % (len(NOTICE) - 400)
    blocks = [Block("heading", "二、项目实施方案", level=1, page=1),
              Block("paragraph", f"{unit}成立于{1980 + i % 40}年，现有会员{100 + i}名。", page=1),
              Block("paragraph", "【请填写：建设目标、主要任务、进度安排、保障措施】", page=1),
              Block("paragraph", NOTICE[at:at + 300], page=1)]
    blocks += [Block("paragraph", p, page=2 + k // 4) for k, p in enumerate(paras)]
    return Document(f"{i}.docx", "docx", blocks), unit


def capture_all(texts: dict, store, pack) -> tuple[list[dict], dict, float, float]:
    """Capture every document as a worker does and store it as the parent does: (documents, keys,
    CPU seconds in capture, CPU seconds writing the narratives to the store)."""
    from kcjs.pipeline.audit import narrative
    documents, keys, t_capture, t_store = [], {}, 0.0, 0.0
    for i, paras in texts.items():
        doc, unit = document(i, paras)
        name = f"d{i:05d}.docx"
        result = {"file": name, "status": "pass", "metrics": {"applicant_name": unit, "content_sha256": name}}
        t0 = time.process_time()
        captured = narrative.capture(doc, result, pack)
        t1 = time.process_time()
        store.put_narrative(name, captured)
        t_capture, t_store = t_capture + t1 - t0, t_store + time.process_time() - t1
        store.put(name, name, result)
        documents.append({"file": name, "status": "pass", "applicant": unit, "metrics": result["metrics"]})
        keys[name] = name
    return documents, keys, t_capture, t_store


def audit_seconds(tmp: Path, pack, n: int) -> tuple[float, float]:
    """(wall, CPU) seconds of a real `kcjs audit` of n generated submissions (.docx and text PDF, own
    narratives); CPU counts this process, its workers and their children."""
    from kcjs.corpus import prose
    from kcjs.corpus.build import application
    from kcjs.corpus.gen import Para, docx_bytes, pdf_bytes
    from kcjs.pipeline.audit.batch import AuditOptions, audit
    src = tmp / f"audit{n}"
    subs = [s for s in pack.subprograms if not s.directions]
    for i in range(n):
        s = subs[i % len(subs)]
        content = application(pack, s, "compliant", "table")
        content[2].rows[0][1] = f"江苏省第{i}学会"
        body, placed = [], False
        for p in content:
            if isinstance(p, Para) and p.level is None and len(p.text) >= 30 and "承诺" not in p.text:
                if not placed:
                    body += [Para(x) for x in prose.paragraphs(70_000 + i + 1000 * n, 3500)]
                    placed = True
                continue
            body.append(p)
        data = docx_bytes(body, seal="inline") if i % 2 == 0 else pdf_bytes(body, seal_on_stamp_line=True)
        (src / f"u{i:03d}").mkdir(parents=True, exist_ok=True)
        (src / f"u{i:03d}" / f"申报书.{'docx' if i % 2 == 0 else 'pdf'}").write_bytes(data)
    t0, c0, k0 = time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    audit(src, tmp / f"out{n}", pack, None, AuditOptions(quiet=True))
    k1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers, and the child each reads a file in, all waited for
    return (time.perf_counter() - t0,
            time.process_time() - c0 + (k1.ru_utime - k0.ru_utime) + (k1.ru_stime - k0.ru_stime))


def main(n: int) -> None:
    import numpy as np

    from kcjs.pipeline.audit import narrative
    from kcjs.pipeline.audit.store import Store
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    narrative.stop_set(pack)  # built once per process (as in each worker)
    texts, planted, light = corpus(n)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        store = Store(tmp / "kcjs-cache.sqlite")
        documents, keys, t_capture, t_store = capture_all(texts, store, pack)
        t0 = time.process_time()
        found = narrative.check(documents, keys, store, pack)
        t_pairs = time.process_time() - t0
        peaks = {}
        for m in (n // 4, n):
            tracemalloc.start()
            narrative.check(documents[:m], keys, store, pack)
            peaks[m] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        truth = {}
        for a, b in list(planted) + list(light):
            ha, hb = (store.narrative(f"d{x:05d}.docx")["hashes"] for x in (a, b))
            truth[frozenset((f"d{a:05d}.docx", f"d{b:05d}.docx"))] = narrative.jaccard(ha, hb)
        store_mb = (tmp / "kcjs-cache.sqlite").stat().st_size / 2**20
        store.close()
        a_small, a_big = audit_seconds(tmp, pack, SMALL), audit_seconds(tmp, pack, BIG)
    th = narrative.THRESHOLD
    reported = {frozenset(f["files"]): f["overlap"] for f in found}
    above = {p for p, j in truth.items() if j >= th}
    hit = above & set(reported)
    below_reported = [p for p, j in reported.items() if j < th]
    unplanted = [p for p in reported if p not in truth]
    (w_small, c_small), (w_big, c_big) = a_small, a_big
    per_doc = max((c_big - c_small) / (BIG - SMALL), 1e-9)
    audit_n = per_doc * n
    step = t_capture + t_store + t_pairs
    js = np.array(sorted(truth[p] for p in above))
    print(f"threshold (shingle Jaccard) {th}; planted copies {len(planted)} ({len(above)} at or above it, Jaccard "
          f"{js.min():.2f}–{js.max():.2f}); light overlaps {len(light)} (Jaccard ≤ {max(truth[p] for p in truth if p not in above):.3f})")
    print("| documents | planted ≥ threshold | found | recall | false pairs (< threshold) | unplanted pairs | "
          "capture CPU s | store CPU s | compare CPU s | near-dup CPU s | audit CPU s (extrapolated) | near-dup share |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {n} | {len(above)} | {len(hit)} | {len(hit) / max(1, len(above)):.3f} | {len(below_reported)} | "
          f"{len(unplanted)} | {t_capture:.1f} | {t_store:.1f} | {t_pairs:.1f} | {step:.1f} | {audit_n:.0f} | {step / audit_n:.1%} |")
    print(f"audit CPU: {SMALL} documents {c_small:.1f} s, {BIG} documents {c_big:.1f} s -> {per_doc * 1000:.0f} ms per document "
          f"(wall {w_small:.1f} s and {w_big:.1f} s with {os.cpu_count()} workers); near-dup {step / n * 1000:.1f} ms CPU per document")
    print(f"comparison peak traced memory: {n // 4} docs {peaks[n // 4]:.1f} MB, {n} docs {peaks[n]:.1f} MB "
          f"({peaks[n] / max(peaks[n // 4], 1e-9):.2f}× for 4× the documents); store {store_mb / n * 1024:.0f} KB/doc")
    missed = sorted(truth[p] for p in above - hit)
    if missed:
        print(f"missed planted pairs, Jaccard: {', '.join(f'{j:.3f}' for j in missed)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
