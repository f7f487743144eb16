"""A folder with more than one plan file: the one saved last is the plan; say so when another differs.

`packager init` writes both action-plan.yaml and action-plan.xlsx, and the coordinator fills in one of
them. If the other is later saved (a spreadsheet program saves a file it only opened), it becomes the
plan, and every check then reads an empty template. A note names the plan file in use and each other
plan file that holds a different plan, so that nobody edits a file packager does not read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packager.checks.registry import declare
from packager.errors import InputError
from packager.findings import Finding, Severity
from packager.plan import PLAN_FILENAMES, Plan, load_plan
from packager.rules import Rules

PLAN_FILES_DIFFER = declare(
    "plan-files-differ", Severity.INFO, "plan",
    "The folder holds more than one plan file (action-plan.yaml and action-plan.xlsx) and they are not the "
    "same plan: packager reads the one saved last, named in the report's Plan: line, and not the other.",
    "Edit only the plan file packager reads (the report's Plan: line). Delete the other one, or make it the "
    "same plan with 'packager plan convert READ-FILE OTHER-FILE --force'.",
)


def other_plan_notes(folder: Path, used: Path, plan: Plan, rules: Rules) -> Iterator[Finding]:
    """A note for each plan file of ``folder`` besides ``used`` (which holds ``plan``) that differs from it.

    Applies when the plan file was found in the folder, not named with --plan. Blank cells and empty
    rows do not count as differences: the two templates `packager init` writes are the same plan.
    """
    for name in PLAN_FILENAMES:
        other = folder / name
        if other.name == used.name or not other.is_file():
            continue
        try:
            same = _canonical(load_plan(other, rules)) == _canonical(plan)
            why = "is not the same plan"
        except InputError as exc:
            same, why = False, f"cannot be read: {exc.problem.rstrip('.')}"
        if not same:
            yield PLAN_FILES_DIFFER.finding(
                f"This folder has both {used.name} and {other.name}, and {other.name} {why}. packager reads "
                f"{used.name}, the one saved last; {other.name} is not used.",
                hint=f"Edit only {used.name}. Delete {other.name}, or make it the same plan with "
                f"'packager plan convert {used.name} {other.name} --force'.",
                path=other.name,
            )


def _canonical(value: Any) -> Any:
    """``value`` with blanks dropped: '' is None, and empty records, lists and mappings are left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, dict):
        kept = {key: _canonical(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not None} or None
    if isinstance(value, list | tuple):
        items = [_canonical(item) for item in value]
        return [item for item in items if item is not None] or None
    if isinstance(value, str):
        return value.strip() or None
    return value
