"""The plan's own documents: the organisational chart (proposal) and the signed pages (final)."""

from __future__ import annotations

from collections.abc import Iterator

from packager.checks.context import Context, Stage
from packager.checks.deliverables import dated_outside
from packager.checks.registry import Check, declare
from packager.findings import Finding, Severity
from packager.inventory import FileRecord
from packager.model import SHOWN_SOURCES, DateStatus, DocumentDate
from packager.textutil import long_date

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
    "(documents.acknowledgement), no senior representative named in the plan, or the page is the blank form "
    "'packager build' generates, or dated outside the plan (a warning when dated before the last deliverable). A "
    "date in the file name counts; a signed digital signature counts as signed and dated; a scan whose date "
    "cannot be read is a warning.",
    "Write the form with 'packager forms FOLDER -o forms' (build needs the signed copy first), print "
    "the Senior Representative Acknowledgement, have the senior representative sign and date it, scan "
    "it into admin/ and name it under documents.acknowledgement.",
)
AUDITOR_SIGNATURE = declare(
    "auditor-signature-missing", Severity.ERROR, FAMILY,
    "Final stage: no signed Auditor Maintenance page (documents.auditor_maintenance), the page is the "
    "blank form 'packager build' generates, or every date it shows is outside the plan.",
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


# The titles of the unsigned pages `packager build` generates (packager.documents.specs).
BLANK_FORMS = {
    "acknowledgement": "Senior Representative Acknowledgement",
    "auditor_maintenance": "Auditor Maintenance",
}


def is_blank_form(record: FileRecord, role: str) -> bool:
    """The unsigned page `packager build` generates, copied back unsigned: its producer is packager and
    its title is the generated page's title (printing and scanning it makes a new file)."""
    facts = record.facts
    if facts is None or not facts.producer or not facts.producer.lower().startswith("packager"):
        return False
    return (facts.title or "").strip().lower() == BLANK_FORMS[role].lower()


def signature_kind(record: FileRecord) -> str:
    """Which kind of signature the signed page carries, as far as a machine can tell."""
    facts = record.facts
    if facts is not None and facts.signatures:
        return "; ".join(facts.signatures)
    if (record.evidence is not None and record.evidence.legibility.image_only) or (
        facts is not None and facts.hidden_text_pages
    ):
        return "a scanned page (a handwritten signature is not verified by machine)"
    return "no digital signature (a handwritten signature is not verified by machine)"


def _is_dated(record: FileRecord) -> bool:
    """A date shown on the page or written in its file name counts; so does a signed digital signature."""
    facts = record.facts
    if facts is not None and facts.signatures:
        return True
    evidence = record.evidence
    if evidence is not None:
        return any(d.source in SHOWN_SOURCES for d in evidence.dates)
    return bool(record.name_dates) or (facts is not None and any(d.source == "content" for d in facts.dates))


def _unverified(record: FileRecord) -> bool:
    return record.evidence is not None and record.evidence.status is DateStatus.UNVERIFIED


BLANK_MESSAGE = ("'{path}' is the blank {label} that 'packager build' generates, not a signed copy: this is the "
                 "blank form; print it, sign and date it, and scan it.")


def _presence(
    ctx: Context, check: Check, role: str, missing: str, label: str
) -> tuple[list[Finding], FileRecord | None]:
    """Findings when the plan names no document for `role`, or names a file that is not there."""
    named, record, scanned = _lookup(ctx, role)
    if not named:
        return [check.finding(missing)], None
    if scanned and record is None:
        where = "the zip" if ctx.received else "the submission folder"
        return [check.finding(f"The plan names {label} '{named}', but that file is not in {where}.", path=named)], None
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
    if record is not None and record.facts is not None:
        if is_blank_form(record, "acknowledgement"):
            yield SIGNOFF.finding(BLANK_MESSAGE.format(path=record.path, label="Senior Representative "
                                  "Acknowledgement"), path=record.path)
        elif not _is_dated(record) and _unverified(record):
            why = record.facts.words_unread or "it is a scanned image whose words cannot be read here"
            yield SIGNOFF.finding(
                f"Could not verify that the signed acknowledgement '{record.path}' is dated: {why}, and its name "
                "carries no date.",
                severity=Severity.WARNING,
                hint="Add the date it was signed to the file name as YYYY-MM-DD, e.g. "
                "'admin/Acknowledgement signed 2026-10-21.pdf'.",
                path=record.path,
            )
        elif not _is_dated(record):
            yield SIGNOFF.finding(
                f"The signed acknowledgement '{record.path}' shows no date. The senior representative "
                "must sign and date it.",
                path=record.path,
            )
        else:
            yield from _acknowledgement_date(ctx, record)
    found, record = _presence(
        ctx, AUDITOR_SIGNATURE, "auditor_maintenance",
        "There is no signed Auditor Maintenance page: the plan names none under documents.auditor_maintenance.",
        "the signed Auditor Maintenance page",
    )
    yield from found
    if record is not None and is_blank_form(record, "auditor_maintenance"):
        yield AUDITOR_SIGNATURE.finding(
            BLANK_MESSAGE.format(path=record.path, label="Auditor Maintenance page"), path=record.path
        )
    elif record is not None and (outside := _outside_window(record)) is not None:
        yield AUDITOR_SIGNATURE.finding(
            f"The signed Auditor Maintenance page '{record.path}' is {dated_outside(ctx, outside)}: it cannot be "
            "this year's page.",
            path=record.path,
            hint="Have each auditor sign and date this year's Auditor Maintenance page, scan it into admin/ and "
            "name it under documents.auditor_maintenance.",
        )


def _outside_window(record: FileRecord) -> DocumentDate | None:
    """The date a signed page shows when every date it shows is outside the plan window (never a metadata or
    OCR reading: a misread digit must not fail a page)."""
    evidence = record.evidence
    if evidence is None or evidence.status is not DateStatus.OUT_OF_RANGE or evidence.date is None:
        return None
    return evidence.date if evidence.date.source in ("content", "name") else None


def _acknowledgement_date(ctx: Context, record: FileRecord) -> Iterator[Finding]:
    """The acknowledgement is of "the results of the completed Action Plan": dated outside the plan window it
    is not this plan's (an error); dated before the last deliverable, it was signed before the results (a
    warning, as the page's latest date and the deliverables' dates are only what was read)."""
    outside = _outside_window(record)
    if outside is not None:
        yield SIGNOFF.finding(
            f"The signed acknowledgement '{record.path}' is {dated_outside(ctx, outside)}: it cannot acknowledge "
            "this plan's results.",
            path=record.path,
            hint="Have the senior representative sign and date the acknowledgement now that the plan is complete, "
            "scan it into admin/ and name it under documents.acknowledgement.",
        )
        return
    evidence, inventory = record.evidence, ctx.inventory
    if evidence is None or inventory is None or evidence.status is not DateStatus.ACCEPTED:
        return
    start, deadline = ctx.window
    signed = [d.value for d in evidence.dates
              if d.source in ("content", "name") and start <= d.value <= min(deadline, ctx.today)]
    done = [(r.evidence.accepted_date, r) for r in inventory.deliverables
            if r.evidence is not None and r.evidence.accepted_date is not None]
    if not signed or not done:
        return
    last, latest = max(done, key=lambda pair: (pair[0], pair[1].path))
    if max(signed) < last:
        yield SIGNOFF.finding(
            f"The signed acknowledgement '{record.path}' is dated {long_date(max(signed))}, before the last "
            f"deliverable ('{latest.name}', dated {long_date(last)}): the senior representative acknowledges the "
            "results of the completed plan.",
            severity=Severity.WARNING, path=record.path,
            hint="If it was signed before the work was done, have the senior representative sign and date it again "
            "now and replace the scan; if a deliverable's date is wrong, correct that file.",
        )
