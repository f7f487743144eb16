"""Final stage and received zips: is each deliverable dated, legible, labelled and safe to open?

Checks read the facts the inspectors gathered; thresholds come from rules.deliverables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from packager.checks.context import Context, Stage
from packager.checks.registry import declare
from packager.findings import Finding, Severity
from packager.inspect import FileFacts
from packager.inventory import FileRecord
from packager.model import DateStatus, DocumentDate, Evidence
from packager.naming import split_extension
from packager.textutil import long_date, long_period

FAMILY = "deliverables"

UNDATED = declare(
    "deliverable-undated", Severity.ERROR, FAMILY,
    "A deliverable shows no date, neither on the document nor in its name (only in hidden metadata: warning). "
    "A scan whose words cannot be read, or a 'searchable' scan whose hidden text layer (the scanner's OCR) holds "
    "no date, is a warning: the date could not be verified.",
    "Make sure the document shows the date it was completed (in its header or body), or add the date to the "
    "file name as YYYY-MM-DD, e.g. '1.2 - Drill report - 2026-05-14.pdf'.",
)
DATE_AMBIGUOUS = declare(
    "deliverable-date-ambiguous", Severity.INFO, FAMILY,
    "A numeric date such as 04/05/2026 could be read as day/month or month/day, and the plan window did not "
    "settle which.",
    "Write dates as YYYY-MM-DD or with the month's name (May 4, 2026) so nobody has to guess.",
)
OUT_OF_RANGE = declare(
    "deliverable-date-out-of-range", Severity.ERROR, FAMILY,
    "A deliverable's date is before the plan's approval, after the final-submission deadline, or in the future.",
    "Check the date on the document. Evidence must come from work done after the proposal was approved and "
    "before the final-submission deadline.",
)
ILLEGIBLE = declare(
    "deliverable-illegible", Severity.ERROR, FAMILY,
    "A deliverable cannot be read: it cannot be opened, every page is blank, a page was scanned below the hard "
    "DPI floor (100), an image is a thumbnail (under 240 pixels on its short side), blurred or washed out. "
    "Between the hard floor and the recommended one (150 DPI, 600 pixels) it is a warning ('may be hard to "
    "read'), and so is a page or image from which OCR read the milestone or a date. Blank pages among others: "
    "a warning. The message gives the measured value and the threshold; the fix depends on the cause.",
    "Rescan the paper document at 200 DPI or more, in focus and with good contrast, and replace the file.",
)
ENCRYPTED = declare(
    "deliverable-encrypted", Severity.ERROR, FAMILY,
    "A deliverable needs a password to open. A PDF that opens without one (an empty password, with an owner "
    "password restricting it) is a warning that says whether its permissions allow printing.",
    "Save or print the document again without a password (e.g. 'Print to PDF') and replace the file.",
)
UNLABELLED = declare(
    "deliverable-unlabelled", Severity.WARNING, FAMILY,
    "Neither the file name, the document's title nor its header (first lines) names the milestone. A warning "
    "when checking your folder (the build renames files with the milestone); an error in a received zip, "
    "except a file whose words cannot be read here, a scan or an old Office file whose words are not read "
    "(a warning: it could not be verified).",
    "Start the file name with the milestone number (e.g. '1.2 - …'), or put 'Milestone 1.2' in the "
    "document's header or title.",
)
TYPE_MISMATCH = declare(
    "file-type-mismatch", Severity.ERROR, FAMILY,
    "A file's content is not what its extension says (e.g. a JPEG named .pdf). A password-protected "
    ".docx/.xlsx/.pptx, which Office stores inside an old-style (OLE) container, is not a mismatch: "
    "deliverable-encrypted reports it.",
    "Save the file again in the format its name says, or correct the extension.",
)
TYPE_UNSUPPORTED = declare(
    "file-type-unsupported", Severity.ERROR, FAMILY,
    "An executable, a script, an archive, or a format a reviewer cannot open. The allowed types are listed "
    "in the rules (PDF, JPEG, PNG, TIFF, HEIC, WebP, GIF, BMP, Word, Excel, PowerPoint, OpenDocument, RTF, text, "
    "CSV, and emails saved as .eml or .msg).",
    "Convert the document to PDF (or a photo to JPEG) and replace the file; archives must be unpacked.",
)
ACTIVE = declare(
    "active-content", Severity.ERROR, FAMILY,
    "A PDF with script or launch actions, or with an attached program, script, archive, macro document or "
    "PDF with active content (the kinds are in the rules), or an office file with macros. Another "
    "attachment (a photo, an accessibility file) or a macro-enabled office format (.docm, .xlsm…) with no "
    "macros in it is a warning.",
    "Print the document to a new PDF (or save the office file as .docx/.xlsx or PDF) to remove scripts, "
    "attachments and macros.",
)

KIND_LABEL = {
    "pdf": "a PDF", "jpeg": "a JPEG image", "png": "a PNG image", "tiff": "a TIFF image", "gif": "a GIF image",
    "bmp": "a BMP image", "webp": "a WebP image", "heic": "a HEIC photo", "docx": "a Word document",
    "xlsx": "an Excel workbook", "pptx": "a PowerPoint presentation", "docm": "a macro-enabled Word document",
    "xlsm": "a macro-enabled Excel workbook", "pptm": "a macro-enabled PowerPoint presentation",
    "odf": "an OpenDocument file", "ole": "an old-style (97-2003) Office file", "rtf": "an RTF document",
    "txt": "a text file", "csv": "a CSV file", "html": "a web page", "zip": "a zip archive",
    "archive": "a compressed archive", "executable": "a program (executable)", "script": "a script",
    "unknown": "an unrecognised format",
}
MACRO_KINDS = {"docm", "xlsm", "pptm"}
# Office formats (Office Open XML) that Word, Excel and PowerPoint save, once protected by a password to
# open, as an encrypted package inside an old-style compound (OLE) file: the extension is still right.
OOXML_KINDS = {"docx", "xlsx", "pptx", *MACRO_KINDS}
# Kinds that are the same thing to a reviewer, whatever the extension says.
EQUIVALENT = {frozenset({"txt", "csv"})}


def label(kind: str) -> str:
    return KIND_LABEL.get(kind, f"a {kind} file")


def run(ctx: Context) -> Iterator[Finding]:
    if ctx.stage is not Stage.FINAL or ctx.inventory is None:
        return
    for record in ctx.inventory.deliverables:
        yield from check_record(ctx, record)


def check_record(ctx: Context, record: FileRecord) -> Iterator[Finding]:
    facts = record.facts
    if facts is None:
        return
    loc: dict[str, Any] = {
        "path": record.path, "objective": record.mapping.objective, "milestone": record.mapping.milestone,
    }
    evidence = record.evidence or Evidence()
    if _cannot_be_read(record):
        # An empty file, or one the system refuses to open, is illegible whatever its name says.
        if record.mapping.milestone is not None:
            yield ILLEGIBLE.finding(
                f"'{record.name}' is not legible: {'; '.join(evidence.legibility.problems)}.",
                hint=FIXES.get(evidence.legibility.cause), **loc,
            )
        return
    yield from _type(ctx, record, loc)
    if facts.kind not in ctx.rules.deliverables.allowed_types and facts.kind not in MACRO_KINDS:
        return  # nothing more to learn from a file a reviewer cannot open
    yield from _active(record, loc)
    if record.mapping.milestone is None:
        return  # not part of the submission (deliverable-unmapped says so): only safety matters
    if facts.encrypted:
        if not facts.empty_password:
            yield ENCRYPTED.finding(f"'{record.name}' is password protected; a reviewer cannot open it.", **loc)
            return
        yield _opens_without_password(record, loc)
    yield from _damaged(record, loc)
    yield from _legibility(record, evidence, loc)
    if facts.unreadable is None:
        yield from _dates(ctx, record, evidence, loc)
    yield from _label(ctx, record, loc)


def _active(record: FileRecord, loc: dict[str, Any]) -> Iterator[Finding]:
    """Active content is an error; a harmless attachment, or a macro-enabled Office format with no macros in
    it (mail filters often block the format), only a warning."""
    facts = record.facts
    assert facts is not None
    if facts.active_content:
        yield ACTIVE.finding(
            f"'{record.name}' contains active content: {', '.join(facts.active_content)}.", **loc
        )
    if facts.attachments:
        many = len(facts.attachments) > 1
        yield ACTIVE.finding(
            f"'{record.name}' has {'files' if many else 'a file'} attached inside it: "
            f"{', '.join(facts.attachments)}. {'None is' if many else 'It is not'} a program, script or archive, "
            f"but a reviewer reading the pages does not see {'them' if many else 'it'}.",
            severity=Severity.WARNING,
            hint="If an attachment is part of the evidence, submit it as its own file; to remove attachments, "
            "print the document to a new PDF (e.g. 'Print to PDF').",
            **loc,
        )
    if not facts.active_content and facts.macro_format:
        yield ACTIVE.finding(
            f"'{record.name}' is saved in a macro-enabled format (.{facts.macro_format}) but contains no macros; "
            "mail filters and reviewers' computers often block this format.",
            severity=Severity.WARNING,
            hint=f"Save it again as {_plain_format(facts.macro_format)} (or as PDF) and replace the file.",
            **loc,
        )


def _plain_format(macro_format: str) -> str:
    """The macro-free format to save a macro-enabled one as: .docx for .docm, .xlsx for .xlsm…"""
    app = {"d": ".docx", "x": ".xlsx", "p": ".pptx"}
    return app.get(macro_format[:1], "the same format without macros")


def _opens_without_password(record: FileRecord, loc: dict[str, Any]) -> Finding:
    """A PDF encrypted with an empty password (an owner password restricts it): every viewer opens it
    without asking, so it is a warning; its permissions say whether it may be printed."""
    facts = record.facts
    assert facts is not None
    opens = f"'{record.name}' is encrypted: it opens without a password"
    if facts.print_allowed:
        return ENCRYPTED.finding(
            f"{opens}, and its permissions allow printing; only changes to it are restricted.",
            severity=Severity.WARNING,
            hint="Nothing is needed for a reviewer to read and print it. To remove the restrictions, print it "
            "to a new PDF (e.g. 'Print to PDF') and replace the file.",
            **loc,
        )
    if facts.print_allowed is False:
        return ENCRYPTED.finding(
            f"{opens}, but its permissions do not allow printing it.",
            severity=Severity.WARNING,
            hint="A reviewer may need to print it: ask whoever issued it for a copy without restrictions, or "
            "save it again without a password, and replace the file.",
            **loc,
        )
    return ENCRYPTED.finding(
        f"{opens}; whether its permissions allow printing it could not be read.",
        severity=Severity.WARNING,
        hint="Save or print it again without a password (e.g. 'Print to PDF') and replace the file, so a "
        "reviewer can print it.",
        **loc,
    )


def _damaged(record: FileRecord, loc: dict[str, Any]) -> Iterator[Finding]:
    """A PDF whose structure is broken but that PDFium (Chrome's and Edge's engine) opens: a warning."""
    facts = record.facts
    if facts is None or not facts.damaged:
        return
    yield ILLEGIBLE.finding(
        f"'{record.name}' is damaged: {facts.damaged}. It opens in PDFium, the PDF engine of Chrome and Edge, "
        f"and its {_count(facts.pages or 0, 'page')} could be read there, but some viewers may refuse it.",
        severity=Severity.WARNING,
        hint="Open it and save or print it again as a new PDF (e.g. 'Print to PDF'), check that every page is "
        "there, and replace the file.",
        **loc,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _cannot_be_read(record: FileRecord) -> bool:
    facts = record.facts
    assert facts is not None
    return facts.size == 0 or (facts.unreadable is not None and not facts.sha256)


def _type(ctx: Context, record: FileRecord, loc: dict[str, Any]) -> Iterator[Finding]:
    facts = record.facts
    assert facts is not None
    _stem, ext = split_extension(record.name)
    expected = ctx.rules.type_for_extension(ext) if ext else None
    kind = facts.kind
    if kind not in ctx.rules.deliverables.allowed_types and kind not in MACRO_KINDS:
        yield TYPE_UNSUPPORTED.finding(
            f"'{record.name}' is {label(kind)}, which is not an accepted deliverable format.", **loc
        )
        return
    if expected is None:
        shown = f"'.{ext}'" if ext else "no extension"
        yield TYPE_MISMATCH.finding(
            f"'{record.name}' has {shown}, but its content is {label(kind)}.",
            hint=f"Rename it with the extension for {label(kind)} so a reviewer's computer opens it.",
            **loc,
        )
    elif facts.encrypted and kind == "ole" and expected in OOXML_KINDS:
        return  # a password-protected .docx is stored so: deliverable-encrypted says what is wrong
    elif expected != kind and frozenset({expected, kind}) not in EQUIVALENT:
        yield TYPE_MISMATCH.finding(
            f"'{record.name}' is named as {label(expected)} (.{ext}) but its content is {label(kind)}.", **loc
        )


def _legibility(record: FileRecord, evidence: Evidence, loc: dict[str, Any]) -> Iterator[Finding]:
    legibility = evidence.legibility
    if legibility.blank_pages:
        facts = record.facts
        assert facts is not None
        yield ILLEGIBLE.finding(
            f"'{record.name}' has blank pages ({_pages(list(legibility.blank_pages))} of {facts.pages}).",
            severity=Severity.WARNING,
            hint="Remove blank pages (often the backs of scanned sheets), or rescan if content is missing.",
            **loc,
        )
    hint = FIXES.get(legibility.cause)
    if legibility.problems:
        yield ILLEGIBLE.finding(
            f"'{record.name}' is not legible: {'; '.join(legibility.problems)}.", hint=hint, **loc
        )
    elif legibility.doubts:
        yield ILLEGIBLE.finding(
            f"'{record.name}' may be hard to read: {'; '.join(legibility.doubts)}.",
            severity=Severity.WARNING, hint=hint, **loc,
        )


# The fix for an illegible file, by what made it (evidence.legibility decides the cause).
FIXES = {
    "scan": ILLEGIBLE.hint,
    "photo": "Send the original full-size photo from the phone or camera, not a copy reduced by a messaging app "
             "or email; if it is blurred, too dark or too light, take it again.",
    "screenshot": "Capture the screen again at full size (not cropped small or scaled down), or better, print "
                  "the page or document to PDF, and replace the file.",
    "damaged": "Open the file on your computer and save or print it again as PDF, then replace it; if it does not "
               "open, get a new copy from whoever sent it.",
    "blank": "Open the file and check that it shows the document; export, print or scan it again and replace it.",
}


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    shown = ", ".join(str(n) for n in numbers[:6]) + (" …" if len(numbers) > 6 else "")
    return f"pages {shown}"


def _unread_why(facts: FileFacts | None, missing: str, otherwise: str) -> str:
    """Why the words of a file could not be checked: what the inspector says, or what OCR did on its image."""
    if facts is not None and facts.words_unread:
        return facts.words_unread
    ocr = facts.ocr if facts is not None else None
    if ocr is not None and ocr.verified:
        # OCR ran: it may have misread handwriting, so this is still only "could not verify"
        return f"its content is an image, and the words OCR read on it {missing}"
    return otherwise


def dated_outside(ctx: Context, best: DocumentDate) -> str:
    """'dated <date> (<where> says “<text>”), <why it is outside the plan window>', for a file dated outside it."""
    start, deadline = ctx.window
    where = "its name" if best.source == "name" else "the document"
    if best.value > ctx.today:
        why = f"which is in the future (today is {long_date(ctx.today)})"
    elif best.value < start:
        approved = "approved" if ctx.plan.approved else "started"
        why = f"before the plan was {approved} on {long_date(start)}"
    else:
        why = f"after the final-submission deadline of {long_date(deadline)}"
    return f"dated {long_period(best.value, best.precision)} ({where} says \u201c{best.text}\u201d), {why}"


def _dates(ctx: Context, record: FileRecord, evidence: Evidence, loc: dict[str, Any]) -> Iterator[Finding]:
    best = evidence.date
    status = evidence.status
    if status is DateStatus.UNVERIFIED:
        properties = (f" Its file properties say {long_date(best.value)}, but those are not shown on the document."
                      if best is not None else "")
        why = _unread_why(record.facts, "show no date", "its content is an image whose words cannot be read here")
        yield UNDATED.finding(
            f"Could not verify the date on '{record.name}': {why}, and its name carries no date.{properties}",
            severity=Severity.WARNING,
            hint="Add the date the document shows to its file name as YYYY-MM-DD, e.g. "
            "'1.2 - Drill report - 2026-05-14.pdf', so it can be verified.",
            **loc,
        )
        return
    if best is None or status is DateStatus.NONE:
        yield UNDATED.finding(f"'{record.name}' shows no date, on the document or in its name.", **loc)
        return
    if status is DateStatus.METADATA_ONLY:
        yield UNDATED.finding(
            f"'{record.name}' shows no date; the only date is hidden in the file's properties "
            f"({long_date(best.value)}).",
            severity=Severity.WARNING,
            hint="The document itself must show a date: add it to the header, or add it to the file name as "
            "YYYY-MM-DD.",
            **loc,
        )
        return
    if status is DateStatus.OUT_OF_RANGE:
        yield OUT_OF_RANGE.finding(f"'{record.name}' is {dated_outside(ctx, best)}.", **loc)
    if best.ambiguous:
        yield DATE_AMBIGUOUS.finding(
            f"'{record.name}' has the date \u201c{best.text}\u201d, which could be day/month or month/day; "
            f"it was read as {long_date(best.value)}.",
            **loc,
        )


def _label(ctx: Context, record: FileRecord, loc: dict[str, Any]) -> Iterator[Finding]:
    mapping = record.mapping
    if mapping.milestone is None or mapping.conflict:
        return
    if mapping.label:
        return
    facts = record.facts
    unread = None
    if facts is not None and facts.hidden_text_pages:
        # A searchable scan: the milestone may be handwritten, which its hidden OCR text does not hold.
        unread = ("it is a scanned page whose hidden text layer (the words the scanner recognised) does not name "
                  "it; handwriting is not read here")
    elif facts is not None and not facts.text.strip():
        if record.evidence is not None and record.evidence.legibility.image_only:
            unread = _unread_why(facts, "name no milestone", "it is a scanned image whose words cannot be read here")
        elif facts.words_unread:
            unread = facts.words_unread  # e.g. an Excel 95 file: the inspector says why its words were not read
    if ctx.received and unread:
        # A file whose words cannot be read may well show its milestone: not known to be wrong.
        yield UNLABELLED.finding(
            f"Could not verify the label on '{record.name}': {unread}, and its name does not name the milestone; "
            f"it is only filed in the folder of milestone {mapping.milestone}.",
            severity=Severity.WARNING,
            **loc,
        )
        return
    severity = Severity.ERROR if ctx.received else Severity.WARNING
    extra = "" if ctx.received else (
        " 'packager build' will add the milestone to its name; in a zip you make yourself it keeps this name, "
        "and a reviewer's audit counts it as unlabelled (an error).")
    yield UNLABELLED.finding(
        f"'{record.name}' does not say which milestone it is for: it is only filed in the folder of "
        f"milestone {mapping.milestone}.{extra}",
        severity=severity,
        **loc,
    )
