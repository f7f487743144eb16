"""Generate deliverable-like test files on the fly (no binaries are committed).

Every function writes one file to ``path`` and returns the path. They are parametrised
and fast enough for a benchmark that generates hundreds of files.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

LETTER_IN = (8.5, 11.0)
DEFAULT_LINES = (
    "Action Plan deliverable - Milestone 1.1",
    "Safety committee meeting minutes",
    "Date: May 14, 2026",
)


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, 9, 30, tzinfo=dt.UTC)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


# --- PDFs ----------------------------------------------------------------------------


def make_text_pdf(
    path: Path,
    pages: int = 1,
    text_lines: Sequence[str] = DEFAULT_LINES,
    title: str | None = None,
    created: dt.date | dt.datetime | None = None,
    blank_pages: Iterable[int] = (),
) -> Path:
    """A text PDF; every page carries ``text_lines`` except the 1-based ``blank_pages``."""
    blank = set(blank_pages)
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_font("Helvetica", size=11)
    if title is not None:
        pdf.set_title(_latin1(title))
    pdf.set_creation_date(_as_datetime(created) if created else _as_datetime(dt.date(2026, 5, 1)))
    for number in range(1, pages + 1):
        pdf.add_page()
        if number in blank:
            continue
        y = 72.0
        for line in (*text_lines, f"Page {number} of {pages}"):
            pdf.text(72, y, _latin1(line))
            y += 14
            if y > 740:
                break
    path.write_bytes(bytes(pdf.output()))
    return path


def make_filled_form(path: Path, text_lines: Sequence[str], fields: dict[str, str | list[str]],
                     choice: bool = False, nested: bool = False, page_image: Path | None = None) -> Path:
    """A fillable PDF form saved after filling it in (as Adobe Reader saves it): ``text_lines`` are the
    form's own printed text, ``fields`` the values typed in (text fields; list boxes with ``choice``),
    each drawn by its widget's appearance. ``nested`` puts each value on a parent field whose widget is
    its kid (as forms with repeated fields do); ``page_image`` is a scanned page instead of the text."""
    base = io.BytesIO()
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_creation_date(_as_datetime(dt.date(2026, 1, 5)))
    pdf.add_page()
    if page_image is not None:
        pdf.image(str(page_image), 0, 0, 612, 792)
    pdf.set_font("Helvetica", size=11)
    for number, line in enumerate(text_lines):
        pdf.text(72, 72 + 16 * number, _latin1(line))
    base.write(bytes(pdf.output()))
    writer = PdfWriter(clone_from=io.BytesIO(base.getvalue()))
    page = writer.pages[0]
    font = DictionaryObject({NameObject("/Helv"): DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")})})
    annots, fields_array = ArrayObject(), ArrayObject()
    for number, (name, value) in enumerate(fields.items()):
        shown = " ".join(value) if isinstance(value, list) else value
        appearance = DecodedStreamObject()
        appearance.set_data(f"/Tx BMC BT /Helv 10 Tf 2 5 Td ({shown}) Tj ET EMC".encode("latin-1"))
        appearance.update({
            NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(200), FloatObject(18)]),
            NameObject("/Resources"): DictionaryObject({NameObject("/Font"): font}),
        })
        y = 700 - 24 * number
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([FloatObject(300), FloatObject(y), FloatObject(500), FloatObject(y + 18)]),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
            NameObject("/P"): page.indirect_reference,
        })
        typed = DictionaryObject({
            NameObject("/FT"): NameObject("/Ch" if choice else "/Tx"), NameObject("/T"): TextStringObject(name),
            NameObject("/V"): ArrayObject([TextStringObject(v) for v in value]) if isinstance(value, list)
            else TextStringObject(value),
        })
        if nested:
            parent_ref = writer._add_object(typed)
            widget[NameObject("/Parent")] = parent_ref
            widget_ref = writer._add_object(widget)
            typed[NameObject("/Kids")] = ArrayObject([widget_ref])
            fields_array.append(parent_ref)
        else:
            widget.update(typed)
            widget_ref = writer._add_object(widget)
            fields_array.append(widget_ref)
        annots.append(widget_ref)
    page[NameObject("/Annots")] = annots
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields_array})
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_drawing_pdf(path: Path, lines: int = 200, seed: int = 0) -> Path:
    """A page with vector drawing only (no text, no images), e.g. a sketch or a signature."""
    rng = random.Random(seed)
    pdf = FPDF(unit="pt", format="letter")
    pdf.add_page()
    for _ in range(lines):
        pdf.line(rng.uniform(36, 576), rng.uniform(36, 756), rng.uniform(36, 576), rng.uniform(36, 756))
    path.write_bytes(bytes(pdf.output()))
    return path


def make_blank_pdf(path: Path, pages: int = 1) -> Path:
    """Pages with nothing on them."""
    return make_text_pdf(path, pages=pages, blank_pages=range(1, pages + 1))


def page_image(
    dpi: float,
    page_size: tuple[float, float] = LETTER_IN,
    text_on_image: str | None = "Inspection record - Milestone 2.1 - May 14, 2026",
    blank: bool = False,
    seed: int = 0,
) -> Image.Image:
    """A grayscale 'scanned page' of ``page_size`` inches at ``dpi``."""
    width, height = max(1, round(page_size[0] * dpi)), max(1, round(page_size[1] * dpi))
    img = Image.new("L", (width, height), 246)
    if blank:
        return img
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=max(8, dpi / 8))
    rng = random.Random(seed)
    margin = dpi
    y = margin
    if text_on_image:
        draw.text((margin, y), text_on_image, fill=20, font=font)
        y += dpi / 3
    while y < height - margin:
        line_w = rng.uniform(0.5, 1.0) * (width - 2 * margin)
        # Lines of "words": dark blocks with gaps, like printed text seen from afar.
        x = margin
        while x < margin + line_w:
            word = rng.uniform(dpi / 6, dpi / 2)
            draw.rectangle((x, y, x + word, y + dpi / 12), fill=40)
            x += word + dpi / 15
        y += dpi / 5
    return img


def make_scan_pdf(
    path: Path,
    dpi: float = 200,
    pages: int = 1,
    text_on_image: str | None = "Inspection record - Milestone 2.1 - May 14, 2026",
    page_size: tuple[float, float] = LETTER_IN,
    blank: bool = False,
    quality: int = 70,
) -> Path:
    """An image-only 'scanned' PDF: one full-page JPEG per page at ``dpi``."""
    pdf = FPDF(unit="pt", format=(page_size[0] * 72, page_size[1] * 72))
    for number in range(pages):
        buffer = io.BytesIO()
        image = page_image(dpi, page_size, text_on_image, blank=blank, seed=number)
        image.save(buffer, "JPEG", quality=quality)
        buffer.seek(0)
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=page_size[0] * 72, h=page_size[1] * 72)
    path.write_bytes(bytes(pdf.output()))
    return path


FONT = Path(__file__).resolve().parents[1] / "packager" / "fonts" / "DejaVuSans.ttf"
REPORT_LINES = (
    "Milestone 1.2 - Drill report",
    "Date of drill: May 20, 2026",
    "Site: Yard B, main shop and office",
    "Alarm sounded at 10:02; all staff at the muster point by 10:06.",
    "Head count: 23 of 23. Wardens: J. Smith, P. Natarajan.",
    "Findings: the east exit sign light was out; replaced May 21.",
    "Next drill planned for November.",
)


def text_page(
    dpi: float,
    lines: Sequence[str] = REPORT_LINES,
    ink: int = 0,
    paper: int = 255,
    page_size: tuple[float, float] = LETTER_IN,
) -> Image.Image:
    """A printed page as a scanner sees it: real text (11-point body, a 14-point title) in grey ``ink`` on
    ``paper``, at ``dpi``. Mostly white, as a one-page report is: ink covers about 1 % of it."""
    width, height = round(page_size[0] * dpi), round(page_size[1] * dpi)
    img = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(img)
    y = 0.8 * dpi
    for number, line in enumerate(lines):
        size = (14 if number == 0 else 11) * dpi / 72
        draw.text((0.9 * dpi, y), line, font=ImageFont.truetype(str(FONT), max(6, round(size))), fill=ink)
        y += size * 2.2
    return img


def make_page_scan_pdf(
    path: Path, page: Image.Image, page_size: tuple[float, float] = LETTER_IN, quality: int = 80
) -> Path:
    """An image-only PDF: ``page`` as one JPEG stretched over a page of ``page_size`` inches (as a phone
    scanning app places an A4 capture on a Letter page: the DPI is then pixels over page inches)."""
    buffer = io.BytesIO()
    page.convert("L").save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    pdf = FPDF(unit="pt", format=(page_size[0] * 72, page_size[1] * 72))
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=page_size[0] * 72, h=page_size[1] * 72)
    path.write_bytes(bytes(pdf.output()))
    return path


def make_faded_scan_pdf(path: Path, contrast: float = 0.25, dpi: float = 200) -> Path:
    """A light photocopy scanned: the report's text at ``contrast`` (0.25: grey 191 on white paper)."""
    return make_page_scan_pdf(path, text_page(dpi, ink=round(255 * (1 - contrast))))


def make_faded_page_image(path: Path, contrast: float = 0.25, dpi: float = 200, fmt: str = "JPEG") -> Path:
    """The light photocopy saved as an image (a scanner's 'save as JPEG'): grey text on white paper."""
    text_page(dpi, ink=round(255 * (1 - contrast))).convert("RGB").save(path, fmt, quality=85)
    return path


def make_phone_scan_pdf(path: Path, width_px: int = 1240, lines: Sequence[str] = REPORT_LINES) -> Path:
    """A phone-app scan ``width_px`` wide (1240: A4 at the apps' usual 150 DPI) placed on a Letter page:
    1240 pixels measure 146 DPI there, 1100 129, 1000 118."""
    dpi = width_px / LETTER_IN[0]
    return make_page_scan_pdf(path, text_page(dpi, lines, ink=25, paper=245), quality=70)


def make_screenshot(
    path: Path, size: tuple[int, int] = (900, 300),
    lines: Sequence[str] = ("Subject: Milestone 1.2 - Drill schedule", "Sent: Wednesday, May 20, 2026",
                            "Drills are booked for May 20 and November 12. Wardens, please confirm."),
) -> Path:
    """A crisp screen capture (PNG, no camera data) of an email: 15-pixel text under a grey title bar."""
    img = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, size[0], 36), fill=(235, 238, 242))
    draw.text((12, 10), "Inbox - Mail", font=ImageFont.truetype(str(FONT), 14), fill=(60, 60, 60))
    y = 52
    for line in lines:
        draw.text((16, y), line, font=ImageFont.truetype(str(FONT), 15), fill=(20, 20, 20))
        y += 28
    img.save(path, "PNG")
    return path


def make_searchable_scan_pdf(
    path: Path,
    hidden_lines: Sequence[str],
    text_on_image: str | None = "Toolbox talk sign-in sheet - Milestone 1.2",
    visible: bool = False,
    dpi: float = 200,
) -> Path:
    """A "searchable" scan as copiers and scanning apps save it: a full-page image with the scanner's OCR
    text over it, invisible (render mode 3); ``visible`` draws the same text visibly instead."""
    from fpdf.enums import TextMode

    pdf = FPDF(unit="pt", format="letter")
    pdf.add_page()
    buffer = io.BytesIO()
    page_image(dpi, text_on_image=text_on_image).save(buffer, "JPEG", quality=70)
    buffer.seek(0)
    pdf.image(buffer, x=0, y=0, w=612, h=792)
    pdf.set_font("Helvetica", size=12)
    if not visible:
        pdf.text_mode = TextMode.INVISIBLE
    for i, line in enumerate(hidden_lines):
        pdf.text(72, 90 + 18 * i, _latin1(line))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.metadata = None  # a copier writes no creation date: only the page can date it
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def _writer_from_text_pdf(lines: Sequence[str] = DEFAULT_LINES) -> PdfWriter:
    buffer = io.BytesIO()
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    for i, line in enumerate(lines):
        pdf.text(72, 72 + 14 * i, _latin1(line))
    buffer.write(bytes(pdf.output()))
    buffer.seek(0)
    return PdfWriter(clone_from=PdfReader(buffer))


ACTIVE_FEATURES = (
    "javascript",
    "open_action_js",
    "open_action_goto",
    "aa_js",
    "launch",
    "embedded_file",
    "embedded_program",
    "embedded_pdf_script",
    "file_attachment",
    "richmedia",
    "xfa",
    "link_js",
)


def make_active_pdf(path: Path, feature: str) -> Path:
    """A text PDF carrying one kind of active content (see ``ACTIVE_FEATURES``)."""
    writer = _writer_from_text_pdf()
    root = writer.root_object
    page = writer.pages[0]

    def add(obj: DictionaryObject) -> IndirectObject:
        return writer._add_object(obj)

    def js_action(script: str) -> DictionaryObject:
        return DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)}
        )

    if feature == "javascript":
        writer.add_open_action(JavaScript("app.alert('hello');"))
    elif feature == "open_action_js":
        root[NameObject("/OpenAction")] = add(js_action("app.alert(1);"))
    elif feature == "open_action_goto":
        root[NameObject("/OpenAction")] = ArrayObject(
            [page.indirect_reference, NameObject("/Fit")]
        )
    elif feature == "aa_js":
        root[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): add(js_action("1;"))})
    elif feature == "launch":
        launch = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("calc.exe"),
            }
        )
        root[NameObject("/OpenAction")] = add(launch)
    elif feature == "embedded_file":
        writer.add_attachment("evidence.txt", b"attached file")
    elif feature == "embedded_program":
        writer.add_attachment("photo.png", b"MZ\x90\x00" + bytes(200))  # a program named as a photo
    elif feature == "embedded_pdf_script":
        inner = make_active_pdf(path, "javascript").read_bytes()  # overwritten below
        writer.add_attachment("form.pdf", inner)
    elif feature == "file_attachment":
        _add_annotation(writer, page, "/FileAttachment", {})
    elif feature == "richmedia":
        _add_annotation(writer, page, "/RichMedia", {})
    elif feature == "xfa":
        root[NameObject("/AcroForm")] = add(
            DictionaryObject(
                {
                    NameObject("/Fields"): ArrayObject(),
                    NameObject("/XFA"): ArrayObject(),
                }
            )
        )
    elif feature == "link_js":
        _add_annotation(writer, page, "/Link", {"/A": add(js_action("app.beep(0);"))})
    else:
        raise ValueError(f"unknown feature {feature!r}")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def _add_annotation(
    writer: PdfWriter, page: DictionaryObject, subtype: str, extra: dict[str, PdfObject]
) -> None:
    annot = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (72, 600, 144, 672)]),
        }
    )
    for key, value in extra.items():
        annot[NameObject(key)] = value
    ref = writer._add_object(annot)
    annots = page.get("/Annots")
    if not isinstance(annots, ArrayObject):
        annots = ArrayObject()
        page[NameObject("/Annots")] = annots
    annots.append(ref)


def make_encrypted_pdf(
    path: Path,
    user_password: str = "secret",
    owner_password: str = "owner",
    algorithm: str = "RC4-128",
    printing: bool = True,
) -> Path:
    """An encrypted text PDF; ``user_password=""`` opens without asking; ``printing``: /P allows it."""
    from pypdf.constants import UserAccessPermissions

    writer = _writer_from_text_pdf()
    flags = UserAccessPermissions.all()
    if not printing:
        flags &= ~(UserAccessPermissions.PRINT | UserAccessPermissions.PRINT_TO_REPRESENTATION)
    writer.encrypt(user_password, owner_password, algorithm=algorithm, permissions_flag=flags)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_truncated_pdf(path: Path, keep: float = 0.5, pages: int = 3) -> Path:
    """A text PDF cut off after ``keep`` of its bytes (an interrupted download)."""
    make_text_pdf(path, pages=pages)
    data = path.read_bytes()
    path.write_bytes(data[: max(16, int(len(data) * keep))])
    return path


def make_damaged_pdf(path: Path, text_lines: Sequence[str] = DEFAULT_LINES) -> Path:
    """A text PDF with junk before its header and no startxref value nor end-of-file marker: pypdf cannot
    parse it, PDFium (Chrome, Edge) repairs and reads it."""
    import re

    make_text_pdf(path, text_lines=text_lines)
    data = path.read_bytes()
    path.write_bytes(b"<html>saved page</html>\n" + re.sub(rb"startxref\s+\d+\s+%%EOF\s*$", b"startxref\n", data))
    return path


def make_corrupt_pdf(path: Path) -> Path:
    """A PDF header followed by junk."""
    rng = random.Random(7)
    path.write_bytes(b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(4096)))
    return path


# --- images --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _noise_tile(sigma: float, side: int = 509) -> Image.Image:
    # effect_noise is slow at 12 MP; a tiled patch (odd size, so tiles don't line up
    # with JPEG blocks) looks the same to a sharpness measure.
    return Image.effect_noise((side, side), sigma)


def _noise(size: tuple[int, int], sigma: float) -> Image.Image:
    tile = _noise_tile(sigma)
    canvas = Image.new("L", size)
    for x in range(0, size[0], tile.width):
        for y in range(0, size[1], tile.height):
            canvas.paste(tile, (x, y))
    return canvas


def photo_image(size: tuple[int, int] = (4032, 3024), seed: int = 0) -> Image.Image:
    """A sharp photo-like RGB image: gradient, hard-edged shapes and fine sensor noise."""
    width, height = size
    rng = random.Random(seed)
    gradient = Image.linear_gradient("L").resize((width, height))
    img = Image.merge(
        "RGB",
        (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.new("L", size, 128)),
    )
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = min(width, x0 + rng.randrange(max(2, width // 4)))
        y1 = min(height, y0 + rng.randrange(max(2, height // 4)))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return Image.blend(img, _noise(size, 40).convert("RGB"), 0.15)


def document_photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A photographed page: off-white paper and lines of dark text."""
    rng = random.Random(seed)
    width, height = size
    img = Image.new("RGB", size, (rng.randint(200, 250),) * 3)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=max(10, width // 60))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnop 0123456789"
    y = height // 12
    while y < height * 0.9:
        line = "".join(rng.choice(letters) for _ in range(60))
        draw.text((width // 12, y), line, fill=(rng.randint(0, 80),) * 3, font=font)
        y += max(14, width // 40)
    return img


def fine_texture(size: tuple[int, int], seed: int = 0, pitch: float | None = None) -> Image.Image:
    """Detail near the pixel pitch (fabric, a screen's pixel grid, a halftone): stripes 2 to 5 pixels
    apart, straight or slanted, over noise. A resample and a scaled JPEG decode disagree most here."""
    rng = random.Random(seed)
    pitch = pitch or rng.choice((2.2, 2.5, 3.0, 4.0, 5.0))
    slant = rng.choice((0, size[1] // 7))
    noise = Image.effect_noise(size, 60 + rng.randint(0, 30)).convert("RGB")
    stripes = Image.new("L", size, 128)
    draw = ImageDraw.Draw(stripes)
    x = 0.0
    while x < size[0] + slant:
        draw.line((round(x), 0, round(x) - slant, size[1]), fill=40)
        x += pitch
    return Image.blend(noise, Image.merge("RGB", (stripes,) * 3), 0.5)


def make_photo(
    path: Path,
    size: tuple[int, int] = (4032, 3024),
    exif_date: dt.datetime | dt.date | None = None,
    orientation: int | None = None,
    blur: float = 0.0,
    quality: int = 85,
    seed: int = 0,
    fmt: str = "JPEG",
) -> Path:
    """A photo; ``blur`` > 0 softens it (roughly the blur radius in pixels at 1000 px)."""
    img = photo_image(size, seed)
    if blur > 0:
        img = _blurred(img, blur)
    save_image(img, path, fmt=fmt, exif_date=exif_date, orientation=orientation, quality=quality)
    return path


def _blurred(img: Image.Image, radius: float) -> Image.Image:
    # Blurring a reduced copy and scaling back is much faster than blurring 12 MP.
    factor = max(1, max(img.size) // 1000)
    small = img.reduce(factor) if factor > 1 else img
    small = small.filter(ImageFilter.GaussianBlur(radius))
    return small.resize(img.size, Image.Resampling.BILINEAR) if factor > 1 else small


def save_image(
    img: Image.Image,
    path: Path,
    fmt: str = "JPEG",
    exif_date: dt.datetime | dt.date | None = None,
    orientation: int | None = None,
    quality: int = 85,
) -> Path:
    """Save with optional EXIF DateTimeOriginal/DateTime and Orientation."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if exif_date is not None:
        stamp = _as_datetime(exif_date).strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = stamp
        exif.get_ifd(0x8769)[0x9003] = stamp
    kwargs: dict[str, object] = {}
    if fmt == "JPEG":
        kwargs["quality"] = quality
    if len(exif) or exif_date is not None:
        kwargs["exif"] = exif.tobytes()
    img.save(path, fmt, **kwargs)
    return path


def make_flat_image(
    path: Path,
    size: tuple[int, int] = (2000, 1500),
    level: int = 250,
    noise: float = 1.5,
    fmt: str = "JPEG",
) -> Path:
    """A near-blank or washed-out image: one grey level with faint noise."""
    base = Image.new("L", size, level)
    if noise > 0:
        grain = _noise(size, noise * 4).point(lambda v: v - 128 + level)
        base = Image.blend(base, grain, 0.25)
    save_image(base.convert("RGB"), path, fmt=fmt)
    return path


def make_tiny_image(path: Path, size: tuple[int, int] = (160, 120), fmt: str = "PNG") -> Path:
    """A sharp but very small picture."""
    save_image(photo_image(size, seed=3), path, fmt=fmt)
    return path


def make_truncated_image(path: Path, keep: float = 0.5, fmt: str = "JPEG") -> Path:
    """An image file cut off part-way through its data."""
    buffer = io.BytesIO()
    photo_image((800, 600)).save(buffer, fmt)
    data = buffer.getvalue()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


# --- office documents ----------------------------------------------------------------

_MAIN_PARTS = {
    "docx": ("word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
    "xlsx": ("xl/workbook.xml",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "xlsm": ("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
    "pptm": ("ppt/presentation.xml",
             "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
}


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _core_xml(title: str | None, created: dt.datetime | None, modified: dt.datetime | None) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ]
    if title is not None:
        parts.append(f"<dc:title>{_xml_escape(title)}</dc:title>")
    for tag, value in (("created", created), ("modified", modified)):
        if value is not None:
            stamp = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            parts.append(f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{stamp}</dcterms:{tag}>')
    parts.append("</cp:coreProperties>")
    return "".join(parts)


def _body_xml(kind: str, paragraphs: Sequence[str]) -> dict[str, str]:
    if kind in ("docx", "docm"):
        runs = "".join(
            f"<w:p><w:r><w:t xml:space=\"preserve\">{_xml_escape(p)}</w:t></w:r></w:p>"
            for p in paragraphs
        )
        return {
            "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
            '"http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{runs}</w:body></w:document>"
        }
    if kind in ("xlsx", "xlsm"):
        strings = "".join(f"<si><t>{_xml_escape(p)}</t></si>" for p in paragraphs)
        return {
            "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
            "xl/sharedStrings.xml": '<?xml version="1.0"?><sst xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>',
        }
    texts = "".join(f"<a:p><a:r><a:t>{_xml_escape(p)}</a:t></a:r></a:p>" for p in paragraphs)
    return {
        "ppt/presentation.xml": '<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.'
        'openxmlformats.org/presentationml/2006/main"/>',
        "ppt/slides/slide1.xml": '<?xml version="1.0"?><p:sld xmlns:p="http://schemas.'
        'openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.'
        f'org/drawingml/2006/main"><p:cSld><p:spTree>{texts}</p:spTree></p:cSld></p:sld>',
    }


def _margins_xml(header: Sequence[str], footer: Sequence[str]) -> dict[str, str]:
    parts: dict[str, str] = {}
    rels = []
    for number, (root, part, lines) in enumerate((("w:hdr", "header1.xml", header), ("w:ftr", "footer1.xml", footer))):
        if not lines:
            continue
        runs = "".join(f'<w:p><w:r><w:t xml:space="preserve">{_xml_escape(p)}</w:t></w:r></w:p>' for p in lines)
        parts[f"word/{part}"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main">{runs}</{root}>'
        )
        kind = part.removesuffix("1.xml")
        rels.append(f'<Relationship Id="rId{number + 10}" Type="http://schemas.openxmlformats.org/officeDocument/'
                    f'2006/relationships/{kind}" Target="{part}"/>')
    if rels:
        parts["word/_rels/document.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{"".join(rels)}</Relationships>'
        )
    return parts


def make_office(
    path: Path,
    kind: str = "docx",
    paragraphs: Sequence[str] = DEFAULT_LINES,
    title: str | None = None,
    created: dt.date | dt.datetime | None = None,
    modified: dt.date | dt.datetime | None = None,
    vba: bool = False,
    core: bool = True,
    header: Sequence[str] = (),
    footer: Sequence[str] = (),
) -> Path:
    """A minimal OOXML package (docx/docm/xlsx/xlsm/pptx/pptm); ``vba`` adds vbaProject.bin; ``header``
    and ``footer`` give a Word document a page header and footer (paragraphs), as Word writes them."""
    main_part, main_type = _MAIN_PARTS[kind]
    folder = main_part.split("/", 1)[0]
    overrides = [f'<Override PartName="/{main_part}" ContentType="{main_type}"/>']
    if core:
        overrides.append(
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
        )
    if vba:
        overrides.append(
            f'<Override PartName="/{folder}/vbaProject.bin" '
            'ContentType="application/vnd.ms-office.vbaProject"/>'
        )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(overrides)
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        f'Target="{main_part}"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        if core:
            archive.writestr(
                "docProps/core.xml",
                _core_xml(
                    title,
                    _as_datetime(created) if created else None,
                    _as_datetime(modified) if modified else None,
                ),
            )
        for name, body in _body_xml(kind, paragraphs).items():
            archive.writestr(name, body)
        for name, body in _margins_xml(header, footer).items():
            archive.writestr(name, body)
        if vba:
            archive.writestr(f"{folder}/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(508))
    return path


def make_cell_text_xlsx(path: Path, rows: Sequence[Sequence[str]], formula: bool = False, header: str = "",
                        footer: str = "") -> Path:
    """A workbook whose text is in its cells, not in shared strings, as streaming writers and exports
    from safety-management systems write it: inline strings, or (``formula``) the text results of
    formulas. ``header`` and ``footer`` are the printed page's, in Excel's codes ('&CTitle&R&D')."""
    def cell(ref: str, text: str) -> str:
        if formula:
            return f'<c r="{ref}" t="str"><f>T("{_xml_escape(text)}")</f><v>{_xml_escape(text)}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{_xml_escape(text)}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", text) for c, text in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{relations}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{relations}">'
                         '<sheets><sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>')
        margins = ""
        if header or footer:
            margins = (f"<headerFooter><oddHeader>{_xml_escape(header)}</oddHeader>"
                       f"<oddFooter>{_xml_escape(footer)}</oddFooter></headerFooter>")
        archive.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>'
                         f"{sheet_rows}</sheetData>{margins}</worksheet>")
    return path


def make_docm(path: Path, **kwargs: object) -> Path:
    """A macro-enabled Word document with a vbaProject.bin."""
    return make_office(path, "docm", vba=True, **kwargs)  # type: ignore[arg-type]


def make_odt(
    path: Path,
    paragraphs: Sequence[str] = DEFAULT_LINES,
    title: str | None = None,
    created: dt.date | dt.datetime | None = None,
    basic_macro: bool = False,
    header: Sequence[str] = (),
    footer: Sequence[str] = (),
) -> Path:
    """A minimal OpenDocument text file; ``basic_macro`` adds a Basic module, ``header`` and ``footer`` the
    page header's and footer's paragraphs (styles.xml, as LibreOffice writes them)."""
    meta_title = f"<dc:title>{_xml_escape(title)}</dc:title>" if title else ""
    meta_created = (
        f"<meta:creation-date>{_as_datetime(created):%Y-%m-%dT%H:%M:%S}</meta:creation-date>"
        if created
        else ""
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:'
        'names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:'
        'xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
        f"{meta_title}{meta_created}</office:meta></office:document-meta>"
    )
    body = "".join(f"<text:p>{_xml_escape(p)}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:'
        'oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:'
        f'opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text>'
        "</office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("meta.xml", meta)
        archive.writestr("content.xml", content)
        if header or footer:
            archive.writestr("styles.xml", _odf_styles(header, footer))
        if basic_macro:
            archive.writestr("Basic/Standard/Module1.xml", "<script:module/>")
    return path


def _odf_styles(header: Sequence[str], footer: Sequence[str]) -> str:
    def paragraphs(lines: Sequence[str]) -> str:
        return "".join(f"<text:p>{_xml_escape(line).replace('  ', '<text:s/>')}</text:p>" for line in lines)

    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-styles xmlns:office="urn:oasis:names:tc:'
        'opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:styles><style:style '
        'style:name="Header"><text:p>not a header</text:p></style:style></office:styles><office:master-styles>'
        f'<style:master-page style:name="Standard"><style:header>{paragraphs(header)}</style:header>'
        f"<style:footer>{paragraphs(footer)}</style:footer></style:master-page></office:master-styles>"
        "<office:after>not a header either</office:after></office:document-styles>"
    )


def make_text_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def png_declaring(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but carries almost no data (a pixel bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
