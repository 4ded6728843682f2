"""A verdict per applicant (形式审查): 不予受理, 需补正 or 合格, with the rules that decide it.
Which rules are fatal comes from the rule pack (screening.fatal) or this run's settings."""
from __future__ import annotations

from fnmatch import fnmatchcase

from kcjs.checkers.names import applicant_key
from kcjs.pipeline.audit.settings import Settings
from kcjs.pipeline.rulepack import RulePack

VERDICTS = {"reject": "不予受理", "fix": "需补正", "pass": "合格"}
REVIEW = "review"  # not a rule: documents kcjs could not recognise
UNKNOWN_APPLICANT = "（申报单位未识别）"


def rule_names() -> dict[str, str]:
    """Every rule id with its Chinese description (from the rule registry)."""
    from kcjs.checkers.registry import all_rules
    names = {r.id: r.description for r in all_rules()}
    names[REVIEW] = "kcjs 未能识别的文件（材料类型或子项目不明），需人工核对"
    return names


def document_keys(documents: list[dict]) -> dict[str, str]:
    """File name -> its applicant's key ('' when unknown)."""
    return {d["file"]: applicant_key(d.get("applicant") or "") for d in documents}


def finding_keys(f: dict, doc_keys: dict[str, str]) -> set[str]:
    """Which applicants a batch finding concerns: those of the files it names, else the applicant it names
    (a manifest row whose file is missing has no document)."""
    keys = {doc_keys[x] for x in f.get("files", []) if doc_keys.get(x)}
    if not keys and f.get("applicant"):
        keys = {applicant_key(f["applicant"])}
    return keys


def verdicts(documents: list[dict], findings: list[dict], pack: RulePack, settings: Settings) -> list[dict]:
    """One row per applicant (and one for files whose applicant is unknown): {"applicant", "verdict"
    (reject|fix|pass), "verdict_name", "decided_by": [{"rule", "files"}], "files", "pass", "fail",
    "review", "error", "errors", "warnings"}, sorted 不予受理 first."""
    fatal = settings.fatal if settings.fatal is not None else tuple(x.rule for x in pack.screening.fatal)
    groups: dict[str, dict] = {}

    def group(key: str, name: str) -> dict:
        return groups.setdefault(key, {"applicant": name or UNKNOWN_APPLICANT, "key": key, "documents": [], "errors": {},
                                       "n_errors": 0, "warnings": 0})

    def add_error(g: dict, rule_id: str, file: str) -> None:
        g["errors"].setdefault(rule_id, [])
        if file not in g["errors"][rule_id]:
            g["errors"][rule_id].append(file)

    doc_keys = document_keys(documents)
    for d in documents:
        g = group(doc_keys[d["file"]], d.get("applicant") or "")
        g["documents"].append(d)
        for f in d["findings"]:
            if f["severity"] == "error":
                add_error(g, f["rule"], d["file"])
                g["n_errors"] += 1
            elif f["severity"] == "warning":
                g["warnings"] += 1
    for f in findings:
        for key in finding_keys(f, doc_keys):
            g = group(key, f.get("applicant") or "")
            if f["severity"] == "error":
                for file in f["files"] or [""]:
                    add_error(g, f["rule"], file)
                g["n_errors"] += 1
            elif f["severity"] == "warning":
                g["warnings"] += 1
    out = []
    for g in groups.values():
        docs = g["documents"]
        status = {k: sum(d["status"] == k for d in docs) for k in ("pass", "fail", "review", "error")}
        fatal_hits = [r for r in g["errors"] if any(fnmatchcase(r, p) for p in fatal)]
        if fatal_hits:
            verdict, deciding = "reject", fatal_hits
        elif g["errors"]:
            verdict, deciding = "fix", list(g["errors"])
        elif status["review"] and pack.screening.review_needs_fix:
            verdict, deciding = "fix", [REVIEW]
        else:
            verdict, deciding = "pass", []
        review_files = [d["file"] for d in docs if d["status"] == "review"]
        out.append({"applicant": g["applicant"], "verdict": verdict, "verdict_name": VERDICTS[verdict],
                    "decided_by": [{"rule": r, "files": review_files if r == REVIEW else g["errors"][r]} for r in deciding],
                    "files": [d["file"] for d in docs], **status,
                    "errors": g["n_errors"], "warnings": g["warnings"]})  # findings, counted as 汇总 counts them
    order = list(VERDICTS)
    return sorted(out, key=lambda v: (order.index(v["verdict"]), v["applicant"] == UNKNOWN_APPLICANT, v["applicant"]))
