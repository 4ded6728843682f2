"""The rule pack: every number and rule of a notice, as typed, immutable, validated data."""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CountMode = Literal["word", "chars", "hanzi"]
Severity = Literal["error", "warning", "info"]
Stage = Literal["application", "acceptance"]


class Frozen(BaseModel):
    """Base of every pack object: immutable, unknown keys refused (they are typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """Where a rule stands in the notice: the line its quote begins on."""

    line: int = Field(ge=1)
    quote: str = Field(min_length=2)


class Program(Frozen):
    id: str
    name: str
    short_name: str = ""
    year: int
    version: str
    issuer: str
    document_no: str = ""
    issued: dt.date | None = None
    notice_file: str | None = None
    source: Source | None = None


class NominalReading(Frozen):
    """How a bare "（N 字）" is read: error below N×min_ratio, warning above N×warn_above_ratio."""

    min_ratio: float = Field(gt=0, le=1)
    warn_above_ratio: float | None = Field(default=None, gt=1)


class LengthReadings(Frozen):
    default_mode: CountMode = "word"
    near_limit_ratio: float = Field(default=0.01, ge=0, lt=0.5)
    nominal: NominalReading


class Dates(Frozen):
    online_open: dt.date
    online_close: dt.date
    paper_deadline: dt.datetime
    online_system: str = ""
    source: Source | None = None
    paper_source: Source | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Dates:
        if self.online_close < self.online_open:
            raise ValueError("online_close 早于 online_open")
        return self


class ProgramClass(Frozen):
    id: str
    name: str
    disbursement_on_approval_pct: float = Field(gt=0, le=100)
    disbursement_note: str = ""
    source: Source | None = None


class ApplicantType(Frozen):
    id: str
    name: str
    patterns: tuple[str, ...] = ()

    @field_validator("patterns")
    @classmethod
    def _compile(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            try:
                re.compile(p)
            except re.error as e:
                raise ValueError(f"正则表达式 {p!r} 有误：{e}") from None
        return v


class Section(Frozen):
    id: str
    name: str
    synonyms: tuple[str, ...] = ()
    required: bool = True
    stamp: bool = False

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


class InfoField(Frozen):
    """A field of the information table that must be filled (templates print it; checkers read it)."""
    id: str
    name: str
    synonyms: tuple[str, ...] = ()
    joint_only: bool = False  # printed and required only where the subprogram requires a joint applicant

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


class DocumentKind(Frozen):
    id: str
    name: str
    sections: tuple[Section, ...] = ()
    fields: tuple[InfoField, ...] = ()


class StampLine(Frozen):
    id: str
    label: str
    party: str = ""
    field: str | None = None  # the information field naming the unit whose seal this line takes (applicant, partner)
    synonyms: tuple[str, ...] = ()
    severity: Severity = "error"
    note: str = ""
    source: Source | None = None


class Length(Frozen):
    """A length rule in 字: a closed range (min/max) or a bare nominal N read by the pack."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)
    nominal: int | None = Field(default=None, ge=1)
    warn_above: int | None = Field(default=None, ge=1)
    mode: CountMode | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Length:
        if self.min is None and self.max is None and self.nominal is None:
            raise ValueError("长度规则须给出 min/max 或 nominal")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) 大于 max ({self.max})")
        return self


class Deliverable(Frozen):
    kind: str
    name: str
    count: int = Field(default=1, ge=1)
    stage: Stage = "acceptance"
    due: dt.date | None = None
    length: Length | None = None
    source: Source | None = None


class Target(Frozen):
    id: str
    name: str
    min: float = Field(gt=0)
    unit: str
    keywords: tuple[str, ...] = ()
    source: Source | None = None


class Evidence(Frozen):
    """How an application shows a qualitative requirement: a clause or table row naming one of `subjects`
    (主报告人) with one of `qualifiers` (院士); or a member table (a 姓名 column) whose rows are counted
    against the minimum of the target `members_target`."""
    subjects: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    members_target: str | None = None

    @model_validator(mode="after")
    def _some(self) -> Evidence:
        if not (self.subjects and self.qualifiers) and not self.members_target:
            raise ValueError("evidence 须给出 subjects 和 qualifiers，或 members_target")
        return self


class Requirement(Frozen):
    id: str
    text: str
    keywords: tuple[str, ...] = ()
    evidence: Evidence | None = None
    source: Source | None = None


class Preference(Frozen):
    text: str
    source: Source | None = None


class Condition(Frozen):
    id: str
    text: str
    source: Source | None = None


class Applicants(Frozen):
    types: tuple[str, ...] = Field(min_length=1)
    joint: Literal["none", "optional", "required"] = "optional"
    joint_types: tuple[str, ...] = ()
    joint_count: int | None = Field(default=None, ge=1)
    channel: str | None = None
    note: str = ""
    conditions: tuple[Condition, ...] = ()
    source: Source | None = None


class Direction(Frozen):
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    cap_wan: float = Field(gt=0)
    source: Source | None = None


class Subprogram(Frozen):
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    class_: str = Field(alias="class")
    cycle_years: int | None = Field(default=None, ge=1)
    cap_wan: float = Field(gt=0)
    cap_per: Literal["project", "direction"] = "project"
    cap_source: Source | None = None
    applicants: Applicants
    targets: tuple[Target, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    preferences: tuple[Preference, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    directions: tuple[Direction, ...] = ()
    stamps: tuple[StampLine, ...] = Field(min_length=1)
    team: Team | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> Subprogram:
        for what, items in (("targets", self.targets), ("directions", self.directions),
                            ("requirements", self.requirements), ("stamps", self.stamps)):
            _require_unique(f"{self.id}.{what}", [i.id for i in items])
        if self.cap_per == "direction" and not self.directions:
            raise ValueError("cap_per: direction 但没有 directions")
        if self.team and self.team.members_target and self.team.members_target not in {t.id for t in self.targets}:
            raise ValueError(f"team.members_target {self.team.members_target!r} 不是本子项目的目标")
        for r in self.requirements:
            if r.evidence and r.evidence.members_target and r.evidence.members_target not in {t.id for t in self.targets}:
                raise ValueError(f"requirements.{r.id}.evidence.members_target {r.evidence.members_target!r} 不是本子项目的目标")
        return self


class Limit(Frozen):
    id: str
    rule: str
    name: str
    subprograms: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    max: int = Field(ge=1)
    count_by: Literal["application", "subprogram"] = "application"
    source: Source | None = None

    @model_validator(mode="after")
    def _scope(self) -> Limit:
        if not self.subprograms and not self.classes:
            raise ValueError("限制须给出 subprograms 或 classes")
        return self


class Disqualification(Frozen):
    id: str
    text: str
    source: Source | None = None


class Disqualifications(Frozen):
    lookback_years: int = Field(ge=1)
    items: tuple[Disqualification, ...]
    source: Source | None = None


class FatalRule(Frozen):
    rule: str  # a rule id, or a pattern as "eligibility.*"
    source: Source | None = None


class Screening(Frozen):
    """How a batch audit reaches a verdict per applicant: 不予受理 when an error of a fatal rule is found,
    需补正 for any other error (and, if so set, for documents kcjs could not recognise), else 合格."""
    fatal: tuple[FatalRule, ...] = ()
    review_needs_fix: bool = True
    name_match_min_ratio: float = Field(default=88, gt=50, le=100)  # rapidfuzz ratio of two names, 0–100


class CrossPageSeal(Frozen):
    """骑缝章: a seal across the edges of consecutive pages of a multi-page paper submission. Optional: many
    offices ask for it; a pack turns it on where its notice does."""
    required: bool = False
    min_pages: int = Field(default=2, ge=2)
    severity: Severity = "error"
    source: Source | None = None


class Obligation(Frozen):
    id: str
    text: str
    source: Source | None = None


class Team(Frozen):
    """The member table an application form prints (姓名, 单位, 职称/称号, 分工): `rows` blank rows, or as many
    rows as the minimum of the target `members_target` (科技服务团 ≥ 8 人); `leader` marks the first row 领衔专家."""
    name: str
    rows: int = Field(default=5, ge=1)
    members_target: str | None = None
    leader: bool = False
    source: Source | None = None


class BudgetForm(Frozen):
    """The 经费预算表 an application form prints: preset 支出科目 and 经费来源 rows, each table with a 合计 row.
    `request_source` is the 来源 row that must equal the 申请资助经费 the form states (budget.request_mismatch)."""
    items: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    request_source: str
    total_label: str = "合计"

    @model_validator(mode="after")
    def _request_is_a_source(self) -> BudgetForm:
        if self.request_source not in self.sources:
            raise ValueError(f"request_source {self.request_source!r} 不在 sources 中")
        return self


class ApplicationForm(Frozen):
    """What the 申报书 prints beyond its sections: the staff-only cover field, the 承诺 paragraph, the budget table."""
    staff_field: str = "项目编号（由省科协填写）"
    commitment: str = ""
    budget: BudgetForm | None = None


class RulePack(Frozen):
    program: Program
    length_readings: LengthReadings
    dates: Dates
    classes: tuple[ProgramClass, ...] = Field(min_length=1)
    applicant_types: tuple[ApplicantType, ...] = Field(min_length=1)
    document_kinds: tuple[DocumentKind, ...] = Field(min_length=1)
    stamp_kinds: tuple[StampLine, ...] = ()
    subprograms: tuple[Subprogram, ...] = Field(min_length=1)
    limits: tuple[Limit, ...] = ()
    disqualifications: Disqualifications | None = None
    obligations: tuple[Obligation, ...] = ()
    screening: Screening = Screening()
    cross_page_seal: CrossPageSeal = CrossPageSeal()
    application_form: ApplicationForm = ApplicationForm()

    # --- look-ups -----------------------------------------------------------------
    def subprogram(self, sid: str) -> Subprogram:
        return next(s for s in self.subprograms if s.id == sid)

    def kind(self, kid: str) -> DocumentKind:
        return next(k for k in self.document_kinds if k.id == kid)

    def program_class(self, cid: str) -> ProgramClass:
        return next(c for c in self.classes if c.id == cid)

    def applicant_type(self, tid: str) -> ApplicantType:
        return next(t for t in self.applicant_types if t.id == tid)

    def resolve_length(self, length: Length | None) -> Length | None:
        """Apply the pack's reading of a bare "（N 字）" and its default mode."""
        if length is None:
            return None
        mode = length.mode or self.length_readings.default_mode
        if length.nominal is None or length.min is not None or length.max is not None:
            return length.model_copy(update={"mode": mode})
        r = self.length_readings.nominal
        warn = length.warn_above
        if warn is None and r.warn_above_ratio:
            warn = round(length.nominal * r.warn_above_ratio)
        return length.model_copy(update={"min": round(length.nominal * r.min_ratio),
                                         "warn_above": warn, "mode": mode})


def plain(x):
    """A figure as people write it: 30.0 -> 30, 29.5 stays 29.5; None stays None."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


_NAME_STRIP = re.compile(r"[\s\"'“”‘’「」『』《》()（）·・、，,.。:：\-—_]+")


def normalize_name(s: str) -> str:
    """A name as users type it: quotes, brackets, spaces and case do not matter."""
    return _NAME_STRIP.sub("", s).lower()


def _require_unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} 中的 id {i!r} 重复")
        seen.add(i)


def reference_errors(pack: RulePack) -> list[tuple[tuple, str]]:
    """Every id a rule names must exist and every name be unambiguous: (location, message) pairs."""
    errors: list[tuple[tuple, str]] = []
    classes = {c.id for c in pack.classes}
    types = {t.id for t in pack.applicant_types}
    kinds = {k.id for k in pack.document_kinds}
    subs = {s.id for s in pack.subprograms}

    def known(loc: tuple, ids, valid: set[str]) -> None:
        for i in ids:
            if i not in valid:
                errors.append((loc, f"引用了不存在的 id {i!r}（可选：{', '.join(sorted(valid))}）"))

    for field in ("classes", "applicant_types", "document_kinds", "subprograms", "limits"):
        seen: set[str] = set()
        for n, item in enumerate(getattr(pack, field)):
            if item.id in seen:
                errors.append(((field, n, "id"), f"id {item.id!r} 重复"))
            seen.add(item.id)
    names: dict[str, str] = {}
    for n, s in enumerate(pack.subprograms):
        at = ("subprograms", n)
        known((*at, "class"), [s.class_], classes)
        known((*at, "applicants", "types"), s.applicants.types, types)
        known((*at, "applicants", "joint_types"), s.applicants.joint_types, types)
        known((*at, "applicants", "channel"), [s.applicants.channel] if s.applicants.channel else [], types)
        for m, d in enumerate(s.deliverables):
            known((*at, "deliverables", m, "kind"), [d.kind], kinds)
        for name in (s.id, s.name, *s.aliases):
            key = normalize_name(name)
            if names.get(key, s.id) != s.id:
                errors.append(((*at, "aliases"), f"名称或别名 {name!r} 同时属于 {names[key]} 和 {s.id}"))
            names[key] = s.id
    for n, lim in enumerate(pack.limits):
        known(("limits", n, "subprograms"), lim.subprograms, subs)
        known(("limits", n, "classes"), lim.classes, classes)
    return errors

