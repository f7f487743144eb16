"""`packager audit`: built zips verify clean, tampering is caught, scoring round-trips, batches never crash."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.audit import audit_zip
from packager.cli import main
from packager.rules import load_rules
from tests.shared_corpus import corpus_root

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
CORPUS = corpus_root() / "zip"



def rewrite(src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, replacing (bytes) or dropping (None) entries whose name ends with a key."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            for suffix, new in change.items():
                if info.filename.endswith(suffix):
                    data = new  # type: ignore[assignment]
            if data is not None:
                zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def write_sheet(sheet: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(buf.getvalue(), encoding=encoding)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--today", "2026-11-26"])
    return result.exit_code, result.stdout, result.stderr


def test_freshly_built_zip_has_no_errors_and_same_self_score(built: Path) -> None:
    result = audit_zip(built, RULES, today=TODAY)
    assert [f.check for f in result.findings if f.severity.value == "error"] == []
    assert result.manifest is True
    assert result.score.self == 93
    assert len(result.inventory.deliverables) == 8  # type: ignore[union-attr]


def test_tampered_entry_against_manifest(built: Path, tmp_path: Path) -> None:
    bad = rewrite(built, tmp_path / "t.zip", {".csv": b"date,crew\n2026-06-02,someone else\n"})
    found = [(f.check, f.message) for f in audit_zip(bad, RULES, today=TODAY).findings if f.check == "manifest-mismatch"]
    assert len(found) == 1
    assert "has been changed since the zip was built" in found[0][1]


def test_missing_and_unlisted_entries(built: Path, tmp_path: Path) -> None:
    bad = rewrite(built, tmp_path / "m.zip", {".jpg": None}, {"notes.txt": b"2026-06-01"})
    messages = [f.message for f in audit_zip(bad, RULES, today=TODAY).findings if f.check == "manifest-mismatch"]
    assert any("is listed in the manifest but missing from the zip" in m for m in messages)
    assert "'notes.txt' is in the zip but not listed in the manifest." in messages


def test_hand_made_zip_without_manifest(tmp_path: Path) -> None:
    out = tmp_path / "plain.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(SAMPLE.rglob("*")):
            if path.is_file():
                zf.write(path, "Northwind/" + path.relative_to(SAMPLE).as_posix())
    result = audit_zip(out, RULES, today=TODAY)
    assert result.summary.errors == 0
    assert result.score.self == 93
    assert any("no manifest.json" in u for u in result.unverified)


def test_zip_without_plan_maps_what_it_can(tmp_path: Path) -> None:
    out = tmp_path / "noplan.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.write(SAMPLE / "Objective 3 - Toolbox talks" / "3.1 - Toolbox talk schedule - 2026-04-15.pdf",
                 "Objective 3/3.1 - schedule - 2026-04-15.pdf")
        zf.write(SAMPLE / "admin" / "org-chart.pdf", "report.pdf")
    result = audit_zip(out, RULES, today=TODAY)
    assert result.plan is None
    assert any("There is no plan in the zip" in u for u in result.unverified)
    records = {r.path: r.mapping.milestone for r in result.inventory.deliverables}  # type: ignore[union-attr]
    assert records == {"Objective 3/3.1 - schedule - 2026-04-15.pdf": "3.1", "report.pdf": None}


def test_zip_without_plan_is_not_verified_rather_than_acceptable(tmp_path: Path) -> None:
    """Coverage, self-scores and the signed pages of a plan-less zip were never checked: never 'Acceptable'."""
    out = tmp_path / "Northwind 2026.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(SAMPLE.rglob("*")):
            if path.is_file() and path.name != "action-plan.yaml":
                zf.write(path, "Northwind 2026/" + path.relative_to(SAMPLE).as_posix())
    runner = CliRunner()
    result = runner.invoke(main, ["audit", str(out), "--today", "2026-11-26", "--ocr", "off"])
    assert result.exit_code == 1, result.output
    assert ("Verdict: Not verified: there is no plan to audit it against (give the approved plan with --plan or "
            "--plans)") in result.output
    batch = runner.invoke(main, ["audit", str(out), str(out), "--today", "2026-11-26", "--ocr", "off",
                                 "--format", "csv"])
    assert batch.exit_code == 1
    assert [row[9] for row in csv.reader(io.StringIO(batch.output.lstrip("\ufeff")))][1:] == ["not verified"] * 2
    approved = runner.invoke(main, ["audit", str(out), "--plan", str(SAMPLE / "action-plan.yaml"),
                                    "--today", "2026-11-26", "--ocr", "off"])
    assert approved.exit_code == 0, approved.output
    assert "Verdict: Acceptable" in approved.output


def test_unlabelled_is_an_error_in_a_received_zip(tmp_path: Path) -> None:
    out = tmp_path / "u.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.write(SAMPLE / "action-plan.yaml", "action-plan.yaml")
        for path in sorted(SAMPLE.rglob("*")):
            rel = path.relative_to(SAMPLE).as_posix()
            if path.is_file() and rel != "action-plan.yaml":
                zf.write(path, rel)
        zf.write(SAMPLE / "admin" / "auditor-maintenance-signed.pdf", "Objective 2 - Hand safety/Milestone 1/extra sheet 2026-06-03.pdf")
    unlabelled = [f for f in audit_zip(out, RULES, today=TODAY).findings if f.check == "deliverable-unlabelled"]
    assert [(f.severity.value, f.milestone) for f in unlabelled] == [("error", "2.1")]


def test_worksheet_round_trip(built: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "qa.csv"
    code, _out, _err = run("audit", str(built), "--worksheet", str(sheet))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert [r["milestone"] for r in rows] == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"]
    assert rows[0]["weight"] == "12" and rows[0]["self_score"] == "12" and rows[0]["qa_score"] == ""
    assert "1.1 - Drill report Site A" in rows[0]["deliverables"]
    scores = {"1.1": "12", "1.2": "10", "1.3": "4", "2.1": "15", "2.2": "5", "3.1": "20", "3.2": "10"}
    for r in rows:
        r["qa_score"] = scores[r["milestone"]]
        r["qa_comment"] = "checked"
    write_sheet(sheet, rows)
    code, out, _ = run("audit", str(built), "--scores", str(sheet), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["score"] == {"self": 93, "qa": 76, "pass_mark": 60, "passed": True}
    assert data["objectives"][0] == {"objective": 1, "title": data["objectives"][0]["title"], "weight": 30,
                                     "self": 28, "qa": 26}
    for r in rows:
        r["qa_score"] = "5" if r["weight"] != "8" else "1"
    write_sheet(sheet, rows)
    code, out, _ = run("audit", str(built), "--scores", str(sheet), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["score"]["passed"] is False
    below = [f for f in data["findings"] if f["check"] == "score-below-pass"]
    assert below == [{"check": "score-below-pass", "severity": "error", "message":
                      "The QA score is 31%, below the pass mark of 60%. A maintenance audit will be required "
                      "before December 31, 2026.", "hint": below[0]["hint"], "path": None, "objective": None,
                      "milestone": None}]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("1.2", "qa_score", "ten"), "line 3: field 'qa_score': row 3 (milestone 1.2): the QA score 'ten' is not a number"),
        (("1.3", "qa_score", "9"), "line 4: field 'qa_score': row 4 (milestone 1.3): the QA score 9 is outside 0 to 8"),
        (("2.1", "milestone", "9.9"), "line 5: field 'milestone': row 5 names milestone '9.9', which the plan does not have"),
        # the worksheet of another submission, or rows out of step with this plan, never score it
        (("1.1", "milestone_title", "Update the emergency response plan for all sites"),
         "line 2: field 'milestone_title': row 2 is milestone 1.1, but its title “Update the emergency response plan "
         "for all sites” is milestone 1.2's in this submission's plan: the worksheet's rows do not match this plan"),
        (("1.2", "weight", "11"), "line 3: field 'weight': row 3 (milestone 1.2): the worksheet gives it a weight of "
         "11, this submission's plan 10: the worksheet was written for another plan"),
    ],
)
def test_malformed_worksheet_exits_2(built: Path, tmp_path: Path, edit: tuple[str, str, str], expected: str) -> None:
    sheet = tmp_path / "qa.csv"
    run("audit", str(built), "--worksheet", str(sheet))
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    for r in rows:
        r["qa_score"] = "1"
        if r["milestone"] == edit[0]:
            r[edit[1]] = edit[2]
    write_sheet(sheet, rows, encoding="utf-8")
    code, _out, err = run("audit", str(built), "--scores", str(sheet))
    assert code == 2
    assert expected in err and "Traceback" not in err


@pytest.mark.parametrize(("reworded", "code", "expected"), [
    (1, 0, None),  # one milestone reworded since the worksheet was written: still this plan
    (7, 2, "line 2: field 'milestone_title': 7 of the worksheet's 7 milestone titles are not this submission's "
           "(row 2 the first): the worksheet was written for another submission or plan"),
])
def test_a_worksheet_for_another_plan_exits_2(
    built: Path, tmp_path: Path, reworded: int, code: int, expected: str | None
) -> None:
    sheet = tmp_path / "qa.csv"
    run("audit", str(built), "--worksheet", str(sheet))
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    for i, r in enumerate(rows):
        r["qa_score"] = r["weight"]
        if i < reworded:
            r["milestone_title"] = f"Another company's step {i + 1}"
    write_sheet(sheet, rows, encoding="utf-8")
    got, _out, err = run("audit", str(built), "--scores", str(sheet))
    assert got == code, err
    assert expected is None or (expected in err and "Traceback" not in err)


def test_unopenable_zip_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    code, _out, err = run("audit", str(bad))
    assert code == 2
    assert "broken.zip" in err and "Traceback" not in err


def test_batch_mode_broken_zip_is_a_row(built: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    queue = tmp_path / "queue.csv"
    code, _out, _err = run("audit", str(built), str(broken), "--format", "csv", "-o", str(queue))
    assert code == 1
    raw = queue.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel then reads it as UTF-8
    assert raw.count(b"\r\n") == 3 and b"\\u000d" not in raw  # Excel's line ends, not escaped ones
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [(r["zip"], r["status"]) for r in rows] == [("sample.zip", "ok"), ("broken.zip", "failed")]
    assert rows[0]["problem"] == "" and "broken.zip" in rows[1]["problem"]
    assert rows[0]["company"] == "Northwind Paving Ltd." and rows[0]["self_score"] == "93"
    page = tmp_path / "queue.html"
    code, _out, _err = run("audit", str(built), str(broken), "--format", "html", "-o", str(page))
    assert "broken.zip" in page.read_text(encoding="utf-8")


def test_html_report_is_self_contained_and_escaped(built: Path, tmp_path: Path) -> None:
    hostile = rewrite(built, tmp_path / "h.zip", {}, {"<script>alert(1)</script>.txt": b"x"})
    page = tmp_path / "report.html"
    run("audit", str(hostile), "--format", "html", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html
    for section in ("Northwind Paving Ltd.", "Scores", "Coverage", "Archive safety", "Deliverables"):
        assert section in html


def test_html_report_renders_in_chromium(built: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("Chromium is not installed")
    page = tmp_path / "report.html"
    run("audit", str(built), "--format", "html", "-o", str(page))
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,1600", page.as_uri()],
        capture_output=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert "Coverage" in dom.stdout and "Acceptable" in dom.stdout


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_zips_are_reported_and_nothing_escapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = sorted(p.name for p in CORPUS.iterdir())
    for path in sorted(CORPUS.glob("*.zip")):
        try:
            result = audit_zip(path, RULES, today=TODAY, workers=1)
        except Exception as exc:  # only InputError is allowed
            from packager.errors import InputError

            assert isinstance(exc, InputError), f"{path.name}: {exc!r}"
            continue
        hostile = any(k in path.name for k in ("slip", "absolute", "symlink", "encryption", "aes", "zbsm"))
        if hostile:
            assert any(f.check.startswith("zip-") for f in result.findings), path.name
    assert sorted(p.name for p in CORPUS.iterdir()) == before
    assert list(work.iterdir()) == []
    assert list(private.iterdir()) == []


def test_the_report_names_the_plan_it_read(built: Path, tmp_path: Path) -> None:
    """A reviewer sees which plan the zip was scored against: the manifest's, or which plan file."""
    from packager.report.audit_text import audit_dict, render_audit_text

    hand_made = tmp_path / "hand.zip"
    with zipfile.ZipFile(hand_made, "w") as zf:
        for path in sorted(SAMPLE.rglob("*")):
            if path.is_file():
                zf.write(path, "Northwind/" + path.relative_to(SAMPLE).as_posix())
    for path, source in [(built, "manifest.json (plan)"), (hand_made, "Northwind/action-plan.yaml")]:
        result = audit_zip(path, RULES, today=TODAY)
        text = render_audit_text(result)
        assert f"Plan: {source}    Rules: acsa-cor-secor\n" in text
        assert audit_dict(result)["plan"]["source"] == source
    approved = audit_zip(hand_made, RULES, today=TODAY, approved=audit_zip(built, RULES, today=TODAY).plan)
    text = render_audit_text(approved)
    assert "Scored against the approved plan:" in text and "\nPlan: " not in text


@pytest.mark.parametrize(("encoding", "read"), [("utf-16", True), ("cp1252", False)])
def test_a_zip_whose_plan_notepad_saved_as_unicode_is_scored(tmp_path: Path, encoding: str, read: bool) -> None:
    """A plan saved as UTF-16 ('Unicode' in Notepad) is read; one saved as 'ANSI' is a finding, not a crash."""
    from tests.handzips import send_to

    folder = tmp_path / "sub"
    shutil.copytree(SAMPLE, folder)
    plan = folder / "action-plan.yaml"
    plan.write_bytes(plan.read_text(encoding="utf-8").replace("Northwind Paving Ltd.", "Société Ltée").encode(encoding))
    result = audit_zip(send_to(folder, tmp_path / "received.zip", "Northwind"), RULES, today=TODAY)
    assert (result.plan is not None and result.plan.company == "Société Ltée") == read
    unreadable = [f.message for f in result.findings if f.check == "plan-unreadable"]
    assert unreadable == ([] if read else ["'Northwind/action-plan.yaml' is not UTF-8 text."])
