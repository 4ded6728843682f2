"""Take the README's screenshot of `kcjs serve`: PYTHONPATH=. .venv/bin/python docs/screenshot.py [docs/kcjs-serve.png]

Starts the page on a free loopback port, checks a generated 申报书 with a target below the minimum and a
blank left in the form, and photographs the result with the system Chromium (Playwright; no browser download)."""
from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from kcjs.corpus.build import application
from kcjs.corpus.gen import Tbl, docx_bytes
from kcjs.pipeline.packloader import load_pack
from tests.test_browser import DOCX, Server


def main(out: Path) -> None:
    pack = load_pack()
    body = application(pack, pack.subprogram("academician-center"), "target-below", "table")
    next(b for b in body if isinstance(b, Tbl)).rows[1][3] = "【请填写】"
    data = docx_bytes(body, style="bold")
    with Server() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 1200}, device_scale_factor=1)
        page.goto(server.url)
        page.set_input_files("#file", files=[{"name": "高端装备产业院士协同创新中心-申报书.docx", "mimeType": DOCX,
                                               "buffer": data}])
        page.wait_for_selector("#result .result", timeout=120_000)
        png = page.screenshot(full_page=True)
        browser.close()
    im = Image.open(io.BytesIO(png)).convert("RGB")
    im = im.quantize(colors=64, method=Image.Quantize.MEDIANCUT)  # a small PNG for the README
    im.save(out, optimize=True)
    print(f"{out}: {out.stat().st_size // 1024} KB, {im.size[0]}×{im.size[1]}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/kcjs-serve.png"))
