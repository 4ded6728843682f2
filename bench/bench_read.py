"""Reading cost against the floor, as `kcjs check` reads; OCR speed/accuracy by resolution; ratios from one run.

Run: .venv/bin/python bench/bench_read.py [N]   (N files of each format; `bench/run.py --quick`: fewer, no OCR)

The floor is the least any reader of paragraphs *and tables* does: python-docx walking the body's paragraphs
and every table cell; for a text PDF, PyMuPDF's text with geometry (`get_text("dict")`) and its vector
paths (`get_drawings()`: the ruling lines tables are drawn with). Bare `get_text()` (and python-docx
paragraphs alone) are shown for reference. kcjs reads as `kcjs check` does: `read_document` with the
default Limits (seal search on, signatures validated, tables, headers). Files: the eval corpus (see
benchcorpus.py). Each file is read by every method in turn, and each ratio is per file.
Memory: the whole process tree's PSS (parent and reading child) of `kcjs check FILE`, against a process
that reads the same file at the floor.
"""
from __future__ import annotations

import re
import statistics
import sys
import time

import numpy as np
import pymupdf

from benchcorpus import corpus, sample, text_files  # bench/ (the script's folder is on sys.path)
from timing import interleaved, peak_tree_pss_mib, quick, ratios
from kcjs.corpus.gen import Para, pdf_bytes, sample_application, scan_pdf_bytes
from kcjs.pipeline.readers import Limits, read_document
from kcjs.pipeline.readers import ocr
from kcjs.pipeline import seals


def docx_paragraphs(path) -> str:
    """Reference: python-docx's paragraphs alone (no tables)."""
    import docx
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def docx_floor(path) -> str:
    """The floor for a .docx: python-docx walking the body in order, paragraphs and every table cell."""
    import docx
    from docx.table import Table
    parts = []
    for item in docx.Document(str(path)).iter_inner_content():
        if isinstance(item, Table):
            parts.extend(cell.text for row in item.rows for cell in row.cells)
        else:
            parts.append(item.text)
    return "\n".join(parts)


def pdf_bare(path) -> str:
    """Reference: bare `page.get_text()` of every page."""
    return "".join(page.get_text() for page in pymupdf.open(str(path)))


def pdf_floor(path) -> int:
    """The floor for a text PDF: spans with their boxes and fonts, and the vector paths (table rules)."""
    n = 0
    for page in pymupdf.open(str(path)):
        n += len(page.get_text("dict")["blocks"]) + len(page.get_drawings())
    return n


def kcjs_read(path) -> None:
    """kcjs, as `kcjs check` reads (the reading child's read_document, default limits): a fresh process,
    so the seal image cache starts empty."""
    seals.forget()
    doc = read_document(path, Limits())
    assert doc.readable, (path, doc.findings)


def kcjs_batch(path) -> None:
    """kcjs as an audit's long-lived reading child reads: seal images met before are remembered."""
    read_document(path, Limits())


def kcjs_no_seals(path) -> None:
    """kcjs without the seal search (what the stamp check costs is the difference)."""
    read_document(path, Limits(seals=False))


FLOOR_SCRIPT = {  # the floor in a process of its own, for memory
    "docx": "import sys, docx; from docx.table import Table\n"
            "[[c.text for r in i.rows for c in r.cells] if isinstance(i, Table) else i.text "
            "for i in docx.Document(sys.argv[1]).iter_inner_content()]",
    "pdf": "import sys\nsys.modules['pymupdf.layout'] = sys.modules['pymupdf4llm'] = None  # as kcjs does: unused\n"
           "import pymupdf\n[(p.get_text('dict'), p.get_drawings()) for p in pymupdf.open(sys.argv[1])]",
}


def han(s: str) -> str:
    return "".join(re.findall(r"[\u4e00-\u9fff]", s))


def recall(src: str, got: str) -> float:
    """Share of the source's Han characters recovered (as a multiset: reading order is not scored)."""
    from collections import Counter
    a, b = Counter(han(src)), Counter(han(got))
    return sum(min(n, b[c]) for c, n in a.items()) / max(sum(a.values()), 1)


def reading(n: int, repeat: int) -> None:
    folder = corpus()
    files = text_files(folder)
    print(f"\nReading as `kcjs check` reads vs the floor: {n} files of each format from the corpus "
          f"({len(files['docx'])} .docx, {len(files['pdf'])} text PDFs), CPU ms per file, least of {repeat} "
          "interleaved runs; ratios per file")
    methods = {"docx": {"paragraphs": docx_paragraphs, "floor": docx_floor, "kcjs": kcjs_read, "no seals": kcjs_no_seals,
                        "batch": kcjs_batch},
               "pdf": {"get_text()": pdf_bare, "floor": pdf_floor, "kcjs": kcjs_read, "no seals": kcjs_no_seals,
                       "batch": kcjs_batch}}
    print(f"{'format':<10}{'files':>6}{'reference':>11}{'floor':>8}{'kcjs':>8}"
          f"{'kcjs/floor med':>16}{'p90':>6}{'kcjs/ref med':>14}{'p90':>6}{'floor/ref med':>15}{'no seals/floor':>16}"
          f"{'batch/floor':>13}")
    for kind in ("docx", "pdf"):
        chosen = sample(files[kind], n)
        for f in chosen[:2]:  # one-time loads (OCR models for seal rings, pyHanko) are start-up, not reading
            for fn in methods[kind].values():
                fn(f)
        t = interleaved(chosen, methods[kind], repeat)
        ref, floor, full, plain, batch = (t[k] for k in methods[kind])
        ms = [statistics.mean(x) * 1000 for x in (ref, floor, full)]
        kf, kr, fr, pf = ratios(full, floor), ratios(full, ref), ratios(floor, ref), ratios(plain, floor)
        bf = ratios(batch, floor)
        print(f"{kind:<10}{len(chosen):>6}{ms[0]:>11.1f}{ms[1]:>8.1f}{ms[2]:>8.1f}"
              f"{kf[0]:>15.2f}×{kf[1]:>5.1f}×{kr[0]:>13.2f}×{kr[1]:>5.1f}×{fr[0]:>14.2f}×{pf[0]:>15.2f}×{bf[0]:>12.2f}×")
    print("(reference: python-docx paragraphs alone / bare page.get_text(); floor: paragraphs and table cells /"
          " get_text('dict') + get_drawings(); kcjs: a single `kcjs check`, seal image cache empty; no seals: kcjs"
          " without the seal search; batch: an audit's reading child when the same seal images were met before;"
          " medians of per-file ratios)")
    memory(files)


def memory(files: dict) -> None:
    """Peak PSS of the whole process tree: `kcjs check FILE` (parent and reading child) vs the floor's process."""
    kcjs = [sys.executable, "-m", "kcjs", "check", "--format", "json"]
    signed = [f for f in files["pdf"] if "signed" in f.name] or files["pdf"]
    picks = {"docx": files["docx"][0], "pdf": signed[0]}
    print("\nMemory: peak PSS of the whole process tree (parent + reading child), MiB")
    print(f"{'file':<44}{'floor':>8}{'kcjs check':>12}{'ratio':>8}")
    for kind, f in picks.items():
        floor, _ = peak_tree_pss_mib([sys.executable, "-c", FLOOR_SCRIPT[kind], str(f)])
        full, code = peak_tree_pss_mib(kcjs + [str(f)])
        assert code in (0, 1), (f, code)
        print(f"{f.name[:42]:<44}{floor:>8.0f}{full:>12.0f}{full / floor:>7.2f}×")


def ocr_quality(pages: int) -> None:
    sources = [sample_application(3 + i) for i in range(pages)]
    sizes = [(12, 10.5, 9)[i % 3] for i in range(pages)]  # 小四, 五号 and 小五 body text
    scans = [scan_pdf_bytes(pdf_bytes(s, body_size=size), dpi=300, rotate_deg=0.5 * (i % 3), noise=8,
                            jpeg_quality=60, seal_pages=(1,), seed=i) for i, (s, size) in enumerate(zip(sources, sizes))]
    texts = ["".join(p.text if isinstance(p, Para) else "".join(c for row in p.rows for c in dict.fromkeys(row))
                     for p in s) for s in sources]
    from rapidocr import RapidOCR
    default = RapidOCR(params={"Global.log_level": "error"})
    print(f"\nOCR on {pages} generated scanned documents (300 dpi JPEG, noise, rotation, a seal over text;"
          " body 12/10.5/9 pt)")
    print(f"{'setting':<44}{'s/page':>8}{'pages/s':>9}{'Han recall':>12}")
    base = None
    for label, dpi, eng, red in (("library defaults (render 300 dpi, max side 2000)", 300, default, False),
                                 ("kcjs: 100 dpi, red removed", 100, None, True),
                                 ("kcjs: 150 dpi, red removed (chosen)", 150, None, True),
                                 ("kcjs: 200 dpi, red removed", 200, None, True),
                                 ("kcjs: 300 dpi, red removed", 300, None, True)):
        scores, t_total = [], 0.0
        n_pages = 0
        for scan, text in zip(scans, texts):
            got = ""
            for page in pymupdf.open(stream=scan, filetype="pdf"):
                pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
                rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3)
                t0 = time.perf_counter()
                if eng is None:
                    got += "".join(ln.text for ln in ocr.ocr_image(rgb))
                else:
                    got += "".join(eng(rgb).txts or ())
                t_total += time.perf_counter() - t0
                n_pages += 1
            scores.append(recall(text, got))
        per = t_total / n_pages
        base = base or per
        print(f"{label:<44}{per:>8.2f}{1 / per:>9.2f}{statistics.mean(scores):>12.4f}   ({per / base:.2f}× defaults' time)")


def ordered_recall(src: str, got: str) -> float:
    """Share of the source's Han characters recovered in reading order (a page read in the wrong line
    order scores low even when every character is there)."""
    import difflib
    a, b = han(src), han(got)
    return sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()) / max(len(a), 1)


def orientation_trial(pages: int) -> None:
    """Pages fed in turned 0/90/180/270°: RapidOCR's own line classifier alone vs the thumbnail trial
    (kcjs.pipeline.readers.orientation) before OCR: reading-order recall, and the trial's cost."""
    from kcjs.pipeline.readers import orientation
    from kcjs.pipeline.readers.pdf_reader import render
    sources = [sample_application(1 + i) for i in range(pages)]
    print(f"\nPage orientation on {pages} one-page scans (150 dpi) fed in at each quarter turn")
    print(f"{'fed turned':<12}{'classifier only':>16}{'with trial':>12}{'right turn':>12}{'trial / OCR time':>18}")
    for k in range(4):
        plain, fixed, right, t_ocr, t_trial = [], [], 0, 0.0, 0.0
        for i, s in enumerate(sources):
            text = "".join(p.text if isinstance(p, Para) else "".join(c for row in p.rows for c in dict.fromkeys(row))
                           for p in s)
            scan = scan_pdf_bytes(pdf_bytes(s, header=None, page_numbers=False), dpi=150, turns={1: k}, seed=i)
            rgb = render(pymupdf.open(stream=scan, filetype="pdf")[0], ocr.OCR_DPI)
            t0 = time.perf_counter()
            plain.append(ordered_recall(text, "".join(ln.text for ln in ocr.ocr_image(rgb))))
            t1 = time.perf_counter()
            turn = orientation.turns(rgb)
            t2 = time.perf_counter()
            right += turn == (4 - k) % 4
            up = np.ascontiguousarray(np.rot90(rgb, turn))
            fixed.append(ordered_recall(text, "".join(ln.text for ln in ocr.ocr_image(up))))
            t_ocr, t_trial = t_ocr + t1 - t0, t_trial + t2 - t1
        print(f"{k * 90:>9}°  {statistics.mean(plain):>16.3f}{statistics.mean(fixed):>12.3f}{right:>9}/{pages}"
              f"{t_trial / t_ocr:>17.2f}×")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else (8 if quick() else 20)
    reading(n, 2)
    if not quick():  # OCR: minutes of CPU
        ocr_quality(max(3, n // 5))
        orientation_trial(max(2, n // 10))
