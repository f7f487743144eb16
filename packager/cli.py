"""The command line: a thin layer over packager.api. The only module that prints.

Exit codes (packager.errors.ExitCode): 0 no errors, 1 errors found, 2 unusable input.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from packager import __version__
from packager.errors import ExitCode, InputError, os_input_error
from packager.model import Stage
from packager.safetext import for_terminal

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """The one exception handler: input problems become a paragraph and exit 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from packager.workers import Terminated, ended_like_ctrl_c

        try:
            with ended_like_ctrl_c():
                return func(*args, **kwargs)
        except InputError as exc:
            echo(f"packager: {exc.paragraph()}", err=True)
            sys.exit(ExitCode.BAD_INPUT)
        except KeyboardInterrupt as exc:
            how = "stopped" if isinstance(exc, Terminated) else "interrupted"
            echo(f"packager: {how}; nothing was left half-written.", err=True)
            sys.exit(128 + exc.signum if isinstance(exc, Terminated) else 130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:  # permission denied, disk full, a file gone: ordinary, not a bug
            echo(f"packager: {os_input_error(exc, 'a file could not be read or written').paragraph()}", err=True)
            sys.exit(ExitCode.BAD_INPUT)
        except RecursionError:
            echo("packager: the input is nested too deeply to read (a plan, manifest or document with "
                 "blocks inside blocks hundreds of levels deep). Your files were not changed.", err=True)
            sys.exit(ExitCode.BAD_INPUT)
        except Exception as exc:  # a bug in packager, not the user's fault
            if os.environ.get("PACKAGER_DEBUG"):
                raise
            echo(
                f"packager: an unexpected internal problem stopped the run ({type(exc).__name__}: "
                f"{exc}). Your files were not changed. Please report this; set PACKAGER_DEBUG=1 "
                "to see the details.",
                err=True,
            )
            sys.exit(ExitCode.BAD_INPUT)

    return wrapper  # type: ignore[return-value]


def echo(text: str, *, err: bool = False, nl: bool = True, json: bool = False) -> None:
    """The one way cli.py prints: anything from untrusted data is escaped (packager.safetext)."""
    click.echo(for_terminal(text, json=json), err=err, nl=nl)


def _emit(text: str, output: Path | None, *, json: bool = False, csv: bool = False) -> None:
    """A report to `output` or the screen, every unsafe character escaped. CSV text (`csv`) is written as
    it is: each cell was escaped already (csvsafe), and its CRLF line ends must stay line ends; a CSV
    file starts with a byte-order mark, so that Excel reads accented names as UTF-8."""
    if not csv:
        text = for_terminal(text, json=json)
    if output is None:
        click.echo(text, nl=False)
        return
    from packager.atomic import write_text_atomic

    write_text_atomic(output, "\ufeff" + text if csv else text)
    echo(f"Wrote {output}", err=True)


def _emit_report(text: str, output: Path | None, colour: bool) -> None:
    """A text report: to the screen (coloured when `colour`), or to `output` like any report.

    Every untrusted piece of the report was escaped (safetext) as it was rendered; only the colour codes
    added around labels reach the terminal as escape sequences."""
    if output is None:
        click.echo(text, nl=False, color=colour)
        return
    _emit(text, output)


def _guard(output: Path | None, *, folder: Path | None = None, inputs: tuple[Path | None, ...] = (),
           force: bool = False, option: str = "-o") -> None:
    """Refuse, before any work, an output inside the source folder or over a file that is not ours."""
    if output is None:
        return
    from packager.outputs import check_output

    source = folder if folder is not None and folder.is_dir() else None
    check_output(output, option=option, source_folder=source, inputs=inputs, force=force, kind="report")


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; otherwise nothing.

    The time left is the whole run's average rate applied to what remains (steadier than a window of
    the last few steps when files differ in size); the bar closes on its own line when done."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar: Any = None
    closed = False
    started = 0.0

    def update(done: int, total: int) -> None:
        nonlocal bar, closed, started
        if closed or total <= 0:
            return
        if bar is None:
            started = time.monotonic()
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=False,
                                    item_show_func=lambda text: text)
            bar.__enter__()
        bar.update(max(0, done - bar.pos), current_item=steady_eta(time.monotonic() - started, done, total))
        if done >= total:
            bar.__exit__(None, None, None)
            closed = True

    try:
        yield update
    finally:
        if bar is not None and not closed:
            bar.__exit__(None, None, None)


def steady_eta(elapsed: float, done: int, total: int) -> str:
    """'about 2 min left', from the average rate so far; '' until there is enough to go on."""
    if done <= 0 or done >= total or elapsed < 1.0:
        return ""
    left = elapsed / done * (total - done)
    if left < 60:
        return f"about {max(1, round(left / 5) * 5)} s left"
    return f"about {round(left / 60)} min left"


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"'{value}' is not a date", field="--today", expected="YYYY-MM-DD"
        ) from None


rules_option = click.option(
    "--rules", "rules_spec", metavar="NAME|FILE",
    help="Program profile: a bundled name (default acsa-cor-secor) or a rules YAML file.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Report format.",
)
output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of the screen (never inside the submission folder).",
)
force_option = click.option(
    "--force", is_flag=True,
    help="Replace an existing output file even if it does not look like one packager wrote.",
)
plan_option = click.option(
    "--plan", "plan_path", type=click.Path(path_type=Path),
    help="The plan file, if not FOLDER/action-plan.yaml.",
)


def shell_quote(text: str, windows: bool | None = None) -> str:
    """`text` as one argument that works when pasted: bare when safe, else quoted for this system's shell."""
    import re
    import shlex

    if re.fullmatch(r"[\w@%+=:,./\\-]+", text):
        return text
    if windows if windows is not None else os.name == "nt":
        return '"' + text.replace('"', '""') + '"'
    return '"' + text + '"' if not re.search(r'[$`"\\!]', text) else shlex.quote(text)


def _split_ids(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def lint_options(func: F) -> F:
    """--select, --ignore, --strict and --quiet: a linter's conventions, the same on check, build and audit."""
    func = click.option("-q", "--quiet", is_flag=True,
                        help="Only the errors (with --strict, the warnings too) and the summary line.")(func)
    func = click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")(func)
    func = click.option("--ignore", multiple=True, metavar="IDS",
                        help="Leave out these check ids or prefixes (comma-separated or repeated).")(func)
    func = click.option("--select", multiple=True, metavar="IDS",
                        help="Only these check ids or prefixes, e.g. --select deliverable,eligibility.")(func)
    return func


def _config(folder: Path | None, select: tuple[str, ...], ignore: tuple[str, ...], strict: bool) -> Any:
    """The folder's settings (packager.toml or [tool.packager]) with the command line's on top.

    Without a folder (audit), only the command line: a received zip's own packager.toml must not change
    what the reviewer sees, and neither may one in the current folder (it may be an unpacked submission)."""
    from packager.config import Config, load_config

    base = load_config(folder) if folder is not None and folder.is_dir() else Config()
    return base.override(select=_split_ids(select), ignore=_split_ids(ignore), strict=strict)


_COLOURS: dict[str, dict[str, Any]] = {
    "error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow", "bold": True}, "note": {"fg": "cyan"},
    "accepted": {"fg": "green"}, "heading": {"bold": True}, "muted": {"dim": True},
    "ok": {"fg": "green", "bold": True},
}


def use_colour(output: Path | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def make_style(colour: bool) -> Callable[[str, str], str]:
    if not colour:
        return lambda text, role: text
    return lambda text, role: click.style(text, **_COLOURS.get(role, {}))


def stage_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--stage", type=click.Choice([s.value for s in Stage]), default=Stage.FINAL.value,
        show_default=True, help=help_text,
    )


def _no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        from packager.cachedir import disable_cache

        disable_cache()


templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(path_type=Path, file_okay=False),
    help="A folder of templates (and logo.png, theme.yaml) overriding the built-in ones.",
)
no_cache_option = click.option(
    "--no-cache", is_flag=True, expose_value=False, callback=_no_cache,
    help="Inspect every file afresh: neither read nor write the facts cache in the user's cache folder.",
)

ocr_option = click.option(
    "--ocr", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
    help="Read scanned pages, photos and screenshots by OCR: auto (when an engine is installed), on (require "
    "one), off.",
)


def _ocr_mode(mode: str) -> str:
    """The --ocr mode; 'on' without an installed engine is unusable input (exit 2)."""
    if mode == "on":
        from packager.ocr.engine import find_engine

        if find_engine() is None:
            raise InputError(
                "OCR was asked for (--ocr on) but no OCR engine is installed", field="--ocr",
                hint="Install Tesseract (Linux: apt-get install tesseract-ocr; macOS: brew install tesseract; "
                "Windows: the UB Mannheim installer) or pip install \"cor-secor-packager[ocr]\"; or use "
                "--ocr auto",
            )
    return mode


today_option = click.option(
    "--today", metavar="YYYY-MM-DD", hidden=True,
    help="Pretend today is this date (for reproducible reports and tests).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="packager")
def main() -> None:
    """Package and check COR/SECOR Action Plan submissions."""
    if not os.environ.get("PACKAGER_DEBUG"):
        # A library's warning (a Python message naming a file inside the installed packages) means nothing
        # to a safety coordinator; what they need reaches them as a finding or an exit-2 paragraph.
        warnings.simplefilter("ignore")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@stage_option("proposal (spring) or final (fall).")
@plan_option
@rules_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
    help="Report format (html: a printable self-check page).",
)
@output_option
@force_option
@lint_options
@click.option("--statistics", is_flag=True, help="Also print how many findings each check id has.")
@no_cache_option
@ocr_option
@today_option
@handle_errors
def check(
    folder: Path, stage: str, plan_path: Path | None, rules_spec: str | None, fmt: str,
    output: Path | None, force: bool, select: tuple[str, ...], ignore: tuple[str, ...], strict: bool,
    quiet: bool, statistics: bool, ocr: str, today: str | None,
) -> None:
    """Self-check a submission FOLDER before sending it."""
    from packager.api import check_folder
    from packager.report.jsonout import check_dict, dumps
    from packager.report.text import render_check

    _guard(output, folder=folder, inputs=(plan_path,), force=force)
    config = _config(folder, select, ignore, strict)
    with progress_bar("Checking files", enabled=not quiet) as progress:
        result = check_folder(
            folder, stage=Stage(stage), plan_path=plan_path, rules_spec=rules_spec,
            today=_today(today), progress=progress, config=config, ocr=_ocr_mode(ocr),
        )
    if fmt == "json":
        text = dumps(check_dict(result))
    elif fmt == "html":
        from packager.report.html import render_check_html

        text = render_check_html(result, strict=config.strict, today=_today(today))
    else:
        colour = use_colour(output)
        text = render_check(result, style=make_style(colour), quiet=quiet, statistics=statistics,
                            strict=config.strict)
        _emit_report(text, output, colour)
        sys.exit(ExitCode.FINDINGS if result.summary.failed(config.strict) else ExitCode.OK)
    _emit(text, output, json=fmt == "json")
    sys.exit(ExitCode.FINDINGS if result.summary.failed(config.strict) else ExitCode.OK)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.option("--program", type=click.Choice(["COR", "SECOR"], case_sensitive=False), default="COR", show_default=True)
@click.option("--company", default="", help="Company name for the plan.")
@click.option("--year", type=click.IntRange(1990, 2100), help="Plan year (default: this year).")
@click.option("--format", "plan_format", type=click.Choice(["both", "yaml", "xlsx"]), default="both",
              show_default=True, help="Write the plan as action-plan.yaml, action-plan.xlsx (Excel) or both.")
@handle_errors
def init(folder: Path, program: str, company: str, year: int | None, plan_format: str) -> None:
    """Start a submission FOLDER: plan template, objective folders and a naming guide."""
    from packager.init import init_folder

    result = init_folder(folder, program=program, company=company, year=year, fmt=plan_format)
    for rel in result.created:
        echo(f"created  {folder / rel}")
    for rel in result.kept:
        echo(f"kept     {folder / rel} (already there, not overwritten)")
    echo(f"Next: fill in {' or '.join(n for n in result.plans)}, then run:")
    echo(f"  packager check {shell_quote(str(folder))} --stage proposal")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The zip to write, e.g. 'Northwind 2026 final.zip'.")
@stage_option("final (fall submission) or proposal (spring).")
@click.option("--allow-errors", is_flag=True, help="Build even with errors; the index lists them on page 1.")
@click.option("--split-mb", type=float, metavar="N", help="Split into parts of at most N MB, at objective boundaries.")
@templates_option
@plan_option
@rules_option
@click.option("--force", is_flag=True, help="Replace an existing file at -o even if packager did not build it.")
@lint_options
@no_cache_option
@ocr_option
@today_option
@handle_errors
def build(
    folder: Path, output: Path, stage: str, allow_errors: bool, split_mb: float | None,
    templates_dir: Path | None, plan_path: Path | None, rules_spec: str | None, force: bool,
    select: tuple[str, ...], ignore: tuple[str, ...], strict: bool, quiet: bool, ocr: str, today: str | None,
) -> None:
    """Check FOLDER and build the submission zip."""
    from packager.build import BuildRefused, build_submission
    from packager.report.text import open_findings, render_findings, summary_line
    from packager.textutil import plural

    config = _config(folder, select, ignore, strict)
    colour = use_colour()
    style = make_style(colour)
    try:
        with progress_bar("Checking files", enabled=not quiet) as progress, \
                progress_bar("Writing the zip", enabled=not quiet) as writing:
            result = build_submission(
                folder, output, stage=Stage(stage), allow_errors=allow_errors, split_mb=split_mb,
                templates_dir=templates_dir, plan_path=plan_path, rules_spec=rules_spec,
                today=_today(today), progress=progress, force=force, config=config, write_progress=writing,
                ocr=_ocr_mode(ocr),
            )
    except BuildRefused as refused:
        blocking = open_findings(refused.result.findings, config.strict)
        _emit_report("".join(line + "\n" for line in render_findings(blocking, refused.result.plan, style)),
                     None, colour)
        fix = "the errors" if refused.result.summary.errors else "the warnings (--strict)"
        echo(f"Not built: {summary_line(refused.result.summary, strict=config.strict)}. Fix {fix}, or build "
             "anyway with --allow-errors.", err=True)
        sys.exit(ExitCode.FINDINGS)
    # As `check` shows them: grouped by objective and milestone, in colour on a terminal; --quiet keeps
    # only what fails the run.
    shown = (open_findings(result.findings, config.strict) if quiet
             else [f for f in result.findings if f.severity.value != "info"])
    lines = render_findings(shown, result.check.plan, style) if shown else []
    for path, size in zip(result.outputs, result.sizes, strict=True):
        lines.append(for_terminal(f"Wrote {path} ({size / 1024 / 1024:.1f} MB)"))
    if result.excluded:
        lines.append(for_terminal(f"Left out {plural(len(result.excluded), 'file')} not mapped to a milestone: "
                                + ", ".join(result.excluded[:5])))
    open_problems = "built with open errors" if result.summary.errors else "built with open warnings (--strict)"
    lines.append(summary_line(result.summary, style, ready="built", not_ready=open_problems, strict=config.strict))
    _emit_report("".join(line + "\n" for line in lines), None, colour)
    sys.exit(ExitCode.FINDINGS if result.summary.failed(config.strict) else ExitCode.OK)


@main.command()
@click.argument("zips", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "html", "csv"]), default="text", show_default=True,
    help="Report format (csv: one row per zip, for a queue).",
)
@output_option
@click.option("--worksheet", type=click.Path(path_type=Path, dir_okay=False),
              help="Write a QA worksheet, one row per milestone, to fill in: .xlsx (a locked workbook with "
                   "totals) or .csv.")
@click.option("--scores", "scores_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Read a filled-in QA worksheet and score the submission.")
@click.option("--amendments", "amendments_path", type=click.Path(path_type=Path, dir_okay=False),
              help="With --scores: write a letter (PDF) asking the company for what each milestone still needs.")
@click.option("--plan", "approved_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The approved plan (YAML or .xlsx) to map and score the zip against.")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path, file_okay=False),
              help="A folder of approved plans; each zip gets its company's plan for its year.")
@click.option("--stage", "stage_name", type=click.Choice([s.value for s in Stage]), default=None,
              help="Audit as a proposal or a final submission [default: the stage the zip's manifest.json says, "
                   "else final].")
@rules_option
@force_option
@lint_options
@no_cache_option
@ocr_option
@today_option
@handle_errors
def audit(
    zips: tuple[Path, ...], fmt: str, output: Path | None, worksheet: Path | None, scores_path: Path | None,
    amendments_path: Path | None, approved_path: Path | None, plans_dir: Path | None, stage_name: str | None,
    rules_spec: str | None, force: bool, select: tuple[str, ...], ignore: tuple[str, ...], strict: bool, quiet: bool,
    ocr: str, today: str | None,
) -> None:
    """Check received submission ZIPS safely, verify them and score them.

    With --plan (or --plans) the zips are scored against the plan approved in the spring.
    --select, --ignore, --strict and --quiet work as for check; no packager.toml is read (not even one
    inside the zip).
    """
    from dataclasses import replace

    from packager.audit import AuditResult, audit_zip
    from packager.findings import sort_findings
    from packager.report.audit_text import (
        BatchRow,
        audit_dict,
        batch_csv,
        batch_text,
        failed,
        render_audit_text,
    )
    from packager.report.jsonout import dumps
    from packager.rules import load_rules

    inputs = (*zips, scores_path)
    _guard(output, inputs=(*inputs, worksheet), force=force)
    _guard(worksheet, inputs=(*inputs, output), force=force, option="--worksheet")
    _guard(amendments_path, inputs=(*inputs, output, worksheet), force=force, option="--amendments")
    if amendments_path is not None and scores_path is None:
        raise InputError("the amendments letter needs the reviewer's scores", field="--amendments",
                         hint="Add --scores with the filled-in QA worksheet")
    config = _config(None, select, ignore, strict)  # the command line only
    rules = load_rules(rules_spec)
    day = _today(today)
    ocr = _ocr_mode(ocr)

    def configured(result: AuditResult) -> AuditResult:
        """The audit's findings as --select/--ignore choose them (the one filter check and build use)."""
        return replace(result, findings=tuple(sort_findings(config.apply(result.findings))))

    if approved_path is not None and plans_dir is not None:
        raise InputError("give either --plan or --plans, not both", field="--plan/--plans")
    approved = approved_plans = None
    if approved_path is not None:
        from packager.plan import load_plan

        approved = load_plan(approved_path, rules)
    if plans_dir is not None:
        from packager.approval import load_approved_plans

        approved_plans = load_approved_plans(plans_dir, rules)
    stage = Stage(stage_name) if stage_name else None  # None: the manifest's stage, else final
    if (worksheet or scores_path or amendments_path) and len(zips) != 1:
        raise InputError("--worksheet, --scores and --amendments work on one zip at a time",
                         field="--worksheet/--scores")
    # One zip is audited here (a CSV row too, when it is scored or its worksheet written: a worksheet that
    # cannot be read is exit 2, never a 'failed' row); several are a batch, one row each.
    single = len(zips) == 1 and (fmt != "csv" or bool(worksheet or scores_path or amendments_path))
    if single:
        with progress_bar("Checking entries", enabled=not quiet) as progress:
            result = configured(audit_zip(zips[0], rules, today=day, scores_path=scores_path, progress=progress,
                                          approved=approved, approved_plans=approved_plans, ocr=ocr, stage=stage))
        if (worksheet is not None or amendments_path is not None) and result.stage is Stage.PROPOSAL:
            raise InputError("the QA worksheet and the amendments letter score a final submission, and this zip "
                             "is audited as a proposal", file=zips[0], field="--worksheet/--amendments",
                             hint="Give --stage final if the zip is the final submission")
        if worksheet is not None:
            if result.plan is None:
                raise InputError("a worksheet needs the plan, and this zip has none", file=zips[0])
            from packager.atomic import write_bytes_atomic
            from packager.worksheet import worksheet_csv

            if worksheet.suffix.lower() == ".xlsx":
                from packager.qaxlsx import worksheet_xlsx

                sheet = worksheet_xlsx(result.plan, result.inventory, result.findings, rules)
            else:
                sheet = worksheet_csv(result.plan, result.inventory, result.findings).encode("utf-8-sig")
            write_bytes_atomic(worksheet, sheet)
            echo(f"Wrote {worksheet}", err=True)
        if amendments_path is not None:
            from packager.amendments import amendments_pdf
            from packager.atomic import write_bytes_atomic

            write_bytes_atomic(amendments_path, amendments_pdf(result, day or dt.date.today()))
            echo(f"Wrote {amendments_path}", err=True)
        exit_code = ExitCode.FINDINGS if failed(result, config.strict) else ExitCode.OK
        if fmt == "json":
            text = dumps(audit_dict(result, config.strict))
        elif fmt == "csv":
            text = batch_csv([BatchRow(zips[0], result, strict=config.strict)])
        elif fmt == "html":
            from packager.report.html import render_audit_html  # Jinja2: only for HTML

            text = render_audit_html(result, strict=config.strict)
        else:
            colour = use_colour(output)
            text = render_audit_text(result, style=make_style(colour), quiet=quiet, strict=config.strict)
            _emit_report(text, output, colour)
            sys.exit(exit_code)
        _emit(text, output, json=fmt == "json", csv=fmt == "csv")
        sys.exit(exit_code)
    rows: list[BatchRow] = []
    details: list[dict[str, Any]] = []  # the JSON of each zip, made as soon as it is audited
    parts: list[AuditResult | None] = []  # the parts of split builds, kept whole to be audited together
    with progress_bar("Auditing zips", enabled=not quiet) as progress:
        for i, path in enumerate(zips, start=1):
            parts.append(None)
            try:
                audited = configured(audit_zip(path, rules, today=day, approved=approved,
                                               approved_plans=approved_plans, ocr=ocr, stage=stage))
                if audited.part is not None:
                    parts[-1] = audited
                details.append(audit_dict(audited, config.strict) if fmt == "json" else {})
                # Keep only what the batch table needs: a batch of many zips must not hold every file's facts.
                rows.append(BatchRow(path, audited.without_facts(), strict=config.strict))
            except InputError as exc:
                rows.append(BatchRow(path, None, exc.paragraph()))
                details.append({})
            except OSError as exc:
                rows.append(BatchRow(path, None, os_input_error(exc, "it could not be read", path).paragraph()))
                details.append({})
            except Exception as exc:  # one bad zip is one failed row; the rest of the queue goes on
                if os.environ.get("PACKAGER_DEBUG"):
                    raise
                rows.append(BatchRow(path, None, f"{path}: it could not be audited ({type(exc).__name__})."))
                details.append({})
            if progress:
                progress(i, len(zips))
    # All the parts of one split build given together are one submission: one row, one verdict.
    from packager.audit import audited_together, part_groups

    groups = part_groups(parts)
    for group in groups:
        together = audited_together([r for i in group if (r := parts[i]) is not None])
        rows[group[0]] = BatchRow(together.path, together.without_facts(), strict=config.strict)
        details[group[0]] = audit_dict(together, config.strict) if fmt == "json" else {}
    merged = {i for group in groups for i in group[1:]}
    rows = [r for i, r in enumerate(rows) if i not in merged]
    details = [d for i, d in enumerate(details) if i not in merged]
    # Each row's verdict decides: a zip not audited, or whose verdict fails, fails the batch.
    batch_exit = ExitCode.FINDINGS if any(r.verdict is None or r.verdict.failed for r in rows) else ExitCode.OK
    if fmt == "csv":
        text = batch_csv(rows)
    elif fmt == "html":
        from packager.report.html import render_batch_html

        text = render_batch_html(rows)
    elif fmt == "json":
        from packager.report.jsonout import header

        text = dumps({**header("audit-batch"), "zips": [
            {"zip": str(r.path), "status": r.status, "problem": r.failure, **detail}
            for r, detail in zip(rows, details, strict=True)]})
    else:
        colour = use_colour(output)
        _emit_report(batch_text(rows, style=make_style(colour), quiet=quiet), output, colour)
        sys.exit(batch_exit)
    _emit(text, output, json=fmt == "json", csv=fmt == "csv")
    sys.exit(batch_exit)


@main.group("plan")
def plan_group() -> None:
    """Work with the plan file itself (YAML or the action-plan.xlsx workbook)."""


@plan_group.command("convert")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@force_option
@handle_errors
def plan_convert(source: Path, target: Path, rules_spec: str | None, force: bool) -> None:
    """Convert the plan SOURCE to TARGET: YAML to .xlsx or .xlsx to YAML (by TARGET's extension)."""
    from packager.atomic import write_bytes_atomic
    from packager.plan import is_workbook, load_plan
    from packager.planxlsx import plan_workbook, write_plan_yaml
    from packager.rules import load_rules

    if target.suffix.lower() not in (".xlsx", ".yaml", ".yml"):
        raise InputError("the file to write must end in .xlsx, .yaml or .yml", file=target, field="TARGET")
    _guard(target, inputs=(source,), force=force, option="TARGET")
    rules = load_rules(rules_spec)
    plan = load_plan(source, rules)
    data = plan_workbook(plan, rules) if is_workbook(target) else write_plan_yaml(plan).encode("utf-8")
    write_bytes_atomic(target, data)
    echo(f"Wrote {target}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), required=True,
              help="The folder to write the forms to (outside the submission folder), e.g. 'forms'.")
@templates_option
@plan_option
@rules_option
@click.option("--force", is_flag=True, help="Replace existing files of the same names.")
@today_option
@handle_errors
def forms(folder: Path, out_dir: Path, templates_dir: Path | None, plan_path: Path | None, rules_spec: str | None,
          force: bool, today: str | None) -> None:
    """Write the pages to sign (acknowledgement, Auditor Maintenance) for FOLDER, without a build."""
    from packager.forms import write_forms

    result = write_forms(folder, out_dir, plan_path=plan_path, rules_spec=rules_spec, templates_dir=templates_dir,
                         today=_today(today), force=force)
    for path in result.written:
        echo(f"Wrote {path}")
    echo("Next: print them, have them signed and dated, scan them into admin/ and name them under "
         "documents.acknowledgement and documents.auditor_maintenance in the plan.")


@main.command("checks")
@click.argument("check_id", required=False)
@rules_option
@handle_errors
def list_checks(check_id: str | None, rules_spec: str | None) -> None:
    """List every check id, its severity, when and where it applies and how to fix it.

    With CHECK_ID, explain that one check. With --rules, first show the numbers that profile gives
    the checks.
    """
    if check_id is not None:
        from packager.checks.catalog import all_checks, explain

        checks = all_checks()
        if check_id not in checks:
            import difflib

            close = difflib.get_close_matches(check_id, list(checks), n=1, cutoff=0.5)
            raise InputError(f"'{check_id}' is not a check id", field="CHECK_ID",
                             hint=f"Did you mean '{close[0]}'?" if close else "Run 'packager checks' to list them")
        echo(explain(checks[check_id]))
        return
    if rules_spec is not None:
        from packager.profiles import describe_profile
        from packager.rules import load_rules

        echo(describe_profile(load_rules(rules_spec)) + "\n")
    # Checks are declared where they run: load the audit and build modules so their ids are listed too.
    import packager.audit
    import packager.build  # noqa: F401
    from packager.checks import REGISTRY
    from packager.config import known_ids  # every id, with those the build, audit and settings declare

    for check_id in known_ids():
        c = REGISTRY[check_id]
        echo(f"{c.id} ({c.severity.value})\n  When: {c.applies}\n  Fix:  {c.hint}\n")


@main.command("profiles")
@handle_errors
def list_profiles() -> None:
    """List the bundled program profiles (use one with --rules NAME)."""
    from packager.profiles import describe_profile
    from packager.rules import bundled_profiles, load_rules

    for name in bundled_profiles():
        echo(describe_profile(load_rules(name)) + "\n")


if __name__ == "__main__":  # pragma: no cover
    main()
