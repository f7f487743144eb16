"""The user's cache folder, shared by every cache packager keeps (OCR results, facts).

Caches hold derived data only (never the user's files), keyed by content hashes, written as
JSON text in the rows of one SQLite database per cache (``packager.cachedb``: the facts, and the
lines OCR read). The folder is private to the user (mode 0700 where the platform has modes).

``PACKAGER_CACHE_DIR`` overrides the location (tests, CI, a shared drive); an empty value or
``PACKAGER_NO_CACHE=1`` turns caching off, as ``--no-cache`` does.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import platformdirs

ENV_DIR = "PACKAGER_CACHE_DIR"
ENV_DISABLE = "PACKAGER_NO_CACHE"
APP_NAME = "packager"
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # a cache entry larger than this is ignored as damaged


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


# Each cache is kept under a size: once a day at most, the entries written longest ago go until it
# is back under 80% of its cap (a cache left to grow would fill a disk over the years).
CACHE_CAPS = {"facts": 256 * 1024 * 1024, "ocr": 256 * 1024 * 1024}
TIDY_EVERY_SECONDS = 24 * 3600
STAMP = ".tidied"


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
    from packager import cachedb  # it builds on this module

    # Earlier versions kept one file per entry: what they left is removed.
    removed = _remove_file_entries(folder) + cachedb.trim(folder, name, cap)
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


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1
