"""A small compound-file (OLE, [MS-CFB]) writer for tests, and Outlook messages and Word 97 documents made with it.

Version 3 files: 512-byte sectors, a FAT listed in the header (up to 109 FAT sectors), streams under
4096 bytes in the mini stream, and a flat directory (each storage's children linked through their
right siblings). ``fat_patch`` and ``size_patch`` damage the file on purpose for hostile tests.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from dataclasses import dataclass, field
from itertools import pairwise

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT, DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
NONE = 0xFFFFFFFF


@dataclass
class Storage:
    """A storage: streams and storages by name, in the order given."""

    streams: dict[str, bytes] = field(default_factory=dict)
    storages: dict[str, Storage] = field(default_factory=dict)


@dataclass
class Layout:
    """Where the writer put things, for tests that damage them."""

    data: bytes
    starts: dict[str, int]  # a stream's first sector (regular or mini), by its path 'a/b'
    fat_offset: int  # byte offset of the FAT


def write(root: Storage, fat_patch: dict[int, int] | None = None, size_patch: dict[str, int] | None = None,
          extra_entries: int = 0) -> Layout:
    """The compound file holding ``root``; ``extra_entries`` empty streams (x0, x1, …) are added to the
    root's children (after the real ones, linked the same way)."""
    entries: list[dict[str, object]] = []  # name, type, children, data, path

    def add(name: str, kind: int, data: bytes = b"", path: str = "") -> int:
        entries.append({"name": name, "type": kind, "data": data, "path": path, "child": NONE, "right": NONE})
        return len(entries) - 1

    def walk(storage: Storage, index: int, prefix: str) -> None:
        children: list[int] = []
        for name, data in storage.streams.items():
            children.append(add(name, 2, data, prefix + name))
        for name, sub in storage.storages.items():
            child = add(name, 1, path=prefix + name)
            children.append(child)
            walk(sub, child, prefix + name + "/")
        if index == 0:
            children += [add(f"x{n}", 2, b"", f"x{n}") for n in range(extra_entries)]
        for a, b in pairwise(children):
            entries[a]["right"] = b
        if children:
            entries[index]["child"] = children[0]

    add("Root Entry", 5)
    walk(root, 0, "")

    # The mini stream: small streams, 64-byte mini sectors.
    mini = bytearray()
    minifat: list[int] = []
    starts: dict[str, int] = {}
    for entry in entries[1:]:
        data = entry["data"]
        assert isinstance(data, bytes)
        if entry["type"] == 2 and 0 < len(data) < CUTOFF:
            first = len(mini) // MINI
            count = -(-len(data) // MINI)
            minifat += [first + i + 1 for i in range(count - 1)] + [END]
            mini += data + bytes(count * MINI - len(data))
            entry["start"] = first
            starts[str(entry["path"])] = first
        else:
            entry["start"] = END if not data else None

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes, marker: int | None = None) -> int:
        if not data:
            return END
        first = len(sectors)
        count = -(-len(data) // SECTOR)
        padded = data + bytes(count * SECTOR - len(data))
        for i in range(count):
            sectors.append(padded[i * SECTOR : (i + 1) * SECTOR])
            fat.append(marker if marker is not None else (first + i + 1 if i < count - 1 else END))
        return first

    for entry in entries[1:]:
        if entry["start"] is None:
            data = entry["data"]
            assert isinstance(data, bytes)
            entry["start"] = place(data)
            starts[str(entry["path"])] = int(entry["start"])  # type: ignore[call-overload]
    entries[0]["start"] = place(bytes(mini))
    entries[0]["size"] = len(mini)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    minifat_start = place(minifat_bytes)
    directory = b"".join(_entry(e, size_patch or {}) for e in entries)
    dir_start = place(directory)
    # The FAT itself (enough sectors to list every sector, its own included), and the DIFAT sectors
    # that list the FAT sectors beyond the header's 109.
    n_fat, n_difat = 1, 0
    while True:
        total = len(sectors) + n_fat + n_difat
        need_fat = -(-total // (SECTOR // 4))
        need_difat = -(-max(0, need_fat - 109) // (SECTOR // 4 - 1))
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat
    fat_first = len(sectors)
    difat_first = fat_first + n_fat
    fat += [FATSECT] * n_fat + [DIFSECT] * n_difat
    for index, value in (fat_patch or {}).items():
        fat[index] = value
    table = fat + [FREE] * (n_fat * SECTOR // 4 - len(fat))
    fat_bytes = struct.pack(f"<{len(table)}I", *table)
    for i in range(n_fat):
        sectors.append(fat_bytes[i * SECTOR : (i + 1) * SECTOR])
    listed = [fat_first + i for i in range(n_fat)]
    per = SECTOR // 4 - 1
    for i in range(n_difat):
        part = listed[109 + i * per : 109 + (i + 1) * per]
        following = difat_first + i + 1 if i < n_difat - 1 else END
        sectors.append(struct.pack(f"<{per + 1}I", *(part + [FREE] * (per - len(part))), following))
    difat = listed[:109] + [FREE] * (109 - min(n_fat, 109))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
        + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, CUTOFF, minifat_start,
                      -(-len(minifat_bytes) // SECTOR), difat_first if n_difat else END, n_difat)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == SECTOR
    return Layout(header + b"".join(sectors), starts, SECTOR * (fat_first + 1))


def _entry(entry: dict[str, object], size_patch: dict[str, int]) -> bytes:
    name = str(entry["name"]).encode("utf-16-le") + b"\x00\x00"
    data = entry["data"]
    assert isinstance(data, bytes)
    size = int(entry.get("size", len(data)))  # type: ignore[call-overload]
    size = size_patch.get(str(entry["path"]), size)
    start = entry["start"]
    assert isinstance(start, int)
    return (
        name.ljust(64, b"\x00") + struct.pack("<HBB", len(name), int(entry["type"]), 1)  # type: ignore[call-overload]
        + struct.pack("<III", NONE, int(entry["right"]), int(entry["child"]))  # type: ignore[call-overload]
        + bytes(16) + bytes(4) + bytes(16)
        + struct.pack("<IQ", start if data or entry["type"] == 5 else END, size)
    )


# --- Outlook messages --------------------------------------------------------------------------


def filetime(when: dt.datetime) -> int:
    return (when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 10


def msg(subject: str = "", body: str = "", sent: dt.datetime | None = None, sender: str = "",
        to: str = "", attachments: int = 0, unicode: bool = True, codepage: int = 1252,
        delivered: dt.datetime | None = None, **patch: object) -> bytes:
    """An Outlook message as Outlook saves it (.msg): string properties in __substg1.0_ streams
    (UTF-16, or 8-bit in ``codepage``), times and the code page in __properties_version1.0."""
    kind = "001F" if unicode else "001E"

    def text(value: str) -> bytes:
        return (value + "\x00").encode("utf-16-le") if unicode else (value + "\x00").encode(f"cp{codepage}")

    streams: dict[str, bytes] = {}
    props = bytearray(bytes(8) + struct.pack("<IIII", 1, attachments, 1, attachments) + bytes(8))
    for prop, value in ((0x0037, subject), (0x0C1A, sender), (0x0E04, to), (0x1000, body), (0x001A, "IPM.Note")):
        if value:
            data = text(value)
            streams[f"__substg1.0_{prop:04X}{kind}"] = data
            props += struct.pack("<IIII", (prop << 16) | int(kind, 16), 6, len(data), 0)
    props += struct.pack("<IIiI", (0x3FFD << 16) | 0x0003, 6, codepage, 0)
    for prop, when in ((0x0039, sent), (0x0E06, delivered)):
        if when is not None:
            props += struct.pack("<IIQ", (prop << 16) | 0x0040, 6, filetime(when))
    streams["__properties_version1.0"] = bytes(props)
    root = Storage(streams)
    root.storages["__nameid_version1.0"] = Storage({"__substg1.0_00020102": bytes(16)})
    for n in range(attachments):
        root.storages[f"__attach_version1.0_#{n:08X}"] = Storage({
            "__substg1.0_3707001F": f"photo{n}.jpg\x00".encode("utf-16-le"),
            "__substg1.0_37010102": b"\xff\xd8\xff" + bytes(5000),
            "__properties_version1.0": bytes(8),
        })
    return write(root, **patch).data  # type: ignore[arg-type]


# --- Word 97-2003 documents ----------------------------------------------------------------------


def doc(pieces: list[tuple[str, bool]], title: str | None = None, created: dt.datetime | None = None,
        saved: dt.datetime | None = None, table: str = "1Table", encrypted: bool = False, nfib: int = 0x00C1,
        header: str = "", footer: str = "", **patch: object) -> bytes:
    """A Word 97 document: the text in ``pieces`` (each compressed cp1252 or UTF-16) in the
    WordDocument stream, its piece table in ``table``, and a SummaryInformation stream. ``header``
    and ``footer`` (paragraphs ending in '\r') are the odd-page header and footer of one section."""
    text_start = 0x800
    stream = bytearray(text_start)
    cps = [0]
    pcds = b""
    main = sum(len(text) for text, _compressed in pieces)
    # The header document: six empty separator stories, then one section's six stories, then the guard.
    stories = ["", "", "", "", "", "", "", header, "", footer, "", ""]
    hdd = [0]
    for story in stories:
        hdd.append(hdd[-1] + len(story))
    margins = "".join(stories) + "\r" if header or footer else ""
    for text, compressed in [*pieces, *([(margins, True)] if margins else [])]:
        fc = len(stream)
        if compressed:
            stream += text.encode("cp1252")
            pcds += struct.pack("<HIH", 0, (fc * 2) | 0x40000000, 0)
        else:
            stream += text.encode("utf-16-le")
            pcds += struct.pack("<HIH", 0, fc, 0)
        cps.append(cps[-1] + len(text))
    plc = struct.pack(f"<{len(cps)}I", *cps) + pcds
    clx = b"\x01" + struct.pack("<H", 3) + b"abc" + b"\x02" + struct.pack("<I", len(plc)) + plc
    flags = (0x0200 if table == "1Table" else 0) | (0x0100 if encrypted else 0)
    struct.pack_into("<HH", stream, 0, 0xA5EC, nfib)
    struct.pack_into("<H", stream, 0x0A, flags)
    struct.pack_into("<H", stream, 0x20, 14)
    struct.pack_into("<H", stream, 0x3E, 22)
    struct.pack_into("<iii", stream, 0x4C, main, 0, len(margins))  # ccpText, ccpFtn, ccpHdd
    struct.pack_into("<H", stream, 0x98, 0x5D)
    struct.pack_into("<II", stream, 0x9A + 8 * 33, 0, len(clx))  # fcClx, lcbClx
    plcfhdd = struct.pack(f"<{len(hdd)}I", *hdd) if margins else b""
    struct.pack_into("<II", stream, 0x9A + 8 * 11, len(clx), len(plcfhdd))  # fcPlcfHdd, lcbPlcfHdd
    streams = {"WordDocument": bytes(stream), table: clx + plcfhdd + bytes(64)}
    summary = summary_information(title, created, saved)
    if summary:
        streams["\x05SummaryInformation"] = summary
    return write(Storage(streams), **patch).data  # type: ignore[arg-type]


def summary_information(title: str | None, created: dt.datetime | None, saved: dt.datetime | None) -> bytes:
    values: list[tuple[int, bytes]] = [(1, struct.pack("<Ih2x", 0x02, 1252))]
    if title is not None:
        raw = title.encode("cp1252") + b"\x00"
        raw += bytes(-len(raw) % 4)
        values.append((2, struct.pack("<II", 0x1E, len(title) + 1) + raw))
    for pid, when in ((12, created), (13, saved)):
        if when is not None:
            values.append((pid, struct.pack("<IQ", 0x40, filetime(when))))
    if len(values) == 1:
        return b""
    offsets = []
    at = 8 + 8 * len(values)
    for _pid, value in values:
        offsets.append(at)
        at += len(value)
    section = struct.pack("<II", at, len(values)) + b"".join(
        struct.pack("<II", pid, off) for (pid, _v), off in zip(values, offsets, strict=True)
    ) + b"".join(v for _p, v in values)
    fmtid = uuid.UUID("F29F85E0-4FF9-1068-AB91-08002B27B3D9").bytes_le
    return struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + bytes(16) + struct.pack("<I", 1) + fmtid + \
        struct.pack("<I", 0x30) + section


def ppt_record(kind: int, body: bytes, instance: int = 0, container: bool = False) -> bytes:
    return struct.pack("<HHI", (instance << 4) | (0xF if container else 0), kind, len(body)) + body


def ppt(slides: list[str] = (), notes: list[str] = (), encrypted: bool = False) -> bytes:  # type: ignore[assignment]
    """A PowerPoint 97-2003 presentation as PowerPoint saves it: the document's slide list (each slide's
    text in a TextCharsAtom, lines ending in '\r') first, then a master whose placeholder text and the
    notes are elsewhere; ``encrypted`` adds the EncryptedSummary stream a password to open brings."""
    listed = b"".join(ppt_record(0x0F9F, struct.pack("<I", 0)) + ppt_record(0x0FA0, text.encode("utf-16-le"))
                      for text in slides)
    document = ppt_record(0x03E8, ppt_record(0x03E9, bytes(40)) + ppt_record(0x0FF0, listed, container=True),
                          container=True)
    master = ppt_record(0x03F8, ppt_record(0x0FA8, b"Click to edit Master title style"), container=True)
    noted = b"".join(ppt_record(0x03F0, ppt_record(0x0FA8, text.encode("latin-1")), container=True) for text in notes)
    streams = {"PowerPoint Document": document + master + noted, "\x05SummaryInformation": bytes(200),
               "Current User": bytes(40)}
    if encrypted:
        streams["EncryptedSummary"] = bytes(600)
    return write(Storage(streams)).data  # type: ignore[arg-type]


def xls() -> bytes:
    """An Excel 97-2003 workbook, as far as its container goes (a Workbook stream that holds no records)."""
    return write(Storage({"Workbook": b"\x09\x08" + bytes(5000), "\x05SummaryInformation": bytes(200)})).data


# --- Excel 97-2003 workbooks ----------------------------------------------------------------------


def biff_record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff_string(text: str, wide: bool | None = None, length_bytes: int = 2) -> bytes:
    """An XLUnicodeString: its length, a flags byte (1: UTF-16), its characters."""
    wide = any(ord(c) > 255 for c in text) if wide is None else wide
    data = text.encode("utf-16-le" if wide else "latin-1")
    return struct.pack("<H" if length_bytes == 2 else "<B", len(text)) + bytes([int(wide)]) + data


def workbook(strings: list[str] = (), cells: list[tuple[int, int, object]] = (), header: str = "",  # type: ignore[assignment]
             footer: str = "", formats: dict[int, str] | None = None, split_at: int | None = None,
             version: int = 0x0600, encrypted: bool = False, date1904: bool = False) -> bytes:
    """A BIFF8 Workbook stream as Excel writes it: the globals (formats, 16 style XFs and the cell XFs,
    the shared strings), then one sheet. ``cells`` are (row, col, value): a str is a shared-string cell,
    ("date", serial) a NUMBER in date format 14, ("rk", serial) an RK in format 14, ("custom", serial) a
    NUMBER in the custom format 164, ("formula", serial) a FORMULA in format 14, a float a plain NUMBER.
    ``split_at`` continues the shared strings in a CONTINUE record after that many characters of the
    last string, which then goes on in UTF-16."""
    formats = {164: "dd/mm/yyyy", 165: '"Week "0'} if formats is None else formats
    out = biff_record(0x0809, struct.pack("<HH", version, 0x0005) + bytes(12))
    if encrypted:
        out += biff_record(0x002F, bytes(54))
    out += biff_record(0x0022, struct.pack("<H", int(date1904)))
    for number, code in formats.items():
        out += biff_record(0x041E, struct.pack("<H", number) + biff_string(code))
    for _ in range(16):
        out += biff_record(0x00E0, struct.pack("<HH", 0, 0) + bytes(16))
    for number_format in (14, 164, 165):  # XF 16: a date, 17: a custom date, 18: a custom number
        out += biff_record(0x00E0, struct.pack("<HH", 0, number_format) + bytes(16))
    sst = struct.pack("<II", len(strings), len(strings))
    continued = b""
    for i, text in enumerate(strings):
        if split_at is not None and i == len(strings) - 1:
            head, tail = text[:split_at], text[split_at:]
            sst += struct.pack("<H", len(text)) + b"\x00" + head.encode("latin-1")
            continued = b"\x01" + tail.encode("utf-16-le")
        else:
            sst += biff_string(text)
    out += biff_record(0x00FC, sst)
    if continued:
        out += biff_record(0x003C, continued)
    out += biff_record(0x000A, b"")
    out += biff_record(0x0809, struct.pack("<HH", version, 0x0010) + bytes(12))
    if header:
        out += biff_record(0x0014, biff_string(header))
    if footer:
        out += biff_record(0x0015, biff_string(footer))
    for row, col, value in cells:
        if isinstance(value, str):
            out += biff_record(0x00FD, struct.pack("<HHHI", row, col, 15, strings.index(value)))
        elif isinstance(value, float):
            out += biff_record(0x0203, struct.pack("<HHHd", row, col, 15, value))
        else:
            kind, serial = value  # type: ignore[misc]
            if kind == "date":
                out += biff_record(0x0203, struct.pack("<HHHd", row, col, 16, serial))
            elif kind == "custom":
                out += biff_record(0x0203, struct.pack("<HHHd", row, col, 17, serial))
            elif kind == "week":
                out += biff_record(0x0203, struct.pack("<HHHd", row, col, 18, serial))
            elif kind == "rk":
                out += biff_record(0x027E, struct.pack("<HHHI", row, col, 16, (int(serial) << 2) | 0x02))
            elif kind == "formula":
                out += biff_record(0x0006, struct.pack("<HHHdHI", row, col, 16, serial, 0, 0) + b"\x00\x00")
    out += biff_record(0x000A, b"")
    return out


def xls_file(stream: bytes) -> bytes:
    """An .xls file holding the Workbook stream ``stream``."""
    return write(Storage({"Workbook": stream, "\x05SummaryInformation": bytes(200)})).data  # type: ignore[arg-type]
