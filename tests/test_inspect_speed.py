"""The cheap paths of inspection give the same facts as the thorough ones they short-cut."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter, ImageStat
from pypdf import PdfReader

import packager.inspect.pdf as pdf_module
from packager.inspect import InspectOptions
from packager.inspect.image import laplacian_variance
from packager.rules import DeliverableRules
from tests import synth
from tests.freshpython import run_python

OPTIONS = InspectOptions(DeliverableRules(text_pages=1))


@pytest.mark.parametrize(
    ("content", "shows"),
    [
        (b"BT /F1 11 Tf 72 720 Td (Hello) Tj ET", True),
        (b"BT (x)Tj ET", True),
        (b"BT <48656C6C6F> Tj ET", True),
        (b"BT [(He) -20 (llo)] TJ ET", True),
        (b"BT [<0041>] TJ ET", True),
        (b"BT (a) ' ET", True),
        (b"BT 1 2 (a) \" ET", True),
        (b"BT () Tj ET", False),  # an empty string shows nothing
        (b"BT <> Tj ET", False),
        (b"BT [] TJ ET", False),
        (b"BT [() -20 ()] TJ ET", False),
        (b"BT (a\\) Tj ET", False),  # an escaped parenthesis is not the end of a string
        (b"BT (a) Tjx ET", False),
        (b"q 100 0 0 100 0 0 cm /Im0 Do Q", False),
        (b"0 0 m 100 100 l S", False),
        (b"", False),
    ],
)
def test_shows_characters(content: bytes, shows: bool) -> None:
    assert pdf_module._shows_characters(content) is shows


def _pdfium_only_and_shortcut(path: Path) -> tuple[object, object]:
    thorough = pdf_module._pages_with_pdfium(path, OPTIONS, None)
    quick = pdf_module._pages_with_pdfium(path, OPTIONS, PdfReader(path))
    assert thorough is not None and quick is not None
    return thorough.page_facts, quick.page_facts


@pytest.mark.skipif(pdf_module._pdfium is None, reason="needs pypdfium2")
@pytest.mark.parametrize(
    "make",
    [
        lambda p: synth.make_text_pdf(p, pages=6, blank_pages=[2, 5]),
        lambda p: synth.make_scan_pdf(p, pages=3),
        lambda p: synth.make_blank_pdf(p, pages=3),
        lambda p: synth.make_drawing_pdf(p),
    ],
    ids=["text with blank pages", "scan", "blank", "drawing"],
)
def test_content_stream_shortcut_gives_pdfium_verdicts(tmp_path: Path, make: object) -> None:
    path = tmp_path / "doc.pdf"
    make(path)  # type: ignore[operator]
    thorough, quick = _pdfium_only_and_shortcut(path)
    assert quick == thorough


def test_stream_shows_text_leaves_inline_images_and_other_filters_to_pdfium(tmp_path: Path) -> None:
    path = synth.make_text_pdf(tmp_path / "doc.pdf", pages=2)
    reader = PdfReader(path)
    assert pdf_module._stream_shows_text(reader, 1)
    assert not pdf_module._stream_shows_text(None, 1)
    assert pdf_module._bounded_stream_data(None, 100) is None


def _pillow_laplacian_variance(gray: Image.Image) -> float:
    """The original measure: two clipped 8-bit Pillow kernel filters (the reference)."""
    pos_k = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=0)
    neg_k = ImageFilter.Kernel((3, 3), [0, -1, 0, -1, 4, -1, 0, -1, 0], scale=1, offset=0)
    inner = (1, 1, gray.width - 1, gray.height - 1)
    pos = ImageStat.Stat(gray.filter(pos_k).crop(inner))
    neg = ImageStat.Stat(gray.filter(neg_k).crop(inner))
    count = pos.count[0]
    mean = (pos.sum[0] - neg.sum[0]) / count
    return max(0.0, (pos.sum2[0] + neg.sum2[0]) / count - mean * mean)


@pytest.mark.parametrize("seed", range(12))
def test_numpy_sharpness_equals_the_pillow_filters(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(3, 200, 2))
    pixels = [
        rng.integers(0, 256, (height, width)),  # noise: clipped responses
        rng.integers(0, 2, (height, width)) * 255,  # hard edges: responses far beyond 255
        np.clip(rng.normal(128, 6, (height, width)), 0, 255),  # soft: the blurry-photo range
    ][seed % 3]
    gray = Image.fromarray(pixels.astype(np.uint8), "L")
    assert laplacian_variance(gray) == pytest.approx(_pillow_laplacian_variance(gray), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("size", [(3, 3), (3, 9), (9, 3), (4, 5)])
def test_numpy_sharpness_on_the_smallest_images(size: tuple[int, int]) -> None:
    """The flattened computation's wrapped border columns never leak into the measure."""
    rng = np.random.default_rng(size[0] * 10 + size[1])
    gray = Image.fromarray(rng.integers(0, 256, (size[1], size[0])).astype(np.uint8), "L")
    assert laplacian_variance(gray) == pytest.approx(_pillow_laplacian_variance(gray), rel=1e-9, abs=1e-9)


def test_sharpness_of_tiny_images_is_zero() -> None:
    assert laplacian_variance(Image.new("L", (2, 50))) == 0.0


def test_raw_content_read_equals_pypdfs(tmp_path: Path) -> None:
    path = synth.make_text_pdf(tmp_path / "doc.pdf", pages=4)
    reader = PdfReader(path)
    for page in reader.pages:
        contents = page.get_contents()
        assert contents is not None
        assert pdf_module._raw_flate_object(reader, page.raw_get("/Contents"), 10**6) == contents.get_data()


def _pdf_with_objects(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Root 1 0 R /Size {len(objects) + 1} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_raw_content_read_leaves_unusual_objects_to_pypdf(tmp_path: Path) -> None:
    body = b"BT /F1 12 Tf (Hi) Tj ET"
    path = tmp_path / "indirect-length.pdf"
    path.write_bytes(_pdf_with_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length 5 0 R >>\nstream\n" + body + b"\nendstream",
        str(len(body)).encode(),
    ]))
    reader = PdfReader(path)
    assert pdf_module._raw_flate_object(reader, reader.pages[0].raw_get("/Contents"), 10**6) is None
    assert pdf_module._stream_shows_text(reader, 0)  # pypdf's own reading still decides


_OLD_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"stream", b"end", b"endstream", b"\r\n", b"\n", b"\r", b"x", b"e", b"ndst"]),
                max_size=12).map(b"".join))
def test_stream_start_pattern_finds_what_the_look_behind_one_found(data: bytes) -> None:
    new = [m.span() for m in pdf_module._STREAM_START.finditer(data)]
    assert new == [m.span() for m in _OLD_STREAM_START.finditer(data)]


@pytest.mark.skipif(pdf_module._pdfium is None, reason="needs pypdfium2")
def test_page_text_is_what_the_text_page_helper_reads(tmp_path: Path) -> None:
    path = synth.make_text_pdf(tmp_path / "t.pdf", pages=3, blank_pages=[2])
    doc = pdf_module._pdfium.PdfDocument(path)  # pypdfium2's own, tracked objects: the reference
    untracked = pdf_module._open_pdfium(path, path.read_bytes())  # as the inspector opens it
    try:
        for index in range(len(doc)):
            page = doc[index]
            try:
                textpage = page.get_textpage()
                expected = textpage.get_text_range(0, textpage.count_chars())
                textpage.close()
                assert pdf_module._page_text(page) == expected
                with pdf_module._loaded_page(untracked, index) as light:
                    assert pdf_module._page_text(light) == expected
            finally:
                page.close()
    finally:
        doc.close()
        untracked.close()


@pytest.mark.skipif(pdf_module._pdfium is None, reason="needs pypdfium2")
def test_a_document_read_from_memory_keeps_its_bytes(tmp_path: Path) -> None:
    """PDFium reads a document loaded from memory there until it is closed: the document holds the
    bytes, so a caller that keeps no reference to them still reads the right text."""
    import gc

    path = synth.make_text_pdf(tmp_path / "t.pdf", text_lines=["Milestone 1.1", "May 14, 2026"])
    size = path.stat().st_size
    doc = pdf_module._open_pdfium(path, path.read_bytes())  # the only reference is the document's
    gc.collect()
    overwrite = [bytes([i % 251]) * size for i in range(200)]  # reuse any memory freed meanwhile
    try:
        with pdf_module._loaded_page(doc, 0) as page:
            assert "Milestone 1.1" in pdf_module._page_text(page)
    finally:
        doc.close()
    assert overwrite


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc (Linux)")
@pytest.mark.parametrize("preset", [None, "3"])
def test_the_readers_load_numpy_with_no_blas_helper_thread(preset: str | None) -> None:
    """Loading the readers starts no OpenBLAS helper thread (each busy-waits about 0.1 s on the core a
    worker needs), leaves the setting as it found it, and never overrides the user's own setting."""
    import os

    code = (
        "import os, sys\n"
        "before = os.environ.get('OPENBLAS_NUM_THREADS')\n"
        "import packager.scan\n"
        "packager.scan.load_readers()\n"
        "assert 'numpy' in sys.modules\n"
        "print(len(os.listdir('/proc/self/task')), os.environ.get('OPENBLAS_NUM_THREADS'), before)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    threads, after, before = run_python(code, env=env).stdout.split()
    assert after == before == (preset or "None")
    if preset is None:
        assert threads == "1"
