"""The SQLite store of the caches (facts, OCR lines): round trip, healing, no cache where it cannot
write, two processes at once, and tidy keeping it under its cap."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from packager import cachedb, cachedir

NAME = "facts"


def _db(cache: Path) -> Path:
    return cachedb.db_path(cache / NAME, NAME)


def _keys(cache: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(_db(cache))) as db:
        return sorted(k for (k,) in db.execute("SELECT key FROM entries"))


def test_round_trip_through_the_database(_private_cache: Path) -> None:
    assert cachedb.get(NAME, "a") is None
    assert cachedb.put(NAME, "a", '{"x": 1}') and cachedb.put(NAME, "b", "[]")
    assert cachedb.get(NAME, "a") == '{"x": 1}'  # read back before it is committed
    assert cachedb.flush() == 2 and cachedb.flush() == 0
    cachedb.close()  # what a fresh process sees
    assert cachedb.get(NAME, "a") == '{"x": 1}' and cachedb.get(NAME, "b") == "[]"
    assert cachedb.put(NAME, "a", '{"x": 2}') and cachedb.flush() == 1
    assert cachedb.get(NAME, "a") == '{"x": 2}'
    assert _keys(_private_cache) == ["a", "b"]


def test_many_writes_are_committed_without_waiting_for_flush(_private_cache: Path) -> None:
    for i in range(cachedb.FLUSH_AT_ENTRIES):
        cachedb.put(NAME, f"k{i}", "1")
    assert len(_keys(_private_cache)) == cachedb.FLUSH_AT_ENTRIES


@pytest.mark.parametrize("when", ["before first use", "after use"])
def test_a_damaged_database_is_a_miss_then_heals(_private_cache: Path, when: str) -> None:
    if when == "after use":
        cachedb.put(NAME, "a", "1")
        cachedb.close()
    else:
        (_private_cache / NAME).mkdir(mode=0o700)
    _db(_private_cache).write_bytes(b"this is not a database, " * 200)
    assert cachedb.get(NAME, "a") is None
    assert cachedb.put(NAME, "b", "2") and cachedb.flush() == 1
    assert cachedb.get(NAME, "b") == "2" and _keys(_private_cache) == ["b"]


def test_damage_found_while_reading_is_healed(_private_cache: Path) -> None:
    for i in range(300):  # a few pages, so that damaging the middle of the file leaves its header intact
        cachedb.put(NAME, f"{i:04}", "x" * 200)
    cachedb.close()
    data = bytearray(_db(_private_cache).read_bytes())
    data[4096:len(data)] = b"\xff" * (len(data) - 4096)
    _db(_private_cache).write_bytes(bytes(data))
    assert cachedb.get(NAME, "0007") is None
    assert cachedb.put(NAME, "new", "1") and cachedb.flush() == 1
    cachedb.close()
    assert cachedb.get(NAME, "new") == "1"


def test_where_the_database_cannot_be_made_there_is_silently_no_cache(_private_cache: Path) -> None:
    _db(_private_cache).mkdir(parents=True)  # a folder where the database file would be
    assert cachedb.get(NAME, "a") is None
    assert not cachedb.put(NAME, "a", "1")
    assert cachedb.flush() == 0


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file modes that bind (not root)")
def test_a_read_only_cache_folder_is_silently_no_cache(_private_cache: Path) -> None:
    (_private_cache / NAME).mkdir(mode=0o500)
    try:
        assert cachedb.get(NAME, "a") is None
        assert not cachedb.put(NAME, "a", "1")
        assert cachedb.flush() == 0
    finally:
        (_private_cache / NAME).chmod(0o700)


def test_off_creates_nothing(_private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cachedir.ENV_DIR, "")
    assert not cachedb.put(NAME, "a", "1") and cachedb.get(NAME, "a") is None
    monkeypatch.setenv(cachedir.ENV_DIR, str(_private_cache))
    monkeypatch.setenv(cachedir.ENV_DISABLE, "1")
    assert not cachedb.put(NAME, "a", "1") and cachedb.get(NAME, "a") is None
    assert not list(_private_cache.iterdir())


def _write_many(prefix: str) -> None:
    for i in range(300):
        cachedb.put(NAME, f"{prefix}{i:03}", "v" * 500)
        if i % 32 == 31:
            cachedb.flush()
    cachedb.flush()
    os._exit(0)  # as a pool worker ends: nothing at exit commits for it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")
def test_two_processes_writing_at_once_both_land(_private_cache: Path) -> None:
    cachedb.put(NAME, "parent", "1")  # the parent holds a connection and a pending write when it forks
    cachedb.get(NAME, "parent")
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_write_many, args=(p,)) for p in ("a", "b")]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    cachedb.flush()
    assert _keys(_private_cache) == sorted(["parent", *(f"{p}{i:03}" for p in "ab" for i in range(300))])
    assert cachedb.get(NAME, "b299") == "v" * 500


def _open_new(folder: str, start: object) -> None:
    os.environ[cachedir.ENV_DIR] = folder
    start.wait()  # type: ignore[attr-defined]
    store = cachedb._Store(NAME, (folder,))
    os._exit(0 if store.connection() is not None else 3)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")
def test_two_workers_making_the_database_at_once_both_get_it(tmp_path: Path) -> None:
    """The first run's two workers open the new database at the same moment: neither is left
    without a cache (switching a new database to WAL can fail at once with "locked")."""
    ctx = multiprocessing.get_context("fork")
    for trial in range(30):  # the race was lost in about 1 trial of 5
        folder = str(tmp_path / f"cache{trial}")
        start = ctx.Barrier(2)
        children = [ctx.Process(target=_open_new, args=(folder, start)) for _ in range(2)]
        for child in children:
            child.start()
        for child in children:
            child.join(60)
        assert [child.exitcode for child in children] == [0, 0], f"trial {trial}"


def test_tidy_trims_the_database_to_80_percent_by_oldest_and_removes_per_file_entries(_private_cache: Path) -> None:
    for i in range(60):
        cachedb.put(NAME, f"{i:03}", "x" * 2000)
    cachedb.close()
    with contextlib.closing(sqlite3.connect(_db(_private_cache))) as db, db:
        db.execute("UPDATE entries SET stamp = 1000000 + CAST(key AS INTEGER)")  # entry i written at second i
    legacy = _private_cache / NAME / "ab" / ("ab" * 32 + ".json")
    legacy.parent.mkdir()
    legacy.write_text("{}", encoding="utf-8")
    assert cachedb.put("ocr", "cd" * 32, "[1]") and cachedb.flush() == 1  # OCR's lines: the same kind of store
    cachedb.close()
    size = _db(_private_cache).stat().st_size
    cap = size // 2
    removed = cachedir.tidy(now=2_000_000.0, caps={NAME: cap, "ocr": cap})
    kept = _keys(_private_cache)
    assert 0 < len(kept) < 60 and removed == 60 - len(kept) + 1
    assert kept == [f"{i:03}" for i in range(60 - len(kept), 60)]  # the newest are kept
    assert _db(_private_cache).stat().st_size <= cap
    assert not legacy.parent.exists()
    assert cachedb.get("ocr", "cd" * 32) == "[1]"  # under its cap: left alone
    assert cachedb.get(NAME, "059") == "x" * 2000


def test_tidy_removes_the_one_file_per_entry_ocr_cache_of_earlier_versions(_private_cache: Path) -> None:
    """Earlier versions kept each OCR result (and its half-written temporary files) as a file."""
    sub = _private_cache / "ocr" / "ab"
    sub.mkdir(parents=True)
    entry, half = sub / ("ab" * 32 + ".json"), sub / ".tmp-1-1.json"
    entry.write_text('{"version": 1, "regions": []}', encoding="utf-8")
    half.write_text("half", encoding="utf-8")
    assert cachedb.put("ocr", "ef" * 32, "[2]") and cachedb.flush() == 1
    cachedb.close()
    assert cachedir.tidy(now=2_000_000.0) == 2
    assert not sub.exists()
    assert cachedb.get("ocr", "ef" * 32) == "[2]"


def test_tidy_leaves_a_database_under_its_cap_alone(_private_cache: Path) -> None:
    cachedb.put(NAME, "a", "1")
    cachedb.close()
    assert cachedir.tidy(now=2_000_000.0) == 0
    assert _keys(_private_cache) == ["a"]


def test_tidy_trims_a_cache_given_by_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(cachedir.ENV_DIR, "cache")
    for i in range(5):
        cachedb.put(NAME, f"{i}", "x" * 3000)
    cachedb.close()
    assert cachedir.tidy(now=2_000_000.0, caps={NAME: 1}) == 5
    assert _keys(tmp_path / "cache") == []
