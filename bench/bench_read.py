"""Reading cost against the floor, and OCR speed/accuracy by resolution; ratios from one run.

Run: .venv/bin/python bench/bench_read.py [N]
"""
from __future__ import annotations

import io
import re
import statistics
import sys
import time

import numpy as np
import pymupdf

from timing import best_of  # bench/timing.py (the script's folder is on sys.path)
from kcjs.corpus.gen import Para, pdf_bytes, sample_application, scan_pdf_bytes, docx_bytes
from kcjs.pipeline.readers import Limits, read_bytes
from kcjs.pipeline.readers import ocr


def bare_docx(data: bytes) -> None:
    import docx
    d = docx.Document(io.BytesIO(data))
    "\n".join(p.text for p in d.paragraphs)


def bare_pdf(data: bytes) -> None:
    doc = pymupdf.open(stream=data, filetype="pdf")
    "".join(page.get_text() for page in doc)


def han(s: str) -> str:
    return "".join(re.findall(r"[\u4e00-\u9fff]", s))


def recall(src: str, got: str) -> float:
    """Share of the source's Han characters recovered (as a multiset: reading order is not scored)."""
    from collections import Counter
    a, b = Counter(han(src)), Counter(han(got))
    return sum(min(n, b[c]) for c, n in a.items()) / max(sum(a.values()), 1)


def reading(n: int) -> None:
    docxs = [docx_bytes(sample_application(4 + i % 8), style=("styles", "bold", "outline")[i % 3],
                        seal="inline" if i % 2 else None) for i in range(n)]
    pdfs = [pdf_bytes(sample_application(4 + i % 20)) for i in range(n)]
    rows = []
    for name, files, bare in (("docx", docxs, bare_docx), ("text pdf", pdfs, bare_pdf)):
        t_bare = best_of(lambda: [bare(d) for d in files])
        # seal search is the stamp check's cost: bench_stamps.py measures it against this reading
        t_full = best_of(lambda: [read_bytes(f"x.{name[-4:].strip()}", d, Limits(seals=False)) for d in files])
        rows.append((name, len(files), t_bare / len(files) * 1000, t_full / len(files) * 1000, t_full / t_bare))
    print(f"\nReading cost vs bare text extraction ({n} files each; best of 3)")
    print(f"{'format':<10}{'files':>6}{'bare ms/file':>14}{'kcjs ms/file':>14}{'ratio':>8}")
    for r in rows:
        print(f"{r[0]:<10}{r[1]:>6}{r[2]:>14.1f}{r[3]:>14.1f}{r[4]:>8.2f}")


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
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    reading(n)
    ocr_quality(max(3, n // 5))
    orientation_trial(max(2, n // 10))
