"""Issue 8's corpus figures: check every folder of the realistic corpus and compare with its truth.

    .venv/bin/python bench/corpus_figures.py [--keep DIR]

Prints the mapping accuracy, the false errors on clean folders (and unplanted errors in the defect
folders), the missed defects, how many dates agree with what a reviewer reads, and how many
scanned or photographed deliverables had their date and label verified from the page itself
(by the date source and label sources recorded on the file). Not a test: it never fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packager.api import check_folder  # noqa: E402
from packager.audit import audit_zip  # noqa: E402
from packager.rules import load_rules  # noqa: E402
from tests.realcorpus import FolderSpec, build_corpus, figures  # noqa: E402

# Rules that differ by design for a received zip: an unlabelled deliverable is an error there, and an
# archive among the entries is also a nested archive of the zip.
BY_DESIGN = {"deliverable-unlabelled", "zip-nested-archive"}


def audit_differences(folder: FolderSpec, result: Any, work: Path, today: Any) -> list[str]:
    """Zip the folder as Windows 'Send to' does, audit it, and list findings that differ from the check."""
    target = work / f"{folder.name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.path.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder.path).as_posix()}")
    audited = audit_zip(target, load_rules(), today=today)
    prefix = folder.name + "/"

    def key(f: Any) -> tuple[str, str, str]:
        path = f.path or ""
        return f.check, path[len(prefix):] if path.startswith(prefix) else path, f.severity.value

    checked = {key(f) for f in result.findings if f.check not in BY_DESIGN}
    received = {key(f) for f in audited.findings if f.check not in BY_DESIGN}
    return [f"audit only: {k}" for k in sorted(received - checked)] + [
        f"check only: {k}" for k in sorted(checked - received)]


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
            folder.name: audit_differences(folder, results[folder.name], zips, spec.today) for folder in spec.folders
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
    differing = sum(len(d) for d in differences.values())
    print(f"check and audit of the same folder zipped by 'Send to' disagree on {differing} findings "
          f"(besides {', '.join(sorted(BY_DESIGN))})")
    for name, lines in differences.items():
        for line in lines:
            print(f"  {name}: {line}")
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
