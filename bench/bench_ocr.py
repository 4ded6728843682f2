"""OCR settings on the corpus's scans: Han-character recall against the generated text and CPU time,
every figure a ratio to today's settings measured in the same run, page by page interleaved.

    .venv/bin/python bench/bench_ocr.py [DOCUMENTS]

Each scan is a generated 申报书 printed to PDF, stamped, rotated a little, noised, JPEG-compressed
and scanned (kcjs.corpus.gen.scan_pdf_bytes, as kcjs.corpus.build makes them), in turn at 200 dpi
(the corpus's), 150 dpi and a poor 120 dpi with more noise and JPEG loss; one page is fed upside down. A page is read as the PDF reader reads it: rendered at OCR_DPI, turned upright
once (orientation.turns), then OCR. Recall: the Han characters of the page's known text found in
the OCR text (as multisets). CPU: this process's user+sys time (all threads), one OCR thread (as each
of two audit workers has).
"""
from __future__ import annotations

import re
import sys
import time
from collections import Counter

import numpy as np

HAN = re.compile(r"[\u4e00-\u9fff]")


def scans(n: int) -> list[tuple[bytes, bytes]]:
    """(text PDF, its scan) of n generated applications."""
    from kcjs.corpus.build import application
    from kcjs.corpus.gen import pdf_bytes, scan_pdf_bytes
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    out = []
    for k in range(n):
        s = pack.subprograms[(3 * k) % len(pack.subprograms)]
        pdf = pdf_bytes(application(pack, s, "compliant", "table", s.directions[0] if s.directions else None),
                        seal_on_stamp_line=True)
        q = k % 3  # from the corpus's clean 200 dpi scan to a poor 120 dpi one
        out.append((pdf, scan_pdf_bytes(pdf, dpi=(200, 150, 120)[q], rotate_deg=0.4 * q, noise=6 + 2 * q,
                                        jpeg_quality=70 - 10 * q, seal_pages=(1,) if k % 2 else (), seed=k,
                                        turns={2: 2} if k == 0 else None)))
    return out


def read_page(page) -> str:
    """The page's OCR text, as pdf_reader reads a scanned page (orientation once, then OCR)."""
    from kcjs.pipeline.readers import ocr, orientation
    from kcjs.pipeline.readers.pdf_reader import render
    rgb = render(page, ocr.OCR_DPI)
    turns = orientation.turns(rgb)
    if turns:
        rgb = np.ascontiguousarray(np.rot90(rgb, turns))
    return "\n".join(line.text for line in ocr.ocr_image(rgb))


def found(truth: str, text: str) -> tuple[int, int]:
    """(Han characters of truth found in text, Han characters of truth), counted as multisets."""
    want, got = Counter(HAN.findall(truth)), Counter(HAN.findall(text))
    return sum(min(c, got[ch]) for ch, c in want.items()), sum(want.values())


def main(n: int) -> None:
    import pymupdf

    from kcjs.pipeline.readers import ocr
    S = ocr.Settings
    ways = {"today: det min 736, cls on": S("min", 736, True, False),
            "det max 960": S("max", 960, True, False),
            "cls off (page turned once)": S("min", 736, False, False),
            "det max 960, cls off": S("max", 960, False, False)}
    if ocr.openvino_available():
        ways["det max 960, cls off, OpenVINO"] = S("max", 960, False, True)
    else:
        print("(OpenVINO: the optional openvino package is absent here, its row is left out)")
    ocr.set_threads(1)
    default = ocr.SETTINGS
    hits = {w: 0 for w in ways}
    cpu = {w: 0.0 for w in ways}
    total = pages = 0
    for w, st in ways.items():  # load every engine before timing
        ocr.SETTINGS = st
        ocr.engine()
    for text_pdf, scan in scans(n):
        truth_doc, scan_doc = pymupdf.open(stream=text_pdf, filetype="pdf"), pymupdf.open(stream=scan, filetype="pdf")
        for truth_page, page in zip(truth_doc, scan_doc):
            truth = truth_page.get_text()
            pages += 1
            for w, st in ways.items():
                ocr.SETTINGS = st
                t0 = time.process_time()
                text = read_page(page)
                cpu[w] += time.process_time() - t0
                got, want = found(truth, text)
                hits[w] += got
            total += want
    ocr.SETTINGS = default
    base = next(iter(ways))

    def effective(st):  # the OpenVINO flag does nothing where openvino is absent
        return st.limit_type, st.limit_side_len, st.cls, st.openvino and ocr.openvino_available()
    print(f"\nOCR of {pages} scanned pages ({n} documents, {total} Han characters of known text), one thread")
    print(f"{'settings':<34}{'Han recall':>11}{'CPU s/page':>12}{'CPU vs today':>14}")
    for w in ways:
        print(f"{w:<34}{hits[w] / total:>11.4f}{cpu[w] / pages:>12.2f}{cpu[w] / cpu[base]:>13.2f}x"
              + ("  <- default" if effective(ways[w]) == effective(default) else ""))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
