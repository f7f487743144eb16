"""The domain model shared by check, build, reports and audit.

`Stage` says which submission is being prepared. The evidence record says what was decided
about one file, once: its milestone (with every source that named it), its label (where the
milestone is written on the document itself), the date the document shows and its legibility.
Checks, built names, the index, the manifest, the reports and audit all read this record and
never decide again. Nothing here imports the checks, so every layer can read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from packager.dates import period_iso


class Stage(StrEnum):
    """Which submission: the spring proposal or the fall final submission."""

    PROPOSAL = "proposal"
    FINAL = "final"


# Where a milestone can be named. A folder files a document; the others are written on it.
FOLDER, NAME, TITLE, HEADER = "folder", "name", "title", "header"
LABEL_SOURCES = (NAME, TITLE, HEADER)


@dataclass(frozen=True)
class MilestoneSource:
    """One place that names a milestone, and the words read there."""

    where: str  # folder | name | title | header (a header read by OCR is still a header)
    milestone: str | None  # "1.2"; None when only the objective is named
    objective: int | None = None
    text: str = ""
    origin: str = "text"  # text | ocr | metadata: how the words were read


@dataclass(frozen=True)
class Mapping:
    """Which objective and milestone a file belongs to, every source that said so, and whether they agree."""

    objective: int | None = None
    milestone: str | None = None
    # Where the decided milestone was named: "folder", "name", "title", "header".
    label_sources: tuple[str, ...] = ()
    conflict: str | None = None  # why the sources disagree; then no milestone is decided
    title: str | None = None  # the descriptive part of the file name
    sources: tuple[MilestoneSource, ...] = ()

    @property
    def label(self) -> tuple[str, ...]:
        """Where the milestone is written on the document (name, title, header); a folder is not a label."""
        return tuple(s for s in self.label_sources if s in LABEL_SOURCES)

    @property
    def agree(self) -> bool:
        return self.conflict is None


class DateStatus(StrEnum):
    """What the checks make of a file's dates."""

    ACCEPTED = "accepted"  # the document (or its name) shows a date inside the plan window
    OUT_OF_RANGE = "out-of-range"  # it shows dates, none inside the window
    METADATA_ONLY = "metadata-only"  # only the file's hidden properties carry a date
    NONE = "none"  # the content was read and shows no date
    UNVERIFIED = "unverified"  # the content could not be read (image only, no OCR) and the name has no date


# How sure a date is, by where it was read (an OCR date carries the OCR engine's confidence).
SOURCE_CONFIDENCE = {"content": 1.0, "name": 1.0, "ocr": 0.7, "metadata": 0.3}
SHOWN_SOURCES = ("content", "name", "ocr")


@dataclass(frozen=True)
class DocumentDate:
    """The date a document shows: value, where it was read, the words, and how sure."""

    value: dt.date
    source: str  # content | name | ocr | metadata
    text: str
    confidence: float = 1.0
    ambiguous: bool = False  # d/m versus m/d that nothing settled
    # "month" or "quarter" for a record of a period dated by month ("Sept 2026") or quarter ("Q2 2026")
    precision: str = "day"

    @property
    def iso(self) -> str:
        """As a built name writes it: 2026-05-14, 2026-09 for a month, 2026-Q2 for a quarter."""
        return period_iso(self.value, self.precision)


@dataclass(frozen=True)
class Legibility:
    """Why a file cannot be read by a reviewer (problems), and lesser remarks (doubts, blank pages)."""

    problems: tuple[str, ...] = ()  # known unreadable (below a hard floor): an error
    blank_pages: tuple[int, ...] = ()
    unreadable: str | None = None  # the file cannot be opened at all: why
    image_only: bool = False  # no text layer anywhere: its words could not be read without OCR
    doubts: tuple[str, ...] = ()  # borderline measures ("may be hard to read"): a warning
    cause: str = ""  # what to redo: scan | photo | screenshot | damaged | blank ("" when nothing is wrong)

    @property
    def legible(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Evidence:
    """Everything decided about one file's content, once."""

    date: DocumentDate | None = None  # the date the document shows (or, failing that, its metadata date)
    status: DateStatus = DateStatus.NONE
    name_date: DocumentDate | None = None  # the date written in the file name, when accepted
    dates: tuple[DocumentDate, ...] = ()  # every date read, best first
    legibility: Legibility = field(default_factory=Legibility)

    @property
    def accepted(self) -> DocumentDate | None:
        """The date a built name may carry: the user's own accepted date first, never a metadata date."""
        if self.name_date is not None:
            return self.name_date
        if self.status is DateStatus.ACCEPTED and self.date is not None:
            return self.date
        return None

    @property
    def for_built_name(self) -> DocumentDate | None:
        """The date a built name carries: the accepted one; or, for a document dated outside the plan window
        (built with --allow-errors), that date, so that the zip still shows what the check found wrong.
        Never a metadata date."""
        if self.status is DateStatus.OUT_OF_RANGE and self.date is not None and self.date.source != "metadata":
            return self.date
        return self.accepted

    @property
    def accepted_date(self) -> dt.date | None:
        accepted = self.accepted
        return accepted.value if accepted is not None else None


__all__ = [
    "FOLDER", "HEADER", "LABEL_SOURCES", "NAME", "SHOWN_SOURCES", "SOURCE_CONFIDENCE", "TITLE",
    "DateStatus", "DocumentDate", "Evidence", "Legibility", "Mapping", "MilestoneSource", "Stage",
]
