"""Decide, once, what a file's evidence is: milestone and label, the date it shows, legibility.

`decide` runs once per file after inspection (for a folder and for a received zip alike) and
stores its answer on the record (`FileRecord.mapping` and `FileRecord.evidence`). Checks, built
names, the index, the manifest, the reports and audit read that answer; none decides again.

Text read by OCR flows in like the text layer: its dates carry the source "ocr" and a
confidence, and its first lines are the document's header like any other text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from packager.dates import PRECISIONS, FoundDate
from packager.inspect import FileFacts, ImageFacts
from packager.inventory import FileRecord
from packager.model import (
    HEADER,
    SHOWN_SOURCES,
    SOURCE_CONFIDENCE,
    TITLE,
    DateStatus,
    DocumentDate,
    Evidence,
    Legibility,
    Mapping,
    MilestoneSource,
)
from packager.naming import NamingConvention, TextLabel
from packager.rules import DeliverableRules

RANK = {"content": 0, "ocr": 1, "name": 2, "metadata": 3}


def decide(
    record: FileRecord,
    naming: NamingConvention,
    rules: DeliverableRules,
    window: tuple[dt.date, dt.date],
    today: dt.date,
) -> FileRecord:
    """The record with its milestone completed by the document's own labels, and its evidence."""
    facts = record.facts
    mapping = record.mapping
    if record.role == "deliverable" and facts is not None:
        mapping = ocr_label_mapping(label_mapping(mapping, facts, naming), facts, naming)
    evidence = replace(
        _dates(record, window, today, rules.min_date_confidence),
        legibility=legibility(facts, rules, (window[0], min(window[1], today))) if facts is not None
        else Legibility(),
    )
    return replace(record, mapping=mapping, evidence=evidence)


# --- milestone and label -------------------------------------------------------------------------


def _source(where: str, label: TextLabel, origin: str) -> MilestoneSource:
    return MilestoneSource(where, label.milestone, label.objective, label.text, origin)


def label_mapping(mapping: Mapping, facts: FileFacts, naming: NamingConvention) -> Mapping:
    """Add the document's own labels (its title, its header) and decide whether all sources agree.

    A milestone named in the header or the title labels the document. One mentioned further
    down ("linked to milestone 1.2 training") is neither a label nor a conflict.
    """
    origin = "ocr" if _ocr_only(facts) else "text"
    written: list[MilestoneSource] = []
    if facts.title:
        written += [_source(TITLE, label, "metadata") for label in naming.title_labels(facts.title)]
    written += [_source(HEADER, label, origin) for label in naming.header_labels(facts.text)]
    if not written:
        return mapping
    sources = (*mapping.sources, *written)
    named = sorted({s.milestone for s in written if s.milestone})
    if mapping.conflict:
        return replace(mapping, sources=sources)
    if mapping.milestone is None:
        # Filed without a milestone in its folder or name: the document's own label decides, when
        # there is exactly one and it fits the objective folder it sits in.
        if len(named) == 1 and mapping.objective in (None, int(named[0].split(".")[0])):
            where = tuple(dict.fromkeys(s.where for s in written if s.milestone == named[0]))
            return replace(mapping, objective=int(named[0].split(".")[0]), milestone=named[0],
                           label_sources=(*mapping.label_sources, *where), sources=sources)
        if len(named) == 1 and mapping.objective is not None:
            conflict = (f"it is in the folder of objective {mapping.objective} but the document itself is "
                        f"labelled milestone {named[0]}")
            return replace(mapping, objective=None, conflict=conflict, sources=sources)
        return replace(mapping, sources=sources)
    if mapping.milestone in named:
        where = tuple(dict.fromkeys(s.where for s in written if s.milestone == mapping.milestone))
        return replace(mapping, label_sources=(*mapping.label_sources, *where), sources=sources)
    conflict = (f"it is filed under milestone {mapping.milestone} but the document itself is labelled "
                f"{', '.join(named)}")
    return replace(mapping, objective=None, milestone=None, conflict=conflict, sources=sources)


def ocr_label_mapping(mapping: Mapping, facts: FileFacts, naming: NamingConvention) -> Mapping:
    """Add the labels OCR read at the top of a scanned page (packager.ocr).

    They confirm the milestone, or file a document that nothing else files (one label, fitting
    its objective folder); they never make a conflict: a misread digit must not become an error.
    """
    ocr = facts.ocr
    if ocr is None or not ocr.verified or not ocr.header_text or mapping.conflict:
        return mapping
    read = [_source(HEADER, label, "ocr") for label in naming.header_labels(ocr.header_text)]
    named = sorted({s.milestone for s in read if s.milestone})
    target = mapping.milestone
    if target is None and len(named) == 1 and mapping.objective in (None, int(named[0].split(".")[0])):
        target = named[0]
    if target is None or target not in named:
        return mapping
    where = () if HEADER in mapping.label_sources else (HEADER,)
    return replace(
        mapping, objective=int(target.split(".")[0]), milestone=target,
        label_sources=(*mapping.label_sources, *where),
        sources=(*mapping.sources, *(s for s in read if s.milestone == target)),
    )


def _ocr_only(facts: FileFacts) -> bool:
    return any(d.source == "ocr" for d in facts.dates) and not any(d.source == "content" for d in facts.dates)


# --- dates ---------------------------------------------------------------------------------------


def _confidence(found: FoundDate) -> float:
    base = found.confidence
    value = float(base) if base is not None else SOURCE_CONFIDENCE.get(found.source, 0.5)
    return round(value * (0.5 if found.ambiguous else 1.0), 3)


def _document_date(found: FoundDate) -> DocumentDate:
    return DocumentDate(found.date, found.source, found.text, _confidence(found), found.ambiguous,
                        found.precision)


def _swap(value: dt.date) -> dt.date | None:
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None


def settle_ambiguous(found: list[FoundDate]) -> list[FoundDate]:
    """Day/month versus month/day, settled by the other evidence: a date the name, the metadata or
    an unambiguous date in the document gives that matches one of the two readings."""
    others = {d.date for d in found if not d.ambiguous and d.precision == "day"}
    settled: list[FoundDate] = []
    for d in found:
        if d.ambiguous:
            other = _swap(d.date)
            if d.date in others:
                d = replace(d, ambiguous=False)
            elif other is not None and other in others:
                d = replace(d, date=other, ambiguous=False)
        settled.append(d)
    return settled


def all_dates(record: FileRecord) -> list[FoundDate]:
    """Every date read for a file (content, OCR, name, metadata), settled and ranked by source."""
    content = list(record.facts.dates) if record.facts else []
    dates = settle_ambiguous([*content, *record.name_dates])
    # A full date (content, then OCR, then name) before a month, and a month before a quarter, which only
    # date a period.
    return sorted(dates, key=lambda d: (PRECISIONS.index(d.precision), RANK.get(d.source, 9)))


def _dates(
    record: FileRecord, window: tuple[dt.date, dt.date], today: dt.date, min_confidence: float = 0.5
) -> Evidence:
    start, deadline = window
    end = min(deadline, today)
    dates = all_dates(record)
    # A reading the OCR is unsure of neither dates the document nor makes it out of range.
    shown = [d for d in dates if d.source in SHOWN_SOURCES and _confidence(d) >= min_confidence]
    inside = [d for d in shown if d.overlaps(start, end)]
    names = [d for d in inside if d.source == "name"]
    # A month or quarter in the name ('Hand injury review - Q3 2026') is the period the record covers: a full
    # date the document shows ('Reviewed October 2, 2026') dates it instead.
    read_days = [d for d in inside if d.source != "name" and d.precision == "day"]
    named = [d for d in names if d.precision == "day"] or ([] if read_days else names)
    name_date = _document_date(named[0]) if named else None
    every = tuple(_document_date(d) for d in dates)
    if inside:
        return Evidence(date=_document_date(_shown_date(record, inside, names)), status=DateStatus.ACCEPTED,
                        name_date=name_date, dates=every)
    # A date read by OCR confirms a date in the window; outside it, it may be a misread digit, and a
    # misreading must never become an error: the page then counts as not verified.
    firm = [d for d in shown if d.source != "ocr"]
    if firm:
        return Evidence(date=_document_date(firm[0]), status=DateStatus.OUT_OF_RANGE, dates=every)
    metadata = [d for d in dates if d.source == "metadata"]
    if metadata:
        return Evidence(date=_document_date(metadata[0]), status=_unread_or(record, DateStatus.METADATA_ONLY),
                        dates=every)
    return Evidence(date=None, status=_unread_or(record, DateStatus.NONE), dates=every)


def _shown_date(record: FileRecord, inside: list[FoundDate], names: list[FoundDate]) -> FoundDate:
    """Which accepted date dates the document, as a reviewer would pick it.

    The date the name gives (read on the document when it shows it too); otherwise the first date the
    document shows.
    """
    read = [d for d in inside if d.source != "name"]
    named = {d.date for d in names}
    confirmed = [d for d in read if d.date in named]
    if confirmed:
        return confirmed[0]
    day_names = [d for d in names if d.precision == "day"]
    if day_names:
        return day_names[0]  # the date the user wrote in the name is not replaced by another one
    return inside[0]


def _unread_or(record: FileRecord, status: DateStatus) -> DateStatus:
    """A document whose words could not be read (an image, a scanned page without OCR, an Excel 95
    file, a scan whose only text is the scanner's hidden OCR layer) is unverified."""
    facts = record.facts
    if facts is None:
        return DateStatus.UNVERIFIED
    if facts.unreadable is not None or (facts.encrypted and not facts.empty_password):
        return DateStatus.UNVERIFIED  # an encrypted file that opens without a password was read
    if facts.words_unread is not None and not facts.text.strip():
        return DateStatus.UNVERIFIED  # the inspector did not read this file's words (it says why)
    if facts.hidden_text_pages:
        # A "searchable" scan: its text is what the scanner's OCR recognised, not all the page shows
        # (a handwritten date is not in it). A date found there counts; none found is not verified.
        return DateStatus.UNVERIFIED
    if (facts.image is not None or facts.kind in ("pdf", "heic")) and not facts.text.strip():
        # No words read (OCR text, when there is some, counts as words); a HEIC photo is an image
        # whether or not its decoder (pillow-heif) is installed.
        return DateStatus.UNVERIFIED
    return status


# --- legibility ----------------------------------------------------------------------------------


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    shown = ", ".join(str(n) for n in numbers[:6]) + (" …" if len(numbers) > 6 else "")
    return f"pages {shown}"


def legibility(
    facts: FileFacts, rules: DeliverableRules, window: tuple[dt.date, dt.date] | None = None
) -> Legibility:
    """Can a reviewer read the file? Each problem is a sentence with the measured value and threshold.

    Tiered (rules.deliverables): below a hard floor (``illegible_*``) a page or image is known to be
    unreadable, a problem (an error); between it and the recommended floor (``min_*``) it is a doubt
    (a warning, "may be hard to read"). Positive evidence outweighs a measure: a page or image from
    which OCR read the milestone label or a date in the plan ``window`` is never a problem, at most a
    doubt; one on which OCR read any words is not blank.
    """
    problems: list[str] = []
    doubts: list[str] = []
    blank: list[int] = []
    image_only = False
    read, seen = _ocr_evidence(facts, rules, window)
    cause = _cause(facts)
    if facts.unreadable:
        problems.append(_unreadable_reason(facts.unreadable))
        cause = "damaged"
    elif facts.kind == "pdf":
        if facts.pages == 0:
            problems.append("it has no pages")
            cause = "damaged"
        pages = facts.page_facts
        blank = [p.number for p in pages if p.blank and p.number not in seen]
        image_only = bool(pages) and not any(p.has_text for p in pages)
        if pages and len(blank) == len(pages):
            problems.append("every page is blank")
            blank = []
            if not any(p.image_only for p in pages):
                cause = "blank"
        low = [(p.number, p.dpi) for p in pages
               if p.image_only and p.dpi is not None and p.dpi + 0.5 < rules.min_dpi]
        hard = [(n, d) for n, d in low if d + 0.5 < rules.illegible_dpi and n not in read]
        soft = [(n, d) for n, d in low if (n, d) not in hard]
        if hard:
            problems.append(
                f"{_pages([n for n, _d in hard])} {'was' if len(hard) == 1 else 'were'} scanned at "
                f"{min(d for _n, d in hard):.0f} DPI; below {rules.illegible_dpi:g} DPI a page cannot be read"
            )
        if soft:
            doubts.append(
                f"{_pages([n for n, _d in soft])} {'was' if len(soft) == 1 else 'were'} scanned at "
                f"{min(d for _n, d in soft):.0f} DPI; {rules.min_dpi:g} DPI or more is recommended"
                + _read_note(all(n in read for n, _d in soft))
            )
    elif facts.image is not None:
        problems, doubts = _image_legibility(facts.image, rules, 1 in read, 1 in seen)
        image_only = True
    return Legibility(tuple(problems), tuple(blank), facts.unreadable, image_only, tuple(doubts),
                      cause if problems or doubts or blank else "")


def _image_legibility(
    image: ImageFacts, rules: DeliverableRules, read: bool, seen: bool
) -> tuple[list[str], list[str]]:
    """(problems, doubts) of an image file; ``read``: OCR read its label or a date in the window,
    ``seen``: OCR read words on it."""
    problems: list[str] = []
    doubts: list[str] = []
    # With positive evidence a measure below a hard floor is only a doubt.
    hard = doubts if read else problems
    short = min(image.width, image.height)
    size = f"the image is only {image.width} × {image.height} pixels"
    if short < rules.illegible_image_short_side and not read:
        problems.append(f"{size}; below {rules.illegible_image_short_side} on its short side it is a thumbnail, "
                        "too small to read")
    elif short < rules.min_image_short_side:
        doubts.append(f"{size}; {rules.min_image_short_side} or more on its short side is recommended"
                      + _read_note(read))
    if image.contrast < rules.blank_stddev and _ink(image) < rules.blank_ink_levels and not seen:
        problems.append(f"the image is blank or nearly uniform (contrast {image.contrast:.1f})")
    elif not _crisp(image, rules):
        # White paper with dark ink is not washed out however little ink there is: the range
        # between the paper and the darkest ink decides, not the average spread.
        if image.contrast < rules.min_contrast and _ink(image) < rules.min_ink_range:
            where = hard if _ink(image) < rules.illegible_ink_range else doubts
            where.append(
                f"the image is washed out (contrast {image.contrast:.1f}; the minimum is {rules.min_contrast:g})"
                + _read_note(read)
            )
        if image.sharpness < rules.min_sharpness:
            hard.append(
                f"the image is blurred (sharpness {image.sharpness:.1f}; the minimum is {rules.min_sharpness:g})"
                + _read_note(read)
            )
    return problems, doubts


def _read_note(read: bool) -> str:
    return ", though its milestone or date could be read from it here" if read else ""


_OCR_PAGE = re.compile(r"page (\d+)")
_A_WORD = re.compile(r"[^\W\d_]{3,}")


def _ocr_evidence(
    facts: FileFacts, rules: DeliverableRules, window: tuple[dt.date, dt.date] | None
) -> tuple[set[int], set[int]]:
    """(read, seen): the pages (1 for an image) OCR read the milestone label or a date in ``window`` from,
    and those it read any words on. OCR reads the first page (a signed document's first pages); a
    date or label is credited to each page it read."""
    ocr = facts.ocr
    if ocr is None or not ocr.verified:
        return set(), set()
    pages = {int(m.group(1)) for region in ocr.regions if (m := _OCR_PAGE.match(region))}
    seen = pages if _A_WORD.search(ocr.text) else set()  # a word, not a stray mark read on noise
    dated = window is not None and any(
        d.source == "ocr" and d.overlaps(*window) and _confidence(d) >= rules.min_date_confidence
        for d in facts.dates
    )
    return (pages if ocr.labels or dated else set()), seen


def _cause(facts: FileFacts) -> str:
    """What made the file, for the fix: a scanned page, a camera photo or a screen capture."""
    if facts.kind == "pdf" or facts.kind == "tiff":
        return "scan"
    image = facts.image
    camera = image is not None and (image.exif_date is not None or image.orientation is not None)
    if facts.kind in ("png", "gif", "bmp") and not camera:
        return "screenshot"  # lossless and no camera data
    return "photo"


def _ink(image: object) -> float:
    value = getattr(image, "ink_range", None)
    return float(value) if isinstance(value, int | float) else 0.0


def _crisp(image: object, rules: DeliverableRules) -> bool:
    """A black-and-white scan: paper and ink far apart, almost no grey between them."""
    midtones = getattr(image, "midtones", None)
    return (
        isinstance(midtones, int | float)
        and midtones <= rules.crisp_midtones
        and _ink(image) >= rules.min_ink_range
    )


def _unreadable_reason(problem: str) -> str:
    if problem == "the file is empty":
        return "the file is empty"
    if "ermission" in problem:
        return "it cannot be read: permission denied"
    return f"it cannot be opened ({problem})"


__all__ = ["all_dates", "decide", "label_mapping", "legibility", "ocr_label_mapping", "settle_ambiguous"]
