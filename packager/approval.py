"""Auditing against the plan approved in the spring.

Applies to `packager audit --plan APPROVED` (and `--plans FOLDER` in a batch). The approved plan
decides the objectives, milestones, weights and target dates the zip is mapped to and scored
against. A plan carried inside the zip (action-plan.yaml/.xlsx or the manifest's plan) is
compared with it, and every difference is a `plan-changed-since-approval` finding. The
company's final-stage content (self-scores, notes, auditors, summary) comes from the zip's
plan when the approved plan has none; the signed pages of the final stage are the ones the zip's
plan names (see :func:`audit_documents`).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

from packager.checks.registry import declare
from packager.errors import InputError
from packager.findings import Finding, Severity
from packager.naming import NamingConvention
from packager.plan import Documents, Milestone, Plan, is_workbook, load_plan
from packager.rules import Rules
from packager.textutil import long_date, name_key, points

PLAN_CHANGED = declare(
    "plan-changed-since-approval", Severity.WARNING, "plan",
    "Audit against an approved plan (--plan/--plans): the plan inside the zip (action-plan file or manifest) "
    "differs from the approved one: an objective or milestone added, removed, reworded or renumbered, a "
    "weight moved, a target date or deliverable changed, or it is another company's or year's plan. The zip is "
    "scored against the approved plan.",
    "Ask the company whether an amendment was approved. If it was, audit against the amended plan; if not, "
    "the approved plan stands and the changed milestones are scored as approved.",
)

# Checks that read the company's final-stage content; with none known they cannot be verified.
FINAL_CONTENT_CHECKS = frozenset({
    "self-score-invalid", "objective-notes-missing", "summary-missing", "auditor-participation-missing",
})
PLAN_SUFFIXES = (".yaml", ".yml", ".xlsx")
MAX_PLANS = 2_000
LEGAL_SUFFIXES = frozenset({"ltd", "limited", "inc", "incorporated", "corp", "corporation", "co", "llc", "ulc",
                            "llp", "lp", "company", "the"})


Position = tuple[int, int]  # (objective number, milestone index from 0)


def _text_key(text: str | None) -> str:
    """How two titles or deliverables are compared: spacing, case, Unicode form and a final full stop aside."""
    return unicodedata.normalize("NFKC", " ".join((text or "").split())).casefold().rstrip(".")


def _whose(plan: Plan) -> str:
    return f"{plan.company}'s ({plan.program} {plan.year})"


def _same_text(a: str | None, b: str | None) -> bool:
    return _text_key(a) == _text_key(b)


def plan_changes(approved: Plan, inner: Plan, where: str) -> Iterator[Finding]:
    """One finding per difference between the approved plan and the plan found in the zip; first, whether it is
    the same company's plan for the same year at all (--plan names any file)."""
    if company_key(approved.company) != company_key(inner.company) or approved.year != inner.year or (
        approved.program.strip().upper() != inner.program.strip().upper()
    ):
        yield PLAN_CHANGED.finding(
            f"The approved plan given is {_whose(approved)}, but {where} is {_whose(inner)}: check that the "
            "approved plan is this company's, for this year.",
            hint="Give the approved plan of the company and year the zip is from (with --plans, name each plan file "
            "for its company, e.g. 'northwind-2026.yaml'). The differences below come from comparing two "
            "different plans.",
        )
    pairs = pair_milestones(approved, inner)
    paired = set(pairs.values())
    for o in range(1, max(len(approved.objectives), len(inner.objectives)) + 1):
        a, b = approved.objective(o), inner.objective(o)
        if a is not None and b is None:
            yield PLAN_CHANGED.finding(
                f"Objective {o} of the approved plan (“{a.title}”) is missing from {where}.", objective=o)
        elif a is None and b is not None:
            yield PLAN_CHANGED.finding(
                f"{where[0].upper()}{where[1:]} adds objective {o} (“{b.title}”), which the approved plan does "
                "not have; it is not scored.", objective=o)
        elif a is not None and b is not None and not _same_text(a.title, b.title):
            yield PLAN_CHANGED.finding(
                f"Objective {o} was reworded: approved as “{a.title}”, {where} says “{b.title}”.", objective=o)
        for i, x in enumerate(a.milestones if a is not None else ()):
            mid = f"{o}.{i + 1}"
            other = pairs.get((o, i))
            if other is not None:
                yield from _paired_changes(o, i, other, x, inner, where)
            elif b is not None:  # the milestones of a missing objective are not each named
                yield PLAN_CHANGED.finding(
                    f"Milestone {mid} of the approved plan (“{x.title or 'untitled'}”) is missing from {where}.",
                    objective=o, milestone=mid)
        if a is None or b is None:
            continue
        for j, y in enumerate(b.milestones):
            if (o, j) not in paired:
                yield PLAN_CHANGED.finding(
                    f"{where[0].upper()}{where[1:]} adds milestone {o}.{j + 1} (“{y.title or 'untitled'}”), which "
                    "the approved plan does not have; it is not scored.", objective=o, milestone=f"{o}.{j + 1}")


def _paired_changes(o: int, i: int, other: Position, x: Milestone, inner: Plan, where: str) -> Iterator[Finding]:
    """Milestone o.(i+1) of the approved plan, `x`, against its counterpart `other` in the zip's plan."""
    mid = f"{o}.{i + 1}"
    p, j = other
    if other != (o, i):
        under = "" if p == o else f", under objective {p},"
        yield PLAN_CHANGED.finding(
            f"Milestone {mid} (“{x.title or 'untitled'}”) is numbered {p}.{j + 1}{under} in {where}; its files are "
            f"mapped by the approved numbering ({mid}).", objective=o, milestone=mid)
    yield from _field_changes(o, mid, x, inner.objectives[p - 1].milestones[j], where)


def pair_milestones(approved: Plan, inner: Plan) -> dict[Position, Position]:
    """Each approved milestone's counterpart in the zip's plan, for those that have one.

    Paired, in this order: by the same title (spacing, case and a final full stop aside) in the same
    objective, the k-th such title with the k-th; by a title found once in what is left of each plan (a
    milestone moved to another objective); between two milestones paired so far in both plans, the
    rest in order (a milestone reworded where a milestone was inserted or removed); and what is left by
    its number. So a swap is two renumbered milestones, and each self-score stays with its title.
    The zip's plan is untrusted: every step is linear or n log n in the number of milestones.
    """
    pairs: dict[Position, Position] = {}
    for o, a in enumerate(approved.objectives, start=1):
        b = inner.objective(o)
        if b is None:
            continue
        waiting: dict[str, deque[int]] = {}
        for j, y in enumerate(b.milestones):
            if key := _text_key(y.title):
                waiting.setdefault(key, deque()).append(j)
        for i, x in enumerate(a.milestones):
            queue = waiting.get(_text_key(x.title))
            if queue:
                pairs[(o, i)] = (o, queue.popleft())
    taken = set(pairs.values())
    ours, theirs = _left_by_title(approved, pairs.keys()), _left_by_title(inner, taken)
    for key, places in ours.items():
        there = theirs.get(key, [])
        if len(places) == 1 and len(there) == 1:
            pairs[places[0]] = there[0]
            taken.add(there[0])
    for o, a in enumerate(approved.objectives, start=1):
        b = inner.objective(o)
        if b is not None:
            _pair_the_rest(o, len(a.milestones), len(b.milestones), pairs, taken)
    return pairs


def _left_by_title(plan: Plan, skip: Collection[Position]) -> dict[str, list[Position]]:
    """The milestones not in `skip`, by title (untitled ones left out)."""
    found: dict[str, list[Position]] = {}
    for o, objective in enumerate(plan.objectives, start=1):
        for i, ms in enumerate(objective.milestones):
            if (o, i) not in skip and (key := _text_key(ms.title)):
                found.setdefault(key, []).append((o, i))
    return found


def _pair_the_rest(o: int, ours: int, theirs: int, pairs: dict[Position, Position], taken: set[Position]) -> None:
    """Pair objective `o`'s milestones left unpaired (`ours` approved, `theirs` in the zip's plan): between
    two milestones paired in the same order in both plans, the rest in order; then by number."""
    anchors = [(i, pairs[(o, i)][1]) for i in range(ours) if pairs.get((o, i), (0, 0))[0] == o]
    bounds = [(-1, -1), *_increasing(anchors), (ours, theirs)]
    for (i1, j1), (i2, j2) in itertools.pairwise(bounds):
        left = [i for i in range(i1 + 1, i2) if (o, i) not in pairs]
        free = [j for j in range(j1 + 1, j2) if (o, j) not in taken]
        for i, j in zip(left, free, strict=False):
            pairs[(o, i)] = (o, j)
            taken.add((o, j))
    for i in range(min(ours, theirs)):
        if (o, i) not in pairs and (o, i) not in taken:
            pairs[(o, i)] = (o, i)
            taken.add((o, i))


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of `pairs` (in order of their first number) whose second numbers increase too:
    the milestones in the same order in both plans (patience sorting, n log n)."""
    tails: list[int] = []  # the smallest last second number of a run of each length
    ends: list[int] = []  # where that run ends in `pairs`
    before = [-1] * len(pairs)
    for k, (_i, j) in enumerate(pairs):
        n = bisect.bisect_left(tails, j)
        if n == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[n], ends[n] = j, k
        before[k] = ends[n - 1] if n else -1
    run: list[tuple[int, int]] = []
    k = ends[-1] if ends else -1
    while k >= 0:
        run.append(pairs[k])
        k = before[k]
    return run[::-1]


def _field_changes(o: int, mid: str, x: Milestone, y: Milestone, where: str) -> Iterator[Finding]:
    if not _same_text(x.title, y.title):
        yield PLAN_CHANGED.finding(
            f"Milestone {mid} was reworded: approved as “{x.title or ''}”, {where} says “{y.title or ''}”.",
            objective=o, milestone=mid)
    if x.weight != y.weight:
        yield PLAN_CHANGED.finding(
            f"The weight of milestone {mid} moved: approved at {_pts(x.weight)}, {where} gives it "
            f"{_pts(y.weight)}. It is scored out of {_pts(x.weight)}.", objective=o, milestone=mid)
    if x.target_date != y.target_date:
        yield PLAN_CHANGED.finding(
            f"The target date of milestone {mid} changed: approved for {_day(x.target_date)}, {where} says "
            f"{_day(y.target_date)}.", objective=o, milestone=mid)
    if not _same_text(x.deliverable, y.deliverable):
        yield PLAN_CHANGED.finding(
            f"The deliverable of milestone {mid} changed: approved as “{x.deliverable or ''}”, {where} says "
            f"“{y.deliverable or ''}”.", objective=o, milestone=mid)


def _pts(value: float | None) -> str:
    return "no weight" if value is None else f"{points(value)} points"


def _day(value: object) -> str:
    import datetime as dt

    return long_date(value) if isinstance(value, dt.date) else "no date"


def audit_documents(approved: Documents, inner: Documents, present: Callable[[str], bool]) -> Documents:
    """The document paths an audit reads, decided per document from the approved plan and the zip's plan.

    The signed pages of the final stage (the acknowledgement, the Auditor Maintenance page) are signed
    after the plan is approved: the zip's plan names them, and the approved plan's path (none, or the
    defaults 'packager init' writes) is used only when the zip's plan names none, or when it is the one
    present in the zip and the zip's is not. The other documents (the organisational chart, the proposal
    form) are the approved plan's, unless only the zip's is present. `present` says whether a path
    written under documents: is a file of the zip.
    """
    from packager.build import STAGE_DOCUMENTS  # imported here: only an audit against a plan needs it
    from packager.model import Stage

    final = STAGE_DOCUMENTS[Stage.FINAL]
    chosen: dict[str, str | None] = {}
    for role in (f.name for f in fields(Documents)):
        ours, theirs = getattr(approved, role), getattr(inner, role)
        first, second = (theirs, ours) if role in final else (ours, theirs)
        named = [path for path in (first, second) if path]
        chosen[role] = next((path for path in named if present(path)), named[0] if named else None)
    return Documents(**chosen)


def in_zip(names: Collection[str], naming: NamingConvention) -> Callable[[str], bool]:
    """Whether a path written under documents: is a file among `names` (a zip's files), found as
    classification finds it (packager.classify): below the zip's top folder, or by its ending in admin/."""
    from packager.classify import DocumentFinder, find_root

    files = [name for name in names if name and not name.endswith("/")]
    finder = DocumentFinder(files, find_root(files, naming), naming)
    keys = {name_key(name) for name in files}
    return lambda written: name_key(finder.find(written)) in keys


def plan_for_audit(approved: Plan, inner: Plan | None, present: Callable[[str], bool] = lambda _path: False) -> Plan:
    """The approved plan, with the company's final-stage content taken from the zip's plan where it has none.

    Weights, titles, target dates and deliverables always come from the approved plan; the document
    paths are decided here, once, by :func:`audit_documents` (`present`: whether a path written under
    documents: is a file of the zip), and every check and the classification read them.
    """
    if inner is None:
        return approved
    pairs = pair_milestones(approved, inner)
    objectives = []
    for o, objective in enumerate(approved.objectives, start=1):
        theirs = inner.objective(o)
        milestones = []
        for i, ms in enumerate(objective.milestones):
            p, j = pairs.get((o, i), (0, 0))
            other = inner.objectives[p - 1].milestones[j] if p else None
            if ms.self_score is None and other is not None and other.self_score is not None:
                ms = replace(ms, self_score=other.self_score)
            milestones.append(ms)
        notes = objective.notes or (theirs.notes if theirs is not None else None)
        objectives.append(replace(objective, milestones=tuple(milestones), notes=notes))
    return replace(
        approved,
        objectives=tuple(objectives),
        senior_representative=approved.senior_representative or inner.senior_representative,
        auditors=approved.auditors or inner.auditors,
        participants=approved.participants or inner.participants,
        trained_individuals=approved.trained_individuals or inner.trained_individuals,
        contact=approved.contact or inner.contact,
        documents=audit_documents(approved.documents, inner.documents, present),
        summary=approved.summary if (approved.summary.strengths or approved.summary.results) else inner.summary,
    )


def has_final_content(plan: Plan) -> bool:
    return any(ms.self_score is not None for _o, _m, ms in plan.milestones())


# ---------------------------------------------------------------------------------------------
# Batch: which approved plan belongs to which zip


def name_tokens(text: str) -> list[str]:
    """Lower-case letters-and-digits words, accents removed: 'Côté Paving Ltd.' -> ['cote', 'paving', 'ltd']."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.findall(r"[a-z0-9]+", plain)


def company_key(company: str) -> tuple[str, ...]:
    """The company name's words without legal suffixes (Ltd, Inc, Corp …): how names are compared."""
    words = [w for w in name_tokens(company) if w not in LEGAL_SUFFIXES]
    return tuple(words or name_tokens(company))


@dataclass(frozen=True)
class ApprovedPlans:
    """Every approved plan of a folder, by (company words, year)."""

    folder: Path
    plans: dict[tuple[tuple[str, ...], int], Plan]

    def for_plan(self, company: str, year: int) -> Plan | None:
        return self.plans.get((company_key(company), year))

    def for_zip_name(self, zip_name: str) -> tuple[Plan | None, str]:
        """The plan whose company words appear, in order, in the zip's name, with its year (or the only one)."""
        tokens = name_tokens(Path(zip_name).stem)
        matches = [(key, year) for (key, year) in self.plans if _contains(tokens, key)]
        if not matches:
            return None, (f"no approved plan in {self.folder} has a company name found in the zip's name; name the "
                          "zip after the company and year, e.g. 'Northwind Paving 2026.zip'")
        longest = max(len(key) for key, _y in matches)
        matches = [(key, year) for key, year in matches if len(key) == longest]
        by_year = [(key, year) for key, year in matches if str(year) in tokens]
        if len(by_year) == 1:
            return self.plans[by_year[0]], ""
        if not by_year and len(matches) == 1:
            return self.plans[matches[0]], ""
        chosen = by_year or matches
        names = ", ".join(f"{self.plans[m].company} {m[1]}" for m in sorted(chosen, key=lambda m: (m[0], m[1])))
        return None, f"the zip's name fits more than one approved plan ({names}); put the year in the zip's name"


def _contains(tokens: list[str], key: tuple[str, ...]) -> bool:
    n = len(key)
    return n > 0 and any(tuple(tokens[i:i + n]) == key for i in range(len(tokens) - n + 1))


def load_approved_plans(folder: Path, rules: Rules) -> ApprovedPlans:
    """Load every .yaml/.yml/.xlsx plan (and proposal zip) of `folder`; two different plans for one company and
    year stop with exit 2 (the same plan in two forms is one)."""
    if not folder.is_dir():
        raise InputError("the folder of approved plans does not exist or is not a folder", file=folder,
                         field="--plans")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES
                   and not p.name.startswith(("~$", ".")))
    if len(files) > MAX_PLANS:
        raise InputError(f"the folder holds {len(files):,} plan files, more than packager reads at once ({MAX_PLANS})",
                         file=folder, field="--plans")
    plans: dict[tuple[tuple[str, ...], int], Plan] = {}
    sources: dict[tuple[tuple[str, ...], int], Path] = {}
    for path in files:
        plan = load_plan(path, rules)
        key = (company_key(plan.company), plan.year)
        if key in plans and not list(plan_changes(plans[key], plan, "the other")):
            continue  # the same plan in two forms ('packager init' writes both a .yaml and an .xlsx)
        if key in plans:
            raise InputError(
                f"this is a second approved plan for {plan.company} {plan.year} (the first is {sources[key].name})",
                file=path, field="--plans", hint="Keep one approved plan per company and year in the folder")
        plans[key] = plan
        sources[key] = path
    if not plans:
        raise InputError("the folder holds no plan (.yaml, .yml or .xlsx)", file=folder, field="--plans")
    return ApprovedPlans(folder, plans)


__all__ = [
    "FINAL_CONTENT_CHECKS", "PLAN_CHANGED", "ApprovedPlans", "audit_documents", "company_key", "has_final_content",
    "in_zip", "is_workbook", "load_approved_plans", "plan_changes", "plan_for_audit",
]
