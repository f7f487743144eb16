"""CSV cells that a spreadsheet will not run: neutralise formulas on the way out, undo it on the way in.

Excel, LibreOffice and Google Sheets treat a cell starting with '=', '+', '-' or '@' as a formula
(and a leading tab or carriage return can hide one), so text from users or received zips (titles,
company names, file names, comments) could run a formula on the reviewer's machine. As OWASP
recommends, such a cell is written with a leading apostrophe, which spreadsheets show as text.
Reading a worksheet back removes exactly that apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from packager.safetext import escape_unsafe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def csv_safe(value: object) -> str:
    """The cell text for ``value``; text a spreadsheet would run as a formula gets a leading "'".

    Control, bidi and zero-width characters are written as visible escapes ('\\u202e'), so a name
    cannot disguise itself in the reviewer's spreadsheet either; tabs and line breaks are kept.
    """
    text = escape_unsafe("" if value is None else str(value))
    if text.startswith(FORMULA_STARTS):
        return GUARD + text
    return text


def csv_unsafe(text: str) -> str:
    """Undo ``csv_safe``: a leading "'" before a formula character is removed."""
    if text.startswith(GUARD) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (CRLF, as Excel writes), every cell passed through ``csv_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()
