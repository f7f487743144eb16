"""Every test gets its own empty cache folder, so no test reads the user's cache or another test's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PACKAGER_CACHE_DIR", str(folder))
    monkeypatch.delenv("PACKAGER_NO_CACHE", raising=False)
    return folder
