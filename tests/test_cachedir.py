"""The shared cache folder: location, override, off switch, privacy; what the OCR cache reads back."""

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


def test_the_cache_folder_is_private(cache_env: Path) -> None:
    folder = cachedir.cache_dir("ocr")
    assert folder == cache_env / "ocr" and folder.is_dir()
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_off_switch(cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cachedir.ENV_DISABLE, "1")
    assert cachedir.cache_dir("ocr") is None
    assert not cache_env.exists()


def test_unwritable_root_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cachedir.ENV_DIR, str(blocker / "cache"))
    assert cachedir.cache_dir("ocr") is None


def test_a_damaged_ocr_entry_reads_as_absent(cache_env: Path) -> None:
    from packager import cachedb
    from packager.ocr import run

    key = "cd" * 32
    assert cachedb.put(run.CACHE_NAME, key, "{not json") and cachedb.flush() == 1
    assert run._load(key) is None
    assert cachedb.put(run.CACHE_NAME, key, '{"version": 1, "regions": []}') and cachedb.flush() == 1
    assert run._load(key) == {"version": 1, "regions": []}
    assert run._load("ef" * 32) is None


def test_tidy_without_a_cache_does_nothing(cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cachedir.tidy() == 0
    assert not cache_env.exists()  # tidying never creates a cache
    monkeypatch.setenv(cachedir.ENV_DISABLE, "1")
    assert cachedir.tidy() == 0
