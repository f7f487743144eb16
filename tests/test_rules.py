"""The rules profile: validated on load, selectable, and shipped inside the wheel."""

from __future__ import annotations

import datetime as dt
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
    assert rules.build.email_limit_mb == 18
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
        (("  final: \"11-30\"", "  final: \"30-11\""), "",
         "partner.yaml, line {line}: field 'deadlines.final': '30-11' is not a month and day."),
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


def test_published_deadlines() -> None:
    rules = load_rules()
    assert rules.final_deadline(2026) == dt.date(2026, 11, 30)
    assert rules.deadline("amendments", 2026) == dt.date(2026, 10, 31)
    assert rules.deadline("application", 2026) == dt.date(2026, 3, 31)
    assert rules.scoring.second_plan_boundary == "inclusive"
    text = (bundled_rules_dir() / "acsa-cor-secor.yaml").read_text(encoding="utf-8")
    assert "INFERRED, NOT PUBLISHED" in text


def test_by_year_pins_a_confirmed_date(tmp_path: Path) -> None:
    path = write_rules(tmp_path, ("  by_year: {}", "  by_year: {2027: {final: 2027-11-15, amendments: 2027-10-01}}"))
    rules = load_rules(path)
    assert rules.final_deadline(2027) == dt.date(2027, 11, 15)
    assert rules.deadline("amendments", 2027) == dt.date(2027, 10, 1)
    assert rules.final_deadline(2026) == dt.date(2026, 11, 30)


@pytest.mark.parametrize(("profile", "proposal", "application", "requirement"), [
    ("amta", dt.date(2026, 5, 31), dt.date(2026, 3, 31), "no_ohs_orders"),
    ("esc", dt.date(2026, 3, 31), dt.date(2026, 1, 31), "joint_application_all_qualify"),
])
def test_partner_profiles(profile: str, proposal: dt.date, application: dt.date, requirement: str) -> None:
    rules = load_rules(profile)
    assert rules.profile == profile
    assert rules.proposal_deadline(2026) == proposal
    assert rules.deadline("application", 2026) == application
    assert rules.final_deadline(2026) == dt.date(2026, 11, 30)
    assert rules.deadline("amendments", 2026) == dt.date(2026, 10, 31)
    assert requirement in rules.programs["COR"].eligibility
    assert profile in bundled_profiles()


def test_amta_first_plan_below_80_means_internal_audit() -> None:
    from packager.checks.context import Context, Stage
    from packager.checks.eligibility import run
    from packager.plan import Plan

    rules = load_rules("amta")
    plan = Plan(program="COR", company="X", year=2026, previous_plan_score=75,
                eligibility={k: True for k in rules.programs["COR"].eligibility})
    found = list(run(Context(plan=plan, rules=rules, stage=Stage.PROPOSAL, today=dt.date(2026, 5, 1))))
    assert [f.message for f in found] == [
        "This is a second Action Plan, which needs the first plan to have scored 80% or more; the first scored 75%."]
    assert "a full internal audit in year two" in found[0].hint


@pytest.mark.parametrize("profile", ["acsa-cor-secor", "amta", "esc"])
def test_profiles_command_lists_every_profile(profile: str) -> None:
    from click.testing import CliRunner

    from packager.cli import main

    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 0
    assert f"{profile}: " in result.output
    shown = CliRunner().invoke(main, ["checks", "--rules", profile])
    assert shown.exit_code == 0
    assert shown.output.startswith(f"{profile}: ")
    assert "Deadlines:   application" in shown.output


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
