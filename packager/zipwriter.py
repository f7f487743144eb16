"""Write zips deterministically: sorted entries, fixed times and permissions, UTF-8 names.

Same inputs give byte-identical archives. Data is streamed in chunks, so memory does not grow
with file size, and already-compressed data is stored rather than deflated again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from packager.atomic import atomic_output
from packager.errors import os_input_error
from packager.safetext import printable_path

CHUNK = 1024 * 1024
PROBE_BYTES = 256 * 1024
ZIP64_LIMIT = 0x7FFFFFFF
UTF8_FLAG = 0x800
FILE_MODE = 0o100644
DIR_MODE = 0o40755


class _Utf8ZipInfo(ZipInfo):
    """Always UTF-8 names with the UTF-8 flag (zipfile sets it only for non-ASCII names)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("utf-8"), self.flag_bits | UTF8_FLAG


@dataclass(frozen=True)
class ZipItem:
    """One entry: its name in the zip and where its bytes come from (a file or in-memory data)."""

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    compress: bool = True
    sha256: str | None = None  # when given, the source must still have this content


class SourceChanged(Exception):
    """A source file changed between the checks and the build."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(str(path))


def zip_timestamp(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    # A zip timestamp holds 1980 to 2107: clamp rather than fail on a date beyond it.
    when = min(max(when.replace(tzinfo=None), dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58))
    # DOS times have 2-second resolution: round down so every writer agrees.
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def worth_deflating(path: Path) -> bool:
    """Probe the start of a file: deflate only when it actually shrinks (>10%)."""
    with path.open("rb") as fh:
        head = fh.read(PROBE_BYTES)
    if not head:
        return False
    return len(zlib.compress(head, 1)) < 0.9 * len(head)


def write_zip(
    target: Path, items: Iterable[ZipItem], when: dt.datetime, then: Callable[[], Iterable[ZipItem]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `items`, then the items `then()` returns, to `target` atomically; return the size in bytes.

    `then` lets slow in-memory items (rendered PDFs, the manifest) be produced while the big files are
    copied. The central directory, which is what every tool lists, is sorted by name either way.
    `progress` is called with the number of bytes of each chunk copied from a source file.
    """
    stamp = zip_timestamp(when)
    with atomic_output(target) as raw, ZipFile(raw, "w", allowZip64=True) as zf:
        _write_items(zf, sorted(items, key=lambda i: i.arcname), stamp, progress)
        if then is not None:
            _write_items(zf, sorted(then(), key=lambda i: i.arcname), stamp, progress)
        zf.filelist.sort(key=lambda info: info.filename)
    return os.path.getsize(target)


def _write_items(
    zf: ZipFile, ordered: list[ZipItem], stamp: tuple[int, int, int, int, int, int],
    progress: Callable[[int], None] | None = None,
) -> None:
    for item in ordered:
        info = _Utf8ZipInfo(item.arcname, date_time=stamp)
        info.create_system = 3  # unix, so the mode bits below are honoured everywhere
        info.external_attr = FILE_MODE << 16
        info.compress_type = ZIP_DEFLATED if item.compress else ZIP_STORED
        if item.data is not None:
            _write_bytes(zf, info, item.data)
        elif item.source is not None:
            try:
                src = item.source.open("rb")
                size = os.fstat(src.fileno()).st_size
            except OSError as exc:
                raise os_input_error(exc, "this file could not be read into the zip", printable_path(str(item.source)),
                                     hint=_SOURCE_HINT) from None
            digest = hashlib.sha256()
            with src, zf.open(info, "w", force_zip64=size > ZIP64_LIMIT) as dst:
                while chunk := _read_source(src, item.source):
                    digest.update(chunk)
                    dst.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
            if item.sha256 is not None and digest.hexdigest() != item.sha256:
                raise SourceChanged(item.source)
        else:
            raise ValueError(f"{item.arcname}: no data")


_SOURCE_HINT = "Make sure nobody moves or locks the folder's files during the build, then run it again"


def _read_source(src: BinaryIO, path: Path) -> bytes:
    try:
        return src.read(CHUNK)
    except OSError as exc:
        raise os_input_error(exc, "this file could not be read into the zip", printable_path(str(path)),
                             hint=_SOURCE_HINT) from None


def _write_bytes(zf: ZipFile, info: ZipInfo, data: bytes) -> None:
    with zf.open(info, "w", force_zip64=len(data) > ZIP64_LIMIT) as dst:
        dst.write(data)
