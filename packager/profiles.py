"""A plain-text summary of a rules profile, for `packager profiles` and `packager checks --rules`."""

from __future__ import annotations

from packager.rules import Rules
from packager.textutil import points


def _month_day(text: str) -> str:
    month, day = (int(x) for x in text.split("-"))
    names = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
    return f"{names[month - 1]} {day}"


def describe_profile(rules: Rules) -> str:
    """The profile's name, partner, programs, deadlines and the numbers the checks use."""
    d, s, p = rules.deadlines, rules.scoring, rules.plan
    boundary = "or more" if s.second_plan_boundary != "exclusive" else "exclusive: over it"
    lines = [
        f"{rules.profile}: {rules.title}",
        f"  Partner:     {rules.partner}",
        "  Programs:    " + ", ".join(f"{k} ({v.name})" for k, v in sorted(rules.programs.items())),
        f"  Deadlines:   application {_month_day(d.application)}, proposal {_month_day(d.proposal)}, "
        f"amendments {_month_day(d.amendments)}, final {_month_day(d.final)}"
        + (f" (pinned for {', '.join(str(y) for y in sorted(d.by_year))})" if d.by_year else ""),
        f"  Plan:        {p.objectives.min} to {p.objectives.max} objectives, {p.milestones_per_objective.min} "
        f"to {p.milestones_per_objective.max} milestones each, weights total {points(p.weight_total)}",
        f"  Scoring:     pass mark {points(s.pass_mark)}%; a second plan needs "
        f"{points(s.second_plan_min_previous_score)}% {boundary} on the first, else {s.below_second_plan}",
        f"  Email limit: {points(rules.build.email_limit_mb)} MB",
    ]
    for name, program in sorted(rules.programs.items()):
        lines.append(f"  {name} eligibility:")
        lines.extend(f"    - {key}: {rules.eligibility[key].label}" for key in program.eligibility)
    return "\n".join(lines)
