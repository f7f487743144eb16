"""Reading a file whole, once, for every pass that needs its bytes (hash, type, a PDF's structure
and pages, an image's pixels), when it is small enough to hold in memory."""

from __future__ import annotations

import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

# Bytes: a file up to this size is read into memory once, for every pass. Every scan and phone photo
# fits (a 12 MP photo is 3-6 MB, a 48 MP one up to 15); on a network drive each further open and read
# costs milliseconds. Two workers then hold at most 32 MB more.
SMALL_FILE = 16 * 1024 * 1024

_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def read_small(path: Path, limit: int = SMALL_FILE) -> bytes | None:
    """The whole content of a regular file of at most ``limit`` bytes, read once; else None.

    None, too, for anything that is not a regular file (a pipe is opened without waiting for a
    writer) and for any error: the caller then reads the file the ordinary way.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        parts: list[bytes] = []
        got = 0
        while got <= limit:
            part = os.read(fd, limit + 1 - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts) if got <= limit else None  # grown past the limit meanwhile
    except OSError:
        return None
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Span:
    """A file's bytes inside another file: an entry of a received zip that `audit` reads straight from
    the zip instead of unpacking it to a temporary file first (``archive.prespool``).

    ``identity`` is the container's (device, inode, size, modification time in ns) when the entry was
    checked against the zip's checksum; a container that differs now is not read. ``deflated``, for a
    small entry compressed with deflate, is the number of compressed bytes at ``offset``, inflated to
    ``length`` bytes whose CRC-32 must be ``crc``.
    """

    container: Path
    offset: int
    length: int
    identity: tuple[int, int, int, int]
    deflated: int = 0
    crc: int = 0


def read_span(span: Span) -> bytes | None:
    """The bytes of ``span``, read once; None when the container changed since or cannot be read."""
    if span.length > SMALL_FILE or span.offset < 0 or span.length < 0 or not 0 <= span.deflated <= SMALL_FILE:
        return None
    stored = span.deflated or span.length
    try:
        fd = os.open(span.container, _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) != span.identity:
            return None
        parts: list[bytes] = []
        got = 0
        while got < stored:
            part = os.pread(fd, stored - got, span.offset + got)
            if not part:
                return None
            parts.append(part)
            got += len(part)
    except OSError:
        return None
    finally:
        os.close(fd)
    data = b"".join(parts)
    return _inflated(data, span) if span.deflated else data


def _inflated(data: bytes, span: Span) -> bytes | None:
    """Raw deflate data inflated to exactly ``span.length`` bytes with the expected CRC-32; else None."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, span.length + 1)  # never more than one byte past the size
    except zlib.error:
        return None
    if len(out) != span.length or not inflater.eof or zlib.crc32(out) != span.crc:
        return None
    return out
