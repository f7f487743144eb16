"""Plain text, CSV and HTML files: their text and the dates written in it."""

from __future__ import annotations

import codecs
from dataclasses import replace
from pathlib import Path

from packager import dates
from packager.inspect.facts import TEXT_CAP, FileFacts, InspectOptions


def inspect_text(path: Path, base: FileFacts, options: InspectOptions, whole: bytes | None = None) -> FileFacts:
    """Read at most ``max_text_bytes`` (of ``whole``, the file, when it was read already); dates come
    from all of that, ``text`` is capped."""
    data = read_capped(path, options, whole)
    text = decode_text(data, truncated=base.size > len(data))
    found = dates.find_dates(text, "content", options.window)
    return replace(base, text=text[:TEXT_CAP], dates=(*base.dates, *found))


def read_capped(path: Path, options: InspectOptions, whole: bytes | None = None) -> bytes:
    """The first ``max_text_bytes`` of the file (of ``whole`` when it was read already)."""
    limit = max(0, options.rules.max_text_bytes)
    if whole is not None:
        return whole[:limit]
    with path.open("rb") as fh:
        return fh.read(limit)


def decode_text(data: bytes, truncated: bool = False) -> str:
    """UTF-8 (or UTF-16 with a BOM), falling back to Windows-1252; never raises."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False when we stopped reading early: a character cut in half is not an error.
        return decoder.decode(data, final=not truncated)
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
