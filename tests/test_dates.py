"""The date finder: every supported form, ambiguity handling, and property tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager.dates import FoundDate, find_dates, parse_pdf_date

MAY_14 = date(2026, 5, 14)


@pytest.mark.parametrize(
    ("text", "expected", "matched"),
    [
        ("Inspected 2026-05-14.", MAY_14, "2026-05-14"),
        ("scan_2026_05_14_final", MAY_14, "2026_05_14"),
        ("2026.05.14", MAY_14, "2026.05.14"),
        ("2026/5/4", date(2026, 5, 4), "2026/5/4"),
        ("IMG_20260514_093000.jpg", MAY_14, "20260514"),
        ("Signed May 14, 2026 by J.", MAY_14, "May 14, 2026"),
        ("on 14 May 2026.", MAY_14, "14 May 2026"),
        ("Sept. 3 2026", date(2026, 9, 3), "Sept. 3 2026"),
        ("Sept 3, 2026", date(2026, 9, 3), "Sept 3, 2026"),
        ("sep 3 2026", date(2026, 9, 3), "sep 3 2026"),
        ("September 3rd, 2026", date(2026, 9, 3), "September 3rd, 2026"),
        ("the 21st of June, 2026", date(2026, 6, 21), "21st of June, 2026"),
        ("3-May-2026", date(2026, 5, 3), "3-May-2026"),
        ("Sept 14-16, 2026", date(2026, 9, 14), "Sept 14-16, 2026"),  # a span of days: its first day
        ("Week of May 11–15, 2026", date(2026, 5, 11), "May 11–15, 2026"),
        ("June 1 to 5, 2026", date(2026, 6, 1), "June 1 to 5, 2026"),
        ("Drill May 4-8 2026", date(2026, 5, 4), "May 4-8 2026"),
        ("September 14th - 16th, 2026", date(2026, 9, 14), "September 14th - 16th, 2026"),
        ("DECEMBER 31, 2025", date(2025, 12, 31), "DECEMBER 31, 2025"),
        ("Thursday, May 14, 2026", MAY_14, "May 14, 2026"),
        ("14/05/2026", MAY_14, "14/05/2026"),
        ("05/14/2026", MAY_14, "05/14/2026"),
        ("5-14-2026", MAY_14, "5-14-2026"),
        ("Drill May-14-2026", MAY_14, "May-14-2026"),
        ("May/14/2026", MAY_14, "May/14/2026"),
        ("14.05.2026", MAY_14, "14.05.2026"),
        ("Feb\n14,\n2026", date(2026, 2, 14), "Feb 14, 2026"),
        ("le 5 octobre 2026", date(2026, 10, 5), "5 octobre 2026"),
        ("Révisé le 1er juin 2026.", date(2026, 6, 1), "1er juin 2026"),
        ("Fait à Calgary, le 3 août 2026", date(2026, 8, 3), "3 août 2026"),
        ("Fait le 3 aout 2026", date(2026, 8, 3), "3 aout 2026"),
        ("12 févr. 2026", date(2026, 2, 12), "12 févr. 2026"),
        ("15 fevrier 2026", date(2026, 2, 15), "15 fevrier 2026"),
        ("MARDI 6 DÉCEMBRE 2026", date(2026, 12, 6), "6 DÉCEMBRE 2026"),
        ("22 juil. 2026", date(2026, 7, 22), "22 juil. 2026"),
        ("30 avr 2026", date(2026, 4, 30), "30 avr 2026"),
        ("Signé le 14 mai 2026", MAY_14, "14 mai 2026"),
        ("2 janv. 2026", date(2026, 1, 2), "2 janv. 2026"),
        ("le 10 mars 2026", date(2026, 3, 10), "10 mars 2026"),
    ],
)
def test_supported_forms(text: str, expected: date, matched: str) -> None:
    found = find_dates(text, "content")
    assert [(f.date, f.text, f.ambiguous) for f in found] == [(expected, matched, False)]
    assert found[0].source == "content"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no dates here",
        "202605141",  # part of a longer digit run
        "120260514",
        "19850514",  # compact dates only from 1990
        "2026-13-01",
        "Feb 30, 2026",
        "31/02/2026",
        "version 1.2.3",
        "May 14 26 people",  # a bare two-digit number after a month is not a year
        "Mayor 14, 2026",
        "Summary 3 2026",
        "14 Mayday 2026",
        "Eight talks from April to October 2026.",  # the end of a planned span, not a date
        "Season May - November 2026",
        "de mai à novembre 2026",  # French: the same planned span
        "d'avril jusqu'au octobre 2026",
        "maintenance 14, 2026",
        "domaine 5 2026",
        "call 555-1234",
        "12:30 14 05",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, "content") == []


@pytest.mark.parametrize(
    ("text", "first_day", "matched"),
    [
        ("Safety committee minutes May 2026", date(2026, 5, 1), "May 2026"),
        ("minutes Sept 2026", date(2026, 9, 1), "Sept 2026"),
        ("Monthly summary - September 2026", date(2026, 9, 1), "September 2026"),
        ("Report October-2026", date(2026, 10, 1), "October-2026"),
        ("Quarter: April/May/June 2026", date(2026, 6, 1), "June 2026"),
        ("Procès-verbal - août 2026", date(2026, 8, 1), "août 2026"),
        ("Rapport mensuel juillet 2026", date(2026, 7, 1), "juillet 2026"),
    ],
)
def test_month_and_year_dates_a_period(text: str, first_day: date, matched: str) -> None:
    [found] = find_dates(text, "content")
    assert (found.date, found.text, found.precision) == (first_day, matched, "month")
    assert found.overlaps(date(2026, 1, 1), first_day) and not found.overlaps(date(2027, 1, 1), date(2027, 2, 1))


def test_ambiguous_numeric_date_defaults_to_month_first_and_is_flagged() -> None:
    [found] = find_dates("04/05/2026", "content")
    assert found.date == date(2026, 4, 5)
    assert found.ambiguous


@pytest.mark.parametrize(
    ("window", "expected", "ambiguous"),
    [
        ((date(2026, 5, 1), date(2026, 5, 31)), date(2026, 5, 4), False),  # only d/m inside
        ((date(2026, 4, 1), date(2026, 4, 30)), date(2026, 4, 5), False),  # only m/d inside
        ((date(2026, 1, 1), date(2026, 12, 31)), date(2026, 4, 5), True),  # both inside
        ((date(2025, 1, 1), date(2025, 12, 31)), date(2026, 4, 5), True),  # neither inside
    ],
)
def test_window_resolves_ambiguity(
    window: tuple[date, date], expected: date, ambiguous: bool
) -> None:
    [found] = find_dates("04/05/2026", "content", window)
    assert (found.date, found.ambiguous) == (expected, ambiguous)


PLAN_WINDOW = (date(2026, 3, 20), date(2026, 11, 30))


@pytest.mark.parametrize(
    ("text", "window", "expected"),
    [
        ("3-MAY-26", PLAN_WINDOW, [(date(2026, 5, 3), False, "3-MAY-26")]),  # with a month name too
        ("Jan. 2, '26", (date(2026, 1, 1), date(2026, 12, 31)), [(date(2026, 1, 2), False, "Jan. 2, '26")]),
        ("3-MAY-26", None, []),
        ("Drill May 14-15 (two shifts)", PLAN_WINDOW, []),  # a span of days, not May 14, 2015
        ("Weekly log June 8-12", PLAN_WINDOW, []),
        ("Jul 6-10, 2026 and Jul 13-17, 2026", PLAN_WINDOW,
         [(date(2026, 7, 6), False, "Jul 6-10, 2026"), (date(2026, 7, 13), False, "Jul 13-17, 2026")]),
        ("Date: 5/14/26", PLAN_WINDOW, [(MAY_14, False, "5/14/26")]),
        ("Date: 05-14-26", PLAN_WINDOW, [(MAY_14, False, "05-14-26")]),
        ("Signed 14/05/26", PLAN_WINDOW, [(MAY_14, False, "14/05/26")]),
        ("Held 05/06/26", PLAN_WINDOW, [(date(2026, 5, 6), True, "05/06/26")]),  # both inside: month first, flagged
        ("Rev 3-4-26", PLAN_WINDOW, [(date(2026, 4, 3), False, "3-4-26")]),  # March 4 is before the window
        ("Date: 5/14/26", None, []),  # no plan window: a two-digit year is not read
        ("ratio 1/2/26", PLAN_WINDOW, []),  # neither reading inside the window
        ("Date: 12/15/30", PLAN_WINDOW, []),
        ("version 5.14.26", PLAN_WINDOW, []),  # dots: a version number
        ("part 05/14/26/7", PLAN_WINDOW, []),
        ("part 05-14-26.3", PLAN_WINDOW, []),
        ("v1.5/14/26", PLAN_WINDOW, []),
        ("05/14/2026", PLAN_WINDOW, [(MAY_14, False, "05/14/2026")]),  # four digits: as before
    ],
)
def test_two_digit_numeric_years_only_inside_the_plan_window(
    text: str, window: tuple[date, date] | None, expected: list[tuple[date, bool, str]]
) -> None:
    """A form filled in by hand says '5/14/26'; outside the window such a number is a ratio or a part
    number, and reading it would call a valid deliverable out of range."""
    assert [(f.date, f.ambiguous, f.text) for f in find_dates(text, "content", window)] == expected


@pytest.mark.parametrize(
    ("text", "window", "expected"),
    [
        ("Monthly inspection 2026-05", PLAN_WINDOW, [(date(2026, 5, 1), "month", "2026-05")]),
        ("2026_06 toolbox talks", PLAN_WINDOW, [(date(2026, 6, 1), "month", "2026_06")]),
        ("Period: 2026/7", PLAN_WINDOW, [(date(2026, 7, 1), "month", "2026/7")]),
        ("Month: 05/2026", PLAN_WINDOW, [(date(2026, 5, 1), "month", "05/2026")]),
        ("Month 9-2026", PLAN_WINDOW, [(date(2026, 9, 1), "month", "9-2026")]),
        ("2026-03 summary", PLAN_WINDOW, [(date(2026, 3, 1), "month", "2026-03")]),  # March overlaps the window
        ("Q2 2026 incident statistics", PLAN_WINDOW, [(date(2026, 4, 1), "quarter", "Q2 2026")]),
        ("Stats_Q3_2026", PLAN_WINDOW, [(date(2026, 7, 1), "quarter", "Q3_2026")]),
        ("report q4-2026", PLAN_WINDOW, [(date(2026, 10, 1), "quarter", "q4-2026")]),
        ("2026 Q1 review", PLAN_WINDOW, [(date(2026, 1, 1), "quarter", "2026 Q1")]),  # ends March 31: overlaps
        ("2026-Q2", PLAN_WINDOW, [(date(2026, 4, 1), "quarter", "2026-Q2")]),
        ("2nd Quarter 2026 report", PLAN_WINDOW, [(date(2026, 4, 1), "quarter", "2nd Quarter 2026")]),
        ("For the third quarter of 2026", PLAN_WINDOW, [(date(2026, 7, 1), "quarter", "third quarter of 2026")]),
        ("Fourth Quarter, 2026", PLAN_WINDOW, [(date(2026, 10, 1), "quarter", "Fourth Quarter, 2026")]),
        ("Monthly inspection 2026-05", None, []),  # no plan window: not read
        ("Q2 2026", None, []),
        ("Policy 2026-12", PLAN_WINDOW, []),  # after the window: a document number
        ("rev 3/2024", PLAN_WINDOW, []),
        ("2026 Q1", (date(2026, 4, 1), date(2026, 11, 30)), []),  # ended before the window
        ("season 2025-2026", PLAN_WINDOW, []),  # a range of years
        ("FY 2026/27", PLAN_WINDOW, []),
        ("version 2026.05", PLAN_WINDOW, []),  # dots: a version
        ("2026-05-14", PLAN_WINDOW, [(MAY_14, "day", "2026-05-14")]),  # a full date stays one
        ("2026-05-45", PLAN_WINDOW, []),  # no date at all, not May
        ("12-05/2026", PLAN_WINDOW, []),
        ("32/05/2026", PLAN_WINDOW, []),
        ("part 05/2026/7", PLAN_WINDOW, []),
        ("FAQ2 2026", PLAN_WINDOW, []),
        ("3Q2 2026", PLAN_WINDOW, []),
        ("2026 Q2x", PLAN_WINDOW, []),
        ("fifth quarter 2026", PLAN_WINDOW, []),
        ("Q5 2026", PLAN_WINDOW, []),
        ("2026-13", PLAN_WINDOW, []),
    ],
)
def test_months_and_quarters_in_numbers_only_inside_the_plan_window(
    text: str, window: tuple[date, date] | None, expected: list[tuple[date, str, str]]
) -> None:
    """'2026-05' and 'Q2 2026' date a record of a period; outside the window they are as likely numbers,
    and reading them would call a valid deliverable out of range."""
    assert [(f.date, f.precision, f.text) for f in find_dates(text, "name", window)] == expected


@pytest.mark.parametrize(
    ("first", "precision", "last"),
    [
        (date(2026, 5, 14), "day", date(2026, 5, 14)),
        (date(2026, 2, 1), "month", date(2026, 2, 28)),
        (date(2026, 12, 1), "month", date(2026, 12, 31)),
        (date(2026, 4, 1), "quarter", date(2026, 6, 30)),
        (date(2026, 10, 1), "quarter", date(2026, 12, 31)),
        (date(9999, 12, 1), "month", date(9999, 12, 31)),
    ],
)
def test_the_last_day_of_a_period(first: date, precision: str, last: date) -> None:
    assert FoundDate(first, "name", "", precision=precision).last_day == last


@settings(max_examples=60, deadline=None)
@given(when=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       fmt=st.sampled_from(["{y}-{m:02d}", "{y}_{m:02d}", "{y}/{m}", "{m:02d}/{y}", "{m}-{y}", "Q{q} {y}", "{y}-Q{q}",
                            "{y}Q{q}", "q{q}_{y}", "{o} quarter {y}", "{o} Quarter of {y}"]))
def test_a_month_or_quarter_overlapping_the_window_is_read(when: date, fmt: str) -> None:
    quarter = (when.month - 1) // 3 + 1
    ordinal = ["first", "2nd", "Third", "4th"][quarter - 1]
    text = "Report " + fmt.format(y=when.year, m=when.month, q=quarter, o=ordinal) + "."
    [found] = find_dates(text, "name", (when, when))
    assert found.overlaps(when, when) and found.precision == ("quarter" if "q" in fmt.lower() else "month")
    assert found.date == (date(when.year, 3 * quarter - 2, 1) if found.precision == "quarter" else when.replace(day=1))


@settings(max_examples=60, deadline=None)
@given(when=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       fmt=st.sampled_from(["{m}/{d}/{y}", "{d}/{m}/{y}", "{m:02d}-{d:02d}-{y}", "{d:02d}-{m:02d}-{y}"]))
def test_a_two_digit_year_inside_a_one_day_window_is_read(when: date, fmt: str) -> None:
    text = "Date: " + fmt.format(m=when.month, d=when.day, y=f"{when.year % 100:02d}") + "."
    assert [(f.date, f.ambiguous) for f in find_dates(text, "content", (when, when))] == [(when, False)]


def test_same_day_and_month_is_not_ambiguous() -> None:
    [found] = find_dates("05/05/2026", "content")
    assert (found.date, found.ambiguous) == (date(2026, 5, 5), False)


def test_only_one_valid_reading_is_used() -> None:
    assert find_dates("13/05/2026", "content")[0].date == date(2026, 5, 13)
    assert find_dates("05/13/2026", "content")[0].date == date(2026, 5, 13)


def test_order_dedup_and_limit() -> None:
    text = "2026-05-14, then June 1, 2026, again 2026-05-14 and May 14, 2026"
    found = find_dates(text, "name")
    assert [(f.date, f.text) for f in found] == [
        (MAY_14, "2026-05-14"),
        (date(2026, 6, 1), "June 1, 2026"),
        (MAY_14, "May 14, 2026"),
    ]
    assert {f.source for f in found} == {"name"}
    many = " ".join(f"2026-01-{day:02d}" for day in range(1, 31))
    assert len(find_dates(many, "content", limit=5)) == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20260514093000-06'00'", MAY_14),
        ("D:20150722100404Z00'00'", date(2015, 7, 22)),
        ("D:20230410074654Z07'46'", date(2023, 4, 10)),
        ("20260514", MAY_14),
        ("2017124", date(2017, 12, 1)),  # partial day: the PDF spec defaults it to 01
        ("D:2026", date(2026, 1, 1)),
        ("  D: 20260514", MAY_14),
        ("Thu May 14, 2026", MAY_14),
        ("", None),
        ("D:", None),
        ("D:00000000", None),
        ("D:20261399", None),
        ("garbage", None),
    ],
)
def test_parse_pdf_date(value: str, expected: date | None) -> None:
    assert parse_pdf_date(value) == expected


# --- properties ----------------------------------------------------------------------

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


MOIS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
MOIS_ABREGES = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


FORMATS: dict[str, Callable[[date], str]] = {
    "iso": lambda d: d.strftime("%Y-%m-%d"),
    "underscore": lambda d: d.strftime("%Y_%m_%d"),
    "dotted": lambda d: d.strftime("%Y.%m.%d"),
    "compact": lambda d: d.strftime("%Y%m%d"),
    "month first": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "day first": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "abbreviated": lambda d: f"{MONTHS[d.month - 1][:3]}. {d.day} {d.year}",
    "ordinal": lambda d: f"{MONTHS[d.month - 1]} {_ordinal(d.day)}, {d.year}",
    "dashed": lambda d: f"{d.day}-{MONTHS[d.month - 1][:3]}-{d.year}",
    "d/m/y": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "m/d/y": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    "m-d-y": lambda d: f"{d.month}-{d.day}-{d.year}",
    "d.m.y": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "French": lambda d: f"{'1er' if d.day == 1 else d.day} {MOIS[d.month - 1]} {d.year}",
    "French abbreviated": lambda d: f"{d.day} {MOIS_ABREGES[d.month - 1]} {d.year}",
}

plausible_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=60, deadline=None)
@given(when=plausible_dates, fmt=st.sampled_from(sorted(FORMATS)))
def test_any_date_in_any_format_is_found(when: date, fmt: str) -> None:
    text = f"Completed on {FORMATS[fmt](when)}; see attached."
    window = (when, when)  # a one-day window settles d/m versus m/d
    found = find_dates(text, "content", window)
    assert [f.date for f in found] == [when]
    assert not found[0].ambiguous


@settings(max_examples=40, deadline=None)
@given(when=plausible_dates, fmt=st.sampled_from(["d/m/y", "m/d/y", "d.m.y"]))
def test_numeric_dates_without_window(when: date, fmt: str) -> None:
    [found] = find_dates(FORMATS[fmt](when), "content")
    swapped_valid = when.day <= 12 and when.day != when.month
    assert found.ambiguous == swapped_valid
    if not swapped_valid or fmt == "m/d/y":
        assert found.date == when
    else:
        assert found.date == date(when.year, when.day, when.month)


@settings(max_examples=40, deadline=None)
@given(when=st.dates(min_value=date(2000, 1, 1), max_value=date(2069, 12, 31)))
def test_two_digit_years_with_month_names(when: date) -> None:
    text = f"{when.day}-{MONTHS[when.month - 1][:3]}-{when.year % 100:02d}"
    assert [f.date for f in find_dates(text, "content", (when, when))] == [when]
    assert find_dates(text, "content") == []  # without a plan window a two-digit year is not read


@settings(max_examples=200, deadline=None)
@given(
    text=st.text()
    | st.text(alphabet="0123456789-/._, :'MayJunSepto\n", max_size=200),
    window=st.none() | st.tuples(plausible_dates, plausible_dates),
)
def test_random_text_never_raises(text: str, window: tuple[date, date] | None) -> None:
    for found in find_dates(text, "content", window):
        assert found.text
        assert 1900 <= found.date.year <= 2100


@settings(max_examples=200, deadline=None)
@given(value=st.text() | st.from_regex(r"\AD:[0-9Z+'\-]{0,24}\Z"))
def test_parse_pdf_date_never_raises(value: str) -> None:
    result = parse_pdf_date(value)
    assert result is None or isinstance(result, date)


@settings(max_examples=60, deadline=None)
@given(when=plausible_dates, seconds=st.integers(0, 86399))
def test_parse_pdf_date_round_trip(when: date, seconds: int) -> None:
    clock = (timedelta(seconds=seconds).seconds // 3600, seconds // 60 % 60, seconds % 60)
    value = f"D:{when:%Y%m%d}{clock[0]:02d}{clock[1]:02d}{clock[2]:02d}+02'00'"
    assert parse_pdf_date(value) == when


@pytest.mark.parametrize(
    "piece",
    ["Q1 ", "Q1 2026", "2026 Q", "second quarter ", "first first quarter of ", "2026-", "5/2026/", "2026/05/",
     "Q" * 7 + "2026"],
)
def test_long_runs_of_period_forms_are_read_in_one_pass(piece: str) -> None:
    """Each form is tried only where it can start, and each try is bounded: 200,000 characters of a form's
    pieces are read in one pass (a search trying every start against every Q or year would not end)."""
    text = piece * (200_000 // len(piece))
    found = find_dates(text, "content", PLAN_WINDOW, limit=10**9)
    assert len({(f.date, f.text) for f in found}) == len(found) <= 3


def test_large_text_is_fast_enough() -> None:
    text = ("lorem ipsum 12:30 v1.2.3 " * 40_000) + " May 14, 2026"
    assert [f.date for f in find_dates(text, "content")] == [MAY_14]


# --- the patterns' shape (speed without timing) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x2026-05-14", [MAY_14]),  # a letter before a number is fine
        ("12026-05-14", []),  # inside a longer number
        ("2026-05-145", []),
        ("a20260514b", [MAY_14]),
        ("1.05/14/2026", []),  # after "1." it reads as a version-like run
        ("v.05/14/2026", []),  # a dot right before: part of a version-like run
        ("xMay 14, 2026", []),  # glued to a word
        ("_May 14, 2026", [MAY_14]),  # underscore is not a letter
        ("3May 14, 2026", [MAY_14]),
        ("é14 May 2026", [MAY_14]),
        ("914 May 2026", []),
        ("ſep 3 2026", []),  # IGNORECASE folds the long s to s; not an English month name
        ("05ſep2026", []),
        ("aprİl 3 2026", []),
        ("JUNE 3 2026 and jUlY 4 2026", [date(2026, 6, 3), date(2026, 7, 4)]),
    ],
)
def test_match_boundaries(text: str, expected: list[date]) -> None:
    assert [f.date for f in find_dates(text, "content")] == expected


def test_every_pattern_lets_the_regex_engine_skip_ahead() -> None:
    """Each pattern starts with a character class, so ``re`` scans for it instead of trying every position."""
    compiler = pytest.importorskip("re._compiler")
    parser = pytest.importorskip("re._parser")
    from packager import dates

    for pattern, _reader, _precision in dates._PATTERNS:
        parsed = parser.parse(pattern.pattern, pattern.flags)
        assert compiler._get_charset_prefix(parsed, pattern.flags), pattern.pattern[:40]


def test_month_first_letters_cover_what_ignorecase_matches() -> None:
    import re
    import sys

    from packager import dates

    folded = re.compile("(?i)[adfjmnos]")
    expected = {chr(c) for c in range(sys.maxunicode + 1) if folded.fullmatch(chr(c))}
    assert set(dates._MONTH_FIRST_LETTERS) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789-/._ ,'ſİıKMmAaYyJjUuNnEeSsPpTtOoFfBbDdCcRrHhIiLlGgVv\n", max_size=40))
def test_never_raises_and_every_match_is_in_the_text(text: str) -> None:
    found = find_dates(text, "content")
    positions = [text.find(f.text.split()[0]) for f in found]
    assert all(p >= 0 for p in positions)


# Pieces that make dates, near-dates and the characters that trouble case-insensitive searching.
_PIECES = st.sampled_from([
    "May", "mAY", "Sept.", "september", "SEP", "ſep", "jan", "JANOV", "junov", "jul", "Nov", "dec", "aPrİl",
    "aprıl", "Kelvin", "of", "th", "3rd", "21st", "14", "5", "05", "2026", "1999", "26", "'26", "20260514",
    "123456789", "0000", "12:30", "1.2.", "v", "x", "é", "٢٠٢٦", "-", "/", ".", "_", ",", " ", "  ", "\n", "\r\n",
    "février", "FÉVR.", "fev", "août", "AOÛT", "aout", "juin", "juil.", "juillet", "1er", "mai", "MAIN", "déc",
    "Décembre", "avr", "avril", "mars", "janv.", "à", "au", "Q", "q2", "Q4", "Q5", "quarter", "QUARTER", "second",
    "Fourth", "2nd", "4th", "1st", "third", "FY",
])  # fmt: skip
_DATE_TEXT = (
    st.lists(_PIECES, max_size=30).map("".join)
    | st.text(alphabet="0123456789-/._, :'ſİıKMmAaYyJjUuNnEeSsPpTtOoFfBbDdCcRrHhVvGgLlQq\n", max_size=80)
    | st.text(max_size=80)
)


@settings(max_examples=400, deadline=None)
@given(text=_DATE_TEXT, window=st.none() | st.tuples(plausible_dates, plausible_dates))
def test_searching_only_where_dates_can_start_finds_what_scanning_everything_finds(
    text: str, window: tuple[date, date] | None
) -> None:
    """The differential test of the fast candidate search against every pattern run over the whole text."""
    from packager import dates

    assert list(dates._candidates(text, window)) == list(dates._candidates_everywhere(text, window))


@pytest.mark.parametrize(
    "text",
    ["janov 3, 2026", "junov 3 2026", "14 of Janov 2026", "ſep 3 2026 and May 4 2026", "İ May 4, 2026",
     "1/2/2026-05-14", "0520260514", "12 05/14/2026", "x14th of  May, 2026", "İ second quarter 2026",
     "2nd   quarter of 2026", "fourth quarter,2026 Q1 2026", "05/2026-Q2", "2026-05/2026", "Q2 2026-05"],
)  # fmt: skip
def test_fast_candidate_search_on_tricky_text(text: str) -> None:
    from packager import dates

    assert list(dates._candidates(text, None)) == list(dates._candidates_everywhere(text, None))
