"""Final stage and received zips: is every file mapped to a milestone, and every milestone covered?"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from packager.checks.context import Context, Stage
from packager.checks.registry import declare
from packager.findings import Finding, Severity
from packager.inventory import FileRecord
from packager.safetext import describe, escape_unsafe, printable_path, unsafe_chars
from packager.textutil import plural

FAMILY = "mapping"

UNMAPPED = declare(
    "deliverable-unmapped", Severity.WARNING, FAMILY,
    "A file maps to no milestone of the plan: its folder and name do not follow the naming convention, "
    "or name a milestone the plan does not have.",
    "Move the file into its objective's folder and start its name with the milestone number, e.g. "
    "'Objective 1/1.2 - Drill report - 2026-05-14.pdf'.",
)
CONFLICT = declare(
    "mapping-conflict", Severity.ERROR, FAMILY,
    "The folder, the file name or the document's own label (title or header) disagree about the milestone.",
    "Decide which milestone the document belongs to, then make the folder, the file name and the "
    "document's header agree.",
)
NO_DELIVERABLE = declare(
    "milestone-no-deliverable", Severity.ERROR, FAMILY,
    "A milestone of the plan has no deliverable in the folder (a note only when it is self-scored 0: not done).",
    "Add the document or record that proves the milestone was completed, named with the milestone "
    "number, e.g. '1.2 - Attendance sheets - 2026-06-02.pdf'.",
)
DUPLICATE = declare(
    "duplicate-deliverable", Severity.WARNING, FAMILY,
    "The same file content appears twice (identical SHA-256).",
    "Keep one copy, in the folder of the milestone it proves; delete the other.",
)
NAME_UNSAFE = declare(
    "file-name-unsafe", Severity.WARNING, FAMILY,
    "A name Windows cannot extract (<>:\"|?*, control characters, a trailing dot or space, reserved names "
    "like CON, NUL or COM1), a path over 200 characters, a name that is not valid UTF-8, or invisible "
    "characters (bidi overrides, zero-width) in a file name, the company name or a title.",
    "Rename the file or folder using letters, numbers, spaces, '-', '_' and '.', and keep the whole path "
    "short.",
)
IGNORED = declare(
    "files-ignored", Severity.INFO, FAMILY,
    "Hidden and system files (.DS_Store, Thumbs.db, ~$ lock files, __MACOSX) were left out.",
    "Nothing to do: these files are never part of a submission.",
)

_BAD_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\\]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


def unsafe_name_reason(path: str, max_length: int) -> str | None:
    """Why Windows could not extract `path` (or why it could deceive a reader), or None."""
    for part in path.split("/"):
        bad = sorted(set(_BAD_CHARS.findall(part)))
        if bad:
            # A control character as the escaped name shows it (\u001b), so the two can be compared.
            shown = " ".join(f"\\u{ord(c):04x}" if ord(c) < 32 else c for c in bad)
            return f"'{part}' contains characters Windows does not allow in names ({shown})"
        hidden = unsafe_chars(part)
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in hidden):
            return f"'{printable_path(part)}' is not valid UTF-8 text (bytes shown as \\xNN)"
        if hidden:
            return f"'{escape_unsafe(part)}' contains invisible or control characters ({describe(hidden)})"
        if part.endswith((".", " ")):
            return f"'{part}' ends with a dot or a space"
        if _RESERVED.match(part):
            return f"'{part}' is a name Windows reserves for devices"
    if len(path) > max_length:
        return f"the path is {len(path)} characters long; the limit is {max_length}"
    return None


def plan_text_findings(ctx: Context) -> Iterator[Finding]:
    """Every stage: the company name and titles become folder names and PDF text, so invisible and
    control characters in them are reported (the build removes them)."""
    plan = ctx.plan
    texts: list[tuple[str, str, int | None, str | None]] = [("The company name", plan.company, None, None)]
    for o, obj in enumerate(plan.objectives, start=1):
        texts.append((f"The title of objective {o}", obj.title, o, None))
    for o, mid, ms in plan.milestones():
        texts.append((f"The title of milestone {mid}", ms.title or "", o, mid))
    for what, text, number, milestone in texts:
        hidden = unsafe_chars(text)
        if hidden:
            yield NAME_UNSAFE.finding(
                f"{what} contains invisible or control characters ({describe(hidden)}): "
                f"'{escape_unsafe(text[:80])}'. They are left out of the zip's names and documents.",
                objective=number, milestone=milestone,
                hint="Retype the text in the plan; characters copied from web pages or chats can carry hidden "
                "direction or formatting marks.",
            )


def run(ctx: Context) -> Iterator[Finding]:
    yield from plan_text_findings(ctx)
    if ctx.stage is not Stage.FINAL or ctx.inventory is None:
        return
    inventory = ctx.inventory
    known = {mid for _o, mid, _ms in ctx.plan.milestones()}
    covered: dict[str, int] = defaultdict(int)
    for record in inventory.deliverables:
        mapping = record.mapping
        if mapping.conflict:
            yield CONFLICT.finding(
                f"'{record.name}' cannot be placed: {mapping.conflict}.", path=record.path,
                objective=mapping.objective,
            )
        elif mapping.milestone is None:
            where = (
                f"it is in the folder of objective {mapping.objective} but its name does not start with a "
                "milestone number" if mapping.objective is not None
                else "neither its folder nor its name names an objective and milestone"
            )
            yield UNMAPPED.finding(f"'{record.name}' is not part of any milestone: {where}.", path=record.path)
        elif mapping.milestone not in known:
            yield UNMAPPED.finding(
                f"'{record.name}' is filed under milestone {mapping.milestone}, which the plan does not have.",
                path=record.path,
            )
        else:
            covered[mapping.milestone] += 1
    candidates: dict[int, list[FileRecord]] = defaultdict(list)
    for record in inventory.deliverables:
        if record.mapping.milestone is None and record.mapping.conflict is None and record.mapping.objective:
            candidates[record.mapping.objective].append(record)
    for o, mid, ms in ctx.plan.milestones():
        if covered[mid] == 0:
            what = f" ({ms.deliverable})" if ms.deliverable else ""
            unmapped = sorted(candidates.get(o, []), key=lambda r: r.path)
            if ms.status == "not done":
                # The guide: "If the milestone was not completed at all, do not award points." Nothing proves a
                # milestone that was not done; the objective's notes say why.
                yield NO_DELIVERABLE.finding(
                    f"Milestone {mid} has no deliverable{what}, and its self-score is 0: it was not done, so "
                    "none is needed.",
                    severity=Severity.INFO, objective=o, milestone=mid,
                    hint=f"Nothing to do if it was not done: say why in objective {o}'s self-scoring notes. If it "
                    f"was done, add its deliverable, named with {mid}, and give it its points.",
                )
                continue
            if not unmapped:
                yield NO_DELIVERABLE.finding(
                    f"Milestone {mid} has no deliverable{what}.", objective=o, milestone=mid
                )
                continue
            shown = ", ".join(f"'{r.name}'" for r in unmapped[:5]) + (" …" if len(unmapped) > 5 else "")
            example = unmapped[0]
            yield NO_DELIVERABLE.finding(
                f"Milestone {mid} has no deliverable{what}. The folder of objective {o} has "
                f"{plural(len(unmapped), 'file')} that no milestone claims, likely candidates: {shown}.",
                hint=f"If one of them proves milestone {mid}, start its name with the milestone number, e.g. "
                f"'{mid} - {example.name}', or put 'Milestone {mid}' in the document's header.",
                objective=o, milestone=mid,
            )
    yield from _duplicates(ctx)
    max_length = ctx.rules.naming.max_path_length
    for record in inventory.files:
        reason = unsafe_name_reason(record.path, max_length)
        if reason:
            yield NAME_UNSAFE.finding(
                f"'{record.name}' may not open on Windows: {reason}.", path=record.path,
                objective=record.mapping.objective, milestone=record.mapping.milestone,
            )
    if inventory.ignored:
        names = ", ".join(inventory.ignored[:5]) + (" …" if len(inventory.ignored) > 5 else "")
        yield IGNORED.finding(
            f"{plural(len(inventory.ignored), 'hidden or system file')} left out: {names}."
        )


def _duplicates(ctx: Context) -> Iterator[Finding]:
    assert ctx.inventory is not None
    by_hash: dict[str, list[FileRecord]] = defaultdict(list)
    for record in ctx.inventory.deliverables:
        if record.facts is not None and record.size > 0 and record.facts.sha256:
            by_hash[record.facts.sha256].append(record)
    for records in by_hash.values():
        if len(records) > 1:
            first, *others = sorted(records, key=lambda r: r.path)
            for other in others:
                yield DUPLICATE.finding(
                    f"'{other.path}' is an identical copy of '{first.path}'.", path=other.path,
                    objective=other.mapping.objective, milestone=other.mapping.milestone,
                )
