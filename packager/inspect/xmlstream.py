"""Untrusted XML read in one linear pass: expat with DTDs refused, stopping quietly when told to."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from xml.parsers import expat


class StopParsing(Exception):
    """Raised by a handler to end the parse once it has what it needs."""


def parse_untrusted(
    data: bytes,
    *,
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    chars: Callable[[str], None] | None = None,
) -> None:
    """Feed ``data`` to expat with the given handlers.

    A DOCTYPE or entity declaration stops the parse (so no entity is ever expanded); so do
    StopParsing, a syntax error, a truncated part and runaway nesting. What the handlers saw
    up to that point is kept by them.
    """

    def refuse(*_args: object) -> None:
        raise StopParsing

    parser = expat.ParserCreate()
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    with contextlib.suppress(StopParsing, expat.ExpatError, ValueError, RecursionError):
        parser.Parse(data, True)
