"""SMART objectives: Specific, Measurable, Attainable, Relevant and Time-bound.

A heuristic warning at both stages. The word lists are data (rules: smart).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packager.checks.context import Context
from packager.checks.registry import declare
from packager.findings import Finding, Severity

NOT_SMART = declare(
    "objective-not-smart", Severity.WARNING, "plan",
    "An objective does not read as SMART: no measurable quantity, no time bound, or too short "
    "to be specific (a heuristic).",
    "Rewrite the objective as what will be done, how much, and by when, e.g. 'Train all 40 field "
    "workers in fall protection by June 30, 2026'.",
)


def _matches(patterns: tuple[str, ...], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def run(ctx: Context) -> Iterator[Finding]:
    smart = ctx.rules.smart
    for o, objective in enumerate(ctx.plan.objectives, start=1):
        title = objective.title.strip()
        if not title:
            continue  # objective-title-missing (an error) says so
        gaps: list[str] = []
        if len(title.split()) < smart.min_title_words:
            gaps.append("it is too short to say specifically what will be done")
        if smart.measurable and not _matches(smart.measurable, title):
            vague = smart.vague and _matches(smart.vague, title)
            gaps.append(
                "it has no measurable quantity (a number, a percentage, 'all sites')"
                + (" and uses a vague verb" if vague else "")
            )
        if smart.time_bound and not _matches(smart.time_bound, title):
            gaps.append("it has no time bound (e.g. 'by October 2026')")
        if gaps:
            yield NOT_SMART.finding(
                f"Objective {o} \u201c{title}\u201d may not be SMART: {'; '.join(gaps)}.",
                objective=o,
            )
