"""Pairing the approved plan's milestones with the zip's: by title first, so a swap is two renumberings.

Hunt 23 A3: two milestones swapped in the zip's plan were one "renumbered" and one "added" + "missing",
the second's self-score lost (a false self-score-invalid error and a self-score 10 points low).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from packager.approval import pair_milestones, plan_changes, plan_for_audit
from packager.audit import audit_zip
from packager.plan import Milestone, Objective, Plan, load_plan_text
from packager.rules import load_rules
from tests.handzips import send_to

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
PLAN_TEXT = (SAMPLE / "action-plan.yaml").read_text(encoding="utf-8")
BASE = load_plan_text(PLAN_TEXT, "approved.yaml", RULES)
WHERE = "the zip's plan"
RENUMBERED = "Milestone {0} (“{1}”) is numbered {2} in the zip's plan; its files are mapped by the approved numbering ({0})."


def _plan(*objectives: list[str]) -> Plan:
    """A plan whose milestones differ only by title: a milestone's other fields follow its title."""
    def ms(title: str) -> Milestone:
        key = title.strip().rstrip(".").lower()
        return Milestone(title=title, deliverable=f"Records: {key}", weight=len(key),
                         target_date=dt.date(2026, 8, 31), self_score=len(key) - 1)
    return replace(BASE, objectives=tuple(
        Objective(title=f"Objective {o}", milestones=tuple(ms(t) for t in titles))
        for o, titles in enumerate(objectives, start=1)))


@pytest.mark.parametrize(("approved", "inner", "expected"), [
    pytest.param([["Drills", "Plan", "Training"]], [["Plan", "Drills", "Training"]], [
        RENUMBERED.format("1.1", "Drills", "1.2"),
        RENUMBERED.format("1.2", "Plan", "1.1"),
    ], id="swap"),
    pytest.param([["Drills", "Plan"]], [["  drills ", "PLAN."]], [], id="spacing-case-full-stop"),
    pytest.param([["Drills", "Plan", "Training"]], [["Drills", "Update", "Training"]], [
        f"Milestone 1.2 was reworded: approved as “Plan”, {WHERE} says “Update”.",
        f"The weight of milestone 1.2 moved: approved at 4 points, {WHERE} gives it 6 points. It is scored out "
        "of 4 points.",
        f"The deliverable of milestone 1.2 changed: approved as “Records: plan”, {WHERE} says “Records: update”.",
    ], id="reworded-in-place"),
    pytest.param([["Drills", "Plan", "Training", "Audit"]], [["Drills", "Training", "Audits"]], [
        f"Milestone 1.2 of the approved plan (“Plan”) is missing from {WHERE}.",
        RENUMBERED.format("1.3", "Training", "1.2"),
        RENUMBERED.format("1.4", "Audit", "1.3"),
        f"Milestone 1.4 was reworded: approved as “Audit”, {WHERE} says “Audits”.",
        f"The weight of milestone 1.4 moved: approved at 5 points, {WHERE} gives it 6 points. It is scored out "
        "of 5 points.",
        f"The deliverable of milestone 1.4 changed: approved as “Records: audit”, {WHERE} says “Records: audits”.",
    ], id="removed-then-reworded-after"),
    pytest.param([["Drills", "Plan", "Training"], ["Gloves", "Tools"]], [["Drills", "Training"], ["Gloves", "Tools",
                                                                                                 "Plan"]], [
        "Milestone 1.2 (“Plan”) is numbered 2.3, under objective 2, in the zip's plan; its files are mapped by the "
        "approved numbering (1.2).",
        RENUMBERED.format("1.3", "Training", "1.2"),
    ], id="moved-to-another-objective"),
    pytest.param([["Drills", "Plan"], ["Gloves"]], [["Drills"], ["Gloves", "Plan", "Plan"]], [
        f"Milestone 1.2 of the approved plan (“Plan”) is missing from {WHERE}.",
        "The zip's plan adds milestone 2.2 (“Plan”), which the approved plan does not have; it is not scored.",
        "The zip's plan adds milestone 2.3 (“Plan”), which the approved plan does not have; it is not scored.",
    ], id="title-twice-elsewhere-is-ambiguous"),
    pytest.param([["Drills", "Plan", "Plan"]], [["Plan", "Drills", "Plan"]], [
        RENUMBERED.format("1.1", "Drills", "1.2"),
        RENUMBERED.format("1.2", "Plan", "1.1"),
    ], id="repeated-title-kth-with-kth"),
])
def test_pairing_table(approved: list[list[str]], inner: list[list[str]], expected: list[str]) -> None:
    assert [f.message for f in plan_changes(_plan(*approved), _plan(*inner), WHERE)] == expected


def test_each_self_score_travels_with_its_title() -> None:
    spring = _plan(["Drills", "Plan", "Training"], ["Gloves", "Tools"])
    spring = replace(spring, objectives=tuple(
        replace(o, milestones=tuple(replace(m, self_score=None) for m in o.milestones)) for o in spring.objectives))
    inner = _plan(["Plan", "Drills"], ["Gloves", "Training", "Tools"])
    merged = plan_for_audit(spring, inner)
    scores = {ms.title: ms.self_score for _o, _mid, ms in merged.milestones()}
    assert scores == {"Drills": 5, "Plan": 3, "Training": 7, "Gloves": 5, "Tools": 4}
    assert [ms.title for _o, _mid, ms in merged.milestones()] == ["Drills", "Plan", "Training", "Gloves", "Tools"]


def test_a_hostile_plan_of_thousands_of_milestones_is_paired() -> None:
    """Every step is linear or n log n: 20,000 milestones reversed, reworded, or moved to another objective."""
    titles = [f"Milestone {n}" for n in range(20_000)]
    others = [f"Other {n}" for n in range(20_000)]
    approved = _plan(titles)
    assert pair_milestones(approved, _plan(titles[::-1])) == {(1, i): (1, 19_999 - i) for i in range(20_000)}
    assert pair_milestones(approved, _plan(others)) == {(1, i): (1, i) for i in range(20_000)}
    assert pair_milestones(approved, _plan(others, titles)) == {(1, i): (2, i) for i in range(20_000)}


def test_swapped_milestones_in_a_hand_zip_keep_their_self_scores(tmp_path: Path) -> None:
    """End to end: the zip's plan lists objective 1's first two milestones the other way round."""
    data = yaml.safe_load(PLAN_TEXT)
    first = data["objectives"][0]["milestones"]
    first[0], first[1] = first[1], first[0]
    folder = tmp_path / "folder"
    shutil.copytree(SAMPLE, folder)
    (folder / "action-plan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    zipped = send_to(folder, tmp_path / "Northwind Paving 2026.zip", "COR 2026")
    spring = load_plan_text("\n".join(ln for ln in PLAN_TEXT.splitlines() if "self_score" not in ln), "s.yaml", RULES)
    result = audit_zip(zipped, RULES, today=TODAY, workers=1, approved=spring)
    where = "the zip's plan ('COR 2026/action-plan.yaml')"
    assert [(f.check, f.milestone, f.message) for f in result.findings if f.severity.value != "info"] == [
        ("plan-changed-since-approval", "1.1", f"Milestone 1.1 (“Conduct four emergency drills”) is numbered 1.2 in "
         f"{where}; its files are mapped by the approved numbering (1.1)."),
        ("plan-changed-since-approval", "1.2", "Milestone 1.2 (“Update the emergency response plan for all sites”) "
         f"is numbered 1.1 in {where}; its files are mapped by the approved numbering (1.2)."),
    ]
    assert result.score.self == 93
