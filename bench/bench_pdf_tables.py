"""Text-PDF tables: PyMuPDF's find_tables (before) against the rule grid of pdf_grid (after).

    .venv/bin/python bench/bench_pdf_tables.py [--agree] [--time] [--repeat N] PDF_OR_DIR...

--agree: for every text page of every PDF, the tables of both paths side by side (cell texts by row
and column, merged-cell copies, boxes within 1 pt); prints x/N identical and each difference.
--time: a text PDF read as `kcjs check` reads it (read_document: text, tables, seal search), and read
with the seal search off, each before and after, against bare `page.get_text()` on the same file; the
five interleaved file by file, CPU time (time.process_time), best of N each; prints each file's
ratios and their medians.
Scanned PDFs (pages OCRed) are left out of --time: their cost is OCR, not tables.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import pymupdf

from timing import cpu as cpu_once  # bench/ (the script's folder is on sys.path)
from kcjs.pipeline.seals import forget
from kcjs.pipeline.readers import Limits, pdf_finder, pdf_reader, read_document
from kcjs.pipeline.readers import pdf_textlayer as textlayer


def pdfs(args: list[str]) -> list[Path]:
    out = []
    for a in args:
        p = Path(a)
        out += sorted(p.rglob("*.pdf")) if p.is_dir() else [p]
    return out


def text_pages(path: Path):
    """(page number, page, pieces) of each page the reader takes from the text layer."""
    try:
        doc = pymupdf.open(path)
    except Exception:
        return
    if doc.needs_pass and not doc.authenticate(""):
        return
    for n, page in enumerate(doc, 1):
        raw, pieces = textlayer.page_text(page)
        if pdf_reader._ocr_reason(page, pdf_reader._lines(raw, n), page.get_drawings()) is None:
            yield n, page, pieces


def shape(blocks) -> list:
    return [(b.rows, sorted(b.copies), b.box) for b in blocks]


def same(a: tuple, b: tuple) -> bool:
    """Same cells and merged-cell copies, boxes within 1 pt (the paths snap rules to slightly different means)."""
    return a[:2] == b[:2] and all(abs(u - v) <= 1 for u, v in zip(a[2], b[2]))


def agree(files: list[Path]) -> None:
    same_n = total = 0
    diffs = []
    for path in files:
        for n, page, pieces in text_pages(path):
            old, new = shape(pdf_finder.finder_tables(page, n)), shape(pdf_reader._tables(page, n, pieces))
            total += max(len(old), len(new))
            ok = sum(same(a, b) for a, b in zip(old, new))
            same_n += ok
            if ok < max(len(old), len(new)):
                diffs.append((path.name, n, old, new))
    print(f"tables identical (cells by row and column, copies; box within 1 pt): {same_n}/{total}")
    for name, n, old, new in diffs:
        print(f"\n{name} p.{n}\n  find_tables: {old}\n  pdf_grid:    {new}")


def bare(path: Path) -> None:
    doc = pymupdf.open(path)
    "".join(page.get_text() for page in doc)


def cpu(fn, repeat: int) -> float:
    """Least CPU seconds of `repeat` runs of fn() (timing.cpu: garbage collected first, collector paused)."""
    return min(cpu_once(fn) for _ in range(repeat))


def timing(files: list[Path], repeat: int) -> None:
    grid = pdf_reader._tables
    finder = lambda page, n, pieces: pdf_finder.finder_tables(page, n)  # noqa: E731
    off = Limits(seals=False)
    texts = [p for p in files if any(True for _ in text_pages(p)) and
             all(pg.source == "text" for pg in read_document(p).pages)]
    read_document(texts[0])  # imports and one-time loads out of the timing
    rows = []
    print("CPU time ÷ bare get_text() of the same file; check = read_document as `kcjs check` reads"
          " (seal search on), read = seal search off")
    print(f"{'file':<52}{'bare ms':>8}{'check before':>13}{'after':>7}{'read before':>12}{'after':>7}")
    for p in texts:
        t_bare = cpu(lambda: bare(p), repeat)
        got = []
        for limits in (Limits(), off):
            for tables in (finder, grid):
                pdf_reader._tables = tables
                # a single `kcjs check` starts with no seal image remembered (kcjs.pipeline.seals.forget)
                got.append(cpu(lambda: (forget(), read_document(p, limits)), repeat) / t_bare)
        pdf_reader._tables = grid
        rows.append(got)
        print(f"{p.name[:51]:<52}{t_bare * 1000:>8.1f}" + "".join(f"{r:>{w}.1f}×" for r, w in zip(got, (12, 6, 11, 6))))
    med = [statistics.median(r[k] for r in rows) for k in range(4)]
    print(f"\n{len(rows)} text PDFs, median ratio to bare get_text():"
          f"\n  as check reads (seal search on): before {med[0]:.2f}×, after {med[1]:.2f}×"
          f"\n  reading alone (seal search off): before {med[2]:.2f}×, after {med[3]:.2f}×")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--agree", action="store_true")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    files = pdfs(a.paths)
    if a.agree:
        agree(files)
    if a.time:
        timing(files, a.repeat)
    if not (a.agree or a.time):
        sys.exit("give --agree and/or --time")


if __name__ == "__main__":
    main()
