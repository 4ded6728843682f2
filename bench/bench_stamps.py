"""Cost of the stamp check per document, as a ratio to reading the same document without it.

Run: .venv/bin/python bench/bench_stamps.py [N]
"""
from __future__ import annotations

import sys

from timing import best_of  # bench/timing.py (the script's folder is on sys.path)
from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import Limits, read_bytes
from kcjs.checkers import stamps


def main(n: int) -> None:
    pack = load_pack()
    subs = list(pack.subprograms)
    contents = [application(pack, subs[i % len(subs)], "compliant", "table") for i in range(n)]
    sets = {
        "docx (seal image)": [("a.docx", docx_bytes(c, seal=("inline", "floating")[i % 2])) for i, c in enumerate(contents)],
        "text pdf (seal image)": [("a.pdf", pdf_bytes(c, seal_on_stamp_line=True)) for c in contents],
        "scanned pdf": [("s.pdf", scan_pdf_bytes(pdf_bytes(c, seal_on_stamp_line=True), dpi=200)) for c in contents[:2]],
    }
    print("\nStamp check cost vs reading without it (best of 3; seal search + stamp checker)")
    print(f"{'documents':<24}{'files':>6}{'read ms':>10}{'+stamps ms':>12}{'ratio':>8}")
    for name, files in sets.items():
        plain = best_of(lambda: [read_bytes(f, d, Limits(seals=False)) for f, d in files], 1 if "scan" in name else 3)
        docs = []
        full = best_of(lambda: docs.extend(read_bytes(f, d) for f, d in files), 1 if "scan" in name else 3)
        sub = pack.subprogram("academician-center")
        from kcjs.checkers.context import Requirements
        req = Requirements(pack, pack.kind("application"), sub)
        check = best_of(lambda: [stamps.check(d, req) for d in docs[:len(files)]])
        k = len(files)
        print(f"{name:<24}{k:>6}{plain / k * 1000:>10.1f}{(full + check) / k * 1000:>12.1f}{(full + check) / plain:>8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
