"""The generated documents: templates rendered to Letter PDFs, checked through pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from packager.documents import (
    FINAL_DOCUMENTS,
    PROPOSAL_DOCUMENTS,
    DocumentSpec,
    load_branding,
    printable,
    render_html,
    render_pdf,
)
from packager.documents.context_example import sample_context
from packager.documents.theme import normalise_colour
from packager.errors import InputError
from packager.plan import Auditor, ExecutiveSummary, Milestone, Objective, Plan, load_plan
from packager.rules import Rules, load_rules
from tests.plans import big_plan

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample" / "action-plan.yaml"
DATE = dt.datetime(2026, 10, 31, 9, 30, tzinfo=dt.UTC)
HEADER = "Northwind Paving Ltd. — COR Action Plan 2026"
ALL_DOCUMENTS = FINAL_DOCUMENTS + PROPOSAL_DOCUMENTS


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="module")
def plan(rules: Rules) -> Plan:
    return load_plan(SAMPLE, rules)


def stage_of(spec: DocumentSpec) -> str:
    return "proposal" if spec in PROPOSAL_DOCUMENTS else "final"


def render(
    spec: DocumentSpec,
    context: Mapping[str, Any],
    templates_dir: Path | None = None,
    fixed_date: dt.datetime = DATE,
) -> bytes:
    return render_pdf(
        spec.template,
        context,
        title=spec.title,
        templates_dir=templates_dir,
        fixed_date=fixed_date,
        header_text=HEADER,
    )


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed, so table cells wrapped over lines still match."""
    return " ".join(text.split())


def spec(template: str) -> DocumentSpec:
    return next(s for s in ALL_DOCUMENTS if s.template == template)


@pytest.fixture(scope="module")
def rendered(plan: Plan, rules: Rules) -> dict[str, list[str]]:
    """Every document of the sample plan, as the text of each page."""
    out: dict[str, list[str]] = {}
    for s in ALL_DOCUMENTS:
        context = sample_context(plan, rules, stage=stage_of(s), files_per_milestone=2)
        out[s.template] = pages_text(render(s, context))
    return out


# --------------------------------------------------------------------------- every document


@pytest.mark.parametrize("spec", ALL_DOCUMENTS, ids=lambda s: s.template)
def test_every_document_has_title_block_header_and_page_numbers(
    spec: DocumentSpec, rendered: dict[str, list[str]]
) -> None:
    pages = rendered[spec.template]
    first = flat(pages[0])
    assert spec.title in first
    assert "Northwind Paving Ltd. — COR Action Plan 2026" in first
    assert "Certificate of Recognition" in first
    assert "Generated October 31, 2026" in first
    for number, text in enumerate(pages, start=1):
        assert HEADER in text
        assert f"Page {number} of {len(pages)}" in text


def test_the_stage_lists_name_the_documents() -> None:
    assert [s.filename for s in FINAL_DOCUMENTS] == [
        "01 Index.pdf",
        "02 Executive Summary.pdf",
        "03 Self-Scoring Sheet.pdf",
        "04 Auditor Maintenance.pdf",
        "05 Senior Representative Acknowledgement.pdf",
    ]
    assert [s.filename for s in PROPOSAL_DOCUMENTS] == [
        "01 Action Plan.pdf",
        "02 Proposal Details.pdf",
    ]


def test_pages_are_letter_size(plan: Plan, rules: Rules) -> None:
    pdf = render(spec("executive_summary.html.j2"), sample_context(plan, rules))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.parametrize("stage", ["final", "proposal"])
@pytest.mark.parametrize("split", [False, True])
def test_builtin_templates_use_only_documented_context(
    plan: Plan, rules: Rules, stage: str, split: bool
) -> None:
    """Rendered with StrictUndefined: any name outside the documented context fails."""
    context = sample_context(
        plan,
        rules,
        stage=stage,
        part={"number": 2, "count": 3} if split else None,
        open_findings=[{"check": "c", "severity": "error", "message": "m", "hint": "h", "where": "w"}],
    )
    bare = Plan(program="SECOR", company="Bare Co", year=2026)
    bare_context = sample_context(bare, rules, stage=stage)
    for s in ALL_DOCUMENTS:
        for ctx in (context, bare_context):
            html = render_html(s.template, ctx, title=s.title, strict=True)
            assert s.title in html


# --------------------------------------------------------------------------- content


def test_index_lists_every_file_with_date_pages_checksum_and_status(
    plan: Plan, rules: Rules, rendered: dict[str, list[str]]
) -> None:
    text = flat(" ".join(rendered["index.html.j2"]))
    context = sample_context(plan, rules, files_per_milestone=2)
    for objective in context["objectives"]:
        assert f"Objective {objective['number']} — {objective['title']}" in text
        for milestone in objective["milestones"]:
            assert f"{milestone['id']} {milestone['title']}" in text
            for f in milestone["files"]:
                assert f["sha256_short"] in text
                assert flat(f["zip_name"]) in text
    assert "File in the zip Date Pages SHA-256 Status" in text
    assert "1 warning" in text and "OK" in text
    assert "2026-04-03" in text
    for s in FINAL_DOCUMENTS:
        assert s.filename in text
    assert "admin/acknowledgement-signed.pdf" in text
    assert "Signed Senior Representative Acknowledgement" in text
    assert "Part" not in text.split("Submission Index")[1][:200]  # not split: no part


def test_index_of_a_split_submission_names_the_part(plan: Plan, rules: Rules) -> None:
    context = sample_context(plan, rules, part={"number": 2, "count": 3})
    context["generated_documents"] = [
        {"title": "Submission Index", "zip_name": "00 Generated/01 Index.pdf", "part": 1}
    ]
    pages = pages_text(render(spec("index.html.j2"), context))
    assert "Part 2 of 3" in flat(pages[0])
    text = flat(" ".join(pages))
    assert "File in the zip Date Pages SHA-256 Status Part" in text
    assert "00 Generated/01 Index.pdf 1" in text


def test_open_findings_are_on_the_first_page_of_the_index(plan: Plan, rules: Rules) -> None:
    finding = {
        "check": "deliverable-date",
        "severity": "error",
        "message": "the drill report is dated after the final deadline",
        "hint": "Replace it with the signed copy",
        "where": "Objective 1/1.1 - Drill report.pdf",
    }
    pages = pages_text(render(spec("index.html.j2"), sample_context(plan, rules, open_findings=[finding])))
    first = flat(pages[0])
    assert "Open findings at build time" in first
    assert "the drill report is dated after the final deadline" in first
    assert "Replace it with the signed copy" in first
    assert first.index("Open findings at build time") < first.index("Objective 1 —")


def test_no_open_findings_box_without_findings(rendered: dict[str, list[str]]) -> None:
    assert "Open findings" not in " ".join(rendered["index.html.j2"])


def test_executive_summary_has_results_total_pass_mark_and_lists(
    rendered: dict[str, list[str]],
) -> None:
    text = flat(" ".join(rendered["executive_summary.html.j2"]))
    assert "No. Objective Weight Self-score % of weight" in text
    assert "30 28 93.33%" in text
    assert "Total 100 93 93%" in text
    assert "93 of 100 points (93%)" in text
    assert "Pass mark 60%" in text
    assert "PASS — at or above the pass mark" in text
    assert "the self-score is 93%" in text
    assert "• Drills were held at every site" in text
    assert "• Keep attendance sheets for every toolbox talk" in text


def test_executive_summary_says_below_the_pass_mark(plan: Plan, rules: Rules) -> None:
    context = sample_context(plan, rules)
    context["totals"] = {**context["totals"], "self_score": 41, "percent": 41.0, "passed": False}
    text = flat(" ".join(pages_text(render(spec("executive_summary.html.j2"), context))))
    assert "BELOW THE PASS MARK (41% against 60%)" in text
    assert "PASS —" not in text


def test_self_scoring_sheet_has_every_milestone_score_and_notes(
    rendered: dict[str, list[str]],
) -> None:
    text = flat(" ".join(rendered["self_scoring.html.j2"]))
    assert "1.1 Conduct four emergency drills 12 12 Complete" in text
    assert "1.3 Train all 12 supervisors in first-response coordination 8 6 Partial" in text
    assert "3.2 Record attendance at every talk 25 20 Partial" in text
    assert "Objective 1 subtotal 30 28 93.33%" in text
    assert "9 of 12 supervisors were trained" in text
    assert "attendance sheets for two talks at Nisku were not kept" in text
    assert "100 93 93% 60%" in text


def test_auditor_maintenance_has_a_signature_and_date_line_per_auditor(
    rendered: dict[str, list[str]],
) -> None:
    text = " ".join(rendered["auditor_maintenance.html.j2"])
    assert "Émilie Côté" in text  # accents extracted intact
    assert "Signature of Priya Natarajan" in text
    assert "Signature of Émilie Côté" in text
    assert text.count("Date (YYYY-MM-DD)") == 2
    assert len(re.findall(r"_{20,}", text)) == 4
    assert "ran the monthly hand tool inspections" in flat(text)


def test_acknowledgement_names_the_representative_and_the_score(
    rendered: dict[str, list[str]],
) -> None:
    text = flat(" ".join(rendered["acknowledgement.html.j2"]))
    assert "I, Dana Whitfield, President, the senior representative of Northwind Paving Ltd." in text
    assert "acknowledge the results" in text
    assert "93 of 100 points (93%)" in text
    assert "Signature of the senior representative" in text
    assert "Date (YYYY-MM-DD)" in text
    assert re.search(r"_{20,}", text)


def test_acknowledgement_without_a_representative_leaves_lines_to_fill(
    plan: Plan, rules: Rules
) -> None:
    bare = Plan(**{**plan.__dict__, "senior_representative": None})
    text = flat(" ".join(pages_text(render(spec("acknowledgement.html.j2"), sample_context(bare, rules)))))
    assert "I, ____" in text
    assert "Signature of the senior representative" in text


def test_action_plan_lists_responsible_dates_deliverables_and_weights(
    rendered: dict[str, list[str]],
) -> None:
    text = flat(" ".join(rendered["action_plan.html.j2"]))
    assert "Audit-based objective" in text
    assert "1.3 Train all 12 supervisors in first-response coordination Émilie Côté 2026-09-30" in text
    assert "Training records 8" in text
    assert "2.1 Inspect all hand tools monthly Émilie Côté 2026-07-31 Hand tool inspection log 15" in text
    assert "100 of 100 points" in text
    assert "The weights must add up" not in text


def test_proposal_details_has_people_eligibility_and_approval(
    rendered: dict[str, list[str]],
) -> None:
    text = flat(" ".join(rendered["proposal_details.html.j2"]))
    assert "Contact Priya Natarajan, Safety Coordinator" in text
    assert "Approved 2026-03-20" in text
    assert "• Marc Tremblay" in text
    assert "• Émilie Côté (COR auditor)" in text
    assert "The company holds COR or SECOR certification Yes" in text
    assert "A COR company has a certified auditor on staff Yes" in text


def test_proposal_details_marks_missing_eligibility_answers(plan: Plan, rules: Rules) -> None:
    draft = Plan(**{**plan.__dict__, "eligibility": {"certified": False}, "approved": None})
    context = sample_context(draft, rules, stage="proposal")
    text = flat(" ".join(pages_text(render(spec("proposal_details.html.j2"), context))))
    assert "The company holds COR or SECOR certification No" in text
    assert "certified auditor on staff Not answered" in text
    assert "Approved Not yet approved" in text


# --------------------------------------------------------------------------- long plans


def test_a_long_index_repeats_the_table_header_on_the_next_page(rules: Rules) -> None:
    context = sample_context(big_plan(), rules, files_per_milestone=3)
    pages = pages_text(render(spec("index.html.j2"), context))
    assert len(pages) >= 4
    # Objective 1 alone (5 milestones x 3 files) is longer than a page: its table breaks.
    second = [line for line in pages[1].splitlines() if line.strip()]
    assert second[0] == HEADER
    assert second[1].startswith("File in the zip Date Pages SHA-256 Status")
    assert second[2].startswith("Objective 1 - ")  # a row of the same table continues
    assert "Objective 2 —" not in pages[0]
    for text in pages[1:]:
        assert "File in the zip Date Pages SHA-256 Status" in text
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    text = flat(" ".join(pages))
    assert "7.5 Milestone 7.5 carried out by Émilie Côté" in text


def test_a_600_file_index_lists_every_file(rules: Rules) -> None:
    context = sample_context(big_plan(10, 6), rules, files_per_milestone=10)
    files = [f for o in context["objectives"] for m in o["milestones"] for f in m["files"]]
    assert len(files) == 600
    files[0]["zip_name"] = "Objective 1/1.1 - Émilie Côté inspects the north yard, signed.pdf"
    files[1]["zip_name"] = "x" * 150 + ".pdf"  # a word wider than its cell: wrapped anywhere
    pages = pages_text(render(spec("index.html.j2"), context))
    text = flat(" ".join(pages))
    for f in files:
        assert text.count(f["sha256_short"]) == 1, f["zip_name"]
    for f in files[:1] + files[2:]:
        assert f["zip_name"] in text
    assert files[1]["zip_name"] in "".join(text.split())
    assert sum(text.count(f" {f['date']} {f['pages']} {f['sha256_short']} ") for f in files) == 600
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


# --------------------------------------------------------------------------- determinism


def test_rendering_twice_gives_identical_bytes(plan: Plan, rules: Rules) -> None:
    context = sample_context(plan, rules, part={"number": 1, "count": 2})
    first = render(spec("index.html.j2"), context)
    again = render(spec("index.html.j2"), sample_context(plan, rules, part={"number": 1, "count": 2}))
    assert first == again
    naive = render(spec("index.html.j2"), context, fixed_date=DATE.replace(tzinfo=None))
    assert naive == first  # a naive date is UTC, whatever the machine's time zone
    later = render(spec("index.html.j2"), context, fixed_date=DATE + dt.timedelta(days=1))
    assert later != first
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata is not None
    assert str(reader.metadata["/CreationDate"]) == "D:20261031093000Z"
    assert str(reader.metadata["/Producer"]).startswith("packager")
    ids = reader.trailer["/ID"].get_object()
    assert isinstance(ids, list) and len(ids) == 2 and ids[0] == ids[1]


# --------------------------------------------------------------------------- overrides


def test_a_consultant_template_replaces_only_its_document(
    plan: Plan, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "executive_summary.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block content %}'
        "<p>Custom summary for {{ plan.company }} by Fraser Safety Consulting</p>"
        "{% endblock %}",
        encoding="utf-8",
    )
    context = sample_context(plan, rules)
    summary = flat(" ".join(pages_text(render(spec("executive_summary.html.j2"), context, tmp_path))))
    assert "Custom summary for Northwind Paving Ltd. by Fraser Safety Consulting" in summary
    assert "Results by objective" not in summary
    assert "Executive Summary" in summary  # the built-in base still frames it
    index = flat(" ".join(pages_text(render(spec("index.html.j2"), context, tmp_path))))
    assert "Fraser Safety Consulting" not in index
    assert "File in the zip" in index


def test_a_consultant_base_template_frames_every_document(
    plan: Plan, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "base.html.j2").write_text(
        "<h1>{{ title }}</h1><p>Prepared by Fraser Safety Consulting</p>"
        "{% block content %}{% endblock %}{{ no_such_name }}",
        encoding="utf-8",
    )
    for s in (spec("self_scoring.html.j2"), spec("proposal_details.html.j2")):
        context = sample_context(plan, rules, stage=stage_of(s))
        text = flat(" ".join(pages_text(render(s, context, tmp_path))))
        assert "Prepared by Fraser Safety Consulting" in text
        assert "Generated October 31, 2026" not in text


def test_a_broken_consultant_template_is_an_input_error(
    plan: Plan, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "index.html.j2").write_text("<p>{% if plan %}unclosed</p>\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render(spec("index.html.j2"), sample_context(plan, rules), tmp_path)
    assert "index.html.j2" in str(err.value)
    assert "syntax error" in str(err.value)


def test_unsupported_html_in_a_consultant_template_is_an_input_error(
    plan: Plan, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "index.html.j2").write_text("<tr><td>a row outside a table</td></tr>", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render(spec("index.html.j2"), sample_context(plan, rules), tmp_path)
    assert "index.html.j2" in str(err.value)


def image_count(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        xobjects: dict[Any, Any] = resources.get("/XObject", {}) if isinstance(resources, dict) else {}
        for ref in xobjects.values():
            xobject = ref.get_object()
            count += isinstance(xobject, dict) and xobject.get("/Subtype") == "/Image"
    return count


def test_a_logo_in_the_templates_folder_is_in_the_header(
    plan: Plan, rules: Rules, tmp_path: Path
) -> None:
    Image.new("RGB", (400, 100), (31, 78, 121)).save(tmp_path / "logo.png")
    context = sample_context(plan, rules)
    with_logo = render(spec("acknowledgement.html.j2"), context, tmp_path)
    assert image_count(with_logo) >= 1
    assert image_count(render(spec("acknowledgement.html.j2"), context)) == 0


def test_an_unreadable_logo_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"not an image")
    branding = load_branding(tmp_path)
    assert branding.logo is None
    assert "logo.png" in branding.problems[0]


def test_a_theme_changes_colours_and_bad_values_are_ignored(
    plan: Plan, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "theme.yaml").write_text(
        'accent: "#c00"\ntext: red\nfont: Comic Sans\nfont_size: 99\nsparkle: true\n',
        encoding="utf-8",
    )
    branding = load_branding(tmp_path)
    assert branding.theme.accent == "#cc0000"
    assert branding.theme.text == "#222222"
    assert branding.theme.font == "DejaVu"
    assert branding.theme.font_size == 10
    assert len(branding.problems) == 4
    pdf = render(spec("executive_summary.html.j2"), sample_context(plan, rules), tmp_path)
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    assert b"0.8 0 0 RG" in content.get_data() or b"0.8000 0.0000 0.0000 RG" in content.get_data()


@pytest.mark.parametrize("text", ["accent: [unclosed", "- a list\n- not a mapping\n", "\x00\x01"])
def test_an_unreadable_theme_gives_the_defaults(tmp_path: Path, text: str) -> None:
    (tmp_path / "theme.yaml").write_text(text, encoding="utf-8")
    branding = load_branding(tmp_path)
    assert branding.theme.accent == "#1f4e79"
    assert branding.problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [("#1F4E79", "#1f4e79"), ("#abc", "#aabbcc"), ("1f4e79", None), ("#12345", None), (7, None)],
)
def test_normalise_colour(value: object, expected: str | None) -> None:
    assert normalise_colour(value) == expected


# --------------------------------------------------------------------------- hostile text

LONG_WORD = "Supercalifragilistic" * 15  # 300 characters, no space to break at


def hostile_plan(plan: Plan) -> Plan:
    objectives = list(plan.objectives)
    first = objectives[0]
    objectives[0] = Objective(
        title="<script>alert('x')</script> &amp; Tom & Jerry 🦺 safety 中文",
        audit_recommendation=True,
        notes=f"Notes with {LONG_WORD} and a bell \x07 and a family 👨\u200d👩\u200d👧 emoji",
        milestones=(
            Milestone(
                title=f"<b>not bold</b> {LONG_WORD}",
                assigned_to="Zoë O'Brien & <Sons>",
                target_date=dt.date(2026, 5, 1),
                deliverable="{{ not a template }} {% neither %} {nb}",
                weight=30,
                self_score=28,
            ),
            *first.milestones[1:],
        ),
    )
    return Plan(
        **{
            **plan.__dict__,
            "company": "Acme <Paving> & Sons 🚧",
            "objectives": tuple(objectives),
            "auditors": (Auditor("Émilie Côté", f"<i>{LONG_WORD}</i> 🦺"),),
            "summary": ExecutiveSummary(results="&lt;ok&gt;", strengths=(LONG_WORD,)),
        }
    )


def test_hostile_text_renders_as_text_without_error(plan: Plan, rules: Rules) -> None:
    nasty = hostile_plan(plan)
    for s in ALL_DOCUMENTS:
        context = sample_context(nasty, rules, stage=stage_of(s))
        pages = pages_text(render(s, context))
        text = flat(" ".join(pages))
        assert "Acme <Paving> & Sons" in text
        if s.template in ("index.html.j2", "self_scoring.html.j2", "action_plan.html.j2"):
            assert "<script>alert('x')</script> &amp; Tom & Jerry" in text
            assert "\ufffd" in text  # the vest and the CJK text have no glyph: replaced
        if s.template in ("self_scoring.html.j2", "action_plan.html.j2"):
            assert "<b>not bold</b>" in text
            assert "".join(text.split()).count(LONG_WORD) >= 1  # the long word wraps


def test_printable_replaces_only_what_the_fonts_cannot_draw() -> None:
    assert printable("Émilie Côté — 93% ≥ 60%") == "Émilie Côté — 93% ≥ 60%"
    assert printable("vest 🦺!") == "vest \ufffd!"
    assert printable("a\x07b\u200dc\ufe0f") == "a bc"
