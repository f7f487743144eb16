"""Hostile CSV: formula injection in the QA worksheet and the batch CSV, odd worksheet encodings,
cells beyond the csv module's limit, non-numbers, and a worksheet that is a pipe or a device."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from packager.csvsafe import FORMULA_STARTS, csv_safe, csv_text, csv_unsafe
from packager.safetext import TERMINAL_UNSAFE, escape_unsafe
from tests.hostile import fingerprint, one_paragraph, run
from tests.plans import valid_plan
from tests.synth import make_text_pdf

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@given(st.text(max_size=40))
def test_csv_safe_round_trips_and_never_starts_a_formula(text: str) -> None:
    cell = csv_safe(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert not TERMINAL_UNSAFE.search(cell)
    shown = escape_unsafe(text)
    assert csv_unsafe(cell) == shown or (shown.startswith("'") and shown[1:].startswith(FORMULA_STARTS))


def hostile_zip(path: Path, company: str = "=cmd|' /C calc'!A0", title: str = HOSTILE[0]) -> Path:
    plan = valid_plan()
    plan["company"] = company
    plan["objectives"][0]["milestones"][0]["title"] = title
    pdf = make_text_pdf(path.parent / "d.pdf").read_bytes()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Top/action-plan.yaml", yaml.safe_dump(plan, allow_unicode=True, sort_keys=False))
        zf.writestr("Top/Objective 1/1.1 - @SUM(A1) - 2026-05-14.pdf", pdf)
    return path


def test_worksheet_cells_are_neutralised_and_read_back(tmp_path: Path) -> None:
    received = hostile_zip(tmp_path / "in.zip")
    sheet = tmp_path / "qa.csv"
    code, _out, err = run("audit", str(received), "--worksheet", str(sheet), "--today", "2026-11-26")
    assert code in (0, 1), err
    rows = list(csv.reader(io.StringIO(sheet.read_bytes().decode("utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert f"'{HOSTILE[0]}" in cells
    assert any(c.startswith("'@SUM(A1)") or "@SUM(A1)" in c for c in cells)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    # Fill it in (a comment that looks like a formula) and read it back: the guard is stripped.
    header = rows[0]
    for row in rows[1:]:
        row[header.index("qa_score")] = row[header.index("weight")]
        row[header.index("qa_comment")] = csv_safe("-see notes")
    sheet.write_text(csv_text(rows), encoding="utf-8")
    code, out, err = run("audit", str(received), "--scores", str(sheet), "--format", "json", "--today", "2026-11-26")
    assert code in (0, 1), err
    assert "'-see notes" not in out


def test_batch_csv_cells_are_neutralised_and_a_bad_zip_is_one_row(tmp_path: Path) -> None:
    good = hostile_zip(tmp_path / "=evil.zip")
    bad = tmp_path / "+broken.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    before = fingerprint(tmp_path)
    code, out, err = run("audit", str(good), str(bad), "--format", "csv", "--today", "2026-11-26")
    assert code == 1, err
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 3
    assert all(not c.startswith(FORMULA_STARTS) for row in rows for c in row)
    assert rows[1][0] == "'=evil.zip" and rows[1][1].startswith("'=cmd")
    assert rows[2][0] == "'+broken.zip" and rows[2][rows[0].index("status")] == "failed"
    assert fingerprint(tmp_path) == before


def _built_sheet(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    received = hostile_zip(tmp_path / "in.zip", company="Northwind", title="Drills")
    sheet = tmp_path / "qa.csv"
    assert run("audit", str(received), "--worksheet", str(sheet), "--today", "2026-11-26")[0] in (0, 1)
    rows = list(csv.reader(io.StringIO(sheet.read_bytes().decode("utf-8-sig"))))
    header = rows[0]
    for row in rows[1:]:
        row[header.index("qa_score")] = row[header.index("weight")]
    return received, rows


def test_utf16_worksheet_from_excel_is_read(tmp_path: Path) -> None:
    received, rows = _built_sheet(tmp_path)
    sheet = tmp_path / "unicode.txt"
    sheet.write_bytes(csv_text(rows).replace(",", "\t").encode("utf-16"))  # Excel's "Unicode Text"
    code, out, err = run("audit", str(received), "--scores", str(sheet), "--today", "2026-11-26")
    assert code in (0, 1), err
    assert "QA score 100%" in out


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("nan", "'nan' is not a number"),
        ("inf", "'inf' is not a number"),
        ("huge", "longer than the"),
        ("utf16-no-bom", "NUL bytes"),
    ],
)
def test_unusable_worksheet_cells_exit_2(tmp_path: Path, edit: str, expected: str) -> None:
    received, rows = _built_sheet(tmp_path)
    header = rows[0]
    if edit in ("nan", "inf"):
        rows[1][header.index("qa_score")] = edit
    elif edit == "huge":
        rows[1][header.index("qa_comment")] = "x" * (csv.field_size_limit() + 10)
    sheet = tmp_path / "filled.csv"
    data = csv_text(rows)
    sheet.write_bytes(data.encode("utf-16-le") if edit == "utf16-no-bom" else data.encode("utf-8"))
    code, _out, err = run("audit", str(received), "--scores", str(sheet), "--today", "2026-11-26")
    assert code == 2
    assert expected in one_paragraph(err)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_scores_that_are_not_a_regular_file_exit_2_at_once(tmp_path: Path, kind: str) -> None:
    received = hostile_zip(tmp_path / "in.zip", company="Northwind", title="Drills")
    if kind == "fifo":
        sheet = tmp_path / "qa.csv"
        os.mkfifo(sheet)
    else:
        sheet = Path("/dev/zero")
    code, _out, err = run("audit", str(received), "--scores", str(sheet), "--today", "2026-11-26")
    assert code == 2 and "not a regular file" in one_paragraph(err)
