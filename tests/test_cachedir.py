"""The shared cache folder: location, override, off switch, JSON entries."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from packager import cachedir


@pytest.fixture
def cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(cachedir.ENV_DIR, str(root))
    monkeypatch.delenv(cachedir.ENV_DISABLE, raising=False)
    return root


def test_override_sets_root(cache_env: Path) -> None:
    assert cachedir.cache_root() == cache_env


def test_default_root_is_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cachedir.ENV_DIR, raising=False)
    root = cachedir.cache_root()
    assert "packager" in root.parts or "packager" in str(root)


def test_round_trip_and_private_folder(cache_env: Path) -> None:
    key = "ab" * 32
    assert cachedir.read_json("ocr", key) is None
    assert cachedir.write_json("ocr", key, {"dates": ["2026-05-14"], "n": 1})
    assert cachedir.read_json("ocr", key) == {"dates": ["2026-05-14"], "n": 1}
    folder = cache_env / "ocr"
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    files = list(folder.rglob("*.json"))
    assert len(files) == 1 and files[0].name == f"{key}.json"


def test_odd_keys_never_name_paths(cache_env: Path) -> None:
    assert cachedir.write_json("ocr", "../../etc/passwd", [1])
    assert cachedir.read_json("ocr", "../../etc/passwd") == [1]
    assert all(p.is_relative_to(cache_env) for p in cache_env.rglob("*"))
    assert not (cache_env.parent / "etc").exists()


def test_damaged_entry_reads_as_absent(cache_env: Path) -> None:
    key = "cd" * 32
    cachedir.write_json("ocr", key, {"a": 1})
    (path,) = (cache_env / "ocr").rglob("*.json")
    path.write_text("{not json", encoding="utf-8")
    assert cachedir.read_json("ocr", key) is None


def test_off_switch(cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cachedir.ENV_DISABLE, "1")
    assert cachedir.cache_dir("ocr") is None
    assert not cachedir.write_json("ocr", "ef" * 32, 1)
    assert not cache_env.exists()


def test_unwritable_root_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cachedir.ENV_DIR, str(blocker / "cache"))
    assert cachedir.cache_dir("ocr") is None
    assert cachedir.read_json("ocr", "ab" * 32) is None


def test_cache_removed_during_a_run_is_made_again(cache_env: Path) -> None:
    import shutil

    assert cachedir.write_json("ocr", "ab" * 32, 1)
    shutil.rmtree(cache_env)  # the folder is remembered as made: writing must notice it is gone
    assert cachedir.write_json("ocr", "cd" * 32, 2)
    assert cachedir.read_json("ocr", "cd" * 32) == 2
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(cache_env / "ocr").st_mode) == 0o700
    assert not [p for p in (cache_env / "ocr").rglob(".tmp-*")]


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("??/*.json") if not p.name.startswith(".tmp-"))


def test_tidy_trims_the_oldest_entries_to_the_cap_once_a_day(cache_env: Path) -> None:
    for i in range(10):
        assert cachedir.write_text("ocr", f"{i:064x}", "x" * 1000)
        path = cache_env / "ocr" / f"{i:064x}"[:2] / f"{i:064x}.json"
        os.utime(path, (1_000_000 + i, 1_000_000 + i))  # entry i written at second i
    now = 2_000_000.0
    # A cap of 5,000 bytes: trimmed to at most 4,000, so the 6 oldest go.
    assert cachedir.tidy(now=now, caps={"ocr": 5000}) == 6
    assert _entries(cache_env / "ocr") == [f"{i:064x}.json" for i in range(6, 10)]
    # Within the day, nothing is looked at again, even over the cap.
    assert cachedir.tidy(now=now + 60, caps={"ocr": 10}) == 0
    # A day later it is.
    assert cachedir.tidy(now=now + 25 * 3600, caps={"ocr": 10}) == 4


def test_tidy_removes_stale_temporary_files_and_leaves_small_caches_alone(cache_env: Path) -> None:
    assert cachedir.write_text("ocr", "a" * 64, "{}")
    sub = cache_env / "ocr" / "aa"
    stale, fresh = sub / ".tmp-1-1.json", sub / ".tmp-2-1.json"
    stale.write_text("half")
    fresh.write_text("half")
    now = 2_000_000.0
    os.utime(stale, (now - 7200, now - 7200))
    os.utime(fresh, (now - 10, now - 10))
    assert cachedir.tidy(now=now) == 1
    assert not stale.exists() and fresh.exists()
    assert _entries(cache_env / "ocr") == ["a" * 64 + ".json"]


def test_tidy_without_a_cache_does_nothing(cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cachedir.tidy() == 0
    assert not cache_env.exists()  # tidying never creates a cache
    monkeypatch.setenv(cachedir.ENV_DISABLE, "1")
    assert cachedir.tidy() == 0
