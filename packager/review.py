"""The reviewer's view of each milestone: weight, self-score, QA score and comment, open errors.

Read by the text, JSON and HTML audit reports and by the amendments letter, so every one of them
says the same thing about a milestone.
"""

from __future__ import annotations

from dataclasses import dataclass

from packager.findings import Finding, Severity
from packager.plan import Plan
from packager.worksheet import QaScores


@dataclass(frozen=True)
class MilestoneReview:
    objective: int
    milestone: str
    title: str
    weight: float | None
    self_score: float | None
    qa_score: float | None
    comment: str
    errors: tuple[str, ...]

    @property
    def needs_more(self) -> bool:
        """Scored below its weight by the reviewer, or still carrying an error."""
        short = self.qa_score is not None and self.weight is not None and self.qa_score < self.weight
        return short or bool(self.errors)

    def to_dict(self) -> dict[str, object]:
        return {
            "objective": self.objective, "milestone": self.milestone, "title": self.title, "weight": self.weight,
            "self_score": self.self_score, "qa_score": self.qa_score, "qa_comment": self.comment,
            "open_errors": list(self.errors),
        }


def milestone_reviews(plan: Plan, findings: tuple[Finding, ...], scores: QaScores | None) -> list[MilestoneReview]:
    errors: dict[str, list[str]] = {}
    for f in findings:
        if f.milestone and f.severity is Severity.ERROR:
            errors.setdefault(f.milestone, []).append(f.message)
    return [
        MilestoneReview(
            objective=o, milestone=mid, title=ms.title or "", weight=ms.weight, self_score=ms.self_score,
            qa_score=scores.by_milestone.get(mid) if scores else None,
            comment=(scores.comments.get(mid, "") if scores else ""), errors=tuple(errors.get(mid, ())),
        )
        for o, mid, ms in plan.milestones()
    ]
