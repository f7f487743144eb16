"""Hostile office XML: unclosed tags by the hundred thousand (quadratic for a regex), entity bombs, and
relationship parts without an end. The work is bounded by size; the outcome is asserted."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packager.audit import audit_zip
from packager.inspect import InspectOptions, inspect_file, office
from packager.rules import load_rules
from tests.synth import make_odt, make_office

RULES = load_rules(None)
OPTIONS = InspectOptions(rules=RULES.deliverables)
LINES = ("Milestone 1.2 drill report", "Date: May 14, 2026")


def rewrite(path: Path, member: str, tail: bytes, *, replace: bytes | None = None) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts[member] = (replace if replace is not None else parts[member]) + tail
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


MAIN = {"docx": "word/document.xml", "pptx": "ppt/slides/slide1.xml", "xlsx": "xl/sharedStrings.xml"}
OPEN_TAG = {"docx": b"<w:t ", "pptx": b"<a:t ", "xlsx": b"<t ", "odt": b"<text:p "}


@pytest.mark.parametrize("kind", ["docx", "pptx", "xlsx", "odt"])
def test_unclosed_tags_are_read_in_one_pass(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"1.2 - Drill.{kind}"
    if kind == "odt":
        make_odt(path, paragraphs=LINES)
        member = "content.xml"
    else:
        make_office(path, kind, paragraphs=LINES)
        member = MAIN[kind]
    tail = OPEN_TAG[kind] * (office.MEMBER_CAP // len(OPEN_TAG[kind]))  # the whole member cap
    rewrite(path, member, tail)
    facts = inspect_file(path, OPTIONS)
    assert facts.unreadable is None
    assert "Milestone 1.2" in facts.text
    assert dt.date(2026, 5, 14) in {d.date for d in facts.dates}


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document xmlns:w="x"><w:body><w:p><w:r>'
            b"<w:t>&c;&c;&c;&c;&c;&c;&c;&c;</w:t></w:r></w:p></w:body></w:document>")
    path = rewrite(make_office(tmp_path / "b.docx", "docx", paragraphs=LINES), "word/document.xml", b"",
                   replace=bomb)
    facts = inspect_file(path, OPTIONS)
    assert "aaaa" not in facts.text


def test_unclosed_relationships_and_dde_tags(tmp_path: Path) -> None:
    path = make_office(tmp_path / "r.docx", "docx", paragraphs=LINES)
    rewrite(path, "_rels/.rels", b"<Relationship " * 200_000)
    rewrite(path, "word/document.xml", b"<w:instrText " * 200_000)
    facts = inspect_file(path, OPTIONS)
    assert "Milestone 1.2" in facts.text
    assert not facts.active_content


def test_received_zip_with_a_hostile_docx_is_audited(tmp_path: Path) -> None:
    doc = make_office(tmp_path / "d.docx", "docx", paragraphs=LINES)
    rewrite(doc, "word/document.xml", b"<w:t " * 60_000)
    received = tmp_path / "in.zip"
    with zipfile.ZipFile(received, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(doc, "Top/Objective 1/1.2 - Drill - 2026-05-14.docx")
    result = audit_zip(received, RULES, today=dt.date(2026, 11, 26), workers=1)
    assert result.inventory is not None and len(result.inventory.files) == 1
    assert "submission-empty" not in {f.check for f in result.findings}


@given(st.binary(max_size=400), st.sampled_from(["docx", "pptx", "xlsx", "odt"]))
def test_xml_text_never_raises(data: bytes, kind: str) -> None:
    spec = {"docx": office._WORD_TEXT, "pptx": office._DRAWING_TEXT, "xlsx": office._SHEET_TEXT,
            "odt": office._ODF_TEXT}[kind]
    assert isinstance(office._xml_text(b"<w:p><w:t>x</w:t>" + data, spec), str)


def test_page_headers_and_footers_are_read_within_bounds(tmp_path: Path) -> None:
    """Thousands of header parts and paragraphs: a dozen parts, 64 KB of each and 2,000 characters of
    lines are read, in time linear in that (each line is kept once)."""
    path = make_office(tmp_path / "many.docx", "docx", paragraphs=["Body text, May 20, 2026."])
    paragraph = '<w:p><w:r><w:t>Line {}</w:t></w:r></w:p>'
    part = ('<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            + "".join(paragraph.format(i) for i in range(20_000)) + "</w:hdr>")
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(1, 200):
            archive.writestr(f"word/header{number}.xml", part)
    facts = inspect_file(path, OPTIONS)
    header = facts.text.split("\n", 1)[0]
    assert header.startswith("Line 0 | Line 1 | ") and len(header) < office.MARGIN_CHARS + 400
    assert [d.date for d in facts.dates if d.source == "content"] == [dt.date(2026, 5, 20)]


def test_opendocument_headers_are_read_within_bounds(tmp_path: Path) -> None:
    """A styles.xml with an endless header (a megabyte of text, then 100,000 unclosed paragraphs), one of
    400,000 spaced letters (each piece counted once, not the header again at each), and an entity bomb
    instead of one: 2,000 characters of header at most, and no entity expanded."""
    path = make_odt(tmp_path / "h.odt", paragraphs=["Body, May 20, 2026."], header=["Milestone 1.2"])
    endless = b"<style:header><text:p>" + b"x" * 1_000_000 + b"</text:p>" + b"<text:p>" * 100_000
    rewrite(path, "styles.xml", b"", replace=b'<office:document-styles xmlns:office="o" xmlns:style="s" '
            b'xmlns:text="t"><office:master-styles>' + endless)
    facts = inspect_file(path, OPTIONS)
    header = facts.text.split("\n", 1)[0]
    assert header.startswith("xxx") and len(header) <= office.MARGIN_CHARS
    assert [d.date for d in facts.dates] == [dt.date(2026, 5, 20)]
    spaced = b"<style:header><text:p>" + b"<text:s/>x" * 400_000 + b"</text:p></style:header>"  # 4 MB: the cap
    rewrite(path, "styles.xml", b"", replace=b'<office:document-styles xmlns:office="o" xmlns:style="s" '
            b'xmlns:text="t"><office:master-styles>' + spaced)
    header = inspect_file(path, OPTIONS).text.split("\n", 1)[0]
    assert header.startswith("x x x") and len(header) <= office.MARGIN_CHARS
    bomb = (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<office:document-styles><style:header><text:p>&b;&b;&b;</text:p></style:header></office:document-styles>")
    rewrite(path, "styles.xml", b"", replace=bomb)
    assert "aaaa" not in inspect_file(path, OPTIONS).text


def test_cell_text_is_read_within_bounds(tmp_path: Path) -> None:
    """A sheet of 200,000 inline-text cells: at most 4 MB of it is read and 80,000 characters kept."""
    from packager.inspect import xlsxdates
    from tests.synth import make_cell_text_xlsx

    path = make_cell_text_xlsx(tmp_path / "huge.xlsx", [[f"Row {i} checked May 20, 2026"] for i in range(200_000)])
    with zipfile.ZipFile(path) as archive:
        cells = xlsxdates.sheet_cells(archive, archive.namelist())
    assert cells.dates == [] and cells.header == ""
    assert cells.text.startswith("Row 0 checked") and len(cells.text) <= xlsxdates.MAX_TEXT
    facts = inspect_file(path, OPTIONS)
    assert facts.unreadable is None and dt.date(2026, 5, 20) in {d.date for d in facts.dates}


def test_hostile_print_margins_are_read_within_bounds() -> None:
    """Thousands of unclosed font quotes, a header element that never closes, or one past 16 KB."""
    from packager.inspect.xlsxdates import MARGIN_CAP, _print_margins

    unclosed = b'&amp;"Arial' * 1_400
    header, footer = _print_margins(b"<worksheet><headerFooter><oddHeader>" + unclosed + b"</oddHeader></headerFooter>")
    assert len(header) <= 1 and footer == []
    assert _print_margins(b"<worksheet><headerFooter><oddHeader>Milestone 2.2") == ([], [])
    huge = b"<headerFooter><oddHeader>" + b"x" * MARGIN_CAP + b"</oddHeader></headerFooter>"
    assert _print_margins(huge) == ([], [])
