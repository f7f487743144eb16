"""Self-contained HTML reports: no network, every text autoescaped, prints cleanly."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from packager import __version__
from packager.audit import AuditResult
from packager.findings import Finding
from packager.report.audit_text import BATCH_COLUMNS, BatchRow, audit_dict, batch_rows, verdict
from packager.report.coverage import coverage
from packager.textutil import points


def _num(value: Any) -> str:
    return "—" if value is None else points(float(value))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("packager", "templates/report"), autoescape=True, undefined=StrictUndefined,
    )
    env.filters["num"] = _num
    return env


def render_audit_html(result: AuditResult) -> str:
    data = audit_dict(result)
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
    summary = result.summary
    bad = summary.errors or result.score.passed is False
    verdict_class = "bad" if bad else ("warn" if summary.warnings else "good")
    return _environment().get_template("audit.html.j2").render(
        version=__version__,
        company=result.plan.company if result.plan else "Unknown company",
        plan=result.plan, zip_name=result.path.name, verdict=verdict(result), verdict_class=verdict_class,
        summary_line=summary.counts(), unverified=result.unverified,
        objectives=result.objectives, score=result.score, coverage=rows,
        archive_findings=[f.to_dict() for f in result.archive_findings],
        deliverables=data.get("deliverables", []),
        by_path={k: [f.to_dict() for f in v] for k, v in by_path.items()},
        other_findings=[f.to_dict() for f in other],
    )


def render_batch_html(rows: list[BatchRow]) -> str:
    return _environment().get_template("batch.html.j2").render(
        version=__version__, columns=BATCH_COLUMNS, rows=batch_rows(rows),
    )
