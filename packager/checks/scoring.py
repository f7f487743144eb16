"""Final stage: self-scores, self-scoring notes, auditor participation and the executive summary."""

from __future__ import annotations

import re
from collections.abc import Iterator

from packager.checks.context import Context, Stage
from packager.checks.registry import declare
from packager.findings import Finding, Severity
from packager.plan import Milestone
from packager.textutil import long_date, points

FAMILY = "scoring"

SELF_SCORE = declare(
    "self-score-invalid", Severity.ERROR, FAMILY,
    "Final stage: a milestone's self-score is missing, negative, or more than its weight.",
    "Give every milestone a self_score from 0 up to its weight: full points if completed in "
    "full, partial points if partly done, 0 if not done.",
)
NOTES = declare(
    "objective-notes-missing", Severity.ERROR, FAMILY,
    "Final stage: an objective has no self-scoring notes (error), or a milestone scored partial "
    "points and the notes never mention it (warning).",
    "Under the objective's 'notes:', explain how you scored each milestone, and why any "
    "milestone received partial points (e.g. '1.2: 2 of 4 drills held, 6 of 12 points').",
)
PARTICIPATION = declare(
    "auditor-participation-missing", Severity.ERROR, FAMILY,
    "Final stage: the plan lists no auditor, or an auditor without a participation description.",
    "List each auditor who took part under 'auditors:' with a short description of their "
    "responsibilities and participation in the Action Plan.",
)
SUMMARY = declare(
    "summary-missing", Severity.ERROR, FAMILY,
    "Final stage: the executive summary has no strengths (an error) or no recommendations (a warning: the guide "
    "asks for any the auditors have).",
    "Under 'summary:' in the plan, list the strengths (what went well) and the auditors' "
    "recommendations; they feed the generated executive summary.",
)
BELOW_PASS = declare(
    "score-below-pass", Severity.WARNING, FAMILY,
    "The score is below the pass mark (60%): a maintenance audit will be needed before "
    "December 31 of the plan year. A warning on the self-score; an error on the QA score.",
    "Check the self-scores against the deliverables. If the score stands, plan a maintenance "
    "audit with your certifying partner before the year-end deadline.",
)


def run(ctx: Context) -> Iterator[Finding]:
    if ctx.stage is not Stage.FINAL:
        return
    plan = ctx.plan
    for o, mid, ms in plan.milestones():
        weight = ms.weight
        score = ms.self_score
        if score is None:
            yield SELF_SCORE.finding(
                f"Milestone {mid} has no self-score.", objective=o, milestone=mid
            )
        elif score < 0:
            yield SELF_SCORE.finding(
                f"Milestone {mid} has a negative self-score ({points(score)}).",
                objective=o, milestone=mid,
            )
        elif weight is not None and score > weight + 1e-9:
            yield SELF_SCORE.finding(
                f"Milestone {mid} claims {points(score)} points, more than its weight of "
                f"{points(weight)}.",
                objective=o, milestone=mid,
            )
    yield from _notes(ctx)
    yield from _auditors(ctx)
    yield from _summary(ctx)
    yield from score_below_pass(ctx, plan.self_score_percent(ctx.rules), "self-score")


def _mentions(notes: str, o: int, m: int, ms: Milestone) -> bool:
    text = notes.lower()
    if re.search(rf"(?<![\d.]){o}\.{m}(?![\d])", text):
        return True
    if re.search(rf"\b(?:milestone|m)\s*{m}\b", text):
        return True
    return bool(ms.title) and ms.title.lower() in text  # type: ignore[union-attr]


def _notes(ctx: Context) -> Iterator[Finding]:
    for o, objective in enumerate(ctx.plan.objectives, start=1):
        notes = (objective.notes or "").strip()
        if not notes:
            yield NOTES.finding(
                f"Objective {o} has no self-scoring notes explaining how its milestones were "
                "scored.",
                objective=o,
            )
            continue
        for m, ms in enumerate(objective.milestones, start=1):
            if ms.self_score is None or ms.weight is None:
                continue
            partial = 0 < ms.self_score < ms.weight
            if partial and not _mentions(notes, o, m, ms):
                yield NOTES.finding(
                    f"Milestone {o}.{m} scored {points(ms.self_score)} of {points(ms.weight)} "
                    f"points, but the notes for objective {o} do not explain the partial score.",
                    severity=Severity.WARNING,
                    objective=o,
                    milestone=f"{o}.{m}",
                )


def _auditors(ctx: Context) -> Iterator[Finding]:
    auditors = ctx.plan.auditors
    if not auditors:
        yield PARTICIPATION.finding(
            "The plan lists no auditors. The Auditor Maintenance page needs each participating "
            "auditor's name and a description of their participation."
        )
    for auditor in auditors:
        if not (auditor.participation or "").strip():
            yield PARTICIPATION.finding(
                f"Auditor {auditor.name} has no description of their responsibilities and "
                "participation in the Action Plan."
            )


def _summary(ctx: Context) -> Iterator[Finding]:
    """The guide's executive summary lists "the positive areas of the process and any recommendations the
    auditor(s) have": no strengths is an error; no recommendations only a warning (the auditors may have none)."""
    summary = ctx.plan.summary
    strengths, recommendations = ([i for i in items if i.strip()]
                                  for items in (summary.strengths, summary.recommendations))
    if not strengths:
        yield SUMMARY.finding(
            "The executive summary has no strengths" + (" and no recommendations." if not recommendations else ".")
        )
    elif not recommendations:
        yield SUMMARY.finding(
            "The executive summary has no recommendations.", severity=Severity.WARNING,
            hint="If the auditors have recommendations, list them under 'summary: recommendations:'. If they have "
            "none, say so there (e.g. 'The auditors have no further recommendations'), so the reviewer knows it "
            "was not forgotten.",
        )


def score_below_pass(
    ctx: Context, percent: float | None, which: str, severity: Severity | None = None
) -> Iterator[Finding]:
    """The pass-mark finding, shared by the self-check and the reviewer's QA scoring."""
    if percent is None:
        return
    pass_mark = ctx.rules.scoring.pass_mark
    if percent + 1e-9 >= pass_mark:
        return
    deadline = ctx.rules.maintenance_audit_deadline(ctx.plan.year)
    yield BELOW_PASS.finding(
        f"The {which} is {points(percent)}%, below the pass mark of {points(pass_mark)}%. A "
        f"maintenance audit will be required before {long_date(deadline)}.",
        severity=severity,
    )
