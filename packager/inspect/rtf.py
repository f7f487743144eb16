"""RTF documents (WordPad, Word's "Rich Text Format"): their words, page headers and footers, title and dates.

An RTF file is text with control words. The words a reader sees are what is left once the control words,
the font and colour tables, pictures, embedded objects and other hidden groups are taken out; the
characters written as ``\\'e9`` or ``\\u233`` are decoded. One linear pass with a bounded group stack:
whatever the input, the time is proportional to its size and the memory to the text kept.
"""

from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from packager import dates
from packager.inspect.facts import TEXT_CAP, FileFacts, FoundDate, InspectOptions
from packager.inspect.margins import MARGIN_CHARS, keep_lines, one_line
from packager.inspect.text import read_capped

EMBEDDED_OBJECTS = "it contains embedded OLE objects (documents or files inside the document)"

MAX_DEPTH = 256  # groups nested deeper than this are skipped (Word writes fewer than 20)
MAX_CHARS = 200_000  # characters kept of the body; the headers, footers and title are kept shorter

# One token: a control word with its optional number (and the space that ends it), a hex-escaped byte,
# a control symbol, a group's start or end, a run of plain text, or line ends (which RTF ignores).
_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+|\\",
    re.DOTALL,
)

# Groups whose content a reader never sees.
_HIDDEN = frozenset({
    "fonttbl", "colortbl", "stylesheet", "listtable", "listoverridetable", "revtbl", "rsidtbl",
    "generator", "pict", "object", "objdata", "objclass", "datastore", "themedata", "colorschememapping",
    "latentstyles", "xmlnstbl", "mmathPr", "fldinst", "bkmkstart", "bkmkend", "sp", "nonshppict",
    "userprops", "docvar", "xe", "tc", "filetbl", "pgdsctbl", "protusertbl", "defchp", "defpap",
    "listpicture", "operator", "template", "wgrffmtfilter", "passwordhash",
})
# Word writes text twice in {\upr{ANSI text}{\*\ud{Unicode text}}}: the ANSI copy is read (the \*\ud one is
# an ignorable destination), so an \upr group is transparent, in the document's properties too.
_TRANSPARENT = "upr"
_MARGINS = {
    **dict.fromkeys(("header", "headerl", "headerr", "headerf"), "header"),
    **dict.fromkeys(("footer", "footerl", "footerr", "footerf"), "footer"),
}
_INFO_DATES = frozenset({"creatim", "revtim"})
_LINE_ENDS = frozenset({"par", "line", "sect", "page", "row", "outlinelevel"})
_SYMBOLS = {
    "tab": "\t", "cell": "\t", "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022",
    "lquote": "\u2018", "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d",
    "emspace": " ", "enspace": " ", "qmspace": " ",
}
_ESCAPED = {"~": "\u00a0", "_": "-", "-": "", "{": "{", "}": "}", "\\": "\\", "\n": "\n", "\r": "\n"}


@dataclass(frozen=True)
class RtfText:
    """What a reader sees in an RTF document."""

    body: str
    header: str  # the page headers' lines, one ' | '-joined line
    footer: str
    title: str | None
    dates: tuple[tuple[str, datetime.date], ...]  # ('creatim' | 'revtim', date) from the document's properties
    objects: bool  # embedded OLE objects (\object)


@dataclass
class _Group:
    where: str  # body | header | footer | title | hidden | date:<word>
    uc: int = 1  # characters that follow \uN as its fallback
    first: bool = True  # no control word or text seen yet in this group


@dataclass
class _Out:
    parts: dict[str, list[str]] = field(default_factory=lambda: {"body": [], "header": [], "footer": [], "title": []})
    sizes: dict[str, int] = field(default_factory=lambda: {"body": 0, "header": 0, "footer": 0, "title": 0})

    def add(self, where: str, text: str) -> None:
        if where not in self.parts:
            return
        cap = MAX_CHARS if where == "body" else MARGIN_CHARS
        room = cap - self.sizes[where]
        if room > 0 and text:
            piece = text[:room]
            self.parts[where].append(piece)
            self.sizes[where] += len(piece)

    def text(self, where: str) -> str:
        return "".join(self.parts[where])


def inspect_rtf(path: Path, base: FileFacts, options: InspectOptions, whole: bytes | None = None) -> FileFacts:
    """Facts of an RTF document: its page headers first (they label it), then its words, then its footers."""
    read = read_rtf(read_capped(path, options, whole))
    text = "\n".join(part for part in (read.header, read.body, read.footer) if part)
    found = dates.find_dates(text, "content", options.window)
    meta = [FoundDate(when, "metadata", when.isoformat()) for _word, when in read.dates]
    return replace(
        base,
        text=text[:TEXT_CAP],
        title=read.title,
        dates=(*base.dates, *found, *meta),
        notes=(*base.notes, *([EMBEDDED_OBJECTS] if read.objects else [])),
    )


def read_rtf(data: bytes) -> RtfText:
    """The words, headers, footers, title and property dates of RTF ``data``; never raises."""
    source = data.decode("latin-1")  # one character per byte: escapes and code pages are decoded below
    out = _Out()
    stack: list[_Group] = [_Group("body")]
    overflow = 0  # groups opened beyond MAX_DEPTH, skipped
    codepage = "cp1252"
    pending = bytearray()  # \'hh bytes, decoded together (a double-byte code page needs both)
    skip = 0  # fallback characters still to drop after a \uN
    ignorable = False  # the group started with \*: hidden unless its destination is known
    objects = False
    stamp: dict[str, int] = {}
    high = 0  # the first half of a character beyond U+FFFF, waiting for its second
    found: list[tuple[str, datetime.date]] = []
    pos = 0
    end = len(source)

    def flush() -> None:
        if pending:
            out.add(stack[-1].where, pending.decode(codepage, errors="replace"))
            pending.clear()

    while pos < end:
        m = _TOKEN.match(source, pos)
        if m is None:  # cannot happen: every character starts some token
            break
        pos = m.end()
        word, number, hexbyte, symbol, brace, text = m.groups()
        group = stack[-1]
        if overflow:
            if brace == "{":
                overflow += 1
            elif brace == "}":
                overflow -= 1
            continue
        if hexbyte is not None:
            if skip:
                skip -= 1
            elif group.where != "hidden":
                pending.append(int(hexbyte, 16))
            group.first = False
            continue
        flush()
        if brace == "{":
            if len(stack) >= MAX_DEPTH:
                overflow = 1
                continue
            inner = _Group("hidden" if group.where == "hidden" else group.where, uc=group.uc)
            if group.where.startswith(("info", "date:", "title")):
                inner.where = "info"
            stack.append(inner)
            ignorable = False
            skip = 0
            continue
        if brace == "}":
            if group.where.startswith("date:") and (when := _stamp_date(stamp)) is not None:
                found.append((group.where[5:], when))
            stamp = {}
            if len(stack) > 1:
                stack.pop()
            if len(stack) == 1:
                break  # the document's own group has ended (or never began): what follows is not part of it
            ignorable = False
            skip = 0
            continue
        if text is not None:
            if skip:
                dropped = min(skip, len(text))
                text = text[dropped:]
                skip -= dropped
            if text:
                out.add(group.where, text)
                group.first = False
            continue
        if symbol is not None:
            if symbol == "*":
                ignorable = True
                continue
            if skip:
                skip -= 1
                continue
            if symbol == "'":  # \' without two hex digits
                continue
            out.add(group.where, _ESCAPED.get(symbol, ""))
            continue
        if word is None:  # a lone backslash at the end
            continue
        was_first = group.first
        group.first = False
        if was_first:
            # A group's first control word may name a destination: where its words go.
            if word in _MARGINS and group.where == "body":
                group.where = _MARGINS[word]
                continue
            if word == "info":
                group.where = "info"
                continue
            if group.where == "info":
                if word != _TRANSPARENT:
                    group.where = "title" if word == "title" else f"date:{word}" if word in _INFO_DATES else "hidden"
                else:
                    group.first = True  # the group's next word names the property
                continue
            if word == _TRANSPARENT:
                continue
            if word in ("object", "objdata"):
                objects = True
            if word in _HIDDEN or ignorable:
                group.where = "hidden"
                continue
        if group.where.startswith("date:"):
            if word in ("yr", "mo", "dy") and number is not None:
                stamp[word] = int(number)
            continue
        if word == "ansicpg" and number is not None:
            codepage = _codepage(number, codepage)
        elif word == "uc" and number is not None:
            group.uc = max(0, min(int(number), 8))
        elif word == "u" and number is not None:
            value = int(number)
            value = value + 65536 if value < 0 else value
            if 0xD800 <= value < 0xDC00:
                high = value  # the first half of a character beyond U+FFFF
            elif 0xDC00 <= value < 0xE000:
                if high:
                    out.add(group.where, chr(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)))
                high = 0
            elif 0 < value < 0x10000:
                out.add(group.where, chr(value))
            skip = group.uc
        elif word == "bin" and number is not None:
            pos = min(end, pos + max(0, int(number)))
        elif word in _LINE_ENDS:
            out.add(group.where, "\n")
        elif word in _SYMBOLS:
            out.add(group.where, _SYMBOLS[word])
    flush()
    title = " ".join(out.text("title").split()) or None
    return RtfText(
        body=_lines(out.text("body")),
        header=_margin(out.text("header")),
        footer=_margin(out.text("footer")),
        title=title,
        dates=tuple(found),
        objects=objects,
    )


def _stamp_date(stamp: dict[str, int]) -> datetime.date | None:
    """The date of a property's \\yr \\mo \\dy, if it has all three and they make one."""
    try:
        when = datetime.date(stamp["yr"], stamp["mo"], stamp["dy"])
    except (KeyError, ValueError, OverflowError):
        return None
    return when if when.year >= 1900 else None


def _codepage(number: str, current: str) -> str:
    name = f"cp{int(number)}"
    try:
        codecs.lookup(name)
    except LookupError:
        return current
    return name


def _lines(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def _margin(text: str) -> str:
    kept: dict[str, None] = {}
    keep_lines(kept, text)
    return one_line(kept)


__all__ = ["EMBEDDED_OBJECTS", "RtfText", "inspect_rtf", "read_rtf"]
