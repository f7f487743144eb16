"""The rules profile: validated on load, selectable, and shipped inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from packager.errors import InputError
from packager.rules import bundled_profiles, bundled_rules_dir, load_rules

ROOT = Path(__file__).resolve().parents[1]


def write_rules(tmp_path: Path, replace: tuple[str, str] | None = None, append: str = "") -> Path:
    text = (bundled_rules_dir() / "acsa-cor-secor.yaml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1])
    path = tmp_path / "partner.yaml"
    path.write_text(text + append, encoding="utf-8")
    return path


def test_bundled_profile_values() -> None:
    rules = load_rules()
    assert rules.profile == "acsa-cor-secor"
    assert (rules.plan.objectives.min, rules.plan.objectives.max) == (3, 7)
    assert (rules.plan.milestones_per_objective.min, rules.plan.milestones_per_objective.max) == (2, 5)
    assert rules.plan.weight_total == 100
    assert rules.scoring.pass_mark == 60
    assert rules.scoring.second_plan_min_previous_score == 80
    assert rules.deliverables.min_dpi == 150
    assert rules.build.email_limit_mb == 20
    assert set(rules.programs) == {"COR", "SECOR"}
    assert "acsa-cor-secor" in bundled_profiles()


@pytest.mark.parametrize(
    ("replace", "append", "expected"),
    [
        (None, "colour: blue\n", "partner.yaml, line {line}: field 'colour': is not a known key here."),
        (("  pass_mark: 60 ", "  pass_mark: sixty "), "",
         "partner.yaml, line {line}: field 'scoring.pass_mark': the value 'sixty' is not a number."),
        (("  min_dpi: 150 ", "  min_dpi_floor: 150 "), "",
         "partner.yaml, line {line}: field 'deliverables.min_dpi_floor': is not a known key here."),
        (("  final: \"10-31\"", "  final: \"31-10\""), "",
         "partner.yaml, line {line}: field 'deadlines.final': '31-10' is not a month and day."),
        (("objectives: {min: 3, max: 7}", "objectives: {min: 8, max: 7}"), "",
         "partner.yaml, line {line}: field 'plan.objectives': min must be at least 1 and no more than max."),
    ],
)
def test_rules_errors_are_precise(
    tmp_path: Path, replace: tuple[str, str] | None, append: str, expected: str
) -> None:
    path = write_rules(tmp_path, replace, append)
    text = path.read_text(encoding="utf-8")
    needle = append.split(":")[0] if append else replace[1].split(":")[0].strip()  # type: ignore[index]
    line = next(i for i, ln in enumerate(text.splitlines(), start=1) if ln.strip().startswith(needle))
    with pytest.raises(InputError) as info:
        load_rules(path)
    assert str(info.value).startswith(expected.format(line=line).replace("partner.yaml", str(path)))


def test_other_partner_is_a_new_file(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        ("objectives: {min: 3, max: 7}", "objectives: {min: 2, max: 4}"),
        "",
    )
    rules = load_rules(path)
    assert (rules.plan.objectives.min, rules.plan.objectives.max) == (2, 4)
    assert rules.source == str(path)


def test_unknown_profile_name() -> None:
    with pytest.raises(InputError) as info:
        load_rules("wcb-2031")
    assert "there is no bundled rules profile called 'wcb-2031'" in str(info.value)


def test_rules_ship_inside_the_wheel(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(result.stderr)
    (wheel,) = tmp_path.glob("cor_secor_packager-*.whl")
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    assert "packager/_rules/acsa-cor-secor.yaml" in names
    assert "packager/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "Name: cor-secor-packager" in metadata
    # libmagic is optional: built-in signatures decide the checks.
    magic = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: python-magic")]
    assert magic and all("extra ==" in line for line in magic)
    entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "packager = packager.cli:main" in entry_points
    assert "packager/fonts/DejaVuSans.ttf" in names
    assert "packager/templates/init/action-plan.yaml.j2" in names
