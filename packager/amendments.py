"""The amendments letter (`audit ZIP --scores qa.xlsx --amendments request.pdf`).

Applies after a reviewer has scored a received zip. It lists each milestone needing more (scored
below its weight, or still carrying an error) with the reviewer's comment and the open errors,
the QA score so far, and the date by which to respond (rules: deadlines.amendments_response_days).
It is a generated document like the others: same templates, fonts, and the same bytes for the
same input.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from packager.audit import AuditResult
from packager.documents import render_pdf
from packager.errors import InputError
from packager.review import milestone_reviews
from packager.textutil import long_date

MAX_ERRORS_SHOWN = 3
MAX_COMMENT = 500
TEMPLATE = "amendments.html.j2"
TITLE = "Request for Amendments"


def amendments_context(result: AuditResult, today: dt.date) -> dict[str, Any]:
    plan, rules, qa = result.plan, result.rules, result.qa
    if plan is None or qa is None:
        raise InputError("an amendments letter needs the plan and the reviewer's scores", file=result.path,
                         field="--amendments", hint="Give --scores with the filled-in QA worksheet")
    days = rules.deadlines.amendments_response_days
    rows = []
    needing = [r for r in milestone_reviews(plan, result.findings, qa) if r.needs_more]
    # Keep the letter to one or two pages: with many milestones, fewer problems each (the report has all).
    shown = MAX_ERRORS_SHOWN if len(needing) <= 8 else 1
    limit = MAX_COMMENT if len(needing) <= 8 else MAX_COMMENT // 3
    for review in needing:
        comment = review.comment if len(review.comment) <= limit else review.comment[: limit - 1] + "…"
        rows.append({
            "milestone": review.milestone, "title": review.title, "weight": review.weight,
            "qa_score": review.qa_score, "qa_comment": comment,
            "open_errors": list(review.errors[:shown]),
            "more_errors": max(0, len(review.errors) - shown),
        })
    program = rules.program(plan.program)
    percent = qa.percent(rules)
    return {
        "plan": plan, "rules": rules, "stage": "final", "part": None,
        "program_name": program.name if program else plan.program,
        "generated": long_date(today), "zip_name": result.path.name,
        "qa": {"percent": percent, "points": qa.total(), "weight": rules.plan.weight_total,
               "pass_mark": rules.scoring.pass_mark, "passed": percent >= rules.scoring.pass_mark},
        "respond_by": long_date(today + dt.timedelta(days=days)), "days": days, "milestones": rows,
    }


def amendments_pdf(result: AuditResult, today: dt.date, templates_dir: Path | None = None) -> bytes:
    """The letter as PDF bytes; the same result and day always give the same bytes."""
    context = amendments_context(result, today)
    plan = context["plan"]
    return render_pdf(
        TEMPLATE, context, title=TITLE, templates_dir=templates_dir,
        fixed_date=dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC),
        header_text=f"{plan.company} — {plan.program} Action Plan {plan.year}",
    )
