"""A folder with more than one plan file: the one saved last is the plan; say so when another differs.

`packager init` writes both action-plan.yaml and action-plan.xlsx, and the coordinator fills in one of
them. If the other is later saved (a spreadsheet program saves a file it only opened), it becomes the
plan, and every check then reads an empty template. A note names the plan file in use and each other
plan file that holds a different plan, so that nobody edits a file packager does not read.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from packager.checks.registry import declare
from packager.errors import InputError
from packager.findings import Finding, Severity
from packager.plan import PLAN_FILENAMES, Plan, load_plan
from packager.rules import Rules

PLAN_FILES_DIFFER = declare(
    "plan-files-differ", Severity.INFO, "plan",
    "The folder (or a zip made by hand) holds more than one plan file (action-plan.yaml and action-plan.xlsx) "
    "and they are not the same plan: packager reads the one saved last and not the other.",
    "Edit only the plan file packager reads (the report's Plan: line). Delete the other one, or make it the "
    "same plan with 'packager plan convert READ-FILE OTHER-FILE --force'.",
)


def other_plan_notes(folder: Path, used: Path, plan: Plan, rules: Rules) -> Iterator[Finding]:
    """A note for each plan file of ``folder`` besides ``used`` (which holds ``plan``) that differs from it.

    Applies when the plan file was found in the folder, not named with --plan.
    """
    others = [(other.name, other.name, functools.partial(load_plan, other, rules))
              for other in (folder / name for name in PLAN_FILENAMES) if other.name != used.name and other.is_file()]
    yield from differing_plans("folder", used.name, plan, others)


def differing_plans(
    holder: str, used: str, plan: Plan, others: Iterable[tuple[str, str, Callable[[], Plan]]]
) -> Iterator[Finding]:
    """A note for each other plan file (its name, where it is, how to load it) that is not ``plan``.

    ``holder`` is what holds them ("folder", "zip"); ``used`` names the plan file read. Blank cells and
    empty rows do not count as differences: the two templates `packager init` writes are the same plan.
    A file that cannot be loaded (InputError) differs.
    """
    for name, where, load in others:
        try:
            same = _canonical(load()) == _canonical(plan)
            why = "is not the same plan"
        except InputError as exc:
            same, why = False, f"cannot be read: {_clause(exc.problem)}"
        if not same:
            yield PLAN_FILES_DIFFER.finding(
                f"This {holder} has both {used} and {name}, and {name} {why}. packager reads {used}, the one "
                f"saved last; {name} is not used.",
                hint=f"Edit only {used}. Delete {name}, or make it the same plan with "
                f"'packager plan convert {used} {name} --force'.",
                path=where,
            )


def _clause(sentence: str) -> str:
    """A sentence ('The entry … was not read.') as a clause after a colon ('the entry … was not read')."""
    text = sentence.strip().rstrip(".")
    return text[0].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


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
