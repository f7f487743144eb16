"""The naming convention: every documented form, conflicts, and a Hypothesis round trip."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packager.naming import NamingConvention, split_extension
from packager.rules import load_rules
from packager.textutil import name_key

NAMING = NamingConvention(load_rules().naming)


@pytest.mark.parametrize(
    ("path", "milestone", "sources"),
    [
        # objective folders, file names carrying the milestone
        ("Objective 1/1.2 - Drill report.pdf", "1.2", ("name",)),
        ("Objective 1 - Emergency/1.2 report.pdf", "1.2", ("name",)),
        ("Obj 1/M2 photo.jpg", "1.2", ("name",)),
        ("Obj1 Title/Milestone 2 sheet.pdf", "1.2", ("name",)),
        ("O1/1.2_report.pdf", "1.2", ("name",)),
        ("O1 Title/M1.2 report.pdf", "1.2", ("name",)),
        ("1 - Title/1.2 report.pdf", "1.2", ("name",)),
        # milestone folders inside objective folders
        ("Objective 1/Milestone 2/report.pdf", "1.2", ("folder",)),
        ("Objective 1/Milestone 1.2/report.pdf", "1.2", ("folder",)),
        ("Objective 1/M2/report.pdf", "1.2", ("folder",)),
        ("Objective 1/M1.2/report.pdf", "1.2", ("folder",)),
        ("Objective 1/1.2/report.pdf", "1.2", ("folder",)),
        ("Objective 1/1.2 - Drills/report.pdf", "1.2", ("folder",)),
        ("Objective 1/1.2 - Drills/photos/img.jpg", "1.2", ("folder",)),
        # files at the root need both numbers
        ("1.2 report.pdf", "1.2", ("name",)),
        ("1.2_report.pdf", "1.2", ("name",)),
        ("M1.2 report.pdf", "1.2", ("name",)),
        ("Milestone 1.2 report.pdf", "1.2", ("name",)),
        ("Milestone 1.2 - report.pdf", "1.2", ("name",)),
        ("O1-M2 report.pdf", "1.2", ("name",)),
        ("O1M2report.pdf", "1.2", ("name",)),
        ("Obj1-M2 report.pdf", "1.2", ("name",)),
        ("Objective 1 Milestone 2 report.pdf", "1.2", ("name",)),
        ("objective 3 milestone 4 REPORT.PDF", "3.4", ("name",)),
        ("3.12 - twelfth.pdf", "3.12", ("name",)),
        # with '#' before a number
        ("Objective #1 - Emergency/Milestone #2 - drill.pdf", "1.2", ("name",)),
        ("Objective # 1/M2 photo.jpg", "1.2", ("name",)),
        ("Objective #1/Milestone #2/report.pdf", "1.2", ("folder",)),
        ("Obj #1 MS #2 report.pdf", "1.2", ("name",)),
        ("Milestone #1.2 report.pdf", "1.2", ("name",)),
        # not mapped
        ("report.pdf", None, ()),
        ("M2 report.pdf", None, ()),
        ("2026-05-14 drill.pdf", None, ()),
        ("05-14-2026 drill.pdf", None, ()),
        ("Objective 1/05.14.2026 drill.pdf", None, ()),
        ("Objective 1/report.pdf", None, ()),
        ("Operations/report.pdf", None, ()),
    ],
)
def test_forms(path: str, milestone: str | None, sources: tuple[str, ...]) -> None:
    mapping = NAMING.map_path(path)
    assert mapping.milestone == milestone
    assert mapping.label_sources == sources
    assert mapping.conflict is None


@pytest.mark.parametrize(
    ("path", "conflict"),
    [
        ("Objective 2/1.2 - x.pdf", "the folder says objective 2 but the file name says objective 1"),
        ("Objective 1/Milestone 1.3/1.2 x.pdf", "the folder says milestone 1.3 but the file name says milestone 1.2"),
        ("Objective 1/2.1 - Drills/x.pdf", "the folder '2.1 - Drills' names objective 2 inside the folder of objective 1"),
    ],
)
def test_conflicts_are_not_guessed(path: str, conflict: str) -> None:
    mapping = NAMING.map_path(path)
    assert mapping.conflict == conflict
    assert mapping.milestone is None


def test_title_keeps_original_case() -> None:
    assert NAMING.map_path("Objective 1/1.2 - Drill Report Site A - 2026-05-14.pdf").title == "Drill Report Site A - 2026-05-14"


@pytest.mark.parametrize(
    ("path", "ignored"),
    [(".DS_Store", True), ("Objective 1/Thumbs.db", True), ("~$report.docx", True),
     ("__MACOSX/._x.pdf", True), ("Objective 1/.hidden.pdf", True), ("Objective 1/1.2 x.pdf", False)],
)
def test_ignored(path: str, ignored: bool) -> None:
    assert NAMING.is_ignored(path) is ignored


def test_labels_in_text() -> None:
    text = "Milestone 1.2 - Drill report. See also Objective 3, Milestone 1 and O2-M4. Rev 1.5."
    assert {label.milestone for label in NAMING.labels_in_text(text)} == {"1.2", "3.1", "2.4"}


def test_split_extension() -> None:
    assert split_extension("1.2 - report.PDF") == ("1.2 - report", "PDF")
    assert split_extension("1.2") == ("1.2", "")
    assert split_extension(".hidden") == (".hidden", "")


SEPARATORS = st.sampled_from([" ", "_", "-", " - ", "."])
WORDS = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu")), min_size=1, max_size=12)


@given(
    o=st.integers(1, 7), m=st.integers(1, 5), sep=SEPARATORS, title=WORDS,
    form=st.sampled_from(["{o}.{m}{sep}{t}", "M{o}.{m}{sep}{t}", "Milestone {o}.{m}{sep}{t}", "O{o}-M{m}{sep}{t}",
                          "Obj{o}-M{m}{sep}{t}", "Objective {o} Milestone {m}{sep}{t}"]),
    case=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_root_file_names_round_trip(o: int, m: int, sep: str, title: str, form: str, case: object) -> None:
    name = case(form.format(o=o, m=m, sep=sep, t=title)) + ".pdf"  # type: ignore[operator]
    mapping = NAMING.map_path(name)
    assert mapping.milestone == f"{o}.{m}", name


@given(st.text(max_size=80))
def test_any_name_never_raises(name: str) -> None:
    NAMING.map_path(name.replace("/", "_") or "x")
    NAMING.map_path("Objective 1/" + (name.replace("/", "_") or "x"))


@pytest.mark.parametrize(
    ("path", "milestone", "title"),
    [
        ("Objective 1/1-2 Drill report.pdf", "1.2", "Drill report"),
        ("Objective 1/1_3_Drill report.pdf", "1.3", "Drill report"),
        ("Objective 1/1.2.1 Drill report.pdf", "1.2", "Drill report"),  # a sub-number under 1.2
        ("[2.3] Glove survey.pdf", "2.3", "Glove survey"),
        ("(2.3) Glove survey.pdf", "2.3", "Glove survey"),
        ("Objective 1/Fall protection rescue plan - Milestone 1.2 - 2026-05-10.pdf", "1.2",
         "Fall protection rescue plan 2026-05-10"),
        ("Objective 1/2026-05-28 1.3 Ladder inspection.pdf", "1.3", "Ladder inspection"),
        ("OBJ 2 MS 1 Inspection log.pdf", "2.1", "Inspection log"),
        ("Objective 2 - Milestone 2.1 Inspection log.pdf", "2.1", "Inspection log"),
        ("01 - Emergency response/1.2 Drill.pdf", "1.2", "Drill"),
        ("Objective 4/Fit test photos (4.2)/IMG_0001.jpg", "4.2", "IMG_0001"),
        ("Objective 2/Milestone 2 - Supervisor training/sign-in.pdf", "2.2", "sign-in"),
        # not milestones: version and section numbers, dates
        ("ERP v1.2.pdf", None, "ERP v1.2"),
        ("Objective 1/ERP rev 2.3.pdf", None, "ERP rev 2.3"),
        ("Objective 1/Procedure section 3.2.1.pdf", None, "Procedure section 3.2.1"),
        ("Objective 1/14-05-2026 drill.pdf", None, "14-05-2026 drill"),
        ("Objective 1/10_05_2026 drill.pdf", None, "10_05_2026 drill"),
    ],
)
def test_name_and_folder_forms(path: str, milestone: str | None, title: str) -> None:
    mapping = NAMING.map_path(path)
    assert (mapping.milestone, mapping.title, mapping.conflict) == (milestone, title, None)


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Milestone 1.2 - Drill report\nMay 14, 2026", ["1.2"]),
        ("ACME Construction\nObjective 2 - Milestone 2.1\nInspection log", ["2.1"]),  # 2.1, not 2.2
        ("ACME | Milestone 3.1 | Toolbox talks", ["3.1"]),
        ("Objective 3, Milestone 2: schedule", ["3.2"]),
        ("O2-M4 checklist", ["2.4"]),
        ("Title: MS 1.2.1 drill debrief", ["1.2"]),
        ("Toolbox talk\nThis talk is linked to milestone 1.2 training.", []),  # a mention
        ("Toolbox talk\nSee Milestone 1.3 for the schedule", []),
        ("ERP v1.2\nrev 2.3, section 3.2.1", []),  # version and section numbers
        ("a\nb\nc\nd\ne\nf\nMilestone 1.2 at the bottom of the page", []),  # below the header
    ],
)
def test_header_labels(text: str, labels: list[str]) -> None:
    assert [label.milestone for label in NAMING.header_labels(text)] == labels


def test_remembered_answers_stay_bounded() -> None:
    from packager.naming import LINE_MEMO

    convention = NamingConvention(load_rules().naming)
    for i in range(LINE_MEMO + 10):
        convention.map_path(f"Objective {i % 5 + 1}/folder {i}/1.1 - x.pdf")
        convention.is_ignored(f"folder {i}/x.pdf")
        convention.header_labels(f"Milestone 1.1 - record {i}")
    assert len(convention._folders) <= LINE_MEMO
    assert len(convention._ignored_parts) <= LINE_MEMO
    assert len(convention._line_labels) <= LINE_MEMO
    assert [label.milestone for label in convention.header_labels("Milestone 1.1 - record 3")] == ["1.1"]


@given(st.text(max_size=40))
def test_a_name_key_ignores_how_accents_are_stored_and_case(name: str) -> None:
    """The plan's 'Accusé.pdf', a Mac's decomposed 'Accuse\u0301.pdf' and 'ACCUSÉ.PDF' are one file."""
    key = name_key(name)
    assert name_key(unicodedata.normalize("NFD", name)) == key == name_key(unicodedata.normalize("NFC", name))
    assert name_key(key) == key


@pytest.mark.parametrize(("a", "b"), [
    ("admin/Accusé de réception.pdf", "admin/accuse\u0301 de re\u0301ception.PDF"),
    ("Objective 2 – Sécurité", "OBJECTIVE 2 – SÉCURITÉ"),
    ("Straße.pdf", "STRASSE.pdf"),
])
def test_names_that_are_one_file_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
