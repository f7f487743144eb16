"""The one exit-code enum and the one exception for unusable input."""

from __future__ import annotations

import re
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """What the command line returns: the contract scripts and CI rely on."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2


class InputError(Exception):
    """Input we cannot use at all: a missing folder, bad YAML, a field of the wrong type.

    It carries where the problem is (file, line, field) and what was expected, and renders
    as one plain paragraph. The CLI turns it into exit code 2, never a traceback.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.expected = expected
        self.hint = hint
        super().__init__(self.paragraph())

    def paragraph(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        head = ", ".join(where)
        parts = [f"{head}: " if head else ""]
        if self.field:
            parts.append(f"field '{self.field}'{_milestone_note(self.field)}: ")
        parts.append(self.problem.rstrip("."))
        parts.append(".")
        if self.expected:
            parts.append(f" Expected {self.expected.rstrip('.')}.")
        if self.hint:
            hint = self.hint.rstrip(".")
            parts.append(f" {hint}" + ("" if hint.endswith("?") else "."))
        return "".join(parts)


_MILESTONE_PATH = re.compile(r"^objectives\[(\d+)\]\.milestones\[(\d+)\]")
_OBJECTIVE_PATH = re.compile(r"^objectives\[(\d+)\]")


def _milestone_note(field: str) -> str:
    """Name the milestone a field path points at: people think in '1.2', not list positions."""
    m = _MILESTONE_PATH.match(field)
    if m:
        return f" (milestone {m.group(1)}.{m.group(2)})"
    m = _OBJECTIVE_PATH.match(field)
    if m:
        return f" (objective {m.group(1)})"
    return ""
