"""The words and typed dates of an Excel 97-2003 workbook (.xls): its BIFF8 ``Workbook`` stream.

The stream is a list of records (a 2-byte type, a 2-byte length, the data). What a reviewer sees is read
as for an .xlsx (``xlsxdates``): the text of the cells (the shared strings table, and text cells of their
own), the dates typed into cells (a number whose cell format shows a date, the built-in and custom formats
told apart the same way), and each sheet's printed page header and footer. One linear pass over at most
the bytes the caller read; strings that continue into the next record are followed with their bounds.
Excel 95 and earlier files and encrypted workbooks are not read: ``unread`` says why.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from packager.dates import FoundDate
from packager.inspect.margins import keep_lines, one_line
from packager.inspect.xlsxdates import (
    BUILTIN_DATE_FORMATS,
    MAX_DATES,
    MAX_TEXT,
    is_date_format,
    margin_text,
    serial_date,
)

MAX_CHARS = MAX_TEXT  # characters of cell text kept (as for an .xlsx)

_BOF, _EOF, _FILEPASS, _DATEMODE, _FORMAT, _XF = 0x0809, 0x000A, 0x002F, 0x0022, 0x041E, 0x00E0
_SST, _CONTINUE, _LABELSST, _LABEL = 0x00FC, 0x003C, 0x00FD, 0x0204
_NUMBER, _RK, _MULRK, _FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006
_HEADER, _FOOTER = 0x0014, 0x0015
_BIFF8 = 0x0600

OLD_EXCEL = "it was saved by Excel 95 or earlier, whose text is not read"
ENCRYPTED = "its contents are encrypted (it has a password)"
DAMAGED = "its workbook data is damaged"


@dataclass(frozen=True)
class WorkbookWords:
    """What ``read_workbook`` read: the words a reviewer sees, the typed dates, or why nothing was read."""

    text: str = ""  # the page headers (on one line), the cell text, then the page footers
    dates: tuple[FoundDate, ...] = ()  # dates typed into cells ("content")
    unread: str | None = None


def read_workbook(stream: bytes) -> WorkbookWords:
    """The words of a BIFF8 ``Workbook`` stream; never raises on any bytes."""
    first = _record(stream, 0)
    if first is None or first[0] != _BOF or len(first[1]) < 2:
        return WorkbookWords(unread=DAMAGED)
    if struct.unpack_from("<H", first[1])[0] != _BIFF8:
        return WorkbookWords(unread=OLD_EXCEL)
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    date1904 = False
    texts: list[str] = []
    size = 0
    headers: dict[str, None] = {}
    footers: dict[str, None] = {}
    found: list[FoundDate] = []

    def add(line: str) -> None:
        nonlocal size
        line = " ".join(line.split())
        if line and size < MAX_CHARS:
            texts.append(line[: MAX_CHARS - size])
            size += len(line) + 1

    def typed(row: int, col: int, xf: int, value: float) -> None:
        if len(found) >= MAX_DATES or not 0 <= xf < len(xf_formats):
            return
        number_format = xf_formats[xf]
        if number_format not in BUILTIN_DATE_FORMATS and not is_date_format(formats.get(number_format, "")):
            return
        when = serial_date(value, date1904)
        if when is not None:
            found.append(FoundDate(when, "content", f"{when.isoformat()} (cell {_column(col)}{row + 1})"))

    pos = 0
    while (record := _record(stream, pos)) is not None:
        kind, body, pos = record
        if kind == _FILEPASS:
            return WorkbookWords(unread=ENCRYPTED)
        if kind == _DATEMODE and len(body) >= 2:
            date1904 = struct.unpack_from("<H", body)[0] == 1
        elif kind == _FORMAT and len(body) >= 2:
            formats[struct.unpack_from("<H", body)[0]] = _Reader([body[2:]]).string(wide_length=True)
        elif kind == _XF and len(body) >= 4:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
        elif kind == _SST and len(body) >= 8:
            parts = [body[8:]]
            while (more := _record(stream, pos)) is not None and more[0] == _CONTINUE:
                parts.append(more[1])
                pos = more[2]
            reader = _Reader(parts)
            for _ in range(struct.unpack_from("<I", body, 4)[0]):
                if reader.done() or size >= MAX_CHARS:
                    break
                add(reader.string(wide_length=True, extras=True))
        elif kind == _LABEL and len(body) >= 8:
            add(_Reader([body[6:]]).string(wide_length=True))
        elif kind in (_HEADER, _FOOTER) and len(body) >= 3:
            keep_lines(headers if kind == _HEADER else footers, margin_text(_Reader([body]).string(wide_length=True)))
        elif kind in (_NUMBER, _FORMULA) and len(body) >= 14 and (kind == _NUMBER or body[12:14] != b"\xff\xff"):
            # A formula's cached result is a number unless its last two bytes are 0xFFFF (text, a boolean, an error).
            row, col, xf = struct.unpack_from("<HHH", body)
            typed(row, col, xf, struct.unpack_from("<d", body, 6)[0])
        elif kind == _RK and len(body) >= 10:
            row, col, xf, rk = struct.unpack_from("<HHHI", body)
            typed(row, col, xf, _rk_value(rk))
        elif kind == _MULRK and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            for n in range((len(body) - 6) // 6):
                xf, rk = struct.unpack_from("<HI", body, 4 + 6 * n)
                typed(row, first + n, xf, _rk_value(rk))
    text = "\n".join(part for part in (one_line(headers), "\n".join(texts), "\n".join(footers)) if part)
    return WorkbookWords(text=text, dates=tuple(found))


def _record(stream: bytes, pos: int) -> tuple[int, bytes, int] | None:
    """The record at ``pos``: its type, its data and where the next one starts; None at the end."""
    if pos + 4 > len(stream):
        return None
    kind, length = struct.unpack_from("<HH", stream, pos)
    return kind, stream[pos + 4 : pos + 4 + length], pos + 4 + length


class _Reader:
    """Unicode strings read across a record and its CONTINUE records ([MS-XLS] 2.5.293, 2.5.294)."""

    def __init__(self, parts: list[bytes]) -> None:
        self._parts = parts
        self._part = 0
        self._pos = 0

    def done(self) -> bool:
        self._skip_ended()
        return self._part >= len(self._parts)

    def _skip_ended(self) -> None:
        while self._part < len(self._parts) and self._pos >= len(self._parts[self._part]):
            self._part += 1
            self._pos = 0

    def _take(self, n: int) -> bytes:
        """``n`` bytes (fewer at the end), across record boundaries."""
        out = bytearray()
        while len(out) < n and not self.done():
            part = self._parts[self._part]
            piece = part[self._pos : self._pos + n - len(out)]
            out += piece
            self._pos += len(piece)
        return bytes(out)

    def string(self, wide_length: bool, extras: bool = False) -> str:
        head = self._take(3 if wide_length else 2)
        if len(head) < (3 if wide_length else 2):
            return ""
        count = struct.unpack_from("<H", head)[0] if wide_length else head[0]
        flags = head[-1]
        runs = struct.unpack("<H", self._take(2).ljust(2, b"\0"))[0] if extras and flags & 0x08 else 0
        ext = struct.unpack("<I", self._take(4).ljust(4, b"\0"))[0] if extras and flags & 0x04 else 0
        chars: list[str] = []
        wide = bool(flags & 0x01)
        remaining = count
        while remaining > 0 and not self.done():
            part = self._parts[self._part]
            if self._pos == 0 and chars:  # a string continued in the next record: its own flags byte first
                wide = bool(part[0] & 0x01)
                self._pos = 1
            width = 2 if wide else 1
            available = (len(part) - self._pos) // width
            if available <= 0:
                self._pos = len(part)
                continue
            n = min(remaining, available)
            raw = part[self._pos : self._pos + n * width]
            chars.append(raw.decode("utf-16-le" if wide else "latin-1", errors="replace"))
            self._pos += n * width
            remaining -= n
            if remaining and self._pos >= len(part):
                self._part += 1
                self._pos = 0
        self._take(4 * runs + min(ext, 1 << 20))  # formatting runs and phonetic data: not text
        return "".join(chars)


def _rk_value(rk: int) -> float:
    """The number an RK value holds ([MS-XLS] 2.5.217): an integer or the high bits of a double, maybe x100."""
    if rk & 0x02:
        value = float(rk >> 2 if rk < 0x80000000 else (rk >> 2) - (1 << 30))
    else:
        value = struct.unpack("<d", struct.pack("<Q", (rk & 0xFFFFFFFC) << 32))[0]
    return value / 100 if rk & 0x01 else value


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


__all__ = ["DAMAGED", "ENCRYPTED", "OLD_EXCEL", "WorkbookWords", "read_workbook"]
