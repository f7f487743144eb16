"""Outlook messages (.msg) and Word 97-2003 documents (.doc): their words read as a reviewer sees them.

Every file is written by tests/cfb.py; hostile ones are damaged on purpose. Work is bounded by what is
read of the file (counted), never by the time it takes.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packager.evidence import label_mapping
from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.inspect.biff import OLD_EXCEL
from packager.inspect.ole import ENCRYPTED_SLIDES, FILE_CAP, OTHER, OleWords, read_words
from packager.naming import NamingConvention
from packager.rules import DeliverableRules, load_rules
from tests import cfb

OPTIONS = InspectOptions(DeliverableRules(), window=(dt.date(2026, 4, 1), dt.date(2026, 11, 30)))
NAMING = NamingConvention(load_rules().naming)
UTC = dt.UTC
# 8:14 p.m. on May 20 in Alberta (daylight time, UTC-6) is 2:14 a.m. on May 21 UTC.
EVENING = dt.datetime(2026, 5, 21, 2, 14, tzinfo=UTC)


class Counting(io.BytesIO):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.count = 0

    def read(self, size: int | None = -1) -> bytes:
        out = super().read(size)
        self.count += len(out)
        return out


def words(data: bytes) -> tuple[OleWords, int]:
    fh = Counting(data)
    return read_words(fh, len(data)), fh.count


def inspect(tmp_path: Path, name: str, data: bytes) -> FileFacts:
    path = tmp_path / name
    path.write_bytes(data)
    facts = inspect_file(path, OPTIONS, name)
    assert facts == inspect_file(path, OPTIONS, name, data=data)  # the same from memory
    return facts


# --- Outlook messages ----------------------------------------------------------------------------

MESSAGES = [
    ("sent in the evening: the date Outlook shows in Alberta", dict(
        subject="Milestone 2.1 - Toolbox talk schedule", sender="Jane Smith", to="Crew A; Crew B",
        body="Hi all,\r\nThe schedule for June is attached.\r\n\r\nJane", sent=EVENING, attachments=2),
     "From: Jane Smith\nSent: Wednesday, May 20, 2026 8:14 PM\nTo: Crew A; Crew B\n"
     "Subject: Milestone 2.1 - Toolbox talk schedule\n\nHi all,\nThe schedule for June is attached.\n\nJane",
     "Milestone 2.1 - Toolbox talk schedule", ("it has 2 attachments, not read",)),
    ("8-bit strings in the message's code page", dict(
        subject="Réunion sécurité", sender="Émile Côté", body="Compte rendu ci-joint.", unicode=False,
        sent=dt.datetime(2026, 1, 15, 17, 5, tzinfo=UTC)),
     "From: Émile Côté\nSent: Thursday, January 15, 2026 10:05 AM\nSubject: Réunion sécurité\n\nCompte rendu ci-joint.",
     "Réunion sécurité", ()),
    ("received, not sent: the delivery time", dict(
        subject="Inspection", body="Done.", delivered=dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC), attachments=1),
     "Sent: Sunday, November 1, 2026 1:30 AM\nSubject: Inspection\n\nDone.", "Inspection",
     ("it has 1 attachment, not read",)),
    ("a draft: never sent, no date", dict(subject="Draft", body="To do"),
     "Subject: Draft\n\nTo do", "Draft", ()),
    ("no subject", dict(body="Only a body.", sent=EVENING),
     "Sent: Wednesday, May 20, 2026 8:14 PM\n\nOnly a body.", None, ()),
]


@pytest.mark.parametrize(("case", "fields", "text", "title", "notes"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_a_message_reads_as_outlook_shows_it(case: str, fields: dict[str, object], text: str, title: str | None,
                                             notes: tuple[str, ...]) -> None:
    read, _count = words(cfb.msg(**fields))  # type: ignore[arg-type]
    assert (read.text, read.title, read.notes, read.unread) == (text, title, notes, None)


def test_a_message_whose_body_is_only_formatted_says_so() -> None:
    data = cfb.write(cfb.Storage({"__substg1.0_0037001F": "Hello\x00".encode("utf-16-le"),
                                  "__substg1.0_10090102": bytes(300)})).data
    read, _count = words(data)
    assert (read.text, read.notes) == ("Subject: Hello", ("its body is kept only as formatted text (RTF or HTML), not read",))


def test_a_message_is_dated_and_labelled_by_what_it_shows(tmp_path: Path) -> None:
    facts = inspect(tmp_path, "toolbox.msg", cfb.msg(
        subject="Milestone 2.1 - Toolbox talk schedule", sender="Jane Smith", body="See the schedule.", sent=EVENING))
    assert (facts.kind, facts.words_unread, facts.title) == ("ole", None, "Milestone 2.1 - Toolbox talk schedule")
    assert [(d.date, d.source, d.text) for d in facts.dates] == [(dt.date(2026, 5, 20), "content", "May 20, 2026")]
    mapping = label_mapping(NAMING.map_path("Objective 2/toolbox.msg"), facts, NAMING)
    assert (mapping.milestone, mapping.label, mapping.conflict) == ("2.1", ("title", "header"), None)


@pytest.mark.parametrize(("utc", "shown"), [
    (dt.datetime(2026, 3, 8, 8, 59, tzinfo=UTC), "Sunday, March 8, 2026 1:59 AM"),  # standard time
    (dt.datetime(2026, 3, 8, 9, 0, tzinfo=UTC), "Sunday, March 8, 2026 3:00 AM"),  # daylight time begins
    (dt.datetime(2026, 11, 1, 7, 59, tzinfo=UTC), "Sunday, November 1, 2026 1:59 AM"),  # daylight time
    (dt.datetime(2026, 11, 1, 8, 0, tzinfo=UTC), "Sunday, November 1, 2026 1:00 AM"),  # standard time again
    (dt.datetime(2026, 12, 31, 19, 0, tzinfo=UTC), "Thursday, December 31, 2026 12:00 PM"),
    (dt.datetime(2027, 1, 1, 6, 59, tzinfo=UTC), "Thursday, December 31, 2026 11:59 PM"),
])
def test_the_sent_time_is_mountain_time(utc: dt.datetime, shown: str) -> None:
    read, _count = words(cfb.msg(subject="x", sent=utc))
    assert read.text.splitlines()[0] == f"Sent: {shown}"


# --- Word 97-2003 documents ----------------------------------------------------------------------

DEBRIEF = "Milestone 1.2 - Drill debrief\rHeld May 20, 2026 at Site B.\r"
DOCUMENTS = [
    ("one compressed piece", dict(pieces=[(DEBRIEF, True)]),
     "Milestone 1.2 - Drill debrief\nHeld May 20, 2026 at Site B.", None),
    ("a compressed piece and a UTF-16 piece with accents, table in 0Table", dict(
        pieces=[(DEBRIEF, True), ("Équipe présente : 14 — Zoë Łukasz\r", False)], table="0Table"),
     "Milestone 1.2 - Drill debrief\nHeld May 20, 2026 at Site B.\nÉquipe présente : 14 — Zoë Łukasz", None),
    ("field codes dropped, their results kept; cells, breaks and hyphens", dict(pieces=[(
        "Report\x0bprinted \x13 DATE \\@ \"MMMM d, yyyy\" \x14May 20, 2026\x15\r"
        "Crew\x07Role\x07\x07non\x1ebreaking\x1f soft\x0cnext page\r", True)]),
     "Report\nprinted May 20, 2026\nCrew Role non-breaking soft\nnext page", None),
    ("page header first and footer last, each on one line, as for a .docx", dict(
        pieces=[("Debrief of the drill.\rAttendance: 14.\r", True)],
        header="Northwind Paving Ltd.\rObjective 1 - Milestone 1.2\r", footer="Revised May 20, 2026\r"),
     "Northwind Paving Ltd. | Objective 1 - Milestone 1.2\nDebrief of the drill.\nAttendance: 14.\n"
     "Revised May 20, 2026", None),
    ("a title and dates in the summary information", dict(
        pieces=[(DEBRIEF, True)], title="1.2 - Drill debrief", created=dt.datetime(2019, 2, 11, 9, 0, tzinfo=UTC),
        saved=dt.datetime(2026, 5, 21, 3, 0, tzinfo=UTC)),
     "Milestone 1.2 - Drill debrief\nHeld May 20, 2026 at Site B.", "1.2 - Drill debrief"),
]


@pytest.mark.parametrize(("case", "fields", "text", "title"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_a_word_document_reads_as_word_shows_it(case: str, fields: dict[str, object], text: str,
                                                title: str | None) -> None:
    read, _count = words(cfb.doc(**fields))  # type: ignore[arg-type]
    assert (read.text, read.title, read.unread) == (text, title, None)


def test_a_word_document_is_dated_by_its_text_and_its_properties_are_metadata(tmp_path: Path) -> None:
    facts = inspect(tmp_path, "debrief.doc", cfb.doc(
        [(DEBRIEF, True)], title="Drill debrief", created=dt.datetime(2019, 2, 11, 9, 0, tzinfo=UTC)))
    assert [(d.date, d.source) for d in facts.dates] == [
        (dt.date(2026, 5, 20), "content"), (dt.date(2019, 2, 11), "metadata")]
    mapping = label_mapping(NAMING.map_path("Objective 1/debrief.doc"), facts, NAMING)
    assert (mapping.milestone, mapping.label) == ("1.2", ("header",))


def test_a_long_word_document_is_read_up_to_the_cap() -> None:
    read, _count = words(cfb.doc([("Line of text.\r" * 20_000, True)]))
    assert read.unread is None and 60_000 <= len(read.text) <= 80_000


@pytest.mark.parametrize(("case", "data", "unread"), [
    ("a PowerPoint 97-2003 file with a password to open", cfb.ppt(["Milestone 3.1"], encrypted=True), ENCRYPTED_SLIDES),
    ("an Excel 95 workbook", cfb.write(cfb.Storage({"Book": bytes(5000)})).data, OLD_EXCEL),
    ("an Excel workbook whose stream holds no records", cfb.xls(), "its workbook data is damaged"),
    ("another kind of compound file", cfb.write(cfb.Storage({"VisioDocument": bytes(100)})).data, OTHER),
    ("a password-protected Word document", cfb.doc([(DEBRIEF, True)], encrypted=True),
     "its text is encrypted (it is password protected)"),
    ("a Word 95 document", cfb.doc([(DEBRIEF, True)], nfib=0x0068),
     "the text of this old-style (97-2003) Office file could not be read: it was saved by Word 95 or earlier"),
    ("a Word document without its table stream", cfb.write(cfb.Storage({"WordDocument": bytes(4096)})).data,
     "the text of this old-style (97-2003) Office file could not be read: its Word header is missing"),
    ("only the signature", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024),
     "the text of this old-style (97-2003) Office file could not be read: its header is damaged"),
    ("cut inside the header", cfb.xls()[:300],
     "the text of this old-style (97-2003) Office file could not be read: its header is missing or cut short"),
])
def test_words_not_read_say_why(case: str, data: bytes, unread: str) -> None:
    read, _count = words(data)
    assert (read.text, read.unread) == ("", unread)


def test_another_compound_file_says_its_words_are_not_read(tmp_path: Path) -> None:
    facts = inspect(tmp_path, "1.2 - Floor plan.vsd", cfb.write(cfb.Storage({"VisioDocument": bytes(5000)})).data)
    assert (facts.kind, facts.text, facts.words_unread, facts.unreadable) == ("ole", "", OTHER, None)
    assert OTHER in facts.notes


def test_a_presentation_reads_its_slides_first(tmp_path: Path) -> None:
    """The slide list comes first, in slide order (its first line labels the file); the master's placeholder
    text and the notes after it; each line once."""
    data = cfb.ppt(["Milestone 3.1 - Toolbox talk: ladders\rHeld May 14, 2026\x0bSite B", "Three points of contact"],
                   notes=["Speaker notes: ask about the May 14, 2026 near miss", "Three points of contact"])
    facts = inspect(tmp_path, "Toolbox talk.ppt", data)
    assert facts.text.splitlines() == [
        "Milestone 3.1 - Toolbox talk: ladders", "Held May 14, 2026", "Site B", "Three points of contact",
        "Click to edit Master title style", "Speaker notes: ask about the May 14, 2026 near miss"]
    assert facts.words_unread is None
    assert [(d.date, d.source) for d in facts.dates] == [(dt.date(2026, 5, 14), "content")]


def test_hostile_presentations_are_bounded() -> None:
    """A record claiming 4 GB, a million empty containers, and 200,000 text atoms: the text kept stays
    within its cap, and every record is passed once."""
    from packager.inspect.ppt import MAX_CHARS, read_presentation

    assert read_presentation(cfb.ppt_record(0x0FA0, b"") + struct.pack("<HHI", 0, 0x0FA0, 2**32 - 1) + b"a\x00") == "a"
    assert read_presentation(struct.pack("<HHI", 0xF, 0x03E8, 0) * 1_000_000) == ""
    many = b"".join(cfb.ppt_record(0x0FA8, f"line {n} ".encode() + b"x" * 200) for n in range(200_000))
    assert MAX_CHARS - 300 < len(read_presentation(many)) <= MAX_CHARS + 300


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=300))
def test_any_bytes_in_a_presentation_never_raise(tail: bytes, cut: int) -> None:
    from packager.inspect.ppt import read_presentation

    stream = cfb.ppt_record(0x0FF0, cfb.ppt_record(0x0FA0, "Milestone 1.2\r".encode("utf-16-le")), container=True)
    assert isinstance(read_presentation(stream[:cut] + tail + stream[cut:]), str)


@pytest.mark.parametrize(("stream", "encrypted", "active"), [
    ("EncryptedPackage", True, ()), ("_VBA_PROJECT", False, ("macros (VBA project)",))])
def test_encryption_and_macros_are_found_in_a_real_compound_file(
    tmp_path: Path, stream: str, encrypted: bool, active: tuple[str, ...]
) -> None:
    root = cfb.Storage({"WordDocument": b""}, {"Macros": cfb.Storage({stream: b"x" * 100})}) \
        if stream == "_VBA_PROJECT" else cfb.Storage({stream: b"x" * 5000})
    facts = inspect(tmp_path, "a.doc", cfb.write(root).data)
    assert (facts.encrypted, facts.active_content) == (encrypted, active)


# --- hostile files -------------------------------------------------------------------------------


def test_a_fat_loop_ends() -> None:
    """The body's sectors chain back to its first: read once, then the chain ends."""
    body = "A" * 3000  # 6,000 bytes of UTF-16: regular sectors
    data = cfb.msg(subject="Loop", body=body)
    layout = cfb.write(cfb.Storage({"__substg1.0_1000001F": body.encode("utf-16-le")}))
    start = layout.starts["__substg1.0_1000001F"]
    looped = cfb.write(cfb.Storage({"__substg1.0_1000001F": body.encode("utf-16-le")}),
                       fat_patch={start + 5: start}).data
    read, count = words(looped)
    assert read.unread is None and read.text.startswith("A" * 100) and len(read.text) < 3000
    assert count <= 2 * len(looped)
    assert words(data)[0].text.endswith(body)


def test_a_stream_claiming_4_gb_reads_what_is_there() -> None:
    body = ("Held May 20, 2026. " * 300).encode("utf-16-le")
    data = cfb.write(cfb.Storage({"__substg1.0_1000001F": body}),
                     size_patch={"__substg1.0_1000001F": 0xFFFFFFF0}).data
    read, count = words(data)
    assert read.text.startswith("Held May 20, 2026.") and count <= 2 * len(data)


def test_a_directory_of_100000_entries_is_read_up_to_its_cap() -> None:
    data = cfb.write(cfb.Storage({"__substg1.0_0037001F": "Milestone 2.1\x00".encode("utf-16-le")}),
                     extra_entries=100_000).data
    read, count = words(data)
    assert read.title == "Milestone 2.1" and count <= 2 * 1024 * 1024 + 64 * 1024


def test_a_file_larger_than_the_cap_is_read_up_to_it() -> None:
    class Endless(Counting):
        def seek(self, offset: int, whence: int = 0) -> int:
            assert offset < FILE_CAP
            return super().seek(offset, whence)

    data = cfb.msg(subject="Big", body="b")
    fh = Endless(data)
    assert read_words(fh, 10 * FILE_CAP).title == "Big"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.integers(min_value=512, max_value=8192))
def test_arbitrary_bytes_after_a_valid_header_never_raise(tail: bytes, at: int) -> None:
    base = cfb.msg(subject="Milestone 2.1", body="Body", sent=EVENING, attachments=1)
    data = base[:512] + (base[512:at] + tail)
    read, count = words(data)
    assert isinstance(read, OleWords) and len(read.text) <= 80_000 and count <= 4 * len(data) + 8192


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=8)), max_size=12),
       st.booleans())
def test_random_damage_to_a_directory_or_fat_never_raises(patches: list[tuple[int, bytes]], word: bool) -> None:
    data = bytearray(cfb.doc([(DEBRIEF, True), ("é\r", False)], title="T", header="H\r", footer="F\r") if word
                     else cfb.msg(subject="S", body="B" * 3000, sent=EVENING, attachments=2))
    for where, value in patches:
        at = 512 + where % (len(data) - 512)
        data[at : at + len(value)] = value
    read, count = words(bytes(data))
    assert isinstance(read, OleWords) and count <= 4 * len(data) + 8192


def test_a_header_listing_absurd_sizes_is_damaged_not_an_exception() -> None:
    data = bytearray(cfb.msg(subject="S", body="B"))
    struct.pack_into("<IIIII", data, 0x2C, 0xFFFFFFFF, 0xFFFFFFF0, 0, 4096, 0xFFFFFFFF)
    read, _count = words(bytes(data))
    assert read.unread is not None and read.unread.startswith("the text of this old-style")
