"""Excel 97-2003 workbooks (.xls): the text, typed dates and page header a reviewer sees; hostile streams bounded."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager.inspect.biff import DAMAGED, ENCRYPTED, MAX_CHARS, OLD_EXCEL, _rk_value, read_workbook
from packager.inspect.xlsxdates import MAX_DATES
from tests import cfb
from tests.test_ole import inspect

MAY_14 = dt.date(2026, 5, 14)
SERIAL = float((MAY_14 - dt.date(1899, 12, 30)).days)  # 46156
SIGN_IN = ["Milestone 2.1 - Chainsaw training sign-in", "Name", "Crew"]


@pytest.mark.parametrize(("case", "cells", "dates"), [
    ("a date typed into a cell", [(1, 1, ("date", SERIAL))], [(MAY_14, "2026-05-14 (cell B2)")]),
    ("a date stored as an RK number", [(4, 27, ("rk", SERIAL))], [(MAY_14, "2026-05-14 (cell AB5)")]),
    ("a custom date format", [(0, 2, ("custom", SERIAL))], [(MAY_14, "2026-05-14 (cell C1)")]),
    ("a formula's date", [(2, 0, ("formula", SERIAL))], [(MAY_14, "2026-05-14 (cell A3)")]),
    ("a number in a custom number format is not a date", [(0, 0, ("week", SERIAL))], []),
    ("a plain number is not a date", [(0, 0, SERIAL)], []),
])
def test_typed_dates(case: str, cells: list[tuple[int, int, object]], dates: list[tuple[dt.date, str]]) -> None:
    read = read_workbook(cfb.workbook(SIGN_IN, [(0, 0, SIGN_IN[0]), *cells]))
    assert read.unread is None
    assert [(d.date, d.text, d.source) for d in read.dates] == [(when, text, "content") for when, text in dates]


def test_text_header_and_footer_as_a_reviewer_sees_them() -> None:
    read = read_workbook(cfb.workbook(
        ["Sign-in sheet", "Crew A"], header='&L&"Arial,Bold"Boreal Forestry&CMilestone 2.1&R&D',
        footer="&LPrinted May 14, 2026&RPage &P of &N"))
    assert read.text.splitlines() == ["Boreal Forestry | Milestone 2.1", "Sign-in sheet", "Crew A",
                                      "Printed May 14, 2026 | Page of"]


def test_a_string_continued_in_the_next_record_switches_to_utf16() -> None:
    read = read_workbook(cfb.workbook(["Crew", "Formation donnée à l'équipe"], split_at=12))
    assert read.text.splitlines() == ["Crew", "Formation donnée à l'équipe"]


def test_1904_dates() -> None:
    read = read_workbook(cfb.workbook(["x"], [(0, 0, ("date", SERIAL - 1462))], date1904=True))
    assert [d.date for d in read.dates] == [MAY_14]


@pytest.mark.parametrize(("case", "stream", "unread"), [
    ("an encrypted workbook", cfb.workbook(SIGN_IN, encrypted=True), ENCRYPTED),
    ("an Excel 95 workbook", cfb.workbook(SIGN_IN, version=0x0500), OLD_EXCEL),
    ("no records at all", b"", DAMAGED),
    ("not a workbook", b"\x00" * 100, DAMAGED),
])
def test_workbooks_not_read_say_why(case: str, stream: bytes, unread: str) -> None:
    assert read_workbook(stream).unread == unread


@pytest.mark.parametrize(("rk", "value"), [
    ((46156 << 2) | 0x02, 46156.0), ((46156 << 2) | 0x03, 461.56),
    (struct.unpack("<Q", struct.pack("<d", 46156.5))[0] >> 32 & 0xFFFFFFFC, 46156.5),
    (((1 << 30) - 5) << 2 | 0x02, -5.0),
])
def test_rk_numbers(rk: int, value: float) -> None:
    assert _rk_value(rk) == value


def test_an_inspected_xls_is_labelled_and_dated(tmp_path: Path) -> None:
    data = cfb.xls_file(cfb.workbook(SIGN_IN, [(0, 0, SIGN_IN[0]), (1, 1, ("date", SERIAL))]))
    facts = inspect(tmp_path, "Chainsaw sign-in.xls", data)
    assert (facts.kind, facts.words_unread) == ("ole", None)
    assert facts.text.splitlines()[0] == "Milestone 2.1 - Chainsaw training sign-in"
    assert [(d.date, d.source) for d in facts.dates] == [(MAY_14, "content")]


def test_hostile_workbooks_are_bounded() -> None:
    """A shared-strings table claiming 4 billion strings, half a million empty records, 100,000 dates and a
    string claiming a megabyte of phonetic data: the text and dates kept stay within their caps."""
    bof = cfb.biff_record(0x0809, struct.pack("<HH", 0x0600, 5) + bytes(12))
    claims = bof + cfb.biff_record(0x00FC, struct.pack("<II", 2**32 - 1, 2**32 - 1) + b"\x01\x00\x00x")
    assert read_workbook(claims).text == "x"
    empty = bof + cfb.biff_record(0x0001, b"") * 500_000
    assert read_workbook(empty).text == ""
    xf = b"".join(cfb.biff_record(0x00E0, struct.pack("<HH", 0, 14) + bytes(16)) for _ in range(17))
    dates = bof + xf + cfb.biff_record(0x0203, struct.pack("<HHHd", 0, 0, 16, SERIAL)) * 100_000
    assert len(read_workbook(dates).dates) == MAX_DATES
    phonetic = struct.pack("<HBI", 1, 0x04, 2**31) + b"y"
    many = bof + cfb.biff_record(0x00FC, struct.pack("<II", 2, 2) + phonetic + b"\x01\x00\x00z" * 10)
    assert read_workbook(many).text == "y"
    labels = bof + b"".join(cfb.biff_record(0x0204, struct.pack("<HHH", n, 0, 15) + cfb.biff_string(f"{n} " + "w" * 1000))
                            for n in range(200))
    assert MAX_CHARS - 1100 < len(read_workbook(labels).text) <= MAX_CHARS


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=400))
def test_any_bytes_in_a_workbook_never_raise(tail: bytes, cut: int) -> None:
    stream = cfb.workbook(SIGN_IN, [(0, 0, SIGN_IN[0]), (1, 1, ("date", SERIAL))])
    read = read_workbook(stream[:cut] + tail + stream[cut:])
    assert isinstance(read.text, str) and len(read.dates) <= MAX_DATES
