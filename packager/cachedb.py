"""A cache of many small entries kept in one SQLite database (the facts cache).

One file per entry costs a file create, a write and a rename per entry: about 2.5 s of kernel
time for a cold check of 5,000 files. Here the entries of cache ``name`` are the rows of one
database, ``<cache root>/<name>/<name>.sqlite3`` (table ``entries``: key, value = JSON text,
stamp = when it was written). Writes are kept in the process and committed together, one
transaction per chunk of files (``flush``); reads are one SELECT per key.

Every failure of the database (locked past the busy timeout, a full disk, a read-only folder, a
network drive without locking, a damaged file) is a miss on read and "not stored" on write, never
an exception: a cache only ever saves time. A damaged database is removed and made again, once per
process, so the cache heals.

One connection per process and cache, opened on first use. An SQLite connection must not cross a
``fork``: the parent's is closed just before any fork (the child opens its own when it needs one),
and a connection another process opened is never used.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

from packager import cachedir

BUSY_TIMEOUT_SECONDS = 5.0  # how long a write waits for another process's transaction
FLUSH_AT_ENTRIES = 256  # writes kept in the process before they are committed anyway
FLUSH_AT_CHARS = 8 * 1024 * 1024
WAL_LIMIT_BYTES = 8 * 1024 * 1024  # the write-ahead log is cut back to this after a checkpoint
# A rowid table (key indexed apart), not WITHOUT ROWID: facts rows are ~4 KB, and a WITHOUT ROWID
# b-tree of rows that large is deep and spills into its interior pages. Measured on a cold check of
# 5,000 files: lookups 0.35 -> 0.21 CPU-s, commits 0.21 -> 0.10 CPU-s, database 28 -> 21 MB.
_SCHEMA = "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, stamp REAL NOT NULL)"
_DAMAGED = (11, 26)  # SQLITE_CORRUPT ("malformed"), SQLITE_NOTADB ("file is not a database")
_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
# Two workers opening a new database at the same moment: switching it to WAL can fail at once with
# "database is locked" (the busy timeout does not cover it), which would leave that worker without
# a cache for the whole run. Opening is tried again, briefly.
OPEN_ATTEMPTS = 12
OPEN_RETRY_SECONDS = 0.02
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def db_path(folder: Path, name: str) -> Path:
    """The database file of cache ``name`` in its folder."""
    return folder / f"{name}.sqlite3"


class _Store:
    """This process's connection to one cache, and the writes not yet committed."""

    def __init__(self, name: str, where: tuple[str | None, ...]) -> None:
        self.name = name
        self.where = where  # what located the cache folder (the environment can change it)
        self.pid = os.getpid()
        self.conn: sqlite3.Connection | None = None
        self.path: Path | None = None
        self.ident: tuple[int, int] | None = None  # (device, inode) of the file opened
        self.unusable = False  # could not be opened: no cache in this process
        self.healed = False
        self.pending: dict[str, str] = {}
        self.pending_chars = 0

    def connection(self) -> sqlite3.Connection | None:
        if self.conn is None and not self.unusable:
            self.conn = self._open()
            self.unusable = self.conn is None
        return self.conn

    def _open(self) -> sqlite3.Connection | None:
        folder = cachedir.cache_dir(self.name)
        if folder is None:
            return None
        path = db_path(folder, self.name)
        for attempt in range(OPEN_ATTEMPTS):
            try:
                # Made here, private, before SQLite opens it (its journal files copy its mode).
                fd = os.open(path, _OPEN_FLAGS, 0o600)
                try:
                    info = os.fstat(fd)
                    if not stat.S_ISREG(info.st_mode):
                        return None
                    if os.name == "posix" and info.st_mode & 0o077:
                        os.fchmod(fd, 0o600)
                finally:
                    os.close(fd)
            except OSError:
                return None
            self.path, self.ident = path, (info.st_dev, info.st_ino)
            conn: sqlite3.Connection | None = None
            try:
                conn = sqlite3.connect(
                    str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False,
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=OFF")  # a write lost in a crash is only a miss
                conn.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
                conn.execute(_SCHEMA)
                return conn
            except sqlite3.Error as exc:
                if conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
                if _busy(exc):
                    time.sleep(OPEN_RETRY_SECONDS * (1 + attempt % 4))
                    continue
                if not (_damaged(exc) and self._set_aside()):
                    return None
        return None

    def failed(self, exc: sqlite3.Error) -> None:
        """After an error: a damaged database is removed and made again on next use (once)."""
        if _damaged(exc):
            self.close()
            if not self._set_aside():
                self.unusable = True

    def _set_aside(self) -> bool:
        """Remove the damaged database this store opened (not one another process made since)."""
        if self.healed or self.path is None:
            return False
        self.healed = True
        with contextlib.suppress(OSError):
            info = os.stat(self.path, follow_symlinks=False)
            if (info.st_dev, info.st_ino) == self.ident:
                for suffix in ("-wal", "-shm", ""):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(f"{self.path}{suffix}")
        return True

    def put(self, key: str, text: str) -> bool:
        if self.connection() is None:
            return False
        self.pending[key] = text
        self.pending_chars += len(text)
        if len(self.pending) >= FLUSH_AT_ENTRIES or self.pending_chars >= FLUSH_AT_CHARS:
            self.flush()
        return True

    def flush(self) -> int:
        if not self.pending:
            return 0
        now = time.time()
        rows = [(key, text, now) for key, text in self.pending.items()]
        self.pending.clear()
        self.pending_chars = 0
        conn = self.connection()
        if conn is None:
            return 0
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: a read-then-write would fail in WAL mode
            try:
                conn.executemany("INSERT OR REPLACE INTO entries (key, value, stamp) VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self.failed(exc)
            return 0
        return len(rows)

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None


def _damaged(exc: sqlite3.Error) -> bool:
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _DAMAGED


def _busy(exc: sqlite3.Error) -> bool:
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _BUSY


_LOCK = threading.RLock()
_STORES: dict[str, _Store] = {}
# Stores another process (the parent) opened: kept so that no garbage collection closes their
# connection in this process.
_INHERITED: list[_Store] = []


def _store(name: str) -> _Store | None:
    if not cachedir.cache_enabled():
        return None
    where = cachedir.locator(name)
    store = _STORES.get(name)
    if store is not None and store.pid != os.getpid():
        _INHERITED.append(store)
        store = None
    elif store is not None and store.where != where:  # the cache moved (tests, a changed environment)
        if store.conn is not None:  # (closed, it would reopen where the cache is now)
            store.flush()
        store.close()
        store = None
    if store is None:
        store = _STORES[name] = _Store(name, where)
    return store


def get(name: str, key: str) -> str | None:
    """The text stored under ``key`` in cache ``name``; None when absent or unreadable."""
    with _LOCK:
        store = _store(name)
        if store is None:
            return None
        text = store.pending.get(key)
        if text is not None:
            return text
        conn = store.connection()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            store.failed(exc)
            return None
    value = row[0] if row is not None else None
    return value if isinstance(value, str) and len(value) <= cachedir.MAX_ENTRY_BYTES else None


def put(name: str, key: str, text: str) -> bool:
    """Keep ``text`` under ``key`` (committed by ``flush``); False when the cache cannot be written."""
    if len(text) > cachedir.MAX_ENTRY_BYTES:
        return False
    with _LOCK:
        store = _store(name)
        return store is not None and store.put(key, text)


def flush(name: str | None = None) -> int:
    """Commit this process's pending writes (of cache ``name``, or of all); the number stored.

    Call it when a piece of work ends: a pool worker ends with ``os._exit``, so nothing at exit
    would commit for it.
    """
    with _LOCK:
        return sum(
            store.flush() for store in list(_STORES.values())
            if store.pid == os.getpid() and (name is None or store.name == name)
        )


def close() -> None:
    """Commit this process's pending writes and close its connections (reopened when next used)."""
    with _LOCK:
        for store in _STORES.values():
            if store.pid == os.getpid():
                store.flush()
                store.close()


def _before_fork() -> None:
    # SQLite's rule: no open connection across a fork. Pending writes stay with the parent.
    with _LOCK:
        for store in _STORES.values():
            if store.pid == os.getpid():
                store.close()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork)
atexit.register(flush)


def trim(folder: Path, name: str, cap: int) -> int:
    """Keep cache ``name``'s database under ``cap`` bytes: when over, delete the rows written
    longest ago down to 80% of it, then compact the file. The number of rows removed; never raises.
    """
    path = db_path(folder, name)
    try:
        size = sum(os.stat(f"{path}{s}").st_size for s in ("", "-wal") if os.path.exists(f"{path}{s}"))
    except OSError:
        return 0
    if size <= cap or os.path.islink(path):
        return 0
    conn: sqlite3.Connection | None = None
    try:
        uri = f"{Path(os.path.abspath(path)).as_uri()}?mode=rw"  # never creates a database
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        payload = conn.execute("SELECT total(length(key) + length(value)) FROM entries").fetchone()[0]
        # What to delete, in payload: the file is larger than its rows by a roughly constant factor.
        excess = payload * (1 - cap * 0.8 / size)
        row = conn.execute(
            "SELECT stamp FROM (SELECT stamp, sum(length(key) + length(value)) OVER "
            "(ORDER BY stamp ROWS UNBOUNDED PRECEDING) AS upto FROM entries) WHERE upto >= ? ORDER BY stamp LIMIT 1",
            (excess,),
        ).fetchone()
        if row is None:
            return 0
        conn.execute("BEGIN IMMEDIATE")
        removed = conn.execute("DELETE FROM entries WHERE stamp <= ?", (row[0],)).rowcount
        conn.execute("COMMIT")
        conn.execute("PRAGMA busy_timeout = 100")  # another process using it: compact another day
        with contextlib.suppress(sqlite3.Error):
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return max(removed, 0)
    except (sqlite3.Error, ValueError):
        return 0
    finally:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


__all__ = ["close", "db_path", "flush", "get", "put", "trim"]
