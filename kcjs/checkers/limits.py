"""Rules across the submissions of one applicant: exclusive subprograms, the activity limit, the
blacklist, the same file twice, and (at acceptance) the deliverables each subprogram owes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kcjs.checkers.names import applicant_key, name_similarity
from kcjs.checkers.registry import rule
from kcjs.pipeline.rulepack import RulePack

BLACKLISTED = rule("eligibility.blacklisted", "error", "申报单位在不得申报名单上（两年内受处罚、被通报整改或未完成项目）")
BLACKLIST_POSSIBLE = rule("eligibility.blacklist_possible", "warning", "申报单位名称与不得申报名单上的单位相近，请人工核对是否同一单位")
MANIFEST_MISSING = rule("manifest.file_missing", "error", "清单中列出的文件不在提交的材料中")
MANIFEST_UNLISTED = rule("manifest.file_unlisted", "warning", "提交的文件不在清单中（申报单位、子项目由 kcjs 自动识别）")
MANIFEST_BAD_VALUE = rule("manifest.bad_value", "warning", "清单中的子项目、材料类型或方向无法识别，已改为自动识别")
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


def _blacklist_hits(key: str, blacklist: list[dict], min_ratio: float) -> tuple[dict | None, list[tuple[dict, float]]]:
    """The blacklist row this applicant's key equals (after normalising), else the rows alike enough."""
    exact = next((r for r in blacklist if applicant_key(r["applicant"]) == key), None)
    if exact:
        return exact, []
    near = [(r, name_similarity(key, applicant_key(r["applicant"]))) for r in blacklist]
    return None, sorted(((r, s) for r, s in near if s >= min_ratio), key=lambda x: -x[1])


def check(entries: list[Entry], pack: RulePack, blacklist: list[dict], stage: str) -> list[dict]:
    """Findings across a batch (dicts with rule, severity, applicant, files, message); `blacklist` rows
    have "applicant" and maybe "reason", "date"; names match after normalising, or nearly (a warning)."""
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
        hit, near = _blacklist_hits(key, blacklist, pack.screening.name_match_min_ratio)
        if hit:
            why = hit.get("reason") or "在不得申报名单上"
            listed = "" if hit["applicant"] == name else f"（名单上写作“{hit['applicant']}”）"
            out.append(_finding(BLACKLISTED, "error", name, [e.file for e in items],
                                f"{name}在不得申报名单上{listed}：{why}" + (f"（{hit['date']}）" if hit.get("date") else ""),
                                expected=hit["applicant"], actual=name))
        for row, score in near:
            why = f"：{row['reason']}" if row.get("reason") else ""
            out.append(_finding(BLACKLIST_POSSIBLE, "warning", name, [e.file for e in items],
                                f"申报单位“{name}”与不得申报名单上的“{row['applicant']}”相近（相似度 {score:.0f}），"
                                f"请核对是否同一单位{why}", expected=row["applicant"], actual=name, similarity=round(score)))
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


def manifest_findings(missing: list[dict], unlisted: list[Entry], bad: list[tuple[dict, str, str]]) -> list[dict]:
    """The manifest held against the files: rows naming no submitted file, files no row names, and
    rows whose subprogram, kind or direction could not be resolved ((row, file, why) triples)."""
    out = []
    for r in missing:
        who = r.get("applicant") or ""
        out.append(_finding(MANIFEST_MISSING, "error", who, [r["file"]],
                            f"清单第 {r['_line']} 行列出的“{r['file']}”不在提交的材料中" + (f"（{who}）" if who else ""),
                            expected=r["file"], line=r["_line"]))
    for e in unlisted:
        out.append(_finding(MANIFEST_UNLISTED, "warning", e.applicant, [e.file],
                            f"“{e.file}”不在清单中，申报单位、子项目和材料类型由 kcjs 自动识别"))
    for r, file, why in bad:
        out.append(_finding(MANIFEST_BAD_VALUE, "warning", r.get("applicant") or "", [file],
                            f"清单第 {r['_line']} 行（{r['file']}）：{why}；已改为由 kcjs 自动识别", line=r["_line"]))
    return out
