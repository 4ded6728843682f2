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
    import importlib

    from kcjs.checkers.catalog import DECLARING  # the rules of every checker
    import kcjs.pipeline.check  # noqa: F401  (detect.* and check.* rules)
    for module in DECLARING:  # readers, audit
        importlib.import_module(module)
    return sorted(_RULES.values(), key=lambda r: r.id)
