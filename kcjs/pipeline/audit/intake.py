"""The submissions of a batch: every file of a folder, or of a zip extracted safely.

Names are shown as staff know them, but made safe for every report: GBK bytes decoded, control
characters replaced, duplicates numbered. Files are stored under names kcjs makes (so a member
`x` beside `x/y.docx`, two members of one name or a 300-byte name cannot collide or fail), and a
zip inside the zip is expanded once, within the outer zip's limits."""
from __future__ import annotations

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from kcjs.pipeline.safe_output import clean_text

JUNK = {".ds_store", "thumbs.db", "desktop.ini"}
MAX_MEMBERS = 5000
MAX_TOTAL_BYTES = 4 * 2**30
MAX_RATIO = 200.0          # a member over 1 MB expanding more than this is a zip bomb (real .docx/PDF: < 20)
OWN_FILES = {"kcjs-report.json", "kcjs-report.xlsx", "kcjs-report.html", "kcjs-cache.sqlite", "kcjs-cache.sqlite-wal",
             "kcjs-cache.sqlite-shm"}


@dataclass(frozen=True)
class Submission:
    path: Path       # where the file is on disk now
    name: str        # its name as staff know it: relative to the folder or the zip
    folder: str      # first folder of that name ('' at top level): often one per applicant
    skipped: str = ""  # why it was not extracted or read (then it is not checked)
    note: str = ""     # a warning about its name (how the report shows it)
    kind: str = ""     # for skipped ones: 'unsafe', 'too_large', 'bomb', 'not_regular', 'damaged'


class IntakeError(Exception):
    pass


def _junk(parts: tuple[str, ...]) -> bool:
    """Hidden files, macOS resource forks, Office lock files, Thumbs.db: not submissions."""
    return any(p not in (".", "..") and (p.startswith((".", "__MACOSX", "~$")) or p.lower() in JUNK) for p in parts)


def decode_name(raw: bytes) -> tuple[str, str]:
    """(name, note) of raw name bytes: UTF-8, else GB18030 (Chinese Windows), else UTF-8 with U+FFFD."""
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "文件名不是 UTF-8 编码，已按 GBK 解码显示"
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), "文件名编码无法识别，无法识别的字符显示为 �"


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


class _Names:
    """Display names: clean and unique within a batch."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, name: str, note: str = "") -> tuple[str, str]:
        shown = clean_text(name)
        notes = [note] if note else []
        if shown != name:
            notes.append("文件名含控制字符或无效字符，报告中显示为 �")
        if shown in self.seen:
            stem, dot, ext = shown.rpartition(".") if "." in PurePosixPath(shown).name else (shown, "", "")
            k = 2
            while f"{stem}（同名第{k}个）{dot}{ext}" in self.seen:
                k += 1
            shown = f"{stem}（同名第{k}个）{dot}{ext}"
            notes.append(f"批次中有同名文件，此为第 {k} 个，报告中显示为“{shown}”")
        self.seen.add(shown)
        return shown, "；".join(notes)


def from_folder(root: Path, exclude: Path | None = None) -> list[Submission]:
    """Every file under root (sorted); `exclude` (the audit's OUT) and its reports are not submissions.
    FIFOs, devices and links are listed as skipped (opening a FIFO would block forever)."""
    out, names = [], _Names()
    ex = exclude.resolve() if exclude else None
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _junk((d,)) and not (ex and _same(here / d, ex)))
        own = ex is not None and _same(here, ex)
        for f in sorted(filenames):
            p = here / f
            rel = p.relative_to(root)
            if _junk(rel.parts) or (own and (f in OWN_FILES or f.startswith("kcjs-cache.sqlite"))):
                continue
            raw = os.fsencode(str(rel))
            name, note = names(*decode_name(raw))
            parts = PurePosixPath(name).parts
            folder = parts[0] if len(parts) > 1 else ""
            try:
                st = os.lstat(p)
            except OSError:
                out.append(Submission(p, name, folder, "文件无法访问（已被移走或没有权限），未检查", note, "damaged"))
                continue
            if stat.S_ISLNK(st.st_mode):
                out.append(Submission(p, name, folder, "这是符号链接，未检查（请放入文件本身）", note, "not_regular"))
            elif not stat.S_ISREG(st.st_mode):
                out.append(Submission(p, name, folder, "不是普通文件（命名管道、设备文件等），未检查", note, "not_regular"))
            else:
                out.append(Submission(p, name, folder, note=note))
    return out


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b
    except OSError:
        return False


class _Budget:
    """What one intake may write: members and bytes, shared by a zip and the zips inside it."""

    def __init__(self) -> None:
        self.members, self.bytes, self.files = 0, 0, 0


def _safe_suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if 1 < len(suffix) <= 8 and suffix[1:].isascii() and suffix[1:].isalnum() else ""


def from_zip(archive: Path, into: Path, max_file_bytes: int) -> list[Submission]:
    """Extract safely: no path escapes, no links, limits on count, size and ratio; names decoded right."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    return _extract(archive, archive.name, into, max_file_bytes, _Budget(), _Names(), "", depth=0)


def _extract(archive: Path, label: str, into: Path, max_file_bytes: int, budget: _Budget, names: _Names,
             prefix: str, depth: int) -> list[Submission]:
    try:
        zf = zipfile.ZipFile(archive)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise IntakeError(f"无法打开压缩包 {clean_text(label)}：文件损坏或不是 zip 格式") from None
    budget.members += len(infos)
    if budget.members > MAX_MEMBERS:
        raise IntakeError(f"压缩包内共有 {budget.members} 个文件（含压缩包中的压缩包），超过上限 {MAX_MEMBERS}")
    if sum(i.file_size for i in infos) + budget.bytes > MAX_TOTAL_BYTES:
        raise IntakeError(f"压缩包解压后超过 {MAX_TOTAL_BYTES // 2**30} GB（含压缩包中的压缩包）")
    out = []
    with zf:
        for info in infos:
            raw = member_name(info).replace("\\", "/")
            parts = tuple(p for p in PurePosixPath(raw).parts if p not in ("", "/"))
            if info.is_dir() or not parts or _junk(parts):
                continue
            name, note = names(prefix + raw)
            shown = PurePosixPath(name).parts
            folder = shown[0] if len(shown) > 1 else ""
            if folder.lower().endswith(".zip"):  # a zip inside the zip: its name is the folder's
                folder = folder[:-4]
            skip = lambda why, kind: out.append(Submission(into / "_skipped", name, folder, why, note, kind))  # noqa: E731
            if raw.startswith("/") or ".." in parts or ":" in parts[0] or stat.S_ISLNK(info.external_attr >> 16):
                skip("路径不安全（绝对路径、.. 或链接），已拒绝解压", "unsafe")
                continue
            if info.file_size > max_file_bytes:
                skip(f"文件 {info.file_size / 2**20:.1f} MB，超过上限 {max_file_bytes / 2**20:.0f} MB，未解压", "too_large")
                continue
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                skip(f"压缩比异常（{info.file_size // max(info.compress_size, 1)}:1），疑似压缩炸弹，未解压", "bomb")
                continue
            budget.files += 1
            target = into / f"{budget.files:05d}{_safe_suffix(parts[-1])}"
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, zipfile.LargeZipFile):
                skip("压缩包内文件损坏或加密，无法解压", "damaged")
                continue
            except OSError as e:
                if e.errno in (28, 122, 27):  # ENOSPC, EDQUOT, EFBIG: the work dir is full, not the member damaged
                    raise
                skip("压缩包内文件无法解压", "damaged")
                continue
            budget.bytes += target.stat().st_size
            if depth == 0 and _is_plain_zip(target):  # an applicant's folder zipped inside the batch zip
                inner = into / f"{budget.files:05d}.d"
                inner.mkdir()
                out.extend(_extract(target, name, inner, max_file_bytes, budget, names, name + "/", depth + 1))
                target.unlink()
                continue
            out.append(Submission(target, name, folder, note=note))
    return out


def _is_plain_zip(path: Path) -> bool:
    """A zip that is not an Office/OFD document (those are read as documents)."""
    try:
        with open(path, "rb") as f:
            if f.read(2) != b"PK":
                return False
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return not (names & {"word/document.xml", "OFD.xml", "mimetype", "[Content_Types].xml"})


def expand_zips(subs: list[Submission], into: Path, max_file_bytes: int) -> list[Submission]:
    """A folder's plain zips (named .zip or with no extension: a batch zip, an applicant's folder zipped) replaced by their members, named
    `a.zip/b.docx`, as a batch zip given as INPUT is: a zip inside them expanded once, within the same limits;
    a zip that cannot be expanded stays as a skipped submission."""
    budget, names, out = _Budget(), _Names(), []
    names.seen.update(s.name for s in subs)
    for k, sub in enumerate(subs):
        if sub.skipped or PurePosixPath(sub.name).suffix.lower() not in ("", ".zip") or not _is_plain_zip(sub.path):
            # a damaged 申报书.docx that is a zip of something else is a document to report on, never a folder
            out.append(sub)
            continue
        here = into / f"z{k:05d}"
        here.mkdir(parents=True)
        try:
            got = _extract(sub.path, sub.name, here, max_file_bytes, budget, names, sub.name + "/", depth=0)
            out.extend(replace(m, folder=_folder_in(sub, m.name)) for m in got)
        except IntakeError as e:
            out.append(Submission(sub.path, sub.name, sub.folder, f"{e}，未检查", sub.note, "damaged"))
    return out


def _folder_in(zipped: Submission, name: str) -> str:
    """The applicant folder of a member of a zip found in the input folder: the folder the zip sits in;
    for a zip at the top (a batch zip), the member's first folder inside it, else the zip's own name."""
    if zipped.folder:
        return zipped.folder
    inside = PurePosixPath(name[len(zipped.name) + 1:]).parts
    first = inside[0] if len(inside) > 1 else PurePosixPath(zipped.name).name
    return first[:-4] if first.lower().endswith(".zip") else first


def collect(input_path: Path, work: Path, max_file_bytes: int, out: Path | None = None) -> list[Submission]:
    """The submissions of INPUT (a folder, a zip or one file); `out` (the report folder) is left out."""
    if input_path.is_dir():
        return expand_zips(from_folder(input_path, exclude=out), work / "extracted", max_file_bytes)
    if input_path.is_file() and zipfile.is_zipfile(input_path):
        return from_zip(input_path, work / "extracted", max_file_bytes)
    if input_path.is_file():
        return [Submission(input_path, clean_text(input_path.name), "")]
    if input_path.exists():
        raise IntakeError(f"{clean_text(str(input_path))} 不是文件夹、压缩包或普通文件")
    raise IntakeError(f"找不到 {clean_text(str(input_path))}")
