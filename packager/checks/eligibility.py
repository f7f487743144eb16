"""Eligibility: the program's requirements for maintaining certification with an Action Plan.

Applies at both stages. Which requirements a program has is data (rules: programs.*.eligibility).
"""

from __future__ import annotations

from collections.abc import Iterator

from packager.checks.context import Context
from packager.checks.registry import declare
from packager.findings import Finding, Severity
from packager.textutil import points

ELIGIBILITY = declare(
    "eligibility", Severity.ERROR, "plan",
    "A requirement of the program is not met or not confirmed: certification, training, a "
    "certified auditor on staff (COR), a completed cycle, the 2023 SECOR evaluation and a health "
    "and safety representative (SECOR), or 80% or more on the first plan for a second plan (the "
    "boundary is a rules value).",
    "Confirm each requirement under 'eligibility:' in the plan; if one is not met, the company "
    "cannot use an Action Plan this year.",
)


def run(ctx: Context) -> Iterator[Finding]:
    plan, rules = ctx.plan, ctx.rules
    program = rules.program(plan.program)
    if program is None:
        return
    for key in program.eligibility:
        requirement = rules.eligibility[key]
        answer = plan.eligibility.get(key)
        if answer is True:
            continue
        if answer is None:
            message = (
                f"The plan does not confirm that {requirement.label} "
                f"(eligibility.{key} is not given)."
            )
        else:
            message = f"The plan says {requirement.label}: no. {plan.program} requires it."
        yield ELIGIBILITY.finding(message, hint=requirement.hint)
    previous = plan.previous_plan_score
    scoring = rules.scoring
    needed = scoring.second_plan_min_previous_score
    if previous is not None and not scoring.second_plan_allowed(previous):
        inclusive = scoring.second_plan_boundary != "exclusive"
        wanted = f"{points(needed)}% or more" if inclusive else f"over {points(needed)}%"
        short = f"below {points(needed)}%" if inclusive else f"{points(needed)}% or less"
        yield ELIGIBILITY.finding(
            f"This is a second Action Plan, which needs the first plan to have scored {wanted}; "
            f"the first scored {points(previous)}%.",
            hint=f"A company whose first Action Plan scored {short} needs {scoring.below_second_plan} "
            "instead of a second plan. If previous_plan_score is wrong, correct it.",
        )
