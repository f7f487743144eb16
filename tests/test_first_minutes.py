"""First minutes: init's next command, NAMING.txt, the template's empty eligibility answers, SMART time
bounds, the proposal report, empty titles; and `packager forms` for the pages to sign."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from packager.checks import Stage
from packager.cli import main, shell_quote
from packager.rules import load_rules
from tests.plans import check_plan, valid_plan

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_prints_the_next_command_quoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init", "Action Plan 2026", "--format", "yaml", "--year", "2026")
    assert code == 0
    assert out.rstrip().endswith('Next: fill in action-plan.yaml, then run:\n  packager check "Action Plan 2026" '
                                 "--stage proposal")


@pytest.mark.parametrize(
    ("text", "windows", "quoted"),
    [("plan", False, "plan"), ("Action Plan 2026", False, '"Action Plan 2026"'),
     ("Bob's $plan", False, "'Bob'\"'\"'s $plan'"), ("Action Plan 2026", True, '"Action Plan 2026"'),
     ('C:\\Plans\\say "hi"', True, '"C:\\Plans\\say ""hi"""')],
)
def test_shell_quote(text: str, windows: bool, quoted: str) -> None:
    assert shell_quote(text, windows=windows) == quoted


def test_naming_guide_is_never_a_deliverable_nor_flagged(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(SAMPLE, folder)
    (folder / "NAMING.txt").write_text("How to name your files: 1.2 - Drill report - 2026-05-14.pdf\n")
    (folder / "packager.toml").write_text("strict = false\n")
    code, out, _ = run("check", str(folder), "--format", "json", "--today", "2026-11-26")
    data = json.loads(out)
    assert code == 0 and data["findings"] == []
    assert not any("NAMING" in d["path"] or "packager.toml" in d["path"] for d in data["deliverables"])


def test_init_template_leaves_eligibility_unanswered(tmp_path: Path) -> None:
    run("init", str(tmp_path / "p"), "--format", "yaml", "--year", "2026", "--program", "SECOR")
    plan = yaml.safe_load((tmp_path / "p" / "action-plan.yaml").read_text(encoding="utf-8"))
    assert plan["eligibility"] == {"certified": None, "meets_training_requirements": None,
                                   "completed_full_cycle": None, "secor_2023_evaluation": None,
                                   "hs_representative": None}
    _code, out, _ = run("check", str(tmp_path / "p"), "--stage", "proposal", "--format", "json")
    assert "eligibility" in {f["check"] for f in json.loads(out)["findings"]}


@pytest.mark.parametrize(
    ("title", "time_bound"),
    [("Hold toolbox talks at all 4 sites from April to October 2026", True),
     ("Train all 12 supervisors in first aid, October 2026", True),
     ("Inspect all 60 ladders between May and June every year", True),
     ("Train all 12 supervisors in first aid", False)],
)
def test_smart_time_bound_accepts_a_range_or_a_month(title: str, time_bound: bool) -> None:
    data = valid_plan()
    data["objectives"][0]["title"] = title
    messages = [f.message for f in check_plan(data, Stage.PROPOSAL) if f.check == "objective-not-smart"]
    assert any("no time bound" in m for m in messages) is not time_bound


def test_empty_titles_are_errors() -> None:
    data = valid_plan()
    data["objectives"][1]["title"] = "  "
    data["objectives"][0]["milestones"][2]["title"] = ""
    found = {(f.check, f.severity.value, f.message) for f in check_plan(data, Stage.PROPOSAL)}
    assert ("objective-title-missing", "error", "Objective 2 has no title.") in found
    assert ("milestone-field-missing", "error", "Milestone 1.3 is missing its title (title).") in found
    assert not any(c == "objective-not-smart" and "Objective 2" in m for c, _s, m in found)


def test_proposal_report_prints_no_self_score() -> None:
    _code, out, _ = run("check", str(SAMPLE), "--stage", "proposal", "--today", "2026-11-26")
    assert "Self-score" not in out
    _code, out, _ = run("check", str(SAMPLE), "--today", "2026-11-26")
    assert "Self-score: 93% (pass mark 60%)" in out


def test_forms_writes_the_pages_to_sign_without_a_build(tmp_path: Path) -> None:
    out_dir = tmp_path / "forms"
    code, out, _ = run("forms", str(SAMPLE), "-o", str(out_dir), "--today", "2026-11-26")
    assert code == 0, out
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["Auditor Maintenance - to sign.pdf", "Senior Representative Acknowledgement - to sign.pdf"]
    text = " ".join(p.extract_text() or "" for p in PdfReader(out_dir / names[1]).pages)
    assert "Dana Whitfield" in text and "November 26, 2026" in text
    first = (out_dir / names[0]).read_bytes()
    assert run("forms", str(SAMPLE), "-o", str(out_dir), "--today", "2026-11-26")[0] == 0  # replaces its own
    assert (out_dir / names[0]).read_bytes() == first


def test_forms_never_write_inside_the_folder_nor_over_foreign_files(tmp_path: Path) -> None:
    code, _out, err = run("forms", str(SAMPLE), "-o", str(SAMPLE / "forms"))
    assert code == 2 and "inside the submission folder" in err and not (SAMPLE / "forms").exists()
    out_dir = tmp_path / "forms"
    out_dir.mkdir()
    (out_dir / "Auditor Maintenance - to sign.pdf").write_bytes(b"my own notes")
    code, _out, err = run("forms", str(SAMPLE), "-o", str(out_dir))
    assert code == 2 and "--force" in err
    assert (out_dir / "Auditor Maintenance - to sign.pdf").read_bytes() == b"my own notes"
    assert run("forms", str(SAMPLE), "-o", str(out_dir), "--force")[0] == 0


def test_signature_hints_point_to_forms() -> None:
    from packager.checks.registry import REGISTRY

    for check in ("signoff-missing", "auditor-signature-missing"):
        assert "packager forms FOLDER -o forms" in REGISTRY[check].hint


def test_rules_time_bound_patterns_compile() -> None:
    import re

    for pattern in load_rules(None).smart.time_bound:
        re.compile(pattern)


def test_build_reports_progress_while_writing_the_zip(tmp_path: Path) -> None:
    import datetime as dt

    from packager.build import build_submission

    calls: list[tuple[int, int]] = []
    build_submission(SAMPLE, tmp_path / "s.zip", today=dt.date(2026, 11, 26),
                     write_progress=lambda done, total: calls.append((done, total)))
    assert len(calls) > 2
    totals = {t for _d, t in calls}
    assert len(totals) == 1 and calls[-1] == (totals.pop(), calls[-1][1])
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


@pytest.mark.parametrize(
    ("elapsed", "done", "total", "text"),
    [(0.5, 1, 10, ""), (10.0, 5, 10, "about 10 s left"), (60.0, 10, 100, "about 9 min left"), (5.0, 10, 10, "")],
)
def test_eta_uses_the_average_rate_of_the_whole_run(elapsed: float, done: int, total: int, text: str) -> None:
    from packager.cli import steady_eta

    assert steady_eta(elapsed, done, total) == text


def test_generated_documents_show_the_build_day_and_source_date_epoch_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt
    import io
    import zipfile

    from packager.build import build_submission

    def index_text(out: Path) -> str:
        zf = zipfile.ZipFile(out)
        name = next(n for n in zf.namelist() if n.endswith("01 Index.pdf"))
        return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(zf.read(name))).pages)

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build_submission(SAMPLE, tmp_path / "a.zip", today=dt.date(2026, 11, 26))
    assert "Generated November 26, 2026" in index_text(tmp_path / "a.zip")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    build_submission(SAMPLE, tmp_path / "b.zip", today=dt.date(2026, 11, 26))
    assert "Generated January 1, 2026" in index_text(tmp_path / "b.zip")


@pytest.mark.parametrize(("names", "hint"), [
    (["Café Señor Action Plan 2026.xlsx"], "'Café Señor Action Plan 2026.xlsx' may be the plan: rename it "
                                           "action-plan.xlsx, or give it with --plan"),
    (["plan v2.yaml", "old plan.yml"], "One of 'old plan.yml', 'plan v2.yaml' may be the plan: rename it "
                                       "action-plan.yaml (or .xlsx), or give it with --plan FILE"),
    ([], "Create one with 'packager init FOLDER', or name it with --plan FILE"),
])
def test_a_renamed_plan_is_named_when_there_is_no_action_plan(tmp_path: Path, names: list[str], hint: str) -> None:
    """Coordinators rename files: the message points at the file that is there instead of asking for a new plan."""
    folder = tmp_path / "COR 2026"
    shutil.copytree(SAMPLE, folder)
    plan = (folder / "action-plan.yaml").read_bytes()
    (folder / "action-plan.yaml").unlink()
    for name in names:
        (folder / name).write_bytes(plan)
    (folder / "~$Café Señor Action Plan 2026.xlsx").write_bytes(b"lock")  # Excel's lock file is never named
    code, _out, err = run("check", str(folder))
    assert code == 2
    assert "there is no action-plan.yaml (or action-plan.xlsx) in this folder" in err and hint in err
    assert "~$" not in err and "Traceback" not in err
