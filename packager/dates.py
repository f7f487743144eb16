"""Find calendar dates written in free text, file names and PDF metadata.

Supported forms (case-insensitive, in any surrounding text):

- year first: ``2026-05-14``, ``2026_05_14``, ``2026.05.14``, ``2026/5/14`` and the compact
  ``20260514`` (compact only for years 1990-2100 and not inside a longer run of digits);
- month names: ``May 14, 2026``, ``Sept. 3 2026``, ``September 3rd, 2026``,
  ``14 May 2026``, ``14th of May, 2026``, ``3-May-2026``, and a span of days read as its first day
  (``Sept 14-16, 2026``, ``June 1 to 5, 2026``); a two-digit year is accepted only with a month name
  and an explicit separator (``3-May-26``, ``May 14, 26``, ``14 May '26``) and only inside the plan
  window (``May 14-15`` is a span of days, not May 14, 2015);
- French month names, as a bilingual company dates its documents: ``5 octobre 2026``,
  ``le 1er juin 2026``, ``12 févr. 2026``, ``août 2026``;
- numeric day/month: ``14/05/2026``, ``05/14/2026``, ``5-14-2026``, ``14.05.2026``; with a two-digit
  year (``5/14/26``, ``14-05-26``, as forms are filled in by hand) only where the plan window is known
  and the date falls inside it: outside it, ``3/4/26`` is as likely a ratio or a part number;
- a month and a year, which date a record of a period (monthly minutes, a summary): ``May 2026``,
  ``Sept. 2026``; numerically (``2026-05``, ``2026_05``, ``05/2026``) and a quarter (``Q2 2026``,
  ``2026-Q2``, ``2nd quarter 2026``) only where the plan window is known and the period overlaps it,
  for the same reason: ``Policy 2026-12`` or ``rev 3/2024`` is as likely a number.

A numeric date that reads as a valid date both day-first and month-first (and the two
differ) is resolved with the plan window when exactly one reading falls inside it.
Otherwise it is reported ``ambiguous=True`` with the month-first (North American) reading,
which is the more common one on the Alberta forms this tool checks.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FoundDate:
    """A date found in a file's content, its name or its metadata."""

    date: datetime.date
    source: str  # "content" | "name" | "ocr" | "metadata"
    text: str  # the matched text, e.g. "May 14, 2026"
    ambiguous: bool = False  # numeric d/m vs m/d that the window could not resolve
    # "month" for a month and year ("May 2026", "2026-05"), "quarter" for a quarter ("Q2 2026"): a record of
    # a period, dated by its first day
    precision: str = "day"
    confidence: float | None = None  # how sure the reading is (OCR sets it); None: as sure as its source

    @property
    def last_day(self) -> datetime.date:
        """The last day the date covers: itself, or the last day of its month or quarter."""
        return period_end(self.date, self.precision)

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        """Whether any day the date covers falls inside [start, end]."""
        return self.date <= end and self.last_day >= start


PRECISIONS = ("day", "month", "quarter")  # from the most to the least precise
_PERIOD_MONTHS = {"day": 0, "month": 1, "quarter": 3}


def period_end(first: datetime.date, precision: str) -> datetime.date:
    """The last day of the period that starts on ``first``: the day itself, its month or its quarter."""
    months = _PERIOD_MONTHS.get(precision, 0)
    if months == 0:
        return first
    index = first.year * 12 + first.month - 1 + months  # the month after the period
    following = datetime.date(index // 12, index % 12 + 1, 1) if index // 12 <= datetime.MAXYEAR else None
    return following - datetime.timedelta(days=1) if following else datetime.date.max


def period_iso(first: datetime.date, precision: str) -> str:
    """A date as a built name writes it: 2026-05-14, 2026-05 for a month, 2026-Q2 for a quarter."""
    if precision == "month":
        return first.isoformat()[:7]
    if precision == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return first.isoformat()


MIN_YEAR = 1900
MAX_YEAR = 2100
MIN_COMPACT_YEAR = 1990  # a bare 8-digit run is only a date in a recent, plausible year

_MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
    # French, accented or not, with the abbreviations of the Office québécois de la langue française.
    "janv": 1, "janvier": 1, "fév": 2, "fev": 2, "févr": 2, "fevr": 2, "février": 2, "fevrier": 2,
    "mars": 3, "avr": 4, "avril": 4, "mai": 5, "juin": 6, "juil": 7, "juillet": 7, "août": 8, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "déc": 12, "décembre": 12, "decembre": 12,
}  # fmt: skip

# Every pattern starts with a plain character class (a digit, or the first letter of a month),
# so the regex engine scans ahead for that character instead of trying the whole matcher at every
# position; the "not glued to a longer word or number" test is a look-behind placed just after that
# first character. A new form should keep that shape (see ``_after_first``).

_LETTER = r"[^\W\d_]"


def _after_first(not_before: str) -> str:
    """A look-behind, placed after a match's first character, saying what may not precede the match."""
    return rf"(?<!{not_before}.)"


# The first letters of the month names, with every character that IGNORECASE matches to them
# (``ſ``, the long s, matches ``s``); the class itself is case-sensitive so the engine can scan for it.
_MONTH_FIRST_LETTERS = "ADFJMNOSadfjmnos\u017f"
_MONTH_RESTS: dict[str, str] = {
    "j": r"an(?:uary|v(?:ier)?)?|u(?:ne?|ly?|in|il(?:let)?)",
    "f": r"eb(?:ruary)?|[eé]v(?:r(?:ier)?)?",
    "m": r"ar(?:ch|s)?|a[yi]",
    "a": r"pr(?:il)?|ug(?:ust)?|vr(?:il)?|o[uû]t",
    "s": r"ep(?:t(?:ember|embre)?)?",
    "o": r"ct(?:ober|obre)?",
    "n": r"ov(?:ember|embre)?",
    "d": r"[eé]c(?:ember|embre)?",
}
_MONTH = (
    rf"(?P<mon>(?-i:[{_MONTH_FIRST_LETTERS}]){_after_first(_LETTER)}"
    + "(?:"
    + "|".join(rf"(?<={first})(?:{rest})" for first, rest in _MONTH_RESTS.items())
    + rf"))(?!{_LETTER})\.?"
)
# A day of the month: one digit, or two when the first is 0-3, then an optional ordinal suffix.
_NOT_DIGIT_BEFORE = _after_first(r"\d")
_NOT_DIGIT_OR_DOT_BEFORE = _after_first(r"[\d.]")  # 1.2.2026 is a version number, not a date
_DAY = r"(?<!\d)(?P<d>[0-3]?\d)(?:st|nd|rd|th|er)?(?!\d)"  # "1er": French for the first
_DAY_LEADING = rf"(?P<d>\d{_NOT_DIGIT_BEFORE}(?:(?<=[0-3])\d)?)(?:st|nd|rd|th|er)?(?!\d)"
_YEAR4 = r"(?P<y>\d{4})(?!\d)"
_YEAR2 = r"(?P<yy>\d{2})(?![\d:])"

_ISO = re.compile(
    rf"(?P<y>\d{_NOT_DIGIT_BEFORE}\d{{3}})(?P<sep>[-_./])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d)"
)
_COMPACT = re.compile(rf"(?P<y>\d{_NOT_DIGIT_BEFORE}\d{{3}})(?P<m>\d{{2}})(?P<d>\d{{2}})(?!\d)")
_NUMERIC = re.compile(
    rf"(?P<a>\d{_NOT_DIGIT_OR_DOT_BEFORE}\d?)(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}})(?!\d)"
)
_NUMERIC2 = re.compile(
    rf"(?P<a>\d{_NOT_DIGIT_OR_DOT_BEFORE}\d?)(?P<sep>[-/])(?P<b>\d{{1,2}})(?P=sep)(?P<yy>\d{{2}})(?![\d:]|[-/.]\d)"
)
# The end of a span of days after the first ('Sept 14-16, 2026', 'May 11 – 15 2026', 'June 1 to 5, 2026'):
# the date read is the first day.
_DAY_SPAN_END = (
    r"(?:\s{0,3}(?:[-\u2013\u2014&]|to|through|thru|and)\s{0,3}[0-3]?\d(?:st|nd|rd|th)?(?!\d))?"
)
_MONTH_FIRST = re.compile(
    _MONTH
    + r"\s{0,3}(?:[-/]\s{0,3})?"  # May 14, May-14-2026
    + _DAY
    + r"(?:"
    + _DAY_SPAN_END
    + r"(?:\s{0,3},\s{0,3}|\s{1,3}|\s{0,3}[-/]\s{0,3})"
    + _YEAR4
    + r"|(?:\s{0,3},\s{0,3}'?|\s{1,3}'|\s{0,3}[-/]\s{0,3}'?)"
    + _YEAR2
    + ")",
    re.IGNORECASE,
)
_DAY_FIRST = re.compile(
    _DAY_LEADING
    + r"(?:\s{1,3}of\s{1,3}|\s{0,3}[-/.]\s{0,3}|\s{0,3})"
    + _MONTH
    + r"(?:(?:\s{0,3},?\s{0,3}|\s{0,3}[-/.]\s{0,3})"
    + _YEAR4
    + r"|(?:\s{0,3}[-/]\s{0,3}'?|\s{0,3},?\s{0,3}')"
    + _YEAR2
    + ")",
    re.IGNORECASE,
)


# A month and a year alone ("May 2026", "Sept. 2026", "October-2026") date a record of a period
# (monthly minutes, a summary); a day written before the month makes it a full date instead.
_MONTH_YEAR = re.compile(_MONTH + r"(?:\s{1,3}|\s{0,3}[-/,']\s{0,3})" + _YEAR4, re.IGNORECASE)
# The same numerically, year first ("2026-05", "2026_05", "2026/05") or month first ("05/2026", "5-2026"),
# and a quarter: "Q2 2026", "Q2-2026", "2026 Q2", "2026-Q2", "2nd quarter 2026", "second quarter of 2026".
# Read only where the plan window is known and the period overlaps it (see the module's docstring).
_NOT_PART_OF_DATE = r"(?![-_./]\d)"  # "2026-05-14" is a full date, "2026-05-45" no date at all
_YEAR_MONTH = re.compile(rf"(?P<y>\d{_NOT_DIGIT_BEFORE}\d{{3}})[-_/](?P<m>[01]?\d)(?!\d){_NOT_PART_OF_DATE}")
_NUMERIC_MONTH_YEAR = re.compile(
    rf"(?P<m>\d{_NOT_DIGIT_OR_DOT_BEFORE}\d?)[-/](?P<y>\d{{4}})(?!\d){_NOT_PART_OF_DATE}"
)
_LETTER_OR_DIGIT = r"[^\W_]"
_QUARTER_SEPARATOR = r"\s{0,3}[-/,_]?\s{0,3}"
_QUARTER_FIRST = re.compile(
    rf"(?-i:[Qq]){_after_first(_LETTER_OR_DIGIT)}(?P<q>[1-4])(?!\d){_QUARTER_SEPARATOR}(?P<y>\d{{4}})(?!\d){_NOT_PART_OF_DATE}"
)
_YEAR_QUARTER = re.compile(
    rf"(?P<y>\d{_NOT_DIGIT_BEFORE}\d{{3}})(?!\d){_QUARTER_SEPARATOR}(?-i:[Qq])(?P<q>[1-4])(?![^\W_])"
)
_ORDINALS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4}
_ORDINAL_QUARTER = re.compile(
    rf"(?P<o>(?-i:[1-4FfSsTt]){_after_first(_LETTER_OR_DIGIT)}"
    r"(?:(?<=1)st|(?<=2)nd|(?<=3)rd|(?<=4)th|(?<=[Ff])irst|(?<=[Ss])econd|(?<=[Tt])hird|(?<=[Ff])ourth))"
    r"\s{1,3}quarter(?:\s{1,3}of)?(?:\s{0,3},)?\s{1,3}(?P<y>\d{4})(?!\d)",
    re.IGNORECASE,
)


def _make(year: int, month: int, day: int, low: int = MIN_YEAR) -> date | None:
    if not low <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(m: re.Match[str]) -> int:
    if m.group("y") is not None:
        return int(m.group("y"))
    yy = int(m.group("yy"))
    return 2000 + yy if yy < 70 else 1900 + yy


def _inside(d: date, window: tuple[date, date] | None) -> bool:
    return window is not None and window[0] <= d <= window[1]


# Each reader turns one match into (date, ambiguous) or None when it is not a real date.
_Reading = tuple[date, bool] | None


def _read_iso(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    d = _make(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return (d, False) if d else None


def _read_compact(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    d = _make(int(m.group("y")), int(m.group("m")), int(m.group("d")), low=MIN_COMPACT_YEAR)
    return (d, False) if d else None


def _read_named(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    month = _MONTHS.get(m.group("mon").lower())
    if month is None:  # a look-alike letter that IGNORECASE folds, such as the long s in "ſep"
        return None
    d = _make(_year(m), month, int(m.group("d")))
    if d is not None and m.group("yy") is not None and not _inside(d, window):
        return None  # 'May 14-15' is a span of days in a year not written, not May 14, 2015
    return (d, False) if d else None


_NUMBER_BEFORE = re.compile(r"\d[\s.\-/]{0,2}$")
_RANGE_BEFORE = re.compile(
    r"\b(?:jan|feb|f[eé]v|mar|apr|avr|ma[yi]|ju[nli]|aug|ao[uû]|sep|oct|nov|d[eé]c)[a-zéû]*\.?\s*"
    r"(?:to|until|till|through|thru|à|au|jusqu'(?:à|au)|[-\u2013\u2014])\s*$",
    re.IGNORECASE,
)


def _read_month_year(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    month = _MONTHS.get(m.group("mon").lower())
    if month is None or _NUMBER_BEFORE.search(m.string[max(0, m.start() - 3) : m.start()]):
        return None  # "914 May 2026": a number before the month is a broken full date, not a month
    if _RANGE_BEFORE.search(m.string[max(0, m.start() - 24) : m.start()]):
        return None  # "from April to October 2026": the end of a span the document plans, not its date
    d = _make(int(m.group("y")), month, 1)
    return (d, False) if d else None


def _read_numeric(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    day_first = _make(year, b, a)
    month_first = _make(year, a, b)
    if day_first and month_first and day_first != month_first:
        in_dmy, in_mdy = _inside(day_first, window), _inside(month_first, window)
        if in_dmy != in_mdy:
            return (day_first if in_dmy else month_first), False
        return month_first, True
    chosen = month_first or day_first
    return (chosen, False) if chosen else None


def _read_numeric2(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    """A two-digit year: only a reading inside the plan window is a date (see the module's docstring)."""
    if window is None:
        return None
    a, b, year = int(m.group("a")), int(m.group("b")), 2000 + int(m.group("yy"))
    month_first = _make(year, a, b)
    readings = {d for d in (month_first, _make(year, b, a)) if d is not None and _inside(d, window)}
    if not readings:
        return None
    if len(readings) == 2 and month_first is not None:  # both inside: month first, as for four digits
        return month_first, True
    return readings.pop(), False


_DATE_BEFORE = re.compile(r"\d[-_./]$")


def _period(first: date | None, precision: str, m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    """A month or quarter written with numbers only: a date only when it overlaps the plan window."""
    if first is None or window is None or _DATE_BEFORE.search(m.string[max(0, m.start() - 2) : m.start()]):
        return None  # no window, or the end of a longer number ('12-05/2026')
    if first > window[1] or period_end(first, precision) < window[0]:
        return None
    return first, False


def _read_year_month(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    return _period(_make(int(m.group("y")), int(m.group("m")), 1), "month", m, window)


def _read_quarter(m: re.Match[str], window: tuple[date, date] | None) -> _Reading:
    quarter = int(m.group("q")) if "q" in m.re.groupindex else _ORDINALS[m.group("o").lower()]
    return _period(_make(int(m.group("y")), 3 * quarter - 2, 1), "quarter", m, window)


# Each pattern, how a match is read, and the precision of what it reads.
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[..., _Reading], str], ...] = (
    (_ISO, _read_iso, "day"),
    (_MONTH_FIRST, _read_named, "day"),
    (_DAY_FIRST, _read_named, "day"),
    (_NUMERIC, _read_numeric, "day"),
    (_NUMERIC2, _read_numeric2, "day"),
    (_COMPACT, _read_compact, "day"),
    (_MONTH_YEAR, _read_month_year, "month"),
    (_YEAR_MONTH, _read_year_month, "month"),
    (_NUMERIC_MONTH_YEAR, _read_year_month, "month"),
    (_QUARTER_FIRST, _read_quarter, "quarter"),
    (_YEAR_QUARTER, _read_quarter, "quarter"),
    (_ORDINAL_QUARTER, _read_quarter, "quarter"),
)


# Where each pattern can start, found without running it over the whole text (see ``_candidates``).
_DIGIT_RUN = re.compile(r"\d\d\d\d+")  # a year, or the eight digits of a compact date
# The first separator of a numeric date with a two-digit year ('5/14/26'): only the separator is consumed,
# so that every one is found, a date's inside another's included ('7/12/26/26').
_SHORT_NUMERIC_SEPARATOR = re.compile(r"[-/](?=\d\d?[-/]\d\d(?!\d))")
# The first three letters of a month name in lower-cased text. The search skips a name overlapping
# the one before ("nov" in "janov"), which cannot start a date: a month name never follows a letter.
_MONTH_PREFIX = re.compile(r"j(?:an|u[nli])|f(?:eb|[eé]v)|ma[ryi]|a(?:pr|ug|vr|o[uû])|sep|oct|nov|d[eé]c")
# What IGNORECASE matches to the letters of those prefixes besides their ASCII case pairs (the long
# s), and the one character whose lower case is longer than itself: text holding either is scanned
# for month names the slow way.
_MONTH_LOOKALIKES = ("\u017f", "\u0130")
_DAY_BEFORE_MONTH = 12  # the day of "14th of May" starts at most this many characters before the month
_QUARTER_LETTER = re.compile(r"[Qq](?=[1-4])")
_QUARTER_WORD = re.compile(r"quarter")
_ORDINAL_BEFORE = 9  # "fourth   quarter": the ordinal starts at most this many characters before "quarter"


def _month_starts(text: str, lowered: str | None) -> list[int] | None:
    """Where a month name may start (every place one of the patterns' months can match), or None.

    None when the text holds a character that makes the search in lower-cased text (``lowered``)
    unreliable.
    """
    if lowered is None or any(c in text for c in _MONTH_LOOKALIKES):
        return None
    return [m.start() for m in _MONTH_PREFIX.finditer(lowered)]


def _starts(text: str) -> dict[re.Pattern[str], list[int]]:
    """For each pattern, the sorted places where it can match (a superset), where they are cheap to find.

    Every ISO and compact date starts a run of exactly 4 or 8 digits, as does a year written before its
    month or quarter; the year of a numeric date is a run of exactly 4 digits 4 to 6 characters after the
    start (2 or 3 for a month and year), and a two-digit year's date starts 1 or 2 characters before its
    first separator; the month patterns start at a month name, and a day written before the month starts
    a digit at most ``_DAY_BEFORE_MONTH`` before it; a quarter starts at 'Q' and a digit, or at most
    ``_ORDINAL_BEFORE`` characters before the word 'quarter'.
    """
    iso: list[int] = []
    compact: list[int] = []
    numeric: list[int] = []
    year_month: list[int] = []
    year_quarter: list[int] = []
    month_year: list[int] = []
    quarters = [m.start() for m in _QUARTER_LETTER.finditer(text)]  # rare: usually none
    for m in _DIGIT_RUN.finditer(text):
        start, end = m.span()
        if end - start == 4:
            iso.append(start)
            before, after = text[start - 1 : start], text[end : end + 1]
            if before and before in "-/.":  # a numeric date's year follows its separator
                numeric.extend(s for s in (start - 6, start - 5, start - 4) if s >= 0)
                if before != ".":  # '5/2026', '05/2026'
                    month_year.extend(s for s in (start - 3, start - 2) if s >= 0)
            if after and after in "-_/":  # '2026-05'
                year_month.append(start)
            if quarters:  # '2026 Q2': a Q within the separator's reach of the year
                i = bisect_left(quarters, end)
                if i < len(quarters) and quarters[i] <= end + 7:
                    year_quarter.append(start)
        elif end - start == 8:
            compact.append(start)
    # A two-digit year's date starts one or two digits before its first separator.
    short = sorted({s for m in _SHORT_NUMERIC_SEPARATOR.finditer(text) for s in (m.start() - 2, m.start() - 1)
                    if s >= 0})
    found = {_ISO: iso, _COMPACT: compact, _NUMERIC: numeric, _NUMERIC2: short, _YEAR_MONTH: year_month,
             _YEAR_QUARTER: year_quarter, _NUMERIC_MONTH_YEAR: month_year,
             _QUARTER_FIRST: quarters}
    # 'İ' lower-cases to two characters, which would shift every position in the lower-cased text.
    lowered = text.lower() if "\u0130" not in text else None
    if lowered is not None:
        found[_ORDINAL_QUARTER] = sorted({s for m in _QUARTER_WORD.finditer(lowered)
                                          for s in range(max(0, m.start() - _ORDINAL_BEFORE), m.start())})
    months = _month_starts(text, lowered)
    if months is not None:
        days = {
            s
            for p in months
            for s in range(max(0, p - _DAY_BEFORE_MONTH), p)
            if text[s].isdecimal()  # what ``\d`` matches in a str pattern
        }
        found.update({_MONTH_FIRST: months, _MONTH_YEAR: months, _DAY_FIRST: sorted(days)})
    return found


def _matches(pattern: re.Pattern[str], text: str, starts: list[int] | None) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, trying only ``starts`` (every place it can match) when given.

    ``finditer`` takes the leftmost match at or after the end of the previous one; so does this, since
    any place the pattern matches is in ``starts``. ``match`` at a position still sees the text before
    it (look-behinds) and after it.
    """
    if starts is None:
        yield from pattern.finditer(text)
        return
    position = 0
    for start in starts:
        if start < position:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            position = m.end()


def _candidates(
    text: str, window: tuple[date, date] | None
) -> Iterator[tuple[int, int, date, bool, str]]:
    starts = _starts(text)
    for pattern, reader, precision in _PATTERNS:
        places = starts.get(pattern)
        if places is not None and not places:  # nowhere it can start: most patterns, in most text
            continue
        for m in _matches(pattern, text, places):
            reading = reader(m, window)
            if reading is not None:
                yield m.start(), m.end(), reading[0], reading[1], precision


def _candidates_everywhere(
    text: str, window: tuple[date, date] | None
) -> Iterator[tuple[int, int, date, bool, str]]:
    """``_candidates`` the plain way, every pattern over the whole text (the reference the tests compare with)."""
    for pattern, reader, precision in _PATTERNS:
        for m in pattern.finditer(text):
            reading = reader(m, window)
            if reading is not None:
                yield m.start(), m.end(), reading[0], reading[1], precision


def find_dates(
    text: str, source: str, window: tuple[date, date] | None = None, limit: int = 50
) -> list[FoundDate]:
    """Dates written in ``text``, in order of appearance, deduplicated by (date, text)."""
    if not text or limit <= 0:
        return []
    found = sorted(_candidates(text, window), key=lambda c: (c[0], -(c[1] - c[0])))
    results: list[FoundDate] = []
    seen: set[tuple[date, str]] = set()
    end_of_last = -1
    for start, end, when, ambiguous, precision in found:
        if start < end_of_last:
            continue  # overlaps a date already taken (e.g. inside a longer form)
        end_of_last = end
        matched = " ".join(text[start:end].split())
        if (when, matched) in seen:
            continue
        seen.add((when, matched))
        results.append(FoundDate(when, source, matched, ambiguous, precision))
        if len(results) >= limit:
            break
    return results


_PDF_DATE = re.compile(r"(\d{4})(\d{2})?(\d{2})?")


def parse_pdf_date(value: str) -> date | None:
    """The calendar date of a PDF date string such as ``D:20260514093000-06'00'``.

    Tolerates a missing ``D:``, missing or partial month/day fields (they default to 1,
    as the PDF specification says) and junk after the date. Never raises.
    """
    try:
        text = str(value).strip().lstrip("\ufeff")
        if text[:2].upper() == "D:":
            text = text[2:].lstrip()
        m = _PDF_DATE.match(text)
        if m:
            return _make(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        for found in find_dates(text[:200], "metadata", limit=5):
            if not found.ambiguous:
                return found.date
    except Exception:
        return None
    return None
