"""Entry names: decoding, normalising, judging whether a name is safe, and showing it.

Everything here is pure and total: any string or bytes go in, nothing raises.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from enum import StrEnum

from packager.textutil import name_key

UTF8_FLAG = 0x0800
UNICODE_PATH_EXTRA = 0x7075

# Characters that reorder text on screen: the "Trojan Source" and "gpj.exe" tricks.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DRIVE = re.compile(r"^[A-Za-z]:")
_DISPLAY_LIMIT = 200


class NameProblem(StrEnum):
    """Why a name is unsafe to unpack; the value is a short plain-English reason."""

    EMPTY = "has no name"
    ABSOLUTE = "starts at the top of the disk"
    DRIVE = "names a Windows drive"
    PARENT = "climbs out of the folder"
    WINDOWS_DOTS = "has a folder named only with dots"
    HIDDEN_CHARS = "has hidden characters"


@dataclass(frozen=True)
class NormalisedName:
    """An entry name as a person should see it, and what (if anything) makes it unsafe.

    ``display`` uses ``/`` separators and has every hidden character escaped. For a safe
    name it is the cleaned-up relative path (``.`` and empty segments dropped, a trailing
    ``/`` kept for folders) and contains no escapes, so it can be compared with expected
    paths. For an unsafe name it shows the dangerous parts (``..``, ``/``, ``C:``) as they are.
    """

    display: str
    problem: NameProblem | None
    is_dir: bool


# The same characters as one pattern, so a name is judged in one regex search instead of one
# category lookup per character: Cc is U+0000-001F and U+007F-009F, Cs the surrogates, Zl U+2028,
# Zp U+2029 (a test holds this equal to ``is_hidden_char`` over every code point).
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029" + "".join(sorted(_BIDI_CONTROLS)) + "]")


def is_hidden_char(ch: str) -> bool:
    """A character that is invisible or rearranges the text around it on a terminal."""
    return ch in _BIDI_CONTROLS or unicodedata.category(ch) in _HIDDEN_CATEGORIES


def has_hidden_char(text: str) -> bool:
    """Whether any character of ``text`` is hidden (``is_hidden_char``)."""
    return _HIDDEN.search(text) is not None


def escape_for_display(text: str, limit: int = _DISPLAY_LIMIT) -> str:
    """Escape hidden characters (``\\x1b``, ``\\u202e``) and shorten very long names."""
    out: list[str] = []
    for ch in text:
        if is_hidden_char(ch):
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    shown = "".join(out)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


def _escape_problem(segments: list[str]) -> NameProblem | None:
    # "./C:/x" unpacks to "C:/x": the drive is judged on the first segment that is not "." or empty.
    first = next((seg for seg in segments if seg not in ("", ".")), "")
    if _DRIVE.match(first):
        return NameProblem.DRIVE
    for seg in segments:
        if seg == "..":
            return NameProblem.PARENT
        # Windows drops trailing dots and spaces, so ".. " or "..." end up as "..".
        if len(seg) > 1 and "." in seg and not seg.strip(". "):
            return NameProblem.WINDOWS_DOTS
    return None


def path_problem(name: str) -> NameProblem | None:
    """What makes ``name`` escape the folder it is unpacked into, if anything.

    Only the escape routes: absolute paths, drive letters, ``..``. Backslashes count as
    separators because Windows tools treat them so.
    """
    slashed = name.replace("\\", "/")
    if slashed.startswith("/"):
        return NameProblem.ABSOLUTE
    return _escape_problem(slashed.split("/"))


def normalise_name(name: str) -> NormalisedName:
    """Normalise a decoded entry name and judge whether it is safe to unpack.

    Backslashes become ``/``; a name is unsafe when it is absolute, starts with a drive
    letter, has a ``..`` segment (or one Windows reads as ``..``), contains control or
    text-direction characters, or is empty.
    """
    slashed = name.replace("\\", "/")
    is_dir = slashed.endswith("/")
    problem = path_problem(slashed)
    if problem is None and has_hidden_char(slashed):
        problem = NameProblem.HIDDEN_CHARS
    if problem is not None:
        return NormalisedName(escape_for_display(slashed), problem, is_dir)
    segments = [seg for seg in slashed.split("/") if seg not in ("", ".")]
    if not segments:
        if is_dir:  # "./": the zip's own top folder, harmless
            return NormalisedName("./", None, True)
        return NormalisedName(escape_for_display(slashed), NameProblem.EMPTY, is_dir)
    clean = "/".join(segments) + ("/" if is_dir else "")
    return NormalisedName(clean, None, is_dir)


def collision_key(display: str) -> str:
    """Two names with the same key land on the same file on Windows or macOS."""
    return name_key(display.rstrip("/"))


def decode_raw_name(raw: bytes, flags: int) -> str:
    """The name as the program that wrote the zip meant it: UTF-8 when flag bit 11 is set, else the
    DOS code page Windows writes in (cp437, the zip standard's, or cp850).

    A name without the flag that is well-formed UTF-8 and not plain ASCII is read as UTF-8: macOS
    Finder ('Compress') writes UTF-8 names without setting the flag. cp437 text almost never
    decodes as UTF-8: that would take a box-drawing or Greek character, or 'ß', followed by
    accented letters, which no name holds.

    Windows "Send to" writes a name in the machine's DOS code page: cp437 in the United States, cp850
    in Canada. The two agree on lower-case accented letters; where cp850 has capitals ('À', 'È', 'Ô')
    cp437 has box-drawing and Greek characters, which no file name holds: the name is then read as cp850.
    """
    if flags & UTF8_FLAG:
        return raw.decode("utf-8", errors="replace")
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    us = raw.decode("cp437")
    odd = _not_latin(us)
    if odd:
        canadian = raw.decode("cp850")
        if _not_latin(canadian) < odd:
            return canadian
    return us


def _not_latin(text: str) -> int:
    """How many characters of ``text`` are neither ASCII nor a Latin letter (box drawing, Greek, symbols)."""
    return sum(1 for ch in text if not ch.isascii() and not unicodedata.name(ch, "").startswith("LATIN")
               and unicodedata.category(ch) != "Mn")


def unicode_path_extra(raw_name: bytes, extra_fields: list[tuple[int, bytes]]) -> str | None:
    """The Info-ZIP Unicode Path (0x7075) name, if one is present and valid.

    Valid means version 1, a CRC-32 that matches the raw name (so it describes this very
    name, not a stale one), a non-empty payload and well-formed UTF-8. The first valid
    field wins, as in Info-ZIP and yauzl.
    """
    name_crc = zlib.crc32(raw_name)
    for field_id, data in extra_fields:
        if field_id != UNICODE_PATH_EXTRA or len(data) < 6 or data[0] != 1:
            continue
        if int.from_bytes(data[1:5], "little") != name_crc:
            continue
        try:
            return data[5:].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None
