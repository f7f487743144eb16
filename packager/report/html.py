"""Self-contained HTML reports: no network, every text autoescaped, prints cleanly."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from packager import __version__
from packager.audit import AuditResult
from packager.dates import period_iso
from packager.findings import Finding, Severity
from packager.model import Stage
from packager.report.audit_text import BATCH_COLUMNS, BatchRow, audit_dict, batch_rows, reviews
from packager.report.coverage import coverage
from packager.result import CheckResult
from packager.textutil import long_date, points
from packager.verdict import audit_verdict


def _num(value: Any) -> str:
    return "—" if value is None else points(float(value))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("packager", "templates/report"), autoescape=True, undefined=StrictUndefined,
    )
    env.filters["num"] = _num
    env.filters["period"] = _period
    return env


def _period(value: str | None, precision: str | None) -> str:
    """A deliverable's date as its name gives it: 2026-05-14, 2026-05 for a month, 2026-Q2 for a quarter."""
    return period_iso(dt.date.fromisoformat(value), precision or "day") if value else "no date"


def render_audit_html(result: AuditResult, *, strict: bool = False) -> str:
    data = audit_dict(result, strict)
    by_path: dict[str, list[Finding]] = defaultdict(list)
    archive = set(result.archive_findings)
    other = []
    for f in result.findings:
        if f in archive:
            continue
        if f.path:
            by_path[f.path].append(f)
        else:
            other.append(f)
    rows = coverage(result.plan, result.inventory, result.findings) if result.plan and result.inventory else []
    milestone_rows = reviews(result)
    summary = result.summary
    decided = audit_verdict(result, strict)
    verdict_class = {"error": "bad", "warning": "warn"}.get(decided.role, "good")
    return _environment().get_template("audit.html.j2").render(
        version=__version__,
        company=result.plan.company if result.plan else "Unknown company",
        plan=result.plan, zip_name=result.path.name, verdict=decided.words, verdict_class=verdict_class,
        summary_line=summary.counts(), unverified=result.unverified,
        objectives=result.objectives, score=result.score, coverage=rows,
        archive_findings=[f.to_dict() for f in result.archive_findings],
        deliverables=data.get("deliverables", []),
        by_path={k: [f.to_dict() for f in v] for k, v in by_path.items()},
        other_findings=[f.to_dict() for f in other],
        problems=_problems(result), milestones=[r.to_dict() for r in milestone_rows],
        has_qa=result.qa is not None, approved=result.approved, proposal=result.stage is Stage.PROPOSAL,
    )


def _problems(result: AuditResult) -> list[dict[str, Any]]:
    """The errors, grouped by milestone in plan order, then those about the whole submission."""
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    groups: list[dict[str, Any]] = []
    if result.plan is not None:
        for _o, mid, ms in result.plan.milestones():
            found = [f.to_dict() for f in errors if f.milestone == mid]
            if found:
                groups.append({"label": f"Milestone {mid}" + (f" — {ms.title}" if ms.title else ""), "findings": found})
    known = {mid for _o, mid, _ms in result.plan.milestones()} if result.plan is not None else set()
    rest = [f.to_dict() for f in errors if f.milestone not in known]
    if rest:
        groups.append({"label": "Whole submission", "findings": rest})
    return groups


def render_batch_html(rows: list[BatchRow]) -> str:
    return _environment().get_template("batch.html.j2").render(
        version=__version__, columns=BATCH_COLUMNS, rows=batch_rows(rows),
    )


def render_check_html(result: CheckResult, *, strict: bool = False, today: dt.date | None = None) -> str:
    """A printable self-check page in the audit report's style (the same finding on many files once)."""
    from packager.report.text import _milestone_title, _sections, merge_same

    def entries(findings: list[Finding]) -> list[dict[str, Any]]:
        return [{**e.finding.to_dict(), "paths": list(e.paths)} for e in merge_same(findings)]

    plan, summary, score = result.plan, result.summary, result.score
    failed = summary.failed(strict)
    verdict_text = ("Not ready to submit" if failed else
                    "Ready to submit, with warnings" if summary.warnings else "Ready to submit")
    sections = [
        {"title": s.title, "findings": entries(s.findings),
         "milestones": [{"title": f"Milestone {mid}" + _milestone_title(plan, mid),
                         "findings": entries(items)} for mid, items in s.milestones.items()]}
        for s in _sections(result.findings, plan)
    ]
    final = result.stage.value == "final"
    rows = coverage(plan, result.inventory, result.findings) if result.inventory is not None and final else []
    score_rows = [
        {"number": o, "title": obj.title, "weight": sum(ms.weight or 0 for ms in obj.milestones),
         "self": (sum(ms.self_score for ms in obj.milestones if ms.self_score is not None)
                  if any(ms.self_score is not None for ms in obj.milestones) else None)}
        for o, obj in enumerate(plan.objectives, start=1)
    ] if final and score.self is not None else []
    return _environment().get_template("check.html.j2").render(
        version=__version__, company=plan.company or "Unnamed company", plan=plan, stage=result.stage.value,
        folder=result.source, day=long_date(_today_for_report(today)), verdict=verdict_text,
        verdict_class="bad" if failed else ("warn" if summary.warnings else "good"),
        summary_line=summary.counts(), score=score, score_rows=score_rows, coverage=rows, sections=sections,
    )


def _today_for_report(today: dt.date | None) -> dt.date:
    """The day of the report; SOURCE_DATE_EPOCH fixes it for reproducible output."""
    from packager.clock import build_day

    return build_day(today)
