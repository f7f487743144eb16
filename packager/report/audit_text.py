"""Text, JSON and CSV reports for `packager audit`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.audit import AuditResult
from packager.csvsafe import csv_text
from packager.model import Stage
from packager.report.coverage import deliverable_dict
from packager.report.text import Style, clean, open_findings, plain, render_findings
from packager.review import MilestoneReview, milestone_reviews
from packager.textutil import points
from packager.verdict import FAILED, NOT_VERIFIED, OK, WARNINGS, Verdict, audit_verdict


@dataclass(frozen=True)
class BatchRow:
    """One received zip in a batch: its result, or why it could not be opened."""

    path: Path
    result: AuditResult | None
    failure: str | None = None
    strict: bool = False  # --strict: a zip with warnings is not ok either

    @property
    def verdict(self) -> Verdict | None:
        """The zip's one verdict (None: it could not be audited)."""
        return audit_verdict(self.result, self.strict) if self.result is not None else None

    @property
    def status(self) -> str:
        decided = self.verdict
        return decided.status if decided is not None else FAILED


def failed(result: AuditResult, strict: bool = False) -> bool:
    """The audit fails (exit 1): what the verdict says (packager.verdict)."""
    return audit_verdict(result, strict).failed


def verdict(result: AuditResult, strict: bool = False) -> str:
    """The verdict's words (packager.verdict)."""
    return audit_verdict(result, strict).words


def render_audit_text(result: AuditResult, *, style: Style = plain, quiet: bool = False, strict: bool = False) -> str:
    """The audit report, grouped like `check`'s. `quiet`: only the errors (with `strict`, the warnings too),
    the verdict and the counts."""
    decided = audit_verdict(result, strict)
    role = decided.role
    closing = [style(f"Verdict: {decided.words}", role), style(result.summary.counts(), role)]
    if quiet:
        shown = open_findings(result.findings, strict)
        return "\n".join([*(render_findings(shown, result.plan, style) if shown else []), *closing]) + "\n"
    plan = result.plan
    head = (f"{plan.company} \u2014 {plan.program} Action Plan {plan.year}" if plan else "Unknown company (no plan)")
    if result.stage is Stage.PROPOSAL:
        head += " \u2014 Proposal"
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
        "status": audit_verdict(result, strict).status,
        "stage": result.stage.value,
    }
    if result.inventory is not None and plan is not None:
        data["deliverables"] = [deliverable_dict(r, plan, result.rules) for r in result.inventory.deliverables]
    return data


BATCH_COLUMNS = ["zip", "company", "program", "year", "files", "errors", "warnings", "self_score", "qa_score",
                 "status", "problem", "stage", "verdict"]


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
            r.stage.value if r else "",
            row.verdict.words if row.verdict else "",
        ])
    return out


def batch_csv(rows: list[BatchRow]) -> str:
    """One row per zip; every cell is formula-safe (zip names and company names are untrusted)."""
    return csv_text([BATCH_COLUMNS, *batch_rows(rows)])


STATUS_ROLE = {OK: "ok", WARNINGS: "warning"}  # any other status (errors, below pass mark, failed): error


def batch_text(rows: list[BatchRow], *, style: Style = plain, quiet: bool = False) -> str:
    """One line per zip, then how many are ok. `quiet`: only the zips that are not ok, and that line."""
    lines = []
    for cells in batch_rows(rows):
        zip_name, company, _p, _y, files, errors, warnings, self_score, qa, status, problem, stage, words = cells
        if quiet and status == "ok":
            continue
        detail = problem or f"{files} files, {errors} errors, {warnings} warnings, self {self_score or '—'}%" + (
            f", QA {qa}%" if qa else "")
        if stage == Stage.PROPOSAL.value:
            detail = f"proposal, {detail}"
        if status == NOT_VERIFIED:
            detail += f": {words}"
        label = style(f"{status.upper():<16}", STATUS_ROLE.get(status, "error"))
        lines.append(f"{label} {clean(f'{zip_name}  {company}  {detail}')}")
    bad = sum(row.status != "ok" for row in rows)
    total = f"{len(rows)} zip{'' if len(rows) == 1 else 's'}: {len(rows) - bad} ok, {bad} to follow up"
    lines.append(style(total, "error" if bad else "ok"))
    return "\n".join(lines) + "\n"
