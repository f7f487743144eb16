"""An example of the context the document templates receive, built from a plan alone.

The submission builder builds the real context from the scanned evidence; this one invents
plausible file entries so that every template can be rendered (tests, previews, and a
reference for what each key holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from packager.plan import Plan
from packager.rules import Rules


def _short_title(title: str, words: int = 4) -> str:
    return " ".join(title.split()[:words])


def _percent(score: float | None, weight: float | None) -> float | None:
    if score is None or not weight:
        return None
    return round(score / weight * 100, 2)


def sample_context(
    plan: Plan,
    rules: Rules,
    *,
    stage: str = "final",
    files_per_milestone: int = 1,
    part: Mapping[str, int] | None = None,
    open_findings: Iterable[Mapping[str, str]] = (),
    generated: str = "October 31, 2026",
) -> dict[str, Any]:
    """The template context for `plan`, with `files_per_milestone` invented files each.

    With `part` ({"number": 1, "count": 2}) the files alternate between the parts.
    """
    objectives: list[dict[str, Any]] = []
    for o, objective in enumerate(plan.objectives, start=1):
        short = _short_title(objective.title)
        folder = f"Objective {o} - {short}"
        milestones: list[dict[str, Any]] = []
        for m, ms in enumerate(objective.milestones, start=1):
            mid = f"{o}.{m}"
            day = f"{plan.year}-{min(m + 3, 12):02d}-{min(o * 3, 28):02d}"
            files = [
                {
                    "zip_name": f"{folder}/{mid} - {ms.deliverable or ms.title or 'Evidence'}"
                    f"{'' if n == 1 else f' ({n})'} - {day}.pdf",
                    "date": day,
                    "pages": 1 + (o + m + n) % 6,
                    "sha256_short": f"{o:02x}{m:02x}{n:02x}c0ffee"[:12],
                    "status": "OK" if (o + m + n) % 5 else "1 warning",
                    "part": (1 + n % part["count"]) if part else None,
                }
                for n in range(1, files_per_milestone + 1)
            ]
            milestones.append(
                {
                    "id": mid,
                    "title": ms.title,
                    "assigned_to": ms.assigned_to,
                    "target_date": ms.target_date.isoformat() if ms.target_date else None,
                    "deliverable": ms.deliverable,
                    "weight": ms.weight,
                    "self_score": ms.self_score,
                    "status": ms.status,
                    "files": files,
                }
            )
        weight = sum(ms.weight or 0 for ms in objective.milestones)
        scores = [ms.self_score for ms in objective.milestones if ms.self_score is not None]
        self_score = sum(scores) if scores else None
        objectives.append(
            {
                "number": o,
                "title": objective.title,
                "short_title": short,
                "folder": folder,
                "weight": weight,
                "self_score": self_score,
                "percent": _percent(self_score, weight),
                "notes": objective.notes,
                "audit_recommendation": objective.audit_recommendation,
                "milestones": milestones,
            }
        )
    percent = plan.self_score_percent(rules)
    pass_mark = rules.scoring.pass_mark
    program = rules.program(plan.program)
    roles = {
        "acknowledgement": "Signed Senior Representative Acknowledgement",
        "auditor_maintenance": "Signed Auditor Maintenance",
        "org_chart": "Organization chart",
        "proposal_form": "Signed proposal form",
    }
    return {
        "plan": plan,
        "rules": rules,
        "stage": stage,
        "program_name": program.name if program else plan.program,
        "generated": generated,
        "part": dict(part) if part else None,
        "objectives": objectives,
        "totals": {
            "weight": plan.total_weight,
            "self_score": plan.total_self_score,
            "percent": percent,
            "pass_mark": pass_mark,
            "passed": None if percent is None else percent >= pass_mark,
        },
        "open_findings": [dict(f) for f in open_findings],
        "signed_documents": [
            {"role_label": roles.get(key, key), "zip_name": path}
            for key, path in plan.documents.named().items()
        ],
    }
