"""The scanned submission: every file, what it is, and which milestone it belongs to.

`Mapping` and `Evidence` (the per-file decisions) live in packager.model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packager.model import DocumentDate, Evidence, Mapping

if TYPE_CHECKING:
    from packager.dates import FoundDate
    from packager.inspect import FileFacts


@dataclass(frozen=True)
class FileRecord:
    path: str  # relative to the folder or archive root, '/' separators
    size: int
    role: str = "deliverable"  # deliverable | document | plan | admin
    document: str | None = None  # for role "document": org_chart, acknowledgement, ...
    mapping: Mapping = field(default_factory=Mapping)
    facts: FileFacts | None = None
    name_dates: tuple[FoundDate, ...] = ()
    evidence: Evidence | None = None  # decided once after inspection (packager.evidence.decide)

    @property
    def date(self) -> DocumentDate | None:
        """The date the document shows, as decided once (None before inspection or when it shows none)."""
        return self.evidence.date if self.evidence is not None else None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Inventory:
    root: str
    files: tuple[FileRecord, ...] = ()
    ignored: tuple[str, ...] = ()
    # Plan documents by role; None when the plan names a file that is not there.
    documents: dict[str, FileRecord | None] = field(default_factory=dict)
    document_paths: dict[str, str] = field(default_factory=dict)

    @property
    def deliverables(self) -> tuple[FileRecord, ...]:
        return tuple(f for f in self.files if f.role == "deliverable")


__all__ = ["FileRecord", "Inventory", "Mapping"]
