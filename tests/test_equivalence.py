"""One evidence model: a folder checked with `check` and the same folder audited after being zipped
three ways (by `packager build`, by a plain zipfile as Windows "Send to" does, and with `__MACOSX/`
and `._` entries as macOS Finder does) gives every file the same findings.

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
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from packager.api import check_folder
from packager.audit import audit_zip
from packager.build import build_submission
from packager.findings import Finding
from packager.rules import load_rules
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


def zip_windows(folder: Path, out: Path) -> Path:
    """Windows 'Send to > Compressed folder': one top folder, no directory entries, Thumbs.db kept."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{TOP}/{path.relative_to(folder).as_posix()}")
        zf.writestr(f"{TOP}/Objective 1 - Emergency response/Thumbs.db", b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
        zf.writestr(f"{TOP}/desktop.ini", b"[.ShellClassInfo]\r\n")
    return out


def zip_macos(folder: Path, out: Path) -> Path:
    """macOS Finder 'Compress': directory entries, `__MACOSX/` AppleDouble twins, .DS_Store."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{TOP}/", b"")
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_dir():
                zf.writestr(f"{TOP}/{rel}/", b"")
                continue
            zf.write(path, f"{TOP}/{rel}")
            parent, _, leaf = f"{TOP}/{rel}".rpartition("/")
            zf.writestr(f"__MACOSX/{parent}/._{leaf}", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
        zf.writestr(f"{TOP}/.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 40)
    return out


@pytest.fixture(scope="module", params=["sample", "planted"])
def folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(request.param) / "sub"
    shutil.copytree(SAMPLE, root)
    if request.param == "planted":
        for plant, check in ALL_AT_ONCE:
            if check not in NOT_ZIPPABLE:
                plant(root)
        # An archive among the evidence: never opened in a received zip, and still not a deliverable.
        with zipfile.ZipFile(root / "Objective 3 - Toolbox talks" / "3.2 - Receipts.zip", "w") as nested:
            nested.writestr("receipt.txt", "Receipt 2026-06-01")
    return root


@pytest.mark.parametrize("how", ["windows", "macos"])
def test_zipped_folder_audits_like_the_folder(folder: Path, tmp_path: Path, how: str) -> None:
    checked = check_folder(folder, today=TODAY, workers=1)
    made = (zip_windows if how == "windows" else zip_macos)(folder, tmp_path / f"{how}.zip")
    audited = audit_zip(made, RULES, today=TODAY, workers=1)
    rename = {f"{TOP}/{rel}": rel for rel in (p.relative_to(folder).as_posix() for p in folder.rglob("*"))}
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
