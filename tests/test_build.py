"""`packager build`: layout, names, determinism, atomicity, manifest, splitting, templates, proposal."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from packager.build import BuildRefused, build_submission
from packager.checks import Stage
from packager.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
TOP = "Northwind Paving Ltd - COR Action Plan 2026 - Final Submission"
TODAY = __import__("datetime").date(2026, 11, 26)



def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_layout_and_names(built: Path) -> None:
    names = zipfile.ZipFile(built).namelist()
    assert all(n.startswith(TOP + "/") for n in names)
    docs = [n for n in names if "/00 Submission Documents/" in n]
    assert [d.rsplit("/", 1)[1] for d in docs] == [
        "01 Index.pdf", "02 Executive Summary.pdf", "03 Self-Scoring Sheet.pdf", "04 Auditor Maintenance.pdf",
        "05 Senior Representative Acknowledgement.pdf", "06 Signed Senior Representative Acknowledgement.pdf",
        "07 Signed Auditor Maintenance.pdf", "manifest.json",
    ]
    assert f"{TOP}/Objective 1 - Strengthen emergency response/1.2 - Emergency response plan rev 3 - 2026-06-20.pdf" in names
    assert f"{TOP}/Objective 3 - Hold 8 monthly toolbox talks/3.2 - Toolbox talk attendance - 2026-10-05.pdf" in names
    for name in names:
        assert len(name) <= 260 - 1 - 70, name  # extracts on Windows under a typical Downloads folder
        leaf = name.rsplit("/", 1)[1]
        if "/Objective " in name:
            assert leaf[:3] in {"1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"}
        assert not any(c in name for c in '<>:"\\|?*')


def test_zip_entries_are_deterministic_and_flagged(built: Path) -> None:
    infos = zipfile.ZipFile(built).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    # The day of the build (here --today), at a fixed noon: builds on the same day are identical.
    assert {i.date_time for i in infos} == {(TODAY.year, TODAY.month, TODAY.day, 12, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert all(i.flag_bits & 0x800 for i in infos)
    jpeg = next(i for i in infos if i.filename.endswith(".jpg"))
    csv = next(i for i in infos if i.filename.endswith(".csv"))
    assert jpeg.compress_type == zipfile.ZIP_STORED
    assert csv.compress_type == zipfile.ZIP_DEFLATED


def test_two_builds_are_byte_identical(tmp_path: Path, built: Path) -> None:
    again = tmp_path / "again.zip"
    build_submission(SAMPLE, again, today=TODAY)
    assert again.read_bytes() == built.read_bytes()


def test_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    out = tmp_path / "e.zip"
    build_submission(SAMPLE, out, today=TODAY)
    assert {i.date_time for i in zipfile.ZipFile(out).infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_source_folder_unchanged(tmp_path: Path) -> None:
    before = snapshot(SAMPLE)
    build_submission(SAMPLE, tmp_path / "x.zip", today=TODAY)
    assert snapshot(SAMPLE) == before


def test_manifest_hashes_every_entry(built: Path) -> None:
    zf = zipfile.ZipFile(built)
    manifest = json.loads(zf.read(f"{TOP}/00 Submission Documents/manifest.json"))
    listed = {f["path"]: f for f in manifest["files"]}
    entries = {n for n in zf.namelist() if not n.endswith("manifest.json")}
    assert set(listed) == entries
    for name in entries:
        assert hashlib.sha256(zf.read(name)).hexdigest() == listed[name]["sha256"]
        assert zf.getinfo(name).file_size == listed[name]["size"]
    deliverable = listed[f"{TOP}/Objective 1 - Strengthen emergency response/1.2 - Emergency response plan rev 3 - 2026-06-20.pdf"]
    assert deliverable["milestone"] == "1.2" and deliverable["objective"] == 1
    assert deliverable["source"] == "Objective 1 - Emergency response/1.2 - Emergency response plan rev 3 - 2026-06-20.pdf"
    assert {"date": "2026-06-20", "source": "name", "text": "2026-06-20", "confidence": 1.0} in deliverable["dates"]
    assert manifest["tool"]["name"] == "packager" and manifest["rules"]["profile"] == "acsa-cor-secor"
    assert manifest["plan"]["company"] == "Northwind Paving Ltd."
    assert manifest["score"]["self"] == 93


def test_generated_documents_text(built: Path) -> None:
    zf = zipfile.ZipFile(built)

    def text(name: str) -> str:
        import io

        reader = PdfReader(io.BytesIO(zf.read(f"{TOP}/00 Submission Documents/{name}")))
        return "\n".join(page.extract_text() for page in reader.pages)

    index = text("01 Index.pdf")
    assert "Submission Index" in index and "Page 1 of" in index and "2026-06-20" in index
    summary = text("02 Executive Summary.pdf")
    assert "93" in summary and "Keep attendance sheets" in summary
    auditors = text("04 Auditor Maintenance.pdf")
    assert "Émilie Côté" in auditors and "Priya Natarajan" in auditors
    ack = text("05 Senior Representative Acknowledgement.pdf")
    assert "Dana Whitfield" in ack and "President" in ack


def test_refuses_with_errors_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SAMPLE, folder)
    (folder / "Objective 3 - Toolbox talks" / "3.1 - Toolbox talk schedule - 2026-04-15.pdf").unlink()
    out = tmp_path / "out" / "x.zip"
    with pytest.raises(BuildRefused):
        build_submission(folder, out, today=TODAY)
    assert not out.exists()
    assert not list(tmp_path.glob("out/*"))
    result = build_submission(folder, out, today=TODAY, allow_errors=True)
    assert out.exists() and result.summary.errors == 1
    import io

    zf = zipfile.ZipFile(out)
    first = PdfReader(io.BytesIO(zf.read(f"{TOP}/00 Submission Documents/01 Index.pdf"))).pages[0].extract_text()
    assert "milestone-no-deliverable" in first or "Milestone 3.1 has no deliverable" in first


def test_interrupted_build_leaves_no_stray_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import packager.zipwriter as zw

    calls = {"n": 0}
    real = zw.ZipFile.open

    def exploding_open(self: zipfile.ZipFile, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zw.ZipFile, "open", exploding_open)
    out = tmp_path / "x.zip"
    with pytest.raises(KeyboardInterrupt):
        build_submission(SAMPLE, out, today=TODAY)
    assert list(tmp_path.iterdir()) == []


def test_split_parts(tmp_path: Path) -> None:
    out = tmp_path / "sample.zip"
    result = build_submission(SAMPLE, out, today=TODAY, split_mb=0.1)
    names = [p.name for p in result.outputs]
    assert len(names) >= 2
    assert names[0] == f"sample - Part 1 of {len(names)}.zip"
    seen_objectives = []
    for path in result.outputs:
        zf = zipfile.ZipFile(path)
        entries = zf.namelist()
        assert any(e.endswith("01 Index.pdf") for e in entries)
        manifest = json.loads(zf.read(f"{TOP}/00 Submission Documents/manifest.json"))
        assert manifest["part"]["count"] == len(names)
        objectives = {f["objective"] for f in manifest["files"] if f["objective"]}
        assert not (objectives & set(seen_objectives)), "an objective was split across parts"
        seen_objectives.extend(objectives)
    assert sorted(seen_objectives) == [1, 2, 3]


def test_a_part_larger_than_split_mb_is_named(tmp_path: Path) -> None:
    """Objectives are never split: a part that comes out larger than --split-mb says so, and why."""
    result = build_submission(SAMPLE, tmp_path / "sample.zip", today=TODAY, split_mb=0.1)
    warned = {f.path: f for f in result.findings if f.check == "submission-too-large"}
    over = [(p.name, size) for p, size in zip(result.outputs, result.sizes, strict=True) if size > 0.1 * 1024 * 1024]
    assert over and sorted(warned) == sorted(name for name, _size in over)
    for name, size in over:
        finding = warned[name]
        assert finding.severity.value == "warning"
        assert finding.message.startswith(f"'{name}' is {size / 1024 / 1024:.1f} MB, over the 0.1 MB asked for "
                                          "with --split-mb: ")
        assert finding.message.endswith((
            f"it holds objective {finding.objective} alone, and an objective is never split between parts.",
            "the generated documents and the zip's own records add to its files."))
        assert "file-sharing link" in finding.hint


def test_email_limit_warning(tmp_path: Path) -> None:
    rules = (ROOT / "rules" / "acsa-cor-secor.yaml").read_text(encoding="utf-8").replace(
        "email_limit_mb: 18", "email_limit_mb: 0.1")
    (tmp_path / "tiny.yaml").write_text(rules, encoding="utf-8")
    result = build_submission(SAMPLE, tmp_path / "x.zip", today=TODAY, rules_spec=str(tmp_path / "tiny.yaml"))
    assert [f.check for f in result.findings] == ["submission-too-large"]


def test_template_override(tmp_path: Path) -> None:
    templates = tmp_path / "brand"
    templates.mkdir()
    (templates / "executive_summary.html.j2").write_text(
        "{% extends 'base.html.j2' %}{% block content %}<p>Consultant edition for {{ plan.company }}</p>"
        "{% endblock %}", encoding="utf-8")
    out = tmp_path / "x.zip"
    build_submission(SAMPLE, out, today=TODAY, templates_dir=templates)
    import io

    zf = zipfile.ZipFile(out)
    summary = PdfReader(io.BytesIO(zf.read(f"{TOP}/00 Submission Documents/02 Executive Summary.pdf")))
    assert "Consultant edition for Northwind Paving Ltd." in summary.pages[0].extract_text()
    index = PdfReader(io.BytesIO(zf.read(f"{TOP}/00 Submission Documents/01 Index.pdf")))
    assert "Submission Index" in index.pages[0].extract_text()


def test_proposal_stage(tmp_path: Path) -> None:
    out = tmp_path / "p.zip"
    build_submission(SAMPLE, out, stage=Stage.PROPOSAL, today=TODAY)
    names = zipfile.ZipFile(out).namelist()
    top = "Northwind Paving Ltd - COR Action Plan 2026 - Proposal/00 Submission Documents/"
    assert names == [top + n for n in ["01 Action Plan.pdf", "02 Proposal Details.pdf",
                                       "03 Organisational Chart.pdf", "manifest.json"]]


def test_cli_build_refuses_and_reports(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SAMPLE, folder)
    os.remove(folder / "admin" / "acknowledgement-signed.pdf")
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(tmp_path / "x.zip"), "--today", "2026-11-26"])
    assert result.exit_code == 1
    assert "signoff-missing" in result.stdout
    assert "Not built: 1 error, 0 warnings" in result.stderr


@pytest.mark.parametrize(
    ("extra", "env", "expected"),
    [
        (["--split-mb", "0"], {}, "field '--split-mb': 0 is not a size"),
        (["--templates", "/nonexistent/brand"], {}, "the templates folder does not exist"),
        ([], {"SOURCE_DATE_EPOCH": "yesterday"}, "field 'SOURCE_DATE_EPOCH': 'yesterday' is not a Unix time"),
        (["--today", "26/11/2026"], {}, "field '--today': '26/11/2026' is not a date"),
    ],
)
def test_cli_build_unusable_options_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], env: dict[str, str], expected: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = ["build", str(SAMPLE), "-o", str(tmp_path / "x.zip"), *extra]
    if "--today" not in extra:
        args += ["--today", "2026-11-26"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_broken_consultant_template_exits_2(tmp_path: Path) -> None:
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "index.html.j2").write_text("{% if %}broken", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "x.zip"), "--templates",
                                       str(brand), "--today", "2026-11-26"])
    assert result.exit_code == 2
    assert "index.html.j2" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.zip").exists()


def test_a_month_or_quarter_in_the_name_dates_the_built_file_once(tmp_path: Path) -> None:
    """'2026-05' and 'Q2 2026' date a monthly or quarterly record: the build keeps them at the end of the
    name, once, and the audit of the zip reads them as the check did."""
    from packager.audit import audit_zip
    from packager.rules import load_rules

    src = tmp_path / "src"
    shutil.copytree(SAMPLE, src)
    talks = src / "Objective 3 - Toolbox talks"
    (talks / "3.2 - Monthly toolbox talk - 2026-05.rtf").write_bytes(rb"{\rtf1\ansi Toolbox talk: ladders\par}")
    (talks / "3.2 - Q3 2026 talk figures.rtf").write_bytes(rb"{\rtf1\ansi Talks held: 12\par}")
    out = tmp_path / "out.zip"
    build_submission(src, out, today=TODAY)
    leaves = {n.rsplit("/", 1)[1] for n in zipfile.ZipFile(out).namelist()}
    assert {"3.2 - Monthly toolbox talk - 2026-05.rtf", "3.2 - talk figures - 2026-Q3.rtf"} <= leaves
    findings = audit_zip(out, load_rules(), today=TODAY).findings
    assert [(f.check, f.path) for f in findings if f.severity.value == "error"] == []
    assert not [f for f in findings if f.check == "deliverable-undated"]


def test_a_date_outside_the_plan_stays_in_the_built_name_and_the_audit_finds_it(tmp_path: Path) -> None:
    """Built with --allow-errors, a scan dated before the approval keeps that date in its built name: the audit
    of the zip reports what the check reported, instead of a scan with no date to verify."""
    from packager.audit import audit_zip
    from packager.rules import load_rules
    from tests import synth

    src = tmp_path / "src"
    shutil.copytree(SAMPLE, src)
    synth.make_scan_pdf(src / "Objective 1 - Emergency response" / "1.1 - Drill scan - 2026-02-10.pdf")
    out = tmp_path / "out.zip"
    built = build_submission(src, out, today=TODAY, allow_errors=True, ocr="off")
    checked = [(f.check, f.message) for f in built.findings if f.severity.value == "error"]
    assert [c for c, _m in checked] == ["deliverable-date-out-of-range"]
    leaves = {n.rsplit("/", 1)[1] for n in zipfile.ZipFile(out).namelist()}
    assert "1.1 - Drill scan - 2026-02-10.pdf" in leaves
    audited = audit_zip(out, load_rules(), today=TODAY, ocr="off").findings
    assert [(f.check, f.message) for f in audited if f.severity.value == "error"] == checked


def test_a_signed_scan_dated_only_by_its_name_keeps_the_date_in_the_zip(tmp_path: Path) -> None:
    """The signed acknowledgement is a scan (no words to read without OCR) dated only by its file name: the built
    zip names it with that date, so the audit verifies it as the check did."""
    from packager.audit import audit_zip
    from packager.rules import load_rules
    from tests import synth

    src = tmp_path / "src"
    shutil.copytree(SAMPLE, src)
    (src / "admin" / "acknowledgement-signed.pdf").unlink()
    synth.make_scan_pdf(src / "admin" / "acknowledgement signed 2026-11-20.pdf")
    plan = src / "action-plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "admin/acknowledgement-signed.pdf", "admin/acknowledgement signed 2026-11-20.pdf"), encoding="utf-8")
    out = tmp_path / "out.zip"
    built = build_submission(src, out, today=TODAY, ocr="off")
    leaves = {n.rsplit("/", 1)[1] for n in zipfile.ZipFile(out).namelist()}
    assert "06 Signed Senior Representative Acknowledgement - 2026-11-20.pdf" in leaves
    audited = audit_zip(out, load_rules(), today=TODAY, ocr="off").findings
    about = sorted((f.check, f.severity.value) for f in audited if "cknowledgement" in (f.path or "") + f.message)
    assert about == sorted((f.check, f.severity.value) for f in built.findings
                           if "cknowledgement" in (f.path or "") + f.message)
    assert not [f for f in audited if f.check == "signoff-missing"]
