"""Unpacking a received zip ahead, in a second process, while `audit` gets ready.

Before `audit` inspects anything it loads the file readers, reads the manifest and the plan, and
classifies every name: a few tenths of a second in which the second core has nothing to do. A
child process, forked at the start, unpacks entries in that time, largest first (the order the
workers take them), into the same private spool folders with the same bounded reader
(``EntryReader``), and reports each entry's file, SHA-256 and whether it starts like an archive.

An entry stored uncompressed (as `packager build` stores scans and photos) and small enough to be
read whole, or a small deflated one (a text PDF of a few kilobytes), is not copied at all: the child
reads it through the same checks, its checksum included, and reports its SHA-256; the worker then
reads its bytes straight from the zip, inflating a deflated one (``smallfile.read_span``, which
refuses a zip changed since). That saves writing, reading back and removing one temporary file per
entry.

Nothing is decided in the child. An entry it could not unpack (damaged, over a limit, a disk
problem) is unpacked again by the parent when its turn comes, which then reports the problem
exactly as without the child. Memory-folder bytes are reserved from the budget before the child
starts, so the budget holds as before, and an entry past the budget is left to the parent, which
waits for the workers to make room (``scan.Gate``).

Only on Linux, where the workers are forked too; elsewhere `audit` unpacks as it goes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from packager.archive.reader import EntryError, EntryReader, in_place_span
from packager.archive.scan import ArchiveEntry, ArchiveScan
from packager.archive.sniff import is_archive_magic, is_archive_name
from packager.archive.spool import MEMORY_ENTRY_MAX, SpoolFolders
from packager.inspect.smallfile import SMALL_FILE, Span
from packager.rules import ArchiveRules

# One report line is about 110 bytes: a 1 MiB pipe lets the child run 9,000 entries ahead of a
# parent that is not reading yet (the default 64 KiB would stop it after about 600).
PIPE_BYTES = 1024 * 1024
IN_PLACE = "-"  # reported instead of a file name for an entry read where it is in the zip
# A deflated entry up to this size is inflated by the worker that reads it, from the zip, instead of
# being unpacked to a temporary file: inflating a few kilobytes twice (the child inflates it too, to
# check and hash it) costs less than creating, reading back and removing a file (about 60 us). Measured on
# the bench zips: a gain at 2 KB (5,000 small PDFs), none left at 15 KB.
INFLATE_IN_PLACE_MAX = 8 * 1024


@dataclass(frozen=True)
class Unpacked:
    """An entry the child unpacked: its file (or, read in place, its place in the zip), its SHA-256
    (hex), and whether it starts like an archive."""

    source: Path | Span
    sha256: str
    archive_magic: bool


class Prespool:
    """The child unpacking ahead, seen from the parent: ``take`` an entry's result when its turn comes.

    Use ``start`` to make one; ``close`` always (it ends the child if it is still running).
    """

    def __init__(self, pid: int, read_fd: int, planned: dict[int, tuple[ArchiveEntry, Path | Span]],
                 folders: SpoolFolders) -> None:
        self._pid = pid
        self._read_fd = read_fd
        self._planned = planned  # entry index: (entry, its folder or its place in the zip), while the child runs
        self._untaken = set(planned)
        self._folders = folders
        self._reported: dict[int, Unpacked | None] = {}
        self._pending = b""
        self._ended = False

    def planned(self, entry: ArchiveEntry) -> bool:
        """Whether the child unpacks ``entry`` (done or still to come): taking it needs no new room."""
        return entry.index in self._untaken

    def take(self, entry: ArchiveEntry) -> Unpacked | None:
        """The child's result for ``entry``, waiting for it if need be; None when the parent must unpack it.

        None for an entry the child was not given, could not unpack, or never reached (it died):
        its memory reservation is given back, and the parent unpacks it as it would without a child.
        """
        if entry.index not in self._untaken:
            return None
        self._untaken.discard(entry.index)
        planned = self._planned[entry.index]
        while entry.index not in self._reported and not self._ended:
            self._read()
        got = self._reported.pop(entry.index, None)
        if got is None and planned[1] == self._folders.memory:
            self._folders.unused(entry.size)
        return got

    def close(self) -> None:
        """End the child (it may still be unpacking entries nobody took) and release the pipe."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = 0
        if self._read_fd >= 0:
            os.close(self._read_fd)
            self._read_fd = -1

    def _read(self) -> None:
        try:
            data = os.read(self._read_fd, 65536)
        except InterruptedError:
            return
        except OSError:
            data = b""
        if not data:
            self._ended = True
            return
        self._pending += data
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            self._record(line)

    def _record(self, line: bytes) -> None:
        fields = line.decode("ascii", "replace").split("\t")
        if len(fields) != 4 or not fields[0].isdigit():
            return
        index = int(fields[0])
        planned = self._planned.get(index)
        name = fields[3]
        if planned is None or not fields[1]:
            self._reported[index] = None
        elif isinstance(planned[1], Span):
            self._reported[index] = Unpacked(planned[1], fields[1], fields[2] == "1") if name == IN_PLACE else None
        elif not name.startswith("entry-") or "/" in name or "\\" in name:
            self._reported[index] = None
        else:
            self._reported[index] = Unpacked(planned[1] / name, fields[1], fields[2] == "1")


class AheadGate:
    """``scan.Gate`` over the spool folders while a child unpacks ahead: the entry that comes
    ``next`` takes no new room when the child has it, so it is never held back for room."""

    def __init__(self, folders: SpoolFolders, ahead: Prespool) -> None:
        self.folders = folders
        self.ahead = ahead
        self.next: ArchiveEntry | None = None

    def full(self) -> bool:
        return self.folders.full() and not (self.next is not None and self.ahead.planned(self.next))

    def done(self, indices: list[int]) -> None:
        self.folders.done(indices)


@contextlib.contextmanager
def unpacking_ahead(scan: ArchiveScan, limits: ArchiveRules, folders: SpoolFolders, head_bytes: int,
                    skip: Iterable[str] = ()) -> Iterator[Prespool | None]:
    """``start`` on every entry of ``scan`` but those named in ``skip`` (never inspected: read by the
    parent itself, or left out as system files), closed on leaving."""
    skipped = set(skip)
    ahead = start(scan, limits, folders, [e for e in scan.entries if e.name not in skipped], head_bytes)
    try:
        yield ahead
    finally:
        if ahead is not None:
            ahead.close()


def start(scan: ArchiveScan, limits: ArchiveRules, folders: SpoolFolders, entries: Iterable[ArchiveEntry],
          head_bytes: int) -> Prespool | None:
    """Fork a child that unpacks ``entries`` (files of ``scan``) ahead; None where that is not done.

    Entries named as archives are never opened, so they are left out. Entries are taken largest
    first; one read where it is (``in_place_span``) takes no room; of the others, small ones
    go to the memory folder while its budget lasts (reserved here), large ones to disk, and the
    first small one past the budget ends the list.
    """
    if not sys.platform.startswith("linux"):
        return None
    planned: dict[int, tuple[ArchiveEntry, Path | Span]] = {}  # in the order the child unpacks them
    for entry in sorted((e for e in entries if not e.is_dir and not is_archive_name(e.name)),
                        key=lambda e: (-e.size, e.index)):
        in_place = in_place_span(scan, entry, SMALL_FILE, INFLATE_IN_PLACE_MAX)
        if in_place is not None:
            planned[entry.index] = (entry, in_place)
            continue
        folder = folders.disk if entry.size > MEMORY_ENTRY_MAX else folders.pick(entry.size)
        if folder == folders.disk and entry.size <= MEMORY_ENTRY_MAX and folders.memory is not None:
            break  # the memory budget is spent: the rest waits for the workers to make room
        planned[entry.index] = (entry, folder)
    if not planned:
        return None
    order = list(planned.values())
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        _give_back(folders, order)
        return None
    with contextlib.suppress(OSError, AttributeError):
        import fcntl

        fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        _give_back(folders, order)
        return None
    if pid == 0:
        os.close(read_fd)
        _unpack_all(scan, limits, order, head_bytes, write_fd)
    os.close(write_fd)
    return Prespool(pid, read_fd, planned, folders)


def _give_back(folders: SpoolFolders, order: list[tuple[ArchiveEntry, Path | Span]]) -> None:
    for entry, folder in order:
        if folder == folders.memory:
            folders.unused(entry.size)


def _unpack_all(scan: ArchiveScan, limits: ArchiveRules, order: list[tuple[ArchiveEntry, Path | Span]],
                head_bytes: int, write_fd: int) -> NoReturn:
    """The child: unpack each entry in turn and report it; never returns."""
    code = 1
    try:
        # Its own reader: a file object shared with the parent would share its read position too.
        with EntryReader(scan, limits) as reader:
            for entry, place in order:
                try:
                    if isinstance(place, Span):
                        sha, head = reader.hash_with_head(entry, head_bytes)
                        name = IN_PLACE
                    else:
                        target, sha, head = reader.spool_with_head(entry, place, head_bytes)
                        name = target.name
                    line = f"{entry.index}\t{sha}\t{int(is_archive_magic(head))}\t{name}\n"
                except (EntryError, OSError, ValueError):
                    line = f"{entry.index}\t\t\t\n"
                _write_all(write_fd, line.encode("ascii", "replace"))
        code = 0
    except BaseException:  # whatever happens, the parent unpacks what is left
        pass
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


__all__ = ["AheadGate", "Prespool", "Unpacked", "start", "unpacking_ahead"]
