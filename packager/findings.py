"""Findings: every problem the tool reports, as data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem, where it is, and how to fix it."""

    check: str
    severity: Severity
    message: str
    hint: str
    path: str | None = None
    objective: int | None = None
    milestone: str | None = None
    accepted: str | None = None  # the reason it was reviewed and accepted (config 'accepted:')

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        if self.accepted is None:
            del data["accepted"]  # present only on accepted findings: the reason
        return data


def milestone_sort_key(milestone: str | None) -> tuple[int, ...]:
    if not milestone:
        return ()
    try:
        return tuple(int(p) for p in milestone.split("."))
    except ValueError:
        return (10**6,)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Plan-wide findings first, then by objective, milestone, path and severity."""

    def key(f: Finding) -> tuple[Any, ...]:
        return (
            f.objective is not None,
            f.objective or 0,
            f.milestone is not None,
            milestone_sort_key(f.milestone),
            f.path or "",
            f.severity.rank,
            f.check,
            f.message,
        )

    return sorted(set(findings), key=key)


@dataclass(frozen=True)
class Summary:
    """Counts of open findings by severity; accepted findings are counted apart and never fail a run."""

    errors: int
    warnings: int
    infos: int
    accepted: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Summary:
        counts = {s: 0 for s in Severity}
        accepted = 0
        for f in findings:
            if f.accepted is not None:
                accepted += 1
            else:
                counts[f.severity] += 1
        return cls(counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO], accepted)

    def to_dict(self) -> dict[str, int]:
        return {"errors": self.errors, "warnings": self.warnings, "infos": self.infos, "accepted": self.accepted}

    @property
    def ready(self) -> bool:
        return self.errors == 0

    def failed(self, strict: bool = False) -> bool:
        """Errors fail a run; with --strict, warnings too."""
        return bool(self.errors or (strict and self.warnings))

    def counts(self) -> str:
        parts = [_plural(self.errors, "error"), _plural(self.warnings, "warning")]
        if self.infos:
            parts.append(_plural(self.infos, "note"))
        if self.accepted:
            parts.append(f"{self.accepted} accepted")
        return ", ".join(parts)

    def line(self, ready_text: str = "ready to submit", not_ready: str = "not ready to submit") -> str:
        """E.g. '2 errors, 1 warning: not ready to submit'."""
        return f"{self.counts()}: {ready_text if self.ready else not_ready}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
