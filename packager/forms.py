"""`packager forms`: the pages to sign, written without a build.

`build` refuses until the signed Senior Representative Acknowledgement and Auditor Maintenance
page exist, so they can be printed first: this renders the same two documents the build would
generate (same templates, same plan) into a folder outside the submission folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from packager.api import load_folder_plan, resolve_folder
from packager.atomic import write_bytes_atomic
from packager.clock import build_time
from packager.documents import DocumentSpec, render_pdf
from packager.documents.specs import FINAL_DOCUMENTS
from packager.errors import InputError
from packager.model import Stage
from packager.result import CheckResult, Score
from packager.rules import load_rules

FORM_TEMPLATES = ("acknowledgement.html.j2", "auditor_maintenance.html.j2")


@dataclass(frozen=True)
class FormsResult:
    written: tuple[Path, ...]


def form_specs() -> tuple[DocumentSpec, ...]:
    return tuple(s for s in FINAL_DOCUMENTS if s.template in FORM_TEMPLATES)


def form_filename(spec: DocumentSpec) -> str:
    """'05 Senior Representative Acknowledgement.pdf' -> 'Senior Representative Acknowledgement - to sign.pdf'."""
    stem = spec.filename.rsplit(".", 1)[0].split(" ", 1)[-1]
    return f"{stem} - to sign.pdf"


def write_forms(
    folder: Path,
    out_dir: Path,
    *,
    plan_path: Path | None = None,
    rules_spec: str | None = None,
    templates_dir: Path | None = None,
    today: dt.date | None = None,
    force: bool = False,
) -> FormsResult:
    """Render the forms to sign for `folder`'s plan into `out_dir` (never inside `folder`)."""
    from packager.build import _context  # the same context the build gives these templates
    from packager.layout import path_budget, plan_layout
    from packager.outputs import check_output

    folder = resolve_folder(folder)
    if templates_dir is not None and not templates_dir.is_dir():
        raise InputError("the templates folder does not exist", file=templates_dir, field="--templates")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("this is a file; give the folder to write the forms to", file=out_dir, field="-o")
    if out_dir.resolve() == folder.resolve() or folder.resolve() in out_dir.resolve().parents:
        raise InputError(
            "the forms would be written inside the submission folder, which packager only ever reads",
            file=out_dir, field="-o",
            hint=f"Write them next to it instead, e.g. -o \"{folder.resolve().parent / 'forms'}\"",
        )
    targets = [(spec, out_dir / form_filename(spec)) for spec in form_specs()]
    for _spec, target in targets:
        check_output(target, source_folder=folder, inputs=(plan_path,), force=force or _own_pdf(target),
                     kind="report")
    rules = load_rules(rules_spec)
    plan = load_folder_plan(folder, plan_path, rules)
    result = CheckResult(plan=plan, rules=rules, stage=Stage.FINAL, findings=(),
                         score=Score(self=plan.self_score_percent(rules), pass_mark=rules.scoring.pass_mark),
                         source=str(folder))
    layout = plan_layout(plan, Stage.FINAL, [], budget=path_budget(rules.build.windows_path_limit,
                                                                   rules.build.extraction_prefix),
                         max_title_length=rules.build.max_title_length)
    built = build_time(today)
    context = _context(result, [], {}, None, [], [], [], built, layout.top, layout.folders)
    header = f"{plan.company} \u2014 {plan.program} Action Plan {plan.year}"
    written = []
    for spec, target in targets:
        data = render_pdf(spec.template, context, title=spec.title, templates_dir=templates_dir, fixed_date=built,
                          header_text=header)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)
        written.append(target)
    return FormsResult(tuple(written))


def _own_pdf(path: Path) -> bool:
    """A form this command wrote before (so running it again replaces it)."""
    from packager.documents.render import CREATOR

    try:
        with path.open("rb") as fh:
            head = fh.read(1_000_000)
    except OSError:
        return False
    return head.startswith(b"%PDF") and CREATOR.encode("latin-1", "ignore") in head
