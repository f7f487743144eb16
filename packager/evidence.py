"""Which date a deliverable carries: content over file name over metadata."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from packager.dates import FoundDate
from packager.inventory import FileRecord

RANK = {"content": 0, "name": 1, "metadata": 2}


@dataclass(frozen=True)
class DateEvidence:
    best: FoundDate | None  # the date the document shows, or None
    in_window: bool  # some content or name date falls inside the plan window (and not in the future)
    metadata_only: bool  # the only dates are metadata dates


def all_dates(record: FileRecord) -> list[FoundDate]:
    content = list(record.facts.dates) if record.facts else []
    return sorted(
        [*content, *record.name_dates], key=lambda d: RANK.get(d.source, 9)
    )


def date_evidence(record: FileRecord, start: dt.date, end: dt.date) -> DateEvidence:
    """Pick the date that dates the document: the first content (then name) date in the window."""
    dates = all_dates(record)
    shown = [d for d in dates if d.source in ("content", "name")]
    inside = [d for d in shown if start <= d.date <= end]
    if inside:
        return DateEvidence(inside[0], True, False)
    if shown:
        return DateEvidence(shown[0], False, False)
    metadata = [d for d in dates if d.source == "metadata"]
    return DateEvidence(metadata[0] if metadata else None, False, bool(metadata))
