"""Page images for OCR: decoded within pixel limits, straightened and scaled for the engine.

An image file is opened only with the decoder of its sniffed kind and refused above the same
pixel limits as inspection (decompression bombs) before anything is decoded. A PDF page is
drawn by PDFium at about 300 DPI, capped in pixels.
"""

from __future__ import annotations

import io
import itertools
import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps, ImageStat

from packager.inspect.image import _FORMATS, MAX_PIXELS, MAX_PIXELS_FULL_DECODE

OCR_LONG_SIDE = 2600  # pixels: a letter page at ~240 DPI (enough for dates and titles; time grows with area)
MIN_LONG_SIDE = 1700  # smaller images (screenshots, small scans) are enlarged to about this
RENDER_DPI = 300
RENDER_PIXEL_CAP = 12_000_000
HEADER_SHARE = 0.25  # the top quarter of the first page holds the title block
SKEW_SIDE = 500  # pixels; skew is measured on a copy this size
SKEW_ANGLES = tuple(a / 2 for a in range(-16, 17))  # -8 to 8 degrees in half-degree steps


class PageTooLarge(Exception):
    """The image declares more pixels than may be decoded safely."""


def image_pages(path: Path | bytes, kind: str, limit: int) -> Iterator[Image.Image]:
    """Grayscale frames of an image file, or of its bytes (TIFFs may hold several pages), EXIF-rotated."""
    formats = _FORMATS.get(kind)
    if formats is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(path) if isinstance(path, bytes) else path, formats=list(formats)) as img:
            for index in range(min(limit, getattr(img, "n_frames", 1) or 1)):
                if index:
                    img.seek(index)
                width, height = img.size
                is_jpeg = img.format in ("JPEG", "MPO")
                if width * height > MAX_PIXELS or (not is_jpeg and width * height > MAX_PIXELS_FULL_DECODE):
                    raise PageTooLarge(f"{width} x {height} pixels")
                if is_jpeg and max(width, height) > 2 * OCR_LONG_SIDE:
                    img.draft("L", (width // 2, height // 2))
                img.load()
                frame = ImageOps.exif_transpose(img) if index == 0 else img.copy()
                yield grayscale(frame)


def pdf_pages(path: Path | bytes, pages: list[tuple[int, float | None]]) -> Iterator[tuple[int, Image.Image]]:
    """(page number, grayscale rendering) of the given (1-based page, scan DPI) of a PDF (a file or its bytes).

    A scanned page is drawn at its own DPI (within 100-300): resampling a scan adds no detail
    and blurs handwriting; other pages at 300 DPI.
    """
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path if isinstance(path, bytes) else str(path), password="")
    try:
        for number, dpi in pages:
            if number > len(pdf):
                continue
            page = pdf[number - 1]
            try:
                width, height = page.get_size()  # points
                scale = (min(RENDER_DPI, max(100.0, dpi)) if dpi else RENDER_DPI) / 72
                pixels = width * scale * height * scale
                if pixels > RENDER_PIXEL_CAP:
                    scale *= (RENDER_PIXEL_CAP / pixels) ** 0.5
                bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
                yield number, grayscale(bitmap.to_pil())
            finally:
                page.close()
    finally:
        pdf.close()


def grayscale(img: Image.Image) -> Image.Image:
    """8-bit grayscale on white (transparency flattened, 16-bit scaled down)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    elif img.mode.startswith("I;16") or img.mode == "I":
        img = img.convert("I").point(lambda v: v * (1 / 256))
    return img.convert("L")


def prepare(page: Image.Image) -> Image.Image:
    """Scale to about 300 DPI, stretch the contrast, calm speckle noise and straighten."""
    long_side = max(page.size)
    if long_side > OCR_LONG_SIDE:
        page = page.copy()
        page.thumbnail((OCR_LONG_SIDE, OCR_LONG_SIDE), Image.Resampling.LANCZOS)
    elif long_side < MIN_LONG_SIDE:
        factor = min(4.0, MIN_LONG_SIDE / max(1, long_side))
        page = page.resize(
            (round(page.width * factor), round(page.height * factor)), Image.Resampling.LANCZOS
        )
    page = ImageOps.autocontrast(page, cutoff=(0, 1))  # ink is often under 1% of a page
    if _speckled(page):
        page = page.filter(ImageFilter.MedianFilter(3))
    angle = skew_angle(page)
    if angle:
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return page


def header(page: Image.Image) -> Image.Image:
    """The top of a prepared page, where a title block names the milestone and the date."""
    return page.crop((0, 0, page.width, max(1, round(page.height * HEADER_SHARE))))


def _speckled(page: Image.Image) -> bool:
    """Salt-and-pepper noise: many isolated dark pixels that a 3x3 median removes."""
    small = page.copy()
    small.thumbnail((800, 800))
    dark = small.point(lambda v: 255 if v < 128 else 0)
    cleaned = small.filter(ImageFilter.MedianFilter(3)).point(lambda v: 255 if v < 128 else 0)
    before, after = ImageStat.Stat(dark).mean[0], ImageStat.Stat(cleaned).mean[0]
    return before > 0 and (before - after) / before > 0.3


def skew_angle(page: Image.Image) -> float:
    """The rotation (degrees) that makes text lines horizontal: the one with the sharpest rows."""
    small = page.copy()
    small.thumbnail((SKEW_SIDE, SKEW_SIDE))
    ink = ImageOps.invert(small).point(lambda v: 255 if v > 96 else 0)
    if ImageStat.Stat(ink).mean[0] < 0.5:
        return 0.0  # nothing to measure

    def sharpness(angle: float) -> float:
        rotated = ink.rotate(angle, resample=Image.Resampling.NEAREST, expand=False)
        rows = rotated.resize((1, rotated.height), Image.Resampling.BOX)
        values = list(rows.tobytes())
        return float(sum((b - a) ** 2 for a, b in itertools.pairwise(values)))

    scores = {angle: sharpness(angle) for angle in SKEW_ANGLES}
    best = max(scores, key=lambda a: (scores[a], -abs(a)))
    return best if scores[best] > scores[0.0] * 1.05 else 0.0
