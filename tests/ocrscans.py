"""Generated scans for the OCR tests: rendered text, then the damage real scans and photos show.

Text is drawn with the DejaVu fonts that ship with packager, at a given DPI, then skewed,
blurred, speckled, photographed (a page on a desk, lit unevenly, JPEG) or shrunk to a
screenshot. A "handwritten" date is drawn glyph by glyph in the oblique face with jitter in
size, height and angle, as a pen would.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path(__file__).resolve().parents[1] / "packager" / "fonts"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
OBLIQUE = FONTS / "DejaVuSans-Oblique.ttf"
PAGE_IN = (8.5, 11.0)


def font(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), max(6, round(size)))


def form_page(
    dpi: int,
    title: str = "Milestone 1.2 - Ladder inspection checklist",
    date_line: str = "Date: May 14, 2026",
    body: tuple[str, ...] = ("Ladder ID: L-07", "Rungs and rails: OK", "Feet and locks: OK", "Inspector: J. Smith"),
    size_in: tuple[float, float] = PAGE_IN,
) -> Image.Image:
    """A printed form: a title block at the top (label and date), then a few lines of body."""
    page = Image.new("L", (round(size_in[0] * dpi), round(size_in[1] * dpi)), 250)
    draw = ImageDraw.Draw(page)
    x = 0.8 * dpi
    draw.text((x, 0.6 * dpi), title, font=font(BOLD, 0.2 * dpi), fill=15)
    if date_line:
        draw.text((x, 0.95 * dpi), date_line, font=font(REGULAR, 0.16 * dpi), fill=15)
    y = 1.8 * dpi
    for line in body:
        draw.text((x, y), line, font=font(REGULAR, 0.14 * dpi), fill=25)
        y += 0.32 * dpi
    return page


def handwrite(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: float, seed: int = 3) -> None:
    """Draw ``text`` glyph by glyph with jitter, like a date written by hand."""
    rng = random.Random(seed)
    x, y = xy
    for char in text:
        glyph_size = size * rng.uniform(0.9, 1.12)
        face = font(OBLIQUE, glyph_size)
        box = draw.textbbox((0, 0), char, font=face)
        w, h = box[2] + 4, box[3] + 4
        tile = Image.new("L", (w, h), 0)
        ImageDraw.Draw(tile).text((2, 0), char, font=face, fill=255)
        tile = tile.rotate(rng.uniform(-7, 7), resample=Image.Resampling.BICUBIC, expand=True)
        draw._image.paste(40, (round(x), round(y + rng.uniform(-0.06, 0.06) * size)), tile)  # type: ignore[attr-defined]
        x += (box[2] - box[0] if char != " " else size * 0.35) + size * rng.uniform(0.02, 0.1)


def signed_page(dpi: int, handwritten_date: str = "June 12, 2026") -> Image.Image:
    """A printed acknowledgement with a signature scrawl and a handwritten date by the date line."""
    page = form_page(
        dpi, title="Senior Representative Acknowledgement", date_line="",
        body=("I acknowledge the results of the Action Plan.", "Company: Northwind Paving Ltd."),
    )
    draw = ImageDraw.Draw(page)
    x, y = 0.8 * dpi, 4.2 * dpi
    small = font(REGULAR, 0.14 * dpi)
    draw.text((x, y), "Signature: ______________________", font=small, fill=20)
    rng = random.Random(7)
    points = [(x + 1.3 * dpi + i * 0.08 * dpi, y - 0.05 * dpi + rng.uniform(-0.12, 0.12) * dpi) for i in range(22)]
    draw.line(points, fill=50, width=max(2, dpi // 60))
    draw.text((x, y + 0.6 * dpi), "Date: ", font=small, fill=20)
    handwrite(draw, (x + 0.75 * dpi, y + 0.52 * dpi), handwritten_date, 0.22 * dpi)
    return page


def damage(
    page: Image.Image, skew: float = 0.0, blur: float = 0.0, noise: float = 0.0, seed: int = 1
) -> Image.Image:
    """Rotate by ``skew`` degrees, blur, and speckle a share ``noise`` of the pixels."""
    if skew:
        page = page.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        rng = random.Random(seed)
        pixels = page.load()
        assert pixels is not None
        for _ in range(int(page.width * page.height * noise)):
            pixels[rng.randrange(page.width), rng.randrange(page.height)] = rng.choice((0, 255))
    return page


def photo_of(page: Image.Image, seed: int = 2) -> Image.Image:
    """A phone photo of the page: on a darker desk, slightly turned, unevenly lit, in colour."""
    rng = random.Random(seed)
    sheet = page.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    desk = Image.new("RGB", (round(sheet.width * 1.15), round(sheet.height * 1.12)), (96, 78, 60))
    light = Image.linear_gradient("L").resize(sheet.size).point(lambda v: 255 - v // 5)
    lit = Image.composite(sheet.convert("RGB"), Image.new("RGB", sheet.size, (0, 0, 0)), light)
    inside = sheet.point(lambda v: 255 if v > 0 else 0)
    desk.paste(lit, ((desk.width - sheet.width) // 2, (desk.height - sheet.height) // 3), inside)
    return desk.filter(ImageFilter.GaussianBlur(0.6))


def screenshot(lines: tuple[str, ...], width: int = 900) -> Image.Image:
    """A screenshot-like PNG: small UI text on white and grey bars, at screen resolution."""
    img = Image.new("RGB", (width, 60 + 26 * len(lines)), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width, 36), fill=(235, 238, 242))
    draw.text((12, 10), "Inbox - Mail", font=font(REGULAR, 14), fill=(60, 60, 60))
    y = 48
    for line in lines:
        draw.text((16, y), line, font=font(REGULAR, 15), fill=(20, 20, 20))
        y += 26
    return img


def save_jpeg(img: Image.Image, path: Path, dpi: int | None = None, quality: int = 80) -> Path:
    img.convert("RGB").save(path, "JPEG", quality=quality, **({"dpi": (dpi, dpi)} if dpi else {}))
    return path


def save_scan_pdf(pages: list[Image.Image], path: Path, dpi: int) -> Path:
    """An image-only PDF: each page image placed full-page (JPEG), as a scanner makes it."""
    pdf = FPDF(unit="pt", format=(pages[0].width / dpi * 72, pages[0].height / dpi * 72))
    for page in pages:
        buffer = io.BytesIO()
        page.convert("L").save(buffer, "JPEG", quality=75)
        buffer.seek(0)
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=page.width / dpi * 72, h=page.height / dpi * 72)
    path.write_bytes(bytes(pdf.output()))
    return path
