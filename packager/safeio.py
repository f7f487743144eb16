"""Read an input that must be a regular file: refused at once when it is a pipe or a device, and capped.

A FIFO would block a plain read for ever and /dev/zero would never end, so the file is opened
without blocking, checked to be a regular file on the open descriptor (no swap between check and
read), and read to at most ``cap`` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from packager.errors import InputError, os_input_error
from packager.safetext import printable_path


def not_regular_reason(mode: int) -> str | None:
    """Why a file of this st_mode is not a regular file, or None."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is not a regular file (a named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is not a regular file (a device)"
    if stat.S_ISSOCK(mode):
        return "it is not a regular file (a socket)"
    return "it is not a regular file"


def read_regular_file(path: Path, cap: int, what: str, *, field: str | None = None) -> bytes:
    """The bytes of ``path``; InputError (exit 2) naming it when it is missing, not a regular file,
    larger than ``cap`` bytes or unreadable."""
    shown = printable_path(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"the {what} does not exist", file=shown, field=field) from None
    except OSError as exc:
        raise os_input_error(exc, f"the {what} cannot be read", shown) from None
    reason = not_regular_reason(info.st_mode)
    if reason is not None:
        raise InputError(f"the {what} cannot be used: {reason}", file=shown, field=field)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise os_input_error(exc, f"the {what} cannot be read", shown) from None
    with os.fdopen(fd, "rb") as fh:
        reason = not_regular_reason(os.fstat(fh.fileno()).st_mode)
        if reason is not None:
            raise InputError(f"the {what} cannot be used: {reason}", file=shown, field=field)
        try:
            data = fh.read(cap + 1)
        except OSError as exc:
            raise os_input_error(exc, f"the {what} cannot be read", shown) from None
    if len(data) > cap:
        raise InputError(f"the {what} is larger than {cap:,} bytes, far too large", file=shown,
                         field=field)
    return data
