"""The facts cache: a safe JSON round trip, keys that change with what the facts depend on, and
the check-fix-check loop re-inspecting only the files that changed."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from packager import factcache, scan
from packager.dates import FoundDate
from packager.inspect import FileFacts, ImageFacts, InspectOptions, PageFacts
from packager.rules import DeliverableRules
from tests import synth

OPTIONS = InspectOptions(DeliverableRules(), window=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))

FULL = FileFacts(
    kind="pdf", mime="application/pdf", size=10, sha256="ab" * 32, pages=2, text="Milestone 1.1 – été",
    title="T", page_facts=(PageFacts(1, True, False, None, False), PageFacts(2, False, True, 199.5, True)),
    image=ImageFacts(10, 20, math.inf, 3.5, dt.date(2026, 5, 4), None),
    dates=(FoundDate(dt.date(2026, 5, 14), "content", "May 14, 2026", True),),
    active_content=("JavaScript (/JavaScript)",), unreadable=None, notes=("a", "b"),
)


@pytest.mark.parametrize(
    "facts",
    [
        FULL,
        dataclasses.replace(FULL, image=dataclasses.replace(FULL.image, sharpness=12.5)),  # type: ignore[type-var]
        FileFacts(kind="unknown", mime="application/octet-stream", size=0, sha256=""),
    ],
    ids=["every field, inf", "every field", "bare"],
)
def test_round_trip(facts: FileFacts) -> None:
    key = factcache.key(facts.sha256 or "0" * 64, "x.pdf", OPTIONS)
    assert factcache.store(key, facts)
    assert factcache.load(key) == facts
    loaded = factcache.load(key)
    assert loaded is not None and all(isinstance(v, tuple) for v in (loaded.page_facts, loaded.dates, loaded.notes))


def _rows(cache: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(cache / "facts" / "facts.sqlite3")) as db:
        return db.execute("SELECT key, value FROM entries").fetchall()


def _set_value(cache: Path, key: str, value: object) -> None:
    with contextlib.closing(sqlite3.connect(cache / "facts" / "facts.sqlite3")) as db, db:
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (value, key))


def test_entries_are_plain_json_rows_of_a_private_database(_private_cache: Path) -> None:
    key = factcache.key("cd" * 32, "x.pdf", OPTIONS)
    assert factcache.store(key, FULL)
    assert _rows(_private_cache) == []  # kept in the process until flushed
    assert factcache.flush() == 1
    [(stored, text)] = _rows(_private_cache)
    data = json.loads(text)
    assert stored == key and data["~"] == "FileFacts" and data["f"]["kind"] == "pdf"
    assert not list(_private_cache.rglob("*.json"))
    if os.name == "posix":
        assert stat.S_IMODE((_private_cache / factcache.CACHE_NAME).stat().st_mode) == 0o700
        for path in (_private_cache / factcache.CACHE_NAME).glob("facts.sqlite3*"):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: "not json",
        lambda d: json.dumps({**d, "~": "Popen"}),  # only the facts' own dataclasses are built
        lambda d: json.dumps({**d, "f": {k: v for k, v in d["f"].items() if k != "kind"}}),  # another shape
        lambda d: json.dumps({**d, "f": {**d["f"], "extra": 1}}),
        lambda d: json.dumps([1, 2]),
        lambda d: json.dumps(d).encode(),  # a BLOB, not text
        lambda d: 7,
    ],
    ids=["not json", "foreign class", "missing field", "unknown field", "not an object", "blob", "number"],
)
def test_damaged_or_foreign_entries_are_misses(_private_cache: Path, damage: object) -> None:
    key = factcache.key("ef" * 32, "x.pdf", OPTIONS)
    factcache.store(key, FULL)
    factcache.flush()
    assert factcache.load(key) == FULL
    [(_, text)] = _rows(_private_cache)
    _set_value(_private_cache, key, damage(json.loads(text)))  # type: ignore[operator]
    assert factcache.load(key) is None


def test_key_changes_with_what_the_facts_depend_on() -> None:
    base = factcache.key("aa" * 32, "x.pdf", OPTIONS)
    assert base == factcache.key("aa" * 32, "x.pdf", OPTIONS)
    others = {
        factcache.key("bb" * 32, "x.pdf", OPTIONS),
        factcache.key("aa" * 32, "x.jpg", OPTIONS),
        factcache.key("aa" * 32, "x.pdf", dataclasses.replace(OPTIONS, window=None)),
        factcache.key("aa" * 32, "x.pdf", InspectOptions(DeliverableRules(min_sharpness=41))),
        factcache.key("aa" * 32, "x.pdf", OPTIONS, extra="8000"),
    }
    assert base not in others and len(others) == 5


def test_schema_covers_every_nested_dataclass_field() -> None:
    names = factcache._dataclasses()
    assert {"FileFacts", "PageFacts", "ImageFacts", "FoundDate"} <= set(names)
    assert len(factcache.schema()) == 16


def test_values_json_cannot_carry_are_not_cached() -> None:
    odd = dataclasses.replace(FULL, notes=(dt.datetime(2026, 1, 1),))  # type: ignore[arg-type]
    assert not factcache.store(factcache.key("12" * 32, "x", OPTIONS), odd)


def _folder(tmp_path: Path) -> list[tuple[Path, str]]:
    jobs = []
    for i in range(5):
        path = synth.make_text_pdf(tmp_path / f"1.1 - record {i}.pdf", text_lines=[f"Record {i}", "May 14, 2026"])
        jobs.append((path, path.name))
    return jobs


def test_check_fix_check_reinspects_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = _folder(tmp_path)
    inspected: list[str] = []
    real = scan.inspect_file

    def counting(path: Path, *args: object) -> FileFacts:
        inspected.append(path.name)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "inspect_file", counting)
    first = scan.inspect_many(jobs, OPTIONS, workers=1)
    assert len(inspected) == 5
    inspected.clear()
    synth.make_text_pdf(jobs[1][0], text_lines=["Record 1", "June 2, 2026"])
    synth.make_text_pdf(jobs[3][0], text_lines=["Record 3", "June 3, 2026"])
    second = scan.inspect_many(jobs, OPTIONS, workers=1)
    assert sorted(inspected) == [jobs[1][1], jobs[3][1]]
    assert [f for i, f in enumerate(second) if i not in (1, 3)] == [f for i, f in enumerate(first) if i not in (1, 3)]
    assert second[1].dates[0].date == dt.date(2026, 6, 2)


def test_no_cache_reads_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            _private_cache: Path) -> None:
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    scan.inspect_many(_folder(tmp_path), OPTIONS, workers=1)
    assert not list(_private_cache.iterdir())


def test_cached_and_fresh_facts_are_the_same(tmp_path: Path) -> None:
    jobs = _folder(tmp_path)
    cold = scan.inspect_many(jobs, OPTIONS, workers=1)
    warm = scan.inspect_many(jobs, OPTIONS, workers=1)
    assert cold == warm
    assert all(len(f.text) <= scan.RESULT_TEXT_CHARS for f in cold)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers must be forked to see the patch")
def test_pool_workers_commit_their_facts_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _private_cache: Path,
) -> None:
    jobs = [(p, p.name) for p in (synth.make_text_pdf(tmp_path / f"1.1 - r{i}.pdf", text_lines=[f"R {i}"])
                                  for i in range(scan.PARALLEL_MIN_FILES))]
    cold = scan.inspect_many(jobs, OPTIONS, workers=2)
    assert len(_rows(_private_cache)) == len(jobs)  # committed by the workers, which end with os._exit

    def fails(*args: object) -> FileFacts:
        raise AssertionError("inspected again")

    monkeypatch.setattr(scan, "inspect_file", fails)
    assert scan.inspect_many(jobs, OPTIONS, workers=2) == cold
