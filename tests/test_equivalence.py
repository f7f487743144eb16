"""One evidence model: a folder checked with `check` and the same folder audited after being zipped
three ways (by `packager build`, as Windows "Send to" does and as macOS Finder does: see
`tests.handzips`) gives every file the same findings, French names stored either way included.

The few rules that differ by design for a received zip are normalised before comparing:
an unlabelled deliverable is an error in a received zip (a warning in a folder); the manifest and
the zip's own structure (`zip-*`) exist only for a zip; which system files were left out differs
by how the zip was made; and a built zip renames every file (so it carries its milestone label, and
a name Windows cannot extract is replaced).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from packager.api import check_folder
from packager.audit import audit_zip
from packager.build import build_submission
from packager.findings import Finding
from packager.rules import load_rules
from tests import handzips
from tests.test_deliverable_checks import ALL_AT_ONCE

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
TOP = "ACME Send to"
ZIP_ONLY = {"manifest-mismatch", "files-ignored"}
# Planted files that cannot travel unchanged in every zip (a ':' in a name is itself a zip finding).
NOT_ZIPPABLE = {"file-name-unsafe"}

Key = tuple[str, str]  # (check id, severity)


def _normal(f: Finding) -> Key:
    severity = "warning" if f.check == "deliverable-unlabelled" else f.severity.value
    return f.check, severity


def by_file(findings: tuple[Finding, ...], rename: dict[str, str]) -> dict[str, set[Key]]:
    """Findings per source file (and '' for findings about no file), zip-only rules left out."""
    out: dict[str, set[Key]] = defaultdict(set)
    for f in findings:
        if f.check.startswith("zip-") or f.check in ZIP_ONLY:
            continue
        path = rename.get(f.path, f.path) if f.path else ""
        key = path if path else f"milestone {f.milestone or '-'}"
        out[key].add(_normal(f))
    return dict(out)


def _accented(root: Path) -> None:
    """French names as a Mac stores them (accents decomposed) while the plan, typed, has them composed:
    the plan's signed acknowledgement, a deliverable and an objective folder; and, typed on Windows, the
    plan's signed Auditor Maintenance page and a deliverable."""
    ack = "admin/accusé de réception signé.pdf"
    (root / "admin" / "acknowledgement-signed.pdf").rename(root / unicodedata.normalize("NFD", ack))
    plan = root / "action-plan.yaml"
    # Typed on Windows (composed), with capitals only cp850, Canada's DOS code page, has.
    auditor = "admin/Maintenance de l'auditeur À JOUR - ÎLE ÈVE.pdf"
    (root / "admin" / "auditor-maintenance-signed.pdf").rename(root / auditor)
    plan.write_text(plan.read_text().replace("admin/acknowledgement-signed.pdf", f'"{ack}"')
                    .replace("admin/auditor-maintenance-signed.pdf", f'"{auditor}"'))
    talks = root / "Objective 3 - Toolbox talks"
    (talks / "3.1 - Toolbox talk schedule - 2026-04-15.pdf").rename(
        talks / unicodedata.normalize("NFD", "3.1 - Calendrier des causeries sécurité - 2026-04-15.pdf"))
    (root / "Objective 2 - Hand safety").rename(root / unicodedata.normalize("NFD", "Objective 2 – Sécurité des mains"))
    drills = root / "Objective 1 - Emergency response"
    (drills / "1.2 - Emergency response plan rev 3 - 2026-06-20.pdf").rename(
        drills / "1.2 - Plan d'urgence À JOUR - ÎLE ÈVE - 2026-06-20.pdf")


@pytest.fixture(scope="module", params=["sample", "planted", "accented"])
def folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(request.param) / "sub"
    shutil.copytree(SAMPLE, root)
    if request.param == "accented":
        _accented(root)
    if request.param == "planted":
        for plant, check in ALL_AT_ONCE:
            if check not in NOT_ZIPPABLE:
                plant(root)
        # An archive among the evidence: never opened in a received zip, and still not a deliverable.
        with zipfile.ZipFile(root / "Objective 3 - Toolbox talks" / "3.2 - Receipts.zip", "w") as nested:
            nested.writestr("receipt.txt", "Receipt 2026-06-01")
    return root


@pytest.mark.parametrize("how", ["Windows Send to", "macOS Finder"])
def test_zipped_folder_audits_like_the_folder(folder: Path, tmp_path: Path, how: str) -> None:
    _audits_like_the_folder(folder, tmp_path, how)


def test_french_names_zipped_by_canadian_windows_audit_like_the_folder(tmp_path: Path) -> None:
    """Windows "Send to" in Canada writes names in cp850 (the other folders' names are plain ASCII:
    the same zip as in the United States)."""
    folder = tmp_path / "accented" / "sub"
    shutil.copytree(SAMPLE, folder)
    _accented(folder)
    _audits_like_the_folder(folder, tmp_path, "Windows Send to (Canada)")


def _audits_like_the_folder(folder: Path, tmp_path: Path, how: str) -> None:
    checked = check_folder(folder, today=TODAY, workers=1)
    if not folder.parent.name.startswith("planted"):
        assert [f for f in checked.findings if f.severity.value == "error"] == []
    made = handzips.MAKERS[how](folder, tmp_path / "made.zip", TOP)
    audited = audit_zip(made, RULES, today=TODAY, workers=1)
    # Names as a reviewer sees them, whatever form the zip stored them in.
    rename = {unicodedata.normalize("NFC", f"{TOP}/{rel}"): rel
              for rel in (p.relative_to(folder).as_posix() for p in folder.rglob("*"))}
    audited = replace(audited, findings=tuple(
        replace(f, path=unicodedata.normalize("NFC", f.path)) if f.path else f for f in audited.findings))
    assert audited.plan is not None, audited.unverified
    assert by_file(audited.findings, rename) == by_file(checked.findings, {})
    assert [f.check for f in audited.findings if f.check.startswith("zip-")] == (
        ["zip-nested-archive"] if folder.parent.name.startswith("planted") else []
    )
    ignored = [f for f in audited.findings if f.check == "files-ignored"]
    assert len(ignored) == 1 and ("__MACOSX" in ignored[0].message or "Thumbs.db" in ignored[0].message)


def test_built_zip_audits_like_the_folder(folder: Path, tmp_path: Path) -> None:
    checked = check_folder(folder, today=TODAY, workers=1)
    out = tmp_path / "built.zip"
    build_submission(folder, out, today=TODAY, allow_errors=True)
    audited = audit_zip(out, RULES, today=TODAY, workers=1)
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("manifest.json"))))
    rename = {f["path"]: f["source"] for f in manifest["files"] if f.get("source")}
    carried = set(rename.values())
    expected = {
        path: {k for k in keys if k[0] != "deliverable-unlabelled"} - {("file-name-unsafe", "warning")}
        for path, keys in by_file(checked.findings, {}).items()
        if path.startswith("milestone ") or path in carried
    }
    expected = {path: keys for path, keys in expected.items() if keys}
    assert by_file(audited.findings, rename) == expected
    assert [f for f in audited.findings if f.check == "manifest-mismatch"] == []


def test_a_built_zip_zipped_again_on_a_mac_still_matches_its_manifest(tmp_path: Path) -> None:
    """A reviewer who unzips a built zip on a Mac and compresses it again gets accents stored
    decomposed and no UTF-8 flag: the files are still the ones the manifest lists."""
    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    _accented(root)
    built = tmp_path / "built.zip"
    build_submission(root, built, today=TODAY)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(built) as zf:
        zf.extractall(unpacked)
        top = zf.namelist()[0].split("/", 1)[0]
    assert any(not n.isascii() for n in zf.namelist())
    again = handzips.finder(unpacked / top, tmp_path / "again.zip", top)
    audited = audit_zip(again, RULES, today=TODAY, workers=1)
    assert audited.manifest
    assert [f.message for f in audited.findings if f.check == "manifest-mismatch"] == []
    assert [f.message for f in audited.findings if f.severity.value == "error"] == []
