"""Untrusted text made harmless: invisible and control characters found, removed or escaped.

File names, a company name, titles and anything read from a received zip may carry characters
that are invisible or that a terminal obeys: C0/C1 controls (ESC sequences can set a window
title or clear the screen), bidi overrides (U+202A-U+202E, U+2066-U+2069) that make
'evil\u202Efdp.exe' look like 'evilexe.pdf', and zero-width characters. Names that were not
valid UTF-8 arrive as lone surrogates (Python's surrogateescape) and cannot be printed at all.

One place decides which characters are unsafe: checks report them (file-name-unsafe), the
build removes them from names and documents, and cli.py escapes them before printing.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar, cast

T = TypeVar("T")

# C0 controls, DEL and C1 controls; bidi embeddings, overrides and isolates; marks that
# change direction or are invisible (LRM, RLM, ALM, zero-width space/joiners, word joiner,
# invisible operators, BOM); lone surrogates from bytes that were not UTF-8.
_UNSAFE_CLASS = (
    "\x00-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff"
)
UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
_TERMINAL_CLASS = _UNSAFE_CLASS.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f")  # keeps tab and line break
TERMINAL_UNSAFE = re.compile(f"[{_TERMINAL_CLASS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def unsafe_chars(text: str) -> list[str]:
    """The distinct unsafe characters in ``text``, in order of first appearance."""
    return list(dict.fromkeys(UNSAFE.findall(text)))


def describe(chars: list[str]) -> str:
    """'U+202E (bidi override), U+0007' for a message a person can act on."""
    return ", ".join(f"U+{ord(c):04X}" + (f" ({_KIND[c]})" if c in _KIND else _kind(c)) for c in chars[:6])


_KIND = {
    "\u202e": "right-to-left override", "\u202d": "left-to-right override", "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner", "\ufeff": "zero-width no-break space",
    "\x1b": "escape", "\t": "tab", "\n": "line break", "\r": "carriage return",
}


def _kind(c: str) -> str:
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF:
        return " (a byte that is not valid UTF-8)"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return " (control character)"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x200E, 0x200F, 0x061C):
        return " (text-direction control)"
    return " (invisible character)"


def strip_unsafe(text: str) -> str:
    """``text`` without unsafe characters; controls that separate words become spaces."""
    return UNSAFE.sub(lambda m: " " if m.group(0) in "\t\n\r\x0b\x0c" else "", text)


def strip_unsafe_deep(value: T) -> T:
    """``value`` with ``strip_unsafe`` applied to every string inside it (dataclasses, tuples, lists, dicts)."""
    return cast(T, _deep(value))


def _deep(value: object) -> object:
    if isinstance(value, str):
        return strip_unsafe(value) if UNSAFE.search(value) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _deep(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_deep(v) for v in value)
    if isinstance(value, list):
        return [_deep(v) for v in value]
    if isinstance(value, dict):
        return {_deep(k): _deep(v) for k, v in value.items()}
    return value


def escape_unsafe(text: str, *, json: bool = False) -> str:
    """Every unsafe character written as a visible escape, e.g. '\\u202e'; other text unchanged.

    A surrogate that stands for a raw byte is shown as '\\xNN' (as '\\udcNN' when ``json``, so
    JSON text stays valid and decodes to the same string). Line breaks and tabs are kept.
    """
    return TERMINAL_UNSAFE.sub(_escape_json if json else _escape_one, text)


def _escape_json(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group(0)):04x}"


def _escape_one(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def for_terminal(text: str, *, json: bool = False) -> str:
    """Text safe to print: nothing in it can move the cursor, set a title or reorder the line."""
    return escape_unsafe(text, json=json)


def printable_path(text: str) -> str:
    """A file name or path from the disk, safe to print or embed in a message."""
    return _SURROGATE.sub(_escape_one, text) if _SURROGATE.search(text) else text
