"""Every test gets its own empty cache folder, so no test reads the user's cache or another test's,
and what a test left uncommitted in this process's caches is committed to its own folder at its end.
``built`` is the bundled sample built into a zip, once per test module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager import cachedb


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PACKAGER_CACHE_DIR", str(folder))
    monkeypatch.delenv("PACKAGER_NO_CACHE", raising=False)
    yield folder
    cachedb.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from packager.build import build_submission

    out = tmp_path_factory.mktemp("built") / "sample.zip"
    build_submission(Path(__file__).resolve().parents[1] / "fixtures" / "sample", out, today=dt.date(2026, 11, 26))
    return out
