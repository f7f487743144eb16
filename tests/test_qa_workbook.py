"""The QA worksheet as a workbook, the reviewer's comments in every report, and the amendments letter."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader

from packager.amendments import amendments_pdf
from packager.audit import audit_zip
from packager.build import build_submission
from packager.cli import main
from packager.errors import InputError
from packager.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
COMMENT_12 = "The revised plan is not signed by the president; send the signed copy."
COMMENT_32 = "Attendance sheets cover 6 of 8 talks."


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("qa")
    zip_path = base / "sample.zip"
    build_submission(SAMPLE, zip_path, today=TODAY)
    sheet = base / "qa.xlsx"
    result = CliRunner().invoke(main, ["audit", str(zip_path), "--worksheet", str(sheet), "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(sheet)
    ws = wb["QA worksheet"]
    for r in range(2, ws.max_row + 1):
        ws[f"H{r}"].value = ws[f"D{r}"].value
    ws["H3"].value, ws["I3"].value = 6, COMMENT_12
    ws["H8"].value, ws["I8"].value = 15, COMMENT_32
    filled = base / "qa-filled.xlsx"
    wb.save(filled)
    return {"zip": zip_path, "sheet": sheet, "filled": filled, "base": base}


def test_workbook_is_locked_validated_and_totals_are_formulas(built: dict[str, Path]) -> None:
    wb = load_workbook(built["sheet"])
    assert wb.security is not None and wb.security.lockStructure
    ws = wb["QA worksheet"]
    assert [c.value for c in ws[1]] == ["objective", "milestone", "milestone_title", "weight", "self_score",
                                        "deliverables", "findings", "qa_score", "qa_comment"]
    assert ws.protection.sheet
    assert ws["H2"].protection.locked is False and ws["I2"].protection.locked is False
    assert ws["D2"].protection.locked is True
    (dv,) = ws.data_validations.dataValidation
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "D2")
    assert str(dv.sqref) == "H2:H8"
    totals = wb["Totals"]
    assert str(totals["E2"].value).startswith("=SUMIF('QA worksheet'!$A$2:$A$8,A2,")
    assert totals["B8"].value == "Pass mark (%)" and totals["C8"].value == 60
    assert totals["E5"].value == "=SUM(E2:E4)"


def test_reading_the_workbook_back(built: dict[str, Path]) -> None:
    result = audit_zip(built["zip"], RULES, today=TODAY, scores_path=built["filled"], workers=1)
    assert result.score.qa == 86
    assert result.qa is not None and result.qa.comments["1.2"] == COMMENT_12


def test_workbook_score_errors_name_the_cell(built: dict[str, Path], tmp_path: Path) -> None:
    wb = load_workbook(built["filled"])
    wb["QA worksheet"]["H4"].value = 50
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(InputError) as info:
        audit_zip(built["zip"], RULES, today=TODAY, scores_path=bad, workers=1)
    assert info.value.paragraph().startswith(
        f"{bad}, 'QA worksheet'!H4: field 'qa_score': row 4 (milestone 1.3): the QA score 50 is outside 0 to 8.")


@pytest.mark.parametrize(("value", "number_format", "shown"), [(0.5, "0%", "50%"), (0.125, "0.0 %", "12.5%"),
                                                            ("10%", "General", "10%")])
def test_a_qa_score_typed_as_a_percentage_is_refused_by_name(
    built: dict[str, Path], tmp_path: Path, value: object, number_format: str, shown: str
) -> None:
    """Excel stores '50%' as 0.5: read as points it would quietly score the milestone 0.5 of 8."""
    wb = load_workbook(built["filled"])
    wb["QA worksheet"]["H4"].value = value
    wb["QA worksheet"]["H4"].number_format = number_format
    bad = tmp_path / "percent.xlsx"
    wb.save(bad)
    with pytest.raises(InputError) as info:
        audit_zip(built["zip"], RULES, today=TODAY, scores_path=bad, workers=1)
    assert info.value.paragraph().startswith(
        f"{bad}, 'QA worksheet'!H4: field 'qa_score': row 4 (milestone 1.3): the QA score '{shown}' is a "
        "percentage; type the points it earns, from 0 to 8.")


def test_formula_text_from_the_zip_stays_text() -> None:
    from packager.planxlsx import set_cell

    wb = load_workbook(io.BytesIO(_blank_workbook()))
    cell = set_cell(wb.active, "A1", '=HYPERLINK("http://x","y")')
    assert cell.data_type == "s"


def _blank_workbook() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def test_qa_comment_in_text_json_and_html(built: dict[str, Path]) -> None:
    runner = CliRunner()
    args = ["audit", str(built["zip"]), "--scores", str(built["filled"]), "--today", "2026-11-26"]
    text = runner.invoke(main, args).stdout
    assert f"1.2   QA 6 of 10 (self 10)  “{COMMENT_12}”" in text
    data = json.loads(runner.invoke(main, [*args, "--format", "json"]).stdout)
    row = next(m for m in data["milestones"] if m["milestone"] == "3.2")
    assert (row["qa_score"], row["weight"], row["qa_comment"]) == (15, 25, COMMENT_32)
    html = runner.invoke(main, [*args, "--format", "html"]).stdout
    assert "<td>Attendance sheets cover 6 of 8 talks.</td>" in html


def test_html_puts_problems_first_grouped_by_milestone(built: dict[str, Path], tmp_path: Path) -> None:
    import zipfile

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(built["zip"]) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if "/3.2 - " in info.filename:
                continue  # milestone 3.2 loses its deliverable
            dst.writestr(info, src.read(info))
    html = CliRunner().invoke(main, ["audit", str(broken), "--format", "html", "--today", "2026-11-26"]).stdout
    verdict, problems, scores = html.index('class="verdict'), html.index("Problems to resolve"), html.index("<h2>Scores")
    assert verdict < problems < scores < html.index("<h2>Deliverables")
    section = html[problems:scores]
    assert "Milestone 3.2 — Record attendance at every talk" in section
    assert "milestone-no-deliverable" in section


def test_amendments_letter(built: dict[str, Path]) -> None:
    result = audit_zip(built["zip"], RULES, today=TODAY, scores_path=built["filled"], workers=1)
    pdf = amendments_pdf(result, TODAY)
    assert pdf == amendments_pdf(result, TODAY)  # deterministic
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "by December 26, 2026 (30 days from this letter)" in text
    assert "Milestone 1.2" in text and COMMENT_12 in text
    assert "Milestone 3.2" in text and COMMENT_32 in text
    assert "Milestone 1.1" not in text  # full points: nothing needed
    assert "86%" in text


def test_amendments_needs_scores(built: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", str(built["zip"]), "--amendments", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2
    assert "needs the reviewer's scores" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_amendments_cli_writes_the_letter(built: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "request.pdf"
    result = CliRunner().invoke(main, ["audit", str(built["zip"]), "--scores", str(built["filled"]), "--amendments",
                                       str(out), "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_computes_the_qa_totals(built: dict[str, Path], tmp_path: Path) -> None:
    assert SOFFICE is not None
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(built["filled"])],
                   check=True, capture_output=True, timeout=180)
    wb: Any = load_workbook(tmp_path / "out" / "qa-filled.xlsx", data_only=True)
    totals = wb["Totals"]
    assert [totals[f"E{r}"].value for r in range(2, 6)] == [26, 25, 35, 86]
    assert totals["C7"].value == 86 and totals["C9"].value == "passes"


def test_amendments_letter_lists_open_errors(built: dict[str, Path], tmp_path: Path) -> None:
    import zipfile

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(built["zip"]) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if "/3.2 - " not in info.filename:
                dst.writestr(info, src.read(info))
    result = audit_zip(broken, RULES, today=TODAY, scores_path=built["filled"], workers=1)
    reader = PdfReader(io.BytesIO(amendments_pdf(result, TODAY)))
    assert len(reader.pages) <= 2
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Open problem: Milestone 3.2" in text
