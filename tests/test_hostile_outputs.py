"""Hostile outputs: -o into the source folder, over foreign files, under a file; stale temp files; modes;
limits the tool's own audit enforces; ordinary OS failures while building."""

from __future__ import annotations

import errno
import os
import zipfile
from pathlib import Path

import pytest

from packager import atomic, zipwriter
from packager.audit import audit_zip
from packager.rules import load_rules
from tests.hostile import ROOT, TODAY, fingerprint, one_paragraph, run, sample_copy


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    return sample_copy(tmp_path)


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("build", "Action Plan 2026/submission.zip"),
        ("build", "Action Plan 2026/action-plan.yaml"),
        ("build", "Action Plan 2026/Objective 1 - Emergency response/new.zip"),
        ("check", "Action Plan 2026/action-plan.yaml"),
        ("check", "Action Plan 2026/report.txt"),
    ],
)
def test_output_inside_the_source_folder_is_refused(src: Path, command: str, target: str) -> None:
    before = fingerprint(src)
    out = src.parent / target
    args = [command, str(src), "-o", str(out), "--today", TODAY]
    code, _out, err = run(*args)
    assert code == 2
    assert "inside the submission folder" in one_paragraph(err)
    assert fingerprint(src) == before


def test_relative_output_inside_the_folder_is_refused(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(src.parent)
    before = fingerprint(src)
    code, _out, err = run("build", "Action Plan 2026", "-o", "Action Plan 2026/submission.zip", "--today", TODAY)
    assert code == 2 and "inside the submission folder" in one_paragraph(err)
    assert fingerprint(src) == before


def test_foreign_file_is_not_overwritten_without_force(src: Path, tmp_path: Path) -> None:
    victim = tmp_path / "Minutes.docx"
    victim.write_bytes(b"PK\x03\x04 not ours")
    before = fingerprint(tmp_path)
    code, _out, err = run("build", str(src), "-o", str(victim), "--today", TODAY)
    assert code == 2 and "already exists" in one_paragraph(err) and "--force" in err
    assert fingerprint(tmp_path) == before
    report = tmp_path / "photo.jpg"
    report.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    code, _out, err = run("check", str(src), "-o", str(report), "--today", TODAY)
    assert code == 2 and "already exists" in one_paragraph(err)
    assert report.read_bytes() == b"\xff\xd8\xff\xe0 jpeg"


def test_own_zip_is_replaced_and_force_replaces_a_foreign_file(src: Path, tmp_path: Path) -> None:
    before = fingerprint(src)
    out = tmp_path / "out" / "submission.zip"
    out.parent.mkdir()
    out.write_bytes(b"not a zip")
    assert run("build", str(src), "-o", str(out), "--today", TODAY)[0] == 2
    code, _o, err = run("build", str(src), "-o", str(out), "--today", TODAY, "--force")
    assert code == 0, err
    code, _o, err = run("build", str(src), "-o", str(out), "--today", TODAY)  # our own zip: replaced
    assert code == 0, err
    assert fingerprint(src) == before
    # Normal mode under the umask, not a temporary file's 0600.
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in out.parent.iterdir()] == ["submission.zip"]


def test_output_under_a_regular_file(src: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file, not a folder")
    for command in ("build", "check"):
        code, _out, err = run(command, str(src), "-o", str(blocker / "sub" / "out.zip"), "--today", TODAY)
        assert code == 2 and "is a file, not a folder" in one_paragraph(err)
    assert blocker.read_text() == "a file, not a folder"


def test_stale_part_files_are_removed_but_a_live_one_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.zip"
    stale = tmp_path / f".out.zip.packager-{2**22 + 7}-abc123.part"
    stale.write_bytes(b"half a zip")
    live = tmp_path / f".out.zip.packager-{os.getpid()}-live.part"
    live.write_bytes(b"being written")
    other = tmp_path / ".notes.txt.part"
    other.write_bytes(b"someone else's")
    import fcntl

    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        atomic.write_bytes_atomic(target, b"done")
    finally:
        os.close(fd)
    assert target.read_bytes() == b"done"
    assert not stale.exists()
    assert live.exists() and other.exists()


def test_build_refuses_more_entries_than_audit_accepts(src: Path, tmp_path: Path) -> None:
    rules_text = (ROOT / "rules" / "acsa-cor-secor.yaml").read_text(encoding="utf-8")
    assert "max_entries: 20000" in rules_text
    rules_file = tmp_path / "small.yaml"
    rules_file.write_text(rules_text.replace("max_entries: 20000", "max_entries: 10"), encoding="utf-8")
    before = fingerprint(src)
    out = tmp_path / "small.zip"
    code, _out, err = run("build", str(src), "-o", str(out), "--rules", str(rules_file), "--today", TODAY)
    assert code == 2 and "more than the 10" in one_paragraph(err)
    assert not out.exists() and fingerprint(src) == before


def test_a_built_zip_passes_the_tools_own_audit(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "ok.zip"
    assert run("build", str(src), "-o", str(out), "--today", TODAY)[0] == 0
    result = audit_zip(out, load_rules(None), today=__import__("datetime").date(2026, 11, 26))
    assert not [f for f in result.findings if f.check.startswith("zip-")]


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [("4354819200", "a zip file cannot record"), ("9" * 5000, "not a Unix time"), ("nan", "not a Unix time")],
)
def test_source_date_epoch_beyond_zip_times(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, expected: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "e.zip"
    code, _out, err = run("build", str(src), "-o", str(out), "--today", TODAY)
    assert code == 2
    text = one_paragraph(err)
    assert "SOURCE_DATE_EPOCH" in text and expected in text and len(text) < 400
    assert not out.exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_split_mb_must_be_a_finite_size(src: Path, tmp_path: Path, value: str) -> None:
    code, _out, err = run("build", str(src), "-o", str(tmp_path / "x.zip"), "--split-mb", value, "--today", TODAY)
    assert code == 2 and "--split-mb" in one_paragraph(err)
    assert list(tmp_path.glob("*.zip")) == []


def test_zip_timestamp_is_clamped() -> None:
    import datetime as dt

    assert zipwriter.zip_timestamp(dt.datetime(9999, 1, 1))[0] == 2107
    assert zipwriter.zip_timestamp(dt.datetime(1900, 1, 1))[0] == 1980


def _fail_after_check(monkeypatch: pytest.MonkeyPatch, action: object) -> None:
    import packager.build as build_module

    real = build_module.check_folder

    def check_then(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        action()  # type: ignore[operator]
        return result

    monkeypatch.setattr(build_module, "check_folder", check_then)


def test_file_deleted_between_check_and_zip(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = next(p for p in sorted(src.rglob("*.pdf")) if p.name.startswith("1.2"))
    _fail_after_check(monkeypatch, victim.unlink)
    out = tmp_path / "gone.zip"
    code, _out, err = run("build", str(src), "-o", str(out), "--today", TODAY)
    text = one_paragraph(err)
    assert code == 2 and victim.name in text and "does not exist" in text
    assert not out.exists() and list(tmp_path.glob(".*part")) == []


def test_permission_denied_on_a_deliverable(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = next(p for p in sorted(src.rglob("*.pdf")) if p.name.startswith("1.2"))
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == victim:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    _fail_after_check(monkeypatch, lambda: monkeypatch.setattr(Path, "open", deny))
    before = fingerprint(src)
    out = tmp_path / "denied.zip"
    code, _out, err = run("build", str(src), "-o", str(out), "--today", TODAY)
    text = one_paragraph(err)
    assert code == 2 and victim.name in text and "permission denied" in text
    assert not out.exists() and fingerprint(src) == before


def test_disk_full_while_writing_the_zip(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipwriter, "_write_bytes", full)
    before = fingerprint(src)
    out = tmp_path / "full.zip"
    code, _out, err = run("build", str(src), "-o", str(out), "--today", TODAY)
    text = one_paragraph(err)
    assert code == 2 and "disk is full" in text and "full.zip" in text
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == [src.name]
    assert fingerprint(src) == before


def test_permission_denied_on_the_output_folder(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", deny)
    code, _out, err = run("check", str(src), "-o", str(tmp_path / "r.txt"), "--today", TODAY)
    text = one_paragraph(err)
    assert code == 2 and "permission denied" in text and "r.txt" in text


def test_a_zip_with_an_own_manifest_is_recognised(tmp_path: Path) -> None:
    from packager.outputs import is_own_zip

    own = tmp_path / "own.zip"
    with zipfile.ZipFile(own, "w") as zf:
        zf.writestr("Top/00 Submission Documents/manifest.json", '{"tool": {"name": "packager"}}')
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("Top/manifest.json", '{"tool": "something"}')
    assert is_own_zip(own) and not is_own_zip(foreign)


def test_reports_packager_wrote_are_replaced_others_are_not(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from packager.outputs import check_output
    from tests.synth import make_text_pdf

    ours = Workbook()
    ours.properties.creator = "packager"
    ours.save(tmp_path / "qa.xlsx")
    theirs = Workbook()
    theirs.save(tmp_path / "budget.xlsx")
    foreign_pdf = make_text_pdf(tmp_path / "scan.pdf")
    check_output(tmp_path / "qa.xlsx", kind="report")
    for victim in (tmp_path / "budget.xlsx", foreign_pdf):
        with pytest.raises(Exception, match="already exists"):
            check_output(victim, kind="report")
    own_pdf = tmp_path / "letter.pdf"
    own_pdf.write_bytes(b"%PDF-1.7\n...\n/Creator (packager)\n/Producer (packager 1)\n%%EOF\n")
    check_output(own_pdf, kind="report")


def test_workers_end_when_their_parent_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    from packager import workers

    parents = iter([100, 100, 1])  # the parent dies: the worker is re-parented
    monkeypatch.setattr(workers.os, "getppid", lambda: next(parents))
    exits: list[int] = []
    workers.watch_parent(100, exits.append, poll=0)
    assert exits == [1]
