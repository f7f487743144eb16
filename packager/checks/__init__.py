"""Checks: one module per family, each yielding findings; one registry of ids.

`run_checks` runs every family on a context. Families decide for themselves which stage
they apply to, and say so in their docstrings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from packager.checks import deliverables, documents, eligibility, mapping, ocr, plan_structure, scoring, smart
from packager.checks.context import Context, Stage
from packager.checks.registry import REGISTRY, Check
from packager.findings import Finding, sort_findings

FAMILIES: list[Callable[[Context], Iterable[Finding]]] = [
    plan_structure.run,
    eligibility.run,
    smart.run,
    documents.run,
    scoring.run,
    mapping.run,
    deliverables.run,
    ocr.run,
]


def run_checks(ctx: Context, extra: Iterable[Finding] = ()) -> list[Finding]:
    findings: list[Finding] = list(extra)
    for family in FAMILIES:
        findings.extend(family(ctx))
    return sort_findings(findings)


__all__ = ["REGISTRY", "Check", "Context", "Stage", "run_checks"]
