"""Dates typed into OpenDocument files: a Calc date cell and a Writer date field (packager.inspect.odfdates)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.inspect.odfdates import MAX_DATES, column_name, date_value, typed_dates
from packager.rules import DeliverableRules
from tests.hostile import TODAY, run, sample_copy

JUNE_10 = dt.date(2026, 6, 10)
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)


def inspect(path: Path) -> FileFacts:
    facts = inspect_file(path, InspectOptions(DeliverableRules()))
    assert isinstance(facts, FileFacts)
    return facts


def _content(body: str, kind: str = "spreadsheet") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.3">'
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>"
    ).encode()


def _string(text: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string"{more}>'
            f"<text:p>{text}</text:p></table:table-cell>")


def _date(value: str, shown: str) -> str:
    """A date cell as LibreOffice Calc writes it: the value on the cell, what it shows in its paragraph."""
    return (f'<table:table-cell table:style-name="ce2" office:value-type="date" office:date-value="{value}" '
            f'calcext:value-type="date"><text:p>{shown}</text:p></table:table-cell>')


def _sheet(*rows: str, name: str = "Register") -> str:
    return f'<table:table table:name="{name}">{"".join(rows)}</table:table>'


def _row(*cells: str, repeat: int = 1) -> str:
    more = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{more}>{''.join(cells)}</table:table-row>"


def _register(shown: str) -> bytes:
    """The hunt's glove register: a title, a header row, and one issue dated by a typed date cell."""
    return _content(_sheet(
        _row(_string("Glove issue register"), "<table:table-cell/>"),
        _row(_string("Name"), _string("Issued")),
        _row(_string("J. Smith"), _date("2026-06-10", shown)),
    ))


def _odf(path: Path, content: bytes, mimetype: str = "application/vnd.oasis.opendocument.spreadsheet") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-10", JUNE_10),
        ("2026-06-10T00:00:00", JUNE_10),
        ("2026-06-10T09:30:00.123456789", JUNE_10),
        ("2026-06-10T09:30:00+02:00", JUNE_10),
        ("2026-06-10Z", JUNE_10),
        (" 2026-06-10 ", JUNE_10),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
        ("1899-12-30", None),  # LibreOffice's day zero: not a date anyone typed
        ("2101-01-01", None),
        ("99999-99-99", None),
        ("2026-02-30", None),
        ("2026-13-01", None),
        ("2026-6-10", None),
        ("10/06/2026", None),
        ("2026-06-10 junk", None),
        ("", None),
        ("2026-06-10T" + "9" * 10_000, None),
        ("٢٠٢٦-٠٦-١٠", None),  # digits, but not ASCII ones
    ],
)
def test_date_values(value: str, expected: dt.date | None) -> None:
    assert date_value(value) == expected


@pytest.mark.parametrize(("index", "name"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16_383, "XFD")])
def test_column_names(index: int, name: str) -> None:
    assert column_name(index) == name


@pytest.mark.parametrize(
    ("case", "body", "expected"),
    [
        ("the hunt's register", _sheet(
            _row(_string("Glove issue register")), _row(_string("Name"), _string("Issued")),
            _row(_string("J. Smith"), _date("2026-06-10", "10 Jun"))),
         ["2026-06-10 (cell B3)"]),
        ("repeated columns and rows move the cell", _sheet(
            _row(_string("x", repeat=3), _date("2026-06-10T14:00:00", "10/06/26")),
            _row("<table:table-cell/>", repeat=5),
            _row('<table:table-cell table:number-columns-repeated="2"/>', "<table:covered-table-cell/>",
                 _date("2026-07-01", "1 Jul"))),
         ["2026-06-10 (cell D1)", "2026-07-01 (cell D7)"]),
        ("each sheet counts its own rows", _sheet(_row(_date("2026-06-10", "x"))) + _sheet(
            _row(_string("a")), _row(_string("b"), _date("2026-07-01", "x")), name="Second"),
         ["2026-06-10 (cell A1)", "2026-07-01 (cell B2)"]),
        ("a date cell with a bad value is skipped", _sheet(_row(
            _date("99999-99-99", "x"), _date("2026-02-30", "x"), _date("x" * 10_000, "x"), _date("2026-06-10", "x"))),
         ["2026-06-10 (cell D1)"]),
        ("a date value on a cell that is not a date cell is not a date", _sheet(_row(
            '<table:table-cell office:value-type="float" office:value="46183" office:date-value="2026-06-10"/>')),
         []),
        ("a cell past the largest sheet is 'a cell'", _sheet(_row(
            '<table:table-cell table:number-columns-repeated="99999999999999999999"/>', _date("2026-06-10", "x"))),
         ["2026-06-10 (a cell)"]),
        ("a table inside a cell keeps the outer count", _sheet(_row(
            "<table:table-cell>" + _sheet(_row(_date("2026-07-01", "x"), _string("y"))) + "</table:table-cell>",
            _date("2026-06-10", "x"))),
         ["2026-07-01 (a cell)", "2026-06-10 (cell B1)"]),
    ],
)
def test_typed_dates_of_a_sheet(case: str, body: str, expected: list[str]) -> None:
    found = typed_dates(_content(body))
    assert [d.text for d in found] == expected, case
    assert all((d.source, d.ambiguous, d.precision) == ("content", False, "day") for d in found)


def test_writer_date_fields_and_table_cells() -> None:
    """A Writer date field keeps its date in text:date-value, a date cell of a Writer table in office:date-value."""
    body = (
        '<text:p>Inspected on <text:date text:date-value="2026-06-10T09:12:00" text:fixed="true">10 Jun</text:date></text:p>'
        '<text:p><text:date text:date-value="not a date">someday</text:date></text:p>'
        '<table:table table:name="T1"><table:table-row><table:table-cell office:value-type="date" '
        'office:date-value="2026-07-01"><text:p>07/01/26</text:p></table:table-cell></table:table-row></table:table>'
        '<text:p><text:variable-set text:name="d" office:value-type="date" office:date-value="2026-08-03">'
        "3 Aug</text:variable-set></text:p>"
    )
    assert [d.text for d in typed_dates(_content(body, "text"))] == [
        "2026-06-10 (date field)", "2026-07-01 (cell A1)", "2026-08-03 (date field)",
    ]


def test_many_date_cells_are_bounded() -> None:
    """Thousands of date cells: MAX_DATES are kept, in order, and the parse stops there."""
    rows = "".join(_row(_date("2026-06-10", "10 Jun")) for _ in range(5_000))
    found = typed_dates(_content(_sheet(rows)))
    assert len(found) == MAX_DATES
    assert (found[0].text, found[-1].text) == ("2026-06-10 (cell A1)", f"2026-06-10 (cell A{MAX_DATES})")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not xml at all date-value=",
        _content(_sheet(_row(_date("2026-06-10", "x"))))[:-60],  # cut in the middle: what was read counts
        b'<!DOCTYPE x [<!ENTITY a "2026-06-10">]><x office:value-type="date" office:date-value="&a;"/>',
        _content(_sheet(_row('<table:table-cell office:value-type="date"/>'))),  # no value at all
    ],
)
def test_broken_content_ends_quietly(content: bytes) -> None:
    found = typed_dates(content)
    assert [d.text for d in found] in ([], ["2026-06-10 (cell A1)"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_value_is_a_date_or_none(value: str) -> None:
    when = date_value(value)
    assert when is None or (1900 <= when.year <= 2100 and when.isoformat() in value)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.sampled_from(["", "T00:00:00", "T23:59:59.5", "T12:00:00Z", "T08:00:00-06:00"]))
def test_every_written_date_is_read(when: dt.date, time: str) -> None:
    assert date_value(when.isoformat() + time) == when
    assert [d.date for d in typed_dates(_content(_sheet(_row(_date(when.isoformat() + time, "x")))))] == [when]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    _row(_string("a")), _row(_date("2026-06-10", "b")), "<table:table-row>", "</table:table-row>",
    _date("2026-07-01", "c"), '<table:table-cell table:number-columns-repeated="-3"/>', "<table:table>",
    "</table:table>", '<text:date text:date-value="2026-08-03"/>', "&amp;", "<", "\x00",
]), max_size=30))
def test_any_arrangement_never_raises(pieces: list[str]) -> None:
    found = typed_dates(_content("".join(pieces)))
    assert {d.date for d in found} <= {JUNE_10, dt.date(2026, 7, 1), dt.date(2026, 8, 3)}


@pytest.mark.parametrize(("shown", "ambiguous"), [("10 Jun", False), ("06/10/2026", True), ("10/06/2026", True)])
def test_an_inspected_ods_is_dated_by_its_typed_cell(tmp_path: Path, shown: str, ambiguous: bool) -> None:
    facts = inspect(_odf(tmp_path / "register.ods", _register(shown)))
    assert "Glove issue register" in facts.text and shown in facts.text
    typed = [d for d in facts.dates if d.text == "2026-06-10 (cell B3)"]
    assert [(d.date, d.source, d.ambiguous) for d in typed] == [(JUNE_10, "content", False)]
    # What the cell shows is read as text too: an ambiguous form is settled by the typed value.
    assert [d.ambiguous for d in facts.dates if d.source == "content" and d not in typed] == (
        [True] if ambiguous else [])


@pytest.mark.parametrize("shown", ["10 Jun", "06/10/26"])
def test_check_dates_an_ods_register_by_its_typed_cell(tmp_path: Path, shown: str) -> None:
    """The hunt's C1: a LibreOffice register whose only date is a typed cell is dated as its .xlsx twin is:
    no 'shows no date' error ('10 Jun' shows no year), no day/month note ('06/10/26' is stored as June 10)."""
    folder = sample_copy(tmp_path)
    _odf(folder / "Objective 2 - Hand safety" / "2.2 glove register.ods", _register(shown))
    code, out, _err = run("check", str(folder), "--today", TODAY)
    assert "glove register.ods" not in out, out
    assert "deliverable-undated" not in out and "deliverable-date-ambiguous" not in out, out
    assert code == 0, out
    assert "0 errors, 0 warnings: ready to submit" in out, out


def test_check_dates_an_odt_by_its_date_field(tmp_path: Path) -> None:
    folder = sample_copy(tmp_path)
    body = ('<text:p>Glove issue register</text:p><text:p>Issued on '
            '<text:date text:date-value="2026-06-10T10:00:00" text:fixed="true">10 Jun</text:date></text:p>')
    _odf(folder / "Objective 2 - Hand safety" / "2.2 glove register.odt", _content(body, "text"),
         "application/vnd.oasis.opendocument.text")
    code, out, _err = run("check", str(folder), "--today", TODAY)
    assert "glove register.odt" not in out and code == 0, out
