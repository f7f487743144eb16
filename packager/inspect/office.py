"""Office documents: OOXML (docx/xlsx/pptx and macro variants), OpenDocument and OLE.

Zip members are read with a hard cap whatever size they declare, XML with a DOCTYPE or
ENTITY declaration is refused (no entity expansion), and document text is pulled out of
the raw XML with a regular expression so a member cut at the cap still yields its text.
"""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from packager import dates
from packager.inspect import ole
from packager.inspect.facts import TEXT_CAP, FileFacts, FoundDate, InspectOptions
from packager.inspect.margins import MARGIN_CHARS, keep_lines, one_line
from packager.inspect.odfdates import typed_dates
from packager.inspect.rtf import EMBEDDED_OBJECTS
from packager.inspect.xlsxdates import sheet_cells
from packager.inspect.xmlstream import StopParsing, parse_untrusted

MEMBER_CAP = 4_000_000  # bytes read from any one zip member
XML_META_CAP = 1_000_000  # core.xml / meta.xml larger than this are not parsed
MAX_MEMBERS = 20_000
MAX_TEXT_PARTS = 50  # slides or parts read for text
MAX_MARGIN_PARTS = 12  # a Word document's page headers and footers read (Word writes up to 3 of each per section)
MARGIN_CAP = 64 * 1024  # bytes read from one header or footer part
OLE_SCAN_CAP = 64 * 1024 * 1024
_CHUNK = 1024 * 1024

MACRO_EXTENSIONS = frozenset(
    {"docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "pptm", "potm", "ppsm", "ppam"}
)
MACRO_KINDS = frozenset({"docm", "xlsm", "pptm"})

_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
@dataclass(frozen=True)
class _TextSpec:
    """Elements whose character data is text (None: all of it), and elements that end a line or tab."""

    text: frozenset[str] | None
    breaks: frozenset[str] = frozenset()
    tabs: frozenset[str] = frozenset()


_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_UNSAFE_XML = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Which elements hold a part's text (raw qualified names, as the formats write them): the text is
# read with a streaming XML parser (expat, linear time whatever the input), never with a regex.
_WORD_TEXT = _TextSpec(text=frozenset({"w:t"}), breaks=frozenset({"w:p", "w:br"}), tabs=frozenset({"w:tab"}))
_DRAWING_TEXT = _TextSpec(text=frozenset({"a:t"}), breaks=frozenset({"a:p"}))
_SHEET_TEXT = _TextSpec(text=frozenset({"t"}), breaks=frozenset({"si"}))
_ODF_TEXT = _TextSpec(text=None, breaks=frozenset({"text:p", "text:h"}))
_ODF_MARGINS = {
    **dict.fromkeys(("style:header", "style:header-left", "style:header-first"), "header"),
    **dict.fromkeys(("style:footer", "style:footer-left", "style:footer-first"), "footer"),
}
# Bounded quantifiers keep these searches linear on a tag that is never closed.
_DDE_INSTRUCTION = re.compile(rb'(?:<w:instrText[^>]{0,1024}>|w:instr=")\s{0,64}DDE(?:AUTO)?\b')
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]{0,4096}>")
_SLIDE = re.compile(r"ppt/slides/slide(\d+)\.xml")
_MARGIN = re.compile(r"word/(header|footer)(\d+)\.xml")

_OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")


def inspect_office(
    path: Path, base: FileFacts, options: InspectOptions, name: str, data: bytes | None = None
) -> FileFacts:
    """Facts of an Office document (from ``data`` when the whole file was read already); a broken
    container becomes ``unreadable``."""
    if base.kind == "ole":
        return _inspect_ole(path, base, options, data)
    try:
        archive = zipfile.ZipFile(path if data is None else io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        return replace(base, unreadable=f"the document is damaged: {_zip_problem(exc)}")
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            return replace(base, unreadable=f"the document has {len(infos):,} parts, too many")
        names = [info.filename for info in infos]
        if base.kind == "odf":
            return _inspect_odf(archive, names, base, options)
        return _inspect_ooxml(archive, names, base, options, name)


def _inspect_ooxml(
    archive: zipfile.ZipFile,
    names: list[str],
    base: FileFacts,
    options: InspectOptions,
    name: str,
) -> FileFacts:
    body = _read(archive, "word/document.xml", MEMBER_CAP) if "word/document.xml" in names else b""
    active = _ooxml_active_content(archive, names, base.kind, name, body)
    notes: list[str] = []
    title: str | None = None
    meta_dates: list[FoundDate] = []
    if "docProps/core.xml" in names:
        title, meta_dates = _core_properties(_read(archive, "docProps/core.xml", XML_META_CAP))
    text = _ooxml_text(archive, names, base.kind, body)
    typed: list[FoundDate] = []
    if base.kind in ("xlsx", "xlsm"):
        # Dates typed into cells, the printed page headers and footers, and text written in the cells
        # themselves: the shared strings hold none of them. A page header comes first: it labels the sheet.
        cells = sheet_cells(archive, names)
        typed = cells.dates
        text = "\n".join(part for part in (cells.header, text, cells.text) if part)
    if any(n.lower().endswith(".bin") and "/embeddings/oleobject" in n.lower() for n in names):
        notes.append(EMBEDDED_OBJECTS)
    if _has_external_links(archive, names):
        notes.append("it links to external files or web addresses")
    found = dates.find_dates(text, "content", options.window) + typed
    return replace(
        base,
        text=text[:TEXT_CAP],
        title=title,
        dates=(*base.dates, *found, *meta_dates),
        active_content=tuple(dict.fromkeys((*base.active_content, *active))),
        macro_format=macro_format(base.kind, name),
        notes=(*base.notes, *notes),
    )


def macro_format(kind: str, name: str) -> str | None:
    """The macro-enabled format (docm, xltm…) an Office file is saved in, by its name or else its content."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in MACRO_EXTENSIONS:
        return ext
    return kind if kind in MACRO_KINDS else None


def _ooxml_active_content(
    archive: zipfile.ZipFile, names: list[str], kind: str, name: str, body: bytes
) -> list[str]:
    active: list[str] = []
    lowered = [n.lower() for n in names]
    if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lowered):
        active.append("macros (vbaProject.bin)")
    if any(n.startswith("xl/macrosheets/") for n in lowered):
        active.append("Excel 4 macro sheets (xl/macrosheets)")
    if any("/activex/" in n for n in lowered):
        active.append("ActiveX controls (activeX)")
    if _DDE_INSTRUCTION.search(body):
        active.append("a DDE field that can run commands (DDEAUTO)")
    links = [n for n in names if n.lower().startswith("xl/externallinks/")][:100]
    if any(b"<ddeLink" in _read(archive, n, MEMBER_CAP) for n in links if n.endswith(".xml")):
        active.append("a DDE link that can run commands (ddeLink)")
    return active


def _ooxml_text(archive: zipfile.ZipFile, names: list[str], kind: str, body: bytes) -> str:
    if kind in ("docx", "docm"):
        header, footer = _page_margins(archive, names)
        return "\n".join(part for part in (header, _xml_text(body, _WORD_TEXT), footer) if part)
    if kind in ("xlsx", "xlsm"):
        return _xml_text(_read(archive, "xl/sharedStrings.xml", MEMBER_CAP), _SHEET_TEXT)
    if kind in ("pptx", "pptm"):
        slides = sorted(
            (int(m.group(1)), n) for n in names if (m := _SLIDE.fullmatch(n)) is not None
        )
        parts: list[str] = []
        total = 0
        for _, slide in slides[:MAX_TEXT_PARTS]:
            part = _xml_text(_read(archive, slide, MEMBER_CAP), _DRAWING_TEXT)
            parts.append(part)
            total += len(part)
            if total > TEXT_CAP:
                break
        return "\n".join(parts)
    return ""


def _page_margins(archive: zipfile.ZipFile, names: list[str]) -> tuple[str, str]:
    """The text of a Word document's page headers, and of its footers, each on one line.

    What is printed at the top of every page is the document's header as a reviewer reads it: it
    comes first, on one line ('ACME | Milestone 1.2 | Drill report'), so it labels the document
    without pushing the body's own first lines out of the header. A footer ('Revised May 14, 2026')
    dates it as any other text does; it comes after the body.
    """
    parts = sorted((m.group(1) != "header", int(m.group(2)), m.group(1), n)
                   for n in names if (m := _MARGIN.fullmatch(n)) is not None)
    lines: dict[str, dict[str, None]] = {"header": {}, "footer": {}}  # in order, each line once
    for _footer, _number, where, part in parts[:MAX_MARGIN_PARTS]:
        keep_lines(lines[where], _xml_text(_read(archive, part, MARGIN_CAP), _WORD_TEXT))
    return one_line(lines["header"]), one_line(lines["footer"])


def _odf_margins(data: bytes) -> tuple[str, str]:
    """The text of an OpenDocument's page headers, and of its footers, each on one line (as Word's).

    They are in styles.xml, in each master page's <style:header> and <style:footer> (and their -left and
    -first variants); parsing stops once the master pages have been read.
    """
    lines: dict[str, dict[str, None]] = {"header": {}, "footer": {}}
    current: list[str] = []
    size = 0  # characters in ``current``: one header's text, bounded
    where: str | None = None
    depth = 0  # elements open inside the header or footer being read

    def add(piece: str) -> None:
        nonlocal size
        if size < MARGIN_CHARS:
            current.append(piece[: MARGIN_CHARS - size])
            size += len(current[-1])

    def start(name: str, _attrs: object) -> None:
        nonlocal where, depth
        if where is None:
            where = _ODF_MARGINS.get(name)
            depth = 0
        else:
            depth += 1
            if name in ("text:s", "text:tab", "text:line-break"):
                add(" ")

    def end(name: str) -> None:
        nonlocal where, depth, size
        if name == "office:master-styles":
            raise StopParsing
        if where is None:
            return
        if depth == 0 or name in ("text:p", "text:h"):
            add("\n")
        if depth == 0:
            keep_lines(lines[where], "".join(current))
            current.clear()
            size = 0
            where = None
        else:
            depth -= 1

    def chars(text: str) -> None:
        if where is not None:
            add(text)

    parse_untrusted(data, start=start, end=end, chars=chars)
    if where is not None:  # a part cut at the member cap, or broken: what was read of the header counts
        keep_lines(lines[where], "".join(current))
    return one_line(lines["header"]), one_line(lines["footer"])


def _inspect_odf(
    archive: zipfile.ZipFile, names: list[str], base: FileFacts, options: InspectOptions
) -> FileFacts:
    active: list[str] = []
    if any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("-lc.xml") for n in names):
        active.append("macros (Basic)")
    title: str | None = None
    meta_dates: list[FoundDate] = []
    if "meta.xml" in names:
        title, meta_dates = _odf_meta(_read(archive, "meta.xml", XML_META_CAP))
    text = ""
    typed: list[FoundDate] = []
    if "content.xml" in names:
        content = _read(archive, "content.xml", MEMBER_CAP)
        text = _xml_text(content, _ODF_TEXT)
        # A date cell or date field keeps its date apart from the text it shows ('10 Jun'), as an .xlsx does.
        typed = typed_dates(content)
    if "styles.xml" in names:
        # A page header comes first, as in Word: it labels the document.
        header, footer = _odf_margins(_read(archive, "styles.xml", MEMBER_CAP))
        text = "\n".join(part for part in (header, text, footer) if part)
    found = dates.find_dates(text, "content", options.window) + typed
    return replace(
        base,
        text=text[:TEXT_CAP],
        title=title,
        dates=(*base.dates, *found, *meta_dates),
        active_content=(*base.active_content, *active),
    )


def _inspect_ole(path: Path, base: FileFacts, options: InspectOptions, data: bytes | None = None) -> FileFacts:
    """Legacy Office or an encrypted OOXML package (both are OLE compound files).

    The compound file's directory names its streams in UTF-16: an encrypted OOXML package
    has an "EncryptedPackage" stream and a VBA project a "_VBA_PROJECT" stream. The words of an
    Outlook message or a Word 97-2003 document are read (packager.inspect.ole); those of other
    legacy files are not, and ``words_unread`` says so.
    """
    encrypted = False
    macros = False
    tail = b""
    read = 0
    with path.open("rb") if data is None else io.BytesIO(data) as fh:
        while read < OLE_SCAN_CAP:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            window = tail + chunk
            encrypted = encrypted or _OLE_ENCRYPTED in window
            macros = macros or _OLE_VBA in window
            tail = window[-64:]
        words = ole.OleWords() if encrypted else ole.read_words(fh, fh.seek(0, io.SEEK_END))
    active = ["macros (VBA project)"] if macros else []
    notes = [*words.notes, *([words.unread] if words.unread else [])]
    found = dates.find_dates(words.text, "content", options.window)
    return replace(
        base,
        encrypted=encrypted or words.encrypted,  # a reviewer cannot open either without the password
        text=words.text[:TEXT_CAP],
        title=words.title,
        dates=(*base.dates, *found, *words.dates),
        active_content=(*base.active_content, *active),
        notes=(*base.notes, *notes),
        words_unread=words.unread,
    )


def _read(archive: zipfile.ZipFile, member: str, cap: int) -> bytes:
    """At most ``cap`` decompressed bytes of a member; b"" if missing or unreadable."""
    try:
        with archive.open(member) as fh:
            return fh.read(cap)
    except Exception:
        return b""


def _xml_text(data: bytes, spec: _TextSpec) -> str:
    """The text of an XML part, read by expat in one linear pass.

    DTDs are refused (no entity expansion); a part cut at the member cap, or broken later on,
    still gives the text read up to that point. At most 4 x TEXT_CAP characters are kept.
    """
    pieces: list[str] = []
    size = 0
    depth = 0  # inside how many text elements

    def add(piece: str) -> None:
        nonlocal size
        pieces.append(piece)
        size += len(piece)
        if size > 4 * TEXT_CAP:
            raise StopParsing

    def start(name: str, _attrs: object) -> None:
        nonlocal depth
        if spec.text is not None and name in spec.text:
            depth += 1
        elif name in spec.tabs:
            add("\t")

    def end(name: str) -> None:
        nonlocal depth
        if spec.text is not None and name in spec.text:
            depth = max(0, depth - 1)
        elif name in spec.breaks:
            add("\n")

    def chars(text: str) -> None:
        if spec.text is None or depth:
            add(text)

    parse_untrusted(data, start=start, end=end, chars=chars)
    return "".join(pieces).strip()


def _safe_xml(data: bytes) -> ET.Element | None:
    if not data or len(data) >= XML_META_CAP or _UNSAFE_XML.search(data):
        return None
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        return None


def _metadata(
    data: bytes, title_path: str, date_paths: tuple[str, ...], ns: dict[str, str]
) -> tuple[str | None, list[FoundDate]]:
    """Title and dates from an office metadata part (OOXML core.xml or ODF meta.xml)."""
    root = _safe_xml(data)
    if root is None:
        return None, []
    title_el = root.find(title_path, ns)
    title = (title_el.text or "").strip() or None if title_el is not None else None
    found: list[FoundDate] = []
    for tag in date_paths:
        el = root.find(tag, ns)
        if el is not None and el.text:
            when = _iso_date(el.text)
            if when:
                found.append(FoundDate(when, "metadata", el.text.strip()))
    return title, found


def _core_properties(data: bytes) -> tuple[str | None, list[FoundDate]]:
    return _metadata(data, "dc:title", ("dcterms:created", "dcterms:modified"), _NS)


def _odf_meta(data: bytes) -> tuple[str | None, list[FoundDate]]:
    ns = {"meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0", **_NS}
    return _metadata(data, ".//dc:title", (".//meta:creation-date", ".//dc:date"), ns)


def _iso_date(text: str) -> datetime.date | None:
    m = _ISO_DATE.match(text)
    if not m:
        return None
    try:
        when = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return when if when.year >= 1900 else None


def _has_external_links(archive: zipfile.ZipFile, names: list[str]) -> bool:
    rels_parts = [n for n in names if n.endswith(".rels")][:200]
    for part in rels_parts:
        # Hyperlinks are ordinary; other external targets fetch content when opened.
        for m in _RELATIONSHIP.finditer(_read(archive, part, MEMBER_CAP)):
            tag = m.group(0)
            if b'TargetMode="External"' in tag and b"/hyperlink" not in tag:
                return True
    return False


def _zip_problem(exc: BaseException) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "its zip container is broken or truncated"
    return f"its zip container cannot be read ({type(exc).__name__})"
