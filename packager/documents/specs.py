"""Which documents are generated for each stage: template, file name in the zip, title."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentSpec:
    """One generated document."""

    template: str  # e.g. "index.html.j2"
    filename: str  # e.g. "01 Index.pdf"
    title: str  # e.g. "Submission Index"


FINAL_DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec("index.html.j2", "01 Index.pdf", "Submission Index"),
    DocumentSpec("executive_summary.html.j2", "02 Executive Summary.pdf", "Executive Summary"),
    DocumentSpec("self_scoring.html.j2", "03 Self-Scoring Sheet.pdf", "Self-Scoring Sheet"),
    DocumentSpec(
        "auditor_maintenance.html.j2", "04 Auditor Maintenance.pdf", "Auditor Maintenance"
    ),
    DocumentSpec(
        "acknowledgement.html.j2",
        "05 Senior Representative Acknowledgement.pdf",
        "Senior Representative Acknowledgement",
    ),
)

PROPOSAL_DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec("action_plan.html.j2", "01 Action Plan.pdf", "Action Plan"),
    DocumentSpec("proposal_details.html.j2", "02 Proposal Details.pdf", "Proposal Details"),
)


def documents_for(stage: str) -> tuple[DocumentSpec, ...]:
    """The documents generated for `stage` ("final" or "proposal")."""
    return PROPOSAL_DOCUMENTS if stage == "proposal" else FINAL_DOCUMENTS
