"""Cost of the seal search per document: reading with it (as `check` reads) over reading without it.

Text PDFs and .docx with seal images on their stamp lines (the corpus's generators), and scanned PDFs. The two
reads of each file are interleaved file by file and timed in CPU seconds (time.process_time: this process,
onnxruntime's threads included); the ratio printed is the median of the per-file ratios, with the summed
times. The recogniser's model is loaded before timing.

Run: .venv/bin/python bench/bench_stamps.py [N]
"""
from __future__ import annotations

import statistics
import sys
import time

from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import Limits, read_bytes
from kcjs.pipeline.seals import _CACHE, forget


def cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def main(n: int) -> None:
    pack = load_pack()
    subs = list(pack.subprograms)
    contents = [application(pack, subs[i % len(subs)], "compliant", "table") for i in range(n)]
    sets = {
        "docx (seal image)": [("a.docx", docx_bytes(c, seal=("inline", "floating")[i % 2])) for i, c in enumerate(contents)],
        "text pdf (seal image)": [("a.pdf", pdf_bytes(c, seal_on_stamp_line=True)) for c in contents],
        "scanned pdf": [("s.pdf", scan_pdf_bytes(pdf_bytes(c, seal_on_stamp_line=True), dpi=200)) for c in contents[:2]],
    }
    for files in sets.values():  # warm up: models, fonts, caches of the first read
        read_bytes(*files[0])
        read_bytes(*files[0], Limits(seals=False))
    print("\nSeal search cost: read with it / read without it (CPU s, interleaved file by file; median of the"
          "\nper-file ratios). cold: the seal-image cache emptied before each read, as a lone `kcjs check`;"
          "\nwarm: the cache kept from file to file, as a process reading a batch")
    print(f"{'documents':<24}{'files':>6}{'read ms':>9}{'cold ms':>9}{'warm ms':>9}{'cold':>7}{'warm':>7}")
    for name, files in sets.items():
        plain, cold, warm, rc, rw = 0.0, 0.0, 0.0, [], []
        forget()
        for f, d in files:
            a = cpu(lambda: read_bytes(f, d, Limits(seals=False)))
            kept = dict(_CACHE)
            forget()
            b = cpu(lambda: read_bytes(f, d))
            _CACHE.clear()
            _CACHE.update(kept)
            c = cpu(lambda: read_bytes(f, d))
            plain, cold, warm = plain + a, cold + b, warm + c
            rc.append(b / a)
            rw.append(c / a)
        k = len(files)
        print(f"{name:<24}{k:>6}{plain / k * 1000:>9.1f}{cold / k * 1000:>9.1f}{warm / k * 1000:>9.1f}"
              f"{statistics.median(rc):>7.2f}{statistics.median(rw):>7.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
