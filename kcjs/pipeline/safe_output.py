"""Output that survives hostile values and kills: strict JSON, clean text, files replaced atomically."""
from __future__ import annotations

import errno
import json
import math
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

# C0/C1 controls except tab, newline, carriage return: illegal in XLSX, invisible or harmful on a terminal
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UMASK = os.umask(0)
os.umask(_UMASK)


def clean_text(s: str) -> str:
    """A string any report format can hold: control characters shown as U+FFFD, lone surrogates too."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("\ufffd", s))


def clean(value):
    """A copy of a JSON-like value with every string cleaned and every non-finite float (inf, nan) as None."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {clean_text(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def dumps(value, **kw) -> str:
    """Standard JSON (never Infinity or NaN) of a cleaned copy of value."""
    return json.dumps(clean(value), ensure_ascii=False, allow_nan=False, **kw)


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; on success it replaces `path` in one step (os.replace),
    so a kill while writing leaves the previous file whole. Raises OSError as writing does."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically (see atomic_path)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    return Path(path)


def input_error(e: BaseException) -> str:
    """A Chinese reason for a failure to read a file the user named (no Python error text)."""
    code = getattr(e, "errno", None)
    if code in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    if code == errno.ENOENT:
        return "文件不存在"
    if code == errno.EISDIR:
        return "这是一个目录，不是文件"
    if isinstance(e, UnicodeDecodeError):
        return "文件编码无法识别（请另存为 UTF-8 或 GBK 编码）"
    return "文件损坏、已加密或格式不对"


def output_error(e: BaseException, where: Path) -> str:
    """A Chinese sentence for a failure to write into `where` (permission, read-only, full disk, …)."""
    code = getattr(e, "errno", None)
    text = str(e).lower()
    full = readonly = False
    probe = Path(where)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:  # SQLite says only "disk I/O error": ask the file system
        st = os.statvfs(probe)
        readonly = bool(st.f_flag & os.ST_RDONLY)
        full = st.f_bavail * st.f_frsize < 2**20
    except OSError:
        pass
    if full or code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "disk is full" in text:
        why = "磁盘空间已满"
    elif readonly or code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text or "read-only" in text:
        why = "没有写入权限（目录只读或权限不足）"
    elif code in (errno.ENOTDIR, errno.EEXIST):
        why = "该路径不是目录"
    elif code == errno.ENAMETOOLONG:
        why = "路径过长"
    else:
        why = "无法写入"
    return f"无法写入输出目录 {where}：{why}。请换一个可写的目录（-o）或清理磁盘后重试"
