"""The submissions of a batch: every file of a folder, or of a zip extracted safely."""
from __future__ import annotations

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

JUNK = {".ds_store", "thumbs.db", "desktop.ini"}
MAX_MEMBERS = 5000
MAX_TOTAL_BYTES = 4 * 2**30


@dataclass(frozen=True)
class Submission:
    path: Path       # where the file is on disk now
    name: str        # its name as staff know it: relative to the folder or the zip
    folder: str      # first folder of that name ('' at top level): often one per applicant
    skipped: str = ""  # why it was not extracted (then path does not exist)


class IntakeError(Exception):
    pass


def _junk(parts: tuple[str, ...]) -> bool:
    """Hidden files, macOS resource forks, Office lock files, Thumbs.db: not submissions."""
    return any(p not in (".", "..") and (p.startswith((".", "__MACOSX", "~$")) or p.lower() in JUNK) for p in parts)


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's real name: Chinese Windows zips store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def from_folder(root: Path) -> list[Submission]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _junk((d,)))
        for f in sorted(filenames):
            p = Path(dirpath) / f
            rel = p.relative_to(root)
            if _junk(rel.parts) or p.is_symlink():
                continue
            out.append(Submission(p, str(rel), rel.parts[0] if len(rel.parts) > 1 else ""))
    return out


def from_zip(archive: Path, into: Path, max_file_bytes: int) -> list[Submission]:
    """Extract safely: no path escapes, no links, limits on count and size; names decoded right."""
    try:
        zf = zipfile.ZipFile(archive)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise IntakeError(f"无法打开压缩包 {archive.name}：{e}") from None
    if len(infos) > MAX_MEMBERS:
        raise IntakeError(f"压缩包内有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}")
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise IntakeError(f"压缩包解压后超过 {MAX_TOTAL_BYTES // 2**30} GB")
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    out = []
    for info in infos:
        name = member_name(info).replace("\\", "/")
        parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "/"))
        if info.is_dir() or not parts or _junk(parts):
            continue
        folder = parts[0] if len(parts) > 1 else ""
        unsafe = name.startswith("/") or ".." in parts or ":" in parts[0] or stat.S_ISLNK(info.external_attr >> 16)
        if unsafe:
            out.append(Submission(into / "_skipped" / parts[-1], name, folder, "路径不安全（绝对路径、.. 或链接），已拒绝解压"))
            continue
        if info.file_size > max_file_bytes:
            out.append(Submission(into / "_skipped" / parts[-1], name, folder,
                                  f"文件 {info.file_size / 2**20:.1f} MB，超过上限 {max_file_bytes / 2**20:.0f} MB，未解压"))
            continue
        target = into.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            out.append(Submission(target, name, folder, f"压缩包内文件损坏，无法解压（{e}）"))
            continue
        out.append(Submission(target, name, folder))
    return out


def collect(input_path: Path, work: Path, max_file_bytes: int) -> list[Submission]:
    if input_path.is_dir():
        return from_folder(input_path)
    if input_path.is_file() and zipfile.is_zipfile(input_path):
        return from_zip(input_path, work / "extracted", max_file_bytes)
    if input_path.is_file():
        return [Submission(input_path, input_path.name, "")]
    raise IntakeError(f"找不到 {input_path}")
