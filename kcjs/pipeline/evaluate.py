"""`kcjs eval`: run the checks on a labelled corpus; per-rule precision and recall at document level."""
from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from kcjs.pipeline.check import check_document
from kcjs.pipeline.readers import read_document
from kcjs.pipeline.rulepack import RulePack

IGNORED = ("detect.inferred", "file.ocr")


def evaluate(directory: Path, pack: RulePack) -> dict:
    """Check every labelled file as a user would (subprogram and kind detected, not given)."""
    labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
    tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)
    times: dict[str, list[float]] = defaultdict(list)
    wrong_detection, mistakes = [], []
    distractors: dict[str, dict] = defaultdict(lambda: {"documents": 0, "false_alarms": 0})
    for lab in labels:
        path = directory / lab["file"]
        t0 = time.perf_counter()
        result = check_document(read_document(path), pack)
        fmt = "scan" if "scan" in lab["file"] else path.suffix.lstrip(".")
        times[fmt].append(time.perf_counter() - t0)
        got = {f["rule"] for f in result["findings"] if f["severity"] in ("error", "warning") and f["rule"] not in IGNORED}
        want = set(lab["expect"])
        for r in got & want:
            tp[r] += 1
        for r in got - want:
            fp[r] += 1
        for r in want - got:
            fn[r] += 1
        note = lab.get("note", "")
        if note.startswith("distractor"):  # a red mark that is not a seal, alone or beside a real seal
            d = distractors[note.split("=", 1)[1]]
            d["documents"] += 1
            d["false_alarms"] += ("stamp.missing" in want) != ("stamp.missing" in got)
        if got != want:
            mistakes.append({"file": lab["file"], "missed": sorted(want - got), "extra": sorted(got - want)})
        if lab.get("subprogram") and (result["subprogram"], result["kind"]) != (lab["subprogram"], lab["kind"]):
            wrong_detection.append({"file": lab["file"], "got": [result["subprogram"], result["kind"]]})
    rules = sorted(set(tp) | set(fp) | set(fn))
    table = [{"rule": r, "tp": tp[r], "fp": fp[r], "fn": fn[r],
              "precision": tp[r] / (tp[r] + fp[r]) if tp[r] + fp[r] else 1.0,
              "recall": tp[r] / (tp[r] + fn[r]) if tp[r] + fn[r] else 1.0} for r in rules]
    return {"documents": len(labels), "rules": table, "mistakes": mistakes, "wrong_detection": wrong_detection,
            "median_seconds": {k: statistics.median(v) for k, v in times.items()},
            "distractors": {k: {**v, "rate": v["false_alarms"] / v["documents"]} for k, v in sorted(distractors.items())},
            "files_by_format": {k: len(v) for k, v in times.items()}}


def render(report: dict, console) -> None:
    from rich.table import Table
    t = Table("规则", "TP", "FP", "FN", "precision", "recall", title=f"{report['documents']} 个文件")
    for r in report["rules"]:
        t.add_row(r["rule"], str(r["tp"]), str(r["fp"]), str(r["fn"]), f"{r['precision']:.2f}", f"{r['recall']:.2f}")
    console.print(t)
    if report.get("distractors"):
        d = Table("干扰物（非公章的红色标记）", "文件数", "误判", "误判率", title="盖章检查：干扰物误判率")
        for kind, v in report["distractors"].items():
            d.add_row(kind, str(v["documents"]), str(v["false_alarms"]), f"{v['rate']:.2f}")
        console.print(d)
    console.print("每个文件检查耗时中位数：" + "；".join(
        f"{k} {v * 1000:.0f} ms（{report['files_by_format'][k]} 个）" for k, v in sorted(report["median_seconds"].items())))
    for m in report["mistakes"]:
        console.print(f"[yellow]不一致[/yellow] {m['file']}：漏报 {m['missed']}，误报 {m['extra']}")
    for w in report["wrong_detection"]:
        console.print(f"[yellow]识别错误[/yellow] {w['file']}：识别为 {w['got']}")
