"""What OCR read on a file, as plain frozen data (picklable, for worker processes)."""

from __future__ import annotations

from dataclasses import dataclass

from packager.dates import FoundDate

# OcrFacts.status values
READ = "read"
NO_ENGINE = "no-engine"
OVER_BUDGET = "over-budget"
FAILED = "failed"


@dataclass(frozen=True)
class OcrFacts:
    """What OCR read on a file's pages (or why it did not)."""

    status: str  # read | no-engine | over-budget | failed
    engine: str | None = None
    regions: tuple[str, ...] = ()  # e.g. ("page 1 top",) or ("page 1 top", "page 1")
    text: str = ""  # everything read, capped
    header_text: str = ""  # the top of the first page
    labels: tuple[str, ...] = ()  # milestone ids in the header or title lines
    signature_date: FoundDate | None = None  # signed documents: the date by the signature
    cached: bool = False
    problem: str | None = None  # why it was not read, in plain words

    @property
    def verified(self) -> bool:
        return self.status == READ
