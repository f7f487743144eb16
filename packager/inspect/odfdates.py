"""The dates typed into an OpenDocument file: a Calc date cell, and a Writer date field.

LibreOffice keeps a date cell's value apart from what the cell shows: ``office:value-type="date"
office:date-value="2026-06-10"`` on the cell, ``10 Jun`` (or ``06/10/26``) in its paragraph. The shown
text is read with the rest of the document's text; the stored value is the date itself, whatever the
cell's format shows, exactly as an .xlsx's typed date (packager.inspect.xlsxdates): it is reported the
same way, as a "content" date naming its cell. A Writer date field (``text:date``) keeps its date in
``text:date-value``; a date cell of a Writer or Impress table, and a date variable, keep it in
``office:date-value``. content.xml is read with expat in one linear pass (DTDs refused), a value that is
not a date (``99999-99-99``, 10,000 characters) is skipped, and at most MAX_DATES dates are kept.
"""

from __future__ import annotations

import datetime
import re

from packager.dates import MAX_YEAR, MIN_YEAR, FoundDate
from packager.inspect.xmlstream import StopParsing, parse_untrusted

MAX_DATES = 200  # typed dates kept per document, as for a workbook
MAX_VALUE = 64  # characters of a date value looked at: '2026-06-10T09:30:00.123456789' fits
# Largest sheet an office suite makes (LibreOffice: 16,384 columns by 1,048,576 rows): a cell past it
# is named "a cell".
MAX_COLUMN = 16_384
MAX_ROW = 1_048_576
MAX_REPEAT = 1 << 24  # a repeat count larger than any sheet holds counts as this

# An xsd:date or xsd:dateTime as ODF writes it: the date, then nothing, a time, or a time zone.
_DATE_VALUE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T+\-Z][0-9:.+\-Z]*)?")
# Only a part that holds one of these has a typed date: the others are not parsed for dates.
_HAS_DATE = re.compile(rb"date-value\s*=")
_CELLS = frozenset({"table:table-cell", "table:covered-table-cell"})


def date_value(value: str) -> datetime.date | None:
    """The calendar date of an ODF date value ('2026-06-10', '2026-06-10T09:30:00'); None when it is
    not one (the time of day is dropped, and a year outside MIN_YEAR..MAX_YEAR is not read)."""
    if len(value) > MAX_VALUE:
        return None
    m = _DATE_VALUE.fullmatch(value.strip())
    if m is None:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def column_name(index: int) -> str:
    """'A' for 0, 'Z' for 25, 'AA' for 26, as a spreadsheet names its columns."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _repeat(attrs: dict[str, str], key: str) -> int:
    """A row's or cell's repeat count, 1 when it is not a count, at most MAX_REPEAT however many digits."""
    raw = attrs.get(key, "1")
    if not raw.isascii() or not raw.isdigit():
        return 1
    return MAX_REPEAT if len(raw) > 9 else max(1, min(int(raw), MAX_REPEAT))


def typed_dates(content: bytes, room: int = MAX_DATES) -> list[FoundDate]:
    """The typed dates of an OpenDocument content.xml (up to ``room``), in document order.

    A date cell is named by its place in its sheet ('2026-06-10 (cell B3)'), as a workbook's is; a date
    field by what it is ('2026-06-10 (date field)').
    """
    found: list[FoundDate] = []
    if room <= 0 or _HAS_DATE.search(content) is None:
        return found
    # Where the parse is in the (outermost) table being read: the row and column of the cell open or next,
    # and how many rows and columns the open row and cell stand for (table:number-*-repeated).
    place = {"row": 0, "column": 0, "rows": 1, "columns": 1}
    tables = 0  # tables open: a table inside a cell does not move the outer table's count

    def add(when: datetime.date, where: str) -> None:
        found.append(FoundDate(when, "content", f"{when.isoformat()} ({where})"))
        if len(found) >= room:
            raise StopParsing

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal tables
        if name == "table:table":
            tables += 1
            if tables == 1:
                place["row"] = 0
        elif tables == 1 and name == "table:table-row":
            place["column"] = 0
            place["rows"] = _repeat(attrs, "table:number-rows-repeated")
        elif tables == 1 and name in _CELLS:
            place["columns"] = _repeat(attrs, "table:number-columns-repeated")
        if name == "text:date":
            when = date_value(attrs.get("text:date-value", ""))
            if when is not None:
                add(when, "date field")
        elif attrs.get("office:value-type") == "date":
            when = date_value(attrs.get("office:date-value", ""))
            if when is None:
                return
            if name != "table:table-cell":
                add(when, "date field")
            elif tables == 1 and place["column"] < MAX_COLUMN and place["row"] < MAX_ROW:
                add(when, f"cell {column_name(place['column'])}{place['row'] + 1}")
            else:
                add(when, "a cell")

    def end(name: str) -> None:
        nonlocal tables
        if name == "table:table":
            tables = max(0, tables - 1)
        elif tables == 1 and name == "table:table-row":
            place["row"] += place["rows"]
        elif tables == 1 and name in _CELLS:
            place["column"] += place["columns"]

    parse_untrusted(content, start=start, end=end)
    return found
