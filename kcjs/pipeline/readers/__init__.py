"""Readers: any submitted file -> Document. The format is decided by content, never by extension.

Bad input never raises: it ends as a Document with `readable=False` and one `file.*` finding.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kcjs.checkers.registry import rule
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding

UNREADABLE = rule("file.unreadable", "error", "文件损坏、截断或无法解析")
ENCRYPTED = rule("file.encrypted", "error", "文件已加密（设有打开密码）")
TOO_LARGE = rule("file.too_large", "error", "文件超过大小上限")
UNSUPPORTED = rule("file.unsupported", "error", "不支持的格式（.ofd、表格文件等；未安装 LibreOffice 时的 .doc/.wps/.rtf/.odt），需另存为 .docx 或 PDF")
EMPTY = rule("file.empty", "error", "文件为空或没有任何正文")
TIMEOUT = rule("file.timeout", "error", "读取超时（文件可能构造异常）")
MISLABELLED = rule("file.mislabelled", "warning", "扩展名与实际格式不符（已按实际格式读取）")
OCR_USED = rule("file.ocr", "info", "扫描页经 OCR 识别，文字可能有误")
OCR_LOW = rule("file.ocr_low_confidence", "warning", "扫描页 OCR 置信度低，检查结果可能不准")

IMAGE = rule("file.image", "info", "图片文件按扫描件 OCR 识别")
ODD_SIZE = rule("file.odd_size", "error", "页面过大或图片尺寸异常，无法按页面阅读")
CONVERTED = rule("file.converted", "info", "旧版或非 Word 格式（.doc/.wps/.rtf/.odt、网页格式的 .doc）已转换后检查")

OCR_LOW_CONFIDENCE = 0.80
MAX_IMAGE_PIXELS = 80_000_000  # a 600 dpi A3 scan is ~70 MP; larger is a decompression bomb
MAX_IMAGE_ASPECT = 20          # a page photo or scan is at most ~1:3 (a long receipt); 1×100000 is no page
MAX_PAGE_MM = 1500             # A0 is 841 × 1189 mm; a larger page cannot be rendered for OCR or seals


def image_as_pdf(data: bytes) -> bytes:
    """A page image (PNG, JPEG, TIFF) placed on an A4-wide PDF page, so it is read like a scanned page."""
    from PIL import Image

    from kcjs.pipeline.readers.photo import exif_upright
    try:
        with Image.open(_bytes_io(data)) as im:
            w, h = im.size
        if w * h <= MAX_IMAGE_PIXELS:
            data = exif_upright(data)  # a phone photo's EXIF orientation: read it as it is shown
            with Image.open(_bytes_io(data)) as im:
                w, h = im.size
    except Exception as e:
        raise BadFile(UNREADABLE, "图片已损坏，无法打开") from None
    if min(w, h) < 1 or max(w, h) > MAX_IMAGE_ASPECT * min(w, h):
        raise BadFile(ODD_SIZE, f"图片尺寸异常（{w}×{h} 像素），不是一页文档的照片或扫描件", "请提交 PDF 或 .docx")
    if w * h > MAX_IMAGE_PIXELS:
        raise BadFile(TOO_LARGE, f"图片 {w}×{h} 像素，超过上限 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素")
    import pymupdf
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=595 * h / w)
    try:
        page.insert_image(page.rect, stream=data)
    except Exception as e:
        raise BadFile(UNREADABLE, "图片无法解码，文件可能已损坏") from None
    return doc.tobytes()


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_unzipped_bytes: int = 300 * 1024 * 1024
    max_zip_ratio: float = 200.0
    max_zip_entries: int = 5000
    timeout_s: float = 120.0
    ocr: bool = True
    seals: bool = True
    max_memory_mb: int | None = 3072  # address space of the reading child (read_isolated, Reader)
    docs_per_reader: int = 50         # documents one long-lived reading child serves before a new one (Reader)


class BadFile(Exception):
    def __init__(self, rule_id: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.rule, self.message, self.hint = rule_id, message, hint


def sniff(data: bytes) -> str:
    """'pdf', 'docx', 'image', 'ole' (legacy .doc/.wps or an encrypted .docx), 'rtf', 'odt', 'ofd', 'odf' (other
    OpenDocument), 'zip', 'empty' or 'unknown'. A .docx is a package whose _rels/.rels main part is a Word body."""
    if not data.strip():
        return "empty"
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf\r\n\t ")
    if start.startswith(b"{\\rtf"):
        return "rtf"
    low = start[:512].lower()
    if low.startswith((b"<html", b"<!doctype html")) or (low.startswith(b"<?xml") and b"<html" in low) or _is_mht(data):
        return "html"  # a web page or MHT saved with a .doc name (what many office systems export as "Word")
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    if data[:2] == b"PK":
        try:
            zf = zipfile.ZipFile(_bytes_io(data))
            names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "zip"
        from kcjs.pipeline.readers.docx_package import is_word
        if is_word(zf):
            return "docx"
        if "OFD.xml" in names:
            return "ofd"
        if "mimetype" in names and "content.xml" in names:
            try:
                mime = zf.read("mimetype")[:100]
            except Exception:
                mime = b""
            return "odt" if mime.strip() in (b"application/vnd.oasis.opendocument.text",
                                              b"application/vnd.oasis.opendocument.text-template") else "odf"
        return "zip"
    return "unknown"


def _is_mht(data: bytes) -> bool:
    """An MHT web archive (Word's 单个文件网页): MIME headers first, a multipart/related body."""
    head = data[:1024].lstrip().lower()
    return head.startswith((b"mime-version:", b"content-type:", b"from:", b"subject:", b"date:")) and \
        b"multipart/related" in head


def _bytes_io(data: bytes):
    import io
    return io.BytesIO(data)


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse zip bombs and XML with DTDs or entities before any parser sees them."""
    try:
        zf = zipfile.ZipFile(_bytes_io(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise BadFile(UNREADABLE, "文件损坏，无法作为 Word 文档打开（压缩结构不完整）") from None
    if len(infos) > limits.max_zip_entries:
        raise BadFile(UNREADABLE, f"文件内部包含 {len(infos)} 个部件，超过上限 {limits.max_zip_entries}，疑似恶意构造")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped_bytes:
        raise BadFile(UNREADABLE, f"文件解压后达 {total // 2**20} MB，超过上限 {limits.max_unzipped_bytes // 2**20} MB，疑似压缩炸弹")
    for i in infos:
        if i.file_size > 2**20 and i.file_size > limits.max_zip_ratio * max(i.compress_size, 1):
            raise BadFile(UNREADABLE, f"部件 {i.filename} 压缩比异常（{i.file_size // max(i.compress_size, 1)}:1），疑似压缩炸弹")
        if i.filename.endswith((".xml", ".rels")):
            try:
                with zf.open(i) as f:
                    head = f.read(4096)
            except Exception:  # corrupt member (bad CRC, truncated)
                raise BadFile(UNREADABLE, f"文件损坏：部件 {i.filename} 无法读取（校验失败或数据截断）") from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise BadFile(UNREADABLE, f"部件 {i.filename} 含有 DTD/实体声明（Word 从不写入），疑似恶意构造，已拒绝")


def _ole_kind(data: bytes) -> str:
    """'encrypted' (a password-protected .docx), 'other' (a workbook or slides: .xls, .et, .ppt) or 'word'
    (.doc/.wps and anything else LibreOffice may open as text)."""
    if "EncryptedPackage".encode("utf-16-le") in data[:1 << 20] or b"EncryptedPackage" in data[:1 << 20]:
        return "encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "word"
    if any(s.encode("utf-16-le") in data for s in ("Workbook", "PowerPoint Document")):
        return "other"
    return "word"


def _convert(data: bytes, kind: str, ext: str, limits: Limits) -> tuple[bytes, Finding]:
    """A legacy file as .docx bytes (LibreOffice) and the file.converted finding; BadFile when it cannot be."""
    from kcjs.pipeline.readers import legacy
    fmt = "wps" if kind == "ole" and ext == ".wps" else {"ole": "doc", "rtf": "rtf", "odt": "odt"}[kind]
    name = legacy.FORMAT_NAMES[fmt]
    if legacy.soffice() is None:
        raise BadFile(UNSUPPORTED, f"这是{name}，无法检查（本机未安装 LibreOffice，无法自动转换）",
                      "请在 Word 或 WPS 中另存为 .docx 或导出 PDF 后重新提交")
    try:
        out = legacy.to_docx(data, fmt, timeout_s=max(5.0, limits.timeout_s * 0.8))
    except legacy.ConversionTimeout:
        raise BadFile(TIMEOUT, f"{name}用 LibreOffice 转换超时，已中止（文件可能构造异常）") from None
    except OSError:
        raise BadFile(UNSUPPORTED, f"这是{name}，转换程序 LibreOffice 无法启动（未安装或资源不足），无法检查",
                      "请在 Word 或 WPS 中另存为 .docx 或导出 PDF 后重新提交") from None
    if not out or sniff(out) != "docx":
        raise BadFile(UNREADABLE, f"这是{name}，LibreOffice 无法打开它（文件可能已损坏或设有打开密码）",
                      "请在 Word 或 WPS 中打开确认无误后另存为 .docx 或导出 PDF 后重新提交")
    return out, Finding(CONVERTED, "info", f"这是{name}，已用 LibreOffice 转换为 .docx 后检查；版式与字数可能与 Word 略有出入，"
                        "正式提交请另存为 .docx 或 PDF", expected="docx", actual=fmt)


def read_bytes(path: str, data: bytes, limits: Limits = Limits()) -> Document:
    """Read in this process. Raises BadFile for input that cannot become a Document."""
    kind = sniff(data)
    ext = Path(path).suffix.lower()
    warnings: list[Finding] = []
    if kind in ("pdf", "docx") and ext in (".pdf", ".docx", ".doc", ".wps") and ext[1:] != kind:
        warnings.append(Finding(MISLABELLED, "warning",
                                f"文件扩展名为 {ext}，实际内容是 {kind.upper()}，已按 {kind.upper()} 读取；请改正扩展名",
                                expected=ext[1:], actual=kind))
    if kind == "empty":
        raise BadFile(EMPTY, "文件为空（0 字节或只有空白）")
    if kind == "ole":
        ole = _ole_kind(data)
        if ole == "encrypted":
            raise BadFile(ENCRYPTED, "Word 文档设有打开密码，无法读取", "请取消密码后重新提交")
        if ole != "word":
            raise BadFile(UNSUPPORTED, "这是旧版 Office 文件（不是 Word/WPS 文字文档），无法检查",
                          "请提交 .docx 或 PDF")
    if kind in ("ole", "rtf", "odt"):
        data, converted = _convert(data, kind, ext, limits)
        warnings.append(converted)
        kind = "docx"
    if kind == "ofd":
        raise BadFile(UNSUPPORTED, "这是 OFD 版式文件，无法检查", "请导出为 PDF 后重新提交")
    if kind == "odf":
        raise BadFile(UNSUPPORTED, "这是 OpenDocument 表格或演示文稿（.ods/.odp），不是文字文档，无法检查",
                      "请提交 .docx 或 PDF")
    if kind == "zip":
        if ext == ".docx":
            check_zip(data, limits)  # a broken zip is unreadable; an intact non-Word zip is unsupported
        raise BadFile(UNSUPPORTED, "这是压缩包或其他 Office 文件，不是 Word 文档或 PDF", "请提交 .docx 或 PDF")
    if kind == "html":
        fmt = "MHT 网页存档" if _is_mht(data) else "网页（HTML）"
        warnings.append(Finding(CONVERTED, "info", f"这是{fmt}格式的文档（扩展名 {ext or '无'}），已按网页内容读取；"
                                "正式提交请在 Word 或 WPS 中另存为 .docx 或 PDF", expected="docx", actual="html"))
    if kind == "unknown":
        if ext in (".docx", ".pdf"):
            raise BadFile(UNREADABLE, f"文件内容不是有效的 {ext[1:].upper()}（文件头无法识别，可能已损坏或截断）")
        raise BadFile(UNSUPPORTED, f"无法识别的文件格式（{ext or '无扩展名'}）", "请提交 .docx 或 PDF")
    if kind == "image":  # a photo or scan of a page: read as a one-page scanned PDF
        data = image_as_pdf(data)
        kind = "pdf"
        warnings.append(Finding(IMAGE, "info", "这是图片文件，已按扫描件识别；正式提交请使用 PDF 或 .docx"))
    if kind == "html":
        doc = _read_html(path, data)
    elif kind == "docx":
        check_zip(data, limits)
        from kcjs.pipeline.readers.docx_reader import read_docx
        try:
            doc = read_docx(path, data, seals=limits.seals)
        except BadFile:
            raise
        except MemoryError:
            raise
        except Exception:
            raise BadFile(UNREADABLE, "Word 文档结构损坏，无法解析（文件不完整，或不是 Word/WPS 保存的文档）") from None
    else:
        from kcjs.pipeline.readers.pdf_reader import EncryptedPdf, read_pdf
        try:
            doc = read_pdf(path, data, ocr_pages=limits.ocr, seals=limits.seals)
        except EncryptedPdf:
            raise BadFile(ENCRYPTED, "PDF 设有打开密码，无法读取", "请取消密码后重新提交") from None
        except (Exception, MemoryError) as e:
            raise _pdf_failure(data, e) from None
    doc.findings = warnings + doc.findings + _ocr_findings(doc)
    doc.blue_seals = [s for s in doc.seals if s.mode == "blue"]  # a seal in blue ink is no 公章
    doc.seals = [s for s in doc.seals if s.mode != "blue"]
    if not any(b.text.strip() or b.rows for b in doc.blocks if b.type != "image"):
        has_images = any(b.type == "image" for b in doc.blocks)
        raise BadFile(EMPTY, "文件没有任何可读正文" + ("（只有图片：扫描件请确认已清晰扫描）" if has_images else ""))
    return doc


def _read_html(path: str, data: bytes) -> Document:
    """A web page (or MHT archive) as a Document: headings, paragraphs and tables as Word would import them."""
    from kcjs.pipeline.readers.docx_altchunk import chunk_blocks
    try:
        blocks = chunk_blocks(data, "message/rfc822" if _is_mht(data) else "text/html")
    except Exception:
        raise BadFile(UNREADABLE, "网页格式的文档无法解析（文件不完整或结构错误）") from None
    return Document(path=path, format="docx", blocks=blocks)


def _pdf_failure(data: bytes, e: BaseException) -> BadFile:
    """Why a PDF that would not read failed, in the user's terms: a page too large, an image of an
    impossible size, memory, or damage."""
    try:
        import pymupdf
        pdf = pymupdf.open(stream=data, filetype="pdf")
        for n, page in enumerate(pdf, 1):
            w, h = page.rect.width * 25.4 / 72, page.rect.height * 25.4 / 72
            if max(w, h) > MAX_PAGE_MM:
                return BadFile(ODD_SIZE, f"第 {n} 页页面过大（{w:.0f}×{h:.0f} mm，超过 {MAX_PAGE_MM} mm），无法识别",
                               "请按 A4 页面导出 PDF 后重新提交")
            for info in page.get_image_info():
                iw, ih = info.get("width") or 0, info.get("height") or 0
                if iw and ih and (max(iw, ih) > MAX_IMAGE_ASPECT * min(iw, ih) or iw * ih > MAX_IMAGE_PIXELS):
                    return BadFile(ODD_SIZE, f"第 {n} 页图片尺寸异常（{iw}×{ih} 像素），无法识别", "请重新导出 PDF 后提交")
    except Exception:
        pass
    if isinstance(e, MemoryError) or "memory" in str(e).lower():
        return BadFile(TOO_LARGE, "读取该 PDF 需要的内存超过上限（页面或图片过大）")
    return BadFile(UNREADABLE, "PDF 损坏，无法解析（文件不完整或结构错误）")


def _ocr_findings(doc: Document) -> list[Finding]:
    from kcjs.pipeline.findings import Location
    scanned = [p for p in doc.pages if p.source == "ocr"]
    if not scanned:
        return []
    from kcjs.pipeline.readers.pdf_textlayer import REASONS
    by_reason: dict[str, list[str]] = {}
    for p in scanned:
        by_reason.setdefault(p.ocr_reason or "scan", []).append(str(p.number))
    why = "；".join(f"第 {'、'.join(pages)} 页{REASONS.get(r, REASONS['scan'])}" for r, pages in by_reason.items())
    out = [Finding(OCR_USED, "info", f"{why}，已经 OCR 识别", Location(page=scanned[0].number))]
    for p in scanned:
        if p.ocr_confidence is not None and p.ocr_confidence < OCR_LOW_CONFIDENCE:
            out.append(Finding(OCR_LOW, "warning", f"第 {p.number} 页 OCR 平均置信度 {p.ocr_confidence:.2f}，"
                               "扫描可能不清晰，检查结果可能不准", Location(page=p.number),
                               expected=f"≥ {OCR_LOW_CONFIDENCE}", actual=p.ocr_confidence))
    return out


# what to do about a file that cannot be read, where the reader has nothing more particular to say
DEFAULT_HINTS = {
    UNREADABLE: "请用 Word/WPS 或 PDF 阅读器打开确认文件完好，重新保存（.docx）或导出 PDF 后再提交",
    EMPTY: "请确认提交的是填写好的材料本身（不是空白文件或未保存完的副本）；扫描件请重新扫描后提交",
}


def error_document(path: str, rule_id: str, message: str, hint: str | None = None) -> Document:
    """A Document that could not be read: one error finding (rule_id, message; the rule's default hint if none)."""
    return Document(path=path, readable=False,
                    findings=[Finding(rule_id, "error", message, hint=hint or DEFAULT_HINTS.get(rule_id))])


def read_document(path: str | os.PathLike, limits: Limits = Limits()) -> Document:
    """Read one file in this process; never raises for bad input."""
    path = str(path)
    digest = None
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # opening a FIFO or a device blocks or never ends
            return error_document(path, UNREADABLE, "不是普通文件（命名管道、设备文件或目录），无法作为材料读取")
        size = st.st_size
        if size > limits.max_bytes:
            return error_document(path, TOO_LARGE, f"文件大小 {size / 2**20:.1f} MB，超过上限 {limits.max_bytes / 2**20:.0f} MB",
                                  "请压缩图片或拆分文件后重新提交")
        with open(path, "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        doc = read_bytes(path, data, limits)
        doc.sha256 = digest
        return doc
    except BadFile as e:
        doc = error_document(path, e.rule, e.message, e.hint)
        doc.sha256 = digest
        return doc
    except OSError:
        return error_document(path, UNREADABLE, "无法打开文件（不存在、无读取权限或不是普通文件）")
    except RecursionError:
        return error_document(path, UNREADABLE, "文件结构嵌套过深，疑似恶意构造")
    except MemoryError:
        return error_document(path, TOO_LARGE, "读取该文件需要的内存超过上限")


def _limit_memory(limits: Limits) -> None:
    if limits.max_memory_mb:
        import resource
        cap = limits.max_memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _answer(fn, args) -> bytes:
    """fn(*args) as a pickled ("ok", value) or ("raised", detail): a bug ends as an outcome, never as a silent child."""
    try:
        return pickle.dumps(("ok", fn(*args)))
    except BaseException as e:
        try:
            return pickle.dumps(("raised", f"{type(e).__name__}: {str(e)[:300]}"))
        except BaseException:
            return pickle.dumps(("raised", "?"))


def _child(fn, args, limits: Limits, conn) -> None:
    _limit_memory(limits)
    try:
        conn.send_bytes(_answer(fn, args))
    except BaseException:
        pass
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers or inherited pool machinery in a forked child


PRELOADS = {  # what each kind of file needs imported; "signatures": pyHanko, for signed PDFs
    "docx": ("kcjs.pipeline.readers.docx_reader",),
    "pdf": ("kcjs.pipeline.readers.pdf_reader",),
    "seals": ("kcjs.pipeline.seals",),
    "signatures": ("pyhanko.pdf_utils.reader", "pyhanko.sign.validation", "pyhanko_certvalidator"),
}
_PRELOADED: set[str] = set()


def preload(*kinds: str) -> None:
    """Import the readers of these kinds (keys of PRELOADS; none: all of them) here, once, so that every
    forked child inherits them instead of importing them again (PyMuPDF, python-docx and OpenCV cost
    ~0.4 s, pyHanko ~0.3 s: paid in each child it was 80 % of a batch's time). A batch preloads all
    in its parent; `kcjs check` preloads what its file needs (kinds_of), so a .docx never loads PyMuPDF."""
    import importlib
    for kind in kinds or tuple(PRELOADS):
        if kind not in _PRELOADED:
            for module in PRELOADS[kind]:
                try:
                    importlib.import_module(module)
                except ImportError:  # pragma: no cover - a missing optional stack is imported (and judged) where used
                    pass
            _PRELOADED.add(kind)


def kinds_of(path: str | os.PathLike) -> tuple[str, ...]:
    """What to preload for one file, from its first bytes (a hint only: the child reads what the file
    really is and imports anything else it needs). () when it is not a regular file (opening a FIFO
    blocks) or cannot be read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ()
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError:
        return ()
    if b"%PDF-" in head:
        return ("pdf",)
    if head[:2] == b"PK":
        return ("docx",)
    return ()


@dataclass(frozen=True)
class Outcome:
    """How a limited run ended: 'ok' (value), 'raised' (detail, for logs only), 'timeout' or 'killed'
    (detail: the signal or exit status). 'timeout' and 'killed' may be the machine's fault, not the file's."""
    status: str
    value: object = None
    detail: str = ""

    @property
    def transient(self) -> bool:
        return self.status in ("timeout", "killed")


WALL_FACTOR = 3.0  # a child blocked without using the CPU is stopped after this many times the limit


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) a live process has used, from /proc; None where there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _wait_within(conn, pid: int, limit_s: float, base_s: float = 0.0) -> bool:
    """Wait for the child's answer while it has used less than `limit_s` seconds of CPU beyond `base_s`
    (what it had used before this call; and less than WALL_FACTOR × limit_s of wall time): on a loaded
    machine a document is not cut short for waiting its turn. True when the answer is there. Without
    /proc the limit is wall time."""
    start = time.monotonic()
    while True:
        if conn.poll(min(1.0, limit_s)):
            return True
        used = _cpu_seconds(pid)
        wall = time.monotonic() - start
        if (used - base_s if used is not None else wall) >= limit_s or wall >= limit_s * WALL_FACTOR:
            return conn.poll(0)


def _outcome(conn, proc, limits: Limits, base_s: float = 0.0) -> Outcome:
    """The answer of the child `proc` on `conn` within limits.timeout_s (see _wait_within); on a timeout
    the child is left running (the caller kills it)."""
    try:
        if _wait_within(conn, proc.pid, limits.timeout_s, base_s):
            status, value = pickle.loads(conn.recv_bytes())
            return Outcome("ok", value) if status == "ok" else Outcome("raised", detail=value)
        return Outcome("timeout", detail=f"{limits.timeout_s:g} s")
    except (EOFError, OSError, pickle.UnpicklingError):
        proc.join(5)
        code = proc.exitcode
        return Outcome("killed", detail=f"signal {-code}" if code is not None and code < 0 else f"status {code}")


def run_limited(fn, args: tuple, limits: Limits, kinds: tuple[str, ...] | None = None) -> Outcome:
    """fn(*args) in a forked child with limits.timeout_s seconds of CPU (see _wait_within) and
    limits.max_memory_mb of address space.
    The child inherits this process's imports: preload(*kinds) first (None: every reader; see kinds_of).
    fn's value must pickle."""
    if kinds is None:
        preload()
    elif kinds:  # () : nothing known to preload, the child imports what it needs
        preload(*kinds)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, limits, child), daemon=True)
    proc.start()
    child.close()
    try:
        return _outcome(parent, proc, limits)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


READER_GROWTH_MB = 512  # a reading child whose resident memory grew this much since it started is replaced
                        # (the OCR models, loaded on the first scan, are ~170 MB)


def _serve(conn, limits: Limits, parent_pid: int) -> None:
    """The loop of a Reader's child: (fn, args) in, _answer out, until the pipe closes."""
    _limit_memory(limits)
    _die_with_parent(parent_pid)
    try:
        while True:
            try:
                fn, args = pickle.loads(conn.recv_bytes())
            except (EOFError, OSError):
                break
            conn.send_bytes(_answer(fn, args))
    except BaseException:
        pass
    finally:
        os._exit(0)  # no atexit handlers or inherited pool machinery in a forked child


def _die_with_parent(parent_pid: int) -> None:
    """Linux: be killed when the process that started this child dies (a pool worker killed from
    outside must not leave its reading child running on a hostile document unwatched)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the request was in place
        os._exit(0)


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class Reader:
    """A long-lived forked reading child that runs many limited calls one after another (an audit
    worker's: forking a ~200 MB process per document cost ~25 ms of system time each).

    Each call gets the same guarantees as run_limited: limits.timeout_s seconds of the child's CPU
    counted from the call's start (its own rusage delta, see _wait_within) and the child's address
    space capped at limits.max_memory_mb. The child is replaced after a timeout, a crash or a call
    that raised, after limits.docs_per_reader calls, and when its resident memory grew by
    READER_GROWTH_MB since it started (what one document left behind is not the next one's to
    pay). fn must be importable and args must pickle (they are sent to the running child). `kinds`: what to
    preload before the child is forked (keys of PRELOADS; None: all; the child imports anything else it needs)."""

    def __init__(self, limits: Limits, kinds: tuple[str, ...] | None = None) -> None:
        self.limits = limits
        self.kinds = kinds  # what the child inherits imported (preload; None: every reader)
        self.proc = None
        self.conn = None
        self.served = 0
        self.rss0: float | None = None

    def _start(self) -> None:
        if self.kinds is None:
            preload()
        elif self.kinds:
            preload(*self.kinds)
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, self.limits, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.served, self.rss0 = 0, _rss_mb(self.proc.pid)  # a fresh fork: the pages it shares with this process

    def close(self) -> None:
        """End the child (a polite end when it is idle: its pipe closes and it exits)."""
        if self.proc is None:
            return
        self.conn.close()
        self.proc.join(1)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.proc = self.conn = None

    def _kill(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
        self.close()

    def call(self, fn, args: tuple) -> Outcome:
        """fn(*args) in the reading child under the limits (see the class)."""
        if self.proc is not None and (self.served >= max(1, self.limits.docs_per_reader) or not self.proc.is_alive()):
            self.close()
        if self.proc is None:
            self._start()
        try:
            message = pickle.dumps((fn, args))
        except Exception as e:  # a caller's bug (a local function): this call only
            return Outcome("raised", detail=f"{type(e).__name__}: {str(e)[:300]}")
        base = _cpu_seconds(self.proc.pid) or 0.0
        try:
            self.conn.send_bytes(message)
        except OSError:
            pass  # the child is gone: _outcome reads the end of its pipe and says how it ended
        got = _outcome(self.conn, self.proc, self.limits, base)
        self.served += 1
        if got.status != "ok":
            self._kill()
            return got
        rss = _rss_mb(self.proc.pid)
        if rss is not None and self.rss0 is not None and rss - self.rss0 >= READER_GROWTH_MB:
            self.close()
        return got


KILLED_MESSAGE = "读取时程序被中止（可能是内存不足或被系统终止），文件可能构造异常"


def timeout_message(limits: Limits, what: str = "读取") -> str:
    return f"{what}超过 {limits.timeout_s:g} 秒仍未完成，已中止（文件可能构造异常，或机器过于繁忙）"


def can_fork() -> bool:
    """Whether limited children can be forked here (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def read_isolated(path: str | os.PathLike, limits: Limits = Limits()) -> Document:
    """Read in a forked child with a time and memory limit: a file that makes a parser loop or crash ends cleanly."""
    path = str(path)
    got = run_limited(read_document, (path, limits), limits, kinds_of(path))
    if got.status == "ok":
        return got.value
    if got.status == "timeout":
        return error_document(path, TIMEOUT, timeout_message(limits))
    return error_document(path, UNREADABLE, KILLED_MESSAGE if got.status == "killed" else INTERNAL_MESSAGE)


INTERNAL_MESSAGE = "读取该文件时程序出错，文件可能构造异常；请人工审核，并把文件交给维护人员"
