"""Text, JSON and CSV reports for `packager audit`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.audit import AuditResult
from packager.csvsafe import csv_text
from packager.report.coverage import deliverable_dict
from packager.report.text import Style, clean, open_findings, plain, render_findings, summary_role
from packager.review import MilestoneReview, milestone_reviews
from packager.textutil import points


@dataclass(frozen=True)
class BatchRow:
    """One received zip in a batch: its result, or why it could not be opened."""

    path: Path
    result: AuditResult | None
    failure: str | None = None
    strict: bool = False  # --strict: a zip with warnings is not ok either

    @property
    def status(self) -> str:
        if self.result is None:
            return "failed"
        if self.result.summary.errors:
            return "errors"
        passed = self.result.score.passed
        if passed is False:
            return "below pass mark"
        if self.result.plan is None:
            return "not verified"  # no plan in the zip and none given: see NOT_VERIFIED
        if self.strict and self.result.summary.warnings:
            return "warnings"
        return "ok"


def failed(result: AuditResult, strict: bool = False) -> bool:
    """The audit fails (exit 1): errors (with --strict, warnings too), a QA score below the pass mark, or no
    plan to audit against (nothing of the plan could be verified, so it cannot be called acceptable)."""
    return result.summary.failed(strict) or result.score.passed is False or result.plan is None


NOT_VERIFIED = "Not verified: there is no plan to audit it against (give the approved plan with --plan or --plans)"


def verdict(result: AuditResult, strict: bool = False) -> str:
    summary = result.summary
    if summary.errors:
        base = "Not acceptable as received"
    elif result.plan is None:
        # Coverage, self-scores, notes and the signed pages were never checked: 'Acceptable' would be a guess.
        base = NOT_VERIFIED
    elif summary.warnings and strict:
        base = "Not acceptable as received (warnings fail with --strict)"
    elif summary.warnings:
        base = "Acceptable, with warnings"
    else:
        base = "Acceptable"
    score = result.score
    if score.qa is not None:
        outcome = "passes" if score.passed else "is below the pass mark: a maintenance audit is required"
        base += f"; QA score {points(score.qa)}% {outcome}"
    return base


def render_audit_text(result: AuditResult, *, style: Style = plain, quiet: bool = False, strict: bool = False) -> str:
    """The audit report, grouped like `check`'s. `quiet`: only the errors (with `strict`, the warnings too),
    the verdict and the counts."""
    role = "error" if failed(result, strict) else summary_role(result.summary, strict)
    closing = [style(f"Verdict: {verdict(result, strict)}", role), style(result.summary.counts(), role)]
    if quiet:
        shown = open_findings(result.findings, strict)
        return "\n".join([*(render_findings(shown, result.plan, style) if shown else []), *closing]) + "\n"
    plan = result.plan
    head = (f"{plan.company} \u2014 {plan.program} Action Plan {plan.year}" if plan else "Unknown company (no plan)")
    out = [style(clean(f"Audit of {result.path.name}"), "heading"), clean(head), ""]
    if result.approved:
        out[-1:] = [clean(f"Scored against the approved plan: {result.approved}"), ""]
    elif plan:  # which of the zip's plans was read: its manifest's, or which plan file
        out[-1:] = [clean(f"Plan: {plan.source}    Rules: {result.rules.profile}"), ""]
    out.extend(clean(f"Note: {u}") for u in result.unverified)
    if result.unverified:
        out.append("")
    if result.findings:
        out.extend(render_findings(result.findings, plan, style))
    else:
        out.extend(["No problems found.", ""])
    score = result.score
    if score.self is not None:
        out.append(f"Self-score: {points(score.self)}%")
    if score.qa is not None:
        out.append(f"QA score: {points(score.qa)}% (pass mark {points(score.pass_mark)}%)")
        for row in result.objectives:
            out.append(f"  Objective {row['objective']}: weight {points(row['weight'])}, self "
                       f"{_opt(row['self'])}, QA {_opt(row['qa'])}")
        for review in reviews(result):
            comment = f"  “{one_line(review.comment)}”" if review.comment else ""
            out.append(clean(f"    {review.milestone:<5} QA {_opt(review.qa_score)} of {_opt(review.weight)}"
                             f" (self {_opt(review.self_score)}){comment}"))
    out.extend(closing)
    return "\n".join(out) + "\n"


def reviews(result: AuditResult) -> list[MilestoneReview]:
    """Each milestone's weight, self-score, QA score and comment, and open errors (empty without a plan)."""
    if result.plan is None:
        return []
    return milestone_reviews(result.plan, result.findings, result.qa)


def one_line(text: str) -> str:
    return " ".join(text.split())


def _opt(value: float | None) -> str:
    return "—" if value is None else points(value)


def audit_dict(result: AuditResult, strict: bool = False) -> dict[str, Any]:
    plan = result.plan
    from packager.report.jsonout import header

    data: dict[str, Any] = {
        **header("audit"),
        "findings": [f.to_dict() for f in result.findings],
        "summary": result.summary.to_dict(),
        "score": result.score.to_dict(),
        "archive": {"path": str(result.path), "entries": result.entries, "manifest": result.manifest},
        "plan": {"company": plan.company, "program": plan.program, "year": plan.year, "source": plan.source}
        if plan else None,
        "unverified": list(result.unverified),
        "approved_plan": result.approved,
        "objectives": list(result.objectives),
        "milestones": [r.to_dict() for r in reviews(result)],
        "verdict": verdict(result, strict),
    }
    if result.inventory is not None and plan is not None:
        data["deliverables"] = [deliverable_dict(r, plan, result.rules) for r in result.inventory.deliverables]
    return data


BATCH_COLUMNS = ["zip", "company", "program", "year", "files", "errors", "warnings", "self_score", "qa_score",
                 "status", "problem"]


def batch_rows(rows: list[BatchRow]) -> list[list[str]]:
    out = []
    for row in rows:
        r = row.result
        plan = r.plan if r else None
        out.append([
            row.path.name,
            plan.company if plan else "",
            plan.program if plan else "",
            str(plan.year) if plan else "",
            str(len(r.inventory.files)) if r and r.inventory else "",
            str(r.summary.errors) if r else "",
            str(r.summary.warnings) if r else "",
            points(r.score.self) if r and r.score.self is not None else "",
            points(r.score.qa) if r and r.score.qa is not None else "",
            row.status,
            row.failure or "",
        ])
    return out


def batch_csv(rows: list[BatchRow]) -> str:
    """One row per zip; every cell is formula-safe (zip names and company names are untrusted)."""
    return csv_text([BATCH_COLUMNS, *batch_rows(rows)])


STATUS_ROLE = {"ok": "ok", "warnings": "warning"}  # any other status (errors, below pass mark, failed): error


def batch_text(rows: list[BatchRow], *, style: Style = plain, quiet: bool = False) -> str:
    """One line per zip, then how many are ok. `quiet`: only the zips that are not ok, and that line."""
    lines = []
    for cells in batch_rows(rows):
        zip_name, company, _p, _y, files, errors, warnings, self_score, qa, status, problem = cells
        if quiet and status == "ok":
            continue
        detail = problem or f"{files} files, {errors} errors, {warnings} warnings, self {self_score or '—'}%" + (
            f", QA {qa}%" if qa else "")
        label = style(f"{status.upper():<16}", STATUS_ROLE.get(status, "error"))
        lines.append(f"{label} {clean(f'{zip_name}  {company}  {detail}')}")
    bad = sum(row.status != "ok" for row in rows)
    total = f"{len(rows)} zip{'' if len(rows) == 1 else 's'}: {len(rows) - bad} ok, {bad} to follow up"
    lines.append(style(total, "error" if bad else "ok"))
    return "\n".join(lines) + "\n"
