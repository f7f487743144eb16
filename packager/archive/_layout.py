"""Low-level zip structures, parsed with ``struct`` straight from the file.

Nothing here trusts a number in the file: every offset and length is checked against the
real file size before it is used, and every read is bounded. ``zipfile`` is not used,
because it raises on many damaged archives that can still be listed, and because it only
guards against some tricks on newer Python releases.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import BinaryIO

from packager.archive.names import decode_raw_name, unicode_path_extra

EOCD_SIG = b"PK\x05\x06"
EOCD64_SIG = b"PK\x06\x06"
EOCD64_LOCATOR_SIG = b"PK\x06\x07"
CENTRAL_SIG = b"PK\x01\x02"
LOCAL_SIG = b"PK\x03\x04"

_EOCD = struct.Struct("<4sHHHHIIH")  # 22 bytes
_EOCD64_LOCATOR = struct.Struct("<4sIQI")  # 20 bytes
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")  # 56 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # 46 bytes
_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # 30 bytes

MAX_COMMENT = 0xFFFF
U16_MAX = 0xFFFF
U32_MAX = 0xFFFFFFFF
ZIP64_EXTRA = 0x0001
AES_EXTRA = 0x9901
# APPNOTE 7.2: version 6.2 is needed to read an archive whose central directory is encrypted.
CD_ENCRYPTION_VERSION = 62
FLAG_CD_MASKED = 0x2000


class LayoutError(Exception):
    """The file has no usable zip structure; ``str(self)`` says why in plain words."""


class CentralDirectoryEncrypted(Exception):
    """The list of entries itself is encrypted (PKWARE strong encryption, APPNOTE 7.2)."""


@dataclass(frozen=True)
class EndRecord:
    """What the end-of-central-directory record(s) say about the central directory."""

    entries: int
    cd_size: int
    cd_offset: int
    # Where the (zip64) end record starts: the central directory must end here.
    position: int
    zip64: bool
    version_needed: int


@dataclass(frozen=True)
class CentralDirectory:
    """Where the central directory really is, and how far the offsets in it are shifted."""

    start: int
    # Bytes prepended to the archive after it was built (a self-extractor stub, junk):
    # every offset the archive records is this much too small.
    shift: int


@dataclass(frozen=True)
class CentralRecord:
    """One central-directory record, decoded, with its sizes taken from zip64 when used."""

    index: int
    raw_name_digest: bytes
    raw_name_length: int
    # The name from the name field, and from a valid Unicode Path extra field if present.
    # Both are cut to ``name_cap`` characters so a hostile archive cannot fill memory.
    raw_name: str
    unicode_name: str | None
    name_length: int
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int
    external_attr: int
    create_system: int
    version_needed: int
    problem: str | None = None
    modified: int = 0  # the DOS date and time fields as one number (date << 16 | time): later is larger

    @property
    def name(self) -> str:
        return self.unicode_name if self.unicode_name is not None else self.raw_name


@dataclass(frozen=True)
class LocalHeader:
    """The parts of a local file header the consistency checks need."""

    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    name_length: int
    extra_length: int

    @property
    def fixed_size(self) -> int:
        return _LOCAL.size + self.name_length + self.extra_length


def read_at(f: BinaryIO, offset: int, size: int) -> bytes:
    """Exactly the bytes at ``offset`` (fewer if the file ends first)."""
    f.seek(offset)
    return f.read(size)


def find_end_record(f: BinaryIO, file_size: int) -> EndRecord:
    """Find the end-of-central-directory record, following it to the zip64 one when present.

    Raises LayoutError when there is none or the archive spans several disks.
    """
    if file_size < _EOCD.size:
        raise LayoutError("it is too small to be a zip file")
    tail_start = max(0, file_size - _EOCD.size - MAX_COMMENT)
    tail = read_at(f, tail_start, file_size - tail_start)
    pos = len(tail)
    while True:
        pos = tail.rfind(EOCD_SIG, 0, pos)
        if pos < 0:
            raise LayoutError(
                "it is not a zip file, or it is incomplete (perhaps cut off while it was "
                "being downloaded or emailed): the end-of-zip record that lists its "
                "contents is missing"
            )
        if pos + _EOCD.size > len(tail):
            continue
        fields = _EOCD.unpack_from(tail, pos)
        # A comment that claims to run past the end of the file marks a false match
        # (e.g. the signature bytes inside compressed data). Trailing junk is tolerated.
        if pos + _EOCD.size + fields[7] <= len(tail):
            break
    _, disk, cd_disk, _on_disk, entries, cd_size, cd_offset, _comment_len = fields
    eocd_pos = tail_start + pos
    zip64 = _read_zip64_end(f, eocd_pos)
    if zip64 is not None:
        return zip64
    if disk != 0 or cd_disk != 0:
        raise _multi_disk()
    return EndRecord(entries, cd_size, cd_offset, eocd_pos, zip64=False, version_needed=0)


def _multi_disk() -> LayoutError:
    return LayoutError(
        "it is one part of a zip that was split into several files (a 'spanned' or "
        "'multi-part' zip), which cannot be read on its own"
    )


def _read_zip64_end(f: BinaryIO, eocd_pos: int) -> EndRecord | None:
    locator_pos = eocd_pos - _EOCD64_LOCATOR.size
    if locator_pos < 0:
        return None
    raw = read_at(f, locator_pos, _EOCD64_LOCATOR.size)
    if len(raw) < _EOCD64_LOCATOR.size:
        return None
    sig, eocd64_disk, eocd64_offset, total_disks = _EOCD64_LOCATOR.unpack(raw)
    if sig != EOCD64_LOCATOR_SIG:
        return None
    if eocd64_disk != 0 or total_disks > 1:
        raise _multi_disk()
    # The locator's offset is wrong when bytes were prepended to the archive; the record
    # then usually sits right before the locator.
    for candidate in (eocd64_offset, locator_pos - _EOCD64.size):
        if not 0 <= candidate <= locator_pos - _EOCD64.size:
            continue
        rec = read_at(f, candidate, _EOCD64.size)
        if len(rec) < _EOCD64.size or rec[:4] != EOCD64_SIG:
            continue
        (_, _size, _made, needed, disk, cd_disk, _on_disk, entries, cd_size, cd_offset) = (
            _EOCD64.unpack(rec)
        )
        if disk != 0 or cd_disk != 0:
            raise _multi_disk()
        return EndRecord(entries, cd_size, cd_offset, candidate, zip64=True, version_needed=needed)
    return None


def locate_central_directory(f: BinaryIO, end: EndRecord) -> CentralDirectory:
    """Find the first central-directory record.

    Trusts the recorded offset when a record is there; otherwise tries the spot right before
    the end record (an archive with bytes prepended). Raises CentralDirectoryEncrypted or
    LayoutError when neither holds one.
    """
    if end.entries == 0:
        return CentralDirectory(min(end.cd_offset, end.position), 0)
    declared = end.cd_offset
    if declared < end.position and read_at(f, declared, 4) == CENTRAL_SIG:
        return CentralDirectory(declared, 0)
    computed = end.position - end.cd_size
    if 0 <= computed < end.position and read_at(f, computed, 4) == CENTRAL_SIG:
        # Only a positive shift is a prepended stub; a negative one means bytes went
        # missing, and then the entries' own offsets are the best guess there is.
        return CentralDirectory(computed, max(0, computed - declared))
    if end.version_needed >= CD_ENCRYPTION_VERSION or _first_local_masked(f):
        raise CentralDirectoryEncrypted()
    raise LayoutError(
        "it is damaged: its table of contents is not where the zip says it is, so the "
        "files in it cannot be listed"
    )


def _first_local_masked(f: BinaryIO) -> bool:
    raw = read_at(f, 0, _LOCAL.size)
    if len(raw) < _LOCAL.size or raw[:4] != LOCAL_SIG:
        return False
    flags = _LOCAL.unpack(raw)[2]
    return bool(flags & FLAG_CD_MASKED)


def parse_extra(extra: bytes) -> list[tuple[int, bytes]]:
    """Split an extra field into (id, data) pairs; a truncated last field is dropped."""
    fields: list[tuple[int, bytes]] = []
    i = 0
    while i + 4 <= len(extra):
        field_id, size = struct.unpack_from("<HH", extra, i)
        data = extra[i + 4 : i + 4 + size]
        if len(data) < size:
            break
        fields.append((field_id, data))
        i += 4 + size
    return fields


def _apply_zip64(
    fields: list[tuple[int, bytes]], size: int, csize: int, offset: int, disk: int
) -> tuple[int, int, int, str | None]:
    """Replace the 0xFFFFFFFF placeholders with the values from the zip64 extra field."""
    wanted = [size == U32_MAX, csize == U32_MAX, offset == U32_MAX]
    if not any(wanted) and disk != U16_MAX:
        return size, csize, offset, None
    data = next((d for fid, d in fields if fid == ZIP64_EXTRA), None)
    values = [size, csize, offset]
    pos = 0
    for i, needed in enumerate(wanted):
        if not needed:
            continue
        if data is None or pos + 8 > len(data):
            return size, csize, offset, "its size or position is missing from the zip"
        values[i] = int.from_bytes(data[pos : pos + 8], "little")
        pos += 8
    return values[0], values[1], values[2], None


def read_central_directory(
    f: BinaryIO, end: EndRecord, cd: CentralDirectory, name_cap: int
) -> tuple[list[CentralRecord], str | None]:
    """Parse the records the end record declares, stopping at the first damaged one.

    Returns the records and, if the directory is cut short or disagrees with its declared
    size, a plain description of the problem.
    """
    records: list[CentralRecord] = []
    f.seek(cd.start)
    limit = end.position
    pos = cd.start
    for index in range(end.entries):
        head = f.read(_CENTRAL.size)
        if len(head) < _CENTRAL.size or head[:4] != CENTRAL_SIG or pos + _CENTRAL.size > limit:
            return records, _cut_short(len(records), end.entries)
        (
            _sig,
            made,
            needed,
            flags,
            method,
            dos_time,
            dos_date,
            crc,
            csize,
            usize,
            name_len,
            extra_len,
            comment_len,
            disk,
            _int_attr,
            ext_attr,
            offset,
        ) = _CENTRAL.unpack(head)
        pos += _CENTRAL.size + name_len + extra_len + comment_len
        if pos > limit:
            return records, _cut_short(len(records), end.entries)
        raw_name = f.read(name_len)
        extra = f.read(extra_len)
        f.seek(comment_len, 1)
        fields = parse_extra(extra)
        usize, csize, offset, problem = _apply_zip64(fields, usize, csize, offset, disk)
        decoded = decode_raw_name(raw_name, flags)
        unicode_name = unicode_path_extra(raw_name, fields)
        chosen = unicode_name if unicode_name is not None else decoded
        records.append(
            CentralRecord(
                index=index,
                raw_name_digest=hashlib.sha256(raw_name).digest(),
                raw_name_length=name_len,
                raw_name=decoded[:name_cap],
                unicode_name=unicode_name[:name_cap] if unicode_name is not None else None,
                name_length=len(chosen),
                flags=flags,
                method=method,
                crc=crc,
                compressed_size=csize,
                size=usize,
                header_offset=offset + cd.shift,
                external_attr=ext_attr,
                create_system=made >> 8,
                version_needed=needed,
                problem=problem,
                modified=dos_date << 16 | dos_time,
            )
        )
    if pos != cd.start + end.cd_size:
        return records, (
            "its table of contents does not match its own summary (it takes "
            f"{pos - cd.start:,} bytes but says it takes {end.cd_size:,})"
        )
    return records, None


def _cut_short(found: int, declared: int) -> str:
    return (
        f"its table of contents is cut short: it lists {found:,} of the {declared:,} "
        "entries it says it holds"
    )


def read_local_header(f: BinaryIO, offset: int) -> tuple[LocalHeader, bytes] | None:
    """The local header at ``offset`` and the SHA-256 of its name, or None if none is there."""
    raw = read_at(f, offset, _LOCAL.size)
    if len(raw) < _LOCAL.size or raw[:4] != LOCAL_SIG:
        return None
    (_sig, _ver, flags, method, _time, _date, crc, csize, usize, name_len, extra_len) = (
        _LOCAL.unpack(raw)
    )
    name = f.read(name_len)
    if len(name) < name_len:
        return None
    header = LocalHeader(flags, method, crc, csize, usize, name_len, extra_len)
    return header, hashlib.sha256(name).digest()
