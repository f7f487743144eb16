"""The reviewer's verdict is decided once (packager.verdict): every format of `audit` — text, JSON, HTML, the
CSV/text/HTML batch row — and the exit code say the same thing, and the QA score decides when it is given.

Cases from hunt 23 (A6): a QA score of 59.99% was `ok` (exit 0) in the CSV while the text failed it; a
self-score of 50% with a QA score of 70% was `below pass mark` in the CSV; a self-score of 50% without QA
scores said "Acceptable, with warnings" and exited 1. (A2): a zip with no plan inside, audited against a spring
plan, was "Acceptable" (exit 0, batch `ok`) though its self-scores, notes, auditors and summary were never read.
(A5): a proposal zip built by `build --stage proposal` got 21 final-stage errors, "Not acceptable as received"."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from markupsafe import escape

from packager.audit import MANIFEST_MISMATCH, AuditResult, decide_stage
from packager.build import build_submission
from packager.checks.mapping import UNMAPPED
from packager.checks.scoring import BELOW_PASS
from packager.cli import main
from packager.findings import Finding, Severity
from packager.model import Stage
from packager.plan import Plan, load_plan
from packager.report.audit_text import BATCH_COLUMNS, BatchRow, audit_dict, batch_csv, failed, render_audit_text
from packager.report.html import render_audit_html
from packager.result import Score
from packager.rules import load_rules
from packager.verdict import Verdict, audit_verdict
from packager.worksheet import worksheet_csv
from tests.handzips import send_to

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
TODAY = dt.date(2026, 11, 26)
RULES = load_rules()
PLAN = load_plan(SAMPLE / "action-plan.yaml", RULES)

ERROR = MANIFEST_MISMATCH.finding("'a.pdf' has been changed since the zip was built.", path="a.pdf")
WARNING = UNMAPPED.finding("'notes.txt' is not part of any milestone.", path="notes.txt")
SELF_BELOW = BELOW_PASS.finding("The self-score is 50%, below the pass mark of 60%.")
QA_BELOW = BELOW_PASS.finding("The QA score is 59.99%, below the pass mark of 60%.", severity=Severity.ERROR)

NO_PLAN = "Not verified: there is no plan to audit it against (give the approved plan with --plan or --plans)"
SELF_50 = ("Below the pass mark: self-score 50% (pass mark 60%); a maintenance audit is required before December 31, "
           "2026 unless the QA score reaches the pass mark")
QA_5999 = ("Below the pass mark: QA score 59.99% (pass mark 60%); a maintenance audit is required before "
           "December 31, 2026")
STRICT = "Not acceptable as received (warnings fail with --strict)"
NO_FORM = ("Not verified: the zip holds no self-scores, objective notes, auditor participation or executive summary, "
           "and the approved plan has none (check them on the company's self-scoring form, then give your QA scores "
           "with --scores)")
CONFIRM = (" (the self-scores, objective notes, auditor participation and executive summary are not in the zip: "
           "confirm them on the company's self-scoring form)")


def result(findings: tuple[Finding, ...] = (), *, self_score: float | None = 93, qa: float | None = None,
           plan: Plan | None = PLAN, **fields: Any) -> AuditResult:
    return AuditResult(Path("Northwind 2026.zip"), RULES, plan, findings, Score(self_score, 60, qa), **fields)


# (case, result, strict) -> (words, status, role); the verdict fails (exit 1) exactly when its role is error
CASES: list[tuple[str, AuditResult, bool, tuple[str, str, str]]] = [
    ("clean", result(), False, ("Acceptable", "ok", "ok")),
    ("a warning", result((WARNING,)), False, ("Acceptable, with warnings", "ok", "warning")),
    ("a warning, --strict", result((WARNING,)), True, (STRICT, "warnings", "error")),
    ("an error", result((ERROR, WARNING)), False, ("Not acceptable as received", "errors", "error")),
    ("an error, QA passes", result((ERROR,), qa=70), False,
     ("Not acceptable as received; QA score 70% passes", "errors", "error")),
    ("an error, QA below", result((ERROR, QA_BELOW), qa=40), False,
     ("Not acceptable as received; QA score 40% is below the pass mark: a maintenance audit is required before "
      "December 31, 2026", "errors", "error")),
    ("QA 59.99%, nothing else", result((QA_BELOW,), qa=59.99), False, (QA_5999, "below pass mark", "error")),
    ("QA 59.99%, --ignore score-below-pass", result(qa=59.99), False, (QA_5999, "below pass mark", "error")),
    ("QA 59.99%, a warning, --strict", result((QA_BELOW, WARNING), qa=59.99), True,
     (QA_5999, "below pass mark", "error")),
    ("self 50%, QA 70%", result(self_score=50, qa=70), False, ("Acceptable; QA score 70% passes", "ok", "ok")),
    ("self 50%, QA 70%, a warning, --strict", result((WARNING,), self_score=50, qa=70), True,
     (STRICT + "; QA score 70% passes", "warnings", "error")),
    ("self 50%, no QA scores", result((SELF_BELOW,), self_score=50), False, (SELF_50, "below pass mark", "error")),
    ("self 60% exactly", result(self_score=60), False, ("Acceptable", "ok", "ok")),
    ("no plan", result(self_score=None, plan=None), False, (NO_PLAN, "not verified", "error")),
    ("no self-scoring form, no QA", result(self_score=None, final_content_unread=True), False,
     (NO_FORM, "not verified", "error")),
    ("no self-scoring form, a warning", result((WARNING,), self_score=None, final_content_unread=True), False,
     (NO_FORM, "not verified", "error")),
    ("no self-scoring form, an error", result((ERROR,), self_score=None, final_content_unread=True), False,
     ("Not acceptable as received", "errors", "error")),
    ("no self-scoring form, QA 70%", result(self_score=None, qa=70, final_content_unread=True), False,
     ("Acceptable; QA score 70% passes" + CONFIRM, "ok", "warning")),
    ("no self-scoring form, QA 59.99%", result((QA_BELOW,), self_score=None, qa=59.99, final_content_unread=True),
     False, (QA_5999 + CONFIRM, "below pass mark", "error")),
    ("no plan, an error", result((ERROR,), self_score=None, plan=None), False,
     ("Not acceptable as received", "errors", "error")),
    ("proposal", result(self_score=None, stage=Stage.PROPOSAL), False, ("Proposal acceptable", "ok", "ok")),
    ("proposal, a warning", result((WARNING,), self_score=None, stage=Stage.PROPOSAL), False,
     ("Proposal acceptable, with warnings", "ok", "warning")),
    ("proposal, a warning, --strict", result((WARNING,), self_score=None, stage=Stage.PROPOSAL), True,
     ("Proposal not acceptable as received (warnings fail with --strict)", "warnings", "error")),
    ("proposal, an error", result((ERROR,), self_score=None, stage=Stage.PROPOSAL), False,
     ("Proposal not acceptable as received", "errors", "error")),
    ("proposal, no plan", result(self_score=None, plan=None, stage=Stage.PROPOSAL), False,
     ("Proposal not verified: there is no plan in the zip (ask the company for the proposal built with 'packager "
      "build --stage proposal', or for its action-plan.xlsx)", "not verified", "error")),
]


@pytest.mark.parametrize(("case", "audited", "strict", "expected"), CASES, ids=[c[0] for c in CASES])
def test_one_verdict(case: str, audited: AuditResult, strict: bool, expected: tuple[str, str, str]) -> None:
    words, status, role = expected
    assert audit_verdict(audited, strict) == Verdict(words, status, role == "error", role)


@pytest.mark.parametrize(("case", "audited", "strict", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_format_reads_the_verdict(
    case: str, audited: AuditResult, strict: bool, expected: tuple[str, str, str],
) -> None:
    words, status, role = expected
    text = render_audit_text(audited, strict=strict)
    assert f"\nVerdict: {words}\n{audited.summary.counts()}\n" in text
    data = audit_dict(audited, strict)
    assert (data["verdict"], data["status"]) == (words, status)
    page = render_audit_html(audited, strict=strict)
    css = {"error": "bad", "warning": "warn", "ok": "good"}[role]
    assert f'<div class="verdict {css}">{escape(words)}</div>' in page
    lines = list(csv.reader(io.StringIO(batch_csv([BatchRow(audited.path, audited, strict=strict)]).lstrip("\ufeff"))))
    assert lines[0] == BATCH_COLUMNS
    row = dict(zip(lines[0], lines[1], strict=True))
    assert (row["status"], row["verdict"]) == (status, words)
    assert row["qa_score"] == (f"{audited.score.qa:g}" if audited.score.qa is not None else "")
    assert failed(audited, strict) is (role == "error")


# ---------------------------------------------------------------------------------------------------------
# End to end: the command, in every format, on zips built here


def run(*args: str) -> tuple[int, str, str]:
    got = CliRunner().invoke(main, [*args, "--today", "2026-11-26", "--ocr", "off"])
    return got.exit_code, got.stdout, got.stderr


def qa_sheet(path: Path, plan: Plan, scores: dict[str, float]) -> Path:
    """The QA worksheet of the plan, filled in with these scores (as a reviewer saves it from Excel)."""
    rows = list(csv.reader(io.StringIO(worksheet_csv(plan, None, ()))))
    column = rows[0].index("qa_score")
    for row in rows[1:]:
        row[column] = f"{scores[row[1]]:g}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


QA_5999_SCORES = {"1.1": 12, "1.2": 10, "1.3": 8, "2.1": 15, "2.2": 10, "3.1": 4.99, "3.2": 0}
QA_70_SCORES = {"1.1": 8.4, "1.2": 7, "1.3": 5.6, "2.1": 10.5, "2.2": 7, "3.1": 14, "3.2": 17.5}
LOW_SELF_SCORES = {"1.1": 6, "1.2": 5, "1.3": 4, "2.1": 7, "2.2": 5, "3.1": 10, "3.2": 13}  # 50 of 100


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory, built: Path) -> dict[str, Path]:
    """The sample built (self 93%) and the sample whose self-scores add up to 50% built; QA worksheets."""
    base = tmp_path_factory.mktemp("verdict")
    low = base / "low"
    shutil.copytree(SAMPLE, low)
    data = yaml.safe_load((low / "action-plan.yaml").read_text(encoding="utf-8"))
    for o, objective in enumerate(data["objectives"], start=1):
        for m, ms in enumerate(objective["milestones"], start=1):
            ms["self_score"] = LOW_SELF_SCORES[f"{o}.{m}"]
        objective["notes"] = " ".join(f"{o}.{m}: half done." for m in range(1, len(objective["milestones"]) + 1))
    (low / "action-plan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    low_zip = base / "low.zip"
    build_submission(low, low_zip, today=TODAY, ocr="off")
    proposal_zip = base / "proposal.zip"
    build_submission(SAMPLE, proposal_zip, stage=Stage.PROPOSAL, today=TODAY, ocr="off")
    # A hand-made zip of the evidence and signed pages only (no plan, no self-scoring form) and the plan approved
    # in the spring (no self-scores, notes, summary or auditors yet; init's document paths kept).
    evidence = base / "evidence"
    shutil.copytree(SAMPLE, evidence, ignore=shutil.ignore_patterns("action-plan.yaml"))
    spring = yaml.safe_load((SAMPLE / "action-plan.yaml").read_text(encoding="utf-8"))
    for key in ("summary", "auditors"):
        spring.pop(key, None)
    for objective in spring["objectives"]:
        objective.pop("notes", None)
        for ms in objective["milestones"]:
            ms.pop("self_score", None)
    spring_path = base / "approved" / "northwind-2026.yaml"
    spring_path.parent.mkdir()
    spring_path.write_text(yaml.safe_dump(spring, allow_unicode=True, sort_keys=False), encoding="utf-8")
    spring_plan = load_plan(spring_path, RULES)
    return {"sample": built, "low": low_zip, "qa5999": qa_sheet(base / "qa-5999.csv", PLAN, QA_5999_SCORES),
            "qa70": qa_sheet(base / "qa-70.csv", PLAN, QA_70_SCORES),
            "evidence": send_to(evidence, base / "Northwind Paving 2026.zip", "Northwind Paving 2026"),
            "spring": spring_path, "proposal": proposal_zip, "spring-qa70": qa_sheet(base / "spring-qa-70.csv", spring_plan, QA_70_SCORES)}


E2E = [
    # (case, zip, worksheet, exit, words, status, counts, self, qa); "evidence" is audited with --plan (spring)
    ("sample, QA 59.99%", "sample", "qa5999", 1, QA_5999, "below pass mark", "1 error, 0 warnings", "93", "59.99"),
    ("self 50%, no QA scores", "low", None, 1, SELF_50, "below pass mark", "0 errors, 1 warning", "50", ""),
    ("self 50%, QA 70%", "low", "qa70", 0, "Acceptable; QA score 70% passes", "ok", "0 errors, 0 warnings", "50",
     "70"),
    ("no self-scoring form, no QA", "evidence", None, 1, NO_FORM, "not verified", "0 errors, 0 warnings, 1 note", "", ""),
    ("no self-scoring form, QA 70%", "evidence", "spring-qa70", 0, "Acceptable; QA score 70% passes" + CONFIRM, "ok",
     "0 errors, 0 warnings, 1 note", "", "70"),
    ("proposal built by packager", "proposal", None, 0, "Proposal acceptable", "ok", "0 errors, 0 warnings", "", ""),
]


@pytest.mark.parametrize(("case", "zip_key", "sheet", "code", "words", "status", "counts", "self_score", "qa"), E2E,
                         ids=[c[0] for c in E2E])
def test_the_command_says_the_same_in_every_format(
    zips: dict[str, Path], tmp_path: Path, case: str, zip_key: str, sheet: str | None, code: int, words: str,
    status: str, counts: str, self_score: str, qa: str,
) -> None:
    scores = ["--scores", str(zips[sheet])] if sheet else []
    approved = ["--plan", str(zips["spring"])] if zip_key == "evidence" else []
    args = ["audit", str(zips[zip_key]), *scores, *approved]

    got, out, err = run(*args, "--quiet")
    assert (got, out.endswith(f"Verdict: {words}\n{counts}\n")) == (code, True), out + err

    got, out, err = run(*args, "--format", "json")
    data = json.loads(out)
    assert (got, data["verdict"], data["status"]) == (code, words, status), err
    # a proposal has no score; a zip whose self-scores were not read has none until the QA score is given
    assert data["score"]["passed"] is (None if zip_key == "proposal" else {"ok": True, "not verified": None}.get(status, False))

    page = tmp_path / "report.html"
    got, _out, err = run(*args, "--format", "html", "-o", str(page))
    assert got == code, err
    assert f">{escape(words)}</div>" in page.read_text(encoding="utf-8")

    got, out, err = run(*args, "--format", "csv")
    assert got == code, err
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    stage = "proposal" if zip_key == "proposal" else "final"
    assert [(r["zip"], r["self_score"], r["qa_score"], r["status"], r["problem"], r["stage"], r["verdict"])
            for r in rows] == [(zips[zip_key].name, self_score, qa, status, "", stage, words)]


def test_a_batch_fails_exactly_when_a_row_does(zips: dict[str, Path]) -> None:
    """A batch's exit code and each row's status read the same verdicts as a single zip's report."""
    got, out, err = run("audit", str(zips["sample"]), str(zips["low"]))
    assert got == 1, err
    assert out.splitlines() == [
        "OK               sample.zip  Northwind Paving Ltd.  15 files, 0 errors, 0 warnings, self 93%",
        "BELOW PASS MARK  low.zip  Northwind Paving Ltd.  15 files, 0 errors, 1 warnings, self 50%",
        "2 zips: 1 ok, 1 to follow up",
    ]


def test_the_self_scoring_form_missing_from_the_zip_is_said_and_not_verified(zips: dict[str, Path]) -> None:
    """What could not be verified is a note in the report, and in a batch the row is `not verified` saying why."""
    got, out, err = run("audit", str(zips["evidence"]), "--plan", str(zips["spring"]))
    assert got == 1, err
    assert ("Note: The zip holds no plan with self-scores, so the self-scores, objective notes, auditors and summary "
            "could not be read; take them from the company's form.") in out
    got, out, err = run("audit", str(zips["evidence"]), str(zips["sample"]), "--plan", str(zips["spring"]))
    assert got == 1, err
    assert out.splitlines()[0] == (
        f"NOT VERIFIED     Northwind Paving 2026.zip  Northwind Paving Ltd.  11 files, 0 errors, 0 warnings, self —%: "
        f"{NO_FORM}")


# ---------------------------------------------------------------------------------------------------------
# A proposal is audited as a proposal (hunt 23 A5)


@pytest.mark.parametrize(
    ("asked", "manifest", "stage", "note"),
    [
        (None, None, Stage.FINAL, ""),
        (None, {"files": []}, Stage.FINAL, ""),
        (None, {"stage": "proposal", "files": []}, Stage.PROPOSAL, ""),
        (None, {"stage": "final", "files": []}, Stage.FINAL, ""),
        (Stage.PROPOSAL, None, Stage.PROPOSAL, ""),
        (Stage.PROPOSAL, {"stage": "proposal", "files": []}, Stage.PROPOSAL, ""),
        (Stage.FINAL, {"stage": "proposal", "files": []}, Stage.FINAL,
         "The manifest says this zip is a proposal; it was audited as a final submission, as --stage asked."),
        (Stage.PROPOSAL, {"stage": "final", "files": []}, Stage.PROPOSAL,
         "The manifest says this zip is a final submission; it was audited as a proposal, as --stage asked."),
        *[(None, {"stage": odd, "files": []}, Stage.FINAL,
           "The manifest's stage is neither 'proposal' nor 'final', so the zip was audited as a final submission "
           "(give --stage proposal if it is a proposal).") for odd in ("PROPOSAL", "\x1b[2Jspring", ["proposal"], 1)],
    ],
)
def test_which_stage_a_zip_is_audited_as(asked: Stage | None, manifest: dict[str, Any] | None, stage: Stage,
                                         note: str) -> None:
    assert decide_stage(asked, manifest) == (stage, note)


def test_a_built_proposal_is_audited_as_a_proposal(zips: dict[str, Path]) -> None:
    got, out, err = run("audit", str(zips["proposal"]))
    assert got == 0, out + err
    assert out.splitlines()[:3] == ["Audit of proposal.zip", "Northwind Paving Ltd. — COR Action Plan 2026 — Proposal",
                                    "Plan: manifest.json (plan)    Rules: acsa-cor-secor"]
    assert "Self-score" not in out and "ERROR" not in out
    got, out, err = run("audit", str(zips["proposal"]), "--format", "json")
    data = json.loads(out)
    assert (got, data["stage"], data["findings"], data["score"]["self"]) == (0, "proposal", [], None)
    got, out, err = run("audit", str(zips["proposal"]), str(zips["sample"]))
    assert (got, out.splitlines()[0]) == (
        0, "OK               proposal.zip  Northwind Paving Ltd.  proposal, 3 files, 0 errors, 0 warnings, self —%")


def test_a_proposal_audited_as_a_final_submission_says_so(zips: dict[str, Path]) -> None:
    got, out, _err = run("audit", str(zips["proposal"]), "--stage", "final")
    assert got == 1
    assert ("Note: The manifest says this zip is a proposal; it was audited as a final submission, as --stage "
            "asked.") in out
    assert out.endswith("Verdict: Not acceptable as received\n" + out.splitlines()[-1] + "\n")


@pytest.mark.parametrize(
    ("option", "message"),
    [("--scores", "field '--scores': QA scores are given on the final submission, and this zip is audited as a "
                  "proposal. Score the final submission's zip; a proposal is approved or sent back for amendments."),
     ("--worksheet", "field '--worksheet/--amendments': the QA worksheet and the amendments letter score a final "
                     "submission, and this zip is audited as a proposal. Give --stage final if the zip is the final "
                     "submission.")],
)
def test_a_proposal_is_not_scored(zips: dict[str, Path], tmp_path: Path, option: str, message: str) -> None:
    sheet = zips["qa70"] if option == "--scores" else tmp_path / "qa.xlsx"
    got, out, err = run("audit", str(zips["proposal"]), option, str(sheet))
    assert (got, out) == (2, "")
    assert message in " ".join(err.split())
    assert not (tmp_path / "qa.xlsx").exists()


def test_a_hand_made_proposal_zip(tmp_path: Path) -> None:
    """The plan and the organisational chart zipped by hand: a proposal with --stage proposal; without it,
    audited as a final submission, the report says to give --stage proposal."""
    folder = tmp_path / "proposal"
    (folder / "admin").mkdir(parents=True)
    shutil.copy(SAMPLE / "admin" / "org-chart.pdf", folder / "admin" / "org-chart.pdf")
    data = yaml.safe_load((SAMPLE / "action-plan.yaml").read_text(encoding="utf-8"))
    data.pop("summary", None)
    for objective in data["objectives"]:
        objective.pop("notes", None)
        for ms in objective["milestones"]:
            ms.pop("self_score", None)
    (folder / "action-plan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
    received = send_to(folder, tmp_path / "Northwind proposal.zip", "Northwind proposal")
    got, out, err = run("audit", str(received), "--stage", "proposal", "--quiet")
    assert (got, out) == (0, "Verdict: Proposal acceptable\n0 errors, 0 warnings\n"), err
    got, out, err = run("audit", str(received))
    assert got == 1, err
    assert ("Note: The zip's plan has no self-scores and no file in it is filed under a milestone: if it is the spring "
            "proposal, audit it with --stage proposal.") in out
