"""Table-driven: plant one defective file (or change) in a copy of the clean sample, expect exactly that finding.

The sample itself draws no finding at all, so anything reported comes from the planted defect.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from packager.api import check_folder
from packager.checks import Stage
from tests import cfb, synth

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
TODAY = dt.date(2026, 12, 10)
O1 = "Objective 1 - Emergency response"
O2 = "Objective 2 - Hand safety"
O3 = "Objective 3 - Toolbox talks"

Plant = Callable[[Path], None]
LABELLED = ["Milestone 1.2 - evidence", "Completed May 20, 2026"]


def text_pdf(rel: str, lines: list[str] = LABELLED, **kw: object) -> Plant:
    def plant(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        synth.make_text_pdf(root / rel, text_lines=lines, **kw)  # type: ignore[arg-type]
    return plant


def remove(rel: str) -> Plant:
    def plant(root: Path) -> None:
        (root / rel).unlink()
    return plant


def copy(src: str, dst: str) -> Plant:
    def plant(root: Path) -> None:
        shutil.copy(root / src, root / dst)
    return plant


def photo(rel: str, **kw: object) -> Plant:
    def plant(root: Path) -> None:
        synth.make_photo(root / rel, size=(1600, 1200), **kw)  # type: ignore[arg-type]
    return plant


def call(fn: Callable[..., object], rel: str, **kw: object) -> Plant:
    def plant(root: Path) -> None:
        fn(root / rel, **kw)
    return plant


def plan_edit(change: Callable[[dict[str, Any]], object]) -> Plant:
    """The folder's action-plan.yaml, loaded, changed by ``change`` and written back."""
    def plant(root: Path) -> None:
        path = root / "action-plan.yaml"
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(plan)
        path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return plant


def write(rel: str, data: bytes) -> Plant:
    def plant(root: Path) -> None:
        (root / rel).write_bytes(data)
    return plant


def crisp_tiff(rel: str, mode: str) -> Plant:
    """A 300-dpi letter page with four short lines of black text: crisp, mostly white paper."""
    def plant(root: Path) -> None:
        from PIL import Image, ImageDraw

        page = Image.new("L", (2550, 3300), 255)
        draw = ImageDraw.Draw(page)
        for line in range(4):
            for word in range(6):
                x, y = 300 + word * 260, 300 + line * 90
                draw.rectangle((x, y, x + 200, y + 40), fill=0)
                draw.rectangle((x + 20, y + 10, x + 180, y + 30), fill=255)  # strokes, not solid blocks
        page.convert(mode).save(root / rel, dpi=(300, 300))
    return plant


def both(*plants: Plant) -> Plant:
    def plant(root: Path) -> None:
        for one in plants:
            one(root)
    return plant


CASES: list[tuple[str, Plant, list[tuple[str, str, str]]]] = [
    ("empty file", write(f"{O1}/1.2 - Sling log - 2026-05-20.pdf", b""), [
        ("deliverable-illegible", "error", "'1.2 - Sling log - 2026-05-20.pdf' is not legible: the file is empty."),
    ]),
    ("legacy Word file dated and labelled in its name: a reviewer opens it", write(f"{O1}/1.2 - Drill debrief - 2026-05-20.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)), []),
    ("Outlook message labelled by its subject and dated by its Sent line", write(f"{O1}/Drill debrief.msg", cfb.msg(
        subject="Milestone 1.2 - Drill debrief", sender="Jane Smith", body="Notes of the drill attached.\r\nJane",
        sent=dt.datetime(2026, 5, 21, 2, 14, tzinfo=dt.UTC), attachments=1)), []),
    ("Word 97-2003 document labelled in its first line and dated in its text", write(f"{O1}/Drill debrief.doc", cfb.doc(
        [("Milestone 1.2 - Drill debrief\rHeld May 20, 2026 at Site B.\r", True), ("Équipe : 14\r", False)],
        created=dt.datetime(2019, 2, 11, 9, 0, tzinfo=dt.UTC))), []),
    ("Excel 97-2003 workbook labelled in its page header and dated in a cell", write(f"{O1}/Sign-in sheet.xls", cfb.xls_file(
        cfb.workbook(["Name", "Site B"], [(0, 0, "Name"), (1, 1, ("date", 46162.0))], header="&CMilestone 1.2 - Drill sign-in"))), []),
    ("Excel 97-2003 workbook with no date anywhere", write(f"{O1}/1.2 - Sign-in sheet.xls", cfb.xls_file(cfb.workbook(["Name"]))), [
        ("deliverable-undated", "error", "'1.2 - Sign-in sheet.xls' shows no date, on the document or in its name."),
    ]),
    ("PowerPoint 97-2003 presentation labelled and dated on its first slide", write(f"{O1}/Drill talk.ppt", cfb.ppt(
        ["Milestone 1.2 - Drill debrief talk\rHeld May 20, 2026", "Muster points"])), []),
    ("PowerPoint 97-2003 presentation with a password to open, undated in its name", write(
        f"{O1}/1.2 - Drill talk.ppt", cfb.ppt(["Milestone 1.2"], encrypted=True)), [
        ("deliverable-undated", "warning", "Could not verify the date on '1.2 - Drill talk.ppt': its contents are encrypted (it has a password), and its name carries no date."),
    ]),
    ("Word 97-2003 document saved with a password to open it", write(f"{O1}/1.2 - Debrief - 2026-05-20.doc", cfb.doc(
        [("Milestone 1.2 - Drill debrief\r", True)], encrypted=True)), [
        ("deliverable-encrypted", "error", "'1.2 - Debrief - 2026-05-20.doc' is password protected; a reviewer cannot open it."),
    ]),
    ("Word document saved with a password to open it (an encrypted package in an OLE container)", write(
        f"{O1}/1.2 - Debrief - 2026-05-20.docx", cfb.write(cfb.Storage(streams={
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(200),
            "EncryptedPackage": bytes(600)})).data), [
        ("deliverable-encrypted", "error", "'1.2 - Debrief - 2026-05-20.docx' is password protected; a reviewer "
         "cannot open it."),
    ]),
    ("photo saved from a browser as WebP", photo(f"{O1}/1.2 - Muster point - 2026-05-20.webp", fmt="WEBP"), []),
    ("crisp 1-bit scan of a few lines", crisp_tiff(f"{O1}/1.2 - Memo - 2026-05-20.tif", "1"), []),
    ("crisp grey scan of a few lines", crisp_tiff(f"{O1}/1.2 - Memo - 2026-05-20.tif", "L"), []),
    ("uncovered milestone names its candidates", both(
        remove(f"{O3}/3.1 - Toolbox talk schedule - 2026-04-15.pdf"),
        text_pdf(f"{O3}/IMG_0412.pdf", ["Toolbox talk schedule", "May 20, 2026"]),
    ), [
        ("deliverable-unmapped", "warning", "'IMG_0412.pdf' is not part of any milestone: it is in the folder of "
         "objective 3 but its name does not start with a milestone number."),
        ("milestone-no-deliverable", "error", "Milestone 3.1 has no deliverable (Toolbox talk schedule). The folder "
         "of objective 3 has 1 file that no milestone claims, likely candidates: 'IMG_0412.pdf'."),
    ]),
    ("unmapped", text_pdf("notes.pdf", ["Evidence", "Completed May 20, 2026"]), [
        ("deliverable-unmapped", "warning", "'notes.pdf' is not part of any milestone: neither its folder nor its name names an objective and milestone."),
    ]),
    ("unmapped in objective folder", text_pdf(f"{O1}/notes.pdf", ["Evidence", "Completed May 20, 2026"]), [
        ("deliverable-unmapped", "warning", "'notes.pdf' is not part of any milestone: it is in the folder of objective 1 but its name does not start with a milestone number."),
    ]),
    ("milestone not in plan", text_pdf(f"{O1}/1.9 - Extra - 2026-05-20.pdf", ["Milestone 1.9", "May 20, 2026"]), [
        ("deliverable-unmapped", "warning", "'1.9 - Extra - 2026-05-20.pdf' is filed under milestone 1.9, which the plan does not have."),
    ]),
    ("folder and name disagree", text_pdf(f"{O2}/1.2 - Extra - 2026-05-20.pdf"), [
        ("mapping-conflict", "error", "'1.2 - Extra - 2026-05-20.pdf' cannot be placed: the folder says objective 2 but the file name says objective 1."),
    ]),
    ("first page disagrees", text_pdf(f"{O1}/1.2 - Extra - 2026-05-20.pdf", ["Milestone 2.1 - Inspection log", "May 20, 2026"]), [
        ("mapping-conflict", "error", "'1.2 - Extra - 2026-05-20.pdf' cannot be placed: it is filed under milestone 1.2 but the document itself is labelled 2.1."),
    ]),
    ("milestone without deliverable", remove(f"{O3}/3.1 - Toolbox talk schedule - 2026-04-15.pdf"), [
        ("milestone-no-deliverable", "error", "Milestone 3.1 has no deliverable (Toolbox talk schedule)."),
    ]),
    ("milestone not done: self-scored 0, no deliverable", both(
        remove(f"{O3}/3.1 - Toolbox talk schedule - 2026-04-15.pdf"),
        plan_edit(lambda plan: plan["objectives"][2].update(notes="3.1 was not done: no schedule was published. "
                                                            "3.2 lost 5 points because sheets were not kept.")),
        plan_edit(lambda plan: plan["objectives"][2]["milestones"][0].update(self_score=0)),
    ), [
        ("milestone-no-deliverable", "info", "Milestone 3.1 has no deliverable (Toolbox talk schedule), and its "
         "self-score is 0: it was not done, so none is needed."),
    ]),
    ("milestone not done but a file in its objective's folder", both(
        remove(f"{O3}/3.1 - Toolbox talk schedule - 2026-04-15.pdf"),
        plan_edit(lambda plan: plan["objectives"][2].update(notes="3.1 was not done: no schedule was published. "
                                                            "3.2 lost 5 points because sheets were not kept.")),
        plan_edit(lambda plan: plan["objectives"][2]["milestones"][0].update(self_score=0)),
        text_pdf(f"{O3}/IMG_0412.pdf", ["Toolbox talk draft", "May 20, 2026"]),
    ), [
        ("deliverable-unmapped", "warning", "'IMG_0412.pdf' is not part of any milestone: it is in the folder of "
         "objective 3 but its name does not start with a milestone number."),
        ("milestone-no-deliverable", "info", "Milestone 3.1 has no deliverable (Toolbox talk schedule), and its "
         "self-score is 0: it was not done, so none is needed."),
    ]),
    ("undated", write(f"{O1}/1.2 - Extra.txt", b"Milestone 1.2 - notes of the drill debrief"), [
        ("deliverable-undated", "error", "'1.2 - Extra.txt' shows no date, on the document or in its name."),
    ]),
    ("pdf dated only in its properties", text_pdf(f"{O1}/1.2 - Extra.pdf", ["Milestone 1.2 - evidence"]), [
        ("deliverable-undated", "warning", "'1.2 - Extra.pdf' shows no date; the only date is hidden in the file's properties (May 1, 2026)."),
    ]),
    ("Word document labelled in its page header and dated in its footer", call(
        synth.make_office, f"{O1}/Drill debrief.docx", paragraphs=["Debrief of the May drill at Site B.", "Attendance: 14."],
        header=["Northwind Paving Ltd.", "Objective 1 - Milestone 1.2", "Drill debrief"], footer=["Revised May 20, 2026"],
        created=dt.datetime(2019, 2, 11, 9, 0)), []),
    ("Word document whose company-template header holds no milestone", call(
        synth.make_office, f"{O1}/1.2 - Drill debrief.docx", paragraphs=["Debrief of the May drill.", "Held May 20, 2026."],
        header=["Northwind Paving Ltd. | Form HS-2.1 rev 3.2", "Safety Manual Section 4.2"]), []),
    ("fillable PDF form with the date typed into its Date field", call(
        synth.make_filled_form, f"{O1}/1.2 - Site inspection checklist.pdf",
        text_lines=["Site inspection checklist - Milestone 1.2", "Inspector:", "Date:"],
        fields={"inspector": "J. Smith", "date": "May 20, 2026"}), []),
    ("fillable PDF form whose date field is a kid of a parent field", call(
        synth.make_filled_form, f"{O1}/1.2 - Site inspection checklist.pdf",
        text_lines=["Site inspection checklist - Milestone 1.2", "Date:"], fields={"date": "2026-05-20"}, nested=True), []),
    ("fillable PDF form whose Date field was left empty", call(
        synth.make_filled_form, f"{O1}/1.2 - Site inspection checklist.pdf",
        text_lines=["Site inspection checklist - Milestone 1.2", "Inspector:", "Date:"], fields={"inspector": "J. Smith"}), [
        ("deliverable-undated", "warning", "'1.2 - Site inspection checklist.pdf' shows no date; the only date is hidden "
         "in the file's properties (January 5, 2026)."),
    ]),
    ("an email saved as .eml, dated by its Date line", write(
        f"{O2}/2.2 - Glove delivery confirmation.eml",
        b"From: supplier@example.com\r\nTo: priya@northwind.example\r\nSubject: Glove delivery confirmation\r\n"
        b"Date: Wed, 20 May 2026 09:12:00 -0600\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"The 60 pairs of cut-resistant gloves were delivered today.\r\n"), []),
    ("WordPad document (RTF) labelled and dated in its text", write(
        f"{O2}/Glove delivery note.rtf",
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil Calibri;}}{\*\generator Riched20 10.0}\viewkind4\uc1 "
        rb"\pard\f0\fs22 Milestone 2.2 - Glove delivery\par Received May 20, 2026 by Ren\'e9e\par}"), []),
    ("LibreOffice document labelled in its page header", call(
        synth.make_odt, f"{O2}/Glove delivery note.odt", paragraphs=["60 pairs received", "May 20, 2026"],
        header=["Northwind Paving | Milestone 2.2"]), []),
    ("RTF with no date anywhere", write(f"{O2}/2.2 - Glove note.rtf", rb"{\rtf1\ansi 60 pairs received\par}"), [
        ("deliverable-undated", "error", "'2.2 - Glove note.rtf' shows no date, on the document or in its name."),
    ]),
    ("RTF of a course held over three days", write(
        f"{O2}/2.2 - Glove fitting course.rtf", rb"{\rtf1\ansi Glove fitting course held Sept 14-16, 2026\par}"), []),
    ("RTF dated by the year and month in its name", write(
        f"{O2}/2.2 - Glove note - 2026-05.rtf", rb"{\rtf1\ansi 60 pairs received\par}"), []),
    ("RTF of quarterly figures dated by its quarter", write(
        f"{O2}/2.2 - Glove figures.rtf", rb"{\rtf1\ansi Q2 2026 glove issue figures\par 60 pairs received\par}"), []),
    ("RTF whose name's year and month is before the plan: a number, not read", write(
        f"{O2}/2.2 - Glove note - 2026-01.rtf", rb"{\rtf1\ansi 60 pairs received\par}"), [
        ("deliverable-undated", "error", "'2.2 - Glove note - 2026-01.rtf' shows no date, on the document or in its name."),
    ]),
    ("RTF dated by a month before the plan's approval", write(
        f"{O2}/2.2 - Glove note.rtf", rb"{\rtf1\ansi Glove order, February 2026\par}"), [
        ("deliverable-date-out-of-range", "error", "'2.2 - Glove note.rtf' is dated February 2026 (the document says "
         "“February 2026”), before the plan was approved on March 20, 2026."),
    ]),
    ("workbook whose text is in its cells (inline strings)", call(
        synth.make_cell_text_xlsx, f"{O2}/Glove register export.xlsx",
        rows=[["Glove issue register - Milestone 2.2"], ["Issued", "May 20, 2026"], ["Crew", "60"]]), []),
    ("workbook labelled in its printed page header and dated in its footer", call(
        synth.make_cell_text_xlsx, f"{O2}/Glove register.xlsx", rows=[["Crew", "Pairs"], ["A", "12"]],
        header='&L&"Arial,Bold"Northwind Paving&C&14Glove issue register - Milestone 2.2&R&D',
        footer="&LIssued May 20, 2026&RPage &P of &N"), []),
    ("workbook whose text is formula results", call(
        synth.make_cell_text_xlsx, f"{O2}/2.2 - Glove register.xlsx", rows=[["Issued May 20, 2026"]], formula=True), []),
    ("workbook with no text and no date at all", call(
        synth.make_cell_text_xlsx, f"{O2}/2.2 - Glove register.xlsx", rows=[]), [
        ("deliverable-undated", "error", "'2.2 - Glove register.xlsx' shows no date, on the document or in "
         "its name."),
    ]),
    ("metadata date only", call(synth.make_office, f"{O1}/1.2 - Extra.docx", paragraphs=["Milestone 1.2 minutes"], created=dt.datetime(2026, 5, 20, 9, 0)), [
        ("deliverable-undated", "warning", "'1.2 - Extra.docx' shows no date; the only date is hidden in the file's properties (May 20, 2026)."),
    ]),
    ("dated before approval", text_pdf(f"{O1}/1.2 - Extra.pdf", ["Milestone 1.2 - evidence", "Held February 2, 2026"]), [
        ("deliverable-date-out-of-range", "error", "'1.2 - Extra.pdf' is dated February 2, 2026 (the document says “February 2, 2026”), before the plan was approved on March 20, 2026."),
    ]),
    ("dated in the future", text_pdf(f"{O1}/1.2 - Extra - 2026-12-15.pdf", ["Milestone 1.2 - evidence"]), [
        ("deliverable-date-out-of-range", "error", "'1.2 - Extra - 2026-12-15.pdf' is dated December 15, 2026 (its name says “2026-12-15”), which is in the future (today is December 10, 2026)."),
    ]),
    ("dated after the deadline", text_pdf(f"{O1}/1.2 - Extra - 2026-12-05.pdf", ["Milestone 1.2 - evidence"]), [
        ("deliverable-date-out-of-range", "error", "'1.2 - Extra - 2026-12-05.pdf' is dated December 5, 2026 (its name says “2026-12-05”), after the final-submission deadline of November 30, 2026."),
    ]),
    ("scan below the hard DPI floor", call(synth.make_scan_pdf, f"{O1}/1.2 - Scan - 2026-05-20.pdf", dpi=96,
                                           text_on_image=None), [
        ("deliverable-illegible", "error", "'1.2 - Scan - 2026-05-20.pdf' is not legible: page 1 was scanned at 96 DPI; below 100 DPI a page cannot be read."),
    ]),
    ("phone-app scan of A4 at 150 DPI on a Letter page: 146 DPI", call(
        synth.make_phone_scan_pdf, f"{O1}/1.2 - Drill report phone scan - 2026-05-20.pdf", width_px=1240,
        lines=["Drill report", "Alarm at 10:02; all out by 10:06."]), [
        ("deliverable-illegible", "warning", "'1.2 - Drill report phone scan - 2026-05-20.pdf' may be hard to read: page 1 was scanned at 146 DPI; 150 DPI or more is recommended."),
    ]),
    ("faded copy (ink at 25 % contrast) is not blank", call(
        synth.make_faded_scan_pdf, f"{O1}/1.2 - Drill report faded - 2026-05-20.pdf", contrast=0.25), []),
    ("blank scanned page", call(synth.make_scan_pdf, f"{O1}/1.2 - Back side - 2026-05-20.pdf", blank=True), [
        ("deliverable-illegible", "error", "'1.2 - Back side - 2026-05-20.pdf' is not legible: every page is blank."),
    ]),
    ("640 x 480 camera photo of a scene", call(
        synth.make_photo, f"{O1}/1.2 - Muster point (MMS) - 2026-05-20.jpg", size=(640, 480)), [
        ("deliverable-illegible", "warning", "'1.2 - Muster point (MMS) - 2026-05-20.jpg' may be hard to read: the image is only 640 × 480 pixels; 600 or more on its short side is recommended."),
    ]),
    ("blank pdf", call(synth.make_blank_pdf, f"{O1}/1.2 - Blank - 2026-05-20.pdf", pages=2), [
        ("deliverable-illegible", "error", "'1.2 - Blank - 2026-05-20.pdf' is not legible: every page is blank."),
    ]),
    ("some blank pages", text_pdf(f"{O1}/1.2 - Extra - 2026-05-20.pdf", pages=3, blank_pages=[2]), [
        ("deliverable-illegible", "warning", "'1.2 - Extra - 2026-05-20.pdf' has blank pages (page 2 of 3)."),
    ]),
    ("damaged pdf that PDFium opens and reads", call(
        synth.make_damaged_pdf, f"{O1}/1.2 - Notice - 2026-05-20.pdf", text_lines=["Milestone 1.2 - notice"]), [
        ("deliverable-illegible", "warning", "'1.2 - Notice - 2026-05-20.pdf' is damaged: its internal structure is "
         "broken and it has no end-of-file marker, so it may be incomplete. It opens in PDFium, the PDF engine of "
         "Chrome and Edge, and its 1 page could be read there, but some viewers may refuse it."),
    ]),
    ("corrupt pdf", call(synth.make_truncated_pdf, f"{O1}/1.2 - Cut - 2026-05-20.pdf"), [
        ("deliverable-illegible", "error", None),  # the reason comes from the PDF library
    ]),
    ("120-pixel thumbnail", call(synth.make_tiny_image, f"{O1}/1.2 - Tiny - 2026-05-20.png"), [
        ("deliverable-illegible", "error", "'1.2 - Tiny - 2026-05-20.png' is not legible: the image is only 160 × 120 pixels; below 240 on its short side it is a thumbnail, too small to read."),
    ]),
    ("blurred photo", photo(f"{O1}/1.2 - Blurred - 2026-05-20.jpg", blur=12), [
        ("deliverable-illegible", "error", None),
    ]),
    ("washed-out image", call(synth.make_flat_image, f"{O1}/1.2 - Flat - 2026-05-20.jpg"), [
        ("deliverable-illegible", "error", None),
    ]),
    ("searchable scan whose handwritten date is not in its hidden text layer", call(
        synth.make_searchable_scan_pdf, f"{O1}/1.2 - Sign-in sheet.pdf",
        hidden_lines=["Toolbox talk sign-in sheet - Milestone 1.2", "Date:", "Name Signature"]), [
        ("deliverable-undated", "warning", "Could not verify the date on '1.2 - Sign-in sheet.pdf': it is a scanned "
         "page whose hidden text layer (the words the scanner recognised) shows no date; handwriting is not read "
         "here, and its name carries no date."),
    ]),
    ("searchable scan dated in its hidden text layer", call(
        synth.make_searchable_scan_pdf, f"{O1}/Sign-in sheet.pdf",
        hidden_lines=["Toolbox talk sign-in sheet - Milestone 1.2", "Date: May 20, 2026"]), []),
    ("the same page with its text visible: a document that shows no date", call(
        synth.make_searchable_scan_pdf, f"{O1}/1.2 - Sign-in sheet.pdf", visible=True,
        hidden_lines=["Toolbox talk sign-in sheet - Milestone 1.2", "Date:", "Name Signature"]), [
        ("deliverable-undated", "error", "'1.2 - Sign-in sheet.pdf' shows no date, on the document or in its name."),
    ]),
    ("signed acknowledgement scanned with a hidden text layer, hand-dated", call(
        synth.make_searchable_scan_pdf, "admin/acknowledgement-signed.pdf", text_on_image=None,
        hidden_lines=["Senior Representative Acknowledgement", "Signature:", "Date:"]), [
        ("signoff-missing", "warning", "Could not verify that the signed acknowledgement "
         "'admin/acknowledgement-signed.pdf' is dated: it is a scanned page whose hidden text layer (the words the "
         "scanner recognised) shows no date; handwriting is not read here, and its name carries no date."),
    ]),
    ("password protected", call(synth.make_encrypted_pdf, f"{O1}/1.2 - Locked - 2026-05-20.pdf"), [
        ("deliverable-encrypted", "error", "'1.2 - Locked - 2026-05-20.pdf' is password protected; a reviewer cannot open it."),
    ]),
    ("empty password, printing allowed (RC4-40, as training providers lock certificates)", call(
        synth.make_encrypted_pdf, f"{O1}/1.1 - Locked - 2026-05-20.pdf", user_password="", algorithm="RC4-40"), [
        ("deliverable-encrypted", "warning", "'1.1 - Locked - 2026-05-20.pdf' is encrypted: it opens without a "
         "password, and its permissions allow printing; only changes to it are restricted."),
    ]),
    ("empty password, printing not allowed", call(
        synth.make_encrypted_pdf, f"{O1}/1.1 - Locked - 2026-05-20.pdf", user_password="", printing=False), [
        ("deliverable-encrypted", "warning", "'1.1 - Locked - 2026-05-20.pdf' is encrypted: it opens without a "
         "password, but its permissions do not allow printing it."),
    ]),
    ("unlabelled", text_pdf(f"{O1}/Milestone 2/notes - 2026-05-20.pdf", ["Evidence", "May 20, 2026"]), [
        ("deliverable-unlabelled", "warning", "'notes - 2026-05-20.pdf' does not say which milestone it is for: it is only filed in the folder of milestone 1.2. 'packager build' will add the milestone to its name; in a zip you make yourself it keeps this name, and a reviewer's audit counts it as unlabelled (an error)."),
    ]),
    ("jpeg named pdf", photo(f"{O1}/1.2 - Photo - 2026-05-20.pdf"), [
        ("file-type-mismatch", "error", "'1.2 - Photo - 2026-05-20.pdf' is named as a PDF (.pdf) but its content is a JPEG image."),
    ]),
    ("executable", write(f"{O1}/1.2 - Tool - 2026-05-20.exe", b"MZ\x90\x00" + b"\x00" * 200), [
        ("file-type-unsupported", "error", "'1.2 - Tool - 2026-05-20.exe' is a program (executable), which is not an accepted deliverable format."),
    ]),
    ("pdf with a text file attached", call(synth.make_active_pdf, f"{O1}/1.1 - Memo - 2026-05-20.pdf", feature="embedded_file"), [
        ("active-content", "warning", "'1.1 - Memo - 2026-05-20.pdf' has a file attached inside it: 'evidence.txt'. It "
         "is not a program, script or archive, but a reviewer reading the pages does not see it."),
    ]),
    ("pdf with a program attached under a photo's name", call(
        synth.make_active_pdf, f"{O1}/1.1 - Memo - 2026-05-20.pdf", feature="embedded_program"), [
        ("active-content", "error", "'1.1 - Memo - 2026-05-20.pdf' contains active content: an attached program "
         "'photo.png'."),
    ]),
    ("pdf with javascript", call(synth.make_active_pdf, f"{O1}/1.1 - Script - 2026-05-20.pdf", feature="javascript"), [
        ("active-content", "error", None),
    ]),
    ("macro workbook", call(synth.make_office, f"{O1}/1.2 - Log - 2026-05-20.xlsm", kind="xlsm", vba=True, paragraphs=["Milestone 1.2 log May 20, 2026"]), [
        ("active-content", "error", None),
    ]),
    ("macro-enabled Word format with no macros in it", call(
        synth.make_office, f"{O1}/1.2 - Memo - 2026-05-20.docm", kind="docm", paragraphs=["Milestone 1.2 memo"]), [
        ("active-content", "warning", "'1.2 - Memo - 2026-05-20.docm' is saved in a macro-enabled format (.docm) but "
         "contains no macros; mail filters and reviewers' computers often block this format."),
    ]),
    ("duplicate", copy(f"{O1}/1.2 - Emergency response plan rev 3 - 2026-06-20.pdf", f"{O1}/1.2 - Copy of plan - 2026-06-20.pdf"), [
        ("duplicate-deliverable", "warning", "'Objective 1 - Emergency response/1.2 - Emergency response plan rev 3 - 2026-06-20.pdf' is an identical copy of 'Objective 1 - Emergency response/1.2 - Copy of plan - 2026-06-20.pdf'."),
    ]),
    ("name with a terminal escape", write(f"{O1}/1.2 - Drill \x1b[2Jreport - 2026-05-20.txt", b"Drill report"), [
        # The message keeps the name as it is (the terminal, CSV and HTML writers escape it); the list of characters
        # spells the escape out as those writers show it in the name.
        ("file-name-unsafe", "warning", "'1.2 - Drill \x1b[2Jreport - 2026-05-20.txt' may not open on Windows: "
         "'1.2 - Drill \x1b[2Jreport - 2026-05-20.txt' contains characters Windows does not allow in names "
         "(\\u001b)."),
    ]),
    ("name unsafe", text_pdf(f"{O1}/1.2 - Report: draft - 2026-05-20.pdf"), [
        ("file-name-unsafe", "warning", "'1.2 - Report: draft - 2026-05-20.pdf' may not open on Windows: '1.2 - Report: draft - 2026-05-20.pdf' contains characters Windows does not allow in names (:)."),
    ]),
    ("system files", write(f"{O1}/.DS_Store", b"\x00\x00\x00\x01Bud1"), [
        ("files-ignored", "info", "1 hidden or system file left out: Objective 1 - Emergency response/.DS_Store."),
    ]),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("base")


def test_sample_is_clean() -> None:
    assert check_folder(SAMPLE, today=TODAY, workers=1).findings == ()


@pytest.mark.parametrize(("name", "plant", "expected"), CASES, ids=[c[0] for c in CASES])
def test_planted_defect(tmp_path: Path, name: str, plant: Plant, expected: list[tuple[str, str, str | None]]) -> None:
    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    plant(root)
    result = check_folder(root, stage=Stage.FINAL, today=TODAY, workers=1)
    found = [(f.check, f.severity.value, f.message) for f in result.findings]
    assert [(c, s) for c, s, _m in found] == [(c, s) for c, s, _m in expected], found
    for (_c, _s, message), (_c2, _s2, want) in zip(found, expected, strict=True):
        if want is not None:
            assert message == want
        assert message and all(f.hint for f in result.findings)


ALL_AT_ONCE: list[tuple[Plant, str]] = [
    (text_pdf("notes.pdf", ["Evidence", "Completed May 20, 2026"]), "deliverable-unmapped"),
    (text_pdf(f"{O2}/1.2 - Misfiled - 2026-05-20.pdf"), "mapping-conflict"),
    (remove(f"{O3}/3.1 - Toolbox talk schedule - 2026-04-15.pdf"), "milestone-no-deliverable"),
    (write(f"{O1}/1.2 - Undated.txt", b"Milestone 1.2 - debrief notes"), "deliverable-undated"),
    (text_pdf(f"{O1}/1.2 - Early.pdf", ["Milestone 1.2", "Held February 2, 2026"]), "deliverable-date-out-of-range"),
    (call(synth.make_scan_pdf, f"{O1}/1.2 - Scan - 2026-05-20.pdf", dpi=96), "deliverable-illegible"),
    (call(synth.make_encrypted_pdf, f"{O1}/1.1 - Locked - 2026-05-20.pdf"), "deliverable-encrypted"),
    (text_pdf(f"{O1}/Milestone 2/notes - 2026-05-20.pdf", ["Evidence", "May 20, 2026"]), "deliverable-unlabelled"),
    (photo(f"{O1}/1.2 - Photo - 2026-05-20.pdf"), "file-type-mismatch"),
    (write(f"{O1}/1.2 - Tool - 2026-05-20.exe", b"MZ\x90\x00" + b"\x00" * 200), "file-type-unsupported"),
    (call(synth.make_active_pdf, f"{O1}/1.1 - Script - 2026-05-20.pdf", feature="javascript"), "active-content"),
    (copy(f"{O2}/2.1 - Hand tool inspection log - 2026-07-31.pdf", f"{O2}/2.1 - Log copy - 2026-07-31.pdf"),
     "duplicate-deliverable"),
    (text_pdf(f"{O1}/1.2 - Report: draft - 2026-05-20.pdf"), "file-name-unsafe"),
    (write(f"{O1}/.DS_Store", b"\x00\x00\x00\x01Bud1"), "files-ignored"),
]


def test_every_defect_at_once_and_clean_files_stay_clean(tmp_path: Path) -> None:
    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    clean = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    for plant, _check in ALL_AT_ONCE:
        plant(root)
    result = check_folder(root, stage=Stage.FINAL, today=TODAY)
    found = {f.check for f in result.findings}
    assert {check for _plant, check in ALL_AT_ONCE} <= found
    polluted = [f for f in result.findings if f.severity.value == "error" and f.path in clean
                and f.check != "duplicate-deliverable"]
    assert polluted == []
