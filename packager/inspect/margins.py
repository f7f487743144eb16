"""Page headers and footers as a reviewer reads them, the same for every format that prints them.

What is printed at the top of every page labels the document: its lines come first, on one line
('ACME | Milestone 1.2 | Drill report'), each line once, within one cap, so that a template's header
repeated on every section (or a hostile one of thousands of lines) never pushes the body's own first
lines out of the header. Footers are kept the same way and come after the body.
"""

from __future__ import annotations

MARGIN_CHARS = 2_000  # characters kept of all the headers, and of all the footers, of one document


def keep_lines(kept: dict[str, None], text: str) -> None:
    """Add the lines of ``text`` (spaces collapsed) to ``kept``, in order and each once, while all of them,
    each with its ' | ', fit in MARGIN_CHARS."""
    size = sum(len(line) + 3 for line in kept)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and line not in kept and size < MARGIN_CHARS:
            kept[line] = None
            size += len(line) + 3


def one_line(kept: dict[str, None]) -> str:
    return " | ".join(kept)


__all__ = ["MARGIN_CHARS", "keep_lines", "one_line"]
