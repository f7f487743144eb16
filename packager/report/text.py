"""The default text report: findings grouped by objective and milestone, then a summary line."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from packager.findings import Finding, Severity
from packager.plan import Plan
from packager.report.coverage import coverage as build_coverage
from packager.report.coverage import coverage_lines
from packager.result import CheckResult
from packager.textutil import points

WIDTH = 100
LABEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "NOTE"}


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def format_finding(f: Finding, indent: str = "  ") -> str:
    lines = [f"{indent}{LABEL[f.severity]:<8}{f.check}" + (f"  [{f.path}]" if f.path else "")]
    lines.append(_wrap(f.message, indent + "        "))
    lines.append(_wrap("Fix: " + f.hint, indent + "        "))
    return "\n".join(lines)


def group_findings(findings: Iterable[Finding], plan: Plan | None) -> list[tuple[str, list[Finding]]]:
    """Sections in reading order: whole plan, then each objective and milestone, then files."""
    groups: dict[tuple[int, int, str], tuple[str, list[Finding]]] = {}
    for f in findings:
        if f.objective is None and f.path is None:
            key, title = (0, 0, ""), "Whole plan"
        elif f.objective is None:
            key, title = (10**6, 0, ""), "Files"  # files that belong to no objective come last
        elif f.milestone is None:
            key = (f.objective, 0, "")
            title = _objective_title(plan, f.objective)
        else:
            parts = f.milestone.split(".")
            m = int(parts[-1]) if parts[-1].isdigit() else 999
            key = (f.objective, m, f.milestone)
            title = f"Milestone {f.milestone}" + _milestone_title(plan, f.milestone)
        groups.setdefault(key, (title, []))[1].append(f)
    return [groups[k] for k in sorted(groups)]


def _objective_title(plan: Plan | None, number: int) -> str:
    objective = plan.objective(number) if plan else None
    return f"Objective {number}" + (f": {objective.title}" if objective and objective.title else "")


def _milestone_title(plan: Plan | None, mid: str) -> str:
    ms = plan.milestone(mid) if plan else None
    return f": {ms.title}" if ms and ms.title else ""


def render_findings(findings: Iterable[Finding], plan: Plan | None) -> list[str]:
    out: list[str] = []
    for title, items in group_findings(findings, plan):
        indent = "    " if title.startswith("Milestone") else "  "
        out.append(("  " if title.startswith("Milestone") else "") + title)
        out.extend(format_finding(f, indent) for f in items)
        out.append("")
    return out


def render_check(result: CheckResult) -> str:
    plan = result.plan
    coverage = None
    if result.inventory is not None and result.stage.value == "final":
        coverage = coverage_lines(build_coverage(plan, result.inventory, result.findings), plan)
    out = [
        f"{plan.company} \u2014 {plan.program} Action Plan {plan.year} \u2014 "
        f"{result.stage.value} self-check",
        f"Plan: {plan.source}    Rules: {result.rules.profile}",
        "",
    ]
    if coverage:
        out.extend(coverage)
        out.append("")
    if result.findings:
        out.extend(render_findings(result.findings, plan))
    else:
        out.extend(["No problems found.", ""])
    out.extend(result.notes)
    score = result.score
    if score.self is not None:
        out.append(
            f"Self-score: {points(score.self)}% (pass mark {points(score.pass_mark)}%)"
        )
    out.append(result.summary.line())
    return "\n".join(out) + "\n"

