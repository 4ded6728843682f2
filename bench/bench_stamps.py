"""Cost of the seal search per document: reading with it (as `check` reads) over reading without it, split into
the search (finding seals) and the ring reader (reading each candidate's ring text: kcjs.pipeline.seal_ring).

Sets: .docx with seal images on their stamp lines, text PDFs with one seal image, text PDFs with two (the
applicant's and the recommending or co-applying unit's: the subprograms with two stamp lines), and text .docx and
PDFs without any seal (the corpus's generators); `--scans` adds two scanned PDFs. Each file is read without the
seal search, then with it and the seal-image cache emptied (cold: a lone `kcjs check`), then with the cache kept
from file to file (warm: an audit's reading child). Timed in CPU seconds (time.process_time: this process,
onnxruntime's threads included); the ring reader's share is measured by wrapping seal_ring.read_ring where the
seal finder calls it, and subtracted for the search alone. Ratios are medians of per-file ratios against the
read without the seal search of the same file in the same run. The recogniser's model is loaded before timing.

Run: .venv/bin/python bench/bench_stamps.py [N] [--scans]
"""
from __future__ import annotations

import gc
import statistics
import sys
import time

from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline import seals
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import Limits, read_bytes

RING = {"cpu": 0.0, "calls": 0}


def _timed_ring(read_ring):
    def wrapped(*a, **kw):
        t0 = time.process_time()
        try:
            return read_ring(*a, **kw)
        finally:
            RING["cpu"] += time.process_time() - t0
            RING["calls"] += 1
    return wrapped


def cpu(fn) -> tuple[float, float, int]:
    """(CPU s of fn(), CPU s of it inside the ring reader, ring reads)."""
    gc.collect()
    gc.disable()
    RING.update(cpu=0.0, calls=0)
    try:
        t0 = time.process_time()
        fn()
        return time.process_time() - t0, RING["cpu"], RING["calls"]
    finally:
        gc.enable()


def sets(n: int, scans: bool) -> dict[str, list[tuple[str, bytes]]]:
    pack = load_pack()
    one = [s for s in pack.subprograms if len(s.stamps) == 1]
    two = [s for s in pack.subprograms if len(s.stamps) >= 2]
    c1 = [application(pack, one[i % len(one)], "compliant", "table") for i in range(n)]
    c2 = [application(pack, two[i % len(two)], "compliant", "table") for i in range(n)]
    out = {
        "docx, seal image": [("a.docx", docx_bytes(c, seal=("inline", "floating")[i % 2])) for i, c in enumerate(c1)],
        "docx, 2 seal images": [("a.docx", docx_bytes(c, seal=("inline", "floating")[i % 2])) for i, c in enumerate(c2)],
        "text pdf, 1 seal": [("a.pdf", pdf_bytes(c, seal_on_stamp_line=True)) for c in c1],
        "text pdf, 2 seals": [("a.pdf", pdf_bytes(c, seal_on_stamp_line=True)) for c in c2],
        "docx, no seal": [("a.docx", docx_bytes(c)) for c in c1],
        "text pdf, no seal": [("a.pdf", pdf_bytes(c)) for c in c1],
    }
    if scans:
        out["scanned pdf"] = [("s.pdf", scan_pdf_bytes(pdf_bytes(c, seal_on_stamp_line=True), dpi=200)) for c in c1[:2]]
    return out


def main(n: int, scans: bool) -> None:
    seals.read_ring = _timed_ring(seals.read_ring)  # where find_seals and find_seals_grey call it
    chosen = sets(n, scans)
    for files in chosen.values():  # warm up: models, fonts, caches of the first read
        read_bytes(*files[0])
        read_bytes(*files[0], Limits(seals=False))
    print("\nSeal search cost: read with it / read without it, CPU, median of per-file ratios. search: the seal"
          "\nsearch without the ring reader (its time inside seal_ring.read_ring subtracted); ring: CPU ms per ring"
          "\nread (one per round or oval candidate); full: search and ring reader. cold: the seal-image cache emptied"
          "\nbefore each read (a lone `kcjs check`); warm: kept from file to file (an audit's reading child)")
    print(f"{'documents':<22}{'files':>6}{'read ms':>9}{'search':>8}{'full':>7}{'ring ms':>9}{'rings':>7}"
          f"{'search':>8}{'full':>7}{'rings':>7}")
    print(f"{'':<22}{'':>6}{'':>9}{'cold':>8}{'cold':>7}{'/ring':>9}{'/doc':>7}{'warm':>8}{'warm':>7}{'/doc':>7}")
    for name, files in chosen.items():
        plain, rs_c, rf_c, rs_w, rf_w = 0.0, [], [], [], []
        ring_cpu, rings, rings_w = 0.0, 0, 0
        seals.forget()
        for f, d in files:
            a, _, _ = cpu(lambda: read_bytes(f, d, Limits(seals=False)))
            kept = dict(seals._CACHE)
            seals.forget()
            b, rb, nb = cpu(lambda: read_bytes(f, d))
            seals._CACHE.clear()
            seals._CACHE.update(kept)
            c, rc, nc = cpu(lambda: read_bytes(f, d))
            plain, ring_cpu, rings, rings_w = plain + a, ring_cpu + rb, rings + nb, rings_w + nc
            rs_c.append((b - rb) / a)
            rf_c.append(b / a)
            rs_w.append((c - rc) / a)
            rf_w.append(c / a)
        k = len(files)
        per_ring = f"{ring_cpu / rings * 1000:.1f}" if rings else "–"
        print(f"{name:<22}{k:>6}{plain / k * 1000:>9.1f}{statistics.median(rs_c):>8.2f}{statistics.median(rf_c):>7.2f}"
              f"{per_ring:>9}{rings / k:>7.1f}{statistics.median(rs_w):>8.2f}{statistics.median(rf_w):>7.2f}"
              f"{rings_w / k:>7.1f}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 10, "--scans" in sys.argv)
