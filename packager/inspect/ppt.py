"""The words of a PowerPoint 97-2003 presentation (.ppt): its ``PowerPoint Document`` stream.

The stream is a tree of records, each with an 8-byte header (version and instance, type, length); a
container's children follow its header. The text a reviewer sees on the slides is in the text atoms
(``TextCharsAtom``, UTF-16, and ``TextBytesAtom``, one byte a character) of the slide list
(``SlideListWithTextContainer``, instance 0), which come first, in slide order; the text of the other
atoms (notes, and the same words again in the slides' drawings) follows, each line once. One linear
pass over at most the bytes the caller read.
"""

from __future__ import annotations

import struct

from packager.inspect.xlsxdates import MAX_TEXT

MAX_CHARS = MAX_TEXT  # characters of text kept (as for a workbook)

_CONTAINER = 0xF
_SLIDE_LIST = 0x0FF0  # SlideListWithTextContainer (instance 0: the slides; 1: masters; 2: notes)
_TEXT_CHARS, _TEXT_BYTES = 0x0FA0, 0x0FA8


def read_presentation(stream: bytes) -> str:
    """The slides' text first, then the other text of a .ppt stream, each line once; never raises."""
    slides: dict[str, None] = {}
    other: dict[str, None] = {}
    size = 0
    ends: list[int] = []  # where the open slide lists (instance 0) end
    pos = 0
    while pos + 8 <= len(stream) and size < MAX_CHARS:
        while ends and pos >= ends[-1]:
            ends.pop()
        head, kind, length = struct.unpack_from("<HHI", stream, pos)
        if head & 0x0F == _CONTAINER:
            if kind == _SLIDE_LIST and head >> 4 == 0:
                ends.append(pos + 8 + length)
            pos += 8
            continue
        body = stream[pos + 8 : pos + 8 + length]
        pos += 8 + length
        if kind not in (_TEXT_CHARS, _TEXT_BYTES):
            continue
        text = body.decode("utf-16-le" if kind == _TEXT_CHARS else "latin-1", errors="replace")
        kept = slides if ends else other
        for raw in text.replace("\x0b", "\r").split("\r"):
            line = " ".join(raw.split())
            if line and line not in slides and line not in other:
                kept[line[: MAX_CHARS - size]] = None
                size += len(line) + 1
    return "\n".join([*slides, *other])


__all__ = ["MAX_CHARS", "read_presentation"]
