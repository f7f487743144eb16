"""The JSON report: one object; keys are a contract and are only ever added to."""

from __future__ import annotations

import json
from typing import Any

from packager.report.coverage import deliverable_dict
from packager.result import CheckResult


def check_dict(result: CheckResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "findings": [f.to_dict() for f in result.findings],
        "summary": result.summary.to_dict(),
        "score": result.score.to_dict(),
        "stage": result.stage.value,
        "rules": result.rules.profile,
        "plan": {
            "company": result.plan.company,
            "program": result.plan.program,
            "year": result.plan.year,
        },
    }
    if result.inventory is not None and result.stage.value == "final":
        data["deliverables"] = [
            deliverable_dict(r, result.plan, result.rules) for r in result.inventory.deliverables
        ]
        data["ignored"] = list(result.inventory.ignored)
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
