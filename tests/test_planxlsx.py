"""The Action Plan workbook: written by init/convert, read into the same Plan, errors naming sheet and cell."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from packager.cli import main
from packager.errors import InputError
from packager.plan import load_plan, load_plan_text
from packager.planxlsx import load_plan_xlsx_bytes, plan_workbook, write_plan_yaml
from packager.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
RULES = load_rules()
PLAN = load_plan(SAMPLE / "action-plan.yaml", RULES)
WORKBOOK = plan_workbook(PLAN, RULES)


def edited(change: Callable[[Any], None], data: bytes = WORKBOOK) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def setter(sheet: str, cell: str, value: object) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        wb[sheet][cell].value = value
    return change


def test_round_trip_yaml_xlsx_yaml() -> None:
    back = load_plan_xlsx_bytes(WORKBOOK, "plan.xlsx", RULES)
    assert back == PLAN
    again = load_plan_text(write_plan_yaml(back), "plan.yaml", RULES)
    assert again == PLAN


def test_starter_workbook_round_trips_and_leaves_eligibility_unanswered(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "f"), "--format", "xlsx", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "f" / "action-plan.yaml").exists()
    plan = load_plan(tmp_path / "f" / "action-plan.xlsx", RULES)
    assert plan.eligibility == {}
    assert [ms.weight for _o, _m, ms in plan.milestones()] == [20, 15, 20, 15, 15, 15]
    wb = load_workbook(tmp_path / "f" / "action-plan.xlsx")
    assert wb.sheetnames == ["How to fill this in", "Plan", "Eligibility", "Milestones", "Notes", "Auditors",
                             "People", "Summary"]
    assert wb["Milestones"].freeze_panes == "A2"
    kinds = {dv.type for dv in wb["Milestones"].data_validations.dataValidation}
    assert kinds == {"whole", "date", "decimal", "custom", "list"}


def test_init_yaml_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "f"), "--format", "yaml"])
    assert result.exit_code == 0
    assert not (tmp_path / "f" / "action-plan.xlsx").exists()


def test_check_accepts_the_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLE, folder)
    (folder / "action-plan.yaml").unlink()
    (folder / "action-plan.xlsx").write_bytes(WORKBOOK)
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json", "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert '"self": 93' in result.output


def test_plan_convert_both_ways(tmp_path: Path) -> None:
    runner = CliRunner()
    xlsx, yaml_out = tmp_path / "p.xlsx", tmp_path / "p.yaml"
    assert runner.invoke(main, ["plan", "convert", str(SAMPLE / "action-plan.yaml"), str(xlsx)]).exit_code == 0
    assert runner.invoke(main, ["plan", "convert", str(xlsx), str(yaml_out)]).exit_code == 0
    assert load_plan(yaml_out, RULES) == PLAN
    refused = runner.invoke(main, ["plan", "convert", str(xlsx), str(xlsx)])
    assert refused.exit_code == 2


def rename_sheet(wb: Any) -> None:
    wb["Milestones"].title = "Milestone"


def move_objective(wb: Any) -> None:
    wb["Milestones"]["A5"].value = 3


@pytest.mark.parametrize(("change", "expected"), [
    (setter("Milestones", "F3", "ten"),
     "plan.xlsx, Milestones!F3: field 'weight' (milestone 1.2): the value 'ten' is not a number."),
    (setter("Milestones", "F2", -5),
     "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): milestone 1.1 has a negative weight (-5)."),
    (setter("Milestones", "E2", "next spring"),
     "plan.xlsx, Milestones!E2: field 'target_date' (milestone 1.1): the value 'next spring' is not a date written "
     "YYYY-MM-DD, e.g. 2026-05-14."),
    (setter("Milestones", "E1", "Targt date"),
     "plan.xlsx, Milestones!E1: the column header 'Targt date' is not one packager knows."),
    (setter("Milestones", "J2", "maybe"),
     "plan.xlsx, Milestones!J2: field 'audit_recommendation' (objective 1): 'maybe' is not yes or no."),
    (move_objective,
     "plan.xlsx, Milestones!A5: field 'objective': objective 3 follows objective 1."),
    (setter("Plan", "B2", "CORR"),
     "plan.xlsx, Plan!B2: field 'program': 'CORR' is not a program of the acsa-cor-secor rules."),
    (setter("Plan", "B4", "twenty"),
     "plan.xlsx, Plan!B4: field 'year': the value 'twenty' is not a whole number."),
    (setter("Plan", "A3", "Compnay"),
     "plan.xlsx, Plan!A3: 'Compnay' is not a field of the plan."),
    (setter("Eligibility", "C2", "maybe"),
     "plan.xlsx, Eligibility!C2: field 'eligibility.certified': 'maybe' is not yes or no."),
    (setter("Milestones", "F2", "=10+2"),
     "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): this cell holds a formula whose result was never "
     "saved."),
    (rename_sheet, "plan.xlsx: the workbook has no 'Milestones' sheet. Did you mean the sheet 'Milestone'?"),
])
def test_workbook_errors_name_sheet_and_cell(change: Callable[[Any], None], expected: str) -> None:
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(edited(change), "plan.xlsx", RULES)
    assert info.value.paragraph().startswith(expected)


@pytest.mark.parametrize(("cell", "value", "hint"), [
    ("E1", "Targt date", "Did you mean 'Target date'?"),
    ("G1", "Self score", None),  # accepted: spaces and hyphens are not what makes a header
    ("A3", "Compnay", "Did you mean 'Company'?"),
])
def test_misspelt_header_suggests_the_right_one(cell: str, value: str, hint: str | None) -> None:
    sheet = "Plan" if cell == "A3" else "Milestones"
    data = edited(setter(sheet, cell, value))
    if hint is None:
        with pytest.raises(InputError) as info:
            load_plan_xlsx_bytes(data, "plan.xlsx", RULES)
        assert "Did you mean 'Self-score'?" in str(info.value)
        return
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(data, "plan.xlsx", RULES)
    assert info.value.hint == hint


@pytest.mark.parametrize(("data", "expected"), [
    (b"hello, this is not a workbook", "is not an .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected or an old .xls workbook"),
])
def test_not_a_workbook(data: bytes, expected: str) -> None:
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(data, "plan.xlsx", RULES)
    assert expected in str(info.value)


def test_xml_entities_are_refused() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            dst.writestr(info, body)
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(out.getvalue(), "plan.xlsx", RULES)
    assert "declares XML entities" in str(info.value)


def test_protected_sheet_and_cached_formula_values_load() -> None:
    def change(wb: Any) -> None:
        wb["Milestones"].protection.sheet = True
        wb["Plan"].protection.sheet = True

    assert load_plan_xlsx_bytes(edited(change), "plan.xlsx", RULES) == PLAN


def test_cli_exit_2_names_the_cell(tmp_path: Path) -> None:
    bad = tmp_path / "action-plan.xlsx"
    bad.write_bytes(edited(setter("Milestones", "F3", "ten")))
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--stage", "proposal"])
    assert result.exit_code == 2
    assert "Milestones!F3: field 'weight' (milestone 1.2): the value 'ten' is not a number." in result.stderr
    assert "Traceback" not in result.output


# A date cell holding a serial number no calendar has: openpyxl warns while the row is read.
OUT_OF_RANGE_DATE = setter("Milestones", "E2", -3.2e16)


def test_an_unreadable_cell_is_named_without_a_library_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InputError) as info:
            load_plan_xlsx_bytes(edited(OUT_OF_RANGE_DATE), "plan.xlsx", RULES)
    assert info.value.cell == "Milestones!E2" and (info.value.field or "").endswith("target_date")
    assert [str(w.message) for w in caught] == []


def test_cli_shows_no_python_warning(tmp_path: Path) -> None:
    """Run as a user runs it: pytest would catch a warning before it reached stderr."""
    (tmp_path / "action-plan.xlsx").write_bytes(edited(OUT_OF_RANGE_DATE))
    done = subprocess.run([sys.executable, "-m", "packager", "check", str(tmp_path), "--stage", "proposal"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "default"})
    assert done.returncode == 2
    assert "Milestones!E2: field 'target_date' (milestone 1.1)" in done.stderr
    assert "Warning" not in done.stderr and "site-packages" not in done.stderr, done.stderr


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.integers(min_value=2, max_value=8), col=st.sampled_from("CDEFG"),
       value=st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.floats(allow_nan=False, allow_infinity=False), st.integers()))
def test_any_cell_value_loads_or_names_its_cell(row: int, col: str, value: object) -> None:
    data = edited(setter("Milestones", f"{col}{row}", value))
    try:
        load_plan_xlsx_bytes(data, "plan.xlsx", RULES)
    except InputError as exc:
        assert exc.cell is not None and exc.cell.startswith("Milestones!"), exc.paragraph()


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _soffice(args: list[str], tmp_path: Path) -> None:
    assert SOFFICE is not None
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo", *args],
                   check=True, capture_output=True, timeout=180, cwd=tmp_path)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_validation_and_totals(tmp_path: Path) -> None:
    def off_by_five(wb: Any) -> None:
        wb["Milestones"]["F8"].value = 20  # 25 -> 20: the total becomes 95
        wb["Milestones"]["F2"].value = "=6+6"  # a formula: LibreOffice saves its value, 12

    source = tmp_path / "plan.xlsx"
    source.write_bytes(edited(off_by_five))
    out = tmp_path / "out"
    _soffice(["--convert-to", "xlsx", "--outdir", str(out), str(source)], tmp_path)
    saved = out / "plan.xlsx"
    # Saved by LibreOffice: still loads, with the same model, and keeps the drop-downs and validation.
    plan = load_plan(saved, RULES)
    assert plan.total_weight == 95
    assert plan.milestone("1.1").weight == 12  # type: ignore[union-attr]
    wb = load_workbook(saved)
    kinds = {dv.type for dv in wb["Milestones"].data_validations.dataValidation}
    assert {"list", "date", "decimal"} <= kinds
    assert any(dv.type == "list" for dv in wb["Plan"].data_validations.dataValidation)
    cached = load_workbook(saved, data_only=True)["Milestones"]
    assert cached["L2"].value == 95  # the total, computed by LibreOffice
    _soffice(["--convert-to", "pdf", "--outdir", str(out), str(source)], tmp_path)
    assert (out / "plan.pdf").stat().st_size > 1000


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).map(
    str.strip).filter(bool)


@st.composite
def plans(draw: st.DrawFn) -> Any:
    import datetime as dt

    from packager.plan import Auditor, ExecutiveSummary, Milestone, Objective, Person, Plan

    year = draw(st.integers(2020, 2030))
    day = st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31))
    points = st.integers(0, 40).map(lambda n: n / 2)

    def milestone() -> Milestone:
        return Milestone(title=draw(_TEXT), assigned_to=draw(st.none() | _TEXT), target_date=draw(st.none() | day),
                         deliverable=draw(st.none() | _TEXT), weight=draw(points), self_score=draw(st.none() | points))

    objectives = tuple(
        Objective(title=draw(_TEXT), audit_recommendation=draw(st.booleans()), notes=draw(st.none() | _TEXT),
                  milestones=tuple(milestone() for _ in range(draw(st.integers(1, 3)))))
        for _ in range(draw(st.integers(1, 4))))
    return Plan(
        program=draw(st.sampled_from(["COR", "SECOR"])), company=draw(_TEXT), year=year, objectives=objectives,
        approved=draw(st.none() | day), previous_plan_score=draw(st.none() | points),
        eligibility=draw(st.dictionaries(st.sampled_from(sorted(RULES.eligibility)), st.booleans(), max_size=3)),
        senior_representative=draw(st.none() | st.builds(Person, _TEXT, st.none() | _TEXT)),
        auditors=tuple(draw(st.lists(st.builds(Auditor, _TEXT, st.none() | _TEXT), max_size=2))),
        participants=tuple(draw(st.lists(_TEXT, max_size=2))), contact=draw(st.none() | _TEXT),
        summary=ExecutiveSummary(results=draw(st.none() | _TEXT), strengths=tuple(draw(st.lists(_TEXT, max_size=2))),
                                 recommendations=tuple(draw(st.lists(_TEXT, max_size=2)))),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_any_plan_round_trips_through_the_workbook(plan: Any) -> None:
    back = load_plan_xlsx_bytes(plan_workbook(plan, RULES), "plan.xlsx", RULES)
    assert back == plan
    assert load_plan_text(write_plan_yaml(back), "plan.yaml", RULES) == plan


def test_workbook_unpacking_to_too_much_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import packager.xlsxsafe as xlsxsafe

    monkeypatch.setattr(xlsxsafe, "MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(WORKBOOK, "plan.xlsx", RULES)
    assert "unpacks to far more data than a workbook holds; it was not opened" in str(info.value)


def test_hostile_zip_plan_workbook_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    import zipfile

    from packager.audit import audit_zip

    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as zf:
        zf.writestr("Acme/action-plan.xlsx", b"PK\x03\x04 not really a workbook")
        zf.writestr("Acme/Objective 1/1.1 - Notes - 2026-05-01.txt", "Milestone 1.1 notes, May 1, 2026\n")
    result = audit_zip(hostile, RULES, workers=1)
    unreadable = [f for f in result.findings if f.check == "plan-unreadable"]
    assert unreadable and "is not an .xlsx workbook" in unreadable[0].message


# --- weights and scores typed as percentages (hunt 23, B1) ------------------------------------------------


def formatted(cells: dict[str, tuple[object, str]], sheet: str = "Milestones") -> Callable[[Any], None]:
    """Set each cell's value and number format, as a coordinator typing '15%' in Excel does (0.15, '0%')."""
    def change(wb: Any) -> None:
        for ref, (value, number_format) in cells.items():
            wb[sheet][ref].value = value
            wb[sheet][ref].number_format = number_format
    return change


@pytest.mark.parametrize(("value", "number_format", "weight"), [
    (0.12, "0%", 12),  # Excel's 12%
    (0.125, "0.0%", 12.5),
    (0.12, "0.00 %", 12),  # LibreOffice's French percentage
    (0.12, "[Blue]0%;[Red]-0%", 12),
    (12, "General", 12),
    (12, "0", 12),
    (0.12, "General", 0.12),  # not shown as a percentage: read as it is
    (0.12, '0.00"%"', 0.12),  # a quoted % is written as is: the number is not a percentage
    (0.12, "0.00\\%", 0.12),  # so is an escaped one
    (0.12, "[$%-409]0.00", 0.12),  # a locale in brackets
    ("12%", "General", 12),  # the text '12%' in a Weight column is 12 points
    ("12 %", "@", 12),
    ("12\u202f%", "@", 12),  # the narrow space French typing puts before %
    ("12,5 %", "@", 12.5),
    (" 12% ", "@", 12),
])
def test_a_weight_typed_as_a_percentage_is_its_points(value: object, number_format: str, weight: float) -> None:
    plan = load_plan_xlsx_bytes(edited(formatted({"F2": (value, number_format)})), "plan.xlsx", RULES)
    assert next(ms.weight for _o, _m, ms in plan.milestones()) == weight


def test_self_score_and_previous_score_typed_as_percentages() -> None:
    change = formatted({"G2": (0.12, "0%"), "G3": ("10%", "@")})
    plan = load_plan_xlsx_bytes(edited(formatted({"B6": (0.85, "0%")}, "Plan"), edited(change)), "plan.xlsx", RULES)
    assert [ms.self_score for _o, _m, ms in plan.milestones()][:2] == [12, 10]
    assert plan.previous_plan_score == 85


@pytest.mark.parametrize(("value", "expected"), [
    ("12%%", "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): the value '12%%' is not a number."),
    ("%", "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): the value '%' is not a number."),
    ("% 12", "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): the value '% 12' is not a number."),
    ("twelve %", "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): the value 'twelve %' is not a number."),
    ("1 2%", "plan.xlsx, Milestones!F2: field 'weight' (milestone 1.1): the value '1 2%' is not a number."),
])
def test_a_percentage_that_is_not_a_number_names_its_cell(value: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(edited(setter("Milestones", "F2", value)), "plan.xlsx", RULES)
    assert info.value.paragraph().startswith(expected)


def test_a_year_or_objective_is_never_a_percentage() -> None:
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(edited(setter("Plan", "B4", "2026%")), "plan.xlsx", RULES)
    assert info.value.paragraph().startswith("plan.xlsx, Plan!B4: field 'year': the value '2026%' is not a whole number.")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["", " ", "\u00a0", "\u202f"]))
def test_any_percentage_reads_as_its_points(hundredths: int, space: str) -> None:
    from packager.planxlsx import _number

    points = hundredths / 100
    assert _number(f"{points:g}{space}%", points=True) == pytest.approx(points, abs=0)
    assert _number(hundredths / 10_000, points=True, shown_as_percent=True) == points
    assert _number(hundredths / 10_000, points=True) == hundredths / 10_000


@pytest.mark.parametrize(("code", "percent"), [
    ("0%", True), ("0.00%", True), ("0.0 %", True), ("#,##0%;[Red]-#,##0%", True), ('"up "0%', True),
    ("General", False), ("0", False), ("@", False), ('0"%"', False), ("0\\%", False), ("[$%-409]0", False),
    ("", False), (None, False), ('"unclosed %', True),
])
def test_percent_formats(code: str | None, percent: bool) -> None:
    from packager.planxlsx import is_percent_format

    assert is_percent_format(code) is percent


def test_check_accepts_weights_typed_as_percentages(tmp_path: Path) -> None:
    """The hunt's X-pct: every weight and self-score typed as a percentage (12%, stored 0.12 formatted 0%)
    totals 100 and the self-score is 93%, as the same plan typed in points."""
    def as_percentages(wb: Any) -> None:
        for row in wb["Milestones"].iter_rows(min_row=2, min_col=6, max_col=7):
            for cell in row:
                if isinstance(cell.value, int | float):
                    cell.value, cell.number_format = cell.value / 100, "0%"

    folder = tmp_path / "sub"
    shutil.copytree(SAMPLE, folder)
    (folder / "action-plan.yaml").unlink()
    (folder / "action-plan.xlsx").write_bytes(edited(as_percentages))
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json", "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert '"self": 93' in result.output and "weight-total" not in result.output


# --- a column of the coordinator's own in a sheet (hunt 23, B2) ------------------------------------------


def headers(cells: dict[str, object], sheet: str = "Milestones") -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        for ref, value in cells.items():
            wb[sheet][ref].value = value
            if ref[:1] == "K" and sheet == "Milestones":
                wb[sheet][f"K{int(ref[1:]) + 1}"].value = "Planned"  # the column has cells too
    return change


@pytest.mark.parametrize(("sheet", "cells", "ignored"), [
    ("Milestones", {"K1": "Status"}, (("Milestones!K1", "Status"),)),
    ("Milestones", {"K1": "Comments", "O1": "% complete"}, (("Milestones!K1", "Comments"),
                                                             ("Milestones!O1", "% complete"))),
    ("Milestones", {"O1": "  Done\non site  "}, (("Milestones!O1", "Done on site"),)),
    ("Milestones", {"O1": "x" * 10_000}, (("Milestones!O1", "x" * 59 + "…"),)),
    ("Milestones", {"O1": 2026}, (("Milestones!O1", "2026"),)),
    ("Notes", {"D1": "Remarks"}, (("Notes!D1", "Remarks"),)),
    ("Milestones", {}, ()),
])
def test_a_column_of_the_coordinators_own_is_set_aside(
    sheet: str, cells: dict[str, object], ignored: tuple[tuple[str, str], ...]
) -> None:
    plan = load_plan_xlsx_bytes(edited(headers(cells, sheet)), "plan.xlsx", RULES)
    assert plan.ignored_columns == ignored
    assert plan == PLAN  # the plan itself is the same


@pytest.mark.parametrize(("cell", "value", "expected"), [
    ("K1", "Weigth", "plan.xlsx, Milestones!K1: the column header 'Weigth' is not one packager knows. Expected one "
     "of Objective, Objective title, Milestone, Assigned to, Target date, Weight, Self-score, Running total, "
     "Deliverable, From last audit, Total weight, Must be, Total self-score. Did you mean 'Weight'?"),
    ("K1", "Target", "plan.xlsx, Milestones!K1: the column header 'Target' is not one packager knows."),
    ("I1", "Deliverables", "plan.xlsx, Milestones!I1: the column header 'Deliverables' is not one packager knows."),
])
def test_a_misspelt_header_still_stops_and_names_the_one_it_resembles(cell: str, value: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        load_plan_xlsx_bytes(edited(setter("Milestones", cell, value)), "plan.xlsx", RULES)
    assert info.value.paragraph().startswith(expected), info.value.paragraph()


def _sample_workbook_folder(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLE, folder)
    (folder / "action-plan.yaml").unlink()
    (folder / "action-plan.xlsx").write_bytes(data)
    return folder


def test_check_warns_of_an_added_column_and_goes_on(tmp_path: Path) -> None:
    """The hunt's X-extracol: a Status column stopped everything (exit 2); now a warning names it."""
    import json

    folder = _sample_workbook_folder(tmp_path, edited(headers({"K1": "Status"})))
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json", "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    found = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "plan-column-ignored"]
    assert [(f["severity"], f["path"], f["message"]) for f in found] == [(
        "warning", "action-plan.xlsx",
        "The column 'Status' of the Milestones sheet (cell K1) is not one packager knows, so it is ignored: its "
        "cells are not read.",
    )]


def test_many_added_columns_are_a_bounded_few_findings(tmp_path: Path) -> None:
    """Thousands of columns: those read (the first MAX_COLS) past the first three are summed up in one finding."""
    import datetime as dt

    from packager.checks import Context, Stage, run_checks

    def many(wb: Any) -> None:
        ws = wb["Milestones"]
        for col in range(15, 3_000):
            ws.cell(1, col).value = f"Column {col}"

    plan = load_plan_xlsx_bytes(edited(many), "plan.xlsx", RULES)
    assert [cell for cell, _h in plan.ignored_columns] == [f"Milestones!{c}1" for c in "OPQRSTUVWXYZ"] + [
        "Milestones!AA1", "Milestones!AB1", "Milestones!AC1", "Milestones!AD1"]
    ctx = Context(plan=plan, rules=RULES, stage=Stage.PROPOSAL, today=dt.date(2026, 3, 1))
    messages = [f.message for f in run_checks(ctx) if f.check == "plan-column-ignored"]
    assert sorted(messages) == [
        "13 more columns packager does not know are ignored too: 'Column 18' (Milestones!R1), 'Column 19' "
        "(Milestones!S1), 'Column 20' (Milestones!T1) and 10 more.",
        "The column 'Column 15' of the Milestones sheet (cell O1) is not one packager knows, so it is ignored: its "
        "cells are not read.",
        "The column 'Column 16' of the Milestones sheet (cell P1) is not one packager knows, so it is ignored: its "
        "cells are not read.",
        "The column 'Column 17' of the Milestones sheet (cell Q1) is not one packager knows, so it is ignored: its "
        "cells are not read.",
    ]


def test_a_set_aside_column_is_not_part_of_the_plan_a_zip_carries() -> None:
    """The manifest of a built zip holds the plan, not what reading its workbook set aside: audit reads it back."""
    from packager.plan import plan_from_data, plan_to_data

    plan = load_plan_xlsx_bytes(edited(headers({"K1": "Status"})), "plan.xlsx", RULES)
    assert plan.ignored_columns == (("Milestones!K1", "Status"),)
    data = plan_to_data(plan)
    assert "ignored_columns" not in data and "source" not in data
    assert plan_from_data(data, "manifest.json", RULES) == PLAN
