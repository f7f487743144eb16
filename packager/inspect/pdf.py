"""PDF files: pages, encryption, text, scanned/blank pages, metadata and active content.

Two readers are used for what each does best:

- pypdf reads the document structure: encryption, the /Info dictionary, and a bounded walk
  of the catalog, form fields and annotations looking for active content;
- pypdfium2 (PDFium, optional) reads the pages: text, page objects and, for pages without
  text, a small grayscale rendering to tell a blank page from a drawing. It is much
  faster than pypdf for text and also opens AES-encrypted files without the
  ``cryptography`` package. Without it the same page facts come from pypdf's parser.

Nothing here runs document JavaScript, renders forms or follows links.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import math
import mmap
import os
import re
import struct
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

from packager import dates
from packager.inspect.facts import TEXT_CAP, FileFacts, FoundDate, InspectOptions, PageFacts
from packager.inspect.smallfile import SMALL_FILE, read_small
from packager.rules import DeliverableRules

_pdfium: ModuleType | None
_pdfium_raw: Any
try:
    import pypdfium2 as _pdfium_module

    _pdfium = _pdfium_module
    _pdfium_raw = _pdfium_module.raw
except Exception:  # optional: pypdf alone still gives every fact
    _pdfium = None
    _pdfium_raw = None

JAVASCRIPT = "JavaScript (/JavaScript)"
OPEN_ACTION_SCRIPT = "an open action that runs script (/OpenAction)"
LAUNCH = "a launch action (/Launch)"
EMBEDDED_FILES = "embedded files (/EmbeddedFiles)"
FILE_ATTACHMENT = "a file attachment annotation (/FileAttachment)"
RICH_MEDIA = "RichMedia (/RichMedia)"
XFA = "an XFA form (/XFA)"
MAX_ATTACHMENTS = 50  # attached files looked at
MORE_ATTACHMENTS = f"more than {MAX_ATTACHMENTS} files, not all looked at"
ATTACHMENT_CAP = 4 * 1024 * 1024  # bytes of an attached PDF read to look for active content
ATTACHED_PDFS_READ = 5  # attached PDFs read that far, per document
ATTACHMENT_WORDS = {  # how an attachment of a risky kind (rules: deliverables.risky_attachments) is named
    "executable": "program", "script": "script", "archive": "archive", "zip": "zip archive", "html": "web page",
    "docm": "macro-enabled document", "xlsm": "macro-enabled workbook", "pptm": "macro-enabled presentation",
}
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")

# Why a searchable scan's date may not be read: shown after "Could not verify the date on 'x': ".
HIDDEN_TEXT_UNREAD = ("it is a scanned page whose hidden text layer (the words the scanner recognised) shows "
                      "no date; handwriting is not read here")

IMAGE_COVERAGE = 0.5  # an image covering this share of the page makes a scanned page
MIN_IMAGE_SHARE = 0.05  # images smaller than this share of the page do not set the DPI
RENDER_LONG_SIDE = 400  # pixels; rendering used only to tell blank pages from drawings
RENDER_SECONDS = 2.0  # per page: a page that takes longer to draw is not blank
RENDER_SECONDS_TOTAL = 8.0  # per document
WALK_BUDGET = 5_000  # PDF objects visited looking for active content
OBJECT_BUDGET = 50_000  # PDFium page objects enumerated per document
CONTENT_CAP = 2_000_000  # decoded content bytes of a page read for text (pypdf path)
WALK_CAP = 1_000_000  # content bytes (page plus forms) parsed for images (pypdf path)
PYPDF_PAGES_SECONDS = 10.0  # per document; later pages are left unexamined (pypdf path)
DECODE_PIXEL_CAP = 40_000_000  # larger page images are not decoded to test for blankness
RAW_SCAN_CAP = 16 * 1024 * 1024
JPEG_BYTES_CAP = 64 * 1024 * 1024
TITLE_CAP = 500
STREAM_INFLATE_CAP = 256 * 1024 * 1024  # bytes one compressed stream may expand to
FILE_INFLATE_CAP = 512 * 1024 * 1024  # bytes all non-image streams of a file may expand to
MAX_INFLATE_RATIO = 1032  # deflate's largest expansion (258 bytes from two bits): a bound, not a guess

_RAW_MARKERS: tuple[tuple[bytes, str], ...] = (
    (rb"/JavaScript\b", JAVASCRIPT),
    (rb"/JS\b", JAVASCRIPT),
    (rb"/Launch\b", LAUNCH),
    (rb"/EmbeddedFiles?\b", EMBEDDED_FILES),
    (rb"/RichMedia\b", RICH_MEDIA),
    (rb"/XFA\b", XFA),
)
_SHOWS_STRING = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")")
_TEXT_OPERATORS = frozenset({b"Tj", b"TJ", b"'", b'"'})
_PAINT_OPERATORS = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"S", b"s", b"sh"})
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_Box = tuple[float, float, float, float]


@dataclass
class _Structure:
    """What pypdf learned about the document as a whole."""

    reader: PdfReader | None = None
    error: str | None = None
    pages: int | None = None
    encrypted: bool = False
    empty_password: bool | None = None  # None: could not be tested
    permissions: int | None = None  # the /P flags of an encrypted file (unsigned)
    title: str | None = None
    producer: str | None = None
    signatures: list[str] = field(default_factory=list)
    meta_dates: list[FoundDate] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    attachments: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class _Content:
    """What the page reader learned: page facts and the text of the first pages."""

    pages: int | None = None
    page_facts: list[PageFacts] = field(default_factory=list)
    text: str = ""
    encrypted: bool = False
    locked: bool = False  # encrypted and the empty password does not open it
    permissions: int | None = None  # what PDFium reports for an encrypted file it opened
    attachments: list[tuple[str, Any]] = field(default_factory=list)  # attached file names PDFium lists
    active: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden_text_pages: list[int] = field(default_factory=list)  # text only an invisible layer over a page image


def inspect_pdf(path: Path, base: FileFacts, options: InspectOptions, data: bytes | None = None) -> FileFacts:
    """Facts of a PDF; a structure too broken to read becomes ``unreadable``.

    Compressed streams are first inflated, bounded, without keeping the output: a file whose
    streams expand beyond the caps (a decompression bomb) is ``unreadable`` and never handed to
    pypdf or PDFium, which would inflate it in memory. ``data`` is the whole file when the caller
    has read it already (a small file); otherwise a small file is read here, once.
    """
    if data is None or len(data) > SMALL_FILE:
        data = read_small(path)
    carried = carried_zip(path, data)
    if carried is not None:
        base = replace(base, active_content=(*base.active_content, carried))
    bomb = inflation_problem(path, data)
    if bomb is not None:
        return replace(
            base, unreadable=bomb,
            active_content=tuple(dict.fromkeys((*base.active_content, *_raw_scan(path, data)))),
        )
    with _quiet(), (path.open("rb") if data is None else io.BytesIO(data)) as fh:
        structure = _read_structure(fh)
        content = _Content()
        if not structure.encrypted or structure.empty_password is not False:
            content = _read_content(path, structure, options, data)
    encrypted = structure.encrypted or content.encrypted
    # PDFium opening an encrypted file with "" proves an empty password; refusing, a real one.
    opened = bool(structure.empty_password) or (encrypted and content.pages is not None)
    empty = opened and not content.locked
    notes = [*structure.notes, *content.notes]
    permissions = structure.permissions if structure.permissions is not None else content.permissions
    untested = structure.empty_password is None and content.pages is None and not content.locked
    if encrypted and untested:
        notes.append(
            "it is AES-encrypted; whether it opens without a password could not be "
            "tested (this needs the optional pypdfium2 or cryptography package)"
        )
    active = list(structure.active)
    unreadable = damaged = None
    if structure.reader is None and (not encrypted or content.pages is not None):
        # pypdf could not parse it: use PDFium's view and a raw byte scan instead. PDFium names the
        # attached files, which are then judged by name like pypdf's.
        raw = _raw_scan(path, data)
        if content.pages is not None:
            raw = [label for label in raw if label != EMBEDDED_FILES]
            structure.attachments = content.attachments
        active.extend([*raw, *content.active])
        if not encrypted:
            unreadable, damaged = _repair_verdict(path, structure, content, notes, data)
    risky, attachments = _attachments(structure.attachments, options.rules)
    active.extend(risky)
    found = dates.find_dates(content.text, "content", options.window)
    found += dates.find_dates(_filled_in(structure.reader, options.rules), "content", options.window)
    return replace(
        base,
        pages=structure.pages if structure.pages is not None else content.pages,
        encrypted=encrypted,
        empty_password=empty,
        print_allowed=(bool(permissions & PRINT_PERMISSION) if empty and permissions is not None else None),
        text=content.text[:TEXT_CAP],
        title=structure.title,
        producer=structure.producer,
        signatures=tuple(structure.signatures),
        page_facts=tuple(content.page_facts),
        dates=(*base.dates, *found, *structure.meta_dates),
        active_content=tuple(dict.fromkeys((*base.active_content, *active))),
        attachments=tuple(attachments),
        unreadable=unreadable,
        damaged=damaged,
        notes=tuple(dict.fromkeys((*base.notes, *notes))),
        hidden_text_pages=tuple(content.hidden_text_pages),
        words_unread=base.words_unread or (HIDDEN_TEXT_UNREAD if content.hidden_text_pages else None),
    )


def _repair_verdict(
    path: Path, structure: _Structure, content: _Content, notes: list[str], data: bytes | None = None
) -> tuple[str | None, str | None]:
    """(unreadable, damaged) for a PDF pypdf cannot parse: unreadable when PDFium cannot open it either;
    otherwise its pages were read by PDFium (the engine of Chrome and Edge) and ``damaged`` says plainly
    what is wrong."""
    if content.pages is None:
        return structure.error or "the PDF structure cannot be read", None
    notes.append(f"its structure is damaged, but PDFium reads it: {structure.error}")
    if not _has_eof_marker(path, data):
        return None, "its internal structure is broken and it has no end-of-file marker, so it may be incomplete"
    return None, "its internal structure is broken"


QUIET_LEVEL = logging.CRITICAL + 1  # above every level pypdf logs at


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence pypdf's log warnings and Python warnings for the duration."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    # Setting a level empties every logger's cache: skipped where pypdf is silenced for good (a worker).
    loud = level < QUIET_LEVEL
    if loud:
        logger.setLevel(QUIET_LEVEL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if loud:
            logger.setLevel(level)


def silence_pypdf() -> None:
    """Silence pypdf's log for the rest of this process: for a worker, whose whole life is reading files."""
    logging.getLogger("pypdf").setLevel(QUIET_LEVEL)


# --- structure (pypdf) ---------------------------------------------------------------


def _read_structure(fh: Any) -> _Structure:
    result = _Structure()
    try:
        reader = PdfReader(fh, strict=False)
    except DependencyError:
        result.encrypted = True  # pypdf needs `cryptography` for AES before anything else
        result.error = "AES-encrypted"
        return result
    except Exception as exc:
        result.error = _describe_pdf_error(exc)
        return result
    try:
        if reader.is_encrypted:
            result.encrypted = True
            result.permissions = _permissions(reader)
            result.empty_password = _try_empty_password(reader)
            if not result.empty_password:
                result.error = "encrypted"
                return result
        result.pages = len(reader.pages)
    except Exception as exc:
        result.error = _describe_pdf_error(exc)
        return result
    result.reader = reader
    result.title, result.meta_dates = _info(reader)
    result.producer = _info_text(reader, "/Producer")
    with contextlib.suppress(Exception):
        result.signatures = _signatures(reader)
    walker = _ActiveContentWalker(reader)
    try:
        result.active = walker.walk()
    except Exception:
        result.notes.append("its active content could not be fully checked")
    result.attachments = walker.attachments + ([(MORE_ATTACHMENTS, None)] if walker.more else [])
    return result


def _attachments(attached: list[tuple[str, Any]], rules: DeliverableRules) -> tuple[list[str], list[str]]:
    """(active content, harmless attachment names): an attached program, script, archive or macro
    document (the kinds in rules.deliverables.risky_attachments, by name or by a program's first bytes),
    or an attached PDF with script, launch actions or attachments of its own, is active content; any
    other attachment (a photo, a spreadsheet, a PDF 2.0 accessibility file) is only named."""
    active: list[str] = []
    harmless: list[str] = []
    pdfs_read = 0
    kinds = {ext: kind for kind, exts in rules.extensions.items() for ext in exts}
    for name, stream in attached:
        if name == MORE_ATTACHMENTS:
            harmless.append(name)
            continue
        shown = _shown(name or "unnamed")
        kind = kinds.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
        head = _bounded_stream_data(stream, 64) if stream is not None else None
        if head is not None and head.startswith(_PROGRAM_MAGIC) and kind not in ("txt", "csv"):
            kind = "executable"
        if kind in rules.risky_attachments:
            active.append(f"an attached {ATTACHMENT_WORDS.get(kind, kind + ' file')} {shown}")
            continue
        nested: list[str] = []
        if head is not None and (kind == "pdf" or head.startswith(b"%PDF")) and pdfs_read < ATTACHED_PDFS_READ:
            pdfs_read += 1
            body = _bounded_stream_data(stream, ATTACHMENT_CAP)
            nested = _raw_markers(body) if body is not None else []
        if nested:
            active.append(f"an attached PDF {shown} with {', '.join(nested)}")
            continue
        harmless.append(shown)
    return active, harmless


def _raw_markers(data: bytes) -> list[str]:
    """Active-content names found in the bytes of a (small) PDF."""
    return list(dict.fromkeys(label for pattern, label in _RAW_MARKERS if re.search(pattern, data)))


PRINT_PERMISSION = 1 << 2  # bit 3 of /P: the document may be printed


def _permissions(reader: PdfReader) -> int | None:
    """The /P permission flags of an encrypted document, as an unsigned 32-bit value; None if absent."""
    with contextlib.suppress(Exception):
        encrypt = _resolve(reader.trailer.get("/Encrypt"))
        if isinstance(encrypt, DictionaryObject):
            value = _resolve(encrypt.get("/P"))
            if isinstance(value, int):
                return int(value) & 0xFFFFFFFF
    return None


def _try_empty_password(reader: PdfReader) -> bool | None:
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except DependencyError:
        return None
    except Exception:
        return False


def _info(reader: PdfReader) -> tuple[str | None, list[FoundDate]]:
    try:
        info = _resolve(reader.trailer.get("/Info"))
    except Exception:
        return None, []
    if not isinstance(info, DictionaryObject):
        return None, []
    title = None
    found: list[FoundDate] = []
    with contextlib.suppress(Exception):
        raw_title = _resolve(info.get("/Title"))
        if raw_title is not None:
            title = " ".join(_pdf_string(raw_title).split())[:TITLE_CAP] or None
    for key in ("/CreationDate", "/ModDate"):
        with contextlib.suppress(Exception):
            raw = _resolve(info.get(key))
            if raw is not None:
                text = _pdf_string(raw).strip()[:100]
                when = dates.parse_pdf_date(text)
                if when:
                    found.append(FoundDate(when, "metadata", text))
    return title, found


def _info_text(reader: PdfReader, key: str) -> str | None:
    """One text entry of the document information dictionary, or None."""
    with contextlib.suppress(Exception):
        info = _resolve(reader.trailer.get("/Info"))
        if isinstance(info, DictionaryObject):
            raw = _resolve(info.get(key))
            if raw is not None:
                return " ".join(_pdf_string(raw).split())[:TITLE_CAP] or None
    return None


SIGNATURE_FIELDS_CAP = 200  # form fields looked at for signatures
FILLED_FIELDS_CAP = 200  # form fields looked at on one page for what was typed into them
FILLED_TEXT_CAP = 4_000  # characters kept of what was typed into a page's form fields


def _filled_in(reader: PdfReader | None, rules: DeliverableRules) -> str:
    """What was typed or picked in the form fields, or typed in text boxes added on the page, of the pages
    whose text is read.

    A filled-in form shows its values on the page (a viewer draws them), but they are not part of the
    page's own text, which is all PDFium and pypdf extract: a date typed into a 'Date' field dates the
    document. Only dates are taken from it; the page's text, and so whether its words could be read
    (a scanned form with a name typed in is still a scan), is left as it was.
    """
    if reader is None:
        return ""
    try:
        count = len(reader.pages)
        wanted = sorted({*range(min(count, rules.text_pages)), *_last_page(count, rules)})
        values: list[str] = []
        for index in wanted:
            annots = _resolve(reader.pages[index].get("/Annots"))
            size = 0
            for annot in list(annots)[:FILLED_FIELDS_CAP] if isinstance(annots, ArrayObject) else []:
                value = _field_value(_resolve(annot))
                if value and size < FILLED_TEXT_CAP:
                    values.append(value[:FILLED_TEXT_CAP])
                    size += len(value)
        return "\n".join(values)
    except Exception:
        return ""


def _field_value(widget: Any) -> str:
    """The text a text or choice field's widget shows, its type and value inherited from its parents; or
    the text of a text box added on the page (a /FreeText annotation, as 'Add text' tools make)."""
    if isinstance(widget, DictionaryObject) and widget.get("/Subtype") == "/FreeText":
        contents = _resolve(widget.get("/Contents"))
        return " ".join(_pdf_string(contents).split()) if isinstance(contents, (str, bytes)) else ""
    if not isinstance(widget, DictionaryObject) or widget.get("/Subtype") != "/Widget":
        return ""
    kind = value = None
    node: Any = widget
    for _depth in range(8):
        if not isinstance(node, DictionaryObject):
            break
        kind = kind if kind is not None else _resolve(node.get("/FT"))
        value = value if value is not None else _resolve(node.get("/V"))
        node = _resolve(node.get("/Parent"))
    if kind not in ("/Tx", "/Ch"):
        return ""
    if isinstance(value, ArrayObject):  # a list box with several choices
        return " ".join(_pdf_string(_resolve(v)) for v in list(value)[:20] if isinstance(_resolve(v), (str, bytes)))
    return " ".join(_pdf_string(value).split()) if isinstance(value, (str, bytes)) else ""


def _signatures(reader: PdfReader) -> list[str]:
    """Signed digital signature fields (a /Sig field whose value is a signature dictionary)."""
    root = _resolve(reader.trailer.get("/Root"))
    form = _resolve(root.get("/AcroForm")) if isinstance(root, DictionaryObject) else None
    if not isinstance(form, DictionaryObject):
        return []
    fields = _resolve(form.get("/Fields"))
    stack = list(fields) if isinstance(fields, list) else []
    found: list[str] = []
    seen = 0
    while stack and seen < SIGNATURE_FIELDS_CAP:
        seen += 1
        item = _resolve(stack.pop())
        if not isinstance(item, DictionaryObject):
            continue
        kids = _resolve(item.get("/Kids"))
        if isinstance(kids, list):
            stack.extend(kids[:SIGNATURE_FIELDS_CAP])
        if _resolve(item.get("/FT")) != "/Sig":
            continue
        value = _resolve(item.get("/V"))
        if not isinstance(value, DictionaryObject) or value.get("/Contents") is None:
            continue  # an empty signature field: nobody signed
        signer = _resolve(value.get("/Name"))
        when = _resolve(value.get("/M"))
        text = "a digital signature"
        if signer is not None:
            text += f" by {' '.join(_pdf_string(signer).split())[:80]}"
        if when is not None:
            day = dates.parse_pdf_date(_pdf_string(when))
            if day is not None:
                text += f" on {day.isoformat()}"
        found.append(text)
    return found


def _pdf_string(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


class _ActiveContentWalker:
    """A bounded walk of the places where PDFs keep scripts, launch actions and files."""

    def __init__(self, reader: PdfReader, budget: int = WALK_BUDGET) -> None:
        self.reader = reader
        self.budget = budget
        self.seen: set[int] = set()
        self.found: dict[str, None] = {}
        self.attachments: list[tuple[str, Any]] = []  # (file name, embedded file stream or None)
        self.more = False  # more attachments than MAX_ATTACHMENTS

    def walk(self) -> list[str]:
        root = _resolve(self.reader.trailer.get("/Root"))
        if not isinstance(root, DictionaryObject):
            return []
        self._names(root.get("/Names"))
        opener = self._get(root.get("/OpenAction"))
        if isinstance(opener, DictionaryObject) and self._action(opener):
            self.found[OPEN_ACTION_SCRIPT] = None
        self._additional_actions(root.get("/AA"))
        self._acroform(root.get("/AcroForm"))
        for page in self._pages():
            self._additional_actions(page.get("/AA"))
            annots = self._get(page.get("/Annots"))
            if isinstance(annots, ArrayObject):
                for annot in annots:
                    self._annotation(self._get(annot))
                    if self.budget <= 0:
                        break
            if self.budget <= 0:
                break
        return list(self.found)

    def _get(self, obj: Any) -> Any:
        """Resolve an object, spending budget; None once it is spent or on a cycle."""
        if self.budget <= 0 or obj is None:
            return None
        self.budget -= 1
        if isinstance(obj, IndirectObject):
            key = obj.idnum * 65536 + obj.generation
            if key in self.seen:
                return None
            self.seen.add(key)
            try:
                return obj.get_object()
            except Exception:
                return None
        return obj

    def _pages(self) -> Iterator[DictionaryObject]:
        try:
            count = len(self.reader.pages)
        except Exception:
            return
        for index in range(count):
            if self.budget <= 0:
                return
            try:
                page = self.reader.pages[index]
            except Exception:
                continue
            self.budget -= 1
            yield page

    def _names(self, names_obj: Any) -> None:
        names = self._get(names_obj)
        if not isinstance(names, DictionaryObject):
            return
        if "/JavaScript" in names:
            self.found[JAVASCRIPT] = None
        self._embedded_files(names.get("/EmbeddedFiles"), 0)

    def _embedded_files(self, node_obj: Any, depth: int) -> None:
        """The files of the /EmbeddedFiles name tree (pairs of name and file specification), bounded."""
        node = self._get(node_obj)
        if not isinstance(node, DictionaryObject) or depth > 10:
            return
        pairs = self._get(node.get("/Names"))
        if isinstance(pairs, ArrayObject):
            for i in range(1, min(len(pairs), 2 * MAX_ATTACHMENTS + 1), 2):
                self._file_spec(pairs[i], pairs[i - 1])
        kids = self._get(node.get("/Kids"))
        if isinstance(kids, ArrayObject):
            for kid in kids[:100]:
                self._embedded_files(kid, depth + 1)

    def _file_spec(self, spec_obj: Any, key: Any = None) -> None:
        """Record one attached file: its name and its embedded stream (None when it has none)."""
        if len(self.attachments) >= MAX_ATTACHMENTS:
            self.more = True
            return
        spec = self._get(spec_obj)
        name = ""
        stream = None
        if isinstance(spec, DictionaryObject):
            for entry in ("/UF", "/F"):
                value = self._get(spec.get(entry))
                if isinstance(value, str | bytes) and _pdf_string(value).strip():
                    name = _pdf_string(value)
                    break
            files = self._get(spec.get("/EF"))
            if isinstance(files, DictionaryObject):
                stream = self._get(files.get("/F") or files.get("/UF"))
        elif isinstance(spec, str | bytes):
            name = _pdf_string(spec)  # a file specification may be just a file name
        if not name and isinstance(key, str | bytes):
            name = _pdf_string(key)
        self.attachments.append((name, stream if isinstance(stream, StreamObject) else None))

    def _additional_actions(self, aa_obj: Any) -> None:
        aa = self._get(aa_obj)
        if isinstance(aa, DictionaryObject):
            for value in list(aa.values())[:50]:
                self._action(self._get(value))

    def _action(self, action: Any, depth: int = 0) -> bool:
        """Record what an action (and its /Next chain) does; True if it runs script."""
        if not isinstance(action, DictionaryObject) or depth > 10:
            return False
        kind = action.get("/S")
        script = kind == "/JavaScript" or "/JS" in action
        if script:
            self.found[JAVASCRIPT] = None
        if kind == "/Launch":
            self.found[LAUNCH] = None
        nxt = self._get(action.get("/Next"))
        chain = nxt if isinstance(nxt, ArrayObject) else [nxt]
        for item in chain[:20]:
            script = self._action(self._get(item), depth + 1) or script
        return script

    def _annotation(self, annot: Any) -> None:
        if not isinstance(annot, DictionaryObject):
            return
        subtype = annot.get("/Subtype")
        if subtype == "/FileAttachment":
            self._file_spec(annot.get("/FS"))
        elif subtype == "/RichMedia":
            self.found[RICH_MEDIA] = None
        self._action(self._get(annot.get("/A")))
        self._additional_actions(annot.get("/AA"))

    def _acroform(self, form_obj: Any) -> None:
        form = self._get(form_obj)
        if not isinstance(form, DictionaryObject):
            return
        if "/XFA" in form:
            self.found[XFA] = None
        fields = self._get(form.get("/Fields"))
        stack: list[Any] = list(fields) if isinstance(fields, ArrayObject) else []
        while stack and self.budget > 0:
            item = self._get(stack.pop())
            if not isinstance(item, DictionaryObject):
                continue
            self._action(self._get(item.get("/A")))
            self._additional_actions(item.get("/AA"))
            kids = self._get(item.get("/Kids"))
            if isinstance(kids, ArrayObject):
                stack.extend(kids[:1000])


def _raw_scan(path: Path, data: bytes | None = None) -> list[str]:
    """Active-content names found in the raw bytes, for files pypdf cannot parse (``data``: the
    whole file when it was read already, scanned as the file would be)."""
    found: dict[str, None] = {}
    tail = b""
    for chunk in _raw_chunks(path, data):
        window = tail + chunk
        for pattern, label in _RAW_MARKERS:
            if re.search(pattern, window):
                found[label] = None
        tail = window[-32:]
    return list(found)


def _raw_chunks(path: Path, data: bytes | None, size: int = 1024 * 1024) -> Iterator[bytes]:
    """The first RAW_SCAN_CAP bytes (at least) in chunks of ``size``: from ``data``, or read from the file."""
    if data is not None:
        for start in range(0, min(len(data), RAW_SCAN_CAP), size):  # as the loop below reads them
            yield data[start : start + size]
        return
    read = 0
    with path.open("rb") as fh:
        while read < RAW_SCAN_CAP:
            chunk = fh.read(size)
            if not chunk:
                break
            read += len(chunk)
            yield chunk


# Starts with the literal, so the engine scans ahead (a leading look-behind made it try every byte).
_STREAM_START = re.compile(rb"stream(?<!endstream)(?:\r\n|\n|\r)")
_IMAGE_DICT = re.compile(rb"/Subtype\s*/Image\b")
_INFLATE_STEP = 64 * 1024


def inflation_problem(path: Path, data: bytes | None = None) -> str | None:
    """Why the file's compressed streams are too large to read safely, or None.

    Every ``stream`` is fed to zlib in steps with bounded output (nothing is kept): one stream may
    inflate to STREAM_INFLATE_CAP bytes, and all streams that are not images together to
    FILE_INFLATE_CAP. Streams that are not zlib data stop at their first bytes. ``data``, when
    given, is the file's content (scanned in memory instead of opening the file again).
    """
    if data is not None:
        return None if _below_caps(len(data)) else _inflation_scan(data)
    try:
        with path.open("rb") as fh:
            if _below_caps(os.fstat(fh.fileno()).st_size):
                return None
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                return _inflation_scan(mapped)
    except (OSError, ValueError):
        return None


def _below_caps(size: int) -> bool:
    """Even at deflate's largest ratio, ``size`` bytes cannot reach either cap (nor can an empty file)."""
    return size * MAX_INFLATE_RATIO <= min(STREAM_INFLATE_CAP, FILE_INFLATE_CAP)


def _inflation_scan(data: Any) -> str | None:
    total = 0
    position = 0
    while (m := _STREAM_START.search(data, position)) is not None:
        start = m.end()
        image = _IMAGE_DICT.search(data[max(0, m.start() - 1024) : m.start()]) is not None
        inflated, consumed = _inflated_size(data, start, STREAM_INFLATE_CAP + 1)
        if inflated > STREAM_INFLATE_CAP:
            return (f"one of its compressed streams expands to more than {STREAM_INFLATE_CAP // 2**20} MB "
                    "(a decompression bomb), so it was not opened")
        if not image:
            total += inflated
            if total > FILE_INFLATE_CAP:
                return (f"its compressed content expands to more than {FILE_INFLATE_CAP // 2**20} MB in all "
                        "(a decompression bomb), so it was not opened")
        position = max(start + consumed, start + 1)
    return None


def _inflated_size(data: Any, start: int, cap: int) -> tuple[int, int]:
    """(bytes the zlib stream at ``start`` inflates to, at most ``cap``; compressed bytes used, 0 when not zlib)."""
    inflater = zlib.decompressobj()
    produced = 0
    offset = start
    end = len(data)
    while produced < cap:
        if inflater.unconsumed_tail:
            chunk = inflater.unconsumed_tail
        elif offset < end:
            chunk = data[offset : offset + _INFLATE_STEP]
            offset += len(chunk)
        else:
            chunk = b""  # input used up: collect what zlib still holds
        try:
            out = inflater.decompress(chunk, _INFLATE_STEP)
        except zlib.error:
            # Not zlib data, or damaged: nothing is known to be used, so the search for the next
            # stream starts again right after this one's start (a skip could pass over a bomb).
            return produced, 0
        produced += len(out)
        if inflater.eof:
            offset -= len(inflater.unused_data)
            break
        if not chunk and not out:
            break
    return produced, offset - start


_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = re.compile(rb"PK\x03\x04")
_ZIP_METHODS = frozenset({0, 1, 6, 8, 9, 12, 14, 93, 95, 98, 99})
_RISKY_SUFFIXES = frozenset({
    "exe", "dll", "msi", "com", "scr", "app", "bin", "elf", "js", "vbs", "vbe", "bat", "cmd", "ps1", "sh", "py",
    "jar", "wsf", "hta", "lnk", "pif", "cpl",
})
MAX_LOCAL_HEADERS = 2_000


def carried_zip(path: Path, data: bytes | None = None) -> str | None:
    """A description when the PDF is also a zip archive, or carries one in its raw bytes.

    Such a polyglot opens as a document in a viewer and as an archive in an unzip tool. A zip
    directory at the end of the file makes it a zip outright; otherwise raw local file headers
    count only when they name a program, a script or a path that climbs out ('../'). ``data``, when
    given, is the file's content (read from memory instead of the file).
    """
    names: list[str] = []
    try:
        source: Path | io.BytesIO = path if data is None else io.BytesIO(data)
        if zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as zf:
                names = [info.filename for info in zf.infolist()[:MAX_LOCAL_HEADERS]]
            shown = ", ".join(_shown(n) for n in names[:5]) + (" …" if len(names) > 5 else "")
            return f"a zip archive in the same file (a PDF/zip polyglot) holding {len(names)} entries: {shown}"
        if data is not None:
            names = _local_header_names(data)
        else:
            with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                names = _local_header_names(mapped)
    except (OSError, ValueError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return None
    risky = [n for n in names if _risky(n)]
    if not risky:
        return None
    shown = ", ".join(_shown(n) for n in risky[:5])
    return f"a hidden zip archive inside it (a polyglot) with programs or unsafe paths: {shown}"


def _local_header_names(data: Any) -> list[str]:
    names: list[str] = []
    position = 0
    for _ in range(MAX_LOCAL_HEADERS):
        hit = _LOCAL_SIGNATURE.search(data, position)  # not mmap.find, a byte-by-byte loop before Python 3.12
        found = hit.start() if hit is not None else -1
        if found < 0 or found + _LOCAL_HEADER.size > len(data):
            break
        position = found + 4
        _sig, _version, flags, method, _t, _d, _crc, _cs, _us, name_len, _x = _LOCAL_HEADER.unpack_from(data, found)
        if method not in _ZIP_METHODS or not 0 < name_len <= 1024:
            continue
        raw = bytes(data[found + _LOCAL_HEADER.size : found + _LOCAL_HEADER.size + name_len])
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        if name.isprintable():
            names.append(name)
    return names


def _risky(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    suffix = parts[-1].rsplit(".", 1)[-1].lower() if "." in parts[-1] else ""
    return ".." in parts or name.startswith(("/", "\\")) or suffix in _RISKY_SUFFIXES


def _shown(name: str) -> str:
    name = "".join(c if c.isprintable() else "?" for c in name)
    return f"'{name[:80]}'"


def _has_eof_marker(path: Path, data: bytes | None = None) -> bool:
    if data is not None:
        return b"%%EOF" in data[-2048:]
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 2048))
        return b"%%EOF" in fh.read()


def _describe_pdf_error(exc: BaseException) -> str:
    text = str(exc)
    lowered = text.lower()
    if "startxref" in lowered or "ended unexpectedly" in lowered or "eof" in lowered:
        return "the PDF is truncated or damaged: its cross-reference table cannot be found"
    if isinstance(exc, RecursionError):
        return "the PDF structure is damaged: its objects refer to each other endlessly"
    if isinstance(exc, MemoryError):
        return "the PDF is too large or complex to read"
    short = text if len(text) <= 120 else text[:117] + "..."
    return f"the PDF structure is damaged, {type(exc).__name__}: {short}"


# --- pages ---------------------------------------------------------------------------


def _read_content(path: Path, structure: _Structure, options: InspectOptions, data: bytes | None) -> _Content:
    if _pdfium is not None:
        content = _pages_with_pdfium(path, options, structure.reader, data)
        if content is not None:
            return content
    if structure.reader is not None:
        return _pages_with_pypdf(structure.reader, options)
    return _Content()


def _pages_with_pdfium(
    path: Path, options: InspectOptions, reader: PdfReader | None = None, data: bytes | None = None
) -> _Content | None:
    """Page facts via PDFium; None when PDFium cannot open the file at all.

    ``data``, the whole file when it was read already, is parsed from memory.

    Pages after the text pages are first looked at in the content stream pypdf has already
    parsed: a page that visibly shows text is decided there, without loading it in PDFium.
    """
    assert _pdfium is not None
    content = _Content()
    try:
        doc = _open_pdfium(path, data)
    except _PdfiumOpenError as exc:
        if exc.password:
            content.encrypted = content.locked = True
            return content
        return None
    except Exception:
        return None
    try:
        content.encrypted = _pdfium_raw.FPDF_GetSecurityHandlerRevision(doc.raw) >= 0
        if content.encrypted:
            with contextlib.suppress(Exception):
                content.permissions = int(_pdfium_raw.FPDF_GetDocPermissions(doc.raw)) & 0xFFFFFFFF
        content.pages = len(doc)
        content.active = _pdfium_active_content(doc)
        content.attachments = _pdfium_attachments(doc)
        rules = options.rules
        texts: dict[int, str] = {}
        budget = _Budget()
        same_pages = reader is not None and _page_count(reader) == content.pages
        for index in range(min(content.pages, max(0, rules.max_pages_examined))):
            want_text = index < rules.text_pages
            if not want_text and same_pages and _stream_shows_text(reader, index):
                content.page_facts.append(PageFacts(index + 1, True, False, None, False))
                continue
            try:
                facts, text = _pdfium_page(doc, index, rules, budget, want_text)
            except Exception:
                content.notes.append(f"page {index + 1} could not be analysed")
                continue
            content.page_facts.append(facts)
            if want_text:
                texts[index] = text
        wanted = [*range(min(content.pages, rules.text_pages)), *_last_page(content.pages, rules)]
        for index in wanted:
            if index not in texts:
                texts[index] = _pdfium_text(doc, index)
        content.text = "\n".join(texts[i] for i in sorted(texts))
        content.hidden_text_pages = _hidden_text_pages(doc, reader if same_pages else None, texts)
    finally:
        doc.close()
    return content


# "3 Tr": text render mode 3, neither filled nor stroked. Scanners and scanning apps write their OCR
# text layer so, over the page image: it can be searched and copied, but it is not what the page shows.
# It starts with the literal '3' (the look-behind after it), so the engine skips ahead to each '3'.
_INVISIBLE_MODE = re.compile(rb"3(?<![\w.+-]3)\s+Tr(?![A-Za-z0-9*])")
HIDDEN_TEXT_OBJECTS = 5_000  # page objects looked at, per document, to confirm an invisible text layer


def _hidden_text_pages(doc: Any, reader: PdfReader | None, texts: dict[int, str]) -> list[int]:
    """The pages read for text (1-based) whose text is only an invisible layer over a page-covering image:
    a "searchable" scan, where the text is what the scanner's OCR recognised, not all that the page shows.

    Decided cheaply: only a page whose own content stream sets ``3 Tr``, or shows no text itself (the
    layer may sit in a form), is looked at in PDFium, object by object, stopping at the first visible text.
    Not known (a stream pypdf cannot read plainly, the object budget spent) counts as not hidden.
    """
    if reader is None:
        return []
    budget = _Budget(objects=HIDDEN_TEXT_OBJECTS)
    found: list[int] = []
    for index, text in sorted(texts.items()):
        if not text.strip() or not _may_hide_text(reader, index):
            continue
        with contextlib.suppress(Exception), _loaded_page(doc, index) as page:
            if _invisible_text_over_image(page, budget):
                found.append(index + 1)
    return found


def _may_hide_text(reader: PdfReader, index: int) -> bool:
    """Does page ``index``'s own content set text render mode 3, or show no text itself?"""
    data = _page_content_bytes(reader, index)
    if data is None:
        return False
    # Most pages never set a render mode: one substring search rules them out before the pattern runs.
    return (b"Tr" in data and _INVISIBLE_MODE.search(data) is not None) or not _shows_characters(data)


def _page_content_bytes(reader: PdfReader, index: int) -> bytes | None:
    """The page's own content streams, plain or Flate, at most ``CONTENT_CAP`` bytes; None otherwise."""
    try:
        contents = reader.pages[index].get("/Contents")
        if isinstance(contents, IndirectObject):
            data = _raw_flate_object(reader, contents, CONTENT_CAP)
            if data is not None:
                return data
        contents = _resolve(contents)
        streams = list(contents) if isinstance(contents, ArrayObject) else [contents]
        parts: list[bytes] = []
        room = CONTENT_CAP
        for ref in streams[:64]:
            part = _bounded_stream_data(_resolve(ref), room)
            if part is None:
                return None
            parts.append(part)
            room -= len(part)
            if room <= 0:
                break
        return b"\n".join(parts)
    except Exception:
        return None


def _invisible_text_over_image(page: Any, budget: _Budget) -> bool:
    """Is every text object on the page invisible (render mode 3), with images covering most of it?"""
    found = _pdfium_objects(page, budget, stop_at_text=False, stop_at_visible_text=True)
    if found.exhausted or found.visible_text or not found.text:
        return False
    images = [(width, height, matrix) for width, height, matrix, _obj in found.images]
    return _scan_verdict(False, images, _normalise_box(page.get_cropbox()))[0]


def _page_count(reader: PdfReader) -> int | None:
    try:
        return len(reader.pages)
    except Exception:
        return None


# A text-showing operator right after a string or array: the engine scans for the closing
# delimiter, then ``_shows_characters`` looks back to see that the string is not empty.
_SHOW_CANDIDATE = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")(?![A-Za-z0-9*])")
_NON_EMPTY_IN_ARRAY = re.compile(rb"\([^)]|<\s*[0-9A-Fa-f]")
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_INLINE_IMAGE = re.compile(rb"B(?<![^\s]B)I\s")  # "BI" as an operator: binary data follows


def _shows_characters(data: bytes) -> bool:
    """Does content ``data`` show at least one character? False means "not known"."""
    for m in _SHOW_CANDIDATE.finditer(data):
        end = m.start()
        closer = data[end]
        before = data[end - 1] if end > 0 else 0
        if closer == 0x29:  # ")": a literal string, not "()" and not an escaped "\)"
            if before not in (0x28, 0x5C):
                return True
        elif closer == 0x3E:  # ">": a hex string
            if before in _HEX_DIGITS:
                return True
        else:  # "]": a TJ array holding a non-empty string
            start = data.rfind(b"[", 0, end)
            if start >= 0 and _NON_EMPTY_IN_ARRAY.search(data, start, end):
                return True
    return False


def _stream_shows_text(reader: PdfReader | None, index: int) -> bool:
    """Does page ``index``'s own content stream show characters? False means "not known".

    Only unfiltered and plain Flate streams are read, inflated to at most ``CONTENT_CAP``
    bytes (``_page_content_bytes``); anything else (other filters, inline images, text only
    inside forms) is left to PDFium.
    """
    data = _page_content_bytes(reader, index) if reader is not None else None
    return data is not None and not _INLINE_IMAGE.search(data) and _shows_characters(data)


_STREAM_HEADER = re.compile(
    rb"\s*(\d+)\s+(\d+)\s+obj\s*<<\s*((?:/[A-Za-z]+\s*(?:/[A-Za-z]+|\d+)\s*)*)>>\s*stream\r?\n"
)
_HEADER_ENTRY = re.compile(rb"/([A-Za-z]+)\s*(/[A-Za-z]+|\d+)")


def _raw_flate_object(reader: PdfReader, ref: IndirectObject, cap: int) -> bytes | None:
    """A content stream read straight from the file, without pypdf's object parser.

    Only the plain shape is taken: ``N G obj << /Length n /Filter /FlateDecode >> stream``
    with a direct length and nothing else in the dictionary; anything else gives None (and
    pypdf reads the object instead).
    """
    try:
        offset = reader.xref.get(ref.generation, {}).get(ref.idnum)
        if not isinstance(offset, int) or offset <= 0:
            return None
        stream = reader.stream
        stream.seek(offset)
        head = stream.read(256)
        m = _STREAM_HEADER.match(head)
        if m is None or int(m.group(1)) != ref.idnum or int(m.group(2)) != ref.generation:
            return None
        entries = {k: v for k, v in _HEADER_ENTRY.findall(m.group(3))}
        length = entries.pop(b"Length", b"")
        if not length.isdigit() or set(entries) - {b"Filter"} or entries.get(b"Filter", b"/FlateDecode") != (
            b"/FlateDecode"
        ):
            return None
        stream.seek(offset + m.end())
        raw = stream.read(int(length))
        if b"Filter" not in entries:
            return raw[:cap]
        return zlib.decompressobj().decompress(raw, cap)
    except (OSError, ValueError, zlib.error, AttributeError):
        return None


def _bounded_stream_data(stream: Any, cap: int) -> bytes | None:
    """A content stream's bytes, inflated to at most ``cap`` bytes; None when not plain or Flate."""
    if not isinstance(stream, StreamObject) or cap <= 0:
        return None
    raw = getattr(stream, "_data", None)
    if not isinstance(raw, bytes):
        return None
    filters = _resolve(stream.get("/Filter"))
    if isinstance(filters, ArrayObject):
        filters = filters[0] if len(filters) == 1 else filters
    if filters is None:
        return raw[:cap]
    if filters != "/FlateDecode" or stream.get("/DecodeParms") is not None:
        return None
    try:
        return zlib.decompressobj().decompress(raw, cap)
    except zlib.error:
        return None


def _pdfium_active_content(doc: Any) -> list[str]:
    """What PDFium can tell about active content (used when pypdf cannot parse)."""
    found: list[str] = []
    with contextlib.suppress(Exception):
        if _pdfium_raw.FPDFDoc_GetJavaScriptActionCount(doc.raw) > 0:
            found.append(JAVASCRIPT)
    with contextlib.suppress(Exception):
        if doc.get_formtype() in (
            _pdfium_raw.FORMTYPE_XFA_FULL,
            _pdfium_raw.FORMTYPE_XFA_FOREGROUND,
        ):
            found.append(XFA)
    return found


def _pdfium_attachments(doc: Any) -> list[tuple[str, Any]]:
    """The names of the files attached to the document, as PDFium lists them (bounded)."""
    found: list[tuple[str, Any]] = []
    with contextlib.suppress(Exception):
        count = max(0, int(doc.count_attachments()))
        for index in range(min(count, MAX_ATTACHMENTS)):
            name = ""
            with contextlib.suppress(Exception):
                name = str(doc.get_attachment(index).get_name())
            found.append((name, None))
        if count > MAX_ATTACHMENTS:
            found.append((MORE_ATTACHMENTS, None))
    return found


class _PdfiumOpenError(Exception):
    """PDFium could not open a document; ``password`` when it needs one."""

    def __init__(self, code: int) -> None:
        super().__init__(f"PDFium cannot open the document (error {code})")
        self.password = code == _pdfium_raw.FPDF_ERR_PASSWORD


def _open_pdfium(path: Path, data: bytes | None = None) -> Any:
    """The document opened with an empty password: from ``data`` when the file was read already
    (no second open and read), else from ``path``.

    Opened through the raw API, as ``PdfDocument(path, password="")`` does but without resolving
    the path on disk first; a document with no pages is refused the same way. It is untracked
    (``_Document``, which holds ``data`` until it is closed): the caller closes it after its pages.
    """
    raw = _pdfium_raw
    if data is not None:
        handle = raw.FPDF_LoadMemDocument64(data, len(data), b"\x00")
    else:
        handle = raw.FPDF_LoadDocument(os.fsencode(path) + b"\x00", b"\x00")
    if raw.FPDF_GetPageCount(handle) < 1:
        code = raw.FPDF_GetLastError()
        if handle:
            raw.FPDF_CloseDocument(handle)
        raise _PdfiumOpenError(code)
    return _Document(handle, data)


@contextlib.contextmanager
def _loaded_page(doc: Any, index: int) -> Iterator[Any]:
    """A page of ``doc``, as ``doc[index]`` gives it but untracked (no finalizer, no parent links,
    which cost about a tenth of a small page's time), closed on leaving the block."""
    handle = _pdfium_raw.FPDF_LoadPage(doc.raw, index)
    if not handle:
        raise RuntimeError("PDFium cannot load the page")
    try:
        yield _Page(handle, doc)
    finally:
        _pdfium_raw.FPDF_ClosePage(handle)


def _pdfium_text(doc: Any, index: int) -> str:
    try:
        with _loaded_page(doc, index) as page:
            return _page_text(page)
    except Exception:
        return ""


def _pdfium_page(
    doc: Any, index: int, rules: DeliverableRules, budget: _Budget, want_text: bool
) -> tuple[PageFacts, str]:
    """Facts of one page; its text only when ``want_text`` (building a text page is costly)."""
    with _loaded_page(doc, index) as page:
        text = _page_text(page) if want_text else ""
        if text.strip():
            return PageFacts(index + 1, True, False, None, False), text
        found = _pdfium_objects(page, budget, stop_at_text=not want_text)
        if found.text:
            return PageFacts(index + 1, True, False, None, False), text
        box = _normalise_box(page.get_cropbox())
        geometry = [(w, h, m) for w, h, m, _ in found.images]
        image_only, dpi = _scan_verdict(False, geometry, box)
        empty = found.total == 0 and _pdfium_raw.FPDFPage_GetAnnotCount(page.raw) <= 0
        blank = empty or _pdfium_uniform(page, found, rules, budget)
        return PageFacts(index + 1, False, image_only, dpi, blank), text


def _page_text(page: Any) -> str:
    """A page's text, as ``page.get_textpage().get_text_range`` reads it, without a tracked text page object."""
    handle = _pdfium_raw.FPDFText_LoadPage(page.raw)
    if not handle:
        raise RuntimeError("PDFium cannot load the page's text")
    try:
        textpage = _TextPage(handle, page)
        count = min(textpage.count_chars(), 4 * TEXT_CAP)
        return str(textpage.get_text_range(0, count)) if count > 0 else ""
    finally:
        _pdfium_raw.FPDFText_ClosePage(handle)


if _pdfium is not None:

    class _Document(_pdfium.PdfDocument):  # type: ignore[misc,name-defined]
        """pypdfium2's document methods on a handle the caller closes: no finalizer, no page tracking."""

        def __init__(self, raw: Any, data: bytes | None = None) -> None:
            self.raw = raw
            self.data = data  # PDFium reads a document loaded from memory there until it is closed

        def close(self) -> None:
            if self.raw:
                _pdfium_raw.FPDF_CloseDocument(self.raw)
                self.raw = None
                self.data = None

    class _Page(_pdfium.PdfPage):  # type: ignore[misc,name-defined]
        """pypdfium2's page methods on a handle closed by ``_loaded_page``: no finalizer, no parent links."""

        def __init__(self, raw: Any, pdf: Any) -> None:
            self.raw = raw
            self.pdf = pdf
            self.formenv = None

    class _TextPage(_pdfium.PdfTextPage):  # type: ignore[misc,name-defined]
        """pypdfium2's text page methods on a handle closed by the caller: no finalizer, no parent links."""

        def __init__(self, raw: Any, page: Any) -> None:
            self.raw = raw
            self.page = page


@dataclass
class _Budget:
    """Work allowed for one document's pages, so a hostile file cannot hang the check."""

    objects: int = OBJECT_BUDGET
    render_until: float = field(default_factory=lambda: time.monotonic() + RENDER_SECONDS_TOTAL)


@dataclass
class _PageObjects:
    total: int = 0  # page objects of any kind, including those inside forms
    text: bool = False  # a text object was seen
    exhausted: bool = False  # the object budget ran out (so the page is far from blank)
    other: int = 0  # objects that are neither images nor forms (text, paths, shadings)
    images: list[tuple[int, int, _Matrix, Any]] = field(default_factory=list)
    visible_text: bool = False  # with ``stop_at_visible_text``: a text object drawn other than invisibly


def _pdfium_objects(page: Any, budget: _Budget, stop_at_text: bool, stop_at_visible_text: bool = False) -> _PageObjects:
    """Page objects, with each image's pixel size, matrix to page space and handle. ``stop_at_visible_text``:
    look at each text object's render mode, and stop at the first one that is drawn (not mode 3)."""
    raw = _pdfium_raw
    found = _PageObjects()
    # Each stack entry: (form handle, or None for the page itself; its matrix; depth).
    stack: list[tuple[Any, _Matrix, int]] = [(None, _IDENTITY, 0)]
    while stack:
        container, outer, depth = stack.pop()
        count = (
            raw.FPDFPage_CountObjects(page.raw)
            if container is None
            else raw.FPDFFormObj_CountObjects(container)
        )
        for i in range(max(0, count)):
            if budget.objects <= 0:
                found.exhausted = True
                return found
            budget.objects -= 1
            obj = (
                raw.FPDFPage_GetObject(page.raw, i)
                if container is None
                else raw.FPDFFormObj_GetObject(container, i)
            )
            if not obj:
                continue
            found.total += 1
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                found.text = True
                if stop_at_text:
                    return found
                if stop_at_visible_text and (
                        raw.FPDFTextObj_GetTextRenderMode(obj) != raw.FPDF_TEXTRENDERMODE_INVISIBLE):
                    found.visible_text = True
                    return found
            if kind not in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
                found.other += 1
                continue
            fs = raw.FS_MATRIX()
            if not raw.FPDFPageObj_GetMatrix(obj, fs):
                continue
            matrix = _multiply((fs.a, fs.b, fs.c, fs.d, fs.e, fs.f), outer)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                if depth < 4:
                    stack.append((obj, matrix, depth + 1))
                continue
            width, height = ctypes.c_uint(), ctypes.c_uint()
            if raw.FPDFImageObj_GetImagePixelSize(obj, width, height):
                found.images.append((width.value, height.value, matrix, obj))
    return found


def _pdfium_uniform(page: Any, found: _PageObjects, rules: DeliverableRules, budget: _Budget) -> bool:
    """Is a text-less page visually blank (``looks_blank``)? Unknown (too costly) counts as not blank."""
    if found.exhausted:
        return False
    if found.other == 0 and found.images:
        # Scanned pages: measure the JPEG data itself at reduced scale, much cheaper than
        # rendering (which decodes the whole image).
        histograms = [_pdfium_jpeg_histogram(handle) for *_, handle in found.images]
        if all(histogram is not None for histogram in histograms):
            return all(histogram is not None and looks_blank(histogram, rules) for histogram in histograms)
    if any(w * h > DECODE_PIXEL_CAP for w, h, _, _ in found.images):
        return False  # too large to render safely; a huge image is not a blank page
    histogram = _rendered_histogram(page, budget)
    return histogram is not None and looks_blank(histogram, rules)


def looks_blank(histogram: list[int], rules: DeliverableRules) -> bool:
    """Is a reduced grayscale page (its 256-bin ``histogram``) blank: near-uniform AND without ink?

    Near-uniform: a brightness spread below ``blank_stddev``. That alone calls a light or faded copy
    blank (grey 191 ink on white paper spreads only ~3.5 in the reduced image), so a page is blank
    only when, besides, fewer than ``blank_ink_share`` of its pixels are ink: ``blank_ink_levels`` or
    more darker than the paper (the median). Paper grain, JPEG noise and a blank back side's
    show-through stay within a few levels of the paper.
    """
    total = sum(histogram)
    if total <= 0:
        return True
    if _spread(histogram, total) >= rules.blank_stddev:
        return False
    running, paper = 0, 255
    for value, count in enumerate(histogram):
        running += count
        if 2 * running >= total:
            paper = value
            break
    ink = sum(histogram[: max(0, paper - math.ceil(rules.blank_ink_levels) + 1)])
    return ink < rules.blank_ink_share * total


def _spread(histogram: list[int], total: int) -> float:
    """Standard deviation of the brightness a 256-bin histogram counts."""
    mean = sum(value * count for value, count in enumerate(histogram)) / total
    squares = sum(value * value * count for value, count in enumerate(histogram)) / total
    return math.sqrt(max(0.0, squares - mean * mean))


def _pdfium_jpeg_histogram(handle: Any) -> list[int] | None:
    """Grayscale histogram of a DCT-only image object at reduced scale, or None if it is not one."""
    raw = _pdfium_raw
    if raw.FPDFImageObj_GetImageFilterCount(handle) != 1:
        return None
    name = ctypes.create_string_buffer(32)
    raw.FPDFImageObj_GetImageFilter(handle, 0, name, len(name))
    if name.value != b"DCTDecode":
        return None
    size = raw.FPDFImageObj_GetImageDataRaw(handle, None, 0)
    if not 0 < size <= JPEG_BYTES_CAP:
        return None
    data = ctypes.create_string_buffer(size)
    raw.FPDFImageObj_GetImageDataRaw(handle, data, size)
    return _jpeg_histogram(data.raw)


def _jpeg_histogram(data: bytes) -> list[int] | None:
    """Grayscale histogram of JPEG data decoded at reduced scale; None if it cannot be decoded."""
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            width, height = image.size
            if width * height > 4 * DECODE_PIXEL_CAP:
                return None
            image.draft("L", (RENDER_LONG_SIDE // 2, RENDER_LONG_SIDE // 2))  # at 1/2..1/8 scale
            return image.convert("L").histogram()[:256]
    except Exception:
        return None


def _rendered_histogram(page: Any, budget: _Budget) -> list[int] | None:
    """Grayscale histogram of a small rendering of the page; None if it took too long."""
    raw = _pdfium_raw
    now = time.monotonic()
    deadline = min(now + RENDER_SECONDS, budget.render_until)
    if now >= deadline:
        return None
    page_w, page_h = page.get_size()
    scale = min(2.0, RENDER_LONG_SIDE / max(page_w, page_h, 1.0))
    width, height = max(1, round(page_w * scale)), max(1, round(page_h * scale))
    bitmap = raw.FPDFBitmap_Create(width, height, 0)
    if not bitmap:
        return None
    try:
        raw.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xFFFFFFFF)

        # PDFium asks this between drawing steps; saying "pause" lets us give up in time.
        callback_type = dict(raw.IFSDK_PAUSE._fields_)["NeedToPauseNow"]
        need_to_pause = callback_type(lambda _: int(time.monotonic() > deadline))
        pause = raw.IFSDK_PAUSE(version=1, NeedToPauseNow=need_to_pause)
        flags = raw.FPDF_GRAYSCALE | raw.FPDF_ANNOT
        status = raw.FPDF_RenderPageBitmap_Start(
            bitmap, page.raw, 0, 0, width, height, 0, flags, ctypes.byref(pause)
        )
        while status == raw.FPDF_RENDER_TOBECONTINUED and time.monotonic() <= deadline:
            status = raw.FPDF_RenderPage_Continue(page.raw, ctypes.byref(pause))
        raw.FPDF_RenderPage_Close(page.raw)
        if status != raw.FPDF_RENDER_DONE:
            return None
        stride = raw.FPDFBitmap_GetStride(bitmap)
        data = ctypes.string_at(raw.FPDFBitmap_GetBuffer(bitmap), stride * height)
    finally:
        raw.FPDFBitmap_Destroy(bitmap)
    image = Image.frombuffer("RGBX", (width, height), data, "raw", "BGRX", stride, 1)
    return image.convert("L").histogram()[:256]


def _pages_with_pypdf(reader: PdfReader, options: InspectOptions) -> _Content:
    rules = options.rules
    content = _Content(pages=len(reader.pages))
    texts: list[str] = []
    deadline = time.monotonic() + PYPDF_PAGES_SECONDS
    for index in range(min(content.pages or 0, max(rules.max_pages_examined, rules.text_pages))):
        if time.monotonic() > deadline:
            content.notes.append(f"pages from {index + 1} on were not examined (too complex)")
            break
        want_text = index < rules.text_pages
        try:
            page = reader.pages[index]
            text = _pypdf_text(page) if want_text else ""
            if want_text:
                texts.append(text)
            if index < rules.max_pages_examined:
                facts = _pypdf_page(reader, page, index, text, rules, want_text)
                content.page_facts.append(facts)
        except Exception:
            content.notes.append(f"page {index + 1} could not be analysed")
    for index in _last_page(content.pages or 0, rules):
        with contextlib.suppress(Exception):
            texts.append(_pypdf_text(reader.pages[index]))
    content.text = "\n".join(texts)
    return content


def _last_page(pages: int, rules: DeliverableRules) -> list[int]:
    """The last page, when it is not among the text pages: an approval or sign-off date often sits there."""
    return [pages - 1] if rules.read_last_page and pages > rules.text_pages else []


def _pypdf_text(page: Any) -> str:
    try:
        contents = page.get_contents()
        if contents is not None and len(contents.get_data()) > CONTENT_CAP:
            return ""
        return str(page.extract_text())[: 4 * TEXT_CAP]
    except Exception:
        return ""


@dataclass
class _Drawn:
    """What a content stream draws (pypdf path)."""

    text: bool = False
    paint: bool = False
    too_complex: bool = False
    images: list[tuple[int, int, _Matrix, Any]] = field(default_factory=list)
    budget: int = WALK_CAP  # bytes of content (page plus forms) parsed at most


def _pypdf_page(
    reader: PdfReader,
    page: Any,
    index: int,
    text: str,
    rules: DeliverableRules,
    text_known: bool,
) -> PageFacts:
    if text_known and text.strip():
        return PageFacts(index + 1, True, False, None, False)
    box = _normalise_box(tuple(float(v) for v in page.cropbox))
    drawn = _Drawn()
    contents = page.get_contents()
    if contents is not None:
        if not text_known and _SHOWS_STRING.search(contents.get_data()[:CONTENT_CAP]):
            return PageFacts(index + 1, True, False, None, False)  # skip parsing text pages
        _walk_stream(reader, contents, page.get("/Resources"), _IDENTITY, drawn, 0)
    has_text = bool(text.strip()) if text_known else drawn.text
    if drawn.too_complex:
        has_text = has_text or not text_known
    geometry = [(w, h, m) for w, h, m, _ in drawn.images]
    image_only, dpi = _scan_verdict(has_text, geometry, box)
    blank = False
    if not has_text and not drawn.paint and not drawn.too_complex and not _has_appearances(page):
        blank = all(_image_blank(xobj, rules) for *_, xobj in drawn.images)
    return PageFacts(index + 1, has_text, image_only, dpi, blank)


def _has_appearances(page: Any) -> bool:
    """Annotations that draw something (filled form fields, stamps) make a page not blank."""
    annots = _resolve(page.get("/Annots"))
    if not isinstance(annots, ArrayObject):
        return False
    for annot in annots[:200]:
        annot = _resolve(annot)
        if isinstance(annot, DictionaryObject) and "/AP" in annot:
            return True
    return False


def _walk_stream(
    reader: PdfReader, stream: Any, resources: Any, ctm: _Matrix, drawn: _Drawn, depth: int
) -> None:
    data = stream.get_data() if hasattr(stream, "get_data") else b""
    drawn.budget -= len(data)
    if drawn.budget < 0 or drawn.too_complex:
        drawn.too_complex = True  # e.g. one large form drawn thousands of times
        return
    ops = stream.operations if isinstance(stream, ContentStream) else (
        ContentStream(stream, reader).operations
    )
    xobjects = _resolve(_resolve(resources).get("/XObject")) if isinstance(
        _resolve(resources), DictionaryObject
    ) else None
    stack: list[_Matrix] = []
    for operands, operator in ops:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop() if stack else ctm
        elif operator == b"cm" and len(operands) == 6:
            ctm = _multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif operator in _TEXT_OPERATORS:
            drawn.text = drawn.text or _shows_text(operands)
        elif operator in _PAINT_OPERATORS:
            drawn.paint = True
        elif operator == b"INLINE IMAGE":
            settings = operands.get("settings", {}) if isinstance(operands, dict) else {}
            width = int(settings.get("/W", settings.get("/Width", 0)) or 0)
            height = int(settings.get("/H", settings.get("/Height", 0)) or 0)
            drawn.images.append((width, height, ctm, None))
        elif operator == b"Do" and operands and isinstance(xobjects, DictionaryObject):
            _draw_xobject(reader, xobjects.get(operands[0]), ctm, drawn, depth)


def _draw_xobject(reader: PdfReader, ref: Any, ctm: _Matrix, drawn: _Drawn, depth: int) -> None:
    xobj = _resolve(ref)
    if not isinstance(xobj, DictionaryObject):
        return
    subtype = xobj.get("/Subtype")
    if subtype == "/Image":
        width = int(_resolve(xobj.get("/Width", 0)) or 0)
        height = int(_resolve(xobj.get("/Height", 0)) or 0)
        drawn.images.append((width, height, ctm, xobj))
    elif subtype == "/Form" and depth < 3:
        matrix = xobj.get("/Matrix")
        form_ctm = ctm
        if isinstance(matrix, ArrayObject) and len(matrix) == 6:
            form_ctm = _multiply(tuple(float(v) for v in matrix), ctm)  # type: ignore[arg-type]
        _walk_stream(reader, xobj, xobj.get("/Resources"), form_ctm, drawn, depth + 1)


def _shows_text(operands: Any) -> bool:
    """Does a text-showing operator draw at least one character?"""
    for operand in operands:
        items = operand if isinstance(operand, ArrayObject) else [operand]
        for item in items:
            if isinstance(item, (str, bytes)) and not isinstance(item, NameObject) and item:
                return True
    return False


def _image_blank(xobj: PdfObject | None, rules: DeliverableRules) -> bool:
    """Does an image XObject look blank (``looks_blank``)? Large or undecodable images count as content."""
    histogram = _image_histogram(xobj)
    return histogram is not None and looks_blank(histogram, rules)


def _image_histogram(xobj: PdfObject | None) -> list[int] | None:
    """Grayscale histogram of an image XObject at reduced size; None for a large or undecodable one."""
    if xobj is None or not isinstance(xobj, DictionaryObject):
        return None
    try:
        width = int(_resolve(xobj.get("/Width", 0)))
        height = int(_resolve(xobj.get("/Height", 0)))
        dct = _resolve(xobj.get("/Filter")) in ("/DCTDecode", ["/DCTDecode"])
        if dct and isinstance(xobj, StreamObject):
            histogram = _jpeg_histogram(xobj.get_data())
            if histogram is not None:
                return histogram
        if width * height > DECODE_PIXEL_CAP:
            return None
        image: Image.Image = xobj.decode_as_image()  # type: ignore[attr-defined]
        gray = image.convert("L")
        gray.thumbnail((RENDER_LONG_SIDE, RENDER_LONG_SIDE))
        return gray.histogram()[:256]
    except Exception:
        return None


# --- geometry ------------------------------------------------------------------------


def _multiply(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _normalise_box(box: Any) -> _Box:
    left, bottom, right, top = (float(v) for v in box)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def _placed_area(matrix: _Matrix, box: _Box) -> float:
    """Area of the page box covered by the unit square mapped through ``matrix``."""
    a, b, c, d, e, f = matrix
    xs = [e, a + e, c + e, a + c + e]
    ys = [f, b + f, d + f, b + d + f]
    width = min(max(xs), box[2]) - max(min(xs), box[0])
    height = min(max(ys), box[3]) - max(min(ys), box[1])
    return max(0.0, width) * max(0.0, height)


def _scan_verdict(
    has_text: bool, images: list[tuple[int, int, _Matrix]], box: _Box
) -> tuple[bool, float | None]:
    """(image_only, dpi): does an image cover most of a text-less page, at what DPI."""
    page_area = (box[2] - box[0]) * (box[3] - box[1])
    if has_text or page_area <= 0 or not images:
        return False, None
    covered = 0.0
    dpis: list[float] = []
    for width, height, matrix in images:
        area = _placed_area(matrix, box)
        covered += area
        a, b, c, d, _, _ = matrix
        drawn_w, drawn_h = math.hypot(a, b) / 72, math.hypot(c, d) / 72
        if area >= MIN_IMAGE_SHARE * page_area and drawn_w > 0 and drawn_h > 0 and width > 0:
            dpis.append(min(width / drawn_w, height / drawn_h))
    if covered < IMAGE_COVERAGE * page_area:
        return False, None
    return True, (round(min(dpis), 1) if dpis else None)
