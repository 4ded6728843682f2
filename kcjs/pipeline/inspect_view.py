"""`kcjs inspect`: what kcjs read from a file, as the JSON contract or a readable listing."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kcjs.pipeline.document import Document, table_text

TYPE_NAMES = {"heading": "标题", "paragraph": "段落", "table": "表格", "image": "图片"}


def block_json(b) -> dict:
    out: dict = {"type": b.type, "text": table_text(b.rows, b.copies) if b.type == "table" else b.text,
                 "source": b.source}
    if b.level is not None:
        out["level"] = b.level
    if b.page is not None:
        out["page"] = b.page
    if b.confidence is not None:
        out["confidence"] = b.confidence
    if b.box is not None:
        out["box"] = [round(v, 1) for v in b.box]
    if b.type == "table":
        out["rows"] = b.rows
    if b.type == "image" and b.image is not None:
        im = b.image
        out["image"] = {k: v for k, v in vars(im).items() if v is not None}
        if b.anchor is not None:
            out["anchor"] = b.anchor
        if b.cell is not None:
            out["cell"] = list(b.cell)
    return out


def document_json(doc: Document) -> dict:
    return {
        "file": doc.path,
        "status": "ok" if doc.readable else "error",
        "format": doc.format,
        "pages": doc.page_count,
        "page_sources": [{"page": p.number, "source": p.source, "ocr_confidence": p.ocr_confidence}
                         for p in doc.pages if p.source == "ocr"],
        "blocks": [block_json(b) for b in doc.blocks],
        "headers": doc.headers, "footers": doc.footers,
        "textboxes": doc.textboxes, "footnotes": doc.footnotes,
        "signatures": [{"name": s.name, "page": s.page, "box": [round(v, 1) for v in s.box], "signed": s.signed,
                        "intact": s.intact} for s in doc.signatures],
        "seals": [{"page": s.page, "box": list(s.box), "shape": s.shape, "width_mm": s.width_mm, "height_mm": s.height_mm,
                   "confidence": s.confidence, "source": s.source, "block": s.block} for s in doc.seals],
        "properties": doc.properties,
        "findings": [f.to_json() for f in doc.findings],
    }


def render_text(doc: Document, console: Console) -> None:
    status = "[green]可读[/green]" if doc.readable else "[red]无法读取[/red]"
    console.print(f"[bold]{escape(doc.path)}[/bold]  {status}  格式：{doc.format or '—'}  页数：{doc.page_count or '—'}")
    for f in doc.findings:
        color = {"error": "red", "warning": "yellow"}.get(f.severity, "cyan")
        console.print(f"[{color}]{f.rule}[/{color}] {escape(f.message)}" + (f"（{escape(f.hint)}）" if f.hint else ""))
    if not doc.readable:
        return
    t = Table("#", "类型", "级别", "页", "来源", "内容", show_lines=False)
    for i, b in enumerate(doc.blocks):
        if b.type == "table":
            text = f"{len(b.rows)}×{len(b.rows[0]) if b.rows else 0} " + table_text(b.rows, b.copies).replace("\n", " ⏎ ")
        elif b.type == "image":
            im = b.image
            where = f"锚定于 #{b.anchor}" + (f" 单元格{b.cell}" if b.cell else "") if b.anchor is not None else ""
            text = f"{im.width_px}×{im.height_px}px {im.width_mm}×{im.height_mm}mm {im.placement} {where}"
        else:
            text = b.text
        src = b.source + (f" {b.confidence:.2f}" if b.confidence is not None else "")
        t.add_row(str(i), TYPE_NAMES[b.type], "" if b.level is None else str(b.level),
                  "" if b.page is None else str(b.page), src, text[:80] + ("…" if len(text) > 80 else ""))
    console.print(t)
    for name, items in (("页眉", doc.headers), ("页脚", doc.footers), ("文本框", doc.textboxes), ("脚注", doc.footnotes)):
        if items:
            console.print(f"{name}：" + " | ".join(x.replace("\n", " ") for x in items))
    for s in doc.signatures:
        state = ("已签名，" + ("签名完好" if s.intact else "签名后被改动或无法验证")) if s.signed else "未签名"
        console.print(f"签名域 {s.name}：第 {s.page} 页，{state}")
    for s in doc.seals:
        where = f"第 {s.page} 页" if s.page else f"图片 #{s.block}"
        console.print(f"公章：{where}，{s.shape}，{s.width_mm:g}×{s.height_mm:g} mm，置信度 {s.confidence:.2f}，来源 {s.source}")
