"""Hostile local inputs: plans that are pipes or devices, numbers that are not numbers, dates beyond any
plan, huge titles, deep nesting; unreadable folders reported, never silently dropped."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import yaml

from tests.hostile import TODAY, fingerprint, one_paragraph, run, sample_copy


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    return sample_copy(tmp_path)


def test_fifo_named_action_plan_is_not_a_regular_file(src: Path) -> None:
    (src / "action-plan.yaml").unlink()
    os.mkfifo(src / "action-plan.yaml")
    before = fingerprint(src)
    code, _out, err = run("check", str(src), "--today", TODAY)
    assert code == 2
    text = one_paragraph(err)
    assert "not a regular file (a named pipe)" in text and "there is no" not in text
    assert fingerprint(src) == before


@pytest.mark.parametrize("plan", ["/dev/zero", "fifo"])
def test_plan_option_that_is_a_device_or_pipe(src: Path, tmp_path: Path, plan: str) -> None:
    if plan == "fifo":
        os.mkfifo(tmp_path / "p.yaml")
        plan = str(tmp_path / "p.yaml")
    for command in (["check", str(src)], ["build", str(src), "-o", str(tmp_path / "o.zip")]):
        code, _out, err = run(*command, "--plan", plan, "--today", TODAY)
        assert code == 2 and "not a regular file" in one_paragraph(err)
    assert not (tmp_path / "o.zip").exists()


def _edit_plan(src: Path, edit: str) -> None:
    path = src / "action-plan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    milestone = data["objectives"][0]["milestones"][0]
    if edit == "nan":
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"self_score: {milestone['self_score']}", "self_score: .nan", 1),
                        encoding="utf-8")
        assert ".nan" in path.read_text(encoding="utf-8")
        return
    if edit == "inf-weight":
        milestone["weight"] = float("inf")
    elif edit == "approved-9999":
        data["approved"] = "9999-01-01"
    elif edit == "huge-title":
        data["objectives"][0]["title"] = "T" * 1_500_000
    elif edit == "huge-int":
        path.write_text(path.read_text(encoding="utf-8") + "\nprevious_plan_score: " + "9" * 5000 + "\n",
                        encoding="utf-8")
        return
    elif edit == "deep":
        path.write_text(path.read_text(encoding="utf-8") + "\nparticipants: " + "[" * 3000 + "]" * 3000 + "\n",
                        encoding="utf-8")
        return
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("nan", "'nan' is not a number"),
        ("inf-weight", "'inf' is not a number"),
        ("approved-9999", "field 'approved'"),
        ("huge-title", "1,500,000 characters long"),
        ("huge-int", "5,000 digits"),
        ("deep", "nested too deeply"),
    ],
)
def test_unusable_plan_values_exit_2_naming_the_field(src: Path, tmp_path: Path, edit: str, expected: str) -> None:
    _edit_plan(src, edit)
    before = fingerprint(src)
    out = tmp_path / "x.zip"
    for command in (["check", str(src)], ["build", str(src), "-o", str(out)]):
        code, _stdout, err = run(*command, "--today", TODAY)
        assert code == 2
        text = one_paragraph(err)
        assert expected in text and len(text) < 600
    assert not out.exists() and fingerprint(src) == before


def test_unreadable_objective_folder_is_reported(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = next(p for p in sorted(src.iterdir()) if p.name.startswith("Objective 2"))
    real = os.scandir

    def scandir(path: object) -> object:
        if Path(os.fsdecode(path)) == blocked:  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run("check", str(src), "--today", TODAY)
    assert code == 1, err
    assert "folder-unreadable" in out and blocked.name in out and "permission denied" in out
