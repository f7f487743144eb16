"""A small file is read once, whole: its hash, its type and a PDF's structure come from that one
read, and the facts are the same as when each step reads the file itself."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager import scan
from packager.inspect import InspectOptions, inspect_file
from packager.inspect.smallfile import SMALL_FILE, Span, read_small, read_span
from packager.ocr.engine import find_engine
from packager.rules import load_rules
from tests import synth

OPTIONS = InspectOptions(load_rules().deliverables, ocr="off")

MAKERS: list[tuple[str, Callable[[Path], Path]]] = [
    ("text.pdf", lambda p: synth.make_text_pdf(p, text_lines=["Milestone 1.1", "May 14, 2026"])),
    ("scan.pdf", lambda p: synth.make_scan_pdf(p)),
    ("active.pdf", lambda p: synth.make_active_pdf(p, "javascript")),
    ("broken.pdf", lambda p: synth.make_truncated_pdf(p)),
    ("photo.jpg", lambda p: synth.make_photo(p, size=(800, 600))),
    ("sheet.xlsx", lambda p: synth.make_office(p, "xlsx")),
    ("report.docx", lambda p: synth.make_office(p, "docx", title="1.1 - Drill report")),
    ("slides.pptx", lambda p: synth.make_office(p, "pptx")),
    ("macro.docm", lambda p: synth.make_docm(p)),
    ("minutes.odt", lambda p: synth.make_odt(p)),
    ("locked.docx", lambda p: (p.write_bytes(_ole(encrypted=True)), p)[1]),
    ("old.doc", lambda p: (p.write_bytes(_ole(encrypted=False)), p)[1]),
    ("cut.docx", lambda p: (p.write_bytes(synth.make_office(p).read_bytes()[:700]), p)[1]),
    ("notes.txt", lambda p: synth.make_text_file(p, "Toolbox talk, May 14, 2026")),
    ("log.csv", lambda p: synth.make_text_file(p, "date,topic\n2026-05-14,Ladders\n")),
    ("empty.pdf", lambda p: (p.write_bytes(b""), p)[1]),
    # Hostile and damaged files take the same path from memory as from disk: the same finding.
    ("corrupt.pdf", lambda p: synth.make_corrupt_pdf(p)),
    ("cut.jpg", lambda p: synth.make_truncated_image(p, fmt="JPEG")),
    ("cut.png", lambda p: synth.make_truncated_image(p, fmt="PNG")),
    ("bomb.png", lambda p: (p.write_bytes(synth.png_declaring(100_000, 100_000)), p)[1]),
]



def _ole(encrypted: bool) -> bytes:
    """An OLE compound file (legacy Office, or an encrypted OOXML package) as far as the inspector reads it."""
    stream = "EncryptedPackage" if encrypted else "WordDocument"
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + stream.encode("utf-16-le") + bytes(2048)


@pytest.mark.parametrize(("name", "make"), MAKERS, ids=[m[0] for m in MAKERS])
def test_facts_from_one_read_are_the_facts_of_reading_the_file(
    tmp_path: Path, name: str, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path / name)
    data = read_small(path)
    assert data == path.read_bytes()
    assert inspect_file(path, OPTIONS, name, data=data) == inspect_file(path, OPTIONS, name)
    if name in ("corrupt.pdf", "cut.jpg", "cut.png", "bomb.png"):
        assert inspect_file(path, OPTIONS, name, data=data).unreadable


@pytest.mark.parametrize("ocr", ["off", "on"])
@pytest.mark.parametrize(("name", "make"), MAKERS, ids=[m[0] for m in MAKERS])
def test_with_the_bytes_read_the_file_itself_is_not_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, make: Callable[[Path], Path], ocr: str
) -> None:
    """Every reader (type, content, OCR) takes the bytes already read: the same facts with the file gone."""
    if ocr == "on" and find_engine() is None:
        pytest.skip("no OCR engine installed")
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")  # OCR reads both times, not from its cache the second
    options = replace(OPTIONS, ocr=ocr)
    path = make(tmp_path / name)
    expected = inspect_file(path, options, name)
    data = path.read_bytes()
    path.unlink()
    assert inspect_file(path, options, name, data=data) == expected


def test_only_small_regular_files_are_read_whole(tmp_path: Path) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(b"x" * SMALL_FILE)
    large = tmp_path / "large.bin"
    large.write_bytes(b"x" * (SMALL_FILE + 1))
    assert read_small(small) == b"x" * SMALL_FILE
    assert read_small(large) is None
    assert read_small(tmp_path / "missing.pdf") is None
    assert read_small(tmp_path) is None  # a folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    assert read_small(pipe) is None  # returns at once: nothing writes to it


ONCE: list[tuple[str, Callable[[Path], Path]]] = [
    ("1.1 - Drill.pdf", lambda p: synth.make_text_pdf(p, text_lines=["Milestone 1.1", "May 14, 2026"])),
    ("2.1 - Scan.pdf", lambda p: synth.make_scan_pdf(p, dpi=300)),
    ("3.1 - Photo.jpg", lambda p: synth.make_photo(p, size=(3000, 2250), quality=95)),
    ("3.2 - Photo 12 MP.jpg", lambda p: synth.make_photo(p, size=(4032, 3024), quality=97)),  # about 6 MB
    ("4.1 - Minutes.docx", lambda p: synth.make_office(p, "docx", title="4.1 - Minutes")),
    ("4.2 - Log.xlsx", lambda p: synth.make_office(p, "xlsx")),
    ("4.3 - Notes.txt", lambda p: synth.make_text_file(p, "Toolbox talk, May 14, 2026")),
]


@pytest.mark.parametrize(("name", "make"), ONCE, ids=[m[0] for m in ONCE])
def test_a_file_is_opened_once_for_its_hash_type_and_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, make: Callable[[Path], Path]
) -> None:
    """It is opened once: pypdf, PDFium and Pillow read the bytes already read, not the file."""
    path = make(tmp_path / name)
    opened = _count_opens(monkeypatch, path)
    facts = scan.inspect_for_checks(path, OPTIONS, path.name)
    assert facts.unreadable is None and facts.sha256 and (facts.page_facts or facts.image or facts.text)
    assert opened == ["os.open"]


@pytest.mark.skipif(find_engine() is None, reason="no OCR engine installed")
def test_a_scan_read_by_ocr_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OCR renders the page from the bytes already read."""
    path = synth.make_scan_pdf(tmp_path / "2.1 - Scan.pdf", dpi=200)
    options = replace(OPTIONS, ocr="on")
    opened = _count_opens(monkeypatch, path)
    facts = scan.inspect_for_checks(path, options, path.name)
    assert facts.ocr is not None and facts.ocr.status == "read"
    assert opened == ["os.open"]


def _javascript_in_a_broken_pdf(path: Path) -> Path:
    """A PDF with a script whose cross-reference table is gone: found by the raw byte scan."""
    data = synth.make_active_pdf(path, "javascript").read_bytes()
    path.write_bytes(data[: data.rindex(b"xref")] + b"%%EOF\n")
    return path


DAMAGED: list[tuple[str, Callable[[Path], Path]]] = [
    ("truncated.pdf", lambda p: synth.make_truncated_pdf(p)),  # no end-of-file marker: the repair verdict
    ("corrupt.pdf", lambda p: synth.make_corrupt_pdf(p)),
    ("script.pdf", _javascript_in_a_broken_pdf),
]


@pytest.mark.parametrize(("name", "make"), DAMAGED, ids=[m[0] for m in DAMAGED])
def test_a_damaged_pdf_is_opened_once_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, make: Callable[[Path], Path]
) -> None:
    """The byte scan for scripts and the end-of-file marker read the bytes already read."""
    path = make(tmp_path / name)
    alone = inspect_file(path, OPTIONS, name)  # each step reading the file itself
    opened = _count_opens(monkeypatch, path)
    facts = scan.inspect_for_checks(path, OPTIONS, name)
    assert opened == ["os.open"]
    assert facts == alone
    if name == "script.pdf":
        assert any("JavaScript" in a or "script" in a.lower() for a in facts.active_content)


def _count_opens(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The opens of ``path`` from now on (Python's and PDFium's), as they happen."""
    from packager.inspect import pdf

    assert path.stat().st_size <= SMALL_FILE
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def counting_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(path):
            opened.append("open")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    def counting_os_open(file: object, *args: object, **kwargs: object) -> int:
        if str(file) == str(path):
            opened.append("os.open")
        return real_os_open(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(os, "open", counting_os_open)
    monkeypatch.setattr(io, "open", counting_open)  # Path.open
    real_load = pdf._pdfium_raw.FPDF_LoadDocument

    def counting_load(file: bytes, password: bytes) -> object:
        opened.append("PDFium")
        return real_load(file, password)

    monkeypatch.setattr(pdf._pdfium_raw, "FPDF_LoadDocument", counting_load)
    return opened


def _identity(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


@settings(max_examples=60, deadline=None, derandomize=True)
@given(content=st.binary(min_size=0, max_size=3000), start=st.integers(0, 3200), length=st.integers(0, 3200))
def test_a_span_reads_exactly_its_bytes_or_nothing(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, start: int, length: int
) -> None:
    """``read_span`` is the slice of the container it names, or None when the container has not that many
    bytes there."""
    path = tmp_path_factory.mktemp("span") / "received.zip"
    path.write_bytes(content)
    got = read_span(Span(path, start, length, _identity(path)))
    assert got == (content[start:start + length] if start + length <= len(content) else None)


def test_a_span_of_a_changed_or_replaced_container_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "received.zip"
    path.write_bytes(b"0123456789")
    span = Span(path, 2, 3, _identity(path))
    assert read_span(span) == b"234"
    os.utime(path, ns=(0, 0))  # changed since the entry was checked
    assert read_span(span) is None
    path.unlink()
    path.write_bytes(b"0123456789")  # another file under the same name
    assert read_span(span) is None or _identity(path) == span.identity
    assert read_span(Span(tmp_path / "gone.zip", 0, 1, span.identity)) is None
    assert read_span(Span(path, 0, SMALL_FILE + 1, _identity(path))) is None  # never more than a small file


def test_an_entry_that_cannot_be_read_in_place_any_more_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")  # from the cache its facts need no reading at all
    path = synth.make_text_pdf(tmp_path / "received.zip", text_lines=["Milestone 1.1", "May 14, 2026"])
    data = path.read_bytes()
    span = Span(path, 0, len(data), _identity(path))
    digest = hashlib.sha256(data).hexdigest()
    assert scan.inspect_for_checks(span, OPTIONS, "1.1 - Drill.pdf", digest) == inspect_file(
        path, OPTIONS, "1.1 - Drill.pdf", digest)
    os.utime(path, ns=(0, 0))
    facts = scan.inspect_for_checks(span, OPTIONS, "1.1 - Drill.pdf", digest)
    assert facts.size == len(data) and facts.sha256 == digest
    assert facts.unreadable == (
        "it could not be read from the zip again: the zip changed or was moved while it was checked")


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(content=st.binary(min_size=1, max_size=4000), flip=st.integers(0, 10_000))
def test_a_deflated_span_is_its_file_exactly_or_nothing(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, flip: int
) -> None:
    """Inflated, a span is the entry's bytes with its checksum; damaged compressed bytes, a wrong size or
    a wrong checksum give None, never other bytes."""
    packed = _deflate(content)
    path = tmp_path_factory.mktemp("span") / "received.zip"
    path.write_bytes(b"PK" + packed + b"tail")
    crc = zlib.crc32(content)

    def read(length: int = len(content), checksum: int = crc) -> bytes | None:
        return read_span(Span(path, 2, length, _identity(path), deflated=len(packed), crc=checksum))

    assert read() == content
    assert read(checksum=crc ^ 1) is None
    assert read(length=len(content) - 1) is None  # more data than the zip says: never read past it
    assert read(length=len(content) + 1) is None
    damaged = bytearray(packed)
    damaged[flip % len(damaged)] ^= 0x5A
    path.write_bytes(b"PK" + bytes(damaged) + b"tail")
    assert read() in (None, content)


def test_a_deflated_span_that_would_inflate_far_past_its_size_stops_at_once(tmp_path: Path) -> None:
    bomb = _deflate(bytes(10_000_000))
    path = tmp_path / "received.zip"
    path.write_bytes(bomb)
    assert read_span(Span(path, 0, 1000, _identity(path), deflated=len(bomb), crc=zlib.crc32(bytes(1000)))) is None
