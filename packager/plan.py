"""The Action Plan: `action-plan.yaml` loaded into frozen dataclasses.

Objectives and milestones are numbered by their position (Objective 1, milestone 1.2), as on
the program's form. Loading checks types and structure only; whether the plan obeys the
program's rules is the job of the checks, which report findings instead of stopping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packager.errors import InputError
from packager.rules import Rules
from packager.schema import LIST_AS_TEXT, Where, from_mapping
from packager.yamlio import LocatedDict, load_yaml_file, load_yaml_text

PLAN_FILENAME = "action-plan.yaml"
PLAN_XLSX_FILENAME = "action-plan.xlsx"
PLAN_FILENAMES = (PLAN_FILENAME, "action-plan.yml", "action_plan.yaml", PLAN_XLSX_FILENAME)


@dataclass(frozen=True)
class Person:
    name: str
    title: str | None = None


@dataclass(frozen=True)
class Auditor:
    name: str
    participation: str | None = None


@dataclass(frozen=True)
class Documents:
    org_chart: str | None = None
    acknowledgement: str | None = None
    auditor_maintenance: str | None = None
    proposal_form: str | None = None

    def named(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Milestone:
    title: str | None = None
    # the person or group responsible: a list of people is joined with commas
    assigned_to: str | None = field(default=None, metadata={LIST_AS_TEXT: True})
    target_date: dt.date | None = None
    deliverable: str | None = None
    weight: float | None = None
    self_score: float | None = None

    @property
    def status(self) -> str:
        """'complete', 'partial', 'not done' or 'not scored', from the weight and the self-score."""
        if self.self_score is None:
            return "not scored"
        if self.self_score <= 0:
            return "not done"
        if self.weight is not None and self.self_score >= self.weight:
            return "complete"
        return "partial"


@dataclass(frozen=True)
class Objective:
    title: str
    milestones: tuple[Milestone, ...] = ()
    audit_recommendation: bool = False
    notes: str | None = None


@dataclass(frozen=True)
class ExecutiveSummary:
    results: str | None = None
    strengths: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    program: str
    company: str
    year: int
    objectives: tuple[Objective, ...] = ()
    approved: dt.date | None = None
    previous_plan_score: float | None = None
    eligibility: dict[str, bool | None] = field(default_factory=dict)  # None: not answered yet
    senior_representative: Person | None = None
    auditors: tuple[Auditor, ...] = ()
    participants: tuple[str, ...] = ()
    trained_individuals: tuple[str, ...] = ()
    contact: str | None = None
    documents: Documents = field(default_factory=Documents)
    summary: ExecutiveSummary = field(default_factory=ExecutiveSummary)
    source: str = field(default="", compare=False)
    # The columns of a plan workbook that reading it set aside, as (cell, header): ('Milestones!K1', 'Status'), a
    # column the coordinator added. Not part of the plan itself: set by the reader (planxlsx) after the plan is made.
    ignored_columns: tuple[tuple[str, str], ...] = field(default=(), init=False, compare=False)

    def milestones(self) -> Iterator[tuple[int, str, Milestone]]:
        """(objective number, milestone id like '1.2', milestone) in plan order."""
        for o, objective in enumerate(self.objectives, start=1):
            for m, milestone in enumerate(objective.milestones, start=1):
                yield o, f"{o}.{m}", milestone

    def milestone(self, milestone_id: str) -> Milestone | None:
        for _o, mid, ms in self.milestones():
            if mid == milestone_id:
                return ms
        return None

    def objective(self, number: int) -> Objective | None:
        if 1 <= number <= len(self.objectives):
            return self.objectives[number - 1]
        return None

    @property
    def total_weight(self) -> float:
        return sum(ms.weight or 0 for _o, _m, ms in self.milestones())

    @property
    def total_self_score(self) -> float | None:
        scores = [ms.self_score for _o, _m, ms in self.milestones() if ms.self_score is not None]
        return sum(scores) if scores else None

    def self_score_percent(self, rules: Rules) -> float | None:
        """The share of the program's weight points claimed as self-scores (None before any)."""
        total = self.total_self_score
        if total is None:
            return None
        return round(total / rules.plan.weight_total * 100, 2)

    def window(self, rules: Rules) -> tuple[dt.date, dt.date]:
        """The plan window: approval (or 1 January) to the final-submission deadline."""
        start = self.approved or dt.date(self.year, 1, 1)
        return start, rules.final_deadline(self.year)


def saved_last(saved: Mapping[str, int]) -> str | None:
    """Which plan file is the plan, given when each present one was saved (by name in PLAN_FILENAMES):
    the one saved last, then the first in PLAN_FILENAMES order. The one rule for a folder
    (``find_plan_file``) and a received zip (``classify.plan_path``).

    `packager init` writes both; the coordinator fills in one of them, so the newer one is the plan.
    """
    present = [name for name in PLAN_FILENAMES if name in saved]
    return max(present, key=lambda name: (saved[name], -PLAN_FILENAMES.index(name)), default=None)


def find_plan_file(folder: Path) -> Path | None:
    """The folder's plan: action-plan.yaml or action-plan.xlsx; with both, the one saved last."""
    # A name that exists but is not a regular file (a pipe, a folder) is returned so loading it says so.
    found = {name: (folder / name).stat().st_mtime_ns for name in PLAN_FILENAMES if (folder / name).exists()}
    name = saved_last(found)
    return folder / name if name is not None else None


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def load_plan(path: Path, rules: Rules) -> Plan:
    """Load a YAML plan or an action-plan.xlsx workbook; raise InputError (exit 2) when it cannot be used."""
    if is_workbook(path):
        from packager.planxlsx import load_plan_xlsx

        return load_plan_xlsx(path, rules)
    kind = _other_kind(path)
    if kind == "zip":
        from packager.planzip import load_plan_zip  # the proposal package the company sent

        return load_plan_zip(path, rules)
    if kind is not None:
        raise InputError(f"this is {kind}, not a plan file", file=path,
                         hint="Give the plan as action-plan.yaml or action-plan.xlsx (or the zip 'packager build' "
                         "made of the proposal)")
    data = load_yaml_file(path, "plan file")
    return plan_from_data(data, str(path), rules)


_SIGNATURES = ((b"PK\x03\x04", "zip"), (b"%PDF", "a PDF"), (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 or Word file"))


def _other_kind(path: Path) -> str | None:
    """'zip', or what else the file is by its first bytes, when it is not text; None for text (or unreadable:
    loading it then says why)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe would block: loading it refuses it instead
            return None
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    return next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)


def load_plan_text(text: str, source: str, rules: Rules) -> Plan:
    return plan_from_data(load_yaml_text(text, source), source, rules)


def plan_from_data(data: object, source: str, rules: Rules) -> Plan:
    where = Where(source, 1, "")
    if not isinstance(data, dict):
        raise where.fail(
            "the plan should be a block of 'name: value' pairs (program, company, year, objectives …)",
            hint=f"Start from the template that 'packager init' writes ({PLAN_FILENAME})",
        )
    plan = from_mapping(Plan, data, where)
    lines = data.key_lines if isinstance(data, LocatedDict) else {}
    program = plan.program.strip().upper()
    if rules.program(program) is None:
        raise InputError(
            f"'{plan.program}' is not a program of the {rules.profile} rules",
            file=source,
            line=lines.get("program"),
            field="program",
            expected=" or ".join(sorted(rules.programs)),
        )
    if not 1990 <= plan.year <= 2100:
        raise InputError(
            f"{plan.year} is not a plausible plan year",
            file=source,
            line=lines.get("year"),
            field="year",
            expected="the calendar year the plan runs, e.g. 2026",
        )
    _check_eligibility_keys(plan, rules, data, source)
    _check_scores(data, source)
    _check_dates(plan, data, source)
    return _replace(plan, program=program, source=source)


def _replace(plan: Plan, **changes: object) -> Plan:
    return Plan(**{**{f.name: getattr(plan, f.name) for f in dataclasses.fields(plan) if f.init}, **changes})


def _check_eligibility_keys(plan: Plan, rules: Rules, data: object, source: str) -> None:
    known = set(rules.eligibility)
    block = data.get("eligibility") if isinstance(data, dict) else None
    lines = block.key_lines if isinstance(block, LocatedDict) else {}
    for key in plan.eligibility:
        if key not in known:
            raise InputError(
                "is not an eligibility requirement of this program",
                file=source,
                line=lines.get(key),
                field=f"eligibility.{key}",
                expected=f"one of {', '.join(sorted(known))}",
            )


PLAUSIBLE_YEARS = (1990, 2100)


def _check_dates(plan: Plan, data: object, source: str) -> None:
    """Dates beyond any plan (year 9999) cannot be placed in a window or a zip: unusable input."""
    low, high = PLAUSIBLE_YEARS
    lines = data.key_lines if isinstance(data, LocatedDict) else {}
    dated: list[tuple[str, dt.date | None, int | None]] = [("approved", plan.approved, lines.get("approved"))]
    for o, mid, ms in plan.milestones():
        m = int(mid.split(".")[1])
        dated.append((f"objectives[{o}].milestones[{m}].target_date", ms.target_date, None))
    for field_name, when, line in dated:
        if when is not None and not low <= when.year <= high:
            raise InputError(
                f"{when.isoformat()} is not a plausible date", file=source, line=line, field=field_name,
                expected=f"a date between {low} and {high}, written YYYY-MM-DD",
            )


def _check_scores(data: object, source: str) -> None:
    """Negative weights cannot be scored at all; report them as unusable input."""
    objectives = data.get("objectives") if isinstance(data, dict) else None
    if not isinstance(objectives, list):
        return
    for o, objective in enumerate(objectives, start=1):
        milestones = objective.get("milestones") if isinstance(objective, dict) else None
        if not isinstance(milestones, list):
            continue
        for m, milestone in enumerate(milestones, start=1):
            if not isinstance(milestone, LocatedDict):
                continue
            weight = milestone.get("weight")
            if isinstance(weight, int | float) and not isinstance(weight, bool) and weight < 0:
                raise InputError(
                    f"milestone {o}.{m} has a negative weight ({weight})",
                    file=source,
                    line=milestone.key_lines.get("weight"),
                    field=f"objectives[{o}].milestones[{m}].weight",
                    expected="a number of points from 0 to 100",
                )


def plan_to_data(plan: Plan) -> dict[str, object]:
    """The plan as plain data (dates as YYYY-MM-DD): what manifest.json carries."""

    def clean(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    data = dataclasses.asdict(plan)
    data.pop("source", None)
    for f in dataclasses.fields(plan):
        if not f.init:  # what reading the plan file set aside (ignored_columns) is not part of the plan
            data.pop(f.name, None)
    return clean(data)  # type: ignore[return-value]
