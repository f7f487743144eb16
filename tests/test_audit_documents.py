"""`audit --plan`: the signed pages are the ones the zip's plan names, not a spring plan's documents:.

A plan approved in the spring names the organisational chart, or the defaults 'packager init' writes;
the signed acknowledgement and Auditor Maintenance page are signed afterwards and named in the
company's final plan, which travels in the zip (its plan file, or a built zip's manifest).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from packager.approval import audit_documents
from packager.audit import audit_zip
from packager.plan import Documents, Plan, load_plan_text
from packager.rules import load_rules
from tests.handzips import send_to

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
PLAN_TEXT = (SAMPLE / "action-plan.yaml").read_text(encoding="utf-8")
ACK, AUD = "admin/acknowledgement-signed.pdf", "admin/auditor-maintenance-signed.pdf"  # init's defaults
SIGNED_CHECKS = {"signoff-missing", "auditor-signature-missing"}


def _approved(documents: Documents) -> Plan:
    return replace(load_plan_text(PLAN_TEXT, "approved.yaml", RULES), documents=documents)


SPRING = _approved(Documents(org_chart="admin/org-chart.pdf"))
INIT_DEFAULTS = _approved(Documents(org_chart="admin/org-chart.pdf", acknowledgement=ACK, auditor_maintenance=AUD))


@pytest.mark.parametrize(("approved", "inner", "present", "expected"), [
    # A final-stage page: the zip's plan's path ...
    ({}, {"acknowledgement": "z.pdf"}, set(), {"acknowledgement": "z.pdf"}),
    ({"acknowledgement": "a.pdf"}, {"acknowledgement": "z.pdf"}, {"z.pdf"}, {"acknowledgement": "z.pdf"}),
    ({"acknowledgement": "a.pdf"}, {"acknowledgement": "z.pdf"}, {"a.pdf", "z.pdf"}, {"acknowledgement": "z.pdf"}),
    ({"auditor_maintenance": "a.pdf"}, {"auditor_maintenance": "z.pdf"}, set(), {"auditor_maintenance": "z.pdf"}),
    # ... the approved plan's when the zip's names none, or when only the approved one is in the zip.
    ({"acknowledgement": "a.pdf"}, {}, set(), {"acknowledgement": "a.pdf"}),
    ({"acknowledgement": "a.pdf"}, {"acknowledgement": "z.pdf"}, {"a.pdf"}, {"acknowledgement": "a.pdf"}),
    # The organisational chart and the proposal form: the approved plan's, unless only the zip's is there.
    ({"org_chart": "a.pdf"}, {"org_chart": "z.pdf"}, set(), {"org_chart": "a.pdf"}),
    ({"org_chart": "a.pdf"}, {"org_chart": "z.pdf"}, {"a.pdf", "z.pdf"}, {"org_chart": "a.pdf"}),
    ({"org_chart": "a.pdf"}, {"org_chart": "z.pdf"}, {"z.pdf"}, {"org_chart": "z.pdf"}),
    ({}, {"proposal_form": "z.pdf"}, set(), {"proposal_form": "z.pdf"}),
    # Merged per document: a spring plan's org chart never takes the zip's signed pages away.
    ({"org_chart": "a.pdf"}, {"acknowledgement": "z1.pdf", "auditor_maintenance": "z2.pdf"}, set(),
     {"org_chart": "a.pdf", "acknowledgement": "z1.pdf", "auditor_maintenance": "z2.pdf"}),
    ({}, {}, set(), {}),
])
def test_document_paths_are_decided_per_document(
    approved: dict[str, str], inner: dict[str, str], present: set[str], expected: dict[str, str]
) -> None:
    chosen = audit_documents(Documents(**approved), Documents(**inner), present.__contains__)
    assert chosen.named() == expected


def _errors(result: object) -> list[tuple[str, str]]:
    return [(f.check, f.message) for f in result.findings if f.severity.value == "error"]  # type: ignore[attr-defined]


def test_built_zip_against_a_spring_plan_naming_only_the_org_chart(built: Path) -> None:
    """Hunt 23 A1: a freshly built zip was 'Not acceptable' for want of the pages its manifest's plan names."""
    result = audit_zip(built, RULES, today=TODAY, workers=1, approved=SPRING)
    assert _errors(result) == []
    assert result.plan is not None
    assert result.plan.documents.named() == {"org_chart": "admin/org-chart.pdf", "acknowledgement": ACK,
                                             "auditor_maintenance": AUD}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hand zip whose company renamed its signed pages and named the new names in its plan."""
    base = tmp_path_factory.mktemp("renamed")
    folder = base / "folder"
    shutil.copytree(SAMPLE, folder)
    ack = "admin/Senior rep acknowledgement signed 2026-11-20.pdf"
    aud = "admin/Auditor Maintenance signed 2026-11-20.pdf"
    (folder / ACK).rename(folder / ack)
    (folder / AUD).rename(folder / aud)
    (folder / "action-plan.yaml").write_text(PLAN_TEXT.replace(ACK, ack).replace(AUD, aud), encoding="utf-8")
    return send_to(folder, base / "Northwind Paving 2026.zip", "COR 2026")


@pytest.mark.parametrize("approved", [SPRING, INIT_DEFAULTS], ids=["spring", "init-defaults"])
def test_hand_zip_with_renamed_signed_pages(renamed: Path, approved: Plan) -> None:
    result = audit_zip(renamed, RULES, today=TODAY, workers=1, approved=approved)
    assert _errors(result) == []
    assert not {f.check for f in result.findings} & SIGNED_CHECKS


def _hand_zip(tmp_path: Path, plan_text: str, remove: tuple[str, ...] = ()) -> Path:
    folder = tmp_path / "folder"
    shutil.copytree(SAMPLE, folder)
    for rel in remove:
        (folder / rel).unlink()
    (folder / "action-plan.yaml").write_text(plan_text, encoding="utf-8")
    return send_to(folder, tmp_path / "Northwind Paving 2026.zip", "COR 2026")


def test_the_approved_path_counts_when_it_is_the_one_in_the_zip(tmp_path: Path) -> None:
    """The zip's plan names a page that is not there, but the page the approved plan names is."""
    zipped = _hand_zip(tmp_path, PLAN_TEXT.replace(ACK, "admin/ack-final.pdf"))
    result = audit_zip(zipped, RULES, today=TODAY, workers=1, approved=INIT_DEFAULTS)
    assert not {f.check for f in result.findings} & SIGNED_CHECKS
    assert result.plan is not None and result.plan.documents.acknowledgement == ACK


def test_a_page_in_neither_place_is_missing_from_the_zip(tmp_path: Path) -> None:
    zipped = _hand_zip(tmp_path, PLAN_TEXT.replace(ACK, "admin/ack-final.pdf"), remove=(ACK,))
    result = audit_zip(zipped, RULES, today=TODAY, workers=1, approved=INIT_DEFAULTS)
    assert [(c, m) for c, m in _errors(result) if c in SIGNED_CHECKS] == [
        ("signoff-missing", "The plan names the signed acknowledgement 'admin/ack-final.pdf', but that file is not "
                            "in the zip."),
    ]
