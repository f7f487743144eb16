"""The user's cache folder, shared by every cache packager keeps (OCR results, facts).

Caches hold derived data only (never the user's files), keyed by content hashes, written as
JSON. The folder is private to the user (mode 0700 where the platform has modes).

``PACKAGER_CACHE_DIR`` overrides the location (tests, CI, a shared drive); an empty value or
``PACKAGER_NO_CACHE=1`` turns caching off, as ``--no-cache`` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
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


def cache_dir(name: str) -> Path | None:
    """A private sub-folder ``name`` of the cache root, created on demand.

    None when caching is off or the folder cannot be created (a read-only home): callers
    then simply work without a cache.
    """
    if not cache_enabled():
        return None
    folder = cache_root() / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    except OSError:
        return None
    return folder


def _entry_path(folder: Path, key: str) -> Path:
    # Keys are hex digests already; hash anything else so a key can never name a path.
    safe = key if len(key) == 64 and all(c in "0123456789abcdef" for c in key) else (
        hashlib.sha256(key.encode("utf-8")).hexdigest()
    )
    return folder / safe[:2] / f"{safe}.json"


def read_json(name: str, key: str) -> Any | None:
    """The JSON value stored under ``key`` in cache ``name``; None when absent or damaged."""
    folder = cache_dir(name)
    if folder is None:
        return None
    path = _entry_path(folder, key)
    try:
        if path.stat().st_size > MAX_ENTRY_BYTES:
            return None
        with path.open("r", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def write_json(name: str, key: str, value: Any) -> bool:
    """Store ``value`` as JSON under ``key`` atomically; False when it could not be written."""
    folder = cache_dir(name)
    if folder is None:
        return False
    path = _entry_path(folder, key)
    try:
        path.parent.mkdir(exist_ok=True, mode=0o700)
        data = json.dumps(value, ensure_ascii=True, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, TypeError, ValueError):
        return False
    return True
