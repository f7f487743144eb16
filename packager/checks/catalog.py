"""Every check id, in one explicit list, with where each applies.

Checks are declared next to the code that runs them (``declare`` in packager.checks.registry);
this catalog names every one of them and says where it can be reported:

- ``proposal``: ``packager check --stage proposal`` and ``build --stage proposal`` of a folder;
- ``final``: ``packager check`` and ``build`` of a final-submission folder;
- ``received``: ``packager audit`` of a zip a reviewer received.

A test keeps this catalog, the registry and the README's table of check ids identical.
"""

from __future__ import annotations

import importlib

from packager.checks.registry import REGISTRY, Check

PROPOSAL, FINAL, RECEIVED = "proposal", "final", "received"
_ALL = (PROPOSAL, FINAL, RECEIVED)
_FOLDER = (PROPOSAL, FINAL)
_FINAL = (FINAL, RECEIVED)

# The modules that declare checks outside packager.checks (imported so the registry is complete).
DECLARING_MODULES = (
    "packager.checks", "packager.archive", "packager.audit", "packager.build", "packager.scan",
    "packager.approval", "packager.config", "packager.planpair",
)

WHERE: dict[str, tuple[str, ...]] = {
    # the plan itself
    "eligibility": _ALL, "milestone-count": _ALL, "milestone-field-missing": _ALL, "no-audit-objective": _ALL,
    "objective-count": _ALL, "objective-not-smart": _ALL, "objective-title-missing": _ALL,
    "target-date-outside-plan": _ALL, "weight-total": _ALL, "plan-files-differ": _ALL,
    "plan-column-ignored": _ALL,
    "proposal-people-missing": (PROPOSAL,),
    # scoring and the plan's documents
    "auditor-participation-missing": _FINAL, "objective-notes-missing": _FINAL, "self-score-invalid": _FINAL,
    "summary-missing": _FINAL, "score-below-pass": _FINAL, "org-chart-missing": (PROPOSAL, RECEIVED),
    "signoff-missing": _FINAL, "auditor-signature-missing": _FINAL,
    # mapping and deliverables
    "deliverable-unmapped": _FINAL, "mapping-conflict": _FINAL, "milestone-no-deliverable": _FINAL,
    "duplicate-deliverable": _FINAL, "file-name-unsafe": _FINAL, "files-ignored": _FINAL,
    "deliverable-undated": _FINAL, "deliverable-date-ambiguous": _FINAL, "deliverable-date-out-of-range": _FINAL,
    "deliverable-illegible": _FINAL, "deliverable-encrypted": _FINAL, "deliverable-unlabelled": _FINAL,
    "file-type-mismatch": _FINAL, "file-type-unsupported": _FINAL, "active-content": _FINAL,
    # scanned pages read by OCR
    "ocr-unavailable": _FINAL, "ocr-unread": _FINAL,
    # the folder, the build and the settings
    "folder-unreadable": _FOLDER, "submission-too-large": _FOLDER, "acceptance-unused": _FOLDER,
    # a received zip
    "manifest-mismatch": (RECEIVED,), "plan-unreadable": (RECEIVED,), "submission-empty": (RECEIVED,),
    "plan-changed-since-approval": (RECEIVED,), "zip-bomb": (RECEIVED,), "zip-corrupt": (RECEIVED,),
    "zip-duplicate-entry": (RECEIVED,), "zip-encrypted-entry": (RECEIVED,), "zip-nested-archive": (RECEIVED,),
    "zip-unsafe-path": (RECEIVED,),
}


def all_checks() -> dict[str, Check]:
    """Every declared check, by id (importing the modules that declare them)."""
    for module in DECLARING_MODULES:
        importlib.import_module(module)
    return dict(sorted(REGISTRY.items()))


def where(check_id: str) -> tuple[str, ...]:
    return WHERE.get(check_id, ())


def explain(check: Check) -> str:
    """A check as `packager checks ID` shows it."""
    places = {PROPOSAL: "a proposal folder", FINAL: "a final-submission folder", RECEIVED: "a received zip"}
    shown = ", ".join(places[w] for w in where(check.id)) or "(not catalogued)"
    return (f"{check.id} ({check.severity.value}, {check.family})\n  When: {check.applies}\n"
            f"  Where: {shown}\n  Fix:  {check.hint}\n")


__all__ = ["FINAL", "PROPOSAL", "RECEIVED", "WHERE", "all_checks", "explain", "where"]
