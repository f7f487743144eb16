"""Plan structure: counts, weights, required milestone fields, the audit objective, target dates.

These apply at both stages: a plan that breaks them cannot be approved or scored. The people a proposal
must name (participants and trained individuals) are checked at the proposal stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from packager.checks.context import Context, Stage
from packager.checks.registry import declare
from packager.findings import Finding, Severity
from packager.textutil import join_or, long_date, points

FAMILY = "plan"

OBJECTIVE_COUNT = declare(
    "objective-count", Severity.ERROR, FAMILY,
    "The plan has fewer or more objectives than the program allows (3 to 7 for ACSA).",
    "Add or merge objectives so the plan has between the minimum and maximum number.",
)
MILESTONE_COUNT = declare(
    "milestone-count", Severity.ERROR, FAMILY,
    "An objective has fewer or more milestones than allowed (2 to 5 for ACSA).",
    "Split or combine steps so each objective has between the minimum and maximum number of milestones.",
)
WEIGHT_TOTAL = declare(
    "weight-total", Severity.ERROR, FAMILY,
    "The milestone weights of the whole plan do not add up to 100.",
    "Adjust the milestone weights so that together they total exactly 100 points.",
)
FIELD_MISSING = declare(
    "milestone-field-missing", Severity.ERROR, FAMILY,
    "A milestone has no title, person responsible (assigned_to), target date, deliverable or weight.",
    "Fill in title, assigned_to, target_date, deliverable and weight for every milestone.",
)
NO_AUDIT_OBJECTIVE = declare(
    "no-audit-objective", Severity.ERROR, FAMILY,
    "No objective is marked as based on the recommendations of the last certification audit.",
    "Base at least one objective on a recommendation from your last certification audit and "
    "mark it with 'audit_recommendation: true'.",
)
TARGET_OUTSIDE = declare(
    "target-date-outside-plan", Severity.ERROR, FAMILY,
    "A milestone's target date is before the proposal approval or after the final-submission deadline.",
    "Move the target date inside the plan window: after approval and no later than the final-submission deadline.",
)

OBJECTIVE_TITLE = declare(
    "objective-title-missing", Severity.ERROR, FAMILY,
    "An objective has no title (an empty 'title:').",
    "Write the objective as what will be done, how much and by when, e.g. 'Train all 40 field workers in "
    "fall protection by June 30, 2026'.",
)

COLUMN_IGNORED = declare(
    "plan-column-ignored", Severity.WARNING, FAMILY,
    "The plan workbook has a column whose header is not one packager knows nor close to one (a column of the "
    "coordinator's own, such as Status or Comments): its cells are not read.",
    "Nothing to do if the column is your own. If it was meant to be one of the plan's columns, give it that "
    "header (the workbook 'packager init --format xlsx' writes has them all).",
)
COLUMNS_SHOWN = 3  # ignored columns named one finding each; the rest are summed up in one more

REQUIRED_FIELDS = (
    ("title", "title (title)"),
    ("assigned_to", "person responsible (assigned_to)"),
    ("target_date", "target date (target_date)"),
    ("deliverable", "deliverable (deliverable)"),
    ("weight", "weight (weight)"),
)


PEOPLE_MISSING = declare(
    "proposal-people-missing", Severity.ERROR, FAMILY,
    "Proposal stage: the plan names no Action Plan participants, or no individual who meets the training "
    "requirements; the guide's first proposal item asks for both.",
    "Name them in the plan: 'participants:' and 'trained_individuals:' in action-plan.yaml, or the People sheet "
    "of action-plan.xlsx.",
)


def people_findings(ctx: Context) -> Iterator[Finding]:
    """Proposal stage: "Completed Action Plan proposal, including the individual(s) with the training
    requirements and the Action Plan participants" (the guide)."""
    if ctx.stage is not Stage.PROPOSAL:
        return
    missing = [what for what, names in (("the Action Plan participants", ctx.plan.participants),
                                        ("the individuals who meet the training requirements",
                                         ctx.plan.trained_individuals))
               if not any(name.strip() for name in names)]
    if missing:
        yield PEOPLE_MISSING.finding(
            f"The proposal does not name {' or '.join(missing)}: the guide asks for both in the completed "
            "Action Plan proposal."
        )


def run(ctx: Context) -> Iterator[Finding]:
    yield from people_findings(ctx)
    plan, rules = ctx.plan, ctx.rules
    bounds = rules.plan.objectives
    count = len(plan.objectives)
    if not bounds.min <= count <= bounds.max:
        yield OBJECTIVE_COUNT.finding(
            f"The plan has {count} objective{'s' if count != 1 else ''}; the program requires "
            f"between {bounds.min} and {bounds.max}."
        )
    mbounds = rules.plan.milestones_per_objective
    for o, objective in enumerate(plan.objectives, start=1):
        n = len(objective.milestones)
        if not mbounds.min <= n <= mbounds.max:
            yield MILESTONE_COUNT.finding(
                f"Objective {o} has {n} milestone{'s' if n != 1 else ''}; each objective needs "
                f"between {mbounds.min} and {mbounds.max}.",
                objective=o,
            )
    for o, objective in enumerate(plan.objectives, start=1):
        if not (objective.title or "").strip():
            yield OBJECTIVE_TITLE.finding(f"Objective {o} has no title.", objective=o)
    weights_missing = False
    for o, mid, ms in plan.milestones():
        missing = [label for name, label in REQUIRED_FIELDS if not str(getattr(ms, name) or "").strip()
                   and getattr(ms, name) != 0]
        if missing:
            weights_missing |= ms.weight is None
            yield FIELD_MISSING.finding(
                f"Milestone {mid} is missing its {join_or(missing, 'and')}.", objective=o, milestone=mid
            )
    if plan.objectives and not weights_missing:
        yield from _weights(ctx)
    if rules.plan.audit_objective_required and plan.objectives and not any(
        obj.audit_recommendation for obj in plan.objectives
    ):
        yield NO_AUDIT_OBJECTIVE.finding(
            "None of the objectives is marked as based on the recommendations of your last "
            "certification audit; at least one must be."
        )
    yield from _target_dates(ctx)
    yield from _ignored_columns(ctx)


def _ignored_columns(ctx: Context) -> Iterator[Finding]:
    """The plan workbook's columns packager does not know (read past by planxlsx): the first few one finding
    each, the others in one. Applies at every stage: the plan is the same file."""
    columns = ctx.plan.ignored_columns
    where = PurePath(ctx.plan.source).name or None
    for cell, header in columns[:COLUMNS_SHOWN]:
        sheet, _, ref = cell.rpartition("!")
        yield COLUMN_IGNORED.finding(
            f"The column '{header}' of the {sheet.strip(chr(39))} sheet (cell {ref}) is not one packager knows, so "
            "it is ignored: its cells are not read.",
            path=where,
        )
    rest = columns[COLUMNS_SHOWN:]
    if rest:
        named = ", ".join(f"'{header}' ({cell})" for cell, header in rest[:COLUMNS_SHOWN])
        more = f" and {len(rest) - COLUMNS_SHOWN:,} more" if len(rest) > COLUMNS_SHOWN else ""
        yield COLUMN_IGNORED.finding(
            f"{len(rest):,} more columns packager does not know are ignored too: {named}{more}.", path=where,
        )


def _weights(ctx: Context) -> Iterator[Finding]:
    plan, total_needed = ctx.plan, ctx.rules.plan.weight_total
    total = plan.total_weight
    if abs(total - total_needed) < 1e-6:
        return
    per_objective = ", ".join(
        f"Objective {o} {points(sum(ms.weight or 0 for ms in obj.milestones))}"
        for o, obj in enumerate(plan.objectives, start=1)
    )
    direction = "short by" if total < total_needed else "over by"
    yield WEIGHT_TOTAL.finding(
        f"The milestone weights add up to {points(total)}, not {points(total_needed)} "
        f"({direction} {points(abs(total_needed - total))}). By objective: {per_objective}."
    )


def _target_dates(ctx: Context) -> Iterator[Finding]:
    plan = ctx.plan
    deadline = ctx.rules.final_deadline(plan.year)
    for o, mid, ms in plan.milestones():
        target = ms.target_date
        if target is None:
            continue
        if plan.approved and target < plan.approved:
            yield TARGET_OUTSIDE.finding(
                f"Milestone {mid} is due {long_date(target)}, before the proposal was approved on "
                f"{long_date(plan.approved)}. Milestones must start and finish after approval.",
                objective=o, milestone=mid,
            )
        elif target > deadline:
            yield TARGET_OUTSIDE.finding(
                f"Milestone {mid} is due {long_date(target)}, after the {plan.year} final-submission "
                f"deadline of {long_date(deadline)}.",
                objective=o, milestone=mid,
            )
