"""Received data is untrusted: malformed manifest.json and action-plan.yaml become findings naming the
field; an empty zip is not acceptable; one bad zip in a batch is one failed row."""

from __future__ import annotations

import datetime as dt
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from packager.audit import audit_zip
from packager.plan import plan_to_data
from packager.report.audit_text import verdict
from packager.rules import load_rules
from tests.hostile import fingerprint, one_paragraph, run
from tests.plans import plan_from, valid_plan
from tests.synth import make_text_pdf

RULES = load_rules(None)
TODAY = dt.date(2026, 11, 26)
TOP = "Top/"


def manifest_with(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "manifest_version": 1, "tool": {"name": "packager"},
        "plan": plan_to_data(plan_from(valid_plan())), "files": [],
    }
    data.update(changes)
    return data


def write_zip(path: Path, entries: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def audit(path: Path) -> tuple[dict[str, list[str]], str]:
    result = audit_zip(path, RULES, today=TODAY, workers=1)
    by_check: dict[str, list[str]] = {}
    for f in result.findings:
        by_check.setdefault(f.check, []).append(f.message)
    return by_check, verdict(result)


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_json_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _plan_field(key: str, value: Any) -> dict[str, Any]:
    plan = plan_to_data(plan_from(valid_plan()))
    plan[key] = value
    return plan


@pytest.mark.parametrize(
    ("manifest_text", "check", "expected"),
    [
        ('{"files": [], "plan": ' + deep_json(100_000) + "}", "manifest-mismatch", "not a readable packager manifest"),
        ('{"files": [], "size": ' + "9" * 5000 + "}", "manifest-mismatch", "not a readable packager manifest"),
        (json.dumps(manifest_with(files=[{"path": ["a", "b"], "sha256": "0" * 64}])), "manifest-mismatch",
         "files[1].path is a list"),
        (json.dumps(manifest_with(files=[{"path": "Top/x.pdf", "sha256": {"a": 1}}])), "manifest-mismatch",
         "files[1].sha256 is a block of fields"),
        (json.dumps(manifest_with(files=["Top/x.pdf"])), "manifest-mismatch", "files[1] is text"),
        (json.dumps(manifest_with(plan=[1, 2])), "plan-unreadable", "field 'plan' is a list"),
        (json.dumps(manifest_with(plan=_plan_field("year", 99999))), "plan-unreadable", "field 'year'"),
        (json.dumps(manifest_with(plan=_plan_field("company", ["a"]))), "plan-unreadable", "field 'company'"),
        (json.dumps(manifest_with(plan=_plan_field("approved", "99999-01-01"))), "plan-unreadable",
         "field 'approved'"),
        (json.dumps(manifest_with(plan=_plan_field("previous_plan_score", float("nan")))), "plan-unreadable",
         "field 'previous_plan_score'"),
        (json.dumps(manifest_with(plan=_plan_field("objectives", deep_json_list(400)))), "plan-unreadable",
         "objectives"),
    ],
)
def test_malformed_manifest_is_a_finding_naming_the_field(
    tmp_path: Path, manifest_text: str, check: str, expected: str
) -> None:
    path = write_zip(tmp_path / "in.zip", {f"{TOP}00 Submission Documents/manifest.json": manifest_text.encode()})
    before = fingerprint(tmp_path)
    by_check, shown = audit(path)
    assert check in by_check, by_check
    assert any(expected in m for m in by_check[check]), by_check[check]
    assert not shown.startswith("Acceptable")
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize(
    ("plan_text", "expected"),
    [
        ("program: COR\nobjectives: " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        ("program: COR\nyear: " + "9" * 5000, "5,000 digits"),
        (yaml.safe_dump({**valid_plan(), "year": 2026, "approved": dt.date(9999, 1, 1)}), "field 'approved'"),
        ("- a list\n- not a plan\n", "block of 'name: value' pairs"),
    ],
)
def test_malformed_plan_in_a_zip_is_plan_unreadable(tmp_path: Path, plan_text: str, expected: str) -> None:
    path = write_zip(tmp_path / "in.zip", {f"{TOP}action-plan.yaml": plan_text.encode()})
    by_check, shown = audit(path)
    assert any(expected in m for m in by_check.get("plan-unreadable", [])), by_check
    assert not shown.startswith("Acceptable")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({}, "The zip is empty"),
        ({"Top/notes.txt": b"hello, reviewer\n", "Top/photo of the yard.txt": b"words\n"}, "none of its 2 files"),
        ({"Top/notes.txt": b"hello, reviewer\n"}, "its one file is not named or filed under a milestone"),
    ],
)
def test_nothing_to_audit_is_not_acceptable(tmp_path: Path, entries: dict[str, bytes], expected: str) -> None:
    path = write_zip(tmp_path / "in.zip", entries)
    by_check, shown = audit(path)
    assert any(expected in m for m in by_check.get("submission-empty", [])), by_check
    assert shown.startswith("Not acceptable")


def test_batch_one_bad_zip_is_one_failed_row(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "d.pdf").read_bytes()
    good = write_zip(tmp_path / "a.zip", {
        f"{TOP}action-plan.yaml": yaml.safe_dump(valid_plan()).encode(),
        f"{TOP}Objective 1/1.1 - Drill - 2026-05-14.pdf": pdf,
    })
    hostile = write_zip(tmp_path / "b.zip", {
        f"{TOP}00 Submission Documents/manifest.json": json.dumps(
            manifest_with(files=[{"path": ["x"]}], plan=[1])).encode(),
    })
    broken = tmp_path / "c.zip"
    broken.write_bytes(b"not a zip at all")
    code, out, err = run("audit", str(good), str(hostile), str(broken), "--format", "json", "--today", "2026-11-26")
    assert code == 1, err
    rows = json.loads(out)["zips"]
    assert [r["status"] for r in rows][2] == "failed"
    assert rows[1]["status"] == "errors"
    assert "internal problem" not in out + err and "Traceback" not in out + err


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_disk_full_while_spooling_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compression: int) -> None:
    """A full disk stops an audit that must unpack; where entries are stored uncompressed (as `packager
    build` stores most) and read in place (Linux), there is nothing to write."""
    import errno

    from packager.archive import prespool

    monkeypatch.setattr(prespool, "INFLATE_IN_PLACE_MAX", 0)  # a small deflated entry would be read in place

    from packager.archive import EntryReader

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    pdf = make_text_pdf(tmp_path / "d.pdf").read_bytes()
    received = write_zip(tmp_path / "in.zip", {
        f"{TOP}action-plan.yaml": yaml.safe_dump(valid_plan()).encode(),
        f"{TOP}Objective 1/1.1 - Drill - 2026-05-14.pdf": pdf,
    }, compression)
    monkeypatch.setattr(EntryReader, "spool_with_head", full)  # memory and disk alike
    before = fingerprint(tmp_path)
    code, _out, err = run("audit", str(received), "--today", "2026-11-26")
    if compression == zipfile.ZIP_STORED and sys.platform.startswith("linux"):
        assert code in (0, 1) and "disk is full" not in err
        return
    assert code == 2
    text = one_paragraph(err)
    assert "disk is full" in text and "in.zip" in text and "TMPDIR" in text
    assert fingerprint(tmp_path) == before
