"""Start-up: kcjs keeps PyMuPDF's ONNX layout model from loading, and says nothing on stdout about it."""
from __future__ import annotations

import subprocess
import sys


def test_pymupdf_layout_model_not_loaded_and_no_hint_on_stdout():
    code = ("import kcjs.pipeline.readers, pymupdf, sys\n"
            "d = pymupdf.open(); p = d.new_page(); p.insert_text((50, 50), 'x'); p.find_tables(use_layout=False)\n"
            "print(sorted(m for m in sys.modules if m.startswith('pymupdf.layout') and sys.modules[m] is not None))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out  # no layout module, and no "Consider using the pymupdf_layout" line
