"""The reviewer's verdict on one audited submission, decided once.

Applies to `packager audit`: the text, JSON and HTML reports, each row of a batch (text, CSV, HTML, JSON)
and the exit code all read `audit_verdict`, so the words, the batch status and the exit code always agree.

What decides, in this order:

1. errors in the zip (other than the QA score's own pass-mark finding): not acceptable as received;
2. no plan to audit against: not verified;
3. one part of a split build audited alone (`--split-mb`): not verified, since what the other parts hold
   (their milestones' evidence, the signed pages in part 1) was not checked;
4. the QA score (`--scores`), when given: below the pass mark fails, whatever the self-score says
   (the guide: the reviewer's score "will be submitted to Partnerships");
5. without QA scores: self-scores, objective notes, auditors and summary that could not be read (a plan-less
   zip audited against a spring plan: the guide requires them in the final submission) are not verified; a
   self-score below the pass mark fails (it is the company's estimate, so the words say a QA score at or
   above the pass mark would clear it);
6. warnings fail only with --strict.

A proposal (the manifest's stage, or `audit --stage proposal`) has no scores: only 1, 2, 3 and 6 apply, and its
words start with "Proposal".

With QA scores, a zip whose self-scores, notes, auditors and summary could not be read is judged on the QA
score (the reviewer scored it, with the company's self-scoring form in hand), and the words still say
what to confirm on that form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packager.findings import Severity
from packager.model import Stage
from packager.textutil import long_date, points

if TYPE_CHECKING:
    from packager.audit import AuditResult

# Batch statuses (a zip that could not be audited at all is the batch's own `failed`).
OK, WARNINGS, ERRORS, BELOW_PASS, NOT_VERIFIED, FAILED = (
    "ok", "warnings", "errors", "below pass mark", "not verified", "failed")

QA_BELOW_PASS_CHECK = "score-below-pass"  # as an error, the QA score's finding: the score decides, not the count

NO_PLAN = "there is no plan to audit it against (give the approved plan with --plan or --plans)"
NO_PROPOSAL_PLAN = ("there is no plan in the zip (ask the company for the proposal built with 'packager build "
                    "--stage proposal', or for its action-plan.xlsx)")
NO_FORM = ("the zip holds no self-scores, objective notes, auditor participation or executive summary, and the "
           "approved plan has none (check them on the company's self-scoring form, then give your QA scores with "
           "--scores)")
CONFIRM_FORM = ("the self-scores, objective notes, auditor participation and executive summary are not in the zip: "
                "confirm them on the company's self-scoring form")


@dataclass(frozen=True)
class Verdict:
    """What the reviewer is told about one zip: `words` (the verdict line), `status` (the batch status),
    `failed` (exit 1) and `role` (how it is shown: error, warning or ok; it fails exactly when error)."""

    words: str
    status: str
    failed: bool
    role: str


def audit_verdict(result: AuditResult, strict: bool = False) -> Verdict:
    """The one verdict on an audited zip (see the module's docstring for the order)."""
    score = result.score
    errors = any(f.accepted is None and f.severity is Severity.ERROR and f.check != QA_BELOW_PASS_CHECK
                 for f in result.findings)
    warned = result.summary.warnings > 0
    proposal = result.stage is Stage.PROPOSAL
    qa = None if proposal else score.qa
    unread = result.final_content_unread and not proposal
    by = _by(result)

    def said(words: str, status: str, role: str) -> Verdict:
        if unread and qa is not None:  # scored by the reviewer, who has the company's form: say what to confirm
            words += f" ({CONFIRM_FORM})"
        if proposal:
            words = "Proposal " + words[0].lower() + words[1:]
        return Verdict(words, status, role == "error", role)

    qa_clause = ""
    if qa is not None:
        qa_clause = (f"; QA score {points(qa)}% passes" if score.passed else
                     f"; QA score {points(qa)}% is below the pass mark: a maintenance audit is required{by}")
    if errors:
        return said("Not acceptable as received" + qa_clause, ERRORS, "error")
    if result.plan is None:
        return said(f"Not verified: {NO_PROPOSAL_PLAN if proposal else NO_PLAN}", NOT_VERIFIED, "error")
    if result.part is not None:
        return said(f"Not verified: {part_words(result.part.number, result.part.count)}", NOT_VERIFIED, "error")
    if qa is not None and score.passed is False:
        return said(f"Below the pass mark: QA score {points(qa)}% (pass mark {points(score.pass_mark)}%); a "
                    f"maintenance audit is required{by}", BELOW_PASS, "error")
    if qa is None and unread:
        return said(f"Not verified: {NO_FORM}", NOT_VERIFIED, "error")
    if qa is None and not proposal and score.self is not None and score.passed is False:
        return said(f"Below the pass mark: self-score {points(score.self)}% (pass mark {points(score.pass_mark)}%); "
                    f"a maintenance audit is required{by} unless the QA score reaches the pass mark",
                    BELOW_PASS, "error")
    if warned and strict:
        return said("Not acceptable as received (warnings fail with --strict)" + qa_clause, WARNINGS, "error")
    role = "warning" if warned or (unread and qa is not None) else "ok"
    return said(("Acceptable, with warnings" if warned else "Acceptable") + qa_clause, OK, role)


def part_words(number: int, count: int) -> str:
    """Why a lone part of a split build is not verified, and what the reviewer should do."""
    held = "milestones" if number == 1 else "milestones and signed pages"  # build puts the signed pages in part 1
    return (f"this zip is part {number} of {count} of one submission, so the {held} in the other parts were not "
            f"checked (give all {count} parts to one audit command to audit the submission as one)")


def _by(result: AuditResult) -> str:
    """' before December 31, 2026': the maintenance-audit deadline of the plan's year."""
    if result.plan is None:
        return ""
    return f" before {long_date(result.rules.maintenance_audit_deadline(result.plan.year))}"


__all__ = ["BELOW_PASS", "ERRORS", "FAILED", "NOT_VERIFIED", "OK", "WARNINGS", "Verdict", "audit_verdict"]
