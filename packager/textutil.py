"""Small text helpers shared by checks and reports: wording, and the key names are matched by."""

from __future__ import annotations

import datetime as dt
import unicodedata


def name_key(name: str) -> str:
    """The key two file names match by, as Windows and macOS match them: case and Unicode form aside.

    macOS can store 'é' as 'e' and a combining accent (a name from an HFS+ disk, or from a zip made by
    Finder), while a plan typed on any machine has the single character: both give the same key.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def long_date(day: dt.date) -> str:
    """'May 14, 2026' on every platform (strftime's %-d is not portable)."""
    return f"{day:%B} {day.day}, {day.year}"


_QUARTERS = ("first", "second", "third", "fourth")


def long_period(first: dt.date, precision: str) -> str:
    """A date as a reader says it: 'May 14, 2026', 'May 2026' for a month, 'the second quarter of 2026'."""
    if precision == "month":
        return f"{first:%B} {first.year}"
    if precision == "quarter":
        return f"the {_QUARTERS[(first.month - 1) // 3]} quarter of {first.year}"
    return long_date(first)


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
