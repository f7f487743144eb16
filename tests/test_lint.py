"""A linter's conventions: --select/--ignore, packager.toml, accepted findings, --strict, --quiet,
colour and NO_COLOR, the same finding on many files, --statistics, the versioned JSON schema."""

from __future__ import annotations

import json
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from packager.cli import main, make_style, use_colour
from packager.findings import Finding, Severity
from packager.report.text import merge_same, render_findings

ROOT = Path(__file__).resolve().parents[1]
DEFECTS = ROOT / "fixtures" / "cases" / "proposal-defects"
SAMPLE = ROOT / "fixtures" / "sample"
ERROR_IDS = {"eligibility", "no-audit-objective", "weight-total", "target-date-outside-plan", "org-chart-missing"}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def check_json(folder: Path, *extra: str) -> tuple[int, dict[str, object]]:
    code, out, err = run("check", str(folder), "--stage", "proposal", "--today", "2026-11-26",
                         "--format", "json", *extra)
    assert code in (0, 1), err
    return code, json.loads(out)


def ids(data: dict[str, object]) -> set[str]:
    return {f["check"] for f in data["findings"]}  # type: ignore[attr-defined,index]


@pytest.fixture
def defects(tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(DEFECTS, folder)
    return folder


def test_select_and_ignore_take_ids_and_prefixes(defects: Path) -> None:
    assert ids(check_json(defects, "--select", "weight")[1]) == {"weight-total"}
    assert ids(check_json(defects, "--select", "weight-total,eligibility")[1]) == {"weight-total", "eligibility"}
    left = ids(check_json(defects, "--ignore", "objective-", "--ignore", "eligibility")[1])
    assert "eligibility" not in left and "objective-not-smart" not in left and "weight-total" in left


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [(["--ignore", "weight-totl"], "Did you mean 'weight-total'?"),
     (["--select", "eligibilty"], "Did you mean 'eligibility'?"),
     (["--select", "zzz"], "Run 'packager checks' to list every check id")],
)
def test_unknown_ids_are_an_error_that_suggests(defects: Path, args: list[str], suggestion: str) -> None:
    code, out, err = run("check", str(defects), "--stage", "proposal", *args)
    assert code == 2 and out == ""
    assert "is not a check id or the start of one" in err and suggestion in err


def test_config_file_sets_defaults_and_the_command_line_wins(defects: Path) -> None:
    (defects / "packager.toml").write_text('ignore = ["eligibility"]\nselect = ["weight", "eligibility"]\n')
    assert ids(check_json(defects)[1]) == {"weight-total"}
    assert ids(check_json(defects, "--select", "org-chart-missing")[1]) == {"org-chart-missing"}


def test_pyproject_tool_table(defects: Path) -> None:
    (defects / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.packager]\nselect = ["weight-total"]\n')
    assert ids(check_json(defects)[1]) == {"weight-total"}


@pytest.mark.parametrize(
    ("toml", "message"),
    [('selct = ["weight"]\n', "field 'selct': 'selct' is not a setting. Expected one of select, ignore, strict, "
                              "accepted. Did you mean 'select'?"),
     ('ignore = ["wieght-total"]\n', "field 'ignore': 'wieght-total' is not a check id or the start of one. Did "
                                     "you mean 'weight-total'?"),
     ('[[accepted]]\ncheck = "weight-total"\n', "field 'accepted[1].reason': every acceptance needs a reason"),
     ('[[accepted]]\ncheck = "weight-total"\nreasn = "x"\n', "field 'accepted[1].reasn': 'reasn' is not a field "
                                                              "of an acceptance. Did you mean 'reason'?"),
     ("strict = maybe\n", "is not valid TOML"),
     ("strict = 1\n", "field 'strict': must be true or false")],
)
def test_bad_config_exits_2_naming_file_and_field(defects: Path, toml: str, message: str) -> None:
    (defects / "packager.toml").write_text(toml)
    code, out, err = run("check", str(defects), "--stage", "proposal")
    assert code == 2 and out == ""
    assert "packager.toml" in err and message in err and "Traceback" not in err


ACCEPT_ALL_ERRORS = "".join(
    f'[[accepted]]\ncheck = "{c}"\nreason = "Reviewed with the auditor on 2026-09-02 ({c})."\n\n'
    for c in sorted(ERROR_IDS - {"org-chart-missing"})
) + '[[accepted]]\ncheck = "org-chart-missing"\npath = "admin/*.pdf"\nreason = "Chart sent by email."\n'


def test_accepted_findings_do_not_fail_and_show_their_reason(defects: Path) -> None:
    (defects / "packager.toml").write_text(ACCEPT_ALL_ERRORS)
    code, data = check_json(defects)
    assert code == 0
    assert data["summary"] == {"errors": 0, "warnings": 1, "infos": 0, "accepted": 5}
    accepted = [f for f in data["findings"] if "accepted" in f]  # type: ignore[attr-defined]
    assert {f["check"] for f in accepted} == ERROR_IDS
    assert next(f for f in accepted if f["check"] == "org-chart-missing")["accepted"] == "Chart sent by email."
    code, out, _ = run("check", str(defects), "--stage", "proposal", "--today", "2026-11-26")
    assert code == 0
    assert "ACCEPTED weight-total" in out
    assert "Accepted: Reviewed with the auditor on 2026-09-02 (weight-total)." in out
    assert out.rstrip().endswith("0 errors, 1 warning, 5 accepted: ready to submit")


def test_acceptance_that_matches_nothing_is_a_warning(defects: Path) -> None:
    (defects / "packager.toml").write_text(
        '[[accepted]]\ncheck = "org-chart-missing"\npath = "Objective 9/*"\nreason = "n/a"\n')
    _code, data = check_json(defects)
    unused = [f for f in data["findings"] if f["check"] == "acceptance-unused"]  # type: ignore[attr-defined,index]
    assert [f["message"] for f in unused] == [
        "The acceptance of org-chart-missing on 'Objective 9/*' in packager.toml matches no finding."]
    assert unused[0]["severity"] == "warning"


def test_strict_fails_on_warnings(defects: Path) -> None:
    args = ("check", str(defects), "--stage", "proposal", "--select", "objective-not-smart")
    assert run(*args)[0] == 0
    code, out, _ = run(*args, "--strict")
    assert code == 1 and out.rstrip().endswith("0 errors, 1 warning: not ready to submit")
    (defects / "packager.toml").write_text("strict = true\n")
    assert run(*args)[0] == 1


def test_quiet_prints_only_errors_and_the_summary(defects: Path) -> None:
    code, out, _ = run("check", str(defects), "--stage", "proposal", "--quiet")
    assert code == 1
    assert "objective-not-smart" not in out and "WARNING" not in out and "self-check" not in out
    assert "ERROR    weight-total" in out
    assert out.rstrip().endswith("5 errors, 1 warning: not ready to submit")


def test_statistics_counts_per_id(defects: Path) -> None:
    _code, out, _ = run("check", str(defects), "--stage", "proposal", "--statistics", "--quiet")
    assert "Statistics (findings per check id)" in out
    assert "      1  objective-not-smart       warning" in out


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour()
    assert not use_colour(Path("report.txt"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour()
    assert make_style(True)("ERROR", "error") == "\x1b[31m\x1b[1mERROR\x1b[0m"
    assert make_style(False)("ERROR", "error") == "ERROR"


def test_report_text_never_carries_escapes_from_input(defects: Path) -> None:
    f = Finding("deliverable-undated", Severity.ERROR, "'\x1b[2Jevil.pdf' shows no date.", "Fix it.",
                path="Objective 1/\x1b[2Jevil.pdf", objective=1, milestone="1.1")
    text = "\n".join(render_findings([f], None, make_style(True)))
    assert "\x1b[2J" not in text and "\\u001b[2Jevil.pdf" in text


def test_same_finding_on_many_files_is_shown_once() -> None:
    photos = [
        Finding("deliverable-undated", Severity.WARNING, f"'IMG_{n:03}.jpg' is dated only by its EXIF time.",
                "Add the date.", path=f"Objective 1/IMG_{n:03}.jpg", objective=1, milestone="1.1")
        for n in range(1, 31)
    ]
    other = Finding("deliverable-undated", Severity.WARNING, "'scan.pdf' shows no date at all.", "Add the date.",
                    path="Objective 1/scan.pdf", objective=1, milestone="1.1")
    entries = merge_same([*photos, other])
    assert [len(e.paths) for e in entries] == [30, 1]
    text = "\n".join(render_findings([*photos, other], None))
    assert text.count("WARNING") == 2
    assert "deliverable-undated  on 30 files" in text
    assert "Objective 1/IMG_020.jpg" in text and "Objective 1/IMG_021.jpg" not in text
    assert "… and 10 more (--format json lists every one)" in text


def test_findings_file_under_their_own_objective_and_milestone() -> None:
    findings = [
        Finding("milestone-no-deliverable", Severity.ERROR, "4.2 has none.", "Add one.", objective=2,
                milestone="4.2"),
        Finding("milestone-field-missing", Severity.ERROR, "1.3 lacks a date.", "Fill it.", milestone="1.3"),
        Finding("milestone-field-missing", Severity.ERROR, "1.1 lacks a date.", "Fill it.", milestone="1.1"),
        Finding("weight-total", Severity.ERROR, "90, not 100.", "Adjust."),
    ]
    lines = [line for line in render_findings(findings, None) if line and not line.startswith("         ")]
    headings = [line.strip() for line in lines if not line.strip().startswith(("ERROR", "Fix:"))]
    assert headings == ["Whole plan", "Objective 1", "Milestone 1.1", "Milestone 1.3", "Objective 4",
                        "Milestone 4.2"]


def test_json_schema_is_versioned_and_numbers_have_one_type() -> None:
    _code, out, _ = run("check", str(SAMPLE), "--format", "json", "--today", "2026-11-26")
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["report"] == "check"
    assert data["tool"]["name"] == "packager" and data["tool"]["version"]
    assert data["score"] == {"self": 93.0, "qa": None, "pass_mark": 60.0, "passed": True}
    assert all(isinstance(data["score"][k], float) for k in ("self", "pass_mark"))
    assert '"pass_mark": 60.0' in out


def test_build_with_accepted_error_lists_it_in_index_and_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    (folder / "Objective 2 - Hand safety" / "2.2 - Glove issue register - 2026-06-10.csv").unlink()
    out = tmp_path / "out.zip"
    assert run("build", str(folder), "-o", str(out), "--today", "2026-11-26")[0] == 1
    assert not out.exists()
    (folder / "packager.toml").write_text(
        '[[accepted]]\ncheck = "milestone-no-deliverable"\nreason = "Glove register kept by the supplier."\n')
    code, stdout, _ = run("build", str(folder), "-o", str(out), "--today", "2026-11-26")
    assert code == 0, stdout
    zf = zipfile.ZipFile(out)
    assert not any(n.endswith("packager.toml") for n in zf.namelist())
    manifest = json.loads(next(zf.read(n) for n in zf.namelist() if n.endswith("manifest.json")))
    accepted = [f for f in manifest["findings"] if f.get("accepted")]
    assert [(f["check"], f["accepted"]) for f in accepted] == [
        ("milestone-no-deliverable", "Glove register kept by the supplier.")]
    index = next(n for n in zf.namelist() if n.endswith("01 Index.pdf"))
    import io

    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(zf.read(index))).pages)
    assert "Accepted findings" in text and "Glove register kept by the supplier." in " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [("Conduct four emergency drills", 40, "Conduct four emergency drills"),
     ("Strengthen emergency response readiness at all 4 sites", 30, "Strengthen emergency response…"),
     ("Supercalifragilisticexpialidocious", 10, "Supercali…"),
     ("Train all supervisors, then audit", 24, "Train all supervisors…")],
)
def test_coverage_titles_cut_at_a_word_with_an_ellipsis(text: str, width: int, expected: str) -> None:
    from packager.textutil import ellipsize

    assert ellipsize(text, width) == expected
    assert len(ellipsize(text, width)) <= width


def test_coverage_lines_never_cut_mid_word() -> None:
    _code, out, _ = run("check", str(SAMPLE), "--today", "2026-11-26")
    assert "  Objective 1: Strengthen emergency response readiness at all 4 sites by October…" in out
    assert "tool inspectio\n" not in out


def test_check_html_is_a_printable_self_check_page(defects: Path, tmp_path: Path) -> None:
    (defects / "packager.toml").write_text('[[accepted]]\ncheck = "weight-total"\nreason = "Agreed <b>in</b> May."\n')
    page = tmp_path / "self-check.html"
    code, _out, _err = run("check", str(defects), "--stage", "proposal", "--format", "html", "-o", str(page),
                           "--today", "2026-11-26")
    assert code == 1
    html = page.read_text(encoding="utf-8")
    assert "<title>Self-check — " in html and "Not ready to submit" in html
    assert "@media print" in html and "http://" not in html and "https://" not in html
    assert "Milestone 1.1" in html and "Objective 2" in html
    assert "Accepted: Agreed &lt;b&gt;in&lt;/b&gt; May." in html
    assert "November 26, 2026" in html  # the report's day (here --today)


def test_check_html_shows_the_same_finding_once_with_its_files(tmp_path: Path) -> None:
    from packager.model import Stage
    from packager.report.html import render_check_html
    from packager.result import CheckResult, Score
    from packager.rules import load_rules
    from tests.plans import plan_from, valid_plan

    photos = tuple(
        Finding("duplicate-deliverable", Severity.WARNING, f"'IMG_{n}.jpg' is a copy.", "Keep one.",
                path=f"Objective 1/IMG_{n}.jpg", objective=1, milestone="1.1") for n in range(3))
    result = CheckResult(plan=plan_from(valid_plan()), rules=load_rules(None), stage=Stage.PROPOSAL,
                         findings=photos, score=Score(None, 60.0))
    html = render_check_html(result)
    assert html.count("duplicate-deliverable") == 1 and "on 3 files" in html
    assert html.count('<li class="path">') == 3


def test_checks_lists_every_id_a_config_may_name() -> None:
    from packager.config import known_ids

    _code, out, _ = run("checks")
    listed = [line.split(" ")[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert listed == known_ids()
    assert {"acceptance-unused", "objective-title-missing", "submission-too-large", "zip-bomb"} <= set(listed)


@pytest.mark.parametrize(("written", "found"), [
    ("Objective 1/1.1 Procédure*", "Objective 1/1.1 Procédure été.pdf"),
    ("Objective 1/1.1 Procédure*", unicodedata.normalize("NFD", "Objective 1/1.1 Procédure été.pdf")),
    (unicodedata.normalize("NFD", "objective 1/1.1 PROCÉDURE*"), "Objective 1/1.1 Procédure été.pdf"),
])
def test_an_acceptance_matches_a_name_however_its_accents_are_stored(written: str, found: str) -> None:
    """A path typed in packager.toml matches the file a Mac stored with decomposed accents, and case aside."""
    from packager.config import Acceptance

    finding = Finding("deliverable-undated", Severity.ERROR, "No date.", "Add one.", path=found)
    assert Acceptance("deliverable-undated", "Dated on the back.", written).matches(finding)
