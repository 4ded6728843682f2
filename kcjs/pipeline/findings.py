"""A finding: one problem found in a document, with the evidence to act on it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SeverityT = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Location:
    page: int | None = None
    section: str | None = None
    paragraph: int | None = None
    table: int | None = None
    cell: tuple[int, int] | None = None
    quote: str | None = None

    def to_json(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: SeverityT
    message: str
    location: Location = field(default_factory=Location)
    expected: Any = None
    actual: Any = None
    hint: str | None = None

    def to_json(self) -> dict:
        out: dict = {"rule": self.rule, "severity": self.severity, "message": self.message,
                     "location": self.location.to_json()}
        for k in ("expected", "actual", "hint"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        return out


STATUSES = ("pass", "fail", "review", "error")


def status_of(findings: list[Finding], readable: bool = True, recognised: bool = True) -> str:
    """`error` when the file could not be read, `fail` when any finding is an error, `review` (需人工核查)
    when kcjs could not tell what the document is (kind or subprogram unknown, or ambiguous), else `pass`."""
    if not readable:
        return "error"
    if any(f.severity == "error" for f in findings):
        return "fail"
    return "pass" if recognised else "review"
