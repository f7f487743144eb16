"""The library API: everything the CLI does, returning results and never printing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from packager.checks import Context, Stage, run_checks
from packager.config import Config, load_config
from packager.errors import InputError
from packager.findings import sort_findings
from packager.plan import PLAN_FILENAME, Plan, find_plan_file, load_plan
from packager.planpair import other_plan_notes
from packager.result import CheckResult, Score
from packager.rules import Rules, load_rules
from packager.scan import ProgressFn, scan_folder
from packager.workers import fewer_collections


def resolve_folder(folder: Path) -> Path:
    if not folder.exists():
        raise InputError("the submission folder does not exist", file=folder)
    if not folder.is_dir():
        raise InputError(
            "this is not a folder",
            file=folder,
            hint="Give the folder that holds action-plan.yaml (to check a received zip, use "
            "'packager audit')",
        )
    return folder


def load_folder_plan(folder: Path, plan_path: Path | None, rules: Rules) -> Plan:
    if plan_path is None:
        plan_path = find_plan_file(folder)
        if plan_path is None:
            others = _plan_like_files(folder)
            if len(others) == 1:
                hint = (f"'{others[0]}' may be the plan: rename it {'action-plan' + Path(others[0]).suffix.lower()}, "
                        f"or give it with --plan \"{folder / others[0]}\"")
            elif others:
                hint = (f"One of {', '.join(repr(o) for o in others)} may be the plan: rename it action-plan.yaml "
                        "(or .xlsx), or give it with --plan FILE")
            else:
                hint = "Create one with 'packager init FOLDER', or name it with --plan FILE"
            raise InputError(f"there is no {PLAN_FILENAME} (or action-plan.xlsx) in this folder", file=folder,
                             hint=hint)
    return load_plan(plan_path, rules)


def _plan_like_files(folder: Path, most: int = 5) -> list[str]:
    """Files at the top of the folder that could be a renamed plan (.yaml, .yml, .xlsx), by name; at most
    ``most`` of them (a folder may hold any number of files)."""
    found: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if (name.lower().endswith((".yaml", ".yml", ".xlsx")) and not name.startswith(("~$", "."))
                        and entry.is_file(follow_symlinks=False)):
                    found.append(name)
    except OSError:
        return []
    return sorted(found)[:most]


def check_folder(
    folder: Path,
    *,
    stage: Stage = Stage.FINAL,
    plan_path: Path | None = None,
    rules: Rules | None = None,
    rules_spec: str | None = None,
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    config: Config | None = None,
    ocr: str = "auto",
) -> CheckResult:
    """Self-check a submission folder at the given stage.

    `config` defaults to the folder's own settings (packager.toml or [tool.packager]): findings not
    selected are dropped and accepted ones are marked with their reason.
    """
    folder = resolve_folder(folder)
    rules = rules or load_rules(rules_spec)
    plan = load_folder_plan(folder, plan_path, rules)
    # The plan file the folder's own others are compared with: one found there, not named with --plan.
    notes = [] if plan_path is not None else list(other_plan_notes(folder, Path(plan.source), plan, rules))
    today = today or dt.date.today()
    with fewer_collections():
        inventory, scan_findings = scan_folder(
            folder, plan, rules, stage=stage, today=today, progress=progress, workers=workers,
            plan_path=plan_path, ocr=ocr,
        )
        ctx = Context(plan=plan, rules=rules, stage=stage, today=today, inventory=inventory)
        config = config if config is not None else load_config(folder)
        findings = sort_findings(config.apply(run_checks(ctx, [*notes, *scan_findings])))
    score = Score(self=plan.self_score_percent(rules), pass_mark=rules.scoring.pass_mark)
    return CheckResult(
        plan=plan, rules=rules, stage=stage, findings=tuple(findings), score=score,
        inventory=inventory, source=str(folder),
    )
