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


HEAVY = ("fitz", "pymupdf", "rapidocr", "onnxruntime", "pyhanko", "pyhanko_certvalidator", "langdetect", "cv2")


def _loaded_after_check(path, tmp_path) -> list[str]:
    """The heavy modules loaded by `kcjs check PATH --format json` in a fresh interpreter: in the reading child
    (recorded once it has read and checked) and in the parent (at its end)."""
    out = tmp_path / "modules.txt"
    code = ("import sys\n"
            f"HEAVY = {HEAVY!r}\n"
            "def dump():\n"
            f"    with open({str(out)!r}, 'a') as f:\n"
            "        f.write(' '.join(m for m in sys.modules if m.split('.')[0] in HEAVY and sys.modules[m] is not None) + '\\n')\n"
            "import kcjs.pipeline.check as check\n"
            "read_and_check = check._read_and_check\n"
            "def recorded(*args):\n"
            "    result = read_and_check(*args)\n"
            "    dump()\n"
            "    return result\n"
            "check._read_and_check = recorded\n"
            "from kcjs.pipeline.cli import app\n"
            f"sys.argv = ['kcjs', 'check', {str(path)!r}, '--format', 'json']\n"
            "try:\n"
            "    app()\n"
            "finally:\n"
            "    dump()\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr
    assert '"status"' in p.stdout
    lines = out.read_text().split("\n")[:-1]
    assert len(lines) == 2, lines  # the reading child's, then the parent's
    return sorted({m.split(".")[0] for line in lines for m in line.split()})


def test_checking_a_docx_loads_no_pdf_ocr_signature_or_language_stack(tmp_path):
    """`kcjs check` of a .docx without images imports neither PyMuPDF nor RapidOCR/onnxruntime, pyHanko, OpenCV
    or langdetect, in the parent or in the reading child: they are imported where used (a test of what loads,
    not of time)."""
    from kcjs.corpus.build import application
    from kcjs.corpus.gen import docx_bytes
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    path = tmp_path / "申报书.docx"
    path.write_bytes(docx_bytes(application(pack, pack.subprogram("academician-center"), "compliant", "table")))
    assert _loaded_after_check(path, tmp_path) == []


def test_checking_a_sealed_docx_loads_no_pdf_or_signature_stack(tmp_path):
    """A seal image in a .docx needs OpenCV and RapidOCR (its ring text), never PyMuPDF or pyHanko."""
    from kcjs.corpus.build import application
    from kcjs.corpus.gen import docx_bytes
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    path = tmp_path / "申报书.docx"
    path.write_bytes(docx_bytes(application(pack, pack.subprogram("academician-center"), "compliant", "table"),
                                seal="inline"))
    loaded = _loaded_after_check(path, tmp_path)
    assert "cv2" in loaded  # the seal was searched for
    assert not {"fitz", "pymupdf", "pyhanko", "pyhanko_certvalidator", "langdetect"} & set(loaded), loaded


def test_a_batch_parent_preloads_pyhanko_once_and_a_docx_parent_only_the_docx_reader():
    """An audit's parent (preload(): every reader) imports pyHanko once, so a signed PDF's reading child does
    not import it again; `kcjs check` of a .docx preloads the .docx reader alone."""
    code = ("import sys\n"
            "from kcjs.pipeline.readers import preload\n"
            "def loaded():\n"
            "    return sorted({m.split('.')[0] for m, v in sys.modules.items() if v is not None}\n"
            "                  & {'docx', 'pymupdf', 'cv2', 'pyhanko'})\n"
            "preload('docx')\n"
            "print(loaded())\n"
            "preload()\n"
            "print(loaded())\n"
            "print('pyhanko.sign.validation' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:3] == ["['docx']", "['cv2', 'docx', 'pyhanko', 'pymupdf']", "True"], out
