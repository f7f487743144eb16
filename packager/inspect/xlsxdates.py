"""The cells of an .xlsx workbook that its shared strings do not hold: typed dates and inline text.

A spreadsheet keeps a date as a serial number (days since 1899-12-30, or since 1904-01-01 when
the workbook says date1904) and shows it as a date through the cell's number format. Shared
strings hold only the text cells, so reading them alone misses every typed date. Some programs
(exports from safety-management systems, streaming writers) put text in the cells themselves
(inline strings, and the text results of formulas), not in the shared strings. This reads the
styles (which formats are dates) and then the cells of the first sheets, each sheet with expat in
one linear pass and refusing DTDs, within the same caps as the rest of the office inspector.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import zipfile
from typing import NamedTuple

from packager.dates import MAX_YEAR, FoundDate
from packager.inspect.xmlstream import StopParsing, parse_untrusted

MAX_SHEETS = 10
MAX_DATES = 200  # typed dates kept per workbook
MAX_TEXT = 80_000  # characters of cell text kept per workbook
PART_CAP = 4_000_000
# Built-in number formats that show a date (ECMA-376 18.8.30).
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DATE_CODE = re.compile(r"[dmy]", re.IGNORECASE)
_SHEET = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
_CELL_REF = re.compile(r"[A-Z]{1,3}\d{1,7}")




def _read(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        with archive.open(member) as fh:
            return fh.read(PART_CAP)
    except Exception:
        return b""


def is_date_format(code: str) -> bool:
    """A custom number format shows a date when it has d, m or y outside quotes and brackets."""
    return bool(_DATE_CODE.search(_QUOTED.sub("", code)))


def date_styles(styles: bytes) -> set[int]:
    """Indexes into cellXfs whose number format is a date."""
    custom: dict[int, str] = {}
    xfs: list[int] = []
    where: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "numFmt":
            with contextlib.suppress(KeyError, ValueError):
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name in ("cellXfs", "cellStyleXfs"):
            where.append(name)
        elif name == "xf" and where and where[-1] == "cellXfs":
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    parse_untrusted(styles, start=start)
    return {
        i for i, fmt in enumerate(xfs)
        if fmt in BUILTIN_DATE_FORMATS or (fmt in custom and is_date_format(custom[fmt]))
    }


def serial_date(value: float, date1904: bool) -> datetime.date | None:
    """The calendar date of a spreadsheet serial number (the time of day is dropped)."""
    if not 1 <= value < 2_958_466:  # up to 9999-12-31
        return None
    epoch = datetime.date(1904, 1, 1) if date1904 else datetime.date(1899, 12, 30)
    try:
        when = epoch + datetime.timedelta(days=int(value))
    except OverflowError:
        return None
    return when if when.year <= MAX_YEAR else None


# A sheet holds text of its own only where a cell says so: parsed for text only then.
_TEXT_CELL = re.compile(rb't\s*=\s*["\'](?:inlineStr|str)["\']')


class SheetCells(NamedTuple):
    """What a workbook's sheets hold beyond the shared strings."""

    dates: list[FoundDate]  # typed into cells, in sheet and cell order
    header: str  # the page headers printed at the top of each sheet, on one line
    text: str  # the text the cells hold themselves (a cell a line), then the page footers


# Codes of a printed page header or footer (ECMA-376 18.3.1.46): sections, fonts, sizes, colours and
# fields (&D, the date of printing, is not the document's date, so it is dropped like the others).
_MARGIN_SECTION = re.compile(r"&[LCR]")
# A font is a short quoted name: bounded, so an unclosed quote costs a few characters, not the rest.
_MARGIN_CODE = re.compile(r'&(?:"[^"]{0,80}"|\d{1,3}|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|[DTPNAZFGBIUESXYO+\-])')
_MARGIN_PART = re.compile(rb"<(?:\w+:)?headerFooter\b")
MARGIN_CAP = 16 * 1024


def margin_text(raw: str) -> str:
    """A printed page header or footer as a reviewer reads it: Excel's codes removed ('&&' is an '&'), its
    left, centre and right sections joined with ' | ' (an .xlsx's headerFooter and an .xls's HEADER alike)."""
    sections = [" ".join(_MARGIN_CODE.sub(" ", s).replace("\0", "&").split())
                for s in _MARGIN_SECTION.split(raw.replace("&&", "\0"))]
    return " | ".join(s for s in sections if s)


def _print_margins(data: bytes) -> tuple[list[str], list[str]]:
    """The page header and footer texts of a sheet (its ``headerFooter`` element, read alone)."""
    found = _MARGIN_PART.search(data)
    if found is None:
        return [], []
    start = found.start()
    close = data.find(b"headerFooter>", found.end())
    part = data[start : close + len(b"headerFooter>")] if 0 <= close < start + MARGIN_CAP else b""
    margins: dict[str, list[str]] = {"header": [], "footer": []}
    where: list[str] = []
    pieces: list[str] = []

    def start_element(name: str, _attrs: object) -> None:
        local = name.rsplit(":", 1)[-1]
        if local.endswith(("Header", "Footer")) and local != "headerFooter":
            where.append("header" if local.endswith("Header") else "footer")
            pieces.clear()

    def end_element(name: str) -> None:
        if where and name.rsplit(":", 1)[-1].endswith(("Header", "Footer")):
            text = margin_text("".join(pieces))
            if text:
                margins[where[-1]].append(text)
            where.pop()

    def chars(text: str) -> None:
        if where:
            pieces.append(text)

    parse_untrusted(part, start=start_element, end=end_element, chars=chars)
    return margins["header"], margins["footer"]


def sheet_cells(archive: zipfile.ZipFile, names: list[str]) -> SheetCells:
    """Dates typed into cells of the first sheets, the sheets' printed page headers, and the text the
    cells hold themselves (inline strings and formula results) with the page footers."""
    styles = date_styles(_read(archive, "xl/styles.xml")) if "xl/styles.xml" in names else set()
    date1904 = False
    if styles:
        workbook = _read(archive, "xl/workbook.xml")
        date1904 = b'date1904="1"' in workbook or b'date1904="true"' in workbook
    sheets = sorted((int(m.group(1)), n) for n in names if (m := _SHEET.fullmatch(n)) is not None)
    found: list[FoundDate] = []
    texts: list[str] = []
    headers: dict[str, None] = {}
    footers: dict[str, None] = {}
    size = 0
    for _number, sheet in sheets[:MAX_SHEETS]:
        data = _read(archive, sheet)
        header, footer = _print_margins(data)
        headers.update(dict.fromkeys(header))
        footers.update(dict.fromkeys(footer))
        want_text = size < MAX_TEXT and _TEXT_CELL.search(data) is not None
        want_dates = bool(styles) and len(found) < MAX_DATES
        if not want_text and not want_dates:
            continue
        dated, text = _sheet(data, styles if want_dates else set(), date1904, MAX_DATES - len(found),
                             MAX_TEXT - size if want_text else 0)
        found.extend(dated)
        if text:
            texts.append(text)
            size += len(text)
    return SheetCells(found, " | ".join(headers), "\n".join([*texts, *footers]))


def _sheet(data: bytes, styles: set[int], date1904: bool, room: int, text_room: int) -> tuple[list[FoundDate], str]:
    """The typed dates (up to ``room``, in date ``styles``) and the cell text (up to ``text_room``
    characters) of one sheet."""
    found: list[FoundDate] = []
    lines: list[str] = []
    size = 0
    cell: dict[str, str] = {}
    value: list[str] = []
    in_value = in_text = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_value, in_text
        if name == "c":
            cell.clear()
            cell.update(attrs)
            value.clear()
        elif name == "v":
            in_value = True
        elif name == "t" and cell.get("t") == "inlineStr":
            in_text = True

    def end(name: str) -> None:
        nonlocal in_value, in_text
        if name == "v":
            in_value = False
        elif name == "t":
            in_text = False
        elif name == "c":
            _cell_done()

    def chars(text: str) -> None:
        if in_value or in_text:
            value.append(text)

    def _cell_done() -> None:
        nonlocal size
        kind = cell.get("t", "n")
        if kind in ("inlineStr", "str"):
            if size < text_room:
                line = " ".join("".join(value).split())[: text_room - size]
                if line:
                    lines.append(line)
                    size += len(line) + 1
            elif not styles or len(found) >= room:
                raise StopParsing
            return
        if kind != "n" or not styles:
            return
        try:
            style = int(cell.get("s", "0"))
            number = float("".join(value))
        except ValueError:
            return
        if style not in styles:
            return
        when = serial_date(number, date1904)
        if when is None:
            return
        ref = cell.get("r", "")
        where = f"cell {ref}" if _CELL_REF.fullmatch(ref) else "a cell"
        found.append(FoundDate(when, "content", f"{when.isoformat()} ({where})"))
        if len(found) >= room and size >= text_room:
            raise StopParsing

    parse_untrusted(data, start=start, end=end, chars=chars)
    return found, "\n".join(lines)
