"""The JSON report: one object; keys are a contract and are only ever added to."""

from __future__ import annotations

import json
from typing import Any

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
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
