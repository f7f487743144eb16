"""What every check reads: the plan, the rules, the stage and, later, the scanned files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from packager.model import Stage
from packager.plan import Plan
from packager.rules import Rules

if TYPE_CHECKING:
    from packager.inventory import Inventory


__all__ = ["Context", "Stage"]  # Stage lives in packager.model; re-exported


@dataclass(frozen=True)
class Context:
    plan: Plan
    rules: Rules
    stage: Stage
    today: dt.date
    inventory: Inventory | None = None
    received: bool = False  # a zip received by a reviewer: nothing will relabel or rename

    @cached_property
    def window(self) -> tuple[dt.date, dt.date]:
        """The plan's date window, worked out once per run (the deliverable checks ask for it per file)."""
        return self.plan.window(self.rules)
