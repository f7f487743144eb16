"""Small wording helpers shared by checks and reports."""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    """'May 14, 2026' on every platform (strftime's %-d is not portable)."""
    return f"{day:%B} {day.day}, {day.year}"


def points(value: float) -> str:
    return f"{value:g}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def join_or(items: list[str], conj: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def ellipsize(text: str, width: int) -> str:
    """`text` cut to at most `width` characters at a word, ending in '…' when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and text[width - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-—") + "…"
