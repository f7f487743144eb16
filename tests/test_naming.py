"""The naming convention: every documented form, conflicts, and a Hypothesis round trip."""

from __future__ import annotations

import datetime as dt
import fnmatch
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packager.errors import InputError
from packager.naming import NamingConvention, split_extension
from packager.rules import bundled_rules_dir, load_rules
from packager.textutil import name_key

NAMING = NamingConvention(load_rules().naming)
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"


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
        # numbers spelled out, right after a whole keyword (naming.number_words)
        ("Objective One - Hazard Assessment/M2 report.pdf", "1.2", ("name",)),
        ("Objective Two/Milestone Three - Drills/report.pdf", "2.3", ("folder",)),
        ("Objective Twelve/MS Eleven/report.pdf", "12.11", ("folder",)),
        ("OBJECTIVE TEN/milestone ten/report.pdf", "10.10", ("folder",)),
        ("Objective #One/Milestone #Two/report.pdf", "1.2", ("folder",)),
        ("Objective_Three_Drills/Milestone_Two_log.pdf", "3.2", ("name",)),
        ("Objective One Milestone Two - Toolbox talks.pdf", "1.2", ("name",)),
        ("Obj Two MS One report.pdf", "2.1", ("name",)),
        ("Obj Twelve/M1 report.pdf", "12.1", ("name",)),
        ("Objective One/Milestone Two.pdf", "1.2", ("name",)),
        ("Objective 1/MS Two sign-in.pdf", "1.2", ("name",)),
        ("Objective 1 Milestone Two report.pdf", "1.2", ("name",)),  # mixed forms
        ("Objective Two Milestone 1 report.pdf", "2.1", ("name",)),
        ("O1 Milestone Two report.pdf", "1.2", ("name",)),
        ("Obj Two M1 report.pdf", "2.1", ("name",)),
        ("Objective Two Milestone 2.3 report.pdf", "2.3", ("name",)),  # the milestone after the words
        # a number word is not a number after O or M, inside a longer word, or in a title
        ("Objective Tenant/Milestone 2/report.pdf", None, ("folder",)),
        ("Objective One/Milestone Oneida/report.pdf", None, ()),
        ("O One/M2 report.pdf", None, ()),
        ("Objective One/M Two/report.pdf", None, ()),
        ("O One M Two report.pdf", None, ()),
        ("Objective One/Milestone First aid kits/report.pdf", None, ()),  # no ordinals
        ("Milestone Two report.pdf", None, ()),  # no objective, as 'M2 report.pdf'
        ("1.2 - One-day course.pdf", "1.2", ("name",)),
        ("Objective 1 - Two-way radios/1.3 report.pdf", "1.3", ("name",)),
        ("Objective 1 - Two-way radios/Milestone 2 - One-day course/report.pdf", "1.2", ("folder",)),
        ("Objective 2 Milestone 2.One-day course.pdf", "2.2", ("name",)),
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


_PART_CHARS = st.sampled_from([*".~$_-tmpdbsktoiTMPDBSKIOÍİıſ \r\n\x00", "Thumbs.db", "desktop.ini", "__MACOSX", "Icon\r"])


@given(st.lists(_PART_CHARS, max_size=12).map("".join))
def test_ignored_part_is_exactly_fnmatch_of_each_rule(part: str) -> None:
    """The one combined pattern says what matching each rule's glob with fnmatch, lower-cased, says."""
    expected = any(fnmatch.fnmatchcase(part.lower(), p.lower()) for p in NAMING.rules.ignore)
    assert NAMING.is_ignored(f"Objective 1/{part}") is expected


def test_labels_in_text() -> None:
    text = "Milestone 1.2 - Drill report. See also Objective 3, Milestone 1 and O2-M4. Rev 1.5."
    assert {label.milestone for label in NAMING.labels_in_text(text)} == {"1.2", "3.1", "2.4"}
    text = "Objective One, Milestone Two: toolbox talks. Objective 4 - Milestone Twelve."
    assert [(label.milestone, label.text) for label in NAMING.labels_in_text(text)] == [
        ("1.2", "Objective One, Milestone Two"), ("4.12", "Objective 4 - Milestone Twelve")]


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
        # numbers spelled out
        ("ACME\nObjective One, Milestone Two\nToolbox talk", ["1.2"]),
        ("Objective 1 - Milestone Two", ["1.2"]),
        ("OBJECTIVE TWELVE MS ELEVEN", ["12.11"]),
        ("Objective Two - Milestone 2.1", ["2.1"]),  # the milestone's own number wins, as with digits
        ("Objective 2, Milestone 2.One-day course", ["2.2"]),  # not 2.1
        ("Objective 1, Milestone Tenant training", []),
        ("Objective One, Milestone Oneida", []),
        ("Milestone Two - Drill report", []),  # no objective, as 'Milestone 2'
        ("Toolbox talk\nThis talk is linked to Objective One, Milestone Two", []),  # a mention
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


ENGLISH = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


@given(
    o=st.integers(1, 12), m=st.integers(1, 12), sep=SEPARATORS, title=WORDS,
    form=st.sampled_from(["Objective {o}/Milestone {m}/{t}.pdf", "Objective {o}{sep}{t}/Milestone {m}{sep}{t}/x.pdf",
                          "Objective {o} Milestone {m}{sep}{t}.pdf", "Objective {o}/MS {m}{sep}{t}.pdf",
                          "Obj {o} MS {m}{sep}{t}.pdf", "Objective #{o}{sep}{t}/Milestone #{m}/{t}.pdf"]),
    case=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_number_words_map_as_their_digits(o: int, m: int, sep: str, title: str, form: str, case: object) -> None:
    words = case(form.format(o=ENGLISH[o - 1], m=ENGLISH[m - 1], sep=sep, t=title))  # type: ignore[operator]
    digits = case(form.format(o=o, m=m, sep=sep, t=title))  # type: ignore[operator]
    got, want = NAMING.map_path(words), NAMING.map_path(digits)
    assert (got.milestone, got.label_sources, got.conflict) == (f"{o}.{m}", want.label_sources, None), words
    assert got.title == want.title
    header = case(f"Objective {ENGLISH[o - 1]}, Milestone {ENGLISH[m - 1]}{sep}{title}")  # type: ignore[operator]
    assert [label.milestone for label in NAMING.header_labels(header)] == [f"{o}.{m}"]


def test_bundled_profiles_spell_one_to_twelve() -> None:
    for profile in ("acsa-cor-secor", "amta", "esc"):
        assert load_rules(profile).naming.number_words == {word: n for n, word in enumerate(ENGLISH, start=1)}


@pytest.mark.parametrize(
    ("old", "new", "at", "expected"),
    [
        ("two: 2,", "2nd: 2,", "2nd: 2", "field 'naming.number_words.2nd': '2nd' is not a word."),
        ("twelve: 12}", "twelve: 120}", "twelve: 120",
         "field 'naming.number_words.twelve': 120 is not an objective or milestone number."),
        ("twelve: 12}", "twelve: 12, One: 1}", "One: 1",
         "field 'naming.number_words.One': 'One' is listed twice (as 'one' too)."),
        ("{one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,\n"
         "                 eleven: 11, twelve: 12}", "{}", "objective_folder:",
         "field 'naming.objective_folder': the pattern "),
    ],
)
def test_number_words_are_validated(tmp_path: Path, old: str, new: str, at: str, expected: str) -> None:
    text = (bundled_rules_dir() / "acsa-cor-secor.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "partner.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rules(path)
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if at in ln)
    assert str(info.value).startswith(f"{path}, line {line}: {expected}"), str(info.value)


@pytest.mark.parametrize(
    "text",
    ["Objective 1" + " " * 20_000 + "x", "Objective" + " " * 20_000 + "One", "Milestone" + " " * 20_000 + "1 x",
     "objective one " * 2_000, "Objective One -" + " - " * 7_000, "Objective #" + "#" * 20_000],
)
def test_long_runs_are_read_in_bounded_time(text: str) -> None:
    """A hostile header line (as long as the text kept of a document), title (as long as a PDF's title is
    kept) or name: each run of spaces is matched once. The work is bounded by size; the outcome is asserted."""
    assert NAMING.header_labels(text) == []
    assert NAMING.title_labels(text[:500]) == []
    assert NAMING.map_path(text[:250] + ".pdf").milestone is None


@pytest.mark.parametrize("program", ["acsa-cor-secor", "amta", "esc"])
@pytest.mark.parametrize(
    ("start", "run", "end"),
    [("[", "_", ")"), ("(", " ", ""), ("2026-05-28", "- ", "milestone"), ("obj 1", "-", "1."), ("a", " ", "b"),
     ("Fit test photos", " ", "(4.2"), ("Report", " (", "Milestone 1."), ("(milestone", " ", "1.2")],
)
def test_a_hostile_name_is_matched_in_one_pass(program: str, start: str, run: str, end: str) -> None:
    """A received zip's names are not limited to 255 characters: a 20,000-character run of separators
    between a name's parts is read once by every folder and file form (each was quadratic or worse: minutes
    for one such name). The work is bounded by size; the outcome is asserted."""
    naming = NamingConvention(load_rules(program).naming)
    name = start + run * (20_000 // len(run)) + end
    assert naming.file_name(name) is None
    assert naming.milestone_folder(name) is None
    assert naming.objective_folder(name) is None or start == "obj 1"


def test_a_folder_named_with_words_covers_its_milestones(tmp_path: Path) -> None:
    """End to end: milestones filed by folders, a file name and a header that spell their numbers are covered.
    Before number words, each was a false 'milestone-no-deliverable' error (the files' contents do not say
    their milestone in digits)."""
    from packager.api import check_folder
    from packager.checks import Stage
    from tests import synth

    root = tmp_path / "sub"
    shutil.copytree(SAMPLE, root)
    o3 = root / "Objective Three - Toolbox talks"
    (root / "Objective 3 - Toolbox talks").rename(o3)
    for old in o3.glob("3.*"):
        old.unlink()
    (o3 / "Milestone One - Schedule").mkdir()
    synth.make_text_pdf(o3 / "Milestone One - Schedule" / "Toolbox talk schedule - 2026-04-15.pdf",
                        text_lines=["Toolbox talk schedule", "Issued April 15, 2026."])
    synth.make_text_pdf(o3 / "Objective Three Milestone Two - Toolbox talk attendance - 2026-10-05.pdf",
                        text_lines=["Toolbox talk attendance", "Held October 5, 2026."])
    o2 = root / "Objective 2 - Hand safety"
    (o2 / "2.1 - Hand tool inspection log - 2026-07-31.pdf").unlink()
    synth.make_text_pdf(o2 / "Hand tool inspection log - 2026-07-31.pdf",
                        text_lines=["Objective Two, Milestone One - Hand tool inspections", "Completed July 31, 2026."])
    result = check_folder(root, stage=Stage.FINAL, today=dt.date(2026, 12, 10), workers=1)
    assert [(f.check, f.severity.value, f.message) for f in result.findings] == [
        ("deliverable-unlabelled", "warning", "'Toolbox talk schedule - 2026-04-15.pdf' does not say which milestone "
         "it is for: it is only filed in the folder of milestone 3.1. 'packager build' will add the milestone to "
         "its name; in a zip you make yourself it keeps this name, and a reviewer's audit counts it as unlabelled "
         "(an error)."),
    ]
