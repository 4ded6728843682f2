"""Annotated copies: the applicant's own file back, each finding marked where it stands.

.docx: a Word comment (message, requirement, fix) anchored on the paragraph, table cell or run the finding
points at, with a highlight; findings without a place go into one comment on the title.
PDF (text or scanned) and page images: a highlight on the line boxes and a note beside them (PyMuPDF).
The original is never changed: the copy is `名称.kcjs批注.docx` / `名称.kcjs批注.pdf`.
"""
from __future__ import annotations

import io
import multiprocessing
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from kcjs.pipeline.document import Block, Document

AUTHOR, INITIALS = "kcjs", "KC"
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_NAMES = {"pass": "通过", "fail": "不通过", "review": "需人工核对", "error": "无法读取"}
SUFFIX = ".kcjs批注"
MIN_LINE_PT = 10.0  # no row of a table is shorter than a line of 10 pt text
_PDF_COLORS = {"error": (1.0, 0.85, 0.0), "warning": (0.55, 0.85, 1.0), "info": (0.75, 0.95, 0.75)}


class AnnotateError(Exception):
    """The copy could not be written (the file is not one kcjs can mark, or marking it failed)."""


def annotated_name(name: str, fmt: str) -> str:
    """'申报书.docx', 'docx' -> '申报书.kcjs批注.docx'; a bare name, never a path (separators dropped)."""
    stem = Path(re.sub(r"[\\/\x00-\x1f]", "_", name)).stem.strip(" .") or "document"
    return f"{stem[:120]}{SUFFIX}.{fmt}"


def comment_text(f: dict) -> list[str]:
    """The lines of one finding's note: 【级别】message, 位置, 要求/实际, 建议 (Chinese, for the applicant)."""
    from kcjs.pipeline.check_view import where
    lines = [f"【{SEVERITY_NAMES.get(f['severity'], f['severity'])}】{f['message']}"]
    loc = f.get("location") or {}
    if where(loc):
        lines.append(f"位置：{where(loc)}")
    if f.get("expected") is not None:
        lines.append(f"要求：{_plain(f['expected'])}")
    if f.get("actual") is not None:
        lines.append(f"实际：{_plain(f['actual'])}")
    if f.get("hint"):
        lines.append(f"建议：{f['hint']}")
    lines.append(f"（kcjs 规则 {f['rule']}）")
    return lines


def _plain(v) -> str:
    if isinstance(v, dict):
        return "；".join(f"{k} {x}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    return str(v)


def summary_lines(result: dict, unplaced: list[dict]) -> list[str]:
    counts = {s: sum(f["severity"] == s for f in result["findings"]) for s in SEVERITY_NAMES}
    head = (f"kcjs 检查结论：{STATUS_NAMES.get(result['status'], result['status'])}（错误 {counts['error']} 个，"
            f"警告 {counts['warning']} 个，提示 {counts['info']} 个）。各问题的批注标在原文对应位置。")
    lines = [head]
    if unplaced:
        lines.append("以下问题没有具体位置（针对全文）：")
        for n, f in enumerate(unplaced, 1):
            body = comment_text(f)
            lines.append(f"{n}. " + body[0] + "".join(f"；{x}" for x in body[1:-1]))
    return lines


def _block_of(f: dict, doc: Document) -> int | None:
    loc = f.get("location") or {}
    b = loc.get("block")
    if isinstance(b, int) and 0 <= b < len(doc.blocks):
        if doc.blocks[b].type == "image" and doc.blocks[b].anchor is not None:
            return doc.blocks[b].anchor
        return b
    return None


def title_block(doc: Document) -> int | None:
    """The title (a level-0 heading), else the first text block: where findings without a place are noted."""
    texts = [i for i, b in enumerate(doc.blocks) if b.type in ("heading", "paragraph") and b.text.strip()]
    return next((i for i in texts if doc.blocks[i].level == 0), texts[0] if texts else None)


# --- .docx ------------------------------------------------------------------------------------

def _docx_elements(data: bytes):
    """Re-walk the .docx as the reader does, remembering the XML element of every block.

    Returns (python-docx Document, blocks as read, [element per block])."""
    from kcjs.pipeline.readers.docx_reader import DocxReader

    class Walk(DocxReader):
        elements: dict = {}  # block index -> w:p or w:tbl; blocks from elsewhere (altChunk parts) have none

        def _paragraph(self, p) -> None:
            n = len(self.doc.blocks)
            super()._paragraph(p)
            self.elements.update({i: p for i in range(n, len(self.doc.blocks))})

        def _table(self, tbl) -> None:
            n = len(self.doc.blocks)
            super()._table(tbl)
            self.elements.update({i: tbl for i in range(n, len(self.doc.blocks))})

    walk = Walk("", data, seals=False)
    walk.elements = {}
    walk._walk(walk.d.element.body)
    return walk.d, walk.doc.blocks, walk.elements


def _cell_map(tbl) -> dict[tuple[int, int], object]:
    """Grid position -> the w:tc that shows it (merged cells: their first cell), as the reader's grid()."""
    from kcjs.pipeline.readers.docx_reader import NS, W, _val
    pos: dict[tuple[int, int], object] = {}
    for r, tr in enumerate(tbl.iterfind("w:tr", NS)):
        before = _val(tr, "w:trPr/w:gridBefore")
        c = int(before) if before and before.isdigit() else 0
        for tc in tr.iterfind("w:tc", NS):
            span = _val(tc, "w:tcPr/w:gridSpan")
            span = int(span) if span and span.isdigit() else 1
            vmerge = tc.find("w:tcPr/w:vMerge", NS)
            origin = tc
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue" and r > 0:
                origin = pos.get((r - 1, c), tc)
            for k in range(span):
                pos[(r, c + k)] = origin
            c += span
    return pos


@dataclass
class _Anchor:
    runs: list          # python-docx Run objects the comment spans
    highlight: list     # runs to highlight
    cell: object = None  # w:tc to shade


def _own_runs(p_el, paragraph_parent):
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run
    para = Paragraph(p_el, paragraph_parent)
    from kcjs.pipeline.readers.docx_reader import run_text
    direct = [Run(r, para) for r in p_el.iterchildren("{%s}r" % _w())]
    texty = [r for r in direct if run_text(r._r).strip()]
    return para, direct, texty


def _w() -> str:
    from kcjs.pipeline.readers.docx_reader import NS
    return NS["w"]


def _runs_for_quote(texty: list, quote: str | None) -> list:
    """The runs that hold the quoted words (a '…'-shortened quote matched by its start), else all."""
    if not quote or len(texty) < 2:
        return texty
    from kcjs.pipeline.readers.docx_reader import run_text
    q = quote.rstrip("…").strip()
    texts = [run_text(r._r) for r in texty]
    whole = "".join(texts)
    at = whole.find(q) if q else -1
    if at < 0 or (at == 0 and len(q) >= len(whole) - 1):
        return texty
    out, pos = [], 0
    for r, t in zip(texty, texts):
        if pos < at + len(q) and at < pos + len(t):
            out.append(r)
        pos += len(t)
    return out or texty


def _paragraph_anchor(p_el, parent, quote: str | None) -> _Anchor:
    para, direct, texty = _own_runs(p_el, parent)
    if not texty:  # text only inside hyperlinks or tracked insertions: anchor on an empty run at the end
        run = para.add_run("")
        return _Anchor([run], [])
    chosen = _runs_for_quote(texty, quote)
    return _Anchor(chosen, chosen)


def _cell_anchor(tc, parent) -> _Anchor:
    from kcjs.pipeline.readers.docx_reader import NS
    paras = tc.findall("w:p", NS)
    if not paras:
        paras = [tc.makeelement("{%s}p" % _w(), {})]
        tc.append(paras[0])
    runs = []
    for p in paras:
        runs.extend(_own_runs(p, parent)[2])
    if not runs:  # an empty cell (a value left blank): anchor on a new empty run, shade the cell
        from docx.text.paragraph import Paragraph
        runs = [Paragraph(paras[0], parent).add_run("")]
        return _Anchor(runs, [], tc)
    return _Anchor(runs, runs, tc)


def _shade(tc, fill: str) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    tcPr = tc.get_or_add_tcPr()
    for old in tcPr.findall("{%s}shd" % _w()):
        tcPr.remove(old)
    tcPr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def annotate_docx(data: bytes, doc: Document, result: dict) -> bytes:
    """A copy of the .docx `data` with one Word comment per finding of `result` (the check of `doc`).

    Raises AnnotateError when the file cannot be re-walked as it was read."""
    from docx.enum.text import WD_COLOR_INDEX
    try:
        d, blocks, elements = _docx_elements(data)
    except Exception as e:
        raise AnnotateError(f"无法重新打开 Word 文档（{type(e).__name__}）") from None
    same = len(blocks) == len(doc.blocks) and all(a.type == b.type and a.text == b.text for a, b in zip(blocks, doc.blocks))
    parent = d._body
    color = {"error": WD_COLOR_INDEX.YELLOW, "warning": WD_COLOR_INDEX.TURQUOISE}
    fill = {"error": "FFF2A8", "warning": "CFF3FF"}
    unplaced = []
    for f in result["findings"]:
        i = _block_of(f, doc) if same else None
        if i is None or elements.get(i) is None:
            unplaced.append(f)
            continue
        loc, el, block = f.get("location") or {}, elements[i], doc.blocks[i]
        if block.type == "table":
            cells = _cell_map(el)
            cell = tuple(loc["cell"]) if isinstance(loc.get("cell"), list) and len(loc["cell"]) == 2 else None
            tc = cells.get(cell) if cell else None
            if tc is None:
                tc = cells.get((0, 0))
                if tc is None:
                    unplaced.append(f)
                    continue
            anchor = _cell_anchor(tc, parent)
        else:
            anchor = _paragraph_anchor(el, parent, loc.get("quote"))
        comment = d.add_comment(anchor.runs, text=comment_text(f)[0], author=AUTHOR, initials=INITIALS)
        for line in comment_text(f)[1:]:
            comment.add_paragraph(line)
        if f["severity"] in color:
            for r in anchor.highlight:
                r.font.highlight_color = color[f["severity"]]
            if anchor.cell is not None:
                _shade(anchor.cell, fill[f["severity"]])
    def is_p(el) -> bool:
        return el is not None and el.tag == "{%s}p" % _w()

    t = title_block(doc) if same else None
    if t is None or not is_p(elements.get(t)):
        t = next((i for i in sorted(elements) if is_p(elements[i])), None)
    if t is not None:
        anchor = _paragraph_anchor(elements[t], parent, None)
    else:  # nothing to hang it on: a new first paragraph
        body = d.element.body
        p = body.makeelement("{%s}p" % _w(), {})
        body.insert(0, p)
        anchor = _paragraph_anchor(p, parent, None)
    lines = summary_lines(result, unplaced)
    comment = d.add_comment(anchor.runs, text=lines[0], author=AUTHOR, initials=INITIALS)
    for line in lines[1:]:
        comment.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --- PDF --------------------------------------------------------------------------------------

def _line_rects(page, block: Block, text: str | None):
    """Rectangles to highlight on `page`: where `text` stands inside the block, else the block's text
    lines, else (a scanned page: no text layer) the block's box."""
    import pymupdf
    box = pymupdf.Rect(block.box) if block.box else None
    if box is None:
        return []
    if text:
        q = text.rstrip("…").strip()[:30]
        if q:
            hits = page.search_for(q, clip=box + (-2, -2, 2, 2))
            if hits:
                return hits
    lines = []
    for b in page.get_text("dict", clip=box).get("blocks", []):
        for ln in b.get("lines", []):
            r = pymupdf.Rect(ln["bbox"])
            if r.intersects(box) and any(s.get("text", "").strip() for s in ln.get("spans", [])):
                lines.append(r)
    return lines or [box]


def _row_band(block: Block, row: int):
    """The band of a table's box that holds `row`, rows as tall as their most-wrapped cell (a scan's table
    has no cell boxes in the Document)."""
    import pymupdf
    box = pymupdf.Rect(block.box)
    rows = block.rows or []
    if not 0 <= row < len(rows):
        return box
    weights = [max([1] + [c.count("\n") + 1 for c in r]) for r in rows]
    total = sum(weights)
    if box.height / total < MIN_LINE_PT:  # rows this thin: the table goes on over the page, mark all of this part
        return box
    y0 = box.y0 + box.height * sum(weights[:row]) / total
    return pymupdf.Rect(box.x0, y0, box.x1, y0 + box.height * weights[row] / total)


def annotate_pdf(data: bytes, doc: Document, result: dict) -> bytes:
    """A copy of the PDF `data` with a highlight and a note per finding of `result` (the check of `doc`).

    Raises AnnotateError when PyMuPDF cannot open or save it."""
    import pymupdf
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
        if pdf.needs_pass and not pdf.authenticate(""):
            raise AnnotateError("PDF 设有打开密码")
    except AnnotateError:
        raise
    except Exception as e:
        raise AnnotateError(f"无法重新打开 PDF（{type(e).__name__}）") from None
    unplaced = []
    notes_on: dict[int, int] = {}
    for f in result["findings"]:
        i = _block_of(f, doc)
        block = doc.blocks[i] if i is not None else None
        page_no = block.page if block is not None and block.page else None
        if block is None or page_no is None or not block.box or not 1 <= page_no <= pdf.page_count:
            unplaced.append(f)
            continue
        page = pdf[page_no - 1]
        loc = f.get("location") or {}
        target = loc.get("quote")
        cell = loc.get("cell")
        if block.type == "table" and block.rows and isinstance(cell, list) and len(cell) == 2:
            r, c = cell
            if 0 <= r < len(block.rows) and 0 <= c < len(block.rows[r]):
                target = block.rows[r][c].split("\n")[0] or block.rows[r][0].split("\n")[0] or target
        rects = _line_rects(page, block, target)
        if block.type == "table" and isinstance(cell, list) and len(rects) == 1 and rects[0] == pymupdf.Rect(block.box):
            rects = [_row_band(block, cell[0])]  # a scanned table: no words to find, mark the row
        text = "\n".join(comment_text(f))
        color = _PDF_COLORS.get(f["severity"], _PDF_COLORS["info"])
        hl = page.add_highlight_annot([pymupdf.Rect(r) for r in rects])
        hl.set_colors(stroke=color)
        hl.set_info(title=AUTHOR, content=text)
        hl.update()
        k = notes_on.get(page_no, 0)
        notes_on[page_no] = k + 1
        top = rects[0]
        x = min(page.rect.width - 22, max(r.x1 for r in rects) + 4)
        note = page.add_text_annot(pymupdf.Point(x, max(4, top.y0 + 10 * (k % 3) - 2)), text, icon="Comment")
        note.set_colors(stroke=color)
        note.set_info(title=AUTHOR, content=text)
        note.update()
    lines = summary_lines(result, unplaced)
    t = title_block(doc)
    tb = doc.blocks[t] if t is not None else None
    if tb is not None and tb.page and tb.box and 1 <= tb.page <= pdf.page_count:
        page, point = pdf[tb.page - 1], pymupdf.Point(max(4, tb.box[0] - 22), tb.box[1])
    else:
        page, point = pdf[0], pymupdf.Point(20, 20)
    note = page.add_text_annot(point, "\n".join(lines), icon="Note")
    note.set_colors(stroke=_PDF_COLORS["error"] if result["status"] != "pass" else _PDF_COLORS["info"])
    note.set_info(title=AUTHOR, content="\n".join(lines))
    note.update()
    return pdf.tobytes(garbage=1, deflate=True)


# --- any format -------------------------------------------------------------------------------

def annotate_bytes(data: bytes, doc: Document, result: dict) -> tuple[bytes, str]:
    """(annotated copy, 'docx' or 'pdf') of the file `data`, read as `doc` and checked as `result`.

    A page image comes back as a one-page PDF. Raises AnnotateError for what cannot be marked."""
    from kcjs.pipeline.readers import BadFile, image_as_pdf, sniff
    if not doc.readable:
        raise AnnotateError("文件无法读取，不能生成批注版")
    kind = sniff(data)
    if kind == "docx":
        return annotate_docx(data, doc, result), "docx"
    if kind == "image":
        try:
            data = image_as_pdf(data)
        except BadFile as e:
            raise AnnotateError(e.message) from None
        kind = "pdf"
    if kind == "pdf":
        return annotate_pdf(data, doc, result), "pdf"
    raise AnnotateError("只能为 .docx、PDF 和图片生成批注版")


def _child(data: bytes, doc: Document, result: dict, max_memory_mb: int | None, conn) -> None:
    if max_memory_mb:
        import resource
        cap = max_memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        conn.send_bytes(pickle.dumps(("ok", annotate_bytes(data, doc, result))))
    except AnnotateError as e:
        conn.send_bytes(pickle.dumps(("error", str(e))))
    except BaseException as e:  # a library bug on a strange file must still end as a message
        conn.send_bytes(pickle.dumps(("error", f"生成批注版时出错（{type(e).__name__}）")))
    finally:
        conn.close()


def annotate_isolated(data: bytes, doc: Document, result: dict, timeout_s: float = 120.0,
                      max_memory_mb: int | None = 3072) -> tuple[bytes, str]:
    """annotate_bytes in a forked child with a time and memory limit (as readers.read_isolated).

    Raises AnnotateError (Chinese message) when the child fails, times out or dies."""
    from kcjs.pipeline.readers import can_fork, preload
    if not can_fork():  # Windows: no fork, mark the copy in this process
        try:
            return annotate_bytes(data, doc, result)
        except AnnotateError:
            raise
        except Exception as e:
            raise AnnotateError(f"生成批注版时出错（{type(e).__name__}）") from None
    preload("docx", "pdf", "seals")  # the readers the copy is marked with (not pyHanko)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(data, doc, result, max_memory_mb, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            raise AnnotateError(f"生成批注版超过 {timeout_s:.0f} 秒仍未完成，已中止")
        status, value = pickle.loads(parent.recv_bytes())
    except EOFError:
        raise AnnotateError(f"生成批注版时程序异常退出（退出码 {proc.exitcode}）") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status != "ok":
        raise AnnotateError(value)
    return value


def annotate_file(path: Path, result: dict, out_dir: Path | None = None, doc: Document | None = None,
                  timeout_s: float = 120.0) -> Path:
    """Write the annotated copy of `path`, checked as `result`, as OUT_DIR/名称.kcjs批注.docx|pdf (OUT_DIR: beside
    the file). `doc` is the Document the check read; without it the file is read again (isolated).

    Raises AnnotateError; OSError when the copy cannot be written."""
    if doc is None:
        from kcjs.pipeline.readers import Limits, read_isolated
        doc = read_isolated(path, Limits(timeout_s=timeout_s))
    data = Path(path).read_bytes()
    copy, fmt = annotate_isolated(data, doc, result, timeout_s)
    target = (out_dir or Path(path).parent) / annotated_name(Path(path).name, fmt)
    if target.resolve() == Path(path).resolve():
        raise AnnotateError("批注版的文件名与原文件相同，已拒绝覆盖原文件")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(copy)
    return target
