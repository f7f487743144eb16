"""Auditing hand-made zips against the approved plan (--plan, --plans) and plan-changed-since-approval."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.approval import company_key, load_approved_plans, plan_changes
from packager.audit import audit_zip
from packager.cli import main
from packager.plan import load_plan, load_plan_text
from packager.planxlsx import plan_workbook
from packager.rules import load_rules
from tests.handzips import finder, send_to

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
PLAN_TEXT = (SAMPLE / "action-plan.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample folder without its plan, zipped as Windows and macOS do, and the approved plan as YAML and xlsx."""
    base = tmp_path_factory.mktemp("approved")
    folder = base / "folder"
    shutil.copytree(SAMPLE, folder)
    (folder / "action-plan.yaml").unlink()
    approved_yaml = base / "approved.yaml"
    approved_yaml.write_text(PLAN_TEXT, encoding="utf-8")
    approved_xlsx = base / "approved.xlsx"
    approved_xlsx.write_bytes(plan_workbook(load_plan(approved_yaml, RULES), RULES))
    changed = base / "changed"
    shutil.copytree(SAMPLE, changed)
    text = PLAN_TEXT.replace("weight: 12", "weight: 10", 1).replace("weight: 10\n        self_score: 10",
                                                                     "weight: 12\n        self_score: 10", 1)
    text = text.replace("Inspect all hand tools monthly", "Inspect power tools quarterly")
    (changed / "action-plan.yaml").write_text(text, encoding="utf-8")
    return {
        "windows": send_to(folder, base / "Northwind Paving 2026 final.zip", "ACME Send to"),
        "macos": finder(folder, base / "northwind-paving-2026-mac.zip", "ACME Send to"),
        "changed": send_to(changed, base / "changed.zip", "ACME Send to"),
        "yaml": approved_yaml,
        "xlsx": approved_xlsx,
        "base": base,
    }


def _key(result: object) -> tuple[object, ...]:
    return tuple((f.check, f.severity.value, f.path, f.milestone, f.message) for f in result.findings)  # type: ignore[attr-defined]


@pytest.mark.parametrize("style", ["windows", "macos"])
def test_hand_made_zip_audits_the_same_against_yaml_and_xlsx(received: dict[str, Path], style: str) -> None:
    results = [
        audit_zip(received[style], RULES, today=TODAY, workers=1, approved=load_plan(received[kind], RULES))
        for kind in ("yaml", "xlsx")
    ]
    by_yaml, by_xlsx = results
    assert _key(by_yaml) == _key(by_xlsx)
    assert by_yaml.score == by_xlsx.score
    assert by_yaml.score.self == 93
    assert by_yaml.plan is not None and by_yaml.plan.company == "Northwind Paving Ltd."
    checks = {f.check for f in by_yaml.findings}
    # Every deliverable mapped to the approved plan's milestones; the signed pages found by the plan's paths.
    assert not checks & {"milestone-no-deliverable", "deliverable-unmapped", "signoff-missing",
                         "auditor-signature-missing", "plan-changed-since-approval"}
    assert by_yaml.summary.errors == 0, [f.message for f in by_yaml.findings]
    assert not any("no plan in the zip" in u for u in by_yaml.unverified)


def test_spring_plan_without_self_scores_leaves_final_content_unverified(received: dict[str, Path]) -> None:
    spring = load_plan_text(
        "\n".join(line for line in PLAN_TEXT.splitlines() if "self_score" not in line), "spring.yaml", RULES)
    result = audit_zip(received["windows"], RULES, today=TODAY, workers=1, approved=spring)
    assert not {f.check for f in result.findings} & {"self-score-invalid", "objective-notes-missing"}
    assert any("self-scores, objective notes, auditors and summary could not be read" in u for u in result.unverified)
    assert result.score.self is None


def test_changed_inner_plan_names_each_difference(received: dict[str, Path]) -> None:
    result = audit_zip(received["changed"], RULES, today=TODAY, workers=1, approved=load_plan(received["yaml"], RULES))
    changed = [(f.milestone, f.message) for f in result.findings if f.check == "plan-changed-since-approval"]
    where = "the zip's plan ('ACME Send to/action-plan.yaml')"
    assert changed == [
        ("1.1", f"The weight of milestone 1.1 moved: approved at 12 points, {where} gives it 10 points. It is "
                "scored out of 12 points."),
        ("1.2", f"The weight of milestone 1.2 moved: approved at 10 points, {where} gives it 12 points. It is "
                "scored out of 10 points."),
        ("2.1", f"Milestone 2.1 was reworded: approved as “Inspect all hand tools monthly”, {where} says “Inspect "
                "power tools quarterly”."),
    ]
    assert result.plan is not None and result.plan.milestone("1.1").weight == 12  # type: ignore[union-attr]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace("target_date: 2026-08-31", "target_date: 2026-09-15", 1),
     "The target date of milestone 1.1 changed: approved for August 31, 2026, X says September 15, 2026."),
    (lambda t: t.replace("      - title: Train all 12 supervisors in first-response coordination\n", "      - title: Extra\n"),
     "Milestone 1.3 was reworded: approved as “Train all 12 supervisors in first-response coordination”, X says “Extra”."),
    (lambda t: t.replace("Strengthen emergency response readiness", "Strengthen emergency readiness"),
     "Objective 1 was reworded: approved as “Strengthen emergency response readiness at all 4 sites by October 2026”, "
     "X says “Strengthen emergency readiness at all 4 sites by October 2026”."),
])
def test_plan_change_table(change: object, expected: str) -> None:
    approved = load_plan_text(PLAN_TEXT, "a.yaml", RULES)
    inner = load_plan_text(change(PLAN_TEXT), "b.yaml", RULES)  # type: ignore[operator]
    assert [f.message for f in plan_changes(approved, inner, "X")] == [expected]


def test_removed_and_added_milestones() -> None:
    approved = load_plan_text(PLAN_TEXT, "a.yaml", RULES)
    fewer = approved.objectives[0].__class__(**{**approved.objectives[0].__dict__,
                                                "milestones": approved.objectives[0].milestones[:2]})
    inner = approved.__class__(**{**approved.__dict__, "objectives": (fewer, *approved.objectives[1:])})
    assert [f.message for f in plan_changes(approved, inner, "the manifest's plan")] == [
        "Milestone 1.3 of the approved plan (“Train all 12 supervisors in first-response coordination”) is missing "
        "from the manifest's plan."]
    assert [f.message for f in plan_changes(inner, approved, "the manifest's plan")] == [
        "The manifest's plan adds milestone 1.3 (“Train all 12 supervisors in first-response coordination”), which "
        "the approved plan does not have; it is not scored."]
    assert list(plan_changes(approved, approved, "X")) == []


def test_a_milestone_removed_in_the_middle_is_named_once() -> None:
    approved = load_plan_text(PLAN_TEXT, "a.yaml", RULES)
    first = approved.objectives[0]
    dropped = first.__class__(**{**first.__dict__, "milestones": (first.milestones[0], first.milestones[2])})
    inner = approved.__class__(**{**approved.__dict__, "objectives": (dropped, *approved.objectives[1:])})
    assert [f.message for f in plan_changes(approved, inner, "X")] == [
        "Milestone 1.2 of the approved plan (“Update the emergency response plan for all sites”) is missing from X.",
        "Milestone 1.3 (“Train all 12 supervisors in first-response coordination”) is numbered 1.2 in X; its files "
        "are mapped by the approved numbering (1.3).",
    ]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace("company: Northwind Paving Ltd.", "company: Café Señor & Fils Ltée"),
     "The approved plan given is Northwind Paving Ltd.'s (COR 2026), but X is Café Señor & Fils Ltée's (COR 2026): "
     "check that the approved plan is this company's, for this year."),
    (lambda t: t.replace("year: 2026", "year: 2025"),
     "The approved plan given is Northwind Paving Ltd.'s (COR 2026), but X is Northwind Paving Ltd.'s (COR 2025): "
     "check that the approved plan is this company's, for this year."),
    (lambda t: t.replace("company: Northwind Paving Ltd.", "company: NORTHWIND PAVING LTD"), None),
])
def test_another_companys_or_years_plan_is_named_first(change: object, expected: str | None) -> None:
    approved = load_plan_text(PLAN_TEXT, "a.yaml", RULES)
    inner = load_plan_text(change(PLAN_TEXT), "b.yaml", RULES)  # type: ignore[operator]
    found = [f.message for f in plan_changes(approved, inner, "X")]
    if expected is None:
        assert not [m for m in found if m.startswith("The approved plan given")]
    else:
        assert found[0] == expected


def test_company_key_ignores_case_accents_punctuation_and_legal_suffix() -> None:
    assert company_key("Northwind Paving Ltd.") == ("northwind", "paving")
    assert company_key("CÔTÉ & Fils Inc") == ("cote", "fils")


def test_batch_picks_each_company_plan(received: dict[str, Path], tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(received["yaml"], plans / "anything.yaml")
    other = PLAN_TEXT.replace("company: Northwind Paving Ltd.", "company: Prairie Haulage Inc.")
    (plans / "prairie.xlsx").write_bytes(plan_workbook(load_plan_text(other, "p", RULES), RULES))
    stray = tmp_path / "Unknown Co 2026.zip"
    shutil.copy(received["windows"], stray)
    result = CliRunner().invoke(main, [
        "audit", str(received["windows"]), str(received["macos"]), str(stray), "--plans", str(plans),
        "--format", "json", "--today", "2026-11-26"])
    data = json.loads(result.stdout)
    rows = {Path(z["zip"]).name: z for z in data["zips"]}
    assert rows["Northwind Paving 2026 final.zip"]["status"] == "ok"
    assert rows["Northwind Paving 2026 final.zip"]["approved_plan"].endswith("anything.yaml")
    assert rows["northwind-paving-2026-mac.zip"]["status"] == "ok"
    assert rows["Unknown Co 2026.zip"]["status"] == "failed"
    assert "no approved plan" in rows["Unknown Co 2026.zip"]["problem"]
    assert load_approved_plans(plans, RULES).for_zip_name("prairie haulage 2026.zip")[0] is not None


def test_two_plans_for_one_company_and_year_exit_2(received: dict[str, Path], tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(received["yaml"], plans / "a.yaml")
    changed = received["yaml"].read_text(encoding="utf-8").replace("weight: 12", "weight: 11", 1).replace(
        "weight: 10", "weight: 11", 1)
    (plans / "b.yaml").write_text(changed, encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(received["windows"]), "--plans", str(plans)])
    assert result.exit_code == 2
    assert "second approved plan for Northwind Paving Ltd. 2026" in result.stderr


def test_the_same_plan_in_two_forms_is_one_plan(received: dict[str, Path], tmp_path: Path) -> None:
    """'packager init' writes both forms, and a reviewer files the proposal folder as it came."""
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(received["yaml"], plans / "northwind.yaml")
    shutil.copy(received["xlsx"], plans / "northwind.xlsx")
    result = CliRunner().invoke(main, ["audit", str(received["windows"]), "--plans", str(plans), "--today",
                                       "2026-11-26", "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["approved_plan"].endswith("northwind.xlsx")


def test_cli_audit_with_plan_shows_it(received: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["audit", str(received["macos"]), "--plan", str(received["xlsx"]),
                                       "--today", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert f"Scored against the approved plan: {received['xlsx']}" in result.stdout
    html = CliRunner().invoke(main, ["audit", str(received["macos"]), "--plan", str(received["xlsx"]),
                                     "--format", "html", "--today", "2026-11-26"]).stdout
    assert "Scored against the approved plan:" in html


def test_self_scores_follow_the_paired_milestone() -> None:
    from packager.approval import plan_for_audit

    spring = load_plan_text("\n".join(ln for ln in PLAN_TEXT.splitlines() if "self_score" not in ln), "s", RULES)
    final = load_plan_text(PLAN_TEXT, "f.yaml", RULES)
    first = final.objectives[0]
    dropped = first.__class__(**{**first.__dict__, "milestones": (first.milestones[0], first.milestones[2])})
    inner = final.__class__(**{**final.__dict__, "objectives": (dropped, *final.objectives[1:])})
    merged = plan_for_audit(spring, inner)
    assert [ms.self_score for ms in merged.objectives[0].milestones] == [12, None, 6]
    assert merged.milestone("1.2").weight == 10  # type: ignore[union-attr]


def test_checks_command_lists_audit_ids() -> None:
    out = CliRunner().invoke(main, ["checks"]).stdout
    assert "plan-changed-since-approval (warning)" in out and "manifest-mismatch (error)" in out
