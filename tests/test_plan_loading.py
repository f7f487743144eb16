"""Unusable plans: a clear paragraph naming the file, line and field; never a traceback."""

from __future__ import annotations

import codecs
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packager.errors import InputError
from packager.plan import load_plan, load_plan_text
from tests.plans import RULES, plan_from, valid_plan

GOOD_HEAD = """\
program: COR
company: Northwind Paving Ltd.
year: 2026
"""


def load(text: str) -> None:
    load_plan_text(textwrap.dedent(text), "action-plan.yaml", RULES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD_HEAD + "objectives:\n  - title: A\n    milestones:\n      - {title: x, weight: \"ten\"}\n",
         "action-plan.yaml, line 7: field 'objectives[1].milestones[1].weight' (milestone 1.1): "
         "the value 'ten' is not a number."),
        (GOOD_HEAD + "approved: 2026-02-30\n",
         "action-plan.yaml, line 4: field 'approved': the value '2026-02-30' is not a date written "
         "YYYY-MM-DD, e.g. 2026-05-14."),
        (GOOD_HEAD + "approved: next week\n",
         "action-plan.yaml, line 4: field 'approved': the value 'next week' is not a date written "
         "YYYY-MM-DD, e.g. 2026-05-14."),
        (GOOD_HEAD + "approved: 04/05/2026\n",  # April 5 or May 4: only a date that reads one way is taken
         "action-plan.yaml, line 4: field 'approved': the value '04/05/2026' is not a date written "
         "YYYY-MM-DD, e.g. 2026-05-14."),
        (GOOD_HEAD + "approved: Approved on March 20, 2026 by ACSA\n",
         "action-plan.yaml, line 4: field 'approved': the value 'Approved on March 20, 2026 by ACSA' is not a "
         "date written YYYY-MM-DD, e.g. 2026-05-14."),
        (GOOD_HEAD + "approved: [2026-03-20]\n",
         "action-plan.yaml, line 4: field 'approved': the value is a list, not a date written YYYY-MM-DD, "
         "e.g. 2026-05-14."),
        (GOOD_HEAD + "objectives:\n  - title: A\n    milestones:\n      - {title: {x: 1}, weight: 5}\n",
         "action-plan.yaml, line 7: field 'objectives[1].milestones[1].title' (milestone 1.1): the value is a "
         "block of 'name: value' pairs, not text."),
        ("program: CORE\ncompany: X\nyear: 2026\n",
         "action-plan.yaml, line 1: field 'program': 'CORE' is not a program of the acsa-cor-secor "
         "rules. Expected COR or SECOR."),
        (GOOD_HEAD + "objectives:\n  - title: A\n    milestones:\n      - {title: x, wieght: 3}\n",
         "action-plan.yaml, line 7: field 'objectives[1].milestones[1].wieght' (milestone 1.1): is "
         "not a known key here. Expected one of title, assigned_to, target_date, deliverable, "
         "weight, self_score. Did you mean 'weight'?"),
        ("program: COR\ncompany: [unclosed\n",
         "action-plan.yaml, line 3: this is not valid YAML (expected ',' or ']', but got '<stream "
         "end>'). Check the indentation and that every 'name: value' has a space after the colon."),
        ("company: X\nyear: 2026\n",
         "action-plan.yaml, line 1: field 'program': is missing. Expected text."),
        (GOOD_HEAD + 'documents: {acknowledgement: "C:\\Users\\priya\\ack.pdf"}\n',
         "action-plan.yaml, line 4: this is not valid YAML (expected escape sequence of 8 hexadecimal numbers, "
         "but found 's'). Inside double quotes a backslash starts a special code: write a path with '/' instead "
         "of '\\', or put it in single quotes ('C:\\Users\\…') or in no quotes."),
        (GOOD_HEAD + "year: 2027\n",
         "action-plan.yaml, line 4: field 'year': the key 'year' appears twice in the same block. "
         "Keep one of them."),
        (GOOD_HEAD + "eligibility: {certifed: true}\n",
         "action-plan.yaml, line 4: field 'eligibility.certifed': is not an eligibility requirement "
         "of this program. Expected one of certified, certified_auditor_on_staff, "
         "completed_full_cycle, hs_representative, meets_training_requirements, "
         "secor_2023_evaluation."),
        (GOOD_HEAD + "objectives:\n  - title: A\n    milestones:\n      - {title: x, weight: -5}\n",
         "action-plan.yaml, line 7: field 'objectives[1].milestones[1].weight' (milestone 1.1): "
         "milestone 1.1 has a negative weight (-5). Expected a number of points from 0 to 100."),
        (GOOD_HEAD + "eligibility: {certified: maybe}\n",
         "action-plan.yaml, line 4: field 'eligibility.certified': the value 'maybe' is not true "
         "or false."),
        ("- just\n- a list\n",
         "action-plan.yaml, line 1: the plan should be a block of 'name: value' pairs (program, "
         "company, year, objectives …). Start from the template that 'packager init' writes "
         "(action-plan.yaml)."),
    ],
)
def test_unusable_plan_messages(text: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        load(text)
    assert str(info.value) == expected


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_plan(tmp_path / "nope.yaml", RULES)
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: the plan file does not exist."


def test_program_any_case() -> None:
    data = valid_plan()
    data["program"] = "secor"
    assert plan_from(data).program == "SECOR"


def test_milestones_numbered_by_position() -> None:
    plan = plan_from(valid_plan())
    assert [mid for _o, mid, _m in plan.milestones()] == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"]
    assert plan.self_score_percent(RULES) == 100


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        load(text)
    except InputError as exc:
        assert exc.paragraph().startswith("action-plan.yaml")


SAMPLE_PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "sample" / "action-plan.yaml"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom"])
def test_a_plan_saved_by_notepad_in_any_unicode_encoding_loads(tmp_path: Path, encoding: str) -> None:
    """UTF-8 with or without Notepad's byte order mark, and UTF-16 with it ('Unicode' in Notepad)."""
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace("Northwind Paving Ltd.", "Société Northwind Ltée")
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    (tmp_path / "action-plan.yaml").write_bytes(data)
    assert load_plan(tmp_path / "action-plan.yaml", RULES).company == "Société Northwind Ltée"


def test_a_plan_saved_as_ansi_names_the_line_and_how_to_save_it(tmp_path: Path) -> None:
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace("Northwind Paving Ltd.", "Société Northwind Ltée")
    path = tmp_path / "action-plan.yaml"
    path.write_bytes(text.encode("cp1252"))
    line = text.splitlines().index(next(x for x in text.splitlines() if "Société" in x)) + 1
    with pytest.raises(InputError) as info:
        load_plan(path, RULES)
    assert str(info.value) == (
        f"{path}, line {line}: the plan file is not UTF-8 text: this line holds the byte 0xE9, which UTF-8 does "
        "not allow (the file was probably saved as 'ANSI'). Save it as UTF-8 from your editor (Notepad: File > "
        "Save as, Encoding: UTF-8).")


@pytest.mark.parametrize("data", [codecs.BOM_UTF16_LE + b"p\x00r", codecs.BOM_UTF16_LE + "program: COR\n".encode("utf-16-le")[:-1],
                                  codecs.BOM_UTF16_LE + b"\x00\xd8\n\x00"])
def test_a_broken_utf16_plan_is_unusable_input(tmp_path: Path, data: bytes) -> None:
    """An odd number of bytes or a lone surrogate after a UTF-16 mark: exit 2 naming the file, no traceback."""
    path = tmp_path / "action-plan.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        load_plan(path, RULES)
    assert str(info.value).startswith(f"{path}, line 1: the plan file is not UTF-8 text")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("August 31, 2026", "2026-08-31"), ("31/08/2026", "2026-08-31"), ("Aug. 31 2026", "2026-08-31"),
     ("31 August 2026", "2026-08-31"), ("2026-08-31", "2026-08-31")],
)
def test_a_target_date_written_as_people_write_it(written: str, expected: str) -> None:
    """The tool reads 'August 31, 2026' in every document; a plan may say it too, when it reads one way."""
    data = valid_plan()
    data["objectives"][0]["milestones"][0]["target_date"] = written
    assert plan_from(data).objectives[0].milestones[0].target_date.isoformat() == expected


def test_a_milestone_assigned_to_a_group_of_people() -> None:
    """The guide: a milestone is assigned to a specific person or group of people; a YAML list is that group."""
    data = valid_plan()
    data["objectives"][0]["milestones"][0]["assigned_to"] = ["Site supervisors", "Safety committee"]
    assert plan_from(data).objectives[0].milestones[0].assigned_to == "Site supervisors, Safety committee"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("target_date", "May 14, 2026 " * 5_000, "is not a date written YYYY-MM-DD"),  # long: not searched
        ("target_date", "5/14/26", "is not a date written YYYY-MM-DD"),  # no window to settle a two-digit year
        ("assigned_to", [f"Person {i}" for i in range(10_000)], "the value is a list, not text"),  # not joined
        ("assigned_to", ["x" * 60_000, "y"], "far too long"),  # joined, then held to the text limit
        ("assigned_to", [["nested"], "y"], "the value is a list, not text"),
    ],
)
def test_hostile_written_dates_and_groups_end_in_one_paragraph(field: str, value: object, expected: str) -> None:
    data = valid_plan()
    data["objectives"][0]["milestones"][0][field] = value
    with pytest.raises(InputError) as info:
        plan_from(data)
    assert expected in str(info.value) and f"objectives[1].milestones[1].{field}" in str(info.value)
