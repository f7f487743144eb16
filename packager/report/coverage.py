"""Coverage: objectives × milestones, how many deliverables each has and whether all are clean."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from packager.findings import Finding, Severity
from packager.inventory import FileRecord, Inventory
from packager.ocr.model import OcrFacts
from packager.plan import Plan
from packager.rules import Rules
from packager.textutil import ellipsize, plural


@dataclass(frozen=True)
class MilestoneCoverage:
    objective: int
    milestone: str
    title: str
    files: int
    errors: int
    warnings: int

    @property
    def status(self) -> str:
        if self.files == 0:
            return "missing"
        if self.errors:
            return plural(self.errors, "error")
        if self.warnings:
            return plural(self.warnings, "warning")
        return "clean"


def coverage(plan: Plan, inventory: Inventory, findings: tuple[Finding, ...]) -> list[MilestoneCoverage]:
    files = Counter(r.mapping.milestone for r in inventory.deliverables if r.mapping.milestone)
    errors = Counter(f.milestone for f in findings if f.milestone and f.severity is Severity.ERROR)
    warnings = Counter(f.milestone for f in findings if f.milestone and f.severity is Severity.WARNING)
    return [
        MilestoneCoverage(o, mid, ms.title or "", files[mid], errors[mid], warnings[mid])
        for o, mid, ms in plan.milestones()
    ]


def coverage_lines(rows: list[MilestoneCoverage], plan: Plan) -> list[str]:
    out = ["Coverage (deliverables per milestone)"]
    width = 56
    for row in rows:
        if row.milestone.endswith(".1"):
            objective = plan.objective(row.objective)
            head = f"Objective {row.objective}"
            title_text = objective.title if objective else ""
            out.append(f"  {head}: {ellipsize(title_text, width + 22 - len(head))}" if title_text else f"  {head}")
        title = ellipsize(row.title, width)
        out.append(f"    {row.milestone:<5} {title:<{width}} {row.files:>3} file{'s' if row.files != 1 else ' '}  "
                   f"{row.status}")
    return out


def deliverable_dict(record: FileRecord, plan: Plan, rules: Rules) -> dict[str, Any]:
    """One entry of the JSON `deliverables` list: the evidence record, as decided once."""
    facts = record.facts
    evidence = record.evidence
    best = evidence.date if evidence else None
    return {
        "path": record.path,
        "objective": record.mapping.objective,
        "milestone": record.mapping.milestone,
        "type": facts.kind if facts else None,
        "size": record.size,
        "sha256": facts.sha256 if facts else None,
        "pages": facts.pages if facts else None,
        "date": best.value.isoformat() if best else None,
        "date_source": best.source if best else None,
        "date_precision": best.precision if best else None,  # day, or the month or quarter of a period
        "date_status": evidence.status.value if evidence else None,
        "dates": [
            {"date": d.value.isoformat(), "source": d.source, "text": d.text, "ambiguous": d.ambiguous,
             "confidence": d.confidence}
            for d in (evidence.dates if evidence else ())
        ],
        "label": list(record.mapping.label_sources),
        "label_on_document": list(record.mapping.label),
        "milestone_sources": [
            {"where": s.where, "milestone": s.milestone, "text": s.text} for s in record.mapping.sources
        ],
        "agree": record.mapping.agree,
        "legible": evidence.legibility.legible if evidence else None,
        **({"ocr": ocr_dict(facts.ocr)} if facts is not None and facts.ocr is not None else {}),
    }


def ocr_dict(ocr: OcrFacts) -> dict[str, Any]:
    """What OCR did for one file, for the JSON report (absent when OCR did not apply)."""
    return {
        "status": ocr.status, "engine": ocr.engine, "regions": list(ocr.regions), "labels": list(ocr.labels),
        "signature_date": ocr.signature_date.date.isoformat() if ocr.signature_date else None,
        "problem": ocr.problem,
    }
