"""Final stage and received zips: scanned pages that OCR could not read, or could read if installed.

Applies to files whose first page has no text (scans, photos, screenshots) and to the signed
documents. OCR itself runs during inspection (``packager.ocr``); these checks only report
what it could not do, so a reviewer knows which dates and labels were not verified.
"""

from __future__ import annotations

from collections.abc import Iterator

from packager.checks.context import Context, Stage
from packager.checks.registry import declare
from packager.findings import Finding, Severity
from packager.ocr.model import FAILED, NO_ENGINE, OVER_BUDGET
from packager.textutil import plural

FAMILY = "ocr"

OCR_UNAVAILABLE = declare(
    "ocr-unavailable", Severity.INFO, FAMILY,
    "Scanned pages, photos or screenshots could be read by OCR to verify their dates and labels, but no OCR "
    "engine is installed. Said once per report, with the number of files.",
    "Install Tesseract (Linux: apt-get install tesseract-ocr; macOS: brew install tesseract; Windows: the "
    "UB Mannheim installer) or pip install \"cor-secor-packager[ocr]\", then check again.",
)
OCR_UNREAD = declare(
    "ocr-unread", Severity.WARNING, FAMILY,
    "OCR was tried on a scanned page and could not finish (it ran over its time budget, or the page image "
    "could not be prepared), so its date and label could not be verified from the page.",
    "Make sure the scan is upright, sharp and at 200-300 DPI; a very large photo can be saved smaller. Or "
    "put the milestone and the date in the file name, e.g. '1.2 - Sign-in sheet - 2026-05-14.pdf'.",
)


def run(ctx: Context) -> Iterator[Finding]:
    if ctx.stage is not Stage.FINAL or ctx.inventory is None:
        return
    waiting: list[str] = []
    for record in ctx.inventory.files:
        ocr = record.facts.ocr if record.facts is not None else None
        if ocr is None:
            continue
        if ocr.status == NO_ENGINE:
            waiting.append(record.path)
        elif ocr.status in (OVER_BUDGET, FAILED):
            yield OCR_UNREAD.finding(
                f"Could not verify the date and label of '{record.name}' from the page itself: OCR was tried "
                f"and {ocr.problem or 'did not finish'}.",
                path=record.path, objective=record.mapping.objective, milestone=record.mapping.milestone,
            )
    if waiting:
        shown = ", ".join(f"'{p}'" for p in waiting[:3]) + (", …" if len(waiting) > 3 else "")
        yield OCR_UNAVAILABLE.finding(
            f"OCR would verify the dates and labels of {plural(len(waiting), 'scanned file')} from the page "
            f"itself ({shown}), but no OCR engine is installed."
        )
