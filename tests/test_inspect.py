"""inspect_file on generated files: every fact the checks rely on."""

from __future__ import annotations

import datetime as dt
import pickle
import random
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageFile

import packager.inspect.pdf as pdf_module
from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.inspect.sniff import sniff
from packager.rules import DeliverableRules
from tests import synth

OPTIONS = InspectOptions(DeliverableRules())
MAY_14 = dt.date(2026, 5, 14)


@pytest.fixture(params=["pdfium", "pypdf"])
def pdf_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run PDF tests with PDFium and again with pypdf alone (PDFium is optional)."""
    if request.param == "pdfium" and pdf_module._pdfium is None:
        pytest.skip("pypdfium2 is not installed")
    if request.param == "pypdf":
        monkeypatch.setattr(pdf_module, "_pdfium", None)
    yield request.param


def inspect(path: Path, **kwargs: object) -> FileFacts:
    facts = inspect_file(path, OPTIONS, **kwargs)  # type: ignore[arg-type]
    assert isinstance(facts, FileFacts)
    return facts


# --- sniffing ------------------------------------------------------------------------


def test_kind_comes_from_content_not_extension(tmp_path: Path) -> None:
    jpeg = synth.make_photo(tmp_path / "report.pdf", size=(640, 480))
    facts = inspect(jpeg)
    assert (facts.kind, facts.mime) == ("jpeg", "image/jpeg")
    assert facts.image is not None
    pdf = synth.make_text_pdf(tmp_path / "photo.jpg")
    assert inspect(pdf).kind == "pdf"


@pytest.mark.parametrize("kind", ["docx", "docm", "xlsx", "xlsm", "pptx", "pptm"])
def test_ooxml_kinds_from_content_types(tmp_path: Path, kind: str) -> None:
    path = synth.make_office(tmp_path / "document.zip", kind)
    assert sniff(path.read_bytes()[:16384], path.name, path)[0] == kind


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a.png", "jpeg"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "a.jpg", "png"),
        (b"GIF89a" + bytes(10), "a.gif", "gif"),
        (b"II*\x00" + bytes(10), "a.tif", "tiff"),
        (b"BM" + bytes(40), "a.bmp", "bmp"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "a.heic", "heic"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "a.doc", "ole"),
        (b"{\\rtf1\\ansi hello}", "a.doc", "rtf"),
        (b"MZ\x90\x00" + bytes(100), "invoice.pdf", "executable"),
        (b"\x7fELF\x02\x01" + bytes(100), "a.txt", "executable"),
        (b"7z\xbc\xaf\x27\x1c" + bytes(20), "a.zip", "archive"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "a.gz", "archive"),
        (b"Rar!\x1a\x07\x00", "a.rar", "archive"),
        (b"#!/bin/sh\necho hi\n", "notes.txt", "script"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "a.txt", "html"),
        (b"name,date\nA,2026-05-14\n", "log.csv", "csv"),
        (b"name,date\nA,2026-05-14\n", "log.txt", "txt"),
        (b"Plain notes\r\nMay 14, 2026\r\n", "notes", "txt"),
        (b"junk%PDF-1.4\n", "x.bin", "pdf"),
        (bytes(range(256)) * 4, "x.pdf", "unknown"),
        (b"", "empty.pdf", "unknown"),
    ],
)
def test_sniff_signatures(head: bytes, name: str, kind: str) -> None:
    assert sniff(head, name)[0] == kind


def test_sniff_without_libmagic(monkeypatch: pytest.MonkeyPatch) -> None:
    import packager.inspect.sniff as sniff_module

    monkeypatch.setattr(sniff_module, "_from_buffer", None)
    assert sniff(b"%PDF-1.7\n", "a.pdf") == ("pdf", "application/pdf")
    assert sniff(b"hello\n", "a.txt") == ("txt", "text/plain")
    assert sniff(b"\x00\x01\x02\x03" * 50, "a.bin") == ("unknown", "application/octet-stream")


def test_zip_without_office_parts_is_zip(tmp_path: Path) -> None:
    path = tmp_path / "evidence.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo1.txt", "hello")
    facts = inspect(path)
    assert facts.kind == "zip"
    assert facts.unreadable is None


# --- PDFs ----------------------------------------------------------------------------


def test_text_pdf(tmp_path: Path, pdf_engine: str) -> None:
    path = synth.make_text_pdf(
        tmp_path / "m.pdf",
        pages=5,
        text_lines=["Milestone 1.2 training record", "Completed 2026-05-14"],
        title="Milestone 1.2",
        created=dt.date(2026, 5, 15),
    )
    facts = inspect(path)
    assert (facts.kind, facts.pages, facts.title) == ("pdf", 5, "Milestone 1.2")
    assert "Milestone 1.2 training record" in facts.text
    assert "Page 3 of 5" in facts.text and "Page 4 of 5" not in facts.text  # text_pages = 3
    assert len(facts.page_facts) == 5
    assert all(p.has_text and not p.image_only and not p.blank for p in facts.page_facts)
    assert [p.number for p in facts.page_facts] == [1, 2, 3, 4, 5]
    content = [d for d in facts.dates if d.source == "content"]
    metadata = [d for d in facts.dates if d.source == "metadata"]
    assert [d.date for d in content] == [MAY_14]
    assert [d.date for d in metadata] == [dt.date(2026, 5, 15)]
    assert facts.unreadable is None and facts.active_content == ()
    assert len(facts.sha256) == 64 and facts.size == path.stat().st_size


def test_pages_examined_is_bounded(tmp_path: Path, pdf_engine: str) -> None:
    path = synth.make_text_pdf(tmp_path / "long.pdf", pages=12)
    rules = DeliverableRules(max_pages_examined=4, text_pages=1)
    facts = inspect_file(path, InspectOptions(rules))
    assert facts.pages == 12
    assert len(facts.page_facts) == 4
    assert "Page 1 of 12" in facts.text and "Page 2 of 12" not in facts.text


@pytest.mark.parametrize("dpi", [100, 200])
def test_scanned_pdf_is_image_only_with_dpi(tmp_path: Path, pdf_engine: str, dpi: int) -> None:
    facts = inspect(synth.make_scan_pdf(tmp_path / "scan.pdf", dpi=dpi, pages=2))
    assert facts.pages == 2
    for page in facts.page_facts:
        assert page.image_only and not page.has_text and not page.blank
        assert page.dpi == pytest.approx(dpi, rel=0.02)


def test_scan_on_a4_and_small_page(tmp_path: Path, pdf_engine: str) -> None:
    facts = inspect(synth.make_scan_pdf(tmp_path / "a4.pdf", dpi=150, page_size=(8.27, 11.69)))
    assert facts.page_facts[0].dpi == pytest.approx(150, rel=0.02)


def test_blank_pages(tmp_path: Path, pdf_engine: str) -> None:
    path = synth.make_text_pdf(tmp_path / "b.pdf", pages=3, blank_pages=[2])
    blanks = [p.blank for p in inspect(path).page_facts]
    assert blanks == [False, True, False]
    facts = inspect(synth.make_blank_pdf(tmp_path / "all.pdf", pages=2))
    assert [(p.blank, p.has_text) for p in facts.page_facts] == [(True, False), (True, False)]


def test_drawing_is_not_blank(tmp_path: Path, pdf_engine: str) -> None:
    [page] = inspect(synth.make_drawing_pdf(tmp_path / "sketch.pdf", lines=50)).page_facts
    assert not page.has_text and not page.image_only and not page.blank


def test_drawing_too_costly_to_draw_is_never_blank(
    tmp_path: Path, pdf_engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work is bounded by count, not by the clock: an exhausted budget means 'not blank'."""
    monkeypatch.setattr(pdf_module, "RENDER_SECONDS", 0.0)  # no time at all to draw
    path = synth.make_drawing_pdf(tmp_path / "dense.pdf", lines=2_000)
    [page] = inspect(path).page_facts
    assert not page.blank  # unknown because it could not be drawn: never reported blank
    if pdf_engine == "pdfium":
        assert pdf_module._pdfium is not None
        doc = pdf_module._pdfium.PdfDocument(str(path))
        try:
            small = pdf_module._Budget(objects=100)
            found = pdf_module._pdfium_objects(doc[0], small, stop_at_text=False)
            assert found.exhausted and found.total == 100 and small.objects == 0
            assert not pdf_module._pdfium_uniform(doc[0], found, OPTIONS.rules, small)
            assert pdf_module._rendered_histogram(doc[0], pdf_module._Budget()) is None
            monkeypatch.setattr(pdf_module, "RENDER_SECONDS", 600.0)
            histogram = pdf_module._rendered_histogram(doc[0], pdf_module._Budget(render_until=float("inf")))
            assert histogram is not None and not pdf_module.looks_blank(histogram, OPTIONS.rules)
        finally:
            doc.close()


def test_blank_scanned_page(tmp_path: Path, pdf_engine: str) -> None:
    facts = inspect(synth.make_scan_pdf(tmp_path / "blank-scan.pdf", dpi=100, blank=True))
    [page] = facts.page_facts
    assert page.image_only and page.blank


def test_encrypted_with_password(tmp_path: Path, pdf_engine: str) -> None:
    facts = inspect(synth.make_encrypted_pdf(tmp_path / "locked.pdf", user_password="secret"))
    assert facts.encrypted and not facts.empty_password
    assert facts.text == "" and facts.page_facts == ()
    assert facts.unreadable is None


def test_encrypted_with_empty_password(tmp_path: Path, pdf_engine: str) -> None:
    facts = inspect(synth.make_encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert facts.encrypted and facts.empty_password
    assert facts.pages == 1
    assert "Milestone 1.1" in facts.text


@pytest.mark.parametrize(
    ("feature", "expected"),
    [
        ("javascript", {pdf_module.JAVASCRIPT}),
        ("open_action_js", {pdf_module.JAVASCRIPT, pdf_module.OPEN_ACTION_SCRIPT}),
        ("aa_js", {pdf_module.JAVASCRIPT}),
        ("link_js", {pdf_module.JAVASCRIPT}),
        ("launch", {pdf_module.LAUNCH}),
        ("embedded_file", set()),  # a harmless attachment is named (facts.attachments), not active
        ("embedded_program", {"an attached program 'photo.png'"}),
        ("embedded_pdf_script", {"an attached PDF 'form.pdf' with JavaScript (/JavaScript)"}),
        ("file_attachment", set()),
        ("richmedia", {pdf_module.RICH_MEDIA}),
        ("xfa", {pdf_module.XFA}),
        ("open_action_goto", set()),
    ],
)
def test_active_content(tmp_path: Path, pdf_engine: str, feature: str, expected: set[str]) -> None:
    facts = inspect(synth.make_active_pdf(tmp_path / f"{feature}.pdf", feature))
    assert set(facts.active_content) == expected
    assert facts.unreadable is None


@pytest.mark.parametrize(
    ("name", "data", "active"),
    [
        ("setup.exe", b"attached", "an attached program 'setup.exe'"),
        ("run.ps1", b"attached", "an attached script 'run.ps1'"),
        ("forms.zip", b"PK\x03\x04", "an attached zip archive 'forms.zip'"),
        ("macro.docm", b"PK\x03\x04", "an attached macro-enabled document 'macro.docm'"),
        ("photo.jpg", b"\xff\xd8\xff", None),
        ("mathml-1.xml", b"<math/>", None),
    ],
)
def test_attachment_kinds_from_rules(tmp_path: Path, name: str, data: bytes, active: str | None) -> None:
    from packager.rules import load_rules

    writer = synth._writer_from_text_pdf()
    writer.add_attachment(name, data)
    path = tmp_path / "attached.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    facts = inspect_file(path, InspectOptions(load_rules().deliverables, ocr="off"))
    assert facts.active_content == ((active,) if active else ())
    assert facts.attachments == (() if active else (f"'{name}'",))


def test_active_content_wording() -> None:
    assert pdf_module.JAVASCRIPT == "JavaScript (/JavaScript)"
    assert pdf_module.LAUNCH == "a launch action (/Launch)"
    assert pdf_module.EMBEDDED_FILES == "embedded files (/EmbeddedFiles)"
    assert pdf_module.XFA == "an XFA form (/XFA)"
    assert pdf_module.RICH_MEDIA == "RichMedia (/RichMedia)"
    assert pdf_module.OPEN_ACTION_SCRIPT == "an open action that runs script (/OpenAction)"


def test_action_cycles_and_walk_budget(tmp_path: Path, pdf_engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = synth._writer_from_text_pdf()
    action = DictionaryObject({NameObject("/S"): NameObject("/GoTo")})
    ref = writer._add_object(action)
    action[NameObject("/Next")] = ref  # an action chain that loops forever
    writer.root_object[NameObject("/OpenAction")] = ref
    page = writer.pages[0]
    annots = ArrayObject()
    for _ in range(20_000):  # far more annotations than the walk budget
        link = DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/A"): DictionaryObject(
                    {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("x")}
                ),
            }
        )
        annots.append(writer._add_object(link))
    page[NameObject("/Annots")] = annots
    path = tmp_path / "hostile.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    spent: list[int] = []
    walk = pdf_module._ActiveContentWalker.walk

    def counting_walk(self: pdf_module._ActiveContentWalker) -> list[str]:
        found = walk(self)
        spent.append(pdf_module.WALK_BUDGET - self.budget)
        return found

    monkeypatch.setattr(pdf_module._ActiveContentWalker, "walk", counting_walk)
    facts = inspect(path)
    # The work is bounded by the walk budget, not by the 20,000 annotations.
    assert spent == [pdf_module.WALK_BUDGET]  # stopped when the budget ran out
    assert facts.unreadable is None and facts.active_content == ()


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_unreadable(tmp_path: Path, pdf_engine: str, keep: float) -> None:
    facts = inspect(synth.make_truncated_pdf(tmp_path / "cut.pdf", keep=keep))
    assert facts.kind == "pdf"
    assert facts.unreadable is not None


def test_damaged_pdf_is_read_by_pdfium_alone(tmp_path: Path, pdf_engine: str) -> None:
    """pypdf cannot parse it; PDFium repairs it and reads its pages. Without PDFium it cannot be opened."""
    facts = inspect(synth.make_damaged_pdf(tmp_path / "damaged.pdf"))
    if pdf_engine == "pdfium":
        assert facts.unreadable is None and facts.damaged is not None and facts.pages == 1
        assert "Milestone 1.1" in facts.text
    else:
        assert facts.unreadable is not None and facts.damaged is None


def test_corrupt_pdf_is_unreadable(tmp_path: Path, pdf_engine: str) -> None:
    facts = inspect(synth.make_corrupt_pdf(tmp_path / "junk.pdf"))
    assert facts.unreadable is not None


def test_pdf_metadata_without_dates(tmp_path: Path) -> None:
    facts = inspect(synth.make_text_pdf(tmp_path / "nodates.pdf", text_lines=["Milestone 3"]))
    assert not [d for d in facts.dates if d.source == "content"]


# --- images --------------------------------------------------------------------------


def test_photo_with_exif(tmp_path: Path) -> None:
    path = synth.make_photo(
        tmp_path / "p.jpg", size=(4032, 3024), exif_date=dt.datetime(2026, 5, 14, 8, 0), orientation=6
    )
    facts = inspect(path)
    assert facts.kind == "jpeg" and facts.unreadable is None
    assert facts.image is not None
    assert (facts.image.width, facts.image.height) == (3024, 4032)  # rotated by orientation 6
    assert facts.image.orientation == 6
    assert facts.image.exif_date == MAY_14
    assert [(d.date, d.source) for d in facts.dates] == [(MAY_14, "metadata")]
    assert facts.image.sharpness > OPTIONS.rules.min_sharpness
    assert facts.image.contrast > OPTIONS.rules.min_contrast


def test_blurred_photo_is_less_sharp(tmp_path: Path) -> None:
    sharp = inspect(synth.make_photo(tmp_path / "s.jpg", size=(2000, 1500)))
    blurred = inspect(synth.make_photo(tmp_path / "b.jpg", size=(2000, 1500), blur=4))
    assert sharp.image is not None and blurred.image is not None
    assert blurred.image.sharpness < OPTIONS.rules.min_sharpness < sharp.image.sharpness
    assert blurred.image.sharpness * 5 < sharp.image.sharpness


def test_sharpness_is_comparable_across_sizes(tmp_path: Path) -> None:
    big = inspect(synth.make_photo(tmp_path / "big.jpg", size=(4000, 3000), blur=2))
    small = inspect(synth.make_photo(tmp_path / "small.jpg", size=(1000, 750), blur=2))
    assert big.image is not None and small.image is not None
    assert 0.33 < big.image.sharpness / small.image.sharpness < 3


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_blank_image_has_low_contrast(tmp_path: Path, fmt: str) -> None:
    facts = inspect(synth.make_flat_image(tmp_path / f"blank.{fmt.lower()}", fmt=fmt))
    assert facts.image is not None
    assert facts.image.contrast < 4


def test_washed_out_image(tmp_path: Path) -> None:
    facts = inspect(synth.make_flat_image(tmp_path / "washed.jpg", level=200, noise=8))
    assert facts.image is not None
    assert 4 <= facts.image.contrast < OPTIONS.rules.min_contrast


def test_tiny_image(tmp_path: Path) -> None:
    facts = inspect(synth.make_tiny_image(tmp_path / "tiny.png", size=(160, 120)))
    assert facts.image is not None
    assert (facts.image.width, facts.image.height) == (160, 120)
    assert facts.image.exif_date is None and facts.image.orientation is None


@pytest.mark.parametrize(("fmt", "suffix"), [("JPEG", "jpg"), ("PNG", "png")])
def test_truncated_image_is_unreadable(tmp_path: Path, fmt: str, suffix: str) -> None:
    facts = inspect(synth.make_truncated_image(tmp_path / f"cut.{suffix}", fmt=fmt))
    assert facts.unreadable is not None and "truncated" in facts.unreadable
    assert facts.image is None


@pytest.mark.parametrize("side", [100_000, 9_000])  # 10 gigapixels; 81 MP (under Pillow's limit)
def test_image_pixel_limit(tmp_path: Path, side: int, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(synth.png_declaring(side, side))
    decoded: list[object] = []
    load = ImageFile.ImageFile.load

    def counting_load(self: ImageFile.ImageFile) -> object:
        decoded.append(self)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    facts = inspect(path)
    assert decoded == []  # refused from the declared size, before any pixel is decoded
    assert facts.unreadable is not None and "decompression bomb" in facts.unreadable


def test_other_image_formats(tmp_path: Path) -> None:
    for fmt, suffix in (("TIFF", "tif"), ("GIF", "gif"), ("BMP", "bmp"), ("WEBP", "webp")):
        path = synth.save_image(synth.photo_image((300, 200)), tmp_path / f"x.{suffix}", fmt=fmt)
        facts = inspect(path)
        assert facts.kind == ("tiff" if fmt == "TIFF" else suffix)
        assert facts.image is not None and facts.image.width == 300, fmt


# --- office and text -----------------------------------------------------------------


def test_docx_core_properties_and_text(tmp_path: Path) -> None:
    path = synth.make_office(
        tmp_path / "minutes.docx",
        paragraphs=["Milestone 2.3 minutes", "Held 14/05/2026"],
        title="JHSC minutes",
        created=dt.date(2026, 5, 1),
        modified=dt.date(2026, 5, 20),
    )
    facts = inspect(path)
    assert facts.kind == "docx" and facts.title == "JHSC minutes"
    assert "Milestone 2.3 minutes" in facts.text
    assert [(d.date, d.source) for d in facts.dates] == [
        (MAY_14, "content"),
        (dt.date(2026, 5, 1), "metadata"),
        (dt.date(2026, 5, 20), "metadata"),
    ]
    assert facts.active_content == ()


def test_vba_project_is_flagged_even_in_a_docx(tmp_path: Path) -> None:
    facts = inspect(synth.make_office(tmp_path / "sneaky.docx", "docx", vba=True))
    assert facts.kind == "docx"
    assert "macros (vbaProject.bin)" in facts.active_content


def test_docm(tmp_path: Path) -> None:
    facts = inspect(synth.make_docm(tmp_path / "plan.docm"))
    assert facts.kind == "docm"
    assert facts.active_content == ("macros (vbaProject.bin)",)
    assert facts.macro_format == "docm"


def test_macro_extension_hint_uses_display_name(tmp_path: Path) -> None:
    path = synth.make_office(tmp_path / "upload.bin", "xlsm")
    facts = inspect(path, name="budget.xltm")
    assert facts.kind == "xlsm"
    assert facts.active_content == () and facts.macro_format == "xltm"


@pytest.mark.parametrize("kind", ["xlsx", "pptx"])
def test_spreadsheet_and_slides_text(tmp_path: Path, kind: str) -> None:
    facts = inspect(synth.make_office(tmp_path / f"x.{kind}", kind, paragraphs=["Sept. 3 2026"]))
    assert [d.date for d in facts.dates if d.source == "content"] == [dt.date(2026, 9, 3)]


def test_opendocument(tmp_path: Path) -> None:
    path = synth.make_odt(
        tmp_path / "minutes.odt",
        paragraphs=["Milestone 4.1", "Reviewed 2026-05-14"],
        title="Review",
        created=dt.date(2026, 5, 2),
    )
    facts = inspect(path)
    assert (facts.kind, facts.title) == ("odf", "Review")
    assert "Milestone 4.1" in facts.text
    assert [(d.date, d.source) for d in facts.dates] == [
        (MAY_14, "content"),
        (dt.date(2026, 5, 2), "metadata"),
    ]
    assert facts.active_content == ()
    macro = inspect(synth.make_odt(tmp_path / "macro.odt", basic_macro=True))
    assert macro.active_content == ("macros (Basic)",)


def test_opendocument_page_header_and_footer(tmp_path: Path) -> None:
    """A LibreOffice document's page header labels it (it comes first, on one line) and its footer dates it."""
    path = synth.make_odt(tmp_path / "minutes.odt", paragraphs=["Minutes of the meeting", "Attendees: 6"],
                          header=["ACME Ltd.", "Milestone  4.1 - Safety meeting"], footer=["Revised May 14, 2026"])
    facts = inspect(path)
    assert facts.text.splitlines() == [
        "ACME Ltd. | Milestone 4.1 - Safety meeting", "Minutes of the meeting", "Attendees: 6", "Revised May 14, 2026",
    ]
    assert [(d.date, d.source) for d in facts.dates] == [(MAY_14, "content")]


def test_heic_without_pillow_heif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import packager.inspect.image as image_module

    monkeypatch.setattr(image_module, "HEIF_AVAILABLE", False)
    path = tmp_path / "photo.heic"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100))
    facts = inspect(path)
    assert facts.kind == "heic" and facts.image is None and facts.unreadable is None
    assert facts.notes == (image_module.HEIF_NOTE,)


@pytest.mark.parametrize(
    ("stream", "encrypted", "active"),
    [
        ("EncryptedPackage", True, ()),
        ("_VBA_PROJECT", False, ("macros (VBA project)",)),
        ("WordDocument", False, ()),
    ],
)
def test_ole_containers(
    tmp_path: Path, stream: str, encrypted: bool, active: tuple[str, ...]
) -> None:
    # Just enough of a compound file: the signature and a directory entry name.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + stream.encode("utf-16-le")
    path = tmp_path / "legacy.doc"
    path.write_bytes(data + bytes(1000))
    facts = inspect(path)
    assert facts.kind == "ole"
    assert (facts.encrypted, facts.active_content) == (encrypted, active)


def test_hostile_core_xml_is_ignored(tmp_path: Path) -> None:
    path = synth.make_office(tmp_path / "laughs.docx", core=False)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>&lol2;</dc:title></cp:coreProperties>"
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("docProps/core.xml", laughs)
    facts = inspect(path)
    assert facts.title is None and facts.unreadable is None


def test_huge_member_is_read_with_a_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.docx"
    synth.make_office(path, core=False)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/huge.bin", bytes(200 * 1024 * 1024))
    opened: list[str] = []
    open_member = zipfile.ZipFile.open

    def recording_open(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name if isinstance(name, str) else name.filename)
        return open_member(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    facts = inspect(path)
    assert "word/media/huge.bin" not in opened  # only the parts a verdict needs are read
    assert facts.kind == "docx" and facts.unreadable is None


def test_truncated_docx_is_unreadable(tmp_path: Path) -> None:
    path = synth.make_office(tmp_path / "broken.docx")
    path.write_bytes(path.read_bytes()[:-300])  # the central directory is gone
    facts = inspect(path)
    assert facts.kind == "docx"  # recognised from the local headers
    assert facts.unreadable is not None and "broken or truncated" in facts.unreadable


def test_text_and_csv(tmp_path: Path) -> None:
    txt = synth.make_text_file(tmp_path / "n.txt", "Inspection done 2026-05-14\n")
    facts = inspect(txt)
    assert facts.kind == "txt" and facts.text.startswith("Inspection done")
    assert [d.date for d in facts.dates] == [MAY_14]
    csv = synth.make_text_file(tmp_path / "log.csv", "who,when\nAna,May 14 2026\n")
    assert inspect(csv).kind == "csv"


def test_text_encodings(tmp_path: Path) -> None:
    cp = synth.make_text_file(tmp_path / "cp.txt", "Réunion — 14 mai\nMay 14, 2026", "cp1252")
    facts = inspect(cp)
    assert "Réunion" in facts.text and [d.date for d in facts.dates] == [MAY_14]
    utf16 = synth.make_text_file(tmp_path / "u.txt", "\ufeffDone 2026-05-14", "utf-16-le")
    assert [d.date for d in inspect(utf16).dates] == [MAY_14]


def test_text_read_is_bounded(tmp_path: Path) -> None:
    path = synth.make_text_file(tmp_path / "big.txt", "x" * 5000 + " 2026-05-14")
    small = InspectOptions(DeliverableRules(max_text_bytes=1000))
    facts = inspect_file(path, small)
    assert facts.dates == () and len(facts.text) == 1000
    big = synth.make_text_file(tmp_path / "huge.txt", "word " * 100_000)
    assert len(inspect(big).text) <= 20_000


# --- robustness ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["pdf", "jpg", "png", "docx", "txt", "tif", "heic", "gif"])
def test_random_bytes_never_raise(tmp_path: Path, suffix: str) -> None:
    rng = random.Random(suffix)
    headers = {
        "pdf": b"%PDF-1.7\n",
        "jpg": b"\xff\xd8\xff\xe0",
        "png": b"\x89PNG\r\n\x1a\n",
        "docx": b"PK\x03\x04",
        "txt": b"",
        "tif": b"II*\x00",
        "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
        "gif": b"GIF89a",
    }
    for i in range(5):
        path = tmp_path / f"r{i}.{suffix}"
        path.write_bytes(headers[suffix] + bytes(rng.randrange(256) for _ in range(300 * i)))
        facts = inspect(path)
        assert facts.size == path.stat().st_size


def test_empty_missing_and_special_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert inspect(empty).unreadable == "the file is empty"
    assert inspect(tmp_path / "missing.pdf").unreadable is not None
    assert inspect(tmp_path).unreadable == "it is not a regular file"


def test_inspect_file_runs_in_a_process_pool(tmp_path: Path) -> None:
    path = synth.make_text_pdf(tmp_path / "p.pdf")
    assert pickle.loads(pickle.dumps(OPTIONS)) == OPTIONS
    with ProcessPoolExecutor(max_workers=1) as pool:
        facts = pool.submit(inspect_file, path, OPTIONS, "Milestone 1.1.pdf").result(timeout=60)
    assert facts == inspect_file(path, OPTIONS)
    assert pickle.loads(pickle.dumps(facts)) == facts


SAME_WITH_OR_WITHOUT_LIBMAGIC = [
    (b"%PDF-1.7\n", "a.pdf"),
    (b"hello\n", "a.txt"),
    (b"@echo off\r\ndel *.*\r\n", "run.bat"),
    (b"WScript.Echo 1\r\n", "a.vbs"),
    (b"var x = 1;\nfunction f() { return x; }\n", "a.js"),
    (b"import os\nprint(os.name)\n", "notes.txt"),
    (b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(100), "report.pdf.lnk"),
    (b"<html><body>x</body></html>", "a.htm"),
    (b"name,date\nA,2026-05-14\n", "log.csv"),
    (b"\x00\x01\x02\x03" * 50, "a.bin"),
    (b"MZ\x90\x00" + bytes(100), "a.exe"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "setup.msi"),
    (b"\x28\xb5\x2f\xfd" + bytes(20), "a.zst"),
]


@pytest.mark.parametrize(("head", "name"), SAME_WITH_OR_WITHOUT_LIBMAGIC)
def test_kind_is_the_same_without_libmagic(head: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks act on the kind; libmagic may only refine the MIME type."""
    import packager.inspect.sniff as sniff_module

    with_magic = sniff(head, name)[0]
    monkeypatch.setattr(sniff_module, "_from_buffer", None)
    assert sniff(head, name)[0] == with_magic


@pytest.mark.parametrize(("head", "name"), [(b"@echo off\r\n", "run.bat"), (b"Set x = 1\r\n", "a.vbs"),
                                            (b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(60), "x.lnk")])
def test_scripts_by_signature(head: bytes, name: str) -> None:
    assert sniff(head, name)[0] == "script"


def test_a_filled_in_form_is_dated_by_its_fields_and_its_text_is_the_page_s_own(tmp_path: Path) -> None:
    """A value typed into a form field dates the document (a viewer shows it on the page), but it is not
    the page's own text: a scanned form with a name typed in is still a page whose words are not read."""
    path = synth.make_filled_form(tmp_path / "form.pdf", ["Site inspection checklist", "Date:"],
                                  {"inspector": "J. Smith", "date": "le 20 mai 2026"})
    facts = inspect_file(path, InspectOptions(DeliverableRules(), ocr="off"))
    assert [(d.date, d.source) for d in facts.dates if d.source == "content"] == [(dt.date(2026, 5, 20), "content")]
    assert "J. Smith" not in facts.text and "Site inspection checklist" in facts.text


def test_a_text_box_added_on_a_pdf_page_dates_it(tmp_path: Path) -> None:
    """A date typed in a text box added with a viewer's 'Add text' tool (a /FreeText annotation)."""
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText

    writer = PdfWriter(clone_from=synth.make_text_pdf(tmp_path / "page.pdf", text_lines=["Toolbox talk sign-in sheet"]))
    writer.add_annotation(page_number=0, annotation=FreeText(text="Signed 2026-05-20", rect=(72, 600, 300, 630)))
    path = tmp_path / "boxed.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    facts = inspect_file(path, InspectOptions(DeliverableRules(), ocr="off"))
    assert [d.date for d in facts.dates if d.source == "content"] == [dt.date(2026, 5, 20)]


def test_a_sheet_s_printed_header_and_footer_are_read_without_their_codes() -> None:
    from packager.inspect.xlsxdates import _print_margins

    sheet = (b'<worksheet><sheetData/><headerFooter differentFirst="1"><oddHeader>&amp;L&amp;"Arial,Bold"ACME &amp;&amp; '
             b"Sons&amp;C&amp;14&amp;KFF0000Milestone 2.2&amp;R&amp;D &amp;T</oddHeader><oddFooter>&amp;LIssued "
             b"May 20, 2026&amp;RPage &amp;P of &amp;N</oddFooter><firstHeader>&amp;CCover</firstHeader>"
             b"</headerFooter></worksheet>")
    assert _print_margins(sheet) == (["ACME & Sons | Milestone 2.2", "Cover"], ["Issued May 20, 2026 | Page of"])
    assert _print_margins(b"<worksheet><sheetData/></worksheet>") == ([], [])
