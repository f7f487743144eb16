"""Signed pages (documents.acknowledgement, documents.auditor_maintenance): table-driven, with messages.

A date in the file name counts; the blank page `packager build` generates is not a signed copy;
a signed digital signature counts as signed and dated; a scan whose date cannot be read is a warning.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from packager.api import check_folder
from packager.build import build_submission
from packager.report.jsonout import check_dict
from tests import synth

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
ACK = "admin/acknowledgement-signed.pdf"
AUDITORS = "admin/auditor-maintenance-signed.pdf"

Plant = Callable[[Path, Path], None]


@pytest.fixture(scope="module")
def blank_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unsigned pages a build generates, taken out of a built zip."""
    out = tmp_path_factory.mktemp("forms")
    built = out / "sample.zip"
    build_submission(SAMPLE, built, today=TODAY)
    with zipfile.ZipFile(built) as zf:
        for name in zf.namelist():
            leaf = name.rsplit("/", 1)[-1]
            if leaf in ("04 Auditor Maintenance.pdf", "05 Senior Representative Acknowledgement.pdf"):
                (out / leaf).write_bytes(zf.read(name))
    return out


def blank(rel: str, leaf: str) -> Plant:
    def plant(root: Path, forms: Path) -> None:
        shutil.copy(forms / leaf, root / rel)
    return plant


def rename_ack(new: str, make: Callable[[Path], object]) -> Plant:
    def plant(root: Path, forms: Path) -> None:
        (root / ACK).unlink()
        make(root / new)
        plan = root / "action-plan.yaml"
        plan.write_text(plan.read_text(encoding="utf-8").replace(ACK, new), encoding="utf-8")
    return plant


def scan(path: Path) -> object:
    return synth.make_scan_pdf(path, dpi=200, text_on_image="Acknowledged and signed")


def undated_text(path: Path) -> object:
    return synth.make_text_pdf(path, text_lines=["Senior Representative Acknowledgement", "Signed: J. Smith"])


def digitally_signed(path: Path) -> object:
    undated_text(path)
    writer = PdfWriter(clone_from=str(path))
    value = DictionaryObject({
        NameObject("/Type"): NameObject("/Sig"),
        NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
        NameObject("/Contents"): TextStringObject("3082"),
        NameObject("/Name"): TextStringObject("J. Smith"),
        NameObject("/M"): TextStringObject("D:20261021090000Z"),
    })
    field = DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject("Signature1"),
        NameObject("/V"): writer._add_object(value),
    })
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])}
    )
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def typed_ack(date: str) -> Callable[[Path], object]:
    def make(path: Path) -> object:
        return synth.make_text_pdf(path, text_lines=[
            "Senior Representative Acknowledgement", "I acknowledge the results of the 2026 Action Plan.",
            f"Signed: Dana Whitfield, President. Date: {date}"])
    return make


def typed_auditor_page(date: str) -> Plant:
    def plant(root: Path, forms: Path) -> None:
        synth.make_text_pdf(root / AUDITORS, text_lines=[
            "Auditor Maintenance", f"Priya Natarajan - signed {date}", f"Emilie Cote - signed {date}"])
    return plant


CASES: list[tuple[str, Plant, list[tuple[str, str, str]]]] = [
    ("blank generated acknowledgement", blank(ACK, "05 Senior Representative Acknowledgement.pdf"), [
        ("signoff-missing", "error", "'admin/acknowledgement-signed.pdf' is the blank Senior Representative "
         "Acknowledgement that 'packager build' generates, not a signed copy: this is the blank form; print it, "
         "sign and date it, and scan it."),
    ]),
    ("blank generated auditor page", blank(AUDITORS, "04 Auditor Maintenance.pdf"), [
        ("auditor-signature-missing", "error", "'admin/auditor-maintenance-signed.pdf' is the blank Auditor "
         "Maintenance page that 'packager build' generates, not a signed copy: this is the blank form; print it, "
         "sign and date it, and scan it."),
    ]),
    ("scan dated by its name", rename_ack("admin/Acknowledgement signed 2026-10-21.pdf", scan), []),
    ("scan with no date anywhere", rename_ack("admin/ack-scan.pdf", scan), [
        ("signoff-missing", "warning", "Could not verify that the signed acknowledgement 'admin/ack-scan.pdf' is "
         "dated: it is a scanned image whose words cannot be read here, and its name carries no date."),
    ]),
    ("typed page with no date", rename_ack("admin/ack.pdf", undated_text), [
        ("signoff-missing", "error", "The signed acknowledgement 'admin/ack.pdf' shows no date. The senior "
         "representative must sign and date it."),
    ]),
    ("digitally signed", rename_ack("admin/ack-digital.pdf", digitally_signed), []),
    # the acknowledgement is of the completed plan's results: its date says whether it can be
    ("typed page signed after the results", rename_ack("admin/ack.pdf", typed_ack("November 20, 2026")), []),
    ("last year's page re-used", rename_ack("admin/ack.pdf", typed_ack("October 20, 2025")), [
        ("signoff-missing", "error", "The signed acknowledgement 'admin/ack.pdf' is dated October 20, 2025 (the "
         "document says \u201cOctober 20, 2025\u201d), before the plan was approved on March 20, 2026: it cannot "
         "acknowledge this plan's results."),
    ]),
    ("dated in the future", rename_ack("admin/ack.pdf", typed_ack("January 15, 2027")), [
        ("signoff-missing", "error", "The signed acknowledgement 'admin/ack.pdf' is dated January 15, 2027 (the "
         "document says \u201cJanuary 15, 2027\u201d), which is in the future (today is November 26, 2026): it "
         "cannot acknowledge this plan's results."),
    ]),
    ("signed before the last deliverable", rename_ack("admin/ack.pdf", typed_ack("April 2, 2026")), [
        ("signoff-missing", "warning", "The signed acknowledgement 'admin/ack.pdf' is dated April 2, 2026, before "
         "the last deliverable ('3.2 - Toolbox talk attendance - 2026-10-05.pdf', dated October 5, 2026): the "
         "senior representative acknowledges the results of the completed plan."),
    ]),
    ("last year's auditor page", typed_auditor_page("October 20, 2025"), [
        ("auditor-signature-missing", "error", "The signed Auditor Maintenance page "
         "'admin/auditor-maintenance-signed.pdf' is dated October 20, 2025 (the document says \u201cOctober 20, "
         "2025\u201d), before the plan was approved on March 20, 2026: it cannot be this year's page."),
    ]),
    ("this year's auditor page", typed_auditor_page("November 20, 2026"), []),
]


@pytest.mark.parametrize(("name", "plant", "expected"), CASES, ids=[c[0] for c in CASES])
def test_signed_page(tmp_path: Path, blank_forms: Path, name: str, plant: Plant,
                     expected: list[tuple[str, str, str]]) -> None:
    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    plant(root, blank_forms)
    result = check_folder(root, today=TODAY, workers=1)
    found = [(f.check, f.severity.value, f.message) for f in result.findings]
    assert found == expected
    documents = {d["role"]: d for d in check_dict(result)["documents"]}
    if name == "digitally signed":
        assert documents["acknowledgement"]["signature"] == "a digital signature by J. Smith on 2026-10-21"
    if name.startswith("blank generated"):
        role = "acknowledgement" if "acknowledgement" in name else "auditor_maintenance"
        assert documents[role]["blank_form"] is True


def written_as(path: str) -> Plant:
    """The plan names the (present, signed) acknowledgement as a coordinator may write its path."""
    def plant(root: Path, forms: Path) -> None:
        plan = root / "action-plan.yaml"
        quoted = "'" + path.replace("'", "''") + "'"
        plan.write_text(plan.read_text(encoding="utf-8").replace(ACK, quoted), encoding="utf-8")
    return plant


WRITTEN = [
    ("with ./", "./admin/acknowledgement-signed.pdf", []),
    ("with backslashes", "admin\\acknowledgement-signed.pdf", []),
    ("in other capitals", "Admin/Acknowledgement-Signed.PDF", []),
    ("copied whole by Copy as path", '"C:\\Users\\priya\\Documents\\COR 2026\\sub\\admin\\acknowledgement-signed.pdf"', []),
    ("starting with the folder's own name", "sub/admin/acknowledgement-signed.pdf", []),
    ("as the file name alone", "acknowledgement-signed.pdf", []),
    ("as a file that is not there", "admin/acknowledgement-final.pdf", [
        ("signoff-missing", "error", "The plan names the signed acknowledgement 'admin/acknowledgement-final.pdf', "
         "but that file is not in the submission folder."),
    ]),
]


@pytest.mark.parametrize(("path", "expected"), [w[1:] for w in WRITTEN], ids=[w[0] for w in WRITTEN])
def test_the_plan_may_write_a_document_path_as_people_do(
    tmp_path: Path, blank_forms: Path, path: str, expected: list[tuple[str, str, str]]
) -> None:
    """A path in documents: finds its file as a reviewer would: whatever the separators, capitals or
    leading './', copied whole from Explorer, or the file name alone when one file in admin/ has it."""
    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    written_as(path)(root, blank_forms)
    result = check_folder(root, today=TODAY, workers=1)
    assert [(f.check, f.severity.value, f.message) for f in result.findings] == expected


NAMES = ["sub/action-plan.yaml", "sub/admin/ack.pdf", "sub/admin/old/ack.pdf", "sub/Objective 1/report.pdf",
         "sub/admin/org chart.pdf", "sub/summary.pdf", "sub/Objective 2/signed.pdf"]


@pytest.mark.parametrize(("written", "found"), [
    ("admin/ack.pdf", "sub/admin/ack.pdf"),  # as written
    ("ack.pdf", "sub/ack.pdf"),  # two files in admin/ have that name: not guessed, reported missing as written
    ("D:\\COR\\sub\\admin\\old\\ack.pdf", "sub/admin/old/ack.pdf"),
    ("x/old/ack.pdf", "sub/admin/old/ack.pdf"),
    ("summary.pdf", "sub/summary.pdf"),
    ("report.pdf", "sub/report.pdf"),  # only a file of an objective folder has that name: not taken
    ("signed.pdf", "sub/signed.pdf"),
    ("elsewhere/ack.pdf", "sub/elsewhere/ack.pdf"),  # the same: the longest ending two files share is not taken
])
def test_a_document_path_resolves_to_one_file_or_stays_as_written(written: str, found: str) -> None:
    from packager.classify import classify
    from packager.naming import NamingConvention
    from packager.rules import load_rules

    got = classify([(n, 1) for n in NAMES], NamingConvention(load_rules().naming),
                   documents={"acknowledgement": written}, window=None)
    assert got.document_paths["acknowledgement"] == found
