"""RTF documents: the words a reader sees, their headers, footers, title and dates; hostile input bounded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager.inspect.rtf import MARGIN_CHARS, MAX_CHARS, MAX_DEPTH, read_rtf
from tests.test_inspect import inspect

WORDPAD = (
    rb"{\rtf1\ansi\ansicpg1252\deff0\nouicompat\deflang4105{\fonttbl{\f0\fnil\fcharset0 Calibri;}}" b"\r\n"
    rb"{\*\generator Riched20 10.0.19041}\viewkind4\uc1 " b"\r\n"
    rb"\pard\sa200\sl276\slmult1\f0\fs22\lang9 Milestone 2.1 - Toolbox talk\par" b"\r\n"
    rb"Held May 14, 2026 with 12 workers. Pr\'e9sent: Ren\'e9e C\u244?t\'e9\par" b"\r\n"
    b"}\r\n\x00"
)

WORD = (
    rb"{\rtf1\adeflang1025\ansi\ansicpg1252\uc1\adeff0\deff0{\fonttbl{\f0\froman\fcharset0 Times New Roman;}}"
    rb"{\colortbl;\red0\green0\blue0;}{\stylesheet{\ql \f0 Normal;}}"
    rb"{\info{\title Fire drill report}{\author J. Smith}{\creatim\yr2026\mo5\dy2\hr9\min3}"
    rb"{\revtim\yr2026\mo6\dy1\hr10\min0}{\*\company ACME}}"
    rb"\paperw12240\paperh15840 \sectd {\header \pard\plain ACME Ltd.\tab Milestone 3.2\par}"
    rb"{\footer \pard\plain Revised June 1, 2026\par}"
    rb"\pard\plain {\field{\*\fldinst { HYPERLINK \"http://x\" }}{\fldrslt {See the drill log}}}\par"
    rb"{\*\bkmkstart top}{\*\bkmkend top}Evacuation took 4 minutes.\par"
    rb"{\pict\pngblip\picw10\pich10 89504e470d0a1a0a0000000d4948445200000001}"
    rb"\par }"
)


def test_wordpad_text_and_accents() -> None:
    read = read_rtf(WORDPAD)
    assert read.body == "Milestone 2.1 - Toolbox talk\nHeld May 14, 2026 with 12 workers. Présent: Renée Côté"
    assert (read.header, read.footer, read.title, read.dates, read.objects) == ("", "", None, (), False)


def test_word_header_footer_title_and_property_dates() -> None:
    read = read_rtf(WORD)
    assert read.header == "ACME Ltd. Milestone 3.2"
    assert read.footer == "Revised June 1, 2026"
    assert read.title == "Fire drill report"
    assert read.dates == (("creatim", dt.date(2026, 5, 2)), ("revtim", dt.date(2026, 6, 1)))
    assert read.body == "See the drill log\nEvacuation took 4 minutes."
    for hidden in ("Times New Roman", "Normal", "HYPERLINK", "ACME\n", "J. Smith", "89504e47", "top"):
        assert hidden not in read.body


@pytest.mark.parametrize(
    ("rtf", "body"),
    [
        (rb"{\rtf1 a\~b\_c\-d \{x\} \\ e}", "a b-cd {x} \\ e"),  # control symbols (a no-break space is a space)
        (rb"{\rtf1\uc2 caf\u233\'65\'65 ok}", "café ok"),  # \uc2: two fallback characters dropped
        (rb"{\rtf1\uc0 na\u239ve}", "naïve"),
        (rb"{\rtf1 x\u-3999?y}", "x\uf061y"),  # a negative \u is the UTF-16 value minus 65536
        (rb"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\'ea\'e0\'e7}", "Приказ"),  # a Cyrillic code page
        (rb"{\rtf1 a\bin4 }}}}b}", "ab"),  # \bin skips raw bytes, braces included
        (rb"{\rtf1 {\*\unknowndest secret}shown}", "shown"),  # an ignorable destination is hidden
        (rb"{\rtf1 {\object\objemb{\*\objclass Equation.3}{\*\objdata 0105}}after}", "after"),
        (rb"{\rtf1 line one\line line two\par\tab three}", "line one\nline two\nthree"),
        (rb"{\rtf1 R{\upr{\'e9sum\'e9}{\*\ud{\u233?sum\u233?}}} ok}", "Résumé ok"),  # Word's two copies: one read
        (rb"{\rtf1 \'zz broken \'4", "zz broken 4"),  # a bad escape and a cut-off file: the letters stay
        (rb"{\rtf1 a}}}} extra}", "a"),  # what follows the document's end is not part of it
        (rb"}} before any group", ""),
    ],
)
def test_rtf_tokens(rtf: bytes, body: str) -> None:
    assert read_rtf(rtf).body == body


def test_a_title_word_writes_twice_is_read_once() -> None:
    read = read_rtf(rb"{\rtf1{\info{\upr{\title \'c9valuation}{\*\ud{\title \u201?valuation}}}}text}")
    assert (read.title, read.body) == ("\u00c9valuation", "text")


def test_embedded_object_is_noted() -> None:
    assert read_rtf(rb"{\rtf1 {\object\objemb{\*\objdata 0105}}}").objects
    assert not read_rtf(rb"{\rtf1 {\pict 0105}}").objects


def test_hostile_rtf_is_bounded() -> None:
    deep = b"{\\rtf1 " + b"{" * (MAX_DEPTH * 40) + b"deep" + b"}" * (MAX_DEPTH * 40) + b" top}"
    assert read_rtf(deep).body == "top"
    long = read_rtf(b"{\\rtf1 " + b"word " * (MAX_CHARS // 2) + b"}")
    assert len(long.body) == MAX_CHARS - 1  # the cap, with its last space stripped
    header = read_rtf(b"{\\rtf1 {\\header " + b"x\\par " * 5000 + b"}}")
    assert len(header.header) <= MARGIN_CHARS
    words = read_rtf(b"{\\rtf1 \\" + b"a" * 100_000 + b" x}")
    assert words.body.startswith("a")  # a 100,000-letter control word: 32 letters are a word, the rest text


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_never_raise(data: bytes) -> None:
    read = read_rtf(b"{\\rtf1 " + data)
    assert len(read.body) <= MAX_CHARS and len(read.header) <= MARGIN_CHARS * 2


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=80))
def test_escaped_text_reads_back(text: str) -> None:
    """Any text written as Word writes it (\\uN with a '?' fallback, braces and backslashes escaped)."""
    escaped = "".join(
        f"\\{c}" if c in "\\{}" else c if 32 <= ord(c) < 127 else "".join(
            f"\\u{u if u < 32768 else u - 65536}?" for u in _utf16(c)
        )
        for c in text
    )
    read = read_rtf(("{\\rtf1\\ansi\\uc1 " + escaped + "}").encode("ascii"))
    assert read.body == " ".join(text.split())


def _utf16(c: str) -> list[int]:
    data = c.encode("utf-16-le")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def test_inspected_rtf_is_labelled_and_dated(tmp_path: Path) -> None:
    path = tmp_path / "drill.rtf"
    path.write_bytes(WORD)
    facts = inspect(path)
    assert facts.kind == "rtf" and facts.title == "Fire drill report"
    assert facts.text.splitlines()[0] == "ACME Ltd. Milestone 3.2"
    assert [(d.date, d.source) for d in facts.dates] == [
        (dt.date(2026, 6, 1), "content"), (dt.date(2026, 5, 2), "metadata"), (dt.date(2026, 6, 1), "metadata"),
    ]
    assert facts.notes == ()
