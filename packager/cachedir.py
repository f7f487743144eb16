"""The user's cache folder, shared by every cache packager keeps (OCR results, facts).

Caches hold derived data only (never the user's files), keyed by content hashes, written as
JSON: one file per entry (``read_json``/``write_json``: OCR results), or rows of one SQLite database
for caches of many small entries (``packager.cachedb``: the facts). The folder is private to the
user (mode 0700 where the platform has modes).

``PACKAGER_CACHE_DIR`` overrides the location (tests, CI, a shared drive); an empty value or
``PACKAGER_NO_CACHE=1`` turns caching off, as ``--no-cache`` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

ENV_DIR = "PACKAGER_CACHE_DIR"
ENV_DISABLE = "PACKAGER_NO_CACHE"
APP_NAME = "packager"
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # a cache file larger than this is ignored as damaged


def cache_root() -> Path:
    """The root of packager's cache folder (not created here).

    ``PACKAGER_CACHE_DIR`` wins; otherwise the platform's user cache folder
    (``~/.cache/packager`` on Linux, ``~/Library/Caches/packager`` on macOS,
    ``%LOCALAPPDATA%\\packager\\Cache`` on Windows).
    """
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def cache_enabled() -> bool:
    """False when the user turned caching off (``--no-cache`` sets ``PACKAGER_NO_CACHE``)."""
    if os.environ.get(ENV_DISABLE, "").strip() not in ("", "0"):
        return False
    return os.environ.get(ENV_DIR, None) != ""


def disable_cache() -> None:
    """Turn caching off for this process and its workers (``--no-cache``)."""
    os.environ[ENV_DISABLE] = "1"


# Folders made private in this process (and its forked workers), by what locates them: made
# once, not once per entry.
_READY: dict[tuple[str | None, ...], str] = {}
_LOCATING = (ENV_DIR, "XDG_CACHE_HOME", "HOME", "LOCALAPPDATA")
_HEX_KEY = re.compile(r"[0-9a-f]{64}")
_TMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
_tmp_serial = itertools.count()


def locator(name: str) -> tuple[str | None, ...]:
    """What locates cache ``name`` now (the environment variables that decide its folder)."""
    override = os.environ.get(ENV_DIR)
    if override:  # the override wins: nothing else locates the cache
        return (override, name)
    return (*(os.environ.get(v) for v in _LOCATING), name)


def cache_dir(name: str) -> Path | None:
    """A private sub-folder ``name`` of the cache root, created on demand.

    None when caching is off or the folder cannot be created (a read-only home): callers
    then simply work without a cache.
    """
    if not cache_enabled():
        return None
    memo = locator(name)
    ready = _READY.get(memo)
    if ready is not None:
        return Path(ready)
    folder = cache_root() / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    except OSError:
        return None
    _READY[memo] = str(folder)
    return folder


def _entry_path(name: str, key: str) -> str | None:
    """The file of ``key`` in cache ``name`` (None when caching is off or impossible)."""
    if not cache_enabled():
        return None
    folder = _READY.get(locator(name))
    if folder is None:
        made = cache_dir(name)
        if made is None:
            return None
        folder = str(made)
    # Keys are hex digests already; hash anything else so a key can never name a path.
    safe = key if _HEX_KEY.fullmatch(key) else hashlib.sha256(key.encode("utf-8")).hexdigest()
    return os.path.join(folder, safe[:2], f"{safe}.json")


def read_json(name: str, key: str, object_hook: Callable[[dict[str, Any]], Any] | None = None) -> Any | None:
    """The JSON value stored under ``key`` in cache ``name``; None when absent or damaged.

    ``object_hook`` is ``json.loads``'s: it builds each JSON object as it is parsed.
    """
    path = _entry_path(name, key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_ENTRY_BYTES:
                return None
            # Read what fstat announced (plus one byte to notice growth): asking for the 4 MiB limit
            # would allocate it on every read.
            data = fh.read(size + 1)
    except OSError:
        return None
    if len(data) > MAX_ENTRY_BYTES:
        return None
    try:
        return json.loads(data.decode("utf-8"), object_hook=object_hook)
    except (ValueError, RecursionError):  # not JSON, not UTF-8 (a UnicodeDecodeError), nested too deep
        return None


def write_json(name: str, key: str, value: Any) -> bool:
    """Store ``value`` as JSON under ``key`` atomically; False when it could not be written."""
    try:
        text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    except (TypeError, ValueError):
        return False
    return write_text(name, key, text)


def write_text(name: str, key: str, text: str) -> bool:
    """Store ``text`` (JSON already encoded) under ``key`` atomically; False when it could not be written.

    Written to a new private file beside the entry and renamed over it, so a reader sees the old
    entry or the new one, never half of one. No fsync: a cache entry lost in a crash is a miss.
    """
    path = _entry_path(name, key)
    if path is None:
        return False
    try:
        data = text.encode("utf-8")
        tmp, fd = _create_tmp(name, path)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, ValueError):
        return False
    return True


def _create_tmp(name: str, path: str) -> tuple[str, int]:
    """A new temporary file (mode 0600, never an existing file or link) in the entry's folder."""
    parent = os.path.dirname(path)
    tmp = os.path.join(parent, f".tmp-{os.getpid()}-{next(_tmp_serial)}.json")
    try:
        return tmp, os.open(tmp, _TMP_FLAGS, 0o600)
    except FileNotFoundError:  # the entry's sub-folder (or the cache itself) is not there yet
        _READY.pop(locator(name), None)
        folder = cache_dir(name)
        if folder is None or str(folder) != os.path.dirname(parent):
            raise
        os.makedirs(parent, mode=0o700, exist_ok=True)
    except FileExistsError:  # left by a killed process that had the same id
        fd, made = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=parent)
        return made, fd
    return tmp, os.open(tmp, _TMP_FLAGS, 0o600)


# Each cache is kept under a size: once a day at most, the entries written longest ago go until it
# is back under 80% of its cap (a cache left to grow would fill a disk over the years).
CACHE_CAPS = {"facts": 256 * 1024 * 1024, "ocr": 256 * 1024 * 1024}
# Caches kept in one SQLite database (packager.cachedb) rather than one file per entry. The
# per-file entries an earlier version left in their folders are removed by ``tidy``.
DB_CACHES = frozenset({"facts"})
TIDY_EVERY_SECONDS = 24 * 3600
STAMP = ".tidied"
_STALE_TMP_SECONDS = 3600


def tidy(now: float | None = None, caps: dict[str, int] | None = None) -> int:
    """Trim every cache to its cap, at most once a day per cache; the number of entries removed.

    Never raises: a cache that cannot be listed or trimmed is left as it is.
    """
    if not cache_enabled():
        return 0
    removed = 0
    for name, cap in (caps or CACHE_CAPS).items():
        folder = cache_root() / name
        if folder.is_dir() and not folder.is_symlink():
            removed += _tidy_one(folder, cap, time.time() if now is None else now, name)
    return removed


def _tidy_one(folder: Path, cap: int, now: float, name: str) -> int:
    stamp = folder / STAMP
    try:
        if now - stamp.stat().st_mtime < TIDY_EVERY_SECONDS:
            return 0
    except OSError:
        pass
    if name in DB_CACHES:
        from packager import cachedb  # it builds on this module

        removed = _remove_file_entries(folder) + cachedb.trim(folder, name, cap)
    else:
        removed = _trim_files(folder, cap, now)
    with contextlib.suppress(OSError):
        stamp.touch()
        os.utime(stamp, (now, now))
    return removed


def _remove_file_entries(folder: Path) -> int:
    """Remove the one-file-per-entry form of a cache now kept in a database; the files removed."""
    removed = 0
    subdirs: list[str] = []
    with contextlib.suppress(OSError), os.scandir(folder) as top:
        subdirs = [e.path for e in top if e.is_dir(follow_symlinks=False) and len(e.name) == 2]
    for sub in subdirs:
        with contextlib.suppress(OSError), os.scandir(sub) as it:
            for entry in it:
                if entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
                    removed += _unlink(entry.path)
        with contextlib.suppress(OSError):
            os.rmdir(sub)  # only when nothing else is in it
    return removed


def _trim_files(folder: Path, cap: int, now: float) -> int:
    entries: list[tuple[float, int, str]] = []
    removed = 0
    try:
        with os.scandir(folder) as top:
            subdirs = [e.path for e in top if e.is_dir(follow_symlinks=False) and len(e.name) == 2]
        for sub in subdirs:
            with os.scandir(sub) as it:
                for entry in it:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    info = entry.stat(follow_symlinks=False)
                    if entry.name.startswith(".tmp-"):
                        if now - info.st_mtime > _STALE_TMP_SECONDS:  # left by a killed process
                            removed += _unlink(entry.path)
                        continue
                    entries.append((info.st_mtime, info.st_size, entry.path))
    except OSError:
        return removed
    total = sum(size for _, size, _ in entries)
    if total > cap:
        entries.sort()
        for _mtime, size, path in entries:
            if total <= cap * 0.8:
                break
            if _unlink(path):
                removed += 1
                total -= size
    return removed


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1
