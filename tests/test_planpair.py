"""plan-files-differ: a folder holding both plan files names the one it reads when the other differs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from packager.api import check_folder
from packager.findings import Finding
from packager.init import init_folder
from packager.model import Stage
from packager.plan import load_plan
from packager.planpair import other_plan_notes
from packager.planxlsx import plan_workbook
from packager.rules import load_rules

RULES = load_rules()
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
YAML, XLSX = "action-plan.yaml", "action-plan.xlsx"


def _sample(folder: Path) -> Path:
    shutil.copytree(SAMPLE, folder)
    return folder


def _saved_last(folder: Path, name: str) -> None:
    """Make ``name`` the plan file saved last (a minute after every other)."""
    latest = max(p.stat().st_mtime for p in folder.iterdir())
    os.utime(folder / name, (latest + 60, latest + 60))


def _workbook_of_yaml(folder: Path) -> None:
    (folder / XLSX).write_bytes(plan_workbook(load_plan(folder / YAML, RULES), RULES))


def _only_yaml(folder: Path) -> None:
    _sample(folder)


def _templates(folder: Path) -> None:
    init_folder(folder, company="Northwind Paving Ltd.", year=2026)


def _converted(folder: Path) -> None:
    _sample(folder)
    _workbook_of_yaml(folder)
    _saved_last(folder, XLSX)


def _yaml_edited_after(folder: Path) -> None:
    _converted(folder)
    text = (folder / YAML).read_text(encoding="utf-8")
    (folder / YAML).write_text(text.replace("Conduct four emergency drills", "Conduct five emergency drills"),
                               encoding="utf-8")
    _saved_last(folder, YAML)


def _template_saved_over(folder: Path) -> None:
    """The coordinator filled in the YAML; a spreadsheet program then saved init's empty workbook."""
    _sample(folder)
    init_folder(folder / "blank", company="Northwind Paving Ltd.", year=2026)
    shutil.copy(folder / "blank" / XLSX, folder / XLSX)
    shutil.rmtree(folder / "blank")
    _saved_last(folder, XLSX)


def _unreadable_workbook(folder: Path) -> None:
    _sample(folder)
    (folder / XLSX).write_bytes(b"not a workbook")
    _saved_last(folder, YAML)


CASES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("only the YAML", _only_yaml, []),
    ("the two templates init writes", _templates, []),
    ("a workbook converted from the YAML, saved last", _converted, []),
    ("the YAML edited after converting", _yaml_edited_after, [
        "This folder has both action-plan.yaml and action-plan.xlsx, and action-plan.xlsx is not the same plan. "
        "packager reads action-plan.yaml, the one saved last; action-plan.xlsx is not used.",
    ]),
    ("init's empty workbook saved over a filled-in YAML", _template_saved_over, [
        "This folder has both action-plan.xlsx and action-plan.yaml, and action-plan.yaml is not the same plan. "
        "packager reads action-plan.xlsx, the one saved last; action-plan.yaml is not used.",
    ]),
    ("a damaged workbook beside the YAML", _unreadable_workbook, [
        "This folder has both action-plan.yaml and action-plan.xlsx, and action-plan.xlsx cannot be read: the "
        "plan workbook is not an .xlsx workbook (it is not a zip of XML parts). packager reads "
        "action-plan.yaml, the one saved last; action-plan.xlsx is not used.",
    ]),
]


@pytest.mark.parametrize(("case", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan_files_differ(tmp_path: Path, case: str, make: Callable[[Path], None], expected: list[str]) -> None:
    folder = tmp_path / "submission"
    make(folder)
    used = max((folder / n for n in (YAML, XLSX) if (folder / n).exists()), key=lambda p: p.stat().st_mtime)
    notes = list(other_plan_notes(folder, used, load_plan(used, RULES), RULES))
    assert [n.message for n in notes] == expected
    for note in notes:
        assert note.check == "plan-files-differ" and note.severity == "info"
        assert note.path != used.name and f"Edit only {used.name}." in note.hint


def test_check_names_the_unused_plan_file(tmp_path: Path) -> None:
    folder = tmp_path / "submission"
    _yaml_edited_after(folder)
    result = check_folder(folder, stage=Stage.PROPOSAL, today=None, workers=1, ocr="off")
    assert result.plan.source.endswith(YAML)
    assert [(f.check, f.path) for f in result.findings if f.check == "plan-files-differ"] == [
        ("plan-files-differ", XLSX)]


def test_a_plan_named_with_plan_is_compared_with_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "submission"
    _yaml_edited_after(folder)
    result = check_folder(folder, stage=Stage.PROPOSAL, plan_path=folder / XLSX, workers=1, ocr="off")
    assert not any(f.check == "plan-files-differ" for f in result.findings)


def _send_to(folder: Path, target: Path) -> Path:
    """A zip as Windows 'Send to' makes it: every file deflated, each with its own saved time."""
    import time
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}",
                                   time.localtime(path.stat().st_mtime)[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return target


def _workbook_filled_in(folder: Path) -> None:
    """The coordinator filled in the workbook (saved last); init's YAML template is still beside it."""
    _sample(folder)
    plan = load_plan(folder / YAML, RULES)
    init_folder(folder / "blank", company="Northwind Paving Ltd.", year=2026)
    shutil.copy(folder / "blank" / YAML, folder / YAML)
    shutil.rmtree(folder / "blank")
    (folder / XLSX).write_bytes(plan_workbook(plan, RULES))
    _saved_last(folder, XLSX)


@pytest.mark.parametrize("make", [_workbook_filled_in, _yaml_edited_after, _template_saved_over])
def test_audit_reads_the_plan_file_check_reads(tmp_path: Path, make: Callable[[Path], None]) -> None:
    """A zip made by hand holds both plan files: audit takes the one saved last, as check does."""
    from packager.audit import audit_zip

    folder = tmp_path / "submission"
    make(folder)
    checked = check_folder(folder, stage=Stage.PROPOSAL, workers=1, ocr="off")
    audited = audit_zip(_send_to(folder, tmp_path / "sent.zip"), RULES, workers=1, ocr="off")
    assert audited.plan is not None
    assert Path(audited.plan.source).name == Path(checked.plan.source).name
    assert audited.plan == checked.plan

    def notes(findings: tuple[Finding, ...]) -> list[str]:
        return [f.message for f in findings if f.check == "plan-files-differ"]

    assert notes(checked.findings)  # each case has a plan file that is not read
    assert notes(audited.findings) == [m.replace("This folder", "This zip") for m in notes(checked.findings)]
    assert {f.path for f in audited.findings if f.check == "plan-files-differ"} <= {
        f"submission/{n}" for n in (YAML, XLSX)}


def test_a_hostile_plan_file_beside_the_plan_is_a_note(tmp_path: Path) -> None:
    """The plan file not read is untrusted too: damaged, endlessly nested or oversized, it is a note."""
    import zipfile

    from packager.audit import audit_zip

    with zipfile.ZipFile(tmp_path / "sent.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when in [
            (XLSX, b"PK\x03\x04 not really a workbook", (2026, 1, 1, 0, 0, 0)),
            ("action-plan.yml", b"[" * 100_000, (2026, 1, 1, 0, 0, 0)),
            ("action_plan.yaml", b"# " + b"x" * (3 * 1024 * 1024), (2026, 1, 1, 0, 0, 0)),
            (YAML, (SAMPLE / YAML).read_bytes(), (2026, 10, 30, 12, 0, 0)),
        ]:
            zf.writestr(zipfile.ZipInfo(f"submission/{name}", when), data)
    result = audit_zip(tmp_path / "sent.zip", RULES, workers=1, ocr="off")
    assert result.plan is not None and result.plan.source == f"submission/{YAML}"
    notes = {f.path: f.message for f in result.findings if f.check == "plan-files-differ"}
    assert sorted(notes) == [f"submission/{n}" for n in ("action-plan.xlsx", "action-plan.yml", "action_plan.yaml")]
    assert all(" cannot be read: " in message and message.endswith(" is not used.") for message in notes.values())
    assert "action_plan.yaml cannot be read: the entry 'submission/action_plan.yaml' is 3.0 MB once unpacked" in (
        notes["submission/action_plan.yaml"])
