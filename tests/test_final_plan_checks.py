"""Table-driven: the final-stage parts of the plan (self-scores, notes, auditors, summary)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from packager.checks import Stage
from tests.plans import check_plan, valid_plan

Plan = dict[str, Any]


def ms(p: Plan, o: int, m: int) -> dict[str, Any]:
    return p["objectives"][o - 1]["milestones"][m - 1]  # type: ignore[no-any-return]


def no_score(p: Plan) -> None:
    del ms(p, 1, 2)["self_score"]


def negative_score(p: Plan) -> None:
    ms(p, 2, 1)["self_score"] = -1


def over_weight(p: Plan) -> None:
    ms(p, 3, 1)["self_score"] = 21


def no_notes(p: Plan) -> None:
    p["objectives"][1]["notes"] = ""


def partial_unexplained(p: Plan) -> None:
    ms(p, 3, 2)["self_score"] = 20


def partial_explained(p: Plan) -> None:
    ms(p, 3, 2)["self_score"] = 20
    p["objectives"][2]["notes"] = "3.2 lost 5 points: two sheets are missing."


def no_auditors(p: Plan) -> None:
    p["auditors"] = []


def auditor_no_participation(p: Plan) -> None:
    p["auditors"].append({"name": "Priya Natarajan"})


def no_recommendations(p: Plan) -> None:
    p["summary"]["recommendations"] = []


def blank_recommendations(p: Plan) -> None:
    p["summary"]["recommendations"] = ["  ", ""]


def no_strengths(p: Plan) -> None:
    p["summary"]["strengths"] = []


def no_summary(p: Plan) -> None:
    del p["summary"]


def no_rep(p: Plan) -> None:
    del p["senior_representative"]


def no_ack(p: Plan) -> None:
    del p["documents"]["acknowledgement"]


def no_auditor_page(p: Plan) -> None:
    del p["documents"]["auditor_maintenance"]


def low_score(p: Plan) -> None:
    for o in p["objectives"]:
        for m in o["milestones"]:
            m["self_score"] = 0
    for o in p["objectives"]:
        o["notes"] = "Nothing was completed."


CASES: list[tuple[str, Callable[[Plan], None], list[tuple[str, str, str]]]] = [
    ("self-score missing", no_score, [
        ("self-score-invalid", "error", "Milestone 1.2 has no self-score.")]),
    ("self-score negative", negative_score, [
        ("self-score-invalid", "error", "Milestone 2.1 has a negative self-score (-1).")]),
    ("self-score over weight", over_weight, [
        ("self-score-invalid", "error", "Milestone 3.1 claims 21 points, more than its weight of 20.")]),
    ("notes missing", no_notes, [
        ("objective-notes-missing", "error",
         "Objective 2 has no self-scoring notes explaining how its milestones were scored.")]),
    ("partial score unexplained", partial_unexplained, [
        ("objective-notes-missing", "warning", "Milestone 3.2 scored 20 of 25 points, but the notes "
         "for objective 3 do not explain the partial score.")]),
    ("partial score explained", partial_explained, []),
    ("no auditors", no_auditors, [
        ("auditor-participation-missing", "error", "The plan lists no auditors. The Auditor "
         "Maintenance page needs each participating auditor's name and a description of their "
         "participation.")]),
    ("auditor without participation", auditor_no_participation, [
        ("auditor-participation-missing", "error", "Auditor Priya Natarajan has no description of "
         "their responsibilities and participation in the Action Plan.")]),
    ("no recommendations: the auditors may have none", no_recommendations, [
        ("summary-missing", "warning", "The executive summary has no recommendations.")]),
    ("blank recommendations", blank_recommendations, [
        ("summary-missing", "warning", "The executive summary has no recommendations.")]),
    ("no strengths", no_strengths, [
        ("summary-missing", "error", "The executive summary has no strengths.")]),
    ("no summary", no_summary, [
        ("summary-missing", "error", "The executive summary has no strengths and no recommendations.")]),
    ("no senior representative", no_rep, [
        ("signoff-missing", "error", "The plan does not name the senior company representative who "
         "acknowledges the results (senior_representative: name and title).")]),
    ("no acknowledgement", no_ack, [
        ("signoff-missing", "error", "There is no signed acknowledgement of the results by the "
         "senior company representative: the plan names none under documents.acknowledgement.")]),
    ("no auditor maintenance page", no_auditor_page, [
        ("auditor-signature-missing", "error", "There is no signed Auditor Maintenance page: the "
         "plan names none under documents.auditor_maintenance.")]),
    ("score below pass", low_score, [
        ("score-below-pass", "warning", "The self-score is 0%, below the pass mark of 60%. A "
         "maintenance audit will be required before December 31, 2026.")]),
]


@pytest.mark.parametrize(("name", "plant", "expected"), CASES, ids=[c[0] for c in CASES])
def test_final_stage_defect(
    name: str, plant: Callable[[Plan], None], expected: list[tuple[str, str, str]]
) -> None:
    data = valid_plan()
    plant(data)
    found = [(f.check, f.severity.value, f.message) for f in check_plan(data, Stage.FINAL)]
    assert found == expected


def test_final_checks_do_not_apply_to_proposal() -> None:
    data = valid_plan(final=False)
    assert check_plan(data, Stage.PROPOSAL) == []
