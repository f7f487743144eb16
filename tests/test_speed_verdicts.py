"""The speed machinery never changes a verdict: on the realistic corpus, every file gets the same
findings and the same facts whether files are inspected serially or in worker processes, with
the facts cache off, cold or warm."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from packager.api import check_folder
from packager.result import CheckResult
from tests.realcorpus import CorpusSpec, session_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusSpec:
    return session_corpus(tmp_path_factory)  # the same corpus the realistic-corpus tests read


# OCR is off here: its own cache and its verdicts are tested in test_ocr.py and test_realcorpus.py,
# and two uncached OCR passes over the corpus's pictures would double the suite's longest test.
OCR = "off"


def _verdicts(result: CheckResult) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    findings = sorted(
        (f.to_dict() for f in result.findings), key=lambda d: (str(d.get("path")), d["check"], d["message"])
    )
    facts = {r.path: r.facts for r in result.inventory.files}
    return findings, facts


def test_serial_parallel_cached_and_uncached_give_the_same_findings(
    corpus: CorpusSpec, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for folder in corpus.folders:
        monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
        baseline = _verdicts(check_folder(folder.path, today=corpus.today, ocr=OCR, workers=1))
        monkeypatch.delenv("PACKAGER_NO_CACHE")
        monkeypatch.setenv("PACKAGER_CACHE_DIR", str(tmp_path / folder.name))
        cold = _verdicts(check_folder(folder.path, today=corpus.today, ocr=OCR, workers=2))
        warm = _verdicts(check_folder(folder.path, today=corpus.today, ocr=OCR, workers=2))
        warm_serial = _verdicts(check_folder(folder.path, today=corpus.today, ocr=OCR, workers=1))
        for label, other in (("parallel, cold cache", cold), ("parallel, warm cache", warm),
                             ("serial, warm cache", warm_serial)):
            assert other[0] == baseline[0], f"{folder.name}: findings differ ({label})"
            assert other[1] == baseline[1], f"{folder.name}: facts differ ({label})"
        with contextlib.closing(sqlite3.connect(tmp_path / folder.name / "facts" / "facts.sqlite3")) as db:
            assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 0, "the cache was used"
