"""Colours and type size of the generated documents, optionally from the consultant's theme.yaml.

A ``theme.yaml`` (or ``theme.yml``) in the templates folder may set any of these keys; the
rest keep their defaults::

    accent: "#1f4e79"        # headings, rules, running header, list bullets
    text: "#222222"          # body text
    muted: "#5f6b7a"         # running header and footer
    table_header: "#dce6f1"  # background of table header rows
    band: "#eef2f7"          # background of group rows (e.g. a milestone in the index)
    highlight: "#fdecea"     # background of the "open findings" box, a result below the mark
    pass_fill: "#e6f4ea"     # background of a result at or above the pass mark
    alert: "#b00020"         # open findings, a score below the pass mark
    success: "#1e7b34"       # a score at or above the pass mark
    font: DejaVu             # the only family bundled; other values are ignored
    font_size: 10            # body text in points, 8 to 14

Colours are ``#rgb`` or ``#rrggbb``. A value that is not valid is ignored (the default is
kept) and described in ``Branding.problems``; a theme file that cannot be read at all gives
the default theme. A ``logo.png`` (or ``logo.jpg`` / ``logo.jpeg``) in the same folder is
drawn at the left of the running header, scaled to 11 mm high (at most 50 mm wide); a logo
that is not a readable PNG/JPEG image is left out and described in ``Branding.problems``.
Loading the branding never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, UnidentifiedImageError

THEME_FILENAMES = ("theme.yaml", "theme.yml")
LOGO_FILENAMES = ("logo.png", "logo.jpg", "logo.jpeg")
LOGO_HEIGHT_MM = 11.0
LOGO_MAX_WIDTH_MM = 50.0
FONT_FAMILY = "DejaVu"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_COLOUR_KEYS = (
    "accent",
    "text",
    "muted",
    "table_header",
    "band",
    "highlight",
    "pass_fill",
    "alert",
    "success",
)


@dataclass(frozen=True)
class Theme:
    """The colours (``#rrggbb``) and body size used by the renderer and the templates."""

    accent: str = "#1f4e79"
    text: str = "#222222"
    muted: str = "#5f6b7a"
    table_header: str = "#dce6f1"
    band: str = "#eef2f7"
    highlight: str = "#fdecea"
    pass_fill: str = "#e6f4ea"
    alert: str = "#b00020"
    success: str = "#1e7b34"
    font: str = FONT_FAMILY
    font_size: float = 10.0

    def rgb(self, name: str) -> tuple[int, int, int]:
        """One of the colours as an (r, g, b) tuple of 0-255 values."""
        value: str = getattr(self, name)
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def normalise_colour(value: object) -> str | None:
    """'#ABC' or '#aabbcc' as '#aabbcc'; None when `value` is not a hex colour."""
    if not isinstance(value, str) or not _HEX.match(value.strip()):
        return None
    digits = value.strip()[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def find_theme_file(templates_dir: Path | None) -> Path | None:
    if templates_dir is None:
        return None
    for name in THEME_FILENAMES:
        candidate = templates_dir / name
        if candidate.is_file():
            return candidate
    return None


def load_theme(templates_dir: Path | None) -> tuple[Theme, tuple[str, ...]]:
    """The theme of `templates_dir` (defaults for anything missing or invalid), and problems."""
    path = find_theme_file(templates_dir)
    if path is None:
        return Theme(), ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Theme(), (f"{path.name} could not be read ({reason}); defaults used",)
    if data is None:
        return Theme(), ()
    if not isinstance(data, dict):
        return Theme(), (f"{path.name} is not a block of 'key: value' pairs; defaults used",)
    return theme_from_mapping(data, path.name)


def theme_from_mapping(
    data: dict[Any, Any], source: str = "theme"
) -> tuple[Theme, tuple[str, ...]]:
    """Apply the valid entries of `data` to the default theme; describe the others."""
    changes: dict[str, Any] = {}
    problems: list[str] = []
    known = {f.name for f in fields(Theme)} - {"problems"}
    for key, value in data.items():
        if key not in known:
            problems.append(f"{source}: unknown key {key!r} ignored")
        elif key in _COLOUR_KEYS:
            colour = normalise_colour(value)
            if colour is None:
                problems.append(f"{source}: {key} {value!r} is not a colour like '#1f4e79'; ignored")
            else:
                changes[key] = colour
        elif key == "font":
            if isinstance(value, str) and value.strip().lower() in ("dejavu", "dejavu sans"):
                changes[key] = FONT_FAMILY
            else:
                problems.append(f"{source}: font {value!r} is not available; DejaVu Sans used")
        elif key == "font_size":
            if isinstance(value, int | float) and not isinstance(value, bool) and 8 <= value <= 14:
                changes[key] = float(value)
            else:
                problems.append(f"{source}: font_size {value!r} is not 8 to 14 points; ignored")
    return replace(Theme(), **changes), tuple(problems)


@dataclass(frozen=True)
class Logo:
    """The consultant's logo and the size it is drawn at (millimetres)."""

    path: Path
    width: float
    height: float


@dataclass(frozen=True)
class Branding:
    """Everything a templates folder can change besides the templates themselves."""

    theme: Theme
    logo: Logo | None = None
    problems: tuple[str, ...] = ()


def find_logo(templates_dir: Path | None) -> tuple[Logo | None, tuple[str, ...]]:
    """The logo of `templates_dir`, if there is a usable one, and any problem with it."""
    if templates_dir is None:
        return None, ()
    for name in LOGO_FILENAMES:
        path = templates_dir / name
        if not path.is_file():
            continue
        try:
            with Image.open(path) as image:
                fmt = image.format
                width_px, height_px = image.size
                image.verify()
        except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
            return None, (f"{name} is not a readable image ({exc}); no logo shown",)
        if fmt not in ("PNG", "JPEG") or width_px <= 0 or height_px <= 0:
            return None, (f"{name} is not a PNG or JPEG image; no logo shown",)
        ratio = width_px / height_px
        height = LOGO_HEIGHT_MM
        width = height * ratio
        if width > LOGO_MAX_WIDTH_MM:
            width, height = LOGO_MAX_WIDTH_MM, LOGO_MAX_WIDTH_MM / ratio
        return Logo(path, round(width, 3), round(height, 3)), ()
    return None, ()


def load_branding(templates_dir: Path | None) -> Branding:
    """Theme and logo of `templates_dir` (None: the built-in look)."""
    theme, theme_problems = load_theme(templates_dir)
    logo, logo_problems = find_logo(templates_dir)
    return Branding(theme, logo, theme_problems + logo_problems)
