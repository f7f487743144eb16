"""The approved plan given as the zip the company sent in spring (--plan proposal.zip, plan convert)."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from packager.build import build_submission
from packager.checks import Stage
from packager.errors import InputError
from packager.plan import load_plan
from packager.rules import load_rules
from tests.hostile import one_paragraph, run

ROOT = Path(__file__).resolve().parents[1]
PROPOSAL = ROOT / "fixtures" / "cases" / "proposal-cor-valid"
SAMPLE = ROOT / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()


@pytest.fixture(scope="module")
def proposal_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spring") / "Northwind proposal.zip"
    build_submission(PROPOSAL, out, stage=Stage.PROPOSAL, today=dt.date(2026, 3, 1))
    return out


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_the_proposal_zip_gives_the_plan_it_was_built_from(proposal_zip: Path) -> None:
    from_zip = load_plan(proposal_zip, RULES)
    from_yaml = load_plan(PROPOSAL / "action-plan.yaml", RULES)
    assert (from_zip.company, from_zip.year, from_zip.approved) == (from_yaml.company, from_yaml.year,
                                                                    from_yaml.approved)
    assert [(mid, ms.title, ms.weight, ms.target_date) for _o, mid, ms in from_zip.milestones()] == [
        (mid, ms.title, ms.weight, ms.target_date) for _o, mid, ms in from_yaml.milestones()]


def test_plan_convert_writes_the_proposal_zips_plan(proposal_zip: Path, tmp_path: Path) -> None:
    out = tmp_path / "approved.yaml"
    code, _out, err = run("plan", "convert", str(proposal_zip), str(out))
    assert code == 0, err
    assert load_plan(out, RULES).company == load_plan(PROPOSAL / "action-plan.yaml", RULES).company


def test_a_hand_made_zip_gives_its_plan_file(tmp_path: Path) -> None:
    plan = (SAMPLE / "action-plan.yaml").read_bytes()
    path = tmp_path / "spring.zip"
    path.write_bytes(_zip({"Northwind 2026/action-plan.yaml": plan, "Northwind 2026/admin/org.pdf": b"%PDF-1.4"}))
    assert load_plan(path, RULES).company == load_plan(SAMPLE / "action-plan.yaml", RULES).company


@pytest.mark.parametrize(("entries", "expected"), [
    ({"x/notes.txt": b"hello"}, "this zip holds no plan: neither a packager manifest with the plan nor an "
                                "action-plan.yaml or action-plan.xlsx at its top"),
    ({"x/00 Submission Documents/manifest.json": json.dumps({"files": [], "plan": [[[]]]}).encode()},
     "this zip holds no plan"),
    ({"x/00 Submission Documents/manifest.json": json.dumps(
        {"files": [], "plan": {"program": "COR", "company": "X", "year": 2026,
                               "objectives": [{"title": {"a": 1}}]}}).encode()}, "field 'objectives[1].title'"),
    ({"x/00 Submission Documents/manifest.json": ("{\"files\": [], \"plan\": " + "[" * 100_000 + "]" * 100_000
                                                  + "}").encode()}, "this zip holds no plan"),
    ({"x/action-plan.yaml": b"program: COR\ncompany: \xff\xfe bad\n"}, "'x/action-plan.yaml' in the zip is not "
                                                                      "UTF-8 text"),
])
def test_a_zip_without_a_usable_plan_is_one_paragraph(tmp_path: Path, entries: dict[str, bytes], expected: str) -> None:
    path = tmp_path / "spring.zip"
    path.write_bytes(_zip(entries))
    with pytest.raises(InputError) as raised:
        load_plan(path, RULES)
    assert expected in raised.value.paragraph()
    code, _out, err = run("plan", "convert", str(path), str(tmp_path / "out.yaml"))
    assert code == 2 and expected in one_paragraph(err)


def test_an_unsafe_zip_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    path = tmp_path / "spring.zip"
    path.write_bytes(_zip({"../../escape/action-plan.yaml": (SAMPLE / "action-plan.yaml").read_bytes()}))
    code, _out, err = run("plan", "convert", str(path), str(tmp_path / "out.yaml"))
    assert code == 2
    one_paragraph(err)
    assert not (tmp_path.parent / "escape").exists()


@pytest.mark.parametrize(("data", "kind"), [(b"%PDF-1.7\n", "a PDF"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel "
                                                                                   "97-2003 or Word file")])
def test_a_file_that_is_not_a_plan_says_what_it_is(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "approved plan"
    path.write_bytes(data + b"\x00" * 100)
    code, _out, err = run("plan", "convert", str(path), str(tmp_path / "out.yaml"))
    assert code == 2
    assert f"this is {kind}, not a plan file" in one_paragraph(err)


def test_audit_against_the_proposal_zip(proposal_zip: Path, tmp_path: Path) -> None:
    """The reviewer's spring file, as the company sent it, is the plan the final zip is scored against."""
    final = tmp_path / "final"
    shutil.copytree(SAMPLE, final)
    built = tmp_path / "final.zip"
    build_submission(final, built, today=TODAY)
    code, out, err = run("audit", str(built), "--plan", str(proposal_zip), "--today", "2026-11-26", "--ocr", "off",
                         "--format", "json")
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["plan"]["source"].startswith(f"{proposal_zip} (")
    assert report["plan"]["source"].endswith("/00 Submission Documents/manifest.json, plan)")
    # the final plan is the sample's, not the proposal's: the audit says what changed since the spring
    assert "plan-changed-since-approval" in {f["check"] for f in report["findings"]}
