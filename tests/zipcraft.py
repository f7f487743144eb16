"""Craft zips byte by byte, hostile ones included, for the archive-reader tests.

``RawEntry`` + ``build`` write local headers, data, central directory and end records
with every field under the test's control (names as raw bytes, lying sizes, shared
offsets, zip64, prepended junk). The named helpers build each hostile archive the
archive reader must catch. Nothing here is committed as a binary: every archive is made
in the test that uses it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

STORED = 0
DEFLATED = 8
FLAG_ENCRYPTED = 0x0001
FLAG_DESCRIPTOR = 0x0008
FLAG_STRONG = 0x0040
FLAG_UTF8 = 0x0800
U32 = 0xFFFFFFFF
MODE_FILE = 0o100644 << 16
MODE_LINK = 0o120777 << 16


def deflate(data: bytes) -> bytes:
    """Raw deflate, as zip stores it."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def deflate_zeros(n: int) -> bytes:
    """Raw deflate of ``n`` zero bytes, built in 1 MiB steps to keep memory small."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1024 * 1024)
    parts = []
    while n > 0:
        step = min(n, len(block))
        parts.append(c.compress(block[:step]))
        n -= step
    parts.append(c.flush())
    return b"".join(parts)


@dataclass(frozen=True)
class RawEntry:
    """One entry, every header field under control.

    ``data`` is what is stored (already compressed when ``method`` is 8). ``size`` and
    ``crc`` describe the uncompressed content. ``local_*`` override the local header only.
    ``write_local=False`` writes neither header nor data, and ``header_offset`` makes the
    central directory point wherever the test likes (another entry's header, inside data).
    """

    name: bytes
    data: bytes = b""
    size: int = 0
    crc: int = 0
    method: int = STORED
    flags: int = 0
    external_attr: int = MODE_FILE
    create_system: int = 3
    extra: bytes = b""
    local_name: bytes | None = None
    local_flags: int | None = None
    local_method: int | None = None
    local_crc: int | None = None
    local_sizes: tuple[int, int] | None = None  # (compressed, uncompressed)
    compressed_size: int | None = None  # declared, defaults to len(data)
    header_offset: int | None = None  # what the central directory records
    write_local: bool = True
    zip64: bool = False


def stored(name: str | bytes, content: bytes, **kw: object) -> RawEntry:
    raw = name.encode() if isinstance(name, str) else name
    flags = FLAG_UTF8 if isinstance(name, str) and not name.isascii() else 0
    entry = RawEntry(raw, content, len(content), zlib.crc32(content), STORED, flags)
    return replace(entry, **kw)  # type: ignore[arg-type]


def deflated(name: str | bytes, content: bytes, **kw: object) -> RawEntry:
    raw = name.encode() if isinstance(name, str) else name
    flags = FLAG_UTF8 if isinstance(name, str) and not name.isascii() else 0
    entry = RawEntry(raw, deflate(content), len(content), zlib.crc32(content), DEFLATED, flags)
    return replace(entry, **kw)  # type: ignore[arg-type]


def directory(name: str) -> RawEntry:
    return RawEntry(name.encode(), external_attr=(0o40755 << 16) | 0x10)


@dataclass
class Layout:
    """What ``build`` wrote where, for tests that patch bytes afterwards."""

    header_offsets: list[int] = field(default_factory=list)
    data_offsets: list[int] = field(default_factory=list)
    cd_offset: int = 0
    eocd_offset: int = 0


def _zip64_extra(size: int, csize: int, offset: int | None) -> bytes:
    body = struct.pack("<QQ", size, csize)
    if offset is not None:
        body += struct.pack("<Q", offset)
    return struct.pack("<HH", 1, len(body)) + body


def build(
    entries: Sequence[RawEntry],
    *,
    prefix: bytes = b"",
    comment: bytes = b"",
    zip64_end: bool = False,
    declared_count: int | None = None,
    disk: int = 0,
    layout: Layout | None = None,
) -> bytes:
    """Write a whole archive. Offsets recorded in it do not count ``prefix``."""
    out = io.BytesIO()
    out.write(prefix)
    base = len(prefix)
    lay = layout if layout is not None else Layout()
    for e in entries:
        offset = out.tell() - base
        lay.header_offsets.append(offset)
        csize = e.compressed_size if e.compressed_size is not None else len(e.data)
        lc, lu = e.local_sizes if e.local_sizes is not None else (csize, e.size)
        local_extra = e.extra
        if e.zip64:
            local_extra = _zip64_extra(lu, lc, None) + local_extra
            lc, lu = U32, U32
        if e.write_local:
            name = e.local_name if e.local_name is not None else e.name
            out.write(
                struct.pack(
                    "<4sHHHHHIIIHH",
                    b"PK\x03\x04",
                    45 if e.zip64 else 20,
                    e.flags if e.local_flags is None else e.local_flags,
                    e.method if e.local_method is None else e.local_method,
                    0,
                    0x21,
                    e.crc if e.local_crc is None else e.local_crc,
                    lc,
                    lu,
                    len(name),
                    len(local_extra),
                )
            )
            out.write(name + local_extra)
        lay.data_offsets.append(out.tell() - base)
        if e.write_local:
            out.write(e.data)
    cd_offset = out.tell() - base
    lay.cd_offset = cd_offset + base
    for i, e in enumerate(entries):
        offset = e.header_offset if e.header_offset is not None else lay.header_offsets[i]
        csize = e.compressed_size if e.compressed_size is not None else len(e.data)
        size, extra = e.size, e.extra
        if e.zip64:
            extra = _zip64_extra(size, csize, offset) + extra
            size, csize, offset = U32, U32, U32
        out.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                (e.create_system << 8) | 45,
                45 if e.zip64 else 20,
                e.flags,
                e.method,
                0,
                0x21,
                e.crc,
                csize,
                size,
                len(e.name),
                len(extra),
                0,
                0,
                0,
                e.external_attr,
                offset,
            )
        )
        out.write(e.name + extra)
    cd_size = out.tell() - base - cd_offset
    count = len(entries) if declared_count is None else declared_count
    if zip64_end:
        eocd64 = out.tell() - base
        out.write(
            struct.pack(
                "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, disk, disk, count, count, cd_size,
                cd_offset,
            )
        )  # fmt: skip
        out.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, eocd64, 1))
        small = (0xFFFF, 0xFFFF, U32, U32)
    else:
        small = (min(count, 0xFFFF), min(count, 0xFFFF), cd_size, cd_offset)
    lay.eocd_offset = out.tell()
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", disk, disk, *small, len(comment)) + comment
    )
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- ready-made hostile archives ------------------------------------------------------


def with_names(names: Iterable[str | bytes], content: bytes = b"hello\n") -> bytes:
    """Stored entries with exactly these names (no cleaning at all)."""
    return build([stored(n, content) for n in names])


def symlink_zip() -> bytes:
    return build(
        [stored("ok.txt", b"fine\n"), stored("link", b"/etc/passwd", external_attr=MODE_LINK)]
    )


def declared_bomb(declared: int = 3 * 1024**3, real_zeros: int = 8 * 1024**2) -> bytes:
    """A real deflate stream of ``real_zeros`` zeros whose headers claim ``declared`` bytes."""
    data = deflate_zeros(real_zeros)
    crc = zlib.crc32(bytes(real_zeros))
    big = declared > U32
    return build(
        [RawEntry(b"bomb.bin", data, declared, crc, DEFLATED, zip64=big)], zip64_end=big
    )


def zeros_entry(name: str, n: int) -> RawEntry:
    """An honest deflated entry of ``n`` zeros (the highest ratio deflate can reach)."""
    return RawEntry(name.encode(), deflate_zeros(n), n, zlib.crc32(bytes(n)), DEFLATED)


def shared_header_bomb(copies: int = 5) -> bytes:
    """zbsm-style: several central-directory entries all pointing at one local header."""
    text = b"A" * 100_000
    first = RawEntry(b"kernel.bin", deflate(text), len(text), zlib.crc32(text), DEFLATED)
    more = [
        replace(first, name=f"copy{i}.bin".encode(), header_offset=0, write_local=False)
        for i in range(copies - 1)
    ]
    return build([first, *more])


def quoted_overlap_bomb() -> bytes:
    """Fifield's trick in miniature: entry A's stored data *contains* entry B's local header.

    Every header is genuine (names, CRCs and sizes all match), so only the overlap check
    catches it.
    """
    inner = stored("b.txt", b"inner data\n")
    inner_local = build([inner])[: 30 + len(inner.name) + len(inner.data)]
    outer = stored("a.txt", inner_local)
    pointer = replace(inner, write_local=False, header_offset=30 + len(outer.name))
    return build([outer, pointer])


def zipcrypto_encrypt(plain: bytes, password: bytes, crc: int) -> bytes:
    """Traditional PKWARE encryption (APPNOTE 6.1), with the 12-byte header."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc_byte(c: int, b: int) -> int:
        return zlib.crc32(bytes([b]), c ^ U32) ^ U32

    def update(b: int) -> None:
        keys[0] = crc_byte(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & U32
        keys[2] = crc_byte(keys[2], (keys[1] >> 24) & 0xFF)

    for b in password:
        update(b)
    header = bytes(range(11)) + bytes([(crc >> 24) & 0xFF])
    out = bytearray()
    for b in header + plain:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(b ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        update(b)
    return bytes(out)


def zipcrypto_zip() -> bytes:
    secret = b"password is swordfish\n"
    crc = zlib.crc32(secret)
    data = zipcrypto_encrypt(secret, b"swordfish", crc)
    entry = RawEntry(b"secret.txt", data, len(secret), crc, STORED, FLAG_ENCRYPTED)
    return build([stored("open.txt", b"open\n"), entry])


def aes_zip() -> bytes:
    # WinZip AES: method 99, the real method in extra field 0x9901 (vendor "AE", AES-256).
    extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, DEFLATED)
    entry = RawEntry(b"aes.txt", bytes(40), 12, 0, 99, FLAG_ENCRYPTED, extra=extra)
    return build([entry])


def strong_encryption_zip() -> bytes:
    entry = RawEntry(b"strong.txt", bytes(40), 12, 0, STORED, FLAG_ENCRYPTED | FLAG_STRONG)
    return build([entry])


def many_entries(n: int) -> bytes:
    return build([stored(f"f{i:05d}.txt", b"x") for i in range(n)])


def nested_zip() -> bytes:
    inner = build([stored("inside.txt", b"inside\n")])
    return build([stored("docs/inner.zip", inner), stored("readme.txt", b"hi\n")])


def unicode_path_extra(name: bytes, unicode_name: str, *, crc: int | None = None) -> bytes:
    body = struct.pack("<BI", 1, zlib.crc32(name) if crc is None else crc)
    body += unicode_name.encode()
    return struct.pack("<HH", 0x7075, len(body)) + body


def zipfile_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An ordinary archive written by Python's zipfile, as a friendly baseline."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def flip_byte(data: bytes, offset: int) -> bytes:
    patched = bytearray(data)
    patched[offset] ^= 0xFF
    return bytes(patched)
