"""Image files: size, EXIF date and orientation, sharpness and contrast.

Measurements are taken on a grayscale copy whose long side is about ``MEASURE_SIDE``
pixels, so numbers are comparable between a phone photo and a small scan. JPEGs are
decoded directly at 1/2, 1/4 or 1/8 scale (``Image.draft``), which keeps a 12 MP photo
cheap. Only the decoder for the sniffed kind is allowed, so Pillow never hands a file to
an external program (EPS would run Ghostscript).

A JPEG that this would decode at 1,100 to 2,000 pixels and then resample to ``MEASURE_SIDE``
(a 1600 × 1200 photo sent by a messaging app, a 3000 × 2250 one) is first measured decoded one
scale step smaller, at 750 to 1,000 pixels: about a third of the time, with no resample. Those
quick measures are kept only when the image is legible by a wide margin (``_surely_legible``);
otherwise it is measured as before. So a quick measure never changes a verdict, and every
number a message shows was measured as before.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
import warnings
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageStat

from packager.inspect.facts import FileFacts, FoundDate, ImageFacts, InspectOptions
from packager.inspect.numpy_loader import np
from packager.rules import DeliverableRules

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except Exception:  # optional dependency
    HEIF_AVAILABLE = False

HEIF_NOTE = "HEIC support needs the optional pillow-heif package"
MEASURE_SIDE = 1000
MAX_PIXELS = 120_000_000  # declared size above this is refused (decompression bomb guard)
MAX_PIXELS_FULL_DECODE = 60_000_000  # formats without reduced-size decoding

# The quick measure (see the module docstring) is taken at QUICK_MIN_SIDE pixels or more. How much
# higher it can read than the measure taken as before, with room to spare: over 1,000 generated photos,
# scenes, documents and fine textures of 1,500 to 4,000 pixels, sharp to heavily blurred, faded or
# not, at JPEG quality 65 and 92 (bench/photo_quick.py), the quick sharpness was at most 2.63 times
# as high, the contrast (the lower of the quick image's and its floor's) at most 1.04 times, and the
# ink range at most 1 level higher.
QUICK_MIN_SIDE = 750
QUICK_SHARPNESS_FACTOR = 4.0
QUICK_CONTRAST_FACTOR = 0.9
QUICK_INK_LEVELS = 16.0

_FORMATS: dict[str, tuple[str, ...]] = {
    "jpeg": ("JPEG", "MPO"),
    "png": ("PNG",),
    "gif": ("GIF",),
    "tiff": ("TIFF",),
    "bmp": ("BMP", "DIB"),
    "webp": ("WEBP",),
    "heic": ("HEIF",),
}

_EXIF_IFD = 0x8769
_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_EXIF_DATE = re.compile(r"(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})")

def inspect_image(path: Path, base: FileFacts, options: InspectOptions, data: bytes | None = None) -> FileFacts:
    """Facts of an image file; problems decoding it become ``unreadable``. ``data`` is the whole
    file when the caller has read it already: it is decoded from memory, not read again."""
    if base.kind == "heic" and not HEIF_AVAILABLE:
        return replace(base, notes=(*base.notes, HEIF_NOTE))
    formats = _FORMATS.get(base.kind)
    if formats is None:
        return replace(base, unreadable=f"{base.kind} images are not supported")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            facts, floor = _inspect(_source(path, data), base, formats, quick=True)
            if floor is not None and not _surely_legible(facts, floor, options.rules):
                facts, _ = _inspect(_source(path, data), base, formats, quick=False)  # measured as before
            return facts
        except Image.DecompressionBombError:
            return replace(base, unreadable=_too_large_message(None))
        except MemoryError:
            return replace(base, unreadable="the image is too large to decode")
        except Exception as exc:
            return replace(base, unreadable=_describe(exc))


def _source(path: Path, data: bytes | None) -> Path | io.BytesIO:
    return io.BytesIO(data) if data is not None else path


# A quick measure's contrast and ink range taken again on the quick image halved (2 × 2 means): detail
# near the pixel pitch, which the resample taken as before filters out and a scaled decode can keep
# (a screen's pixel grid, fabric), counts there no more than it does in the measure taken as before.
_Floor = tuple[float, float]


def _inspect(
    source: Path | io.BytesIO, base: FileFacts, formats: tuple[str, ...], quick: bool
) -> tuple[FileFacts, _Floor | None]:
    """The image's facts; with ``quick``, a JPEG that would be resampled is measured decoded one scale
    step smaller instead (see the module docstring), and the floor of its measures comes with them
    (None for a measure taken as before)."""
    with Image.open(source, formats=list(formats)) as img:
        width, height = img.size
        pixels = width * height
        if pixels <= 0:
            return replace(base, unreadable="the image has no pixels"), None
        is_jpeg = img.format in ("JPEG", "MPO")
        if pixels > MAX_PIXELS or (not is_jpeg and pixels > MAX_PIXELS_FULL_DECODE):
            return replace(base, unreadable=_too_large_message((width, height))), None
        orientation, exif_dates = _exif(img)
        taken_quick = False
        if is_jpeg:
            taken_quick = quick and _draft_quick(img)
            if not taken_quick:
                _draft(img)
        img.load()
        # Measured while the file is open: an 8-bit grayscale decode is used as it is, not copied.
        gray = _grayscale(img)
        if max(gray.size) > MEASURE_SIDE * 1.1:  # a JPEG drafted to ~1000 px needs no second resample
            if taken_quick:
                return base, (0.0, 0.0)  # not decoded at the quick size after all: measured as before
            gray.thumbnail((MEASURE_SIDE, MEASURE_SIDE))
        histogram = gray.histogram()[:256]
        sharpness = round(laplacian_variance(gray), 2)
        floor = _floor(gray) if taken_quick else None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    exif_date = exif_dates[0].date if exif_dates else None
    facts = ImageFacts(
        width=width,
        height=height,
        sharpness=sharpness,
        contrast=round(ImageStat.Stat(histogram).stddev[0], 2),
        exif_date=exif_date,
        orientation=orientation,
        **tones(histogram),
    )
    return replace(base, image=facts, dates=(*base.dates, *exif_dates)), floor


def _floor(gray: Image.Image) -> _Floor:
    histogram = gray.reduce(2).histogram()[:256]
    return ImageStat.Stat(histogram).stddev[0], tones(histogram)["ink_range"]


def _draft_scale(img: Image.Image, size: tuple[int, int]) -> int:
    """The scale divisor ``img.draft`` picks for ``size`` (JpegImagePlugin: 8, 4, 2 or 1)."""
    fit = min(img.size[0] // max(1, size[0]), img.size[1] // max(1, size[1]))
    return next(d for d in (8, 4, 2, 1) if d <= fit)


def _measure_size(img: Image.Image) -> tuple[int, int] | None:
    """The size that scales ``img``'s long side to ``MEASURE_SIDE``, or None when it is not larger."""
    width, height = img.size
    scale = MEASURE_SIDE / max(width, height)
    if scale >= 1:
        return None
    return max(1, int(width * scale)), max(1, int(height * scale))


def _draft(img: Image.Image) -> None:
    """Decode a JPEG in grayscale at the smallest scale step still at least ``MEASURE_SIDE`` long."""
    size = _measure_size(img)
    if size is not None:
        img.draft("L", size)


def _draft_quick(img: Image.Image) -> bool:
    """Decode a JPEG one scale step below ``_draft``'s when that step would need a resample and the
    smaller one is at least ``QUICK_MIN_SIDE`` long; False (nothing done) otherwise."""
    size = _measure_size(img)
    if size is None:
        return False
    step = _draft_scale(img, size)
    long_side = max(img.size)
    if step >= 8 or -(-long_side // step) <= MEASURE_SIDE * 1.1 or -(-long_side // (2 * step)) < QUICK_MIN_SIDE:
        return False
    img.draft("L", (img.size[0] // (2 * step), img.size[1] // (2 * step)))
    return True


def _surely_legible(facts: FileFacts, floor: _Floor, rules: DeliverableRules) -> bool:
    """Would the legibility verdict (``evidence.legibility``) find nothing wrong with this image even if
    its measures were as far below the quick ones (and their ``floor``) as they can be (``QUICK_*``),
    and it were not a crisp black-and-white scan? Then the measure taken as before finds nothing either."""
    from packager.evidence import legibility  # the one legibility decision, not a copy of it

    image = facts.image
    if image is None:
        return False
    worst = replace(
        image,
        sharpness=image.sharpness / QUICK_SHARPNESS_FACTOR,
        contrast=min(image.contrast, floor[0]) * QUICK_CONTRAST_FACTOR,
        ink_range=min(image.ink_range or 0.0, floor[1]) - QUICK_INK_LEVELS,
        midtones=1.0,
    )
    verdict = legibility(replace(facts, image=worst), rules)
    return not verdict.problems and not verdict.doubts


def tones(histogram: list[int]) -> dict[str, float]:
    """Paper-to-ink range (median minus the darkest 0.05 %) and the share of grey pixels.

    ``histogram`` is the 256-bin histogram of the 8-bit grayscale image the measures are taken on.
    """
    total = sum(histogram)
    if total <= 0:
        return {"ink_range": 0.0, "midtones": 0.0}

    def percentile(share: float) -> int:
        target, running = share * total, 0
        for value, count in enumerate(histogram):
            running += count
            if running >= target:
                return value
        return 255

    ink, median = percentile(0.0005), percentile(0.5)
    midtones = sum(histogram[64:192]) / total
    return {"ink_range": float(median - ink), "midtones": round(midtones, 4)}


def laplacian_variance(gray: Image.Image) -> float:
    """Variance of the 4-neighbour Laplacian of an 8-bit grayscale image, border pixels excluded.

    Computed in integer numpy on the reduced image. Each half of the response (positive and
    negative) is clipped at 255, as the 8-bit Pillow kernel filters this replaces did, so the
    measure keeps the scale ``min_sharpness`` was calibrated on.
    """
    if gray.width < 3 or gray.height < 3:
        return 0.0
    a = np.asarray(gray, dtype=np.int16)
    height, width = gray.height, gray.width
    # On the flattened image every neighbour is one contiguous slice (cheaper than 2-D views);
    # the first and last column of each row wrap around to the next row and are zeroed below.
    flat = a.ravel()
    n = (height - 2) * width
    lap = flat[0:n] + flat[2 * width : 2 * width + n]
    lap += flat[width - 1 : width - 1 + n]
    lap += flat[width + 1 : width + 1 + n]
    lap -= flat[width : width + n] << 2
    np.clip(lap, -255, 255, out=lap)
    rows = lap.reshape(height - 2, width)
    rows[:, 0] = 0
    rows[:, -1] = 0
    count = (height - 2) * (width - 2)
    total = int(lap.sum(dtype=np.int64))
    squares = int(np.einsum("i,i->", lap, lap, dtype=np.int64))
    mean = total / count
    return max(0.0, squares / count - mean * mean)


def _grayscale(img: Image.Image) -> Image.Image:
    """An 8-bit grayscale view of ``img``: ``img`` itself when it already is one."""
    if img.mode == "L":
        return img
    if img.mode.startswith("I;16") or img.mode == "I":
        # Deep images: scale 16-bit values down instead of clipping them at 255.
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if img.mode == "F":
        return img.convert("L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return img.convert("L")


def _exif(img: Image.Image) -> tuple[int | None, list[FoundDate]]:
    """EXIF orientation and dates (DateTimeOriginal first); broken EXIF is ignored."""
    try:
        exif = img.getexif()
    except Exception:
        return None, []
    orientation: int | None = None
    dates: list[FoundDate] = []
    with contextlib.suppress(Exception):
        value = exif.get(_TAG_ORIENTATION)
        if isinstance(value, int) and 1 <= value <= 8:
            orientation = value
    raw_values: list[object] = []
    with contextlib.suppress(Exception):
        raw_values.append(exif.get_ifd(_EXIF_IFD).get(_TAG_DATETIME_ORIGINAL))
    with contextlib.suppress(Exception):
        raw_values.append(exif.get(_TAG_DATETIME))
    for raw in raw_values:
        found = _exif_date(raw)
        if found and all(d.date != found.date for d in dates):
            dates.append(found)
    return orientation, dates


def _exif_date(raw: object) -> FoundDate | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    m = _EXIF_DATE.match(raw.strip().strip("\x00"))
    if not m:
        return None
    try:
        when = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if when.year < 1900:
        return None
    return FoundDate(when, "metadata", raw.strip().strip("\x00"))


def _too_large_message(size: tuple[int, int] | None) -> str:
    if size is None:
        return "the image declares an enormous size (a possible decompression bomb)"
    megapixels = size[0] * size[1] / 1_000_000
    return (
        f"the image declares {size[0]} x {size[1]} pixels ({megapixels:,.0f} megapixels), "
        "too large to check safely (a possible decompression bomb)"
    )


def _describe(exc: Exception) -> str:
    text = str(exc).lower()
    if "truncated" in text or isinstance(exc, EOFError):
        return "the image data is truncated (the file is incomplete)"
    if "cannot identify" in text:
        return "the image is damaged: it cannot be identified as a picture"
    if "decompressed data too large" in text or "too large" in text:
        return "the image contains oversized compressed data (a possible decompression bomb)"
    return f"the image is damaged and cannot be decoded ({type(exc).__name__})"
