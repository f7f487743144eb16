"""The domain model shared by check, build, reports and audit.

`Stage` says which submission is being prepared; the evidence record (one per file) says what
was decided about it. Nothing here imports the checks, so every layer can read it.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Which submission: the spring proposal or the fall final submission."""

    PROPOSAL = "proposal"
    FINAL = "final"


__all__ = ["Stage"]
