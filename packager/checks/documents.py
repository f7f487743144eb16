"""The plan's own documents: the organisational chart (proposal) and the signed pages (final)."""

from __future__ import annotations

from collections.abc import Iterator

from packager.checks.context import Context, Stage
from packager.checks.registry import Check, declare
from packager.findings import Finding, Severity
from packager.inventory import FileRecord

FAMILY = "documents"

ORG_CHART = declare(
    "org-chart-missing", Severity.ERROR, FAMILY,
    "Proposal stage: the plan names no organisational chart, or the file it names is not there.",
    "Put the company's organisational chart in the folder (e.g. admin/org-chart.pdf) and name "
    "it under documents.org_chart in the plan.",
)
SIGNOFF = declare(
    "signoff-missing", Severity.ERROR, FAMILY,
    "Final stage: no signed, dated acknowledgement by the senior company representative "
    "(documents.acknowledgement), or no senior representative named in the plan.",
    "Write the form with 'packager forms FOLDER -o forms' (build needs the signed copy first), print "
    "the Senior Representative Acknowledgement, have the senior representative sign and date it, scan "
    "it into admin/ and name it under documents.acknowledgement.",
)
AUDITOR_SIGNATURE = declare(
    "auditor-signature-missing", Severity.ERROR, FAMILY,
    "Final stage: no signed Auditor Maintenance page (documents.auditor_maintenance).",
    "Write the form with 'packager forms FOLDER -o forms' (build needs the signed copy first), print "
    "the Auditor Maintenance page, have each auditor sign it, scan it into admin/ and name it under "
    "documents.auditor_maintenance.",
)


def _lookup(ctx: Context, role: str) -> tuple[str | None, FileRecord | None, bool]:
    """(path named in the plan, the file when present, whether files were scanned at all)."""
    named = getattr(ctx.plan.documents, role)
    if ctx.inventory is None:
        return named, None, False
    return named, ctx.inventory.documents.get(role), True


def _is_dated(record: FileRecord) -> bool:
    if record.name_dates:
        return True
    facts = record.facts
    return facts is not None and any(d.source == "content" for d in facts.dates)


def _presence(
    ctx: Context, check: Check, role: str, missing: str, label: str
) -> tuple[list[Finding], FileRecord | None]:
    """Findings when the plan names no document for `role`, or names a file that is not there."""
    named, record, scanned = _lookup(ctx, role)
    if not named:
        return [check.finding(missing)], None
    if scanned and record is None:
        return [check.finding(
            f"The plan names {label} '{named}', but that file is not in the submission folder.", path=named
        )], None
    return [], record


def run(ctx: Context) -> Iterator[Finding]:
    if ctx.stage is Stage.PROPOSAL:
        found, _record = _presence(
            ctx, ORG_CHART, "org_chart",
            "The proposal has no organisational chart: the plan does not name one under documents.org_chart.",
            "the organisational chart",
        )
        yield from found
        return

    rep = ctx.plan.senior_representative
    if rep is None or not rep.name:
        yield SIGNOFF.finding(
            "The plan does not name the senior company representative who acknowledges the "
            "results (senior_representative: name and title)."
        )
    found, record = _presence(
        ctx, SIGNOFF, "acknowledgement",
        "There is no signed acknowledgement of the results by the senior company representative: the plan "
        "names none under documents.acknowledgement.",
        "the signed acknowledgement",
    )
    yield from found
    if record is not None and record.facts is not None and not _is_dated(record):
        yield SIGNOFF.finding(
            f"The signed acknowledgement '{record.path}' shows no date. The senior representative "
            "must sign and date it.",
            path=record.path,
        )
    found, _record = _presence(
        ctx, AUDITOR_SIGNATURE, "auditor_maintenance",
        "There is no signed Auditor Maintenance page: the plan names none under documents.auditor_maintenance.",
        "the signed Auditor Maintenance page",
    )
    yield from found
