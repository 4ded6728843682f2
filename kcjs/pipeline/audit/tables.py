"""Staff's tables: the manifest (file, applicant, subprogram, kind[, direction]) and the blacklist, as
Excel, WPS 表格 or CSV write them (title rows, notes above the header, wrong stored sheet size)."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kcjs.pipeline.safe_output import input_error
from kcjs.checkers.names import applicant_key, name_similarity  # noqa: F401  (staff's tables are matched by these)

MANIFEST_COLUMNS = {"file": ("file", "文件", "文件名", "文件名称", "附件", "附件名称", "材料文件", "文件路径"),
                    "applicant": ("applicant", "申报单位", "单位", "单位名称", "申报单位名称", "单位全称", "申报主体"),
                    "subprogram": ("subprogram", "子项目", "子项目名称", "申报子项目", "项目类别", "申报类别"),
                    "kind": ("kind", "材料类型", "类型", "材料", "材料名称", "材料类别"), "direction": ("direction", "方向")}
BLACKLIST_COLUMNS = {"applicant": ("applicant", "申报单位", "单位", "单位名称", "单位全称", "申报主体"),
                     "reason": ("reason", "原因", "情形", "说明", "处理原因"),
                     "date": ("date", "日期", "时间", "处理日期")}
HEADER_SCAN_ROWS = 15  # the header is looked for among the first rows (title rows and notes sit above it)
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".xls", ".et")
LEGACY_WORKBOOKS = (".xls", ".et")  # Excel 97–2003 and WPS 表格 files: read through LibreOffice


class TableError(Exception):
    pass


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def read_rows(path: Path) -> list[list[str]]:
    """Every row of a CSV (UTF-8 or GBK) or of the first sheet of an XLSX, as text cells. Raises TableError."""
    return read_sheets(path)[0]


def read_sheets(path: Path) -> list[list[list[str]]]:
    """The rows of every sheet of an XLSX (one "sheet" for a CSV), as text cells. The sheets' stored size
    (<dimension>, which WPS writes as A1) is ignored; a legacy .xls/.et workbook is read through LibreOffice.
    Raises TableError."""
    if not path.is_file():
        raise TableError(f"找不到 {path}")
    suffix = path.suffix.lower()
    source = path
    if suffix in LEGACY_WORKBOOKS or (suffix not in (".xlsx", ".xlsm") and _is_legacy_workbook(path)):
        source = io.BytesIO(_legacy_to_xlsx(path))
        suffix = ".xlsx"
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        try:
            wb = load_workbook(source, read_only=True, data_only=True)
            sheets = []
            for ws in wb.worksheets:
                ws.reset_dimensions()  # read-only mode believes <dimension>; WPS stores "A1" for any size
                sheets.append([[_cell(c) for c in r] for r in ws.iter_rows(values_only=True)])
            wb.close()
        except Exception as e:  # openpyxl raises many kinds on a damaged, encrypted or mislabelled workbook
            raise TableError(f"无法读取 Excel 文件 {path.name}：{input_error(e)}（可用 Excel 或 WPS 另存为 .xlsx 后重试）") from None
        return sheets or [[]]
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(f"{path.name} 既不是 UTF-8 也不是 GBK 编码")
    return [[[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]]


_HEADER_NOISE = re.compile(r"[\s*＊:：]+|[（(【\[].*?[)）】\]]")


def _is_legacy_workbook(path: Path) -> bool:
    """An OLE2 compound file (what .xls and .et are), whatever its name says."""
    with path.open("rb") as f:
        return f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _legacy_to_xlsx(path: Path) -> bytes:
    """A legacy workbook as .xlsx through LibreOffice. Raises TableError without it, or when it cannot read it."""
    from kcjs.pipeline.readers import legacy
    advice = "可用 Excel 或 WPS 另存为 .xlsx（Excel 工作簿）后重试"
    if legacy.soffice() is None:
        raise TableError(f"{path.name} 是旧版 Excel / WPS 表格文件，读取需要 LibreOffice（未安装）；{advice}")
    try:
        ext = path.suffix.lower().lstrip(".") if path.suffix.lower() in LEGACY_WORKBOOKS else "xls"
        data = legacy.to_xlsx(path.read_bytes(), ext)
    except legacy.ConversionTimeout:
        data = None
    if not data:
        raise TableError(f"无法读取旧版 Excel / WPS 表格文件 {path.name}；{advice}")
    return data


def _header_name(h: str) -> str:
    """A header as written, without spaces, asterisks or notes in brackets: "文件名（含扩展名）*" -> "文件名"."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", h)).lower()


def _match_header(row: list[str], wanted: dict[str, tuple]) -> dict[str, int]:
    found: dict[str, int] = {}
    names = [_header_name(h) for h in row]
    for key, synonyms in wanted.items():
        col = next((i for i, n in enumerate(names) if n and n in {s.lower() for s in synonyms} and i not in found.values()),
                   None)
        if col is not None:
            found[key] = col
    return found


@dataclass(frozen=True)
class Table:
    rows: list[dict]   # re-keyed to our column ids, each with "_line" (its row number in the sheet, from 1)
    header_line: int


def _stacked(upper: list[str], lower: list[str]) -> list[str]:
    """Two header rows read as one: each column's lower cell where it has text, else the upper one (merged
    cells keep their text in their first cell only)."""
    n = max(len(upper), len(lower))
    return [(lower[c] if c < len(lower) and lower[c] else upper[c] if c < len(upper) else "") for c in range(n)]


def columns(raw: list[list[str]], wanted: dict[str, tuple], required: tuple[str, ...], name: str) -> Table:
    """Find the header among the first rows (title rows, notes and merged cells may sit above it) and
    re-key the rows below it to our column ids, whatever language the header is in. Raises TableError."""
    if not any(any(r) for r in raw):
        raise TableError(f"{name} 是空表")
    best: tuple[int, dict[str, int]] | None = None
    for i, row in enumerate(raw[:HEADER_SCAN_ROWS]):
        # the header in one row, or in two (a merged 申报信息 over 子项目 | 材料类型, 文件名称 merged down)
        for end, header in ((i, row), (i + 1, _stacked(row, raw[i + 1] if i + 1 < len(raw) else []))):
            found = _match_header(header, wanted)
            if all(k in found for k in required) and (best is None or len(found) > len(best[1])):
                best = (end, found)
        if best is not None and len(best[1]) == len(wanted):
            break
    if best is None:
        first = next(r for r in raw if any(r))
        need = "、".join(f"{wanted[k][1]}（{k}）" for k in required)
        raise TableError(f"{name} 前 {HEADER_SCAN_ROWS} 行中找不到含 {need} 的表头；第一行为：{'、'.join(c for c in first if c)}")
    at, found = best
    rows = []
    for n, r in enumerate(raw[at + 1:], at + 2):
        if not any(r):
            continue
        row = {k: (r[c] if c < len(r) else "").strip() for k, c in found.items()}
        row["_line"] = n
        rows.append(row)
    return Table(rows, at + 1)


def _first_table(path: Path, wanted: dict[str, tuple], required: tuple[str, ...], name: str) -> Table:
    """The first sheet with a header (a sheet of instructions may come first); the first sheet's error if none has."""
    first_error: TableError | None = None
    for rows in read_sheets(path):
        try:
            return columns(rows, wanted, required, name)
        except TableError as e:
            first_error = first_error or e
    raise first_error


def load_manifest(path: Path) -> list[dict]:
    """Manifest rows that name a file: {"file", "applicant"?, "subprogram"?, "kind"?, "direction"?, "_line"}."""
    t = _first_table(path, MANIFEST_COLUMNS, ("file",), f"清单 {path.name}")
    return [r for r in t.rows if r.get("file")]


def load_blacklist(path: Path) -> list[dict]:
    """Blacklist rows: {"applicant", "reason"?, "date"?, "_line"}."""
    t = _first_table(path, BLACKLIST_COLUMNS, ("applicant",), f"名单 {path.name}")
    return [r for r in t.rows if r.get("applicant")]


def looks_like(path: Path) -> str | None:
    """"manifest" or "blacklist" when a table in the input folder is one of staff's lists, else None."""
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return None
    try:
        sheets = read_sheets(path)
    except TableError:
        return None
    for role, wanted, required in (("manifest", MANIFEST_COLUMNS, ("file",)),
                                   ("blacklist", BLACKLIST_COLUMNS, ("applicant", "reason"))):
        for raw in sheets:
            try:
                columns(raw, wanted, required, path.name)
                return role
            except TableError:
                continue
    return None


# --- file names as staff write them ------------------------------------------------------------------

def _file_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).replace("\\", "/").strip().strip("/").lower()


def match_files(names: list[str], rows: list[dict]) -> tuple[dict[str, dict], list[dict]]:
    """Pair submitted files with manifest rows: the same relative path, else a path ending the same way,
    else the same file name, else the same name without extension (each row used once).
    Returns ({file name: row}, rows that name no submitted file)."""
    free = list(rows)
    paired: dict[str, dict] = {}
    keys = {n: _file_key(n) for n in names}

    def take(n: str, test) -> None:
        hit = next((r for r in free if test(_file_key(r["file"]), keys[n])), None)
        if hit is not None:
            paired[n] = hit
            free.remove(hit)

    tests = (lambda row, f: row == f,
             lambda row, f: "/" in row and (f.endswith("/" + row) or row.endswith("/" + f)),
             lambda row, f: PurePosixPath(row).name == PurePosixPath(f).name,
             lambda row, f: PurePosixPath(row).stem == PurePosixPath(f).stem and PurePosixPath(row).suffix == "")
    for test in tests:
        for n in names:
            if n not in paired:
                take(n, test)
    return paired, free
