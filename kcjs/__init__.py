"""kcjs: templates and compliance checks for the documents of Jiangsu's 科创江苏 special program.

Everything kcjs installs lives under this one name: kcjs.pipeline (CLI, rule pack, readers, batch,
reporters, forms), kcjs.checkers (one module per rule concern), kcjs.templates (.docx templates) and
kcjs.corpus (labelled sample documents and their generator)."""

import os as _os
import sys as _sys

# PyMuPDF ≥ 2 imports its ONNX layout model (`pymupdf.layout`, ~0.7 s CPU and ~50 MiB per process) on
# `import pymupdf`, inside a try/except ImportError. kcjs never uses it (tables come from ruling lines with
# use_layout=False), so the import is made to fail cheaply, and the "consider pymupdf_layout" hint it would
# then print on stdout (breaking `--format json`) is switched off. A program that imported it first keeps it.
_sys.modules.setdefault("pymupdf.layout", None)
# Likewise `pymupdf4llm` (its to_markdown hook, which imports NumPy and onnxruntime: ~0.15 s per process).
_sys.modules.setdefault("pymupdf4llm", None)
_os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")
