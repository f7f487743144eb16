"""inspect_file on real-world public files (../shared/corpus, see its SOURCES.md).

Every file must be inspected without raising, with bounded output; known facts are
checked file by file. Skipped cleanly when the corpus is not present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import packager.inspect.pdf as pdf_module
from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.rules import DeliverableRules
from tests.shared_corpus import corpus_root

CORPUS = corpus_root()
FOLDERS = ("pdf", "image", "office")
OPTIONS = InspectOptions(DeliverableRules(), ocr="off")  # inspection alone; OCR has its own tests
PDFIUM = pdf_module._pdfium is not None


def _files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(f for folder in FOLDERS if (CORPUS / folder).is_dir()
                  for f in (CORPUS / folder).iterdir() if f.is_file())


_cache: dict[str, FileFacts] = {}


def facts_of(name: str) -> FileFacts:
    """Facts of a corpus file by name (inspected once per test session)."""
    if name not in _cache:
        matches = [f for f in _files() if f.name == name]
        if not matches:
            pytest.skip(f"{name} is not in the corpus at {CORPUS}")
        _cache[name] = inspect_file(matches[0], OPTIONS)
    return _cache[name]


@pytest.mark.parametrize("path", _files() or [None], ids=lambda p: p.name if p else "absent")
def test_every_file_is_inspected_with_bounded_output(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"no corpus at {CORPUS}")
    facts = inspect_file(path, OPTIONS)
    assert isinstance(facts, FileFacts)
    assert facts.size == path.stat().st_size and len(facts.sha256) == 64
    assert len(facts.text) <= 20_000
    assert len(facts.page_facts) <= OPTIONS.rules.max_pages_examined
    _cache.setdefault(path.name, facts)


# --- PDF -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pdfjs__empty_protected.pdf", "pdfjs__bug900822.pdf"])
def test_empty_password(name: str) -> None:
    if name == "pdfjs__empty_protected.pdf" and not PDFIUM:
        pytest.skip("AES without the cryptography package needs pypdfium2")
    facts = facts_of(name)
    assert facts.encrypted and facts.empty_password
    assert facts.pages == 1
    if name == "pdfjs__bug900822.pdf":
        assert facts.print_allowed is True  # /P -60: printing allowed (RC4-40, no user password)


@pytest.mark.parametrize(
    "name",
    [
        "pysf__libreoffice-writer-password.pdf",
        "pdfjs__issue3371.pdf",
        "pdfjs__issue6010_1.pdf",
        "pdfjs__saslprep-r6.pdf",
    ],
)
def test_real_password(name: str) -> None:
    facts = facts_of(name)
    assert facts.encrypted and not facts.empty_password
    assert facts.text == "" and facts.unreadable is None


@pytest.mark.parametrize(
    "name",
    [
        "pdfjs__autoprint.pdf",
        "pdfjs__evaljs.pdf",
        "pdfjs__js-buttons.pdf",
        "pdfjs__doc_actions.pdf",
        "pdfjs__issue15590.pdf",
        "pdfjs__xfa_filled_imm1344e.pdf",
    ],
)
def test_javascript(name: str) -> None:
    assert pdf_module.JAVASCRIPT in facts_of(name).active_content


def test_embedded_files() -> None:
    """A photo and a PDF 2.0 accessibility (MathML) file attached: named, not active content."""
    for name, attached in [("pysf__with-attachment.pdf", "'image.png'"), ("pdfjs__bug2025674.pdf", "'mathml-1.xml'")]:
        facts = facts_of(name)
        assert facts.active_content == () and attached in facts.attachments


@pytest.mark.parametrize("name", ["pdfjs__xfa_issue14315.pdf", "pdfjs__xfa_filled_imm1344e.pdf"])
def test_xfa(name: str) -> None:
    assert pdf_module.XFA in facts_of(name).active_content


@pytest.mark.parametrize(
    "name",
    [
        "pysf__minimal-document.pdf",
        "pdfjs__tracemonkey.pdf",
        "pdfjs__alphatrans.pdf",  # its /OpenAction is a plain destination
        "pysf__pdflatex-forms.pdf",
        "pdfjs__prefilled_f1040.pdf",
        "pdfjs__signed_verified.pdf",
    ],
)
def test_no_active_content(name: str) -> None:
    assert facts_of(name).active_content == ()


@pytest.mark.parametrize(
    ("name", "dpi"),
    [
        ("ocrmypdf__c02-22.pdf", 150),
        ("ocrmypdf__linn.pdf", 300),
        ("ocrmypdf__jbig2.pdf", 300),
        ("ocrmypdf__kcs.pdf", 300),
    ],
)
def test_scanned_pages(name: str, dpi: float) -> None:
    facts = facts_of(name)
    page = facts.page_facts[0]
    assert page.image_only and not page.has_text and not page.blank
    assert page.dpi == pytest.approx(dpi, rel=0.02)


def test_text_pdfs() -> None:
    facts = facts_of("pdfjs__tracemonkey.pdf")
    assert facts.pages == 14 and len(facts.page_facts) == 14
    assert "Trace-based Just-in-Time" in facts.text
    assert all(p.has_text and not p.image_only for p in facts.page_facts)
    assert facts_of("pdfjs__pdfjs_wikipedia.pdf").title == "PDF.js - Wikipedia"


@pytest.mark.parametrize(
    "name",
    [
        "pdfjs__bug1020226.pdf",
        "ocrmypdf__invalid.pdf",
        "pdfjs__issue9105_other.pdf",
        "pysf__unreadablemetadata.pdf",
    ],
)
def test_unreadable_pdfs(name: str) -> None:
    assert facts_of(name).unreadable is not None


@pytest.mark.parametrize(
    "name", ["pdfjs__helloworld-bad.pdf", "pdfjs__xref_command_missing.pdf", "pdfjs__scan-bad.pdf"]
)
def test_damaged_but_readable_pdfs(name: str) -> None:
    facts = facts_of(name)
    assert facts.unreadable is None and facts.pages == 1


def test_searchable_scan_from_a_copier() -> None:
    """A Canon copier's "searchable" scan: a page image with its OCR text drawn invisibly (3 Tr) over it."""
    if not PDFIUM:
        pytest.skip("needs pypdfium2")
    assert facts_of("pdfjs__scan-bad.pdf").hidden_text_pages == (1,)
    assert facts_of("pdfjs__tracemonkey.pdf").hidden_text_pages == ()  # born-digital text


def test_damaged_pdf_pdfium_reads() -> None:
    """Junk before the header and no startxref value: pypdf fails, PDFium (Chrome, Edge) reads it."""
    if not PDFIUM:
        pytest.skip("needs pypdfium2")
    facts = facts_of("pdfjs__issue6069.pdf")
    assert facts.unreadable is None and facts.pages == 1 and "startxref" in facts.text
    assert facts.damaged is not None and "end-of-file" in facts.damaged


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ocrmypdf__c02-22.pdf", "2015-07-22"),  # D:20150722100404Z00'00'
        ("pysf__output_with_metadata_pymupdf.pdf", "2023-04-10"),  # Z followed by an offset
        ("pdfjs__issue9252.pdf", "2017-12-01"),  # "2017124"
    ],
)
def test_odd_metadata_dates(name: str, expected: str) -> None:
    metadata = [str(d.date) for d in facts_of(name).dates if d.source == "metadata"]
    assert expected in metadata


def test_pdf_without_info_dictionary() -> None:
    facts = facts_of("ocrmypdf__missing_docinfo.pdf")
    assert facts.unreadable is None and facts.title is None
    assert not [d for d in facts.dates if d.source == "metadata"]


# --- images --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "orientation", "size"),
    [
        ("exif__portrait_8.jpg", 8, (450, 600)),
        ("exif__landscape_6.jpg", 6, (600, 450)),
        ("exif__landscape_3.jpg", 3, (600, 450)),
        ("pillow__hopper_orientation_6.jpg", 6, (128, 128)),
    ],
)
def test_orientation(name: str, orientation: int, size: tuple[int, int]) -> None:
    image = facts_of(name).image
    assert image is not None
    assert image.orientation == orientation
    assert (image.width, image.height) == size


@pytest.mark.parametrize(
    ("name", "taken"),
    [("exif__Canon_40D.jpg", "2008-05-30"), ("exif__DSCN0010.jpg", "2008-10-22")],
)
def test_exif_dates(name: str, taken: str) -> None:
    facts = facts_of(name)
    assert facts.image is not None and str(facts.image.exif_date) == taken
    assert str(facts.dates[0].date) == taken and facts.dates[0].source == "metadata"


def test_heic() -> None:
    facts = facts_of("exif__IMG_5195.HEIC")
    assert facts.kind == "heic"
    from packager.inspect.image import HEIF_AVAILABLE

    if HEIF_AVAILABLE:
        assert facts.image is not None and facts.image.exif_date is not None
    else:
        assert facts.image is None and facts.notes


@pytest.mark.parametrize(
    "name", ["pillow__truncated_jpeg.jpg", "pillow__broken.png", "pillow__truncated_image.png"]
)
def test_unreadable_images(name: str) -> None:
    facts = facts_of(name)
    assert facts.unreadable is not None and facts.image is None


@pytest.mark.parametrize(
    "name", ["pillow__decompression_bomb.gif", "pillow__png_decompression_dos.png"]
)
def test_decompression_bombs_are_bounded(name: str) -> None:
    facts = facts_of(name)
    assert facts.unreadable is not None or (
        facts.image is not None and facts.image.width * facts.image.height < 10_000_000
    )


def test_first_frame_of_multipage_tiff() -> None:
    facts = facts_of("pillow__multipage.tiff")
    assert facts.kind == "tiff" and facts.image is not None and facts.unreadable is None


def test_bad_exif_does_not_break_the_image() -> None:
    facts = facts_of("pillow__invalid-exif.jpg")
    assert facts.unreadable is None and facts.image is not None


# --- office --------------------------------------------------------------------------


def test_vba_project() -> None:
    facts = facts_of("oletools__oleform-PR314.docm")
    assert facts.kind == "docm"
    assert "macros (vbaProject.bin)" in facts.active_content


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("oletools__harmless-clean.docm", "docm"),  # macro-enabled type, no vbaProject.bin
        ("oletools__excel4_sample_macro.xlsm", "xlsm"),  # an XLM macro sheet, no VBA
    ],
)
def test_macro_enabled_formats(name: str, kind: str) -> None:
    facts = facts_of(name)
    assert facts.kind == kind
    assert facts.macro_format == kind
    assert "macros (vbaProject.bin)" not in facts.active_content
    if name == "oletools__harmless-clean.docm":
        assert facts.active_content == ()  # no macros: a warning about the format, not active content


def test_excel4_macro_sheet() -> None:
    active = facts_of("oletools__excel4_sample_macro.xlsm").active_content
    assert "Excel 4 macro sheets (xl/macrosheets)" in active


@pytest.mark.parametrize("name", ["oletools__encrypted.docx", "oletools__encrypted.xlsm"])
def test_encrypted_office(name: str) -> None:
    facts = facts_of(name)
    assert facts.kind == "ole"  # an encrypted package is an OLE container, not a zip
    assert facts.encrypted and not facts.empty_password


def test_clean_docx() -> None:
    facts = facts_of("oletools__harmless-clean.docx")
    assert facts.kind == "docx" and facts.active_content == () and facts.unreadable is None
    assert [d for d in facts.dates if d.source == "metadata"]


def test_dde() -> None:
    assert any("DDE" in a for a in facts_of("oletools__dde-test.docx").active_content)
    assert any("DDE" in a for a in facts_of("oletools__dde-test.xlsx").active_content)


def test_external_link_is_noted() -> None:
    facts = facts_of("oletools__sample_with_external_link_to_doc.docx")
    assert facts.kind == "docx"
    assert any("external" in n for n in facts.notes)
