"""Text output of `kcjs check`: Chinese, grouped by severity, each finding with where, what and how to fix."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

STATUS = {"pass": "[green]通过[/green]", "fail": "[red]不通过[/red]", "review": "[yellow]需人工核查[/yellow]",
          "error": "[red]无法读取[/red]"}
GROUPS = (("error", "错误", "red"), ("warning", "警告", "yellow"), ("info", "提示", "cyan"))


def where(loc: dict) -> str:
    parts = []
    if loc.get("page"):
        parts.append(f"第 {loc['page']} 页")
    if loc.get("section"):
        parts.append(f"“{loc['section']}”部分")
    if loc.get("table") is not None:
        cell = loc.get("cell")
        row, col = loc.get("row") or (cell[0] + 1 if cell else None), loc.get("column") or (cell[1] + 1 if cell else None)
        at = f"第 {loc['table'] + 1} 个表格"
        if row:
            at += f"第 {row} 行" + (f"（“{loc['row_label']}”）" if loc.get("row_label") else "")
        if col:
            at += f"第 {col} 列" + (f"（“{loc['column_label']}”）" if loc.get("column_label") else "")
        parts.append(at)
    elif loc.get("paragraph") is not None:
        parts.append(f"第 {loc['paragraph'] + 1} 段")
    return "，".join(parts)


def render(result: dict, pack, console: Console) -> None:
    sub = next((s for s in pack.subprograms if s.id == result.get("subprogram")), None)
    kind = next((k for k in pack.document_kinds if k.id == result.get("kind")), None)
    what = " / ".join(x for x in (sub.name if sub else None, kind.name if kind else None) if x) or "未识别"
    console.print(f"[bold]{escape(result['file'])}[/bold]  {STATUS[result['status']]}  （{what}）", highlight=False)
    facts = key_facts(result)
    if facts:
        console.print("  " + "；".join(facts), highlight=False)
    _findings(result, console)


def key_facts(result: dict) -> list[str]:
    """The figures an applicant checks first (字数 with its mode, pages and scans, 申请经费 vs cap), in Chinese."""
    m = result.get("metrics") or {}
    facts = []
    if m.get("count"):
        mode = m.get("count_mode", "word")
        facts.append(f"字数 {m['count'][mode]}（{ {'word': 'Word 字数统计', 'chars': '字符数', 'hanzi': '汉字数'}[mode]}）")
    if m.get("pages"):
        facts.append(f"{m['pages']} 页" + (f"，其中第 {','.join(map(str, m['ocr_pages']))} 页为扫描件" if m.get("ocr_pages") else ""))
    if "requested_wan" in m:
        facts.append(f"申请经费 {m['requested_wan']:g} 万元（上限 {m['cap_wan']:g}）" if m["requested_wan"] is not None
                     else f"申请经费未找到（上限 {m['cap_wan']:g} 万元）")
    return facts


def _findings(result: dict, console: Console) -> None:
    for sev, title, color in GROUPS:
        items = [f for f in result["findings"] if f["severity"] == sev]
        if not items:
            continue
        console.print(f"  [{color}]{title}（{len(items)}）[/{color}]")
        for f in items:
            console.print(f"  • {escape(f['message'])}  [dim]{f['rule']}[/dim]", highlight=False)
            loc = f.get("location") or {}
            detail = []
            if where(loc):
                detail.append(f"位置：{where(loc)}")
            if loc.get("quote"):
                detail.append(f"原文：“{escape(loc['quote'])}”")
            if f.get("expected") is not None or f.get("actual") is not None:
                detail.append(f"要求：{escape(str(f.get('expected', '—')))}；实际：{escape(str(f.get('actual', '—')))}")
            if f.get("hint"):
                detail.append(f"建议：{escape(f['hint'])}")
            for d in detail:
                console.print(f"      {d}", highlight=False)
    console.print()
