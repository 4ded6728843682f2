"""The single list of rule ids kcjs can report, each with its severity and a one-line description."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    description: str


_RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, description: str) -> str:
    """Declare a rule id (at import time of the module that reports it); returns the id."""
    known = _RULES.get(rule_id)
    if known and known != Rule(rule_id, severity, description):
        raise ValueError(f"rule {rule_id} declared twice with different text")
    _RULES[rule_id] = Rule(rule_id, severity, description)
    return rule_id


def all_rules() -> list[Rule]:
    """Every declared rule, sorted by id (imports every module that declares some)."""
    import kcjs.checkers.catalog  # noqa: F401  (declares the rules of every checker and reader)
    import kcjs.pipeline.check  # noqa: F401  (detect.* and check.* rules)
    return sorted(_RULES.values(), key=lambda r: r.id)
