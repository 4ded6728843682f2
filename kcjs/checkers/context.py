"""What a document is checked against: the pack, its kind, and (when known) its subprogram."""
from __future__ import annotations

from dataclasses import dataclass

from kcjs.pipeline.rulepack import Deliverable, Direction, DocumentKind, Length, RulePack, Subprogram


@dataclass(frozen=True)
class Requirements:
    pack: RulePack
    kind: DocumentKind
    subprogram: Subprogram | None = None
    direction: Direction | None = None
    count_mode: str | None = None  # a user's --count-mode overrides the rule's mode

    @property
    def deliverable(self) -> Deliverable | None:
        if self.subprogram is None:
            return None
        return next((d for d in self.subprogram.deliverables if d.kind == self.kind.id), None)

    @property
    def length(self) -> Length | None:
        d = self.deliverable
        return self.pack.resolve_length(d.length) if d else None

    @property
    def mode(self) -> str:
        ln = self.length
        return self.count_mode or (ln.mode if ln else None) or self.pack.length_readings.default_mode

    @property
    def cap_wan(self) -> float | None:
        if self.subprogram is None:
            return None
        return self.direction.cap_wan if self.direction else self.subprogram.cap_wan

    @property
    def is_application(self) -> bool:
        return self.kind.id == "application"
