"""Rules across the submissions of one applicant: exclusive subprograms, the activity limit, the
blacklist, the same file twice, and (at acceptance) the deliverables each subprogram owes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kcjs.checkers.registry import rule
from kcjs.pipeline.rulepack import RulePack

BLACKLISTED = rule("eligibility.blacklisted", "error", "申报单位在不得申报名单上（两年内受处罚、被通报整改或未完成项目）")
DUPLICATE = rule("file.duplicate", "warning", "同一份材料被重复提交（正文相同，不论文件字节是否相同）")
DELIVERABLE_MISSING = rule("deliverable.missing", "error", "结项时缺少子项目要求提交的成果材料")
for _id, _desc in (("limit.platform_exclusive", "同一单位兼报了不可兼报的平台建设类子项目"),
                   ("limit.activity_max2", "同一单位申报的项目活动类子项目超过 2 项")):
    rule(_id, "error", _desc)


@dataclass(frozen=True)
class Entry:
    """One checked file of a batch, as the cross-submission rules see it."""
    file: str
    applicant: str       # as written
    key: str             # normalised for matching
    subprogram: str | None
    direction: str | None
    kind: str | None
    sha256: str | None
    content: str | None = None  # digest of the body text (Document.content_digest): duplicates by content


def _finding(rule_id: str, severity: str, applicant: str, files: list[str], message: str, **extra) -> dict:
    return {"rule": rule_id, "severity": severity, "applicant": applicant, "files": sorted(files), "message": message, **extra}


def check(entries: list[Entry], pack: RulePack, blacklist: dict[str, dict], stage: str) -> list[dict]:
    out: list[dict] = []
    by_applicant: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.key:
            by_applicant[e.key].append(e)
    for key, items in sorted(by_applicant.items()):
        name = items[0].applicant
        apps = [e for e in items if e.kind == "application" and e.subprogram]
        for lim in pack.limits:
            inside = [e for e in apps if e.subprogram in lim.subprograms or pack.subprogram(e.subprogram).class_ in lim.classes]
            counted = {e.file if lim.count_by == "application" else e.subprogram: e for e in inside}
            if len(counted) > lim.max:
                names = "、".join(dict.fromkeys(pack.subprogram(e.subprogram).name for e in counted.values()))
                out.append(_finding(lim.rule, "error", name, [e.file for e in inside],
                                    f"{name}申报了 {len(counted)} 项（{names}），超过“{lim.name}”的上限 {lim.max} 项",
                                    expected=f"≤ {lim.max}", actual=len(counted)))
        hit = blacklist.get(key)
        if hit:
            why = hit.get("reason") or "在不得申报名单上"
            out.append(_finding(BLACKLISTED, "error", name, [e.file for e in items],
                                f"{name}在不得申报名单上：{why}" + (f"（{hit['date']}）" if hit.get("date") else "")))
        if stage == "acceptance":
            for sub_id in dict.fromkeys(e.subprogram for e in items if e.subprogram):
                owed = [d for d in pack.subprogram(sub_id).deliverables if d.stage == "acceptance"]
                have = {e.kind for e in items if e.subprogram == sub_id}
                for d in owed:
                    if d.kind not in have:
                        out.append(_finding(DELIVERABLE_MISSING, "error", name, [e.file for e in items if e.subprogram == sub_id],
                                            f"{name}的“{pack.subprogram(sub_id).name}”结项缺少“{d.name}”",
                                            expected=d.name, subprogram=sub_id))
    by_hash: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.content or e.sha256:
            by_hash[e.content or e.sha256].append(e)
    for same in by_hash.values():
        if len(same) > 1:
            who = "、".join(dict.fromkeys(e.applicant or "未知单位" for e in same))
            out.append(_finding(DUPLICATE, "warning", who, [e.file for e in same],
                                f"同一份材料（正文相同）提交了 {len(same)} 次：{'、'.join(e.file for e in same)}"))
    return out
