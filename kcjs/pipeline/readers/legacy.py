"""Legacy word-processor files (.doc, .wps, .rtf, .odt) converted to .docx, and legacy workbooks (.xls, .et) to
.xlsx, with LibreOffice, where it is installed.

Each conversion runs `soffice --headless --convert-to docx` in a private temporary folder with its own
LibreOffice profile (so parallel conversions never share one), killed with its whole process group when
it outlives its time limit.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

FORMAT_NAMES = {"doc": "旧版 Word 文档（.doc）", "wps": "WPS 文字文档（.wps）", "rtf": "RTF 文档（.rtf）",
                "odt": "OpenDocument 文档（.odt）"}


class ConversionTimeout(Exception):
    pass


def soffice() -> str | None:
    """Path of LibreOffice's soffice (or libreoffice) on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, ext: str, timeout_s: float = 120.0) -> bytes | None:
    """The .docx LibreOffice makes of `data` (a file whose format `ext` names: doc, wps, rtf, odt), or None when
    LibreOffice is absent or cannot open it (corrupt, password-protected). Raises ConversionTimeout."""
    return _convert(data, ext, "docx", "MS Word 2007 XML", timeout_s)


def to_xlsx(data: bytes, ext: str, timeout_s: float = 120.0) -> bytes | None:
    """The .xlsx LibreOffice makes of a legacy workbook (`ext`: xls, et — what WPS 表格 and old Excel save),
    or None as to_docx. Raises ConversionTimeout."""
    return _convert(data, ext, "xlsx", "Calc MS Excel 2007 XML", timeout_s)


def _convert(data: bytes, ext: str, target: str, filter_name: str, timeout_s: float) -> bytes | None:
    exe = soffice()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="kcjs-soffice-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / f"input.{ext}"
        src.write_bytes(data)
        out = tmpdir / "out"
        cmd = [exe, f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nolockcheck", "--nodefault", "--nologo",
               "--convert-to", f"{target}:{filter_name}", "--outdir", str(out), str(src)]
        env = dict(os.environ, HOME=str(tmpdir), TMPDIR=str(tmpdir))
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                cwd=tmpdir, env=env, start_new_session=True)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise ConversionTimeout(f"LibreOffice 转换超过 {timeout_s:.0f} 秒") from None
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin and helpers it left behind
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        result = out / f"input.{target}"
        return result.read_bytes() if result.is_file() and result.stat().st_size else None
