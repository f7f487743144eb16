"""Tables of the generated documents drawn line by line from widths measured once.

fpdf2 lays out every table cell with ``multi_cell`` twice (once to measure the row, once to
draw it), and its line breaker re-measures the line at every character (about 25 µs each).
Here a text cell is measured once per word: when it fits on one line it is drawn directly,
exactly as ``multi_cell`` draws a single line (same position, font, alignment, borders); a
longer one is wrapped the way fpdf2 wraps it (at a space or a zero-width space, which is
dropped at the end of a line) and drawn line by line. A cell with a line break, an image, a
word wider than the cell, unusual spaces or soft hyphens, a row span, justified text, or a
line within rounding of the cell's width goes through fpdf2's own layout instead.

The rows, their heights, page breaks and the header row repeated on each page are still
decided by ``fpdf.table.Table``; only the per-cell text layout is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from fpdf.enums import Align, VAlign, XPos, YPos
from fpdf.fonts import FontFace, TTFFont
from fpdf.line_break import TextLine
from fpdf.table import Cell, Table
from fpdf.util import Padding

# A line narrower than the room by less than this (mm) goes through fpdf2's line breaker,
# so that rounding can never make the two disagree about where a line ends.
FIT_TOLERANCE = 0.05

_ONE_LINE_ALIGNS = (Align.L, Align.C, Align.R)
_BREAKS = frozenset(" \u200b")
# Characters fpdf2's line breaker treats specially: other breaking spaces, NBSP, soft hyphen.
_SPECIAL = re.compile("[\u00a0\u00ad\u2000-\u200a\u205f\u3000\t\n\r\f]")


@dataclass(frozen=True)
class _Layout:
    """How one text cell is drawn: its style, padding, alignment and lines (fragments each)."""

    style: Any
    padding: Padding
    align: Align
    room: float
    lines: tuple[Any, ...]


class FastTable(Table):  # type: ignore[misc]
    """``fpdf.table.Table`` with the fast text-cell path described in the module doc."""

    _layouts: dict[tuple[int, int], _Layout | None] | None = None

    def render(self) -> None:
        self._layouts = {}
        try:
            super().render()
        finally:
            self._layouts = None

    def _layout(self, i: int, j: int, cell: Cell) -> _Layout | None:
        """The layout of cell (i, j), measured once (with writing off) and then reused."""
        if self._layouts is None:
            self._layouts = {}
        key = (i, j)
        if key not in self._layouts:
            with self._fpdf._disable_writing():
                self._layouts[key] = self._measure(i, j, cell)
        return self._layouts[key]

    def _measure(self, i: int, j: int, cell: Cell) -> _Layout | None:
        text = cell.text
        if not text or cell.img or cell.rowspan != 1 or self._markdown or _SPECIAL.search(text):
            return None
        align = cell.align or self._text_align
        if not isinstance(align, Align | str):
            align = align[j]
        align = Align.coerce(align)
        if align not in _ONE_LINE_ALIGNS:
            return None
        style = self._initial_style
        if style is None:
            return None
        if self._cell_fill_mode.should_fill_cell(i, j) and self._cell_fill_color:
            style = style.replace(fill_color=self._cell_fill_color)
        if i < self._num_heading_rows:
            style = FontFace.combine(style, self._headings_style)
        style = FontFace.combine(style, self.rows[i].style)
        style = FontFace.combine(style, cell.style)
        if style is None:
            return None
        padding = Padding.new(cell.padding) if cell.padding else self._padding
        pdf = self._fpdf
        room = self._get_col_width(i, j, cell.colspan) - padding.left - padding.right
        if not padding.left:
            room -= pdf.c_margin
        if not padding.right:
            room -= pdf.c_margin
        limit = room - FIT_TOLERANCE
        with pdf.use_font_face(style):
            text = pdf.normalize_text(text)
            whole = pdf._preload_font_styles(text, False)
            if len(whole) != 1 or whole[0].char_spacing or whole[0].font_stretching != 100:
                return None
            width = _width_of(whole[0])

            if width(text) <= limit:
                fragments: tuple[Any, ...] = (whole,)
            else:
                lines = _wrap(text, width, limit, room)
                if lines is None:
                    return None
                fragments = tuple(pdf._preload_font_styles(line, False) for line in lines)
        return _Layout(style, padding, align, room, fragments)

    def _render_table_cell(
        self,
        i: int,
        j: int,
        cell: Cell,
        row_height: float,
        cell_height_info: Any = None,
        cell_x_positions: Any = None,
        **kwargs: Any,
    ) -> tuple[bool, float, float]:
        layout = None if kwargs else self._layout(i, j, cell)
        if layout is None:
            result: tuple[bool, float, float] = super()._render_table_cell(
                i, j, cell, row_height, cell_height_info, cell_x_positions, **kwargs
            )
            return result
        padding = layout.padding
        height = len(layout.lines) * row_height + padding.top + padding.bottom
        if cell_height_info is None:  # measuring the row
            return False, 0.0, height
        # Borders and background: fpdf2's own drawing of the same cell without its text.
        row = self.rows[i]
        blank = replace(cell, text="")
        row.cells[j] = blank  # fpdf2 finds the cell in its row by identity
        try:
            super()._render_table_cell(i, j, blank, row_height, cell_height_info, cell_x_positions)
        finally:
            row.cells[j] = cell
        v_align = cell.v_align or row.v_align or self._v_align
        dy = 0.0
        if v_align == VAlign.M:
            dy = (cell_height_info.height - height) / 2
        elif v_align == VAlign.B:
            dy = cell_height_info.height - height
        pdf = self._fpdf
        x = cell_x_positions[j] + padding.left
        pdf.set_x(x)
        pdf.y += dy + padding.top
        last = len(layout.lines) - 1
        with pdf.use_font_face(layout.style):
            for n, fragments in enumerate(layout.lines):
                pdf._render_styled_text_line(
                    TextLine(fragments, 0, 0, layout.align, row_height, layout.room),
                    h=row_height,
                    new_x=XPos.RIGHT if n == last else XPos.LEFT,
                    new_y=YPos.TOP if n == last else YPos.NEXT,
                    border=0,
                    fill=False,
                    link=cell.link,
                    padding=Padding(0, padding.right, 0, padding.left),
                )
                pdf.set_x(x)
        return False, 0.0, height


def _width_of(fragment: Any) -> Callable[[str], float]:
    """The width (in document units) of text in `fragment`'s style.

    For a plain TrueType font (no symbol mapping, text shaping, character spacing or stretching)
    this is fpdf2's own sum (``Fragment.get_width``, ``TTFFont.get_text_width``), the same terms
    added in the same order, without a generator and three calls per character."""
    font = fragment.font
    if (not isinstance(font, TTFFont) or font.is_symbol or fragment.text_shaping_parameters
            or fragment.char_spacing or fragment.font_stretching != 100):
        return lambda part: float(fragment.get_width(chars=part)) if part else 0.0
    cw = font.cw
    size = fragment.font_size_pt
    k = fragment.k
    font.biggest_size_pt = max(font.biggest_size_pt, size)  # as get_text_width records it

    def width(part: str) -> float:
        return float(sum(map(cw.__getitem__, map(ord, part))) * size * 0.001 / k) if part else 0.0

    return width


def _wrap(
    text: str, width: Callable[[str], float], limit: float, room: float
) -> list[str] | None:
    """`text` broken at spaces and zero-width spaces into lines no wider than `limit`.

    None when a word is wider than that, a line would end within rounding of `room`, or two
    break characters follow each other (fpdf2's own layout decides those)."""
    words = re.split("([ \u200b])", text)
    if "" in words:
        return None
    lines: list[str] = []
    line = words[0]
    line_width = width(line)
    if line_width > limit:
        return None
    for k in range(1, len(words), 2):
        sep, word = words[k], words[k + 1]
        word_width = width(word)
        candidate = line_width + width(sep) + word_width
        if candidate <= limit:
            line, line_width = line + sep + word, candidate
            continue
        if candidate <= room + FIT_TOLERANCE or word_width > limit:
            return None
        lines.append(line)
        line, line_width = word, word_width
    lines.append(line)
    return lines
