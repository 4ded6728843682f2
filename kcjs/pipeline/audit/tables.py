"""Staff's tables: the manifest (file, applicant, subprogram, kind[, direction]) and the blacklist."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

MANIFEST_COLUMNS = {"file": ("file", "文件", "文件名", "附件"), "applicant": ("applicant", "申报单位", "单位", "单位名称"),
                    "subprogram": ("subprogram", "子项目", "项目类别", "申报类别"),
                    "kind": ("kind", "材料类型", "类型", "材料"), "direction": ("direction", "方向")}
BLACKLIST_COLUMNS = {"applicant": ("applicant", "申报单位", "单位", "单位名称"), "reason": ("reason", "原因", "情形", "说明"),
                     "date": ("date", "日期", "时间")}


class TableError(Exception):
    pass


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8 or GBK) or the first sheet of an XLSX, keyed by header."""
    if not path.is_file():
        raise TableError(f"找不到 {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        try:
            ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as e:
            raise TableError(f"无法读取 Excel 文件 {path.name}：{e}") from None
        rows = [["" if c is None else str(c).strip() for c in r] for r in ws.iter_rows(values_only=True)]
    else:
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise TableError(f"{path.name} 既不是 UTF-8 也不是 GBK 编码")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise TableError(f"{path.name} 是空表")
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


def columns(rows: list[dict], wanted: dict[str, tuple], required: tuple[str, ...], name: str) -> list[dict]:
    """Rows re-keyed to our column ids, whatever language the header is in."""
    if not rows:
        return []
    header = list(rows[0])
    found = {}
    for key, names in wanted.items():
        col = next((h for h in header if h.strip().lower() in {n.lower() for n in names}), None)
        if col is not None:
            found[key] = col
    missing = [k for k in required if k not in found]
    if missing:
        need = "、".join(f"{wanted[k][1]}（{k}）" for k in missing)
        raise TableError(f"{name} 缺少列：{need}；现有列：{'、'.join(header)}")
    return [{k: (r.get(col) or "").strip() for k, col in found.items()} for r in rows]


_PREFIX = re.compile(r"^(江苏省|江苏|省)")
_SPACE_BRACKETS = re.compile(r"[\s()（）\[\]【】<>《》〈〉\"'“”]+")


def applicant_key(name: str) -> str:
    """An applicant's name for matching: no spaces or brackets, no 江苏省/省 prefix."""
    return _PREFIX.sub("", _SPACE_BRACKETS.sub("", name or ""))


def load_manifest(path: Path) -> dict[str, dict]:
    rows = columns(read_table(path), MANIFEST_COLUMNS, ("file",), f"清单 {path.name}")
    return {r["file"].replace("\\", "/"): r for r in rows if r.get("file")}


def load_blacklist(path: Path) -> dict[str, dict]:
    rows = columns(read_table(path), BLACKLIST_COLUMNS, ("applicant",), f"名单 {path.name}")
    return {applicant_key(r["applicant"]): r for r in rows if r.get("applicant")}
