"""Where `audit` unpacks a received zip's entries: private temporary folders, removed afterwards.

Every entry becomes one temporary file. On a disk, creating a file costs a journal write and a
directory update (about 0.2 ms each on ext4 here, more with a virus scanner on Windows): for
5,000 small entries that is a second or two of nothing but bookkeeping. Where Linux keeps a
folder in memory (``/dev/shm``, a tmpfs), small entries go there instead, within a budget that
leaves almost all of that memory to others; larger entries, and every entry once the budget is
spent, go to the ordinary temporary folder on disk. Nothing else differs: both folders are
private (mode 0700) and the files in them are created new (see ``EntryReader.spool``).

Both are removed when the audit ends, stopped or not (Ctrl-C, SIGTERM and SIGHUP end it cleanly). A
process killed outright (kill -9, out of memory) cannot remove them: each folder's name carries the
process id, and the next audit removes this user's folders whose process is gone
(``remove_abandoned``), so a folder in memory does not hold it until the machine restarts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from packager.workers import ending_signals_held

MEMORY_ROOT = Path("/dev/shm")
MEMORY_BUDGET_MAX = 256 * 1024 * 1024  # bytes kept in memory at most, whatever is free
MEMORY_BUDGET_SHARE = 0.25  # of the memory folder's free space, at most
MEMORY_ENTRY_MAX = 4 * 1024 * 1024  # larger entries go to disk: their file create costs little beside them
# Below this budget unpacking never waits for the workers (it would hold them up): the rest goes to disk.
GATE_MIN_BUDGET = 8 * MEMORY_ENTRY_MAX


class SpoolFolders:
    """The folders entries are unpacked into: ``disk`` always, ``memory`` while its budget lasts.

    An entry unpacked in memory is removed once the workers are done with it (``done``), which gives
    its bytes back to the budget; ``full`` says when the budget has no room for another small entry,
    so that unpacking waits for the workers instead of spilling to disk (``scan.Gate``).
    """

    def __init__(self, disk: Path, memory: Path | None = None, budget: int = 0) -> None:
        self.disk = disk
        self.memory = memory if budget > 0 else None
        self.budget = budget if self.memory is not None else 0
        self.used = 0
        self.in_memory: dict[int, tuple[Path, int]] = {}  # job index: (file, bytes), until done

    def pick(self, size: int) -> Path:
        """The folder for an entry of ``size`` bytes (the size the zip announces, checked on unpacking)."""
        if self.memory is not None and size <= MEMORY_ENTRY_MAX and self.used + size <= self.budget:
            self.used += size
            return self.memory
        return self.disk

    def unpacked(self, index: int, target: Path, size: int) -> None:
        """Entry ``index`` is in ``target``: in memory, it is removed when ``done``."""
        if self.memory is not None and target.parent == self.memory:
            self.in_memory[index] = (target, size)

    def unused(self, size: int) -> None:
        """Give back the bytes picked for an entry that was not unpacked in memory after all."""
        self.used = max(0, self.used - size)

    def full(self) -> bool:
        return self.memory is not None and self.budget >= GATE_MIN_BUDGET and self.budget - self.used < MEMORY_ENTRY_MAX

    def done(self, indices: list[int]) -> None:
        for index in indices:
            kept = self.in_memory.pop(index, None)
            if kept is not None:
                with contextlib.suppress(OSError):
                    kept[0].unlink(missing_ok=True)
                self.unused(kept[1])

    def memory_failed(self) -> None:
        """Writing in memory failed (someone else filled it meanwhile): every later entry goes to disk."""
        self.memory = None


@contextmanager
def spool_folders(memory_root: Path | None = MEMORY_ROOT) -> Iterator[SpoolFolders]:
    """Private temporary folders for unpacking, removed afterwards (see the module docstring)."""
    for root in (Path(tempfile.gettempdir()), memory_root):
        if root is not None:
            remove_abandoned(root)
    disk: str | None = None
    memory: Path | None = None
    try:
        with ending_signals_held():  # a folder made and not yet noted would outlive a Ctrl-C or SIGTERM
            disk = tempfile.mkdtemp(prefix=_prefix())
            memory = _memory_folder(memory_root)
        budget = _memory_budget(memory) if memory is not None else 0
        yield SpoolFolders(Path(disk), memory, budget)
    finally:
        for folder in (memory, disk):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


def _memory_folder(root: Path | None) -> Path | None:
    """A new private folder in memory, or None where there is none to use (not Linux, not writable)."""
    if root is None or not sys.platform.startswith("linux"):
        return None
    try:
        if not root.is_dir() or root.is_symlink():
            return None
        return Path(tempfile.mkdtemp(prefix=_prefix(), dir=root))
    except OSError:
        return None


def _prefix() -> str:
    return f"packager-audit-{os.getpid()}-"


_OWN_FOLDER = re.compile(r"packager-audit-(\d+)-[a-z0-9_]{8}")
# A folder changed this recently is left alone even when its process id looks gone (a process in another
# PID namespace sharing /dev/shm): a running audit changes its folders every few milliseconds.
ABANDONED_AFTER_SECONDS = 3600


def remove_abandoned(root: Path) -> None:
    """Remove the spool folders in ``root`` that a killed audit left: this user's own, named after a
    process that no longer runs, unchanged for an hour. Anything else (another user's, a running audit's,
    an older version's unnamed folder) is left alone. POSIX only: there is no owner id on Windows, and
    its os.kill would end the process it asks about."""
    if os.name != "posix":
        return
    try:
        candidates = list(root.glob("packager-audit-*-*"))
    except OSError:
        return
    for folder in candidates:
        match = _OWN_FOLDER.fullmatch(folder.name)
        if match is None or _running(int(match.group(1))):
            continue
        try:
            info = folder.lstat()
        except OSError:
            continue
        stale = time.time() - info.st_mtime >= ABANDONED_AFTER_SECONDS
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and stale:
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, OSError):
        return True  # someone else's, or cannot tell: left alone
    return True


def _memory_budget(folder: Path) -> int:
    try:
        info = os.statvfs(folder)
    except OSError:
        return 0
    free = info.f_bavail * info.f_frsize
    return int(min(MEMORY_BUDGET_MAX, free * MEMORY_BUDGET_SHARE))


__all__ = ["MEMORY_ENTRY_MAX", "SpoolFolders", "remove_abandoned", "spool_folders"]
