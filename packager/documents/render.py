"""Render a document template to HTML, and the HTML to a deterministic Letter-size PDF.

The pipeline is: jinja2 template (autoescaped HTML) -> characters the bundled DejaVu fonts
cannot draw replaced -> ``FPDF.write_html`` on Letter pages with a running header (logo and
``header_text``) and a "Page X of Y" footer. Table cells are laid out by
``fast_table.FastTable`` (widths measured once per word, not once per character), and the
bundled fonts are parsed once per process.

Identical input gives identical bytes: the creation date is the caller's ``fixed_date``
(a naive datetime is taken as UTC, so the machine's time zone does not leak in), producer
and creator are fixed, and the PDF file /ID is a hash of everything that went into the
document instead of fpdf2's default.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fontTools import ttLib  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.errors import FPDFException
from fpdf.fonts import FontFace, SubsetMap, TextStyle, TTFFont
from fpdf.html import HTML2FPDF
from fpdf.table import Table
from markupsafe import Markup, escape

from packager import __version__
from packager.documents.fast_table import FastTable
from packager.documents.specs import FINAL_DOCUMENTS, PROPOSAL_DOCUMENTS
from packager.documents.theme import FONT_FAMILY, Branding, Logo, Theme, load_branding
from packager.errors import InputError

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
}
REPLACEMENT = "\ufffd"
CREATOR = "packager"
PRODUCER = f"packager {__version__}"
LANGUAGE = "en-CA"

# Page geometry, millimetres (Letter is 215.9 x 279.4).
MARGIN_SIDE = 19.0
MARGIN_TOP = 27.0
MARGIN_BOTTOM = 20.0
HEADER_TOP = 9.0
HEADER_RULE_Y = 21.5


# --------------------------------------------------------------------------- templates


def _num(value: Any, dash: str = "—") -> str:
    """12.0 -> '12', 12.5 -> '12.5', 6.666 -> '6.67'; None -> dash."""
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return dash
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _percent(value: Any, dash: str = "—") -> str:
    text = _num(value, dash)
    return text if text == dash else f"{text}%"


def _dash(value: Any, dash: str = "—") -> Any:
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return dash
    return value


def _oneline(value: Any) -> str:
    """Whitespace (including newlines) collapsed to single spaces."""
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    return " ".join(str(value).split())


WORD_BREAK = "<wbr>"  # where a long token may wrap; laid out as a zero-width space


def _breakable(value: Any) -> Markup:
    """A check id or path that may wrap after "-", "/" or "_" (not in the middle of a word).

    The text is escaped; only the break points are markup."""
    text = escape(_oneline(value))
    return Markup(re.sub(r"(?<=[-/_])(?=\S)", WORD_BREAK, str(text)))


def _sentence(value: Any) -> str:
    """First letter in capitals, the rest untouched ('the COR …' -> 'The COR …')."""
    text = _oneline(value)
    return text[:1].upper() + text[1:]


def _yesno(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "Not answered"


def _isodate(value: Any, dash: str = "—") -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(_dash(value, dash))


FILTERS: dict[str, Callable[..., Any]] = {
    "num": _num,
    "percent": _percent,
    "dash": _dash,
    "oneline": _oneline,
    "breakable": _breakable,
    "sentence": _sentence,
    "yesno": _yesno,
    "isodate": _isodate,
}


@lru_cache(maxsize=16)
def make_environment(templates_dir: Path | None = None, *, strict: bool = False) -> jinja2.Environment:
    """The template environment: `templates_dir` first (if given), then the built-ins.

    Autoescaping is on for every template. `strict` makes undefined names an error (the
    tests render the built-in templates that way); the default tolerates them so that a
    consultant's template using a name the builder does not pass renders it as empty.
    """
    builtin = jinja2.PackageLoader("packager", "templates/documents")
    loader: jinja2.BaseLoader = (
        jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates_dir)), builtin])
        if templates_dir is not None
        else builtin
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
    )
    env.filters.update(FILTERS)
    env.globals["final_documents"] = FINAL_DOCUMENTS
    env.globals["proposal_documents"] = PROPOSAL_DOCUMENTS
    return env


def render_html(
    template: str,
    context: Mapping[str, Any],
    *,
    title: str,
    templates_dir: Path | None = None,
    theme: Theme | None = None,
    strict: bool = False,
) -> str:
    """The HTML of `template` with `context`, plus `title` and `theme` (see theme.py).

    A template that cannot be found, parsed or rendered raises InputError naming it.
    """
    env = make_environment(templates_dir, strict=strict)
    values = {**context, "title": title, "theme": theme or Theme()}
    try:
        return env.get_template(template).render(values)
    except jinja2.TemplateNotFound as exc:
        raise InputError(
            f"there is no document template called '{exc.name}'",
            file=templates_dir,
            expected="a file of that name in the templates folder, or a built-in template",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"the template has a syntax error: {exc.message}",
            file=exc.filename or exc.name or template,
            line=exc.lineno,
            hint="See the Jinja template documentation; the built-in templates are examples",
        ) from None
    except jinja2.TemplateError as exc:
        raise InputError(
            f"the template could not be rendered: {exc}",
            file=_template_file(templates_dir, template),
        ) from None


def _template_file(templates_dir: Path | None, template: str) -> str:
    if templates_dir is not None and (templates_dir / template).is_file():
        return str(templates_dir / template)
    return template


# --------------------------------------------------------------------------- glyphs

_IGNORABLE = re.compile(
    "[\u00ad\u034f\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
    "\U000e0000-\U000e0fff]"
)


@cache
def _parsed_font(style: str) -> TTFFont:
    """The bundled font of `style`, parsed once per process (never written to a PDF itself)."""
    pdf = FPDF()
    pdf.add_font(FONT_FAMILY, style, str(FONTS_DIR / FONT_FILES[style]))
    font = pdf.fonts[f"{FONT_FAMILY.lower()}{style}"]
    assert isinstance(font, TTFFont)
    return font


def preload() -> None:
    """Parse the bundled fonts now, in this process, so that worker processes forked from it
    later start rendering at once (what is parsed is shared with them, read-only)."""
    for style in FONT_FILES:
        _parsed_font(style)
    _drawable()


def _add_font(pdf: FPDF, style: str) -> None:
    """``pdf.add_font`` of a bundled font without parsing it again.

    The parsed metrics (character widths, glyph ids, cmap) are shared, read-only; what a
    document changes is its own: the fontTools font (fpdf2 subsets it in place when writing
    the PDF; opened lazily, so cheap), the subset of characters used, the font descriptor
    object and the font's number in the document.
    """
    parsed = _parsed_font(style)
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(parsed.ttffile, recalcTimestamp=False, fontNumber=0, lazy=True)
    font._hbfont = None
    font.biggest_size_pt = 0
    font.desc = copy.copy(parsed.desc)
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points every bundled font style has a glyph for."""
    maps = [set(_parsed_font(style).cmap) for style in FONT_FILES]
    return frozenset(set.intersection(*maps))


def printable(text: str) -> str:
    """`text` with invisible format characters dropped, control characters turned into
    spaces, and anything the fonts cannot draw (most emoji, CJK …) replaced by U+FFFD."""
    drawable = _drawable()
    text = _IGNORABLE.sub("", text)
    # Each distinct character is judged once (a document has a few hundred), then replaced in one pass.
    changes: dict[int, str] = {}
    for ch in set(text):
        if ch in "\n\t ":
            continue
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            changes[ord(ch)] = " "
        elif ord(ch) not in drawable:
            changes[ord(ch)] = REPLACEMENT
    return text.translate(changes) if changes else text


# --------------------------------------------------------------------------- PDF


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


TABLE_GAP_AFTER = 2.5  # mm below a table


class _KeepingHTML2FPDF(HTML2FPDF):  # type: ignore[misc]
    """fpdf2's HTML layout with two changes.

    - ``data-keep="45"`` on a top-level element starts it on a new page unless at least
      45 mm are left on the current one (keeps a heading with the table under it, or a
      signature block in one piece).
    - fpdf2 queues the blank line it adds before a table until after the table, leaving a
      wide gap below every table and none above; tables get a small fixed gap below instead.
    """

    _skip_ln = False

    def _ln(self, h: float | None = None) -> None:
        if not self._skip_ln:
            super()._ln(h)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        keep = dict(attrs).get("data-keep")
        if keep and self.table is None:
            try:
                needed = float(keep)
            except ValueError:
                needed = 0.0
            self._end_paragraph()
            if needed > 0 and self.pdf.will_page_break(needed):
                self.pdf._perform_page_break()
        if tag == "table":
            self._skip_ln = True
            try:
                super().handle_starttag(tag, attrs)
            finally:
                self._skip_ln = False
            if type(self.table) is Table:
                self.table.__class__ = FastTable  # one-line cells drawn directly
        else:
            super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.table is not None:
            self._skip_ln = True
            try:
                super().handle_endtag(tag)
            finally:
                self._skip_ln = False
            self.pdf.ln(TABLE_GAP_AFTER)
        else:
            super().handle_endtag(tag)


class _DocumentPDF(FPDF):  # type: ignore[misc]
    """Letter pages with the running header and footer, and a content-derived file /ID."""

    HTML2FPDF_CLASS = _KeepingHTML2FPDF

    def __init__(
        self, *, header_text: str, footer_text: str, branding: Branding, file_id: str
    ) -> None:
        super().__init__(orientation="P", unit="mm", format="letter")
        self._header_text = header_text
        self._footer_text = footer_text
        self._theme = branding.theme
        self._logo: Logo | None = branding.logo
        self._file_id = file_id

    def file_id(self) -> str:
        return self._file_id

    def header(self) -> None:
        theme = self._theme
        if self._logo is not None:
            self.image(
                str(self._logo.path),
                x=self.l_margin,
                y=HEADER_TOP + (11.0 - self._logo.height) / 2,
                w=self._logo.width,
                h=self._logo.height,
            )
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(*theme.rgb("muted"))
        self.set_xy(self.l_margin, HEADER_TOP + 3.5)
        self.cell(self.epw, 4, self._header_text, align="R")
        self.set_draw_color(*theme.rgb("accent"))
        self.set_line_width(0.5)
        self.line(self.l_margin, HEADER_RULE_Y, self.w - self.r_margin, HEADER_RULE_Y)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        theme = self._theme
        y = self.h - 14
        self.set_draw_color(*theme.rgb("muted"))
        self.set_line_width(0.2)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(*theme.rgb("muted"))
        self.set_xy(self.l_margin, y + 1.5)
        self.cell(self.epw * 0.7, 4, self._footer_text, align="L")
        self.set_xy(self.l_margin + self.epw * 0.7, y + 1.5)
        self.cell(self.epw * 0.3, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def _tag_styles(theme: Theme) -> dict[str, FontFace]:
    size = theme.font_size
    return {
        "h1": TextStyle(
            font_family=FONT_FAMILY, font_style="B", font_size_pt=size + 10,
            color=theme.accent, t_margin=0, b_margin=1,
        ),
        "h2": TextStyle(
            font_family=FONT_FAMILY, font_style="B", font_size_pt=size + 3,
            color=theme.accent, t_margin=3.5, b_margin=1,
        ),
        "h3": TextStyle(
            font_family=FONT_FAMILY, font_style="B", font_size_pt=size + 1,
            color=theme.text, t_margin=3.5, b_margin=0.5,
        ),
        "h4": TextStyle(
            font_family=FONT_FAMILY, font_style="B", font_size_pt=size,
            color=theme.text, t_margin=3, b_margin=0.5,
        ),
        "p": TextStyle(font_family=FONT_FAMILY, font_size_pt=size, t_margin=1.2, b_margin=1.2),
        "li": TextStyle(font_family=FONT_FAMILY, font_size_pt=size, l_margin=5, t_margin=1),
        "ul": TextStyle(t_margin=1),
        "ol": TextStyle(t_margin=1),
        # fpdf2 sets these in Courier, a core font without most Unicode characters:
        "pre": TextStyle(font_family=FONT_FAMILY, font_size_pt=size - 1, t_margin=2),
        "code": FontFace(family=FONT_FAMILY),
    }  # fmt: skip


_ITALIC_TAG = re.compile(r"<(?:i|em)[\s>/]", re.IGNORECASE)


def _file_id(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    half = digest[:32].upper()
    return f"<{half}><{half}>"


def html_to_pdf(
    html: str,
    *,
    title: str,
    header_text: str,
    fixed_date: datetime.datetime,
    branding: Branding | None = None,
    author: str | None = None,
    source: str = "document",
) -> bytes:
    """Lay `html` out on Letter pages; identical arguments give identical bytes.

    HTML that fpdf2 cannot lay out raises InputError naming `source` (a template).
    """
    branding = branding or Branding(Theme())
    theme = branding.theme
    html = printable(html).replace(WORD_BREAK, "\u200b")  # the `breakable` filter's break points
    title = printable(" ".join(title.split()))
    header_text = printable(" ".join(header_text.split()))
    moment = _aware(fixed_date)
    file_id = _file_id(
        title,
        header_text,
        moment.isoformat(),
        html,
        repr(theme),
        branding.logo.path.name if branding.logo else "",
        _logo_digest(branding.logo),
    )
    pdf = _DocumentPDF(
        header_text=header_text, footer_text=title, branding=branding, file_id=file_id
    )
    for style in FONT_FILES:
        # Each document subsets its fonts; the italic one only when the HTML asks for it.
        if style != "I" or _ITALIC_TAG.search(html):
            _add_font(pdf, style)
    pdf.set_margins(MARGIN_SIDE, MARGIN_TOP, MARGIN_SIDE)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_creation_date(moment)
    pdf.set_creator(CREATOR)
    pdf.set_producer(PRODUCER)
    pdf.set_title(title)
    pdf.set_subject(header_text)
    if author:
        pdf.set_author(printable(author))
    pdf.set_lang(LANGUAGE)
    pdf.set_display_mode("fullwidth", "continuous")
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "", theme.font_size)
    pdf.set_text_color(*theme.rgb("text"))
    pdf.set_draw_color(170, 180, 192)
    pdf.set_line_width(0.2)
    try:
        pdf.write_html(
            html,
            font_family=FONT_FAMILY,
            tag_styles=_tag_styles(theme),
            table_line_separators=True,
            li_prefix_color=theme.accent,
            warn_on_tags_not_matching=False,
        )
    except (FPDFException, NotImplementedError, ValueError, AssertionError, KeyError, OSError) as exc:
        raise InputError(
            f"the document's HTML cannot be laid out as a PDF ({exc})",
            file=source,
            hint="Keep to the HTML the built-in templates use: headings, p, b/i/u, font, "
            "ul/ol/li, table/tr/th/td (plain text in cells), hr, br",
        ) from None
    return bytes(pdf.output())


def _logo_digest(logo: Logo | None) -> str:
    if logo is None:
        return ""
    try:
        return hashlib.sha256(logo.path.read_bytes()).hexdigest()
    except OSError:
        return ""


def render_pdf(
    template: str,
    context: Mapping[str, Any],
    *,
    title: str,
    templates_dir: Path | None = None,
    fixed_date: datetime.datetime,
    header_text: str,
) -> bytes:
    """Render `template` with `context` to PDF bytes.

    `templates_dir` (a consultant's folder) overrides any built-in template of the same
    name and may hold a logo.png/.jpg and a theme.yaml (see packager.documents.theme).
    `title` is the document title (title block, footer, PDF metadata; also passed to the
    template as `title`), `header_text` the running header, and `fixed_date` the PDF
    creation date. The same arguments always give the same bytes.
    """
    branding = load_branding(templates_dir)
    html = render_html(
        template, context, title=title, templates_dir=templates_dir, theme=branding.theme
    )
    plan = context.get("plan")
    company = getattr(plan, "company", None)
    return html_to_pdf(
        html,
        title=title,
        header_text=header_text,
        fixed_date=fixed_date,
        branding=branding,
        author=company if isinstance(company, str) else None,
        source=_template_file(templates_dir, template),
    )
