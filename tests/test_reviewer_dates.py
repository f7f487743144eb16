"""Dates as a reviewer reads them: typed spreadsheet cells, the last page of a PDF, month and year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from fpdf import FPDF

from packager.inspect import InspectOptions, inspect_file
from packager.inspect.xlsxdates import is_date_format, serial_date
from packager.rules import DeliverableRules

OPTIONS = InspectOptions(DeliverableRules())


def content_dates(path: Path) -> list[tuple[dt.date, str]]:
    return [(d.date, d.text) for d in inspect_file(path, OPTIONS).dates if d.source == "content"]


def test_typed_date_cells_are_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"], sheet["B1"], sheet["C1"] = "Worker", "Trained on", "Hours"
    sheet["A2"], sheet["B2"], sheet["C2"] = "J. Singh", dt.date(2026, 6, 3), 8
    sheet["B3"] = dt.datetime(2026, 6, 4, 13, 30)
    sheet["C3"] = 46176  # a number in a plain cell is not a date
    path = tmp_path / "roster.xlsx"
    book.save(path)
    assert content_dates(path) == [(dt.date(2026, 6, 3), "2026-06-03 (cell B2)"),
                                   (dt.date(2026, 6, 4), "2026-06-04 (cell B3)")]


@pytest.mark.parametrize(
    ("code", "is_date"),
    [("yyyy-mm-dd", True), ("d-mmm-yy", True), ("[$-409]mmmm d, yyyy", True), ("0.00", False),
     ('"Day" 0', False), ("General", False), ("#,##0", False)],
)
def test_date_number_formats(code: str, is_date: bool) -> None:
    assert is_date_format(code) is is_date


def test_serial_dates() -> None:
    assert serial_date(46176, False) == dt.date(2026, 6, 3)
    assert serial_date(46176 - 1462, True) == dt.date(2026, 6, 3)
    assert serial_date(0, False) is None and serial_date(1e12, False) is None


def test_last_page_is_read(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for page in range(1, 7):
        pdf.add_page()
        pdf.cell(0, 10, f"Arc flash study appendix, page {page}")
    pdf.cell(0, 20, "Approved October 2, 2026", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "appendix.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert (dt.date(2026, 10, 2), "October 2, 2026") in content_dates(path)
