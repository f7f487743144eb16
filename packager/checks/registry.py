"""The one registry of check ids: each declared once, with its severity, when it applies and its fix."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packager.findings import Finding, Severity

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Check:
    """A stable check id and what a person needs to know about it."""

    id: str
    severity: Severity
    family: str
    applies: str
    hint: str

    def finding(
        self,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity | None = None,
        path: str | None = None,
        objective: int | None = None,
        milestone: str | None = None,
    ) -> Finding:
        return Finding(
            check=self.id,
            severity=severity or self.severity,
            message=message,
            hint=hint or self.hint,
            path=path,
            objective=objective,
            milestone=milestone,
        )


REGISTRY: dict[str, Check] = {}


def declare(id: str, severity: Severity, family: str, applies: str, hint: str) -> Check:
    if not _ID.match(id):
        raise ValueError(f"check id {id!r} is not kebab-case")
    if id in REGISTRY:
        raise ValueError(f"check id {id!r} declared twice")
    check = Check(id, severity, family, applies, hint)
    REGISTRY[id] = check
    return check
