"""The one exit-code enum and the one exception for unusable input."""

from __future__ import annotations

import errno
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
        cell: str | None = None,
    ) -> None:
        self.problem = problem
        self.cell = cell  # a spreadsheet cell such as 'Milestones!F7', shown instead of a line
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
        if self.cell:
            where.append(self.cell)
        elif self.line is not None:
            where.append(f"line {self.line}")
        head = ", ".join(where)
        parts = [f"{head}: " if head else ""]
        if self.field:
            shown = self.field
            if self.cell and _OBJECTIVE_PATH.match(shown):
                shown = shown.rsplit(".", 1)[-1]  # the cell already says where; keep the field's own name
            parts.append(f"field '{shown}'{_milestone_note(self.field)}: ")
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


_OS_CAUSES = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOENT: "it does not exist (was it deleted or moved during the run?)",
    errno.ENAMETOOLONG: "the path is too long for this system",
    errno.EROFS: "the disk is read-only",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EIO: "the disk reported a read or write error",
    errno.ELOOP: "it is a link that points to itself",
}


def os_cause(exc: OSError) -> str:
    """A plain-English cause for an operating-system error (permission denied, disk full …)."""
    cause = _OS_CAUSES.get(exc.errno or -1)
    if cause is None:
        cause = (exc.strerror or type(exc).__name__).lower()
    return cause


def os_input_error(exc: OSError, doing: str, file: str | Path | None = None, hint: str | None = None) -> InputError:
    """An ordinary failure (permission denied, disk full, a file gone) as one paragraph naming the file."""
    name = file if file is not None else (exc.filename if isinstance(exc.filename, str) else None)
    if hint is None and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "Free some disk space, or write to another disk, then run it again"
    elif hint is None and exc.errno in (errno.EACCES, errno.EPERM):
        hint = "Check that you may read (or write) it: ask whoever manages the folder, or copy it elsewhere"
    return InputError(f"{doing}: {os_cause(exc)}", file=name, hint=hint)
