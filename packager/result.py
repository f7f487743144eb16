"""What a check or audit returns: findings plus what they were found in."""

from __future__ import annotations

from dataclasses import dataclass, field

from packager.findings import Finding, Summary
from packager.inventory import Inventory
from packager.model import Stage
from packager.plan import Plan
from packager.rules import Rules


@dataclass(frozen=True)
class Score:
    self: float | None
    pass_mark: float
    qa: float | None = None

    @property
    def passed(self) -> bool | None:
        basis = self.qa if self.qa is not None else self.self
        if basis is None:
            return None
        return basis + 1e-9 >= self.pass_mark

    def to_dict(self) -> dict[str, float | bool | None]:
        return {
            "self": _number(self.self),
            "qa": _number(self.qa),
            "pass_mark": _number(self.pass_mark),
            "passed": self.passed,
        }


def _number(value: float | None) -> float | None:
    """Scores are always floats in JSON (60.0, 62.5: numbers of one type), rounded to two decimals."""
    if value is None:
        return None
    return float(round(value, 2))


@dataclass(frozen=True)
class CheckResult:
    plan: Plan
    rules: Rules
    stage: Stage
    findings: tuple[Finding, ...]
    score: Score
    inventory: Inventory | None = None
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.findings)
