"""Reading the entries of a scanned zip as bounded streams.

The bytes are decompressed here, chunk by chunk, with every decompressor asked for at
most CHUNK bytes at a time, so memory stays flat whatever an entry claims or really holds.
An entry that produces more than it declared is stopped at once.
"""

from __future__ import annotations

import bz2
import hashlib
import lzma
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

from packager.archive import _messages as msg
from packager.archive._layout import read_local_header
from packager.archive.scan import ArchiveEntry, ArchiveScan, EntrySpan, FileIdentity
from packager.errors import InputError
from packager.findings import Finding, Severity
from packager.inspect.smallfile import Span
from packager.rules import ArchiveRules

CHUNK = 1024 * 1024


class EntryError(Exception):
    """An entry could not be read safely; ``finding`` says why (zip-corrupt or zip-bomb)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class _Decompressor(Protocol):
    @property
    def needs_input(self) -> bool: ...

    @property
    def eof(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int) -> bytes: ...


class _Stored:
    def __init__(self, size: int) -> None:
        self._left = size

    @property
    def needs_input(self) -> bool:
        return True

    @property
    def eof(self) -> bool:
        return self._left <= 0

    def decompress(self, data: bytes, max_length: int) -> bytes:
        self._left -= len(data)
        return data


class _Inflate:
    """Raw deflate with zlib; ``max_length`` bounds each call's output."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        self._full = False

    @property
    def needs_input(self) -> bool:
        # A call that filled its output may have more waiting inside zlib.
        return not self._d.unconsumed_tail and not self._full

    @property
    def eof(self) -> bool:
        return self._d.eof

    def decompress(self, data: bytes, max_length: int) -> bytes:
        out = self._d.decompress(self._d.unconsumed_tail or data, max_length)
        self._full = len(out) >= max_length
        return out


class _ZipLzma:
    """LZMA as zip stores it (APPNOTE 5.8.8): a 4-byte header, the properties, raw LZMA1."""

    def __init__(self) -> None:
        self._head = b""
        self._inner: lzma.LZMADecompressor | None = None

    @property
    def needs_input(self) -> bool:
        return self._inner is None or self._inner.needs_input

    @property
    def eof(self) -> bool:
        return self._inner is not None and self._inner.eof

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            self._head += data
            if len(self._head) < 4:
                return b""
            props_size = int.from_bytes(self._head[2:4], "little")
            if len(self._head) < 4 + props_size:
                return b""
            props = self._head[4 : 4 + props_size]
            data = self._head[4 + props_size :]
            self._head = b""
            self._inner = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[_lzma1_filter(props)])
        return self._inner.decompress(data, max_length)


def _lzma1_filter(props: bytes) -> dict[str, Any]:
    if len(props) != 5 or props[0] >= 9 * 5 * 5:
        raise lzma.LZMAError("bad LZMA properties")
    pb, rest = divmod(props[0], 45)
    lp, lc = divmod(rest, 9)
    dict_size = int.from_bytes(props[1:5], "little")
    return {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}


def _decompressor(method: int, compressed_size: int) -> _Decompressor:
    if method == 0:
        return _Stored(compressed_size)
    if method == 8:
        return _Inflate()
    if method == 12:
        return bz2.BZ2Decompressor()
    if method == 14:
        return _ZipLzma()
    raise ValueError(f"unsupported compression method {method}")


@contextmanager
def spool_directory() -> Iterator[Path]:
    """A private temporary folder (mode 0700) for ``EntryReader.spool``, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="packager-audit-") as name:
        yield Path(name)


# A spool file is always new and private: never an existing file or a link planted in its place.
_SPOOL_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


class EntryReader:
    """Reads entries of a scanned archive as bounded streams.

    Only entries listed in ``scan.entries`` can be read. The file is opened once and
    checked to be the very file that was scanned.
    """

    def __init__(self, scan: ArchiveScan, limits: ArchiveRules) -> None:
        self._scan = scan
        self._limits = limits
        self._entries = {entry.index: entry for entry in scan.entries}
        try:
            self._file: BinaryIO = scan.path.open("rb")
        except OSError as exc:
            raise InputError(
                f"cannot read this zip any more ({exc.strerror or exc})", file=scan.path
            ) from None
        if scan.identity is not None and FileIdentity.of(os.fstat(self._file.fileno())) != (
            scan.identity
        ):
            self._file.close()
            raise InputError(
                "the zip changed while it was being checked", file=scan.path, hint=msg.RESEND
            )

    def __enter__(self) -> EntryReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def read_bytes(self, entry: ArchiveEntry, max_bytes: int) -> bytes:
        """The whole entry in memory, for small files such as manifest.json.

        Raises EntryError when it is larger than ``max_bytes`` (checked before reading)
        or damaged.
        """
        span = self._span(entry)
        if entry.size > max_bytes:
            size, limit = msg.sizes_apart(entry.size, max_bytes)
            raise EntryError(
                Finding(
                    msg.BOMB,
                    Severity.ERROR,
                    f"The entry '{entry.name}' is {size} once unpacked, more than the "
                    f"{limit} this tool reads for a file "
                    "of its kind, so it was not read.",
                    "Ask the company to check this file: it is far larger than a file of "
                    "this kind should be. " + msg.RESEND,
                    entry.name,
                )
            )
        data = bytearray()
        for chunk in self._stream(entry, span):
            data += chunk
        return bytes(data)

    def spool(self, entry: ArchiveEntry, directory: Path) -> tuple[Path, str]:
        """Stream the entry into a new file inside ``directory``, hashing it on the way.

        The file is named after the entry's index, never its name, and is created
        exclusively, so nothing can be written outside ``directory``. On any error the
        partial file is removed and EntryError (or OSError for a local disk problem) is
        raised. Returns the file and its SHA-256 as hex.
        """
        target, sha, _head = self.spool_with_head(entry, directory, 0)
        return target, sha

    def spool_with_head(self, entry: ArchiveEntry, directory: Path, head_size: int) -> tuple[Path, str, bytes]:
        """``spool``, and the entry's first ``head_size`` bytes as they went by (no second read)."""
        span = self._span(entry)
        target = directory / f"entry-{entry.index:05d}.bin"
        try:
            fd = os.open(target, _SPOOL_FLAGS, 0o600)
        except FileExistsError:  # spooled before: a new name beside it
            fd, name = tempfile.mkstemp(prefix=f"entry-{entry.index:05d}-", suffix=".bin", dir=directory)
            target = Path(name)
        done = False
        try:
            with os.fdopen(fd, "wb") as out:
                sha, head = self._hash(entry, span, head_size, out.write)
            done = True
        finally:
            if not done:
                target.unlink(missing_ok=True)
        return target, sha, head

    def hash_with_head(self, entry: ArchiveEntry, head_size: int) -> tuple[str, bytes]:
        """The entry's SHA-256 and first ``head_size`` bytes, after every check ``spool`` makes (its
        checksum included), with nothing written: for an entry then read where it is (``in_place_span``)."""
        return self._hash(entry, self._span(entry), head_size)

    def _hash(self, entry: ArchiveEntry, span: EntrySpan, head_size: int,
              write: Callable[[bytes], object] | None = None) -> tuple[str, bytes]:
        """SHA-256 (hex) and first ``head_size`` bytes of the entry's stream, each chunk also given to
        ``write`` when there is one."""
        digest = hashlib.sha256()
        head = b""
        for chunk in self._stream(entry, span):
            if len(head) < head_size:
                head += chunk[: head_size - len(head)]
            digest.update(chunk)
            if write is not None:
                write(chunk)
        return digest.hexdigest(), head

    def _span(self, entry: ArchiveEntry) -> EntrySpan:
        if self._entries.get(entry.index) != entry or entry.index not in self._scan.spans:
            raise ValueError(f"'{entry.name}' is not one of the entries this scan found safe to read")
        return self._scan.spans[entry.index]

    def _stream(self, entry: ArchiveEntry, span: EntrySpan) -> Iterator[bytes]:
        """The entry's uncompressed bytes in chunks of at most CHUNK; every check on the way."""
        if entry.size > self._limits.max_entry_bytes:
            size, limit = msg.sizes_apart(entry.size, self._limits.max_entry_bytes)
            raise EntryError(
                msg.bomb(
                    entry.name,
                    f"would take up {size} once unpacked, more than the {limit} limit for one file",
                )
            )
        got = read_local_header(self._file, span.header_offset)
        if got is None or (got[0].name_length, got[1]) != (span.name_length, span.name_digest):
            raise EntryError(msg.corrupt(entry.name, "is no longer where the zip said it was"))
        if span.compressed_size == 0 and entry.size == 0:
            if entry.crc != 0:
                raise EntryError(_bad_crc(entry))
            return
        decompressor = _decompressor(entry.method, span.compressed_size)
        self._file.seek(span.data_offset)
        remaining = span.compressed_size
        produced = 0
        crc = 0
        while True:
            if decompressor.needs_input:
                if remaining == 0:
                    break
                data = self._file.read(min(CHUNK, remaining))
                if not data:
                    raise EntryError(
                        msg.corrupt(entry.name, "runs past the end of the zip file")
                    )
                remaining -= len(data)
            else:
                data = b""
            try:
                out = decompressor.decompress(data, CHUNK)
            except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
                raise EntryError(
                    msg.corrupt(entry.name, "cannot be unpacked: its compressed data is damaged")
                ) from None
            if out:
                produced += len(out)
                if produced > entry.size:
                    raise EntryError(
                        msg.corrupt(
                            entry.name,
                            "holds more data than the zip says it does (more than "
                            f"{entry.size:,} bytes), so reading it was stopped",
                        )
                    )
                crc = zlib.crc32(out, crc)
                yield out
            if decompressor.eof:
                break
        if produced != entry.size:
            raise EntryError(
                msg.corrupt(
                    entry.name,
                    f"is shorter than the zip says ({produced:,} of {entry.size:,} bytes)",
                )
            )
        if crc != entry.crc:
            raise EntryError(_bad_crc(entry))


def in_place_span(scan: ArchiveScan, entry: ArchiveEntry, limit: int, inflate_limit: int) -> Span | None:
    """Where an entry's bytes lie in the zip, to be read there instead of unpacked: an uncompressed
    entry of at most ``limit`` bytes, or a deflated one of at most ``inflate_limit``. None for others,
    an empty entry, or a zip whose identity is unknown."""
    span = scan.spans.get(entry.index)
    if span is None or scan.identity is None or entry.size == 0:
        return None
    known = scan.identity
    identity = (known.device, known.inode, known.size, known.mtime_ns)
    if entry.method == 0 and span.compressed_size == entry.size and entry.size <= limit:
        return Span(scan.path, span.data_offset, entry.size, identity)
    if entry.method == 8 and entry.size <= inflate_limit and 0 < span.compressed_size <= limit:
        return Span(scan.path, span.data_offset, entry.size, identity, deflated=span.compressed_size, crc=entry.crc)
    return None


def _bad_crc(entry: ArchiveEntry) -> Finding:
    return msg.corrupt(
        entry.name,
        "is damaged: its contents do not match the checksum stored in the zip",
    )
