"""`kcjs serve`: time from upload to verdict (the HTTP request, annotated copy included) for a .docx and a
2-page scan, as ratios to `kcjs check FILE` (a new process, as a person runs it) and to the bare check
(read_isolated + check_document in this process) of the same file, measured in the same run.

Run: .venv/bin/python bench/bench_serve.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import best_of  # bench/timing.py (the script's folder is on sys.path)
from fastapi.testclient import TestClient

from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline.check import check_document
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import read_isolated
from kcjs.pipeline.web.app import create_app
from kcjs.pipeline.web.service import Settings

KCJS = str(Path(sys.executable).with_name("kcjs"))


def main() -> None:
    pack = load_pack()
    body = application(pack, pack.subprogram("academician-center"), "target-below", "table")
    files = {"docx": ("申报书.docx", docx_bytes(body, style="bold", seal="floating")),
             "scan (2 pages)": ("扫描件.pdf", scan_pdf_bytes(pdf_bytes(body, seal_on_stamp_line=True), dpi=200))}
    client = TestClient(create_app(Settings()), base_url="http://localhost")
    client.get("/")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("kcjs serve: upload -> verdict (HTTP POST /check, annotated copy made) vs kcjs check of the same file")
    print(f"{'file':<16}{'pages':>6}{'serve s':>9}{'bare s':>9}{'cli s':>8}{'serve/cli':>11}{'serve/bare':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, (name, data) in files.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            repeat = 1 if "scan" in label else 3
            results = []

            def upload():
                r = client.post("/api/check", files={"file": (name, data, "application/octet-stream")})
                results.append(r.json())

            serve = best_of(upload, repeat)
            assert results[-1]["status"] == "fail" and results[-1]["annotated"], results[-1].get("error")
            bare = best_of(lambda: check_document(read_isolated(path), pack), repeat)
            cli = best_of(lambda: subprocess.run([KCJS, "check", str(path)], capture_output=True), repeat)
            pages = results[-1]["metrics"].get("pages") or "-"
            print(f"{label:<16}{pages!s:>6}{serve:>9.2f}{bare:>9.2f}{cli:>8.2f}{serve / cli:>11.2f}{serve / bare:>12.2f}")


if __name__ == "__main__":
    main()
