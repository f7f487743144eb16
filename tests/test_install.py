"""Install anywhere: the README's first two commands, what each installs, and the package metadata."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert [b.strip() for b in blocks[:2]] == ["bash scripts/sample.sh", "bash scripts/test.sh"]


def test_running_installs_no_test_tools_and_testing_does() -> None:
    sample = (ROOT / "scripts/sample.sh").read_text(encoding="utf-8")
    test = (ROOT / "scripts/test.sh").read_text(encoding="utf-8")
    setup = (ROOT / "scripts/setup.sh").read_text(encoding="utf-8")
    assert re.search(r"^bash scripts/setup\.sh$", sample, re.M)
    assert re.search(r"^bash scripts/setup\.sh test$", test, re.M)
    assert "-e '.[test,heic,magic]'" in setup
    assert re.search(r"pip install .*-e \.$", setup, re.M)
    assert "bash scripts/test.sh" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_license_and_typed_marker() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert (ROOT / "packager/py.typed").exists()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "cor-secor-packager"' in pyproject
    assert 'packager = "packager.cli:main"' in pyproject
