"""The words of an Outlook message (.msg) or a Word 97-2003 document (.doc), read from the compound file.

Both are OLE compound files ([MS-CFB]): a small file system of sectors chained through a FAT, with
a directory of named streams. This reader is written for hostile input: it reads at most
``FILE_CAP`` bytes of the file, at most ``MAX_DIR_ENTRIES`` directory entries and at most a given
number of bytes of any stream; every sector chain ends at the end of the file, at a sector seen
before (a loop) or at the bytes wanted. It needs no library and logs nothing. ``read_words``
never raises: a broken file gives an ``OleWords`` saying why its words were not read.

What is read, as a reviewer sees it:

- an Outlook message ([MS-OXMSG]): From, Sent (Mountain Time, as a reviewer in Alberta reads it),
  To, Subject and the plain-text body, composed as Outlook prints them; its subject is its title.
  Attachments are not read.
- a Word 97-2003 document ([MS-DOC]): the main text, through the FIB and the piece table, with the
  page headers first and the footers last, each on one line, as for a .docx; the SummaryInformation
  title and its created / last-saved dates (metadata dates).
- an Excel 97-2003 workbook: its cell text, typed dates and page headers (``biff``), and a PowerPoint
  97-2003 presentation: its slides' text (``ppt``); for both, the title and property dates as for a Word
  document;
- anything else (Excel 95, an encrypted presentation, other compound files): nothing; ``unread`` says so,
  as it does for a damaged file, a Word 95 or a password-protected Word document (which is also
  ``encrypted``: a reviewer cannot open it without the password).
"""

from __future__ import annotations

import array
import bisect
import codecs
import datetime as dt
import struct
import sys
from dataclasses import dataclass
from typing import BinaryIO

from packager.dates import FoundDate
from packager.inspect import biff, ppt
from packager.inspect.facts import TEXT_CAP
from packager.inspect.margins import MARGIN_CHARS, keep_lines, one_line

FILE_CAP = 64 * 1024 * 1024  # bytes of the file read at most (the same cap as the OLE byte scan)
MAX_DIR_ENTRIES = 8192  # directory entries read (a message with 100 attachments has ~1,500)
STREAM_CAP = 8 * 1024 * 1024  # bytes read of a Word document's text or table stream
PROPERTY_CAP = 64 * 1024  # bytes read of a message's property stream or a summary information stream
TEXT_CHARS = 4 * TEXT_CAP  # characters of text kept (the caller keeps TEXT_CAP, dates come from all)
MAX_PIECES = 100_000  # pieces of a Word piece table read

_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MINI_CUTOFF = 4096  # streams smaller than this live in the mini stream ([MS-CFB] 2.2)
_MINI_SECTOR = 64
_STORAGE, _STREAM, _ROOT = 1, 2, 5

ENCRYPTED_SLIDES = "its contents are encrypted (it has a password)"
OTHER = "the text of this kind of old-style Office file is not read"
DAMAGED = "the text of this old-style (97-2003) Office file could not be read: {why}"

# Outlook's date as a reviewer in Alberta reads it: Mountain Time, daylight time from the second
# Sunday of March to the first Sunday of November (Canada's rule since 2007).
_MOUNTAIN = dt.timedelta(hours=-7)


class _Broken(Exception):
    """The compound file cannot be read any further; the message says why, in plain words."""


@dataclass(frozen=True)
class OleWords:
    """What ``read_words`` read of a compound file."""

    text: str = ""  # the words as a reviewer sees them, at most TEXT_CHARS characters
    title: str | None = None  # a message's subject, a Word document's title property
    # a Word document's or a workbook's property dates ("metadata"), and a workbook's typed cells ("content")
    dates: tuple[FoundDate, ...] = ()
    notes: tuple[str, ...] = ()
    unread: str | None = None  # why the words were not read; None when they were
    encrypted: bool = False  # a Word document saved with a password to open it (FIB fEncrypted)


@dataclass(frozen=True)
class _Entry:
    name: str
    type: int
    left: int
    right: int
    child: int
    start: int
    size: int


class Compound:
    """A compound file's root streams, read with bounds (see the module docstring).

    Raises ``_Broken`` from the constructor when the header or the directory cannot be read.
    """

    def __init__(self, fh: BinaryIO, length: int) -> None:
        self._fh = fh
        self._length = min(length, FILE_CAP)
        header = self._read_at(0, 512)
        if len(header) < 512 or header[:8] != _SIGNATURE:
            raise _Broken("its header is missing or cut short")
        major, order, shift, mini_shift = struct.unpack_from("<HHHH", header, 0x1A)
        if order != 0xFFFE or shift not in (9, 12) or mini_shift != 6:
            raise _Broken("its header is damaged")
        self._v3 = major != 4
        self.sector: int = 1 << shift
        self._sectors = max(0, -(-(self._length - self.sector) // self.sector))  # the last one may be cut short
        n_fat, first_dir, _tx, _cutoff, first_mini, n_mini, first_difat, n_difat = struct.unpack_from(
            "<IIIIIIII", header, 0x2C)
        self._fat = self._table(self._fat_sectors(header, n_fat, first_difat, n_difat))
        self.entries = self._directory(first_dir)
        root = self.entries[0]
        if root.type != _ROOT:
            raise _Broken("its directory has no root")
        self._minifat = self._table(self._chain(self._fat, first_mini, min(n_mini, self._sectors)))
        self._ministream = self._chain(self._fat, root.start, -(-root.size // self.sector))
        self.streams, self.storages = self._children(root)

    # --- sectors and chains

    def _read_at(self, offset: int, size: int) -> bytes:
        if offset >= self._length or size <= 0:
            return b""
        self._fh.seek(offset)
        return self._fh.read(min(size, self._length - offset))

    def _offset(self, sector: int) -> int:
        return (sector + 1) * self.sector

    def _fat_sectors(self, header: bytes, n_fat: int, first_difat: int, n_difat: int) -> list[int]:
        """The FAT's sectors, listed by the header and the DIFAT chain (which may loop)."""
        wanted = min(n_fat, self._sectors)
        listed = list(struct.unpack_from("<109I", header, 0x4C))
        per = self.sector // 4 - 1
        seen: set[int] = set()
        sector = first_difat
        while len(listed) < wanted and len(seen) < min(n_difat, self._sectors) and sector < self._sectors:
            if sector in seen:
                break
            seen.add(sector)
            block = self._read_at(self._offset(sector), self.sector)
            if len(block) < self.sector:
                break
            values = struct.unpack(f"<{per + 1}I", block)
            listed.extend(values[:per])
            sector = values[per]
        out: list[int] = []
        for sector in listed[:wanted]:
            if sector >= self._sectors:
                break
            out.append(sector)
        return out

    def _table(self, sectors: list[int]) -> array.array[int]:
        """The 32-bit entries of the sectors given, read in runs of consecutive sectors."""
        table: array.array[int] = array.array("I")
        for offset, size in self._runs(sectors):
            block = self._read_at(offset, size)
            table.frombytes(block[: len(block) // 4 * 4])
        if sys.byteorder == "big":
            table.byteswap()
        return table

    def _runs(self, sectors: list[int]) -> list[tuple[int, int]]:
        runs: list[tuple[int, int]] = []
        for sector in sectors:
            offset = self._offset(sector)
            if runs and runs[-1][0] + runs[-1][1] == offset:
                runs[-1] = (runs[-1][0], runs[-1][1] + self.sector)
            else:
                runs.append((offset, self.sector))
        return runs

    def _chain(self, table: array.array[int], start: int, limit: int) -> list[int]:
        """At most ``limit`` links of the chain from ``start``; it ends at a free or special value, an
        index outside the table or the file, or a link seen before (a loop)."""
        bound = min(len(table), self._sectors) if table is self._fat else len(table)
        out: list[int] = []
        seen: set[int] = set()
        current = start
        while len(out) < limit and current < bound and current not in seen:
            seen.add(current)
            out.append(current)
            current = table[current]
        return out

    # --- directory

    def _directory(self, first: int) -> list[_Entry]:
        per_sector = self.sector // 128
        chain = self._chain(self._fat, first, -(-MAX_DIR_ENTRIES // per_sector))
        entries: list[_Entry] = []
        for offset, size in self._runs(chain):
            block = self._read_at(offset, size)
            for at in range(0, len(block) - 127, 128):
                entries.append(_entry(block, at, self._v3))
        if not entries:
            raise _Broken("its directory is missing")
        return entries[:MAX_DIR_ENTRIES]

    def _children(self, root: _Entry) -> tuple[dict[str, _Entry], dict[str, _Entry]]:
        """The root's streams and storages by upper-case name (names compare case-insensitively)."""
        streams: dict[str, _Entry] = {}
        storages: dict[str, _Entry] = {}
        seen: set[int] = {0}
        pending = [root.child]
        while pending:
            index = pending.pop()
            if index >= len(self.entries) or index in seen:
                continue
            seen.add(index)
            entry = self.entries[index]
            pending += [entry.left, entry.right]
            kept = streams if entry.type == _STREAM else storages if entry.type == _STORAGE else None
            if kept is not None:
                kept.setdefault(entry.name.upper(), entry)
        return streams, storages

    # --- streams

    def read(self, name: str, cap: int) -> bytes:
        """At most ``cap`` bytes of the root stream ``name`` (b"" when it is missing); a broken chain
        gives the bytes read up to the break."""
        entry = self.streams.get(name.upper())
        if entry is None:
            return b""
        want = min(entry.size, cap)
        if want <= 0:
            return b""
        if entry.size < _MINI_CUTOFF:
            return self._read_mini(entry.start, want)
        sectors = self._chain(self._fat, entry.start, -(-want // self.sector))
        return b"".join(self._read_at(offset, size) for offset, size in self._runs(sectors))[:want]

    def _read_mini(self, start: int, want: int) -> bytes:
        parts: list[bytes] = []
        for mini in self._chain(self._minifat, start, -(-want // _MINI_SECTOR)):
            index, within = divmod(mini * _MINI_SECTOR, self.sector)
            if index >= len(self._ministream):
                break
            parts.append(self._read_at(self._offset(self._ministream[index]) + within, _MINI_SECTOR))
        return b"".join(parts)[:want]


def _entry(block: bytes, at: int, v3: bool) -> _Entry:
    name_size = min(struct.unpack_from("<H", block, at + 0x40)[0], 64)
    name = block[at : at + max(0, name_size - 2)].decode("utf-16-le", errors="replace")
    kind = block[at + 0x42]
    left, right, child = struct.unpack_from("<III", block, at + 0x44)
    start, size = struct.unpack_from("<IQ", block, at + 0x74)
    if v3:
        size &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half ([MS-CFB] 2.6.1)
    return _Entry(name, kind, left, right, child, start, size)


# --- what the file holds ---------------------------------------------------------------------------


def read_words(fh: BinaryIO, length: int) -> OleWords:
    """The words of a .msg or .doc compound file of ``length`` bytes (see the module docstring).

    Never raises: a damaged file, or one whose kind of words is not read here, gives ``unread``.
    """
    try:
        compound = Compound(fh, length)
        if "__PROPERTIES_VERSION1.0" in compound.streams or any(
            name.startswith("__SUBSTG1.0_") for name in compound.streams
        ):
            return _message(compound)
        if "WORDDOCUMENT" in compound.streams:
            return _word(compound)
        if "WORKBOOK" in compound.streams:
            return _workbook(compound)
        if "BOOK" in compound.streams:  # the stream of an Excel 5.0/95 workbook
            return OleWords(unread=biff.OLD_EXCEL)
        if "POWERPOINT DOCUMENT" in compound.streams:
            return _presentation(compound)
        return OleWords(unread=OTHER)
    except _Broken as exc:
        return OleWords(unread=DAMAGED.format(why=exc))
    except Exception:  # a reader's slip on a hostile file must not make it unreadable (an error)
        return OleWords(unread=DAMAGED.format(why="its structure is damaged"))


# --- Outlook messages ([MS-OXMSG], [MS-OXPROPS]) ---------------------------------------------------

_PR_SUBJECT = 0x0037
_PR_SENT_REPRESENTING_NAME = 0x0042
_PR_SENDER_NAME = 0x0C1A
_PR_SENDER_EMAIL = 0x0C1F
_PR_SENDER_SMTP = 0x5D01
_PR_DISPLAY_TO = 0x0E04
_PR_DISPLAY_CC = 0x0E03
_PR_BODY = 0x1000
_PR_CLIENT_SUBMIT_TIME = 0x0039
_PR_MESSAGE_DELIVERY_TIME = 0x0E06
_PR_MESSAGE_CODEPAGE = 0x3FFD
_PR_INTERNET_CPID = 0x3FDE
_PT_LONG, _PT_SYSTIME = 0x0003, 0x0040
_TOP_HEADER = 32  # the property stream's header of a message that is the file itself
_ATTACHMENT = "__ATTACH_VERSION1.0_#"
_FORMATTED_BODY = ("__SUBSTG1.0_10090102", "__SUBSTG1.0_1013")  # PR_RTF_COMPRESSED, PR_HTML


def _message(compound: Compound) -> OleWords:
    props = _properties(compound.read("__properties_version1.0", PROPERTY_CAP))
    codepage = _codec(props.get((_PR_MESSAGE_CODEPAGE, _PT_LONG)) or props.get((_PR_INTERNET_CPID, _PT_LONG)))

    def string(prop: int, cap: int = 4096) -> str:
        return _msg_string(compound, prop, codepage, cap)

    subject = " ".join(string(_PR_SUBJECT).split())
    sender = string(_PR_SENDER_NAME) or string(_PR_SENT_REPRESENTING_NAME)
    address = string(_PR_SENDER_SMTP) or string(_PR_SENDER_EMAIL)
    if "@" not in address:
        address = ""  # an Exchange address ('/O=EXCHANGELABS/…') is not what Outlook shows
    if sender and address and address.lower() != sender.lower():
        sender = f"{sender} <{address}>"
    sender = sender or address
    sent = _filetime(props.get((_PR_CLIENT_SUBMIT_TIME, _PT_SYSTIME)))
    sent = sent or _filetime(props.get((_PR_MESSAGE_DELIVERY_TIME, _PT_SYSTIME)))
    lines = [
        ("From", sender),
        ("Sent", _outlook_date(sent) if sent is not None else ""),
        ("To", string(_PR_DISPLAY_TO)),
        ("Cc", string(_PR_DISPLAY_CC)),
        ("Subject", subject),
    ]
    header = "\n".join(f"{label}: {' '.join(value.split())}" for label, value in lines if value.strip())
    body = string(_PR_BODY, 2 * TEXT_CHARS).replace("\r\n", "\n").replace("\r", "\n").strip()
    notes: list[str] = []
    if not body and any(name.startswith(_FORMATTED_BODY) for name in compound.streams):
        notes.append("its body is kept only as formatted text (RTF or HTML), not read")
    attachments = sum(1 for name in compound.storages if name.startswith(_ATTACHMENT))
    if attachments:
        notes.append(f"it has {attachments} attachment{'s' if attachments != 1 else ''}, not read")
    text = "\n\n".join(part for part in (header, body) if part)[:TEXT_CHARS]
    return OleWords(text=text, title=subject or None, notes=tuple(notes))


def _properties(data: bytes) -> dict[tuple[int, int], bytes]:
    """The fixed-size values of a message's property stream, by (property id, type)."""
    props: dict[tuple[int, int], bytes] = {}
    for at in range(_TOP_HEADER, len(data) - 15, 16):
        tag = int.from_bytes(data[at : at + 4], "little")
        props.setdefault((tag >> 16, tag & 0xFFFF), data[at + 8 : at + 16])
    return props


def _msg_string(compound: Compound, prop: int, codepage: str, cap: int) -> str:
    unicode = compound.read(f"__substg1.0_{prop:04X}001F", cap)
    if unicode:
        return unicode[: len(unicode) // 2 * 2].decode("utf-16-le", errors="replace").split("\x00", 1)[0]
    return compound.read(f"__substg1.0_{prop:04X}001E", cap).decode(codepage, errors="replace").split("\x00", 1)[0]


def _codec(value: bytes | None) -> str:
    """The Python codec of a Windows code page property; Windows-1252 when absent or unknown."""
    if value is None:
        return "cp1252"
    page = int.from_bytes(value[:4], "little")
    name = {65001: "utf-8", 20127: "ascii", 28591: "latin-1"}.get(page, f"cp{page}")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return "cp1252" if info.name.startswith("utf-16") or info.name.startswith("utf-32") else info.name


def _filetime(value: bytes | None) -> dt.datetime | None:
    """A FILETIME (100-nanosecond intervals since 1601, UTC) as a UTC time; None outside 1980-2100."""
    if value is None or len(value) < 8:
        return None
    ticks = int.from_bytes(value[:8], "little")
    if not ticks:
        return None
    try:
        when = dt.datetime(1601, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ticks // 10)
    except OverflowError:
        return None
    return when if 1980 <= when.year <= 2100 else None


def _mountain(when: dt.datetime) -> dt.datetime:
    """A UTC time as Mountain Time (daylight time from 2 a.m. on March's second Sunday to 2 a.m. on
    November's first Sunday), without the time zone attached."""
    standard = (when + _MOUNTAIN).replace(tzinfo=None)
    year = standard.year
    march = dt.datetime(year, 3, 8) + dt.timedelta(days=(6 - dt.date(year, 3, 8).weekday()) % 7)
    november = dt.datetime(year, 11, 1) + dt.timedelta(days=(6 - dt.date(year, 11, 1).weekday()) % 7)
    summer = march + dt.timedelta(hours=2) <= standard < november + dt.timedelta(hours=1)
    return standard + dt.timedelta(hours=1) if summer else standard


def _outlook_date(when: dt.datetime) -> str:
    """'Wednesday, May 20, 2026 8:14 PM', as Outlook writes a message's Sent line."""
    local = _mountain(when)
    hour = local.hour % 12 or 12
    return f"{local:%A}, {local:%B} {local.day}, {local.year} {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


# --- Word 97-2003 documents ([MS-DOC]) --------------------------------------------------------------

_WORD_IDENT = 0xA5EC
_WORD97 = 0x00C0  # the nFib of Word 97 and later (Word 6 and 95 have no piece table to read)
_CLX_INDEX = 33  # fcClx / lcbClx in FibRgFcLcb97
_HDD_INDEX = 11  # fcPlcfHdd / lcbPlcfHdd: where the header document's stories start
_SEPARATORS = 6  # the header document's first stories: footnote and endnote separators
MARGIN_STORIES = 6 * 8  # header and footer stories read (six per section, eight sections)
# Word's marks in the text stream: paragraph, line and page breaks, cell and row ends become line
# breaks or tabs; field codes (between 0x13 and 0x14) are dropped, their shown result kept.
_BREAKS = {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x07": "\t", "\x1e": "-", "\xa0": " "}
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"


def _presentation(compound: Compound) -> OleWords:
    if "ENCRYPTEDSUMMARY" in compound.streams:  # a password to open: the records are encrypted
        return OleWords(unread=ENCRYPTED_SLIDES)
    text = ppt.read_presentation(compound.read("PowerPoint Document", STREAM_CAP))
    title, meta = _summary(compound.read("\x05SummaryInformation", PROPERTY_CAP))
    return OleWords(text=text[:TEXT_CHARS], title=title, dates=meta)


def _workbook(compound: Compound) -> OleWords:
    read = biff.read_workbook(compound.read("Workbook", STREAM_CAP))
    title, meta = _summary(compound.read("\x05SummaryInformation", PROPERTY_CAP))
    return OleWords(text=read.text[:TEXT_CHARS], title=title, dates=(*read.dates, *meta), unread=read.unread)


def _word(compound: Compound) -> OleWords:
    fib = compound.read("WordDocument", STREAM_CAP)
    if len(fib) < 0x9C or struct.unpack_from("<H", fib, 0)[0] != _WORD_IDENT:
        raise _Broken("its Word header is missing")
    if struct.unpack_from("<H", fib, 2)[0] < _WORD97:
        raise _Broken("it was saved by Word 95 or earlier")
    flags = struct.unpack_from("<H", fib, 0x0A)[0]
    title, meta = _summary(compound.read("\x05SummaryInformation", PROPERTY_CAP))
    if flags & 0x0100:  # fEncrypted
        return OleWords(title=title, dates=meta, unread="its text is encrypted (it is password protected)",
                        encrypted=True)
    table = compound.read("1Table" if flags & 0x0200 else "0Table", STREAM_CAP)
    at = 0x20
    csw = struct.unpack_from("<H", fib, at)[0]
    at += 2 + 2 * csw
    cslw = struct.unpack_from("<H", fib, at)[0]
    lw = at + 2
    if cslw < 6:
        raise _Broken("its Word header is damaged")
    ccp_text, ccp_ftn, ccp_hdd = struct.unpack_from("<iii", fib, lw + 12)
    at = lw + 4 * cslw
    pairs = struct.unpack_from("<H", fib, at)[0]
    if pairs <= _CLX_INDEX:
        raise _Broken("its Word header is damaged")
    blob = at + 2
    fc_clx, lcb_clx = struct.unpack_from("<II", fib, blob + 8 * _CLX_INDEX)
    pieces = _piece_table(table[fc_clx : fc_clx + min(lcb_clx, STREAM_CAP)])
    body = _shown(_cp_text(fib, pieces, 0, min(max(0, ccp_text), TEXT_CHARS)))
    fc_hdd, lcb_hdd = struct.unpack_from("<II", fib, blob + 8 * _HDD_INDEX)
    stories = table[fc_hdd : fc_hdd + min(lcb_hdd, 4 * (_SEPARATORS + MARGIN_STORIES + 1))]
    header, footer = _margins(fib, pieces, stories, max(0, ccp_text) + max(0, ccp_ftn), max(0, ccp_hdd))
    text = "\n".join(part for part in (header, body, footer) if part)
    return OleWords(text=text, title=title, dates=meta)


def _margins(stream: bytes, pieces: list[tuple[int, int, int, bool]], plc: bytes, start: int,
             size: int) -> tuple[str, str]:
    """The text of a Word document's page headers, and of its footers, each on one line.

    As for a .docx (packager.inspect.office): the header labels the document, so it comes first, on
    one line ('ACME | Milestone 1.2 | Drill report'); the footer comes after the body. The header
    document starts at ``start`` and holds ``size`` characters; PlcfHdd (``plc``) splits it into
    stories: six separators, then six per section (even, odd header; even, odd footer; first-page
    header, footer).
    """
    cps = struct.unpack_from(f"<{len(plc) // 4}I", plc) if size else ()
    lines: dict[bool, dict[str, None]] = {True: {}, False: {}}  # header?: its lines, in order, each once
    for index in range(_SEPARATORS, len(cps) - 1):
        first, end = cps[index], min(cps[index + 1], size)
        if end <= first:
            continue
        story = _shown(_cp_text(stream, pieces, start + first, start + min(end, first + MARGIN_CHARS)))
        keep_lines(lines[(index - _SEPARATORS) % 6 in (0, 1, 4)], story)
    return one_line(lines[True]), one_line(lines[False])


def _piece_table(clx: bytes) -> list[tuple[int, int, int, bool]]:
    """The pieces of the main text: (first character, last character + 1, byte offset, compressed)."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting, skipped
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at >= len(clx) or clx[at] != 0x02:
        raise _Broken("its piece table is missing")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5 : at + 5 + size]
    count = min((len(plc) - 4) // 12, MAX_PIECES)
    if count <= 0:
        raise _Broken("its piece table is empty")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces: list[tuple[int, int, int, bool]] = []
    for index in range(count):
        if cps[index + 1] <= cps[index]:
            break  # out of order: the table is damaged from here on
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        compressed = bool(fc & 0x40000000)
        offset = (fc & 0x3FFFFFFF) // 2 if compressed else fc & 0x3FFFFFFF
        pieces.append((cps[index], cps[index + 1], offset, compressed))
    return pieces


def _cp_text(stream: bytes, pieces: list[tuple[int, int, int, bool]], start: int, end: int) -> str:
    """The raw characters from ``start`` to ``end`` (character positions), read through the pieces."""
    raw: list[str] = []
    index = max(0, bisect.bisect_right(pieces, start, key=lambda piece: piece[0]) - 1)
    for first, last, offset, compressed in pieces[index:]:
        if first >= end:
            break
        low, high = max(start, first), min(end, last)
        if high <= low:
            continue
        if compressed:
            raw.append(stream[offset + low - first : offset + high - first].decode("cp1252", errors="replace"))
        else:
            chunk = stream[offset + 2 * (low - first) : offset + 2 * (high - first)]
            raw.append(chunk[: len(chunk) // 2 * 2].decode("utf-16-le", errors="replace"))
    return "".join(raw)


def _shown(text: str) -> str:
    out: list[str] = []
    depth = 0  # nested fields whose code (not yet their result) is being read
    codes: list[bool] = []  # for each open field: is its code still being read
    for char in text:
        if char == _FIELD_BEGIN:
            codes.append(True)
            depth += 1
        elif char == _FIELD_SEPARATOR:
            if codes and codes[-1]:
                codes[-1] = False
                depth -= 1
        elif char == _FIELD_END:
            if codes and codes.pop():
                depth -= 1
        elif depth == 0:
            char = _BREAKS.get(char, char)
            if char >= " " or char in "\n\t":
                out.append(char)
    return "\n".join(" ".join(line.split()) for line in "".join(out).split("\n")).strip()


# --- summary information ([MS-OLEPS]) ---------------------------------------------------------------

_PID_CODEPAGE, _PID_TITLE, _PID_CREATED, _PID_SAVED = 1, 2, 12, 13
_VT_I2, _VT_LPSTR, _VT_LPWSTR, _VT_FILETIME = 0x02, 0x1E, 0x1F, 0x40


def _summary(data: bytes) -> tuple[str | None, tuple[FoundDate, ...]]:
    """The title and the created / last-saved dates of a SummaryInformation stream (damaged: none)."""
    try:
        return _summary_properties(data)
    except (struct.error, ValueError, IndexError, OverflowError):
        return None, ()


def _summary_properties(data: bytes) -> tuple[str | None, tuple[FoundDate, ...]]:
    if len(data) < 48 or struct.unpack_from("<H", data, 0)[0] != 0xFFFE:
        return None, ()
    section = struct.unpack_from("<I", data, 0x2C)[0]
    count = min(struct.unpack_from("<I", data, section + 4)[0], 256)
    values: dict[int, tuple[int, int]] = {}  # property id: (type, offset of the value)
    for index in range(count):
        pid, offset = struct.unpack_from("<II", data, section + 8 + 8 * index)
        values.setdefault(pid, (struct.unpack_from("<I", data, section + offset)[0] & 0xFFFF,
                                section + offset + 4))
    codepage = "cp1252"
    if values.get(_PID_CODEPAGE, (0, 0))[0] == _VT_I2:
        codepage = _codec(struct.pack("<I", struct.unpack_from("<H", data, values[_PID_CODEPAGE][1])[0]))
    title: str | None = None
    kind, at = values.get(_PID_TITLE, (0, 0))
    if kind in (_VT_LPSTR, _VT_LPWSTR):
        length = min(struct.unpack_from("<I", data, at)[0], 1024)
        raw = data[at + 4 : at + 4 + (2 * length if kind == _VT_LPWSTR else length)]
        decoded = raw.decode("utf-16-le" if kind == _VT_LPWSTR else codepage, errors="replace")
        title = " ".join(decoded.split("\x00", 1)[0].split()) or None
    found: list[FoundDate] = []
    for pid in (_PID_CREATED, _PID_SAVED):
        kind, at = values.get(pid, (0, 0))
        when = _filetime(data[at : at + 8]) if kind == _VT_FILETIME else None
        if when is not None:
            found.append(FoundDate(when.date(), "metadata", when.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return title, tuple(found)


__all__ = ["ENCRYPTED_SLIDES", "FILE_CAP", "OTHER", "Compound", "OleWords", "read_words"]
