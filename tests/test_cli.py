"""The command line: exit codes, formats, init, and no tracebacks on unusable input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_sample_text_summary_line() -> None:
    code, out, _ = run("check", str(SAMPLE), "--stage", "proposal", "--today", "2026-11-26")
    assert code == 0
    assert out.rstrip().endswith("0 errors, 0 warnings: ready to submit")


def test_check_json_shape() -> None:
    code, out, _ = run("check", str(SAMPLE), "--format", "json", "--today", "2026-11-26")
    data = json.loads(out)
    assert code == 0
    assert set(data) >= {"findings", "summary", "score"}
    assert data["score"] == {"self": 93, "qa": None, "pass_mark": 60, "passed": True}


def test_errors_exit_1_with_summary(tmp_path: Path) -> None:
    plan = (SAMPLE / "action-plan.yaml").read_text(encoding="utf-8").replace("weight: 25", "weight: 20")
    (tmp_path / "action-plan.yaml").write_text(plan, encoding="utf-8")
    code, out, _ = run("check", str(tmp_path), "--stage", "proposal", "--today", "2026-11-26")
    assert code == 1
    assert "weight-total" in out
    assert out.rstrip().endswith("2 errors, 0 warnings: not ready to submit")


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", "the submission folder does not exist"),
        ("noplan", "there is no action-plan.yaml (or action-plan.xlsx) in this folder"),
        ("badyaml", "line 2: this is not valid YAML"),
        ("badweight", "field 'objectives[1].milestones[1].weight' (milestone 1.1): the value 'ten' is not a number"),
    ],
)
def test_unusable_input_exit_2_without_traceback(tmp_path: Path, setup: str, expected: str) -> None:
    folder = tmp_path / "sub"
    if setup != "missing":
        folder.mkdir()
    if setup == "badyaml":
        (folder / "action-plan.yaml").write_text("program: COR\ncompany: : :\n", encoding="utf-8")
    if setup == "badweight":
        (folder / "action-plan.yaml").write_text(
            "program: COR\ncompany: X\nyear: 2026\nobjectives:\n  - title: A\n    milestones:\n"
            "      - {title: x, weight: ten}\n",
            encoding="utf-8",
        )
    code, out, err = run("check", str(folder))
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_init_writes_template_and_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    code, out, _ = run("init", str(folder), "--program", "SECOR", "--company", "Émilie Côté Inc.", "--year", "2027")
    assert code == 0
    plan = (folder / "action-plan.yaml").read_text(encoding="utf-8")
    assert 'company: "Émilie Côté Inc."' in plan and "program: SECOR" in plan
    assert "hs_representative" in plan and (folder / "Objective 3").is_dir()
    assert (folder / "NAMING.txt").exists()
    (folder / "action-plan.yaml").write_text("mine", encoding="utf-8")
    code, out, _ = run("init", str(folder))
    assert code == 0
    assert (folder / "action-plan.yaml").read_text(encoding="utf-8") == "mine"
    assert "kept" in out


def test_init_template_loads_and_checks(tmp_path: Path) -> None:
    run("init", str(tmp_path), "--year", "2026")
    code, out, err = run("check", str(tmp_path), "--stage", "proposal", "--today", "2026-11-26")
    assert code == 1, err
    assert "milestone-field-missing" in out and "Traceback" not in out


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, _, _ = run("check", str(SAMPLE), "--format", "json", "-o", str(target), "--today", "2026-11-26")
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["errors"] == 0


def test_python_dash_m() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "packager", "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0 and "packager" in proc.stdout


def test_checks_listing_has_every_id() -> None:
    code, out, _ = run("checks")
    assert code == 0
    for check_id in ("weight-total", "objective-count", "eligibility", "org-chart-missing"):
        assert f"{check_id} (" in out


def test_readme_documents_every_check_id() -> None:
    from packager.checks import REGISTRY

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [cid for cid in REGISTRY if f"`{cid}`" not in readme]
    assert not missing, f"README lacks: {missing}"
