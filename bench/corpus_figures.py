"""Issue 8's corpus figures: check every folder of the realistic corpus and compare with its truth.

    .venv/bin/python bench/corpus_figures.py [--keep DIR]

Prints the mapping accuracy, the false errors on clean folders (and unplanted errors in the defect
folders), the missed defects, how many dates agree with what a reviewer reads, and how many
scanned or photographed deliverables had their date and label verified from the page itself
(by the date source and label sources recorded on the file), and how `audit` of each folder zipped by
hand (Windows "Send to", macOS Finder) differs from its `check`. Not a test: it never fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packager.api import check_folder  # noqa: E402
from tests.handzips import MAKERS  # noqa: E402
from tests.realcorpus import AUDIT_BY_DESIGN, audit_differences, build_corpus, figures  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="realcorpus-") as tmp:
        root = args.keep or Path(tmp)
        spec = build_corpus(root)
        results = {folder.name: check_folder(folder.path, today=spec.today) for folder in spec.folders}
        fig = figures(spec, results)
        zips = Path(tmp) / "zips"
        zips.mkdir()
        differences = {
            (folder.name, how): audit_differences(folder, results[folder.name], zips, spec.today, how)
            for how in sorted(MAKERS) for folder in spec.folders
        }
    clean = sum(len(f.deliverables) for f in spec.clean)
    print(f"corpus: {fig.deliverables} deliverables in {len(spec.folders)} folders "
          f"({len(spec.clean)} clean with {clean} deliverables, {len(spec.defective)} with planted defects)")
    print(f"mapping accuracy: {fig.mapped_right}/{fig.deliverables} = {fig.mapping_accuracy:.1%}")
    print(f"false errors on clean folders: {len(fig.false_errors_clean)}")
    print(f"unplanted errors in defect folders: {len(fig.false_errors_defect)}")
    print(f"missed defects: {len(fig.missed)} of {fig.planted}")
    print(f"dates as a reviewer reads them (no OCR needed): {fig.dated_right}/{fig.dated}")
    print(f"scanned/photographed deliverables: {fig.scanned}; date verified from the page: "
          f"{fig.scanned_dated_from_page}; label verified from the page: {fig.scanned_labelled_from_page}")
    for how in sorted(MAKERS):
        differing = sum(len(d) for (_name, made), d in differences.items() if made == how)
        print(f"check and audit of the same folder zipped by {how} disagree on {differing} findings "
              f"(besides {', '.join(sorted(AUDIT_BY_DESIGN))})")
    for (name, how), lines in differences.items():
        for line in lines:
            print(f"  {name} ({how}): {line}")
    if fig.false_errors_clean or fig.false_errors_defect:
        print("\nfalse errors:")
        for folder, key, check, message in (*fig.false_errors_clean, *fig.false_errors_defect):
            print(f"  {folder}: {key}: {check}: {message}")
    if fig.missed:
        print("\nmissed defects:")
        for folder, defect in fig.missed:
            print(f"  {folder}: {defect.check} at {defect.path or defect.milestone}: {defect.note}")
    if fig.wrong_mappings:
        print("\nwrong mappings:")
        for folder, path, wanted, got in fig.wrong_mappings:
            print(f"  {folder}: {path}: wanted {wanted}, got {got}")
    if fig.wrong_dates:
        print("\nwrong dates:")
        for folder, path, wanted, got, source in fig.wrong_dates:
            print(f"  {folder}: {path}: shows {wanted}, tool read {got} ({source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
