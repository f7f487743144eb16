"""Table-driven: plant one plan defect in a valid plan, expect exactly that finding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from packager.checks import Stage
from tests.plans import check_plan, milestone, mutate, valid_plan

Plan = dict[str, Any]


def drop_objective(p: Plan) -> None:
    p["objectives"].pop()
    p["objectives"][0]["milestones"][0]["weight"] += 45
    p["objectives"][0]["milestones"][0]["self_score"] = p["objectives"][0]["milestones"][0]["weight"]


def eight_objectives(p: Plan) -> None:
    extra = []
    for i in range(5):
        o = mutate(p["objectives"][2])
        o["milestones"] = [milestone("Extra step one", 0, 0), milestone("Extra step two", 0, 0)]
        o["notes"] = f"Objective {4 + i} extra milestones were completed in full."
        extra.append(o)
    p["objectives"].extend(extra)


def one_milestone(p: Plan) -> None:
    ms = p["objectives"][1]["milestones"]
    ms[0]["weight"] += ms[1]["weight"]
    ms[0]["self_score"] = ms[0]["weight"]
    ms.pop()


def six_milestones(p: Plan) -> None:
    p["objectives"][1]["milestones"].extend(milestone(f"More {i}", 0, 0) for i in range(4))


def weights_95(p: Plan) -> None:
    p["objectives"][2]["milestones"][1]["weight"] = 20
    p["objectives"][2]["milestones"][1]["self_score"] = 20


def no_assignee(p: Plan) -> None:
    del p["objectives"][0]["milestones"][1]["assigned_to"]


def no_target_or_deliverable(p: Plan) -> None:
    ms = p["objectives"][2]["milestones"][0]
    del ms["target_date"]
    ms["deliverable"] = ""


def no_weight(p: Plan) -> None:
    del p["objectives"][1]["milestones"][0]["weight"]
    del p["objectives"][1]["milestones"][0]["self_score"]


def no_audit(p: Plan) -> None:
    p["objectives"][0]["audit_recommendation"] = False


def no_auditor(p: Plan) -> None:
    p["eligibility"]["certified_auditor_on_staff"] = False


def missing_cycle(p: Plan) -> None:
    del p["eligibility"]["completed_full_cycle"]


def second_plan_low(p: Plan) -> None:
    p["previous_plan_score"] = 78


def before_approval(p: Plan) -> None:
    p["objectives"][0]["milestones"][2]["target_date"] = "2026-03-01"


def after_deadline(p: Plan) -> None:
    p["objectives"][2]["milestones"][1]["target_date"] = "2026-12-15"


def no_org_chart(p: Plan) -> None:
    del p["documents"]["org_chart"]


def no_participants(p: Plan) -> None:
    p["participants"] = []


def no_trained(p: Plan) -> None:
    p["trained_individuals"] = ["  "]


def no_people(p: Plan) -> None:
    del p["participants"], p["trained_individuals"]


def vague_objective(p: Plan) -> None:
    p["objectives"][1]["title"] = "Improve the safety culture of our crews"


Case = tuple[str, Stage, Callable[[Plan], None], list[tuple[str, str, str]]]

CASES: list[Case] = [
    ("two objectives", Stage.PROPOSAL, drop_objective, [
        ("objective-count", "error", "The plan has 2 objectives; the program requires between 3 and 7."),
    ]),
    ("eight objectives", Stage.PROPOSAL, eight_objectives, [
        ("objective-count", "error", "The plan has 8 objectives; the program requires between 3 and 7."),
    ]),
    ("one milestone", Stage.PROPOSAL, one_milestone, [
        ("milestone-count", "error", "Objective 2 has 1 milestone; each objective needs between 2 and 5."),
    ]),
    ("six milestones", Stage.PROPOSAL, six_milestones, [
        ("milestone-count", "error", "Objective 2 has 6 milestones; each objective needs between 2 and 5."),
    ]),
    ("no participants", Stage.PROPOSAL, no_participants, [
        ("proposal-people-missing", "error", "The proposal does not name the Action Plan participants: the guide "
         "asks for both in the completed Action Plan proposal."),
    ]),
    ("trained individuals blank", Stage.PROPOSAL, no_trained, [
        ("proposal-people-missing", "error", "The proposal does not name the individuals who meet the training "
         "requirements: the guide asks for both in the completed Action Plan proposal."),
    ]),
    ("no people", Stage.PROPOSAL, no_people, [
        ("proposal-people-missing", "error", "The proposal does not name the Action Plan participants or the "
         "individuals who meet the training requirements: the guide asks for both in the completed Action Plan "
         "proposal."),
    ]),
    ("no people at the final stage: the proposal was approved", Stage.FINAL, no_people, []),
    ("weights 95", Stage.PROPOSAL, weights_95, [
        ("weight-total", "error", "The milestone weights add up to 95, not 100 (short by 5). "
         "By objective: Objective 1 30, Objective 2 25, Objective 3 40."),
    ]),
    ("no assignee", Stage.PROPOSAL, no_assignee, [
        ("milestone-field-missing", "error", "Milestone 1.2 is missing its person responsible (assigned_to)."),
    ]),
    ("no target date or deliverable", Stage.PROPOSAL, no_target_or_deliverable, [
        ("milestone-field-missing", "error",
         "Milestone 3.1 is missing its target date (target_date) and deliverable (deliverable)."),
    ]),
    ("no weight", Stage.PROPOSAL, no_weight, [
        ("milestone-field-missing", "error", "Milestone 2.1 is missing its weight (weight)."),
    ]),
    ("no audit objective", Stage.PROPOSAL, no_audit, [
        ("no-audit-objective", "error", "None of the objectives is marked as based on the "
         "recommendations of your last certification audit; at least one must be."),
    ]),
    ("COR without auditor", Stage.PROPOSAL, no_auditor, [
        ("eligibility", "error", "The plan says a COR company has a certified auditor on staff: no. "
         "COR requires it."),
    ]),
    ("cycle not confirmed", Stage.PROPOSAL, missing_cycle, [
        ("eligibility", "error", "The plan does not confirm that the company has completed at least "
         "one full COR or SECOR cycle (eligibility.completed_full_cycle is not given)."),
    ]),
    ("second plan after 78%", Stage.PROPOSAL, second_plan_low, [
        ("eligibility", "error", "This is a second Action Plan, which needs the first plan to have "
         "scored 80% or more; the first scored 78%."),
    ]),
    ("target before approval", Stage.PROPOSAL, before_approval, [
        ("target-date-outside-plan", "error", "Milestone 1.3 is due March 1, 2026, before the proposal "
         "was approved on March 20, 2026. Milestones must start and finish after approval."),
    ]),
    ("target after deadline", Stage.PROPOSAL, after_deadline, [
        ("target-date-outside-plan", "error", "Milestone 3.2 is due December 15, 2026, after the 2026 "
         "final-submission deadline of November 30, 2026."),
    ]),
    ("no org chart", Stage.PROPOSAL, no_org_chart, [
        ("org-chart-missing", "error", "The proposal has no organisational chart: the plan does not "
         "name one under documents.org_chart."),
    ]),
    ("vague objective", Stage.PROPOSAL, vague_objective, [
        ("objective-not-smart", "warning", "Objective 2 \u201cImprove the safety culture of our crews\u201d "
         "may not be SMART: it has no measurable quantity (a number, a percentage, 'all sites') and "
         "uses a vague verb; it has no time bound (e.g. 'by October 2026')."),
    ]),
]


@pytest.mark.parametrize("program", ["COR", "SECOR"])
@pytest.mark.parametrize("stage", [Stage.PROPOSAL, Stage.FINAL])
def test_valid_plans_have_no_findings(program: str, stage: Stage) -> None:
    assert check_plan(valid_plan(program), stage) == []


@pytest.mark.parametrize(("name", "stage", "plant", "expected"), CASES, ids=[c[0] for c in CASES])
def test_planted_defect(
    name: str, stage: Stage, plant: Callable[[Plan], None], expected: list[tuple[str, str, str]]
) -> None:
    data = valid_plan()
    plant(data)
    found = [(f.check, f.severity.value, f.message) for f in check_plan(data, stage)]
    assert found == expected


def test_secor_requirements() -> None:
    data = valid_plan("SECOR")
    data["eligibility"]["hs_representative"] = False
    del data["eligibility"]["secor_2023_evaluation"]
    found = [(f.check, f.message) for f in check_plan(data, Stage.PROPOSAL)]
    assert found == [
        ("eligibility", "The plan does not confirm that the SECOR certification was based on the "
         "2023 SECOR evaluation (eligibility.secor_2023_evaluation is not given)."),
        ("eligibility", "The plan says the SECOR company is required under the Alberta OHS Act to "
         "have a health and safety representative: no. SECOR requires it."),
    ]


def test_second_plan_over_80_is_eligible() -> None:
    data = valid_plan()
    data["previous_plan_score"] = 80.5
    assert check_plan(data, Stage.PROPOSAL) == []


def test_second_plan_boundary_is_inclusive_by_default() -> None:
    data = valid_plan()
    data["previous_plan_score"] = 80
    assert check_plan(data, Stage.PROPOSAL) == []


@pytest.mark.parametrize(("boundary", "score", "eligible"), [
    ("inclusive", 80, True), ("inclusive", 79.9, False), ("exclusive", 80, False), ("exclusive", 80.1, True),
])
def test_second_plan_boundary_rule(boundary: str, score: float, eligible: bool) -> None:
    from packager.rules import ScoringRules

    assert ScoringRules(second_plan_boundary=boundary).second_plan_allowed(score) is eligible


def test_every_finding_has_a_hint_and_location_fields() -> None:
    data = valid_plan()
    weights_95(data)
    no_audit(data)
    for f in check_plan(data, Stage.PROPOSAL):
        assert f.hint and f.message
        assert f.check.islower()
