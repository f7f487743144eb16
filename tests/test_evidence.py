"""The evidence record, decided once: milestone sources and label, the date the document shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from packager.dates import FoundDate, find_dates
from packager.evidence import decide
from packager.inspect import FileFacts
from packager.inventory import FileRecord
from packager.model import DateStatus
from packager.naming import NamingConvention, split_extension
from packager.ocr.model import READ as OCR_READ
from packager.ocr.model import OcrFacts
from packager.rules import load_rules

RULES = load_rules()
NAMING = NamingConvention(RULES.naming)
WINDOW = (dt.date(2026, 4, 30), dt.date(2026, 11, 30))
TODAY = dt.date(2026, 11, 26)


def record(path: str, text: str = "", title: str | None = None, dates: tuple[FoundDate, ...] = (),
           kind: str = "pdf", words_unread: str | None = None) -> FileRecord:
    stem = split_extension(path.rsplit("/", 1)[-1])[0]
    facts = FileFacts(kind=kind, mime="application/pdf", size=10, sha256="x", pages=1, text=text, title=title,
                      dates=dates or tuple(find_dates(text, "content", WINDOW)), words_unread=words_unread)
    base = FileRecord(path=path, size=10, mapping=NAMING.map_path(path), facts=facts,
                      name_dates=tuple(find_dates(stem, "name", WINDOW)))
    return decide(base, NAMING, RULES.deliverables, WINDOW, TODAY)


@pytest.mark.parametrize(
    ("path", "text", "title", "milestone", "label", "conflict"),
    [
        ("Objective 1/1.2 - Drill.pdf", "Milestone 1.2 - Drill\nMay 14, 2026", None, "1.2", ("name", "header"), None),
        ("Objective 1/Milestone 2/drill.pdf", "Drill\nMay 14, 2026", None, "1.2", (), None),  # a folder is no label
        ("Objective 1/drill.pdf", "Milestone 1.2 - Drill\nMay 14, 2026", None, "1.2", ("header",), None),
        ("Objective 1/drill.pdf", "Drill\nMay 14, 2026", "1.3 - Drill", "1.3", ("title",), None),
        ("Objective 1/1.2 - Drill.pdf", "Drill\nThis is linked to milestone 1.3 training.", None, "1.2", ("name",),
         None),  # a body mention is neither a label nor a conflict
        ("Objective 1/1.2 - Drill.pdf", "Milestone 2.1 - Inspection", None, None, ("name",),
         "it is filed under milestone 1.2 but the document itself is labelled 2.1"),
        ("Objective 1/drill.pdf", "Milestone 2.1 - Inspection", None, None, (),
         "it is in the folder of objective 1 but the document itself is labelled milestone 2.1"),
        ("Objective 2/inspection.pdf", "ACME\nObjective 2 - Milestone 2.1\nInspection", None, "2.1", ("header",), None),
    ],
)
def test_milestone_and_label(path: str, text: str, title: str | None, milestone: str | None,
                             label: tuple[str, ...], conflict: str | None) -> None:
    mapping = record(path, text, title).mapping
    assert (mapping.milestone, mapping.label, mapping.conflict) == (milestone, label, conflict)
    assert mapping.agree is (conflict is None)


META = FoundDate(dt.date(2026, 10, 20), "metadata", "D:20261020")


@pytest.mark.parametrize(
    ("path", "text", "dates", "status", "date", "built"),
    [
        # the user's own date goes into the built name, whatever the content's first date is
        ("Objective 1/1.2 - drill 14-05-2026.pdf", "Printed June 1, 2026", (), DateStatus.ACCEPTED,
         "2026-05-14", "2026-05-14"),
        ("Objective 1/1.2 - drill.pdf", "Held May 20, 2026", (), DateStatus.ACCEPTED, "2026-05-20", "2026-05-20"),
        # a metadata date is never the document's date, nor the built name's
        ("Objective 1/1.2 - drill.pdf", "no date here", (META,), DateStatus.METADATA_ONLY, "2026-10-20", None),
        ("Objective 1/1.2 - drill.pdf", "Held Feb 2, 2026", (), DateStatus.OUT_OF_RANGE, "2026-02-02", None),
        # an out-of-range name date is not carried; the accepted content date is
        ("Objective 1/1.2 - drill 2025-03-01.pdf", "Held May 20, 2026", (), DateStatus.ACCEPTED, "2026-05-20",
         "2026-05-20"),
        ("Objective 1/1.2 - drill.pdf", "nothing", (), DateStatus.NONE, None, None),
        # a month or quarter in the name is the period the record covers: it dates a record showing no date,
        # and yields to a full date the document shows
        ("Objective 1/1.2 - Toolbox talks - 2026-05.pdf", "Talk: ladders", (), DateStatus.ACCEPTED, "2026-05-01",
         "2026-05-01"),
        ("Objective 1/1.2 - Hand injury review - Q3 2026.pdf", "Reviewed October 2, 2026", (), DateStatus.ACCEPTED,
         "2026-10-02", "2026-10-02"),
        ("Objective 1/1.2 - Minutes May 2026.pdf", "Held May 14, 2026", (), DateStatus.ACCEPTED, "2026-05-14",
         "2026-05-14"),
    ],
)
def test_document_date(path: str, text: str, dates: tuple[FoundDate, ...], status: DateStatus,
                       date: str | None, built: str | None) -> None:
    facts_dates = (*find_dates(text, "content", WINDOW), *dates)
    evidence = record(path, text, dates=facts_dates).evidence
    assert evidence is not None
    assert evidence.status is status
    assert (evidence.date.value.isoformat() if evidence.date else None) == date
    assert (evidence.accepted_date.isoformat() if evidence.accepted_date else None) == built


def test_ambiguous_day_month_settled_by_the_name() -> None:
    # 06/07/2026 is June 7 or July 6, both inside the window; the name says 2026-07-06.
    evidence = record("Objective 1/1.2 - drill 2026-07-06.pdf", "Held 06/07/2026").evidence
    assert evidence is not None and evidence.date is not None
    assert evidence.date.value == dt.date(2026, 7, 6) and not evidence.date.ambiguous


def test_ambiguous_day_month_that_stays_is_noted() -> None:
    evidence = record("Objective 1/1.2 - drill.pdf", "Held 06/07/2026").evidence
    assert evidence is not None and evidence.date is not None and evidence.date.ambiguous


def test_image_only_scan_without_a_name_date_is_unverified() -> None:
    evidence = record("Objective 1/1.2 - scan.pdf", "", dates=(META,)).evidence
    assert evidence is not None and evidence.status is DateStatus.UNVERIFIED


OLD_EXCEL = "it was saved by Excel 95 or earlier, whose text is not read"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("IMG_0001 2026-05-20.jpg", "Could not verify the label on 'IMG_0001 2026-05-20.jpg': it is a scanned image "
         "whose words cannot be read here, and its name does not name the milestone; it is only filed in the folder "
         "of milestone 1.2."),
        ("Sign-in 2026-05-20.xls", f"Could not verify the label on 'Sign-in 2026-05-20.xls': {OLD_EXCEL}, and its "
         "name does not name the milestone; it is only filed in the folder of milestone 1.2."),
    ],
)
def test_unreadable_file_without_a_label_is_a_warning_in_a_received_zip(name: str, message: str) -> None:
    from packager.checks import Context, Stage
    from packager.checks.deliverables import check_record
    from packager.inspect import ImageFacts
    from packager.plan import load_plan

    plan = load_plan(Path(__file__).resolve().parents[1] / "fixtures" / "sample" / "action-plan.yaml", RULES)
    image = ImageFacts(width=2000, height=1500, sharpness=300.0, contrast=60.0, exif_date=None, orientation=None)
    facts = (FileFacts(kind="jpeg", mime="image/jpeg", size=10, sha256="x", image=image) if name.endswith(".jpg")
             else FileFacts(kind="ole", mime="application/x-ole-storage", size=10, sha256="x",
                            words_unread=OLD_EXCEL))
    path = f"Objective 1 - Emergency response/Milestone 2/{name}"
    base = FileRecord(path=path, size=10, mapping=NAMING.map_path(path), facts=facts,
                      name_dates=tuple(find_dates(name.rsplit(".", 1)[0], "name", WINDOW)))
    record = decide(base, NAMING, RULES.deliverables, plan.window(RULES), TODAY)
    ctx = Context(plan=plan, rules=RULES, stage=Stage.FINAL, today=TODAY, received=True)
    found = [(f.check, f.severity.value, f.message) for f in check_record(ctx, record)]
    assert found == [("deliverable-unlabelled", "warning", message)]


def test_an_ocr_date_flows_in_like_a_text_date_with_its_confidence() -> None:
    ocr = FoundDate(dt.date(2026, 8, 14), "ocr", "August 14, 2026", confidence=0.82)
    evidence = record("Objective 1/1.2 - inspection.pdf", "Milestone 1.2 - Inspection", dates=(ocr,)).evidence
    assert evidence is not None and evidence.status is DateStatus.ACCEPTED and evidence.date is not None
    assert (evidence.date.source, evidence.date.confidence, evidence.date.value) == ("ocr", 0.82, dt.date(2026, 8, 14))


def test_an_unsure_ocr_date_is_not_called_out_of_range() -> None:
    ocr = FoundDate(dt.date(2019, 3, 1), "ocr", "March 1, 2019", confidence=0.3)
    evidence = record("Objective 1/1.2 - inspection.pdf", "", dates=(ocr,)).evidence
    assert evidence is not None and evidence.status is DateStatus.UNVERIFIED


@pytest.mark.parametrize(
    ("path", "text", "words_unread", "status"),
    [
        ("Objective 2/2.2 Glove sizes.ppt", "", "its contents are encrypted (it has a password)",
         DateStatus.UNVERIFIED),  # the inspector says its words were not read
        ("Objective 2/2.2 Glove policy.doc", "", None, DateStatus.NONE),  # read, and it shows no date
        ("Objective 2/2.2 Glove policy.doc", "Glove policy\nIssued May 14, 2026", None, DateStatus.ACCEPTED),
    ],
)
def test_a_legacy_office_file_is_unverified_only_when_its_words_were_not_read(
    path: str, text: str, words_unread: str | None, status: DateStatus
) -> None:
    evidence = record(path, text, kind="ole", words_unread=words_unread).evidence
    assert evidence is not None and evidence.status is status


@pytest.mark.parametrize(
    ("ocr", "why"),
    [
        (None, "its content is an image whose words cannot be read here"),
        (OcrFacts(OCR_READ, regions=("page 1",), text="Whiteboard euty 14"),
         "its content is an image, and the words OCR read on it show no date"),  # OCR ran (it misread 'July')
    ],
)
def test_an_unverified_date_says_what_was_tried(ocr: OcrFacts | None, why: str) -> None:
    from packager.checks.context import Context
    from packager.checks.deliverables import check_record
    from packager.model import Stage
    from tests.plans import plan_from, valid_plan

    path = "Objective 1/1.2 - Whiteboard.pdf"
    facts = FileFacts(kind="pdf", mime="application/pdf", size=10, sha256="x", pages=1, text="", ocr=ocr)
    base = FileRecord(path=path, size=10, mapping=NAMING.map_path(path), facts=facts)
    decided = decide(base, NAMING, RULES.deliverables, WINDOW, TODAY)
    ctx = Context(plan=plan_from(valid_plan()), rules=RULES, stage=Stage.FINAL, today=TODAY, received=True)
    found = [(f.severity.value, f.message) for f in check_record(ctx, decided) if f.check == "deliverable-undated"]
    assert found == [("warning", f"Could not verify the date on '1.2 - Whiteboard.pdf': {why}, and its name carries "
                                 "no date.")]
