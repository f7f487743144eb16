"""A linter's conventions on `audit` and `build` as on `check`: --select, --ignore, --strict, --quiet, the same
exit codes, findings grouped by objective and milestone, colour only on a terminal, and a received zip's own
packager.toml never changing what the reviewer sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.build import build_submission
from packager.cli import main
from tests.handzips import send_to

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
MISSING_JPG = ("'Northwind Paving Ltd - COR Action Plan 2026 - Final Submission/Objective 1 - Strengthen\n"
               "           emergency response/1.1 - Drill muster point photo - 2026-05-14.jpg' is listed in the\n"
               "           manifest but missing from the zip.")
UNMAPPED_ENTRY = """  WARNING  deliverable-unmapped  [notes.txt]
           'notes.txt' is not part of any milestone: neither its folder nor its name names an
           objective and milestone.
           Fix: Move the file into its objective's folder and start its name with the milestone
           number, e.g. 'Objective 1/1.2 - Drill report - 2026-05-14.pdf'.
"""
UNMAPPED = "Files\n" + UNMAPPED_ENTRY


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--today", "2026-11-26", "--ocr", "off"])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample, built; and the same zip tampered with (a file changed, one missing, two added: four
    manifest-mismatch errors and one deliverable-unmapped warning), one of the added files being the company's own
    packager.toml that would hide all of it."""
    base = tmp_path_factory.mktemp("lint-audit")
    built = base / "sample.zip"
    build_submission(SAMPLE, built, today=TODAY, ocr="off")
    tampered = base / "tampered.zip"
    with zipfile.ZipFile(built) as zin, zipfile.ZipFile(tampered, "w") as zout:
        top = zin.namelist()[0].split("/")[0]
        for info in zin.infolist():
            if info.filename.endswith(".jpg"):
                continue
            data = b"date,crew\n2026-06-02,someone else\n" if info.filename.endswith(".csv") else zin.read(info)
            zout.writestr(info, data)
        zout.writestr("notes.txt", b"2026-06-01")
        zout.writestr(f"{top}/packager.toml", b'ignore = ["manifest", "deliverable"]\nstrict = false\n')
    return {"sample": built, "tampered": tampered}


@pytest.mark.parametrize(
    ("args", "exit_code", "ending", "present", "absent"),
    [
        ([], 1, "Verdict: Not acceptable as received\n4 errors, 1 warning\n",
         ["Audit of tampered.zip", MISSING_JPG, UNMAPPED_ENTRY, "'notes.txt' is in the zip but not listed in the manifest.",
          "Final Submission/packager.toml' is in the\n           zip but not listed in the manifest."],
         []),
        (["--quiet"], 1, "Verdict: Not acceptable as received\n4 errors, 1 warning\n",
         [MISSING_JPG], ["WARNING", "Audit of", "Self-score"]),
        (["--select", "deliverable"], 0, "Verdict: Acceptable, with warnings\n0 errors, 1 warning\n",
         [UNMAPPED], ["manifest-mismatch"]),
        (["--select", "deliverable", "--strict"], 1,
         "Verdict: Not acceptable as received (warnings fail with --strict)\n0 errors, 1 warning\n", [UNMAPPED],
         ["ERROR"]),
        (["--ignore", "manifest-mismatch,deliverable-unmapped"], 0, "Verdict: Acceptable\n0 errors, 0 warnings\n",
         ["No problems found."], ["manifest-mismatch", "deliverable-unmapped"]),
        (["--ignore", "manifest", "--ignore", "deliverable", "--strict"], 0, "0 errors, 0 warnings\n", [],
         ["WARNING"]),
    ],
)
def test_audit_selects_ignores_and_fails_like_check(
    zips: dict[str, Path], args: list[str], exit_code: int, ending: str, present: list[str], absent: list[str],
) -> None:
    code, out, err = run("audit", str(zips["tampered"]), *args)
    assert code == exit_code, err
    assert out.endswith(ending) and "\x1b[" not in out  # not a terminal: no colour
    for text in present:
        assert text in out
    for text in absent:
        assert text not in out


def test_audit_quiet_strict_prints_only_what_fails(zips: dict[str, Path]) -> None:
    code, out, _err = run("audit", str(zips["tampered"]), "--select", "deliverable", "--strict", "-q")
    assert code == 1
    assert out == UNMAPPED + "\nVerdict: Not acceptable as received (warnings fail with --strict)\n0 errors, 1 warning\n"


def test_audit_json_reports_only_the_selected_findings(zips: dict[str, Path]) -> None:
    code, out, _err = run("audit", str(zips["tampered"]), "--select", "deliverable", "--strict", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [f["check"] for f in data["findings"]] == ["deliverable-unmapped"]
    assert data["summary"] == {"errors": 0, "warnings": 1, "infos": 0, "accepted": 0}
    assert data["verdict"] == "Not acceptable as received (warnings fail with --strict)"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--ignore", "manfest"], "field '--ignore': 'manfest' is not a check id or the start of one. Did you mean "
                               "'manifest'?"),
     (["--select", "zzz"], "field '--select': 'zzz' is not a check id or the start of one. Run 'packager checks' "
                           "to list every check id")],
)
def test_audit_unknown_ids_exit_2_before_opening_anything(tmp_path: Path, args: list[str], message: str) -> None:
    code, out, err = run("audit", str(tmp_path / "not-there.zip"), *args)
    assert code == 2 and out == ""
    assert message in err and "not-there.zip" not in err


def test_a_packager_toml_inside_the_zip_or_here_changes_nothing(
    zips: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "packager.toml").write_text('ignore = ["manifest", "deliverable"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.packager]\nselect = ["zip"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _err = run("audit", str(zips["tampered"]), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["summary"] == {"errors": 4, "warnings": 1, "infos": 0, "accepted": 0}
    assert sorted({f["check"] for f in data["findings"]}) == ["deliverable-unmapped", "manifest-mismatch"]


@pytest.mark.parametrize(
    ("args", "exit_code", "expected"),
    [
        ([], 1, ["ERRORS           tampered.zip  Northwind Paving Ltd.  15 files, 4 errors, 1 warnings, self 93%",
                 "OK               sample.zip  Northwind Paving Ltd.  15 files, 0 errors, 0 warnings, self 93%",
                 "2 zips: 1 ok, 1 to follow up"]),
        (["--ignore", "manifest"], 0,
         ["OK               tampered.zip  Northwind Paving Ltd.  15 files, 0 errors, 1 warnings, self 93%",
          "OK               sample.zip  Northwind Paving Ltd.  15 files, 0 errors, 0 warnings, self 93%",
          "2 zips: 2 ok, 0 to follow up"]),
        (["--ignore", "manifest", "--strict"], 1,
         ["WARNINGS         tampered.zip  Northwind Paving Ltd.  15 files, 0 errors, 1 warnings, self 93%",
          "OK               sample.zip  Northwind Paving Ltd.  15 files, 0 errors, 0 warnings, self 93%",
          "2 zips: 1 ok, 1 to follow up"]),
        (["--ignore", "manifest", "--strict", "--quiet"], 1,
         ["WARNINGS         tampered.zip  Northwind Paving Ltd.  15 files, 0 errors, 1 warnings, self 93%",
          "2 zips: 1 ok, 1 to follow up"]),
        (["--quiet"], 1, ["ERRORS           tampered.zip  Northwind Paving Ltd.  15 files, 4 errors, 1 warnings, self 93%",
                          "2 zips: 1 ok, 1 to follow up"]),
    ],
)
def test_batch_rows_follow_the_options(zips: dict[str, Path], args: list[str], exit_code: int,
                                        expected: list[str]) -> None:
    code, out, err = run("audit", str(zips["tampered"]), str(zips["sample"]), *args)
    assert code == exit_code, err
    assert out.splitlines() == expected


def test_batch_csv_status_under_strict(zips: dict[str, Path], tmp_path: Path) -> None:
    queue = tmp_path / "queue.csv"
    code, _out, _err = run("audit", str(zips["tampered"]), str(zips["sample"]), "--format", "csv", "-o", str(queue),
                           "--select", "deliverable", "--strict")
    rows = list(csv.DictReader(io.StringIO(queue.read_text(encoding="utf-8-sig"))))
    assert code == 1
    assert [(r["zip"], r["status"], r["errors"], r["warnings"]) for r in rows] == [
        ("tampered.zip", "warnings", "0", "1"), ("sample.zip", "ok", "0", "0")]


@pytest.fixture(scope="module")
def against_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two hand-made zips and a folder of approved plans; one zip's plan renamed a milestone since approval."""
    base = tmp_path_factory.mktemp("lint-plans")
    plans = base / "plans"
    plans.mkdir()
    text = (SAMPLE / "action-plan.yaml").read_text(encoding="utf-8")
    (plans / "northwind.yaml").write_text(text, encoding="utf-8")
    changed = base / "changed"
    shutil.copytree(SAMPLE, changed)
    (changed / "action-plan.yaml").write_text(
        text.replace("Inspect all hand tools monthly", "Inspect power tools quarterly"), encoding="utf-8")
    return {"plans": plans, "same": send_to(SAMPLE, base / "Northwind Paving 2026.zip", "ACME Send to"),
            "changed": send_to(changed, base / "Northwind Paving 2026 v2.zip", "ACME Send to")}


@pytest.mark.parametrize(
    ("args", "exit_code", "statuses", "checks"),
    [([], 0, ["ok", "ok"], {"plan-changed-since-approval"}),
     (["--strict"], 1, ["ok", "warnings"], {"plan-changed-since-approval"}),
     (["--strict", "--ignore", "plan-changed-since-approval"], 0, ["ok", "ok"], set()),
     (["--select", "plan-changed"], 0, ["ok", "ok"], {"plan-changed-since-approval"})],
)
def test_batch_against_approved_plans_takes_the_options(
    against_plans: dict[str, Path], args: list[str], exit_code: int, statuses: list[str], checks: set[str],
) -> None:
    code, out, err = run("audit", str(against_plans["same"]), str(against_plans["changed"]),
                         "--plans", str(against_plans["plans"]), "--format", "json", *args)
    data = json.loads(out)
    assert code == exit_code, err
    assert [z["status"] for z in data["zips"]] == statuses
    assert data["zips"][0]["findings"] == [] or "--select" not in args
    changed = data["zips"][1]["findings"]
    assert {f["check"] for f in changed} >= checks
    if "--select" in args:
        assert {f["check"] for f in changed} == checks
    if checks:
        assert any("Inspect power tools quarterly" in f["message"] for f in changed)


@pytest.fixture
def forced_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal without NO_COLOR: what `use_colour` answers there (itself tested in test_lint.py)."""
    monkeypatch.setattr("packager.cli.use_colour", lambda output=None: output is None)


RED_ERROR = "\x1b[31m\x1b[1mERROR   \x1b[0m"
YELLOW_WARNING = "\x1b[33m\x1b[1mWARNING \x1b[0m"


def test_audit_is_coloured_on_a_terminal_and_input_stays_escaped(
    zips: dict[str, Path], tmp_path: Path, forced_colour: None,
) -> None:
    hostile = tmp_path / "hostile.zip"
    shutil.copy(zips["tampered"], hostile)
    with zipfile.ZipFile(hostile, "a") as zf:
        zf.writestr("\x1b[2Jevil.txt", b"x")
    code, out, _err = run("audit", str(hostile))
    assert code == 1
    assert RED_ERROR in out and YELLOW_WARNING in out
    assert out.endswith("\x1b[31m\x1b[1mVerdict: Not acceptable as received\x1b[0m\n"
                        "\x1b[31m\x1b[1m6 errors, 1 warning\x1b[0m\n")
    assert "\x1b[2J" not in out and "'\\x1b[2Jevil.txt' is in the zip but not listed in the manifest." in out


def test_audit_written_to_a_file_is_plain_on_a_terminal_too(zips: dict[str, Path], tmp_path: Path,
                                                      forced_colour: None) -> None:
    report = tmp_path / "report.txt"
    code, out, _err = run("audit", str(zips["tampered"]), "-o", str(report))
    assert code == 1 and out == ""
    text = report.read_text(encoding="utf-8")
    assert "\x1b[" not in text and text.endswith("Verdict: Not acceptable as received\n4 errors, 1 warning\n")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample with one deliverable removed (an error), and the sample with a stray file (a warning)."""
    base = tmp_path_factory.mktemp("lint-build")
    missing = base / "missing"
    shutil.copytree(SAMPLE, missing)
    (missing / "Objective 2 - Hand safety" / "2.2 - Glove issue register - 2026-06-10.csv").unlink()
    stray = base / "stray"
    shutil.copytree(SAMPLE, stray)
    (stray / "misc notes.txt").write_text("Toolbox talk 2026-05-01\n", encoding="utf-8")
    return {"missing": missing, "stray": stray}


GLOVES = """Objective 2: Reduce hand injuries by 50% by September 2026 with tool inspections and cut-resistant gloves
  Milestone 2.2: Issue cut-resistant gloves to all 60 crew members
    ERROR    milestone-no-deliverable
             Milestone 2.2 has no deliverable (Glove issue register).
"""
STRAY = "Files\n  WARNING  deliverable-unmapped  [misc notes.txt]\n"


@pytest.mark.parametrize(
    ("folder", "args", "exit_code", "stdout_has", "last_line", "stderr_has"),
    [
        ("missing", [], 1, GLOVES, None,
         "Not built: 1 error, 0 warnings: not ready to submit. Fix the errors, or build anyway with --allow-errors."),
        ("missing", ["--allow-errors", "-q"], 1, GLOVES, "1 error, 0 warnings: built with open errors", ""),
        ("missing", ["--ignore", "milestone-no-deliverable"], 0, "Wrote ", "0 errors, 0 warnings: built", ""),
        ("stray", [], 0, STRAY, "0 errors, 1 warning: built", ""),
        ("stray", ["--quiet"], 0, "Left out 1 file not mapped to a milestone: misc notes.txt",
         "0 errors, 1 warning: built", ""),
        ("stray", ["--strict"], 1, STRAY, None,
         "Not built: 0 errors, 1 warning: not ready to submit. Fix the warnings (--strict), or build anyway"),
        ("stray", ["--strict", "--allow-errors"], 1, STRAY, "0 errors, 1 warning: built with open warnings (--strict)",
         ""),
    ],
)
def test_build_prints_like_check(
    folders: dict[str, Path], tmp_path: Path, folder: str, args: list[str], exit_code: int, stdout_has: str,
    last_line: str | None, stderr_has: str,
) -> None:
    out_zip = tmp_path / "out.zip"
    code, out, err = run("build", str(folders[folder]), "-o", str(out_zip), *args)
    assert code == exit_code, err
    assert stdout_has in out and stderr_has in err
    assert out_zip.exists() == (last_line is not None)
    if last_line is not None:
        assert out.splitlines()[-1] == last_line
    if "--quiet" in args:
        assert "WARNING" not in out


def test_build_is_coloured_on_a_terminal(folders: dict[str, Path], tmp_path: Path, forced_colour: None) -> None:
    code, out, _err = run("build", str(folders["missing"]), "-o", str(tmp_path / "out.zip"), "--allow-errors")
    assert code == 1
    assert RED_ERROR in out and "\x1b[1mObjective 2: Reduce hand injuries" in out
    assert out.endswith("\x1b[31m\x1b[1m1 error, 0 warnings: built with open errors\x1b[0m\n")
