"""Valid plans as Python data, for tests that plant one defect at a time."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import yaml

from packager.checks import Context, Stage, run_checks
from packager.findings import Finding
from packager.plan import Auditor, Milestone, Objective, Person, Plan, load_plan_text
from packager.rules import Rules, load_rules

RULES = load_rules()
TODAY = dt.date(2026, 11, 26)


def milestone(title: str, weight: float, score: float | None = None, target: str = "2026-08-31") -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title,
        "assigned_to": "Site supervisors",
        "target_date": dt.date.fromisoformat(target),
        "deliverable": f"Records for {title.lower()}",
        "weight": weight,
    }
    if score is not None:
        data["self_score"] = score
    return data


def valid_plan(program: str = "COR", final: bool = True) -> dict[str, Any]:
    """A plan with no errors at either stage (3 objectives, 7 milestones, 100 points)."""
    eligibility = {
        "certified": True,
        "meets_training_requirements": True,
        "completed_full_cycle": True,
    }
    if program == "COR":
        eligibility["certified_auditor_on_staff"] = True
    else:
        eligibility |= {"secor_2023_evaluation": True, "hs_representative": True}
    weights = [[12, 10, 8], [15, 10], [20, 25]]
    objectives = []
    titles = [
        "Strengthen emergency response readiness at all 4 sites by October 2026",
        "Reduce hand injuries by 50% by September 2026 with glove and tool inspections",
        "Hold 8 monthly toolbox talks at every site by October 2026",
    ]
    for o, (title, ws) in enumerate(zip(titles, weights, strict=True), start=1):
        objectives.append(
            {
                "title": title,
                "audit_recommendation": o == 1,
                "notes": f"All milestones of objective {o} were completed in full.",
                "milestones": [
                    milestone(f"Step {m} of objective {o}", w, w if final else None)
                    for m, w in enumerate(ws, start=1)
                ],
            }
        )
    plan: dict[str, Any] = {
        "program": program,
        "company": "Northwind Paving Ltd.",
        "year": 2026,
        "approved": dt.date(2026, 3, 20),
        "eligibility": eligibility,
        "senior_representative": {"name": "Dana Whitfield", "title": "President"},
        "auditors": [{"name": "Émilie Côté", "participation": "Developed objective 2."}],
        "participants": ["Émilie Côté", "Safety Committee"],
        "trained_individuals": ["Émilie Côté (COR auditor)"],
        "documents": {
            "org_chart": "admin/org-chart.pdf",
            "acknowledgement": "admin/acknowledgement-signed.pdf",
            "auditor_maintenance": "admin/auditor-maintenance-signed.pdf",
        },
        "objectives": objectives,
    }
    if final:
        plan["summary"] = {
            "strengths": ["Drills at every site."],
            "recommendations": ["Keep every attendance sheet."],
        }
    return plan


def plan_from(data: dict[str, Any], rules: Rules = RULES) -> Plan:
    return load_plan_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "action-plan.yaml", rules)


def check_plan(data: dict[str, Any], stage: Stage, rules: Rules = RULES) -> list[Finding]:
    """Plan-only checks (no files scanned)."""
    plan = plan_from(data, rules)
    return run_checks(Context(plan=plan, rules=rules, stage=stage, today=TODAY))


def mutate(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)


def big_plan(n_objectives: int = 7, n_milestones: int = 5) -> Plan:
    """A long plan with accented names, for rendering long documents (tests and bench/index_render.py)."""
    weight = 100 / (n_objectives * n_milestones)
    objectives = tuple(
        Objective(
            title=f"Objective number {o} with a realistic, fairly long title for the index",
            audit_recommendation=o == 1,
            milestones=tuple(
                Milestone(
                    title=f"Milestone {o}.{m} carried out by Émilie Côté",
                    assigned_to="Émilie Côté",
                    target_date=dt.date(2026, 8, 31),
                    deliverable="Inspection records",
                    weight=weight,
                    self_score=weight,
                )
                for m in range(1, n_milestones + 1)
            ),
        )
        for o in range(1, n_objectives + 1)
    )
    return Plan(
        program="COR",
        company="Northwind Paving Ltd.",
        year=2026,
        objectives=objectives,
        senior_representative=Person("Dana Whitfield", "President"),
        auditors=(Auditor("Émilie Côté", "Everything"),),
    )
