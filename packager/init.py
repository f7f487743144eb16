"""`packager init`: a commented plan template, a folder skeleton and the naming guide."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from packager.errors import InputError
from packager.plan import PLAN_FILENAME, PLAN_XLSX_FILENAME
from packager.rules import Rules

# 3 objectives x 2 milestones whose weights total 100, as a starting point.
STARTER_WEIGHTS = (20, 15, 20, 15, 15, 15)


@dataclass(frozen=True)
class InitResult:
    created: tuple[str, ...]
    kept: tuple[str, ...]
    plans: tuple[str, ...] = (PLAN_FILENAME,)  # the plan files to fill in


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_folder(
    folder: Path, *, program: str = "COR", company: str = "", year: int | None = None, fmt: str = "both",
    rules: Rules | None = None,
) -> InitResult:
    """Write the starter files into `folder`, never overwriting anything that exists.

    `fmt` is 'both' (action-plan.yaml and action-plan.xlsx), 'yaml' or 'xlsx'.
    """
    if folder.exists() and not folder.is_dir():
        raise InputError("this exists and is not a folder", file=folder)
    program = program.upper()
    year = year or dt.date.today().year
    env = Environment(
        loader=PackageLoader("packager", "templates/init"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    plan_text = env.get_template("action-plan.yaml.j2").render(
        program=program,
        company=_yaml_text(company or "Your Company Ltd."),
        year=year,
        weights=STARTER_WEIGHTS,
    )
    naming = env.get_template("NAMING.txt").render()
    created: list[str] = []
    kept: list[str] = []

    def write(rel: str, text: str) -> None:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except FileExistsError:
            kept.append(rel)
            return
        created.append(rel)

    def mkdir(rel: str) -> None:
        target = folder / rel
        if target.exists():
            kept.append(rel + "/")
        else:
            target.mkdir(parents=True)
            created.append(rel + "/")

    def write_bytes(rel: str, data: bytes) -> None:
        try:
            with (folder / rel).open("xb") as fh:
                fh.write(data)
        except FileExistsError:
            kept.append(rel)
            return
        created.append(rel)

    folder.mkdir(parents=True, exist_ok=True)
    if fmt in ("both", "yaml"):
        write(PLAN_FILENAME, plan_text)
    if fmt in ("both", "xlsx"):
        from packager.planxlsx import plan_workbook, starter_plan
        from packager.rules import load_rules

        starter = starter_plan(program, company or "Your Company Ltd.", year, STARTER_WEIGHTS)
        write_bytes(PLAN_XLSX_FILENAME, plan_workbook(starter, rules or load_rules()))
    write("NAMING.txt", naming)
    mkdir("admin")
    for o in range(1, 4):
        mkdir(f"Objective {o}")
    plans = tuple(n for n, f in ((PLAN_FILENAME, "yaml"), (PLAN_XLSX_FILENAME, "xlsx")) if fmt in (f, "both"))
    return InitResult(tuple(created), tuple(kept), plans)
