"""Facts about one deliverable file, as plain frozen data.

The inspectors only observe; the checks decide what is a problem. Everything here is
picklable so files can be inspected in worker processes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from packager.dates import FoundDate
from packager.ocr.model import OcrFacts
from packager.rules import DeliverableRules, NamingRules

__all__ = ["FileFacts", "FoundDate", "ImageFacts", "InspectOptions", "PageFacts"]


@dataclass(frozen=True)
class PageFacts:
    """What one PDF page shows."""

    number: int  # 1-based
    has_text: bool
    image_only: bool  # no text, and an image covers most of the page
    dpi: float | None  # effective DPI of the page image (lower of x/y) when image_only
    blank: bool  # nothing visible, or only a near-uniform image


@dataclass(frozen=True)
class ImageFacts:
    """Legibility measurements of an image file (its first frame)."""

    width: int  # after EXIF orientation is applied
    height: int
    sharpness: float  # variance of the Laplacian on a ~1000 px grayscale copy (or a quick one: inspect.image)
    contrast: float  # standard deviation of 0-255 luminance
    exif_date: datetime.date | None
    orientation: int | None
    ink_range: float | None = None  # median luminance minus the darkest 0.05 %: paper against ink
    midtones: float | None = None  # share of pixels that are neither paper nor ink (64..191)


@dataclass(frozen=True)
class FileFacts:
    """Everything the checks need to know about one file."""

    kind: str  # canonical type from the content, never from the extension
    mime: str
    size: int
    sha256: str
    pages: int | None = None
    encrypted: bool = False
    empty_password: bool = False  # encrypted but opens with an empty user password
    print_allowed: bool | None = None  # such a PDF's permissions allow printing (None: not known, or not encrypted)
    text: str = ""  # text of the first pages / document text, capped
    title: str | None = None
    page_facts: tuple[PageFacts, ...] = ()
    image: ImageFacts | None = None
    dates: tuple[FoundDate, ...] = ()  # "content" and "metadata" dates
    active_content: tuple[str, ...] = ()  # what can run: scripts, macros, launch actions, risky attachments
    attachments: tuple[str, ...] = ()  # files attached to a PDF that cannot run anything, named ('photo.png')
    macro_format: str | None = None  # a macro-enabled Office format it is saved in ('docm'), macros or not
    unreadable: str | None = None
    # A PDF whose structure is broken though PDFium opens and reads it: what is wrong, in plain words.
    damaged: str | None = None
    notes: tuple[str, ...] = ()
    # Why the words of a file whose format has words are not read here ('it was saved by Excel 95 or earlier,
    # whose text is not read'); None when they were read, or the format has none to read.
    words_unread: str | None = None
    producer: str | None = None  # the PDF's /Producer (packager's own generated pages say 'packager …')
    signatures: tuple[str, ...] = ()  # signed digital signature fields, described ('signed by J. Smith')
    ocr: OcrFacts | None = None  # what OCR read on a page with no text (packager.ocr)
    # Pages (1-based) of a "searchable" scan: their only text is an invisible layer (a scanner's OCR) over a
    # page image, so a handwritten date, label or signature on them is not in the text.
    hidden_text_pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class InspectOptions:
    """What to read and how to resolve ambiguous dates."""

    rules: DeliverableRules
    window: tuple[datetime.date, datetime.date] | None = None
    ocr: str = "auto"  # auto | on | off: read pages with no text by OCR (packager.ocr)
    naming: NamingRules | None = None  # the label grammar OCR reads headers with (None: bundled rules)
    # Per-file OCR hints by casefolded file name; left out of repr (the facts cache key) because they
    # are folder-wide: the cache adds the file's own hints (packager.ocr.cache_hint).
    signed: frozenset[str] = field(default=frozenset(), repr=False)  # the signed documents
    labelled: frozenset[str] = field(default=frozenset(), repr=False)  # names that name their milestone


# Shared caps.
TEXT_CAP = 20_000  # characters kept in FileFacts.text
