"""Count the scanned and photographed deliverables of the realistic corpus verified from the page.

    .venv/bin/python bench/ocr_corpus.py

Builds tests/realcorpus.py's corpus in a temporary folder and checks every company folder twice,
with --ocr off and --ocr on (a fresh private cache). For each deliverable that is a picture of
paper or of a screen (scan, TIFF, photo, screenshot), it counts whether the page itself gave:

- the date: a date read from the page (text layer or OCR) equal to the date a reviewer reads;
- the label: the milestone named on the page (title, first page or header), equal to its milestone.

Not a test: it prints the before/after figures and the time of each run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from packager.api import check_folder  # noqa: E402
from tests.realcorpus import build_corpus, records_by_path  # noqa: E402

PAGE_SOURCES = ("content", "ocr")
PAGE_LABELS = ("title", "first page", "header")


def count(spec: object, mode: str) -> tuple[int, int, int, int, float]:
    """(pictures, date verified, label verified, both, seconds)."""
    pictures = dates = labels = both = 0
    started = time.perf_counter()
    for folder in spec.folders:  # type: ignore[attr-defined]
        result = check_folder(folder.path, today=spec.today, ocr=mode)  # type: ignore[attr-defined]
        records = records_by_path(result)
        for truth in folder.deliverables:
            if not truth.scanned:
                continue
            pictures += 1
            record = records.get(truth.path)
            facts = record.facts if record is not None else None
            page_dates = {d.date for d in (facts.dates if facts else ()) if d.source in PAGE_SOURCES}
            date_ok = truth.date is not None and truth.date in page_dates
            label_ok = record is not None and truth.milestone == record.mapping.milestone and bool(
                set(PAGE_LABELS) & set(record.mapping.label_sources)
            )
            dates += date_ok
            labels += label_ok
            both += date_ok and label_ok
    return pictures, dates, labels, both, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="packager-corpus-") as tmp:
        os.environ["PACKAGER_CACHE_DIR"] = str(Path(tmp) / "cache")
        spec = build_corpus(Path(tmp) / "corpus")
        for mode in ("off", "on", "on"):
            pictures, dates, labels, both, seconds = count(spec, mode)
            print(f"--ocr {mode:<3}: {pictures} scanned/photographed deliverables; date from the page {dates}, "
                  f"label from the page {labels}, both {both}  ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
