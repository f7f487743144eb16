"""Golden end-to-end cases: every folder under fixtures/cases runs the CLI and compares JSON.

Each case has a case.yaml ({args: [...], exit: N}); '{dir}' in args is the case folder.
Set UPDATE_GOLDEN=1 to rewrite expected.json after a deliberate change, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from packager.cli import main

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_case(case: str) -> None:
    folder = CASES / case
    spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    args = [a.replace("{dir}", str(folder)) for a in spec["args"]]
    args += ["--format", "json", "--today", "2026-11-26"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == spec["exit"], result.output
    actual = json.loads(result.stdout)
    expected_path = folder / "expected.json"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"{expected_path} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))
