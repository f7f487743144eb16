"""One explicit catalog of check ids: the same ids as the registry and as the README's table."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from packager.checks.catalog import WHERE, all_checks
from packager.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (error|warning|info) \|", re.M)


def test_catalog_registry_and_readme_agree() -> None:
    registry = all_checks()
    table = dict(ROW.findall(README.read_text(encoding="utf-8")))
    assert set(WHERE) == set(registry)
    assert set(table) == set(registry), (set(table) ^ set(registry))
    assert {cid: c.severity.value for cid, c in registry.items()} == table
    assert all(WHERE[cid] for cid in WHERE)


def test_checks_id_explains_one_check() -> None:
    result = CliRunner().invoke(main, ["checks", "zip-nested-archive"])
    assert result.exit_code == 0
    assert result.output.startswith("zip-nested-archive (warning, archive)\n  When: Received zip")
    assert "  Where: a received zip\n" in result.output


def test_checks_unknown_id_suggests_one() -> None:
    result = CliRunner().invoke(main, ["checks", "signof-missing"])
    assert result.exit_code == 2
    assert "Did you mean 'signoff-missing'?" in result.output
