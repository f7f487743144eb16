"""Write outputs atomically: a temporary file beside the target, renamed into place when complete.

The temporary file is named ``.<target name>.packager-<pid>-<random>.part`` and held under an
exclusive lock while it is written. A run killed outright (kill -9, power loss) can leave one
behind; the next write to the same target removes every such file whose lock nobody holds
(or, where locks are not available, whose process is gone). The finished file gets the mode
any new file would get under the user's umask, not the private 0600 of a temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from packager.errors import InputError, os_input_error
from packager.safetext import printable_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PART_SUFFIX = ".part"
_MARK = ".packager-"


def _prefix(target: Path) -> str:
    return f".{target.name}{_MARK}{os.getpid()}-"


def _umask_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove temporary files of earlier, interrupted writes of ``target``; return what was removed."""
    removed: list[Path] = []
    head = f".{target.name}{_MARK}"
    try:
        candidates = [p for p in target.parent.iterdir() if p.name.startswith(head) and p.name.endswith(PART_SUFFIX)]
    except OSError:
        return removed
    for part in candidates:
        pid_text = part.name[len(head):].split("-", 1)[0]
        if not pid_text.isdigit() or not part.is_file() or part.is_symlink():
            continue
        if _is_stale(part, int(pid_text)):
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
    return removed


def _is_stale(part: Path, pid: int) -> bool:
    if fcntl is None:
        return pid != os.getpid() and not _pid_alive(pid)
    try:
        fd = os.open(part, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a running build holds it
    finally:
        os.close(fd)
    return True


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces `target`, on any failure it is removed.

    Operating-system failures on the output side (no permission, disk full, a file where a folder
    should be) become InputError naming the target.
    """
    target = Path(target)
    shown = printable_path(str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target)
        fd, tmp_name = tempfile.mkstemp(prefix=_prefix(target), suffix=PART_SUFFIX, dir=target.parent)
    except FileExistsError:
        raise InputError("the output cannot go here: part of its path is a file, not a folder", file=shown) from None
    except OSError as exc:
        raise os_input_error(exc, "the output cannot be written here", shown) from None
    tmp = Path(tmp_name)
    try:
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
                if hasattr(os, "fchmod"):
                    os.fchmod(fh.fileno(), _umask_mode())
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise os_input_error(exc, "the output could not be written completely", shown) from None
            raise
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise os_input_error(exc, "the finished output could not be put in place", shown) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_output(target) as fh:
        fh.write(text.encode("utf-8"))


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_output(target) as fh:
        fh.write(data)
