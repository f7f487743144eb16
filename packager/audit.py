"""`packager audit`: open a received zip without trusting it, verify it, check it and score it.

Archive safety comes first (packager.archive). Safe entries are streamed into a private temp
folder, inspected in parallel like the files of a folder, and run through the same checks;
in a received zip nothing will relabel a file, so `deliverable-unlabelled` is an error.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packager.approval import (
    FINAL_CONTENT_CHECKS,
    ApprovedPlans,
    has_final_content,
    in_zip,
    plan_changes,
    plan_for_audit,
)
from packager.archive import (
    EntryError,
    EntryReader,
    is_archive_magic,
    is_archive_name,
    nested_archive_finding,
    scan_archive,
)
from packager.archive.prespool import AheadGate, unpacking_ahead
from packager.archive.spool import spool_folders
from packager.checks import Context, Stage, run_checks
from packager.checks import deliverables as deliverable_checks
from packager.checks.registry import declare
from packager.checks.scoring import score_below_pass
from packager.classify import classify, find_root, ignored_under, manifest_path, plan_path
from packager.errors import InputError, os_input_error
from packager.evidence import decide
from packager.findings import Finding, Severity, Summary, sort_findings
from packager.inspect import FileFacts, InspectOptions
from packager.inspect.smallfile import Span
from packager.inventory import FileRecord, Inventory
from packager.naming import NamingConvention
from packager.plan import PLAN_FILENAMES, Plan, load_plan_text, plan_from_data
from packager.planpair import differing_plans
from packager.result import Score
from packager.rules import Rules
from packager.scan import ZIP_CHANGED, ProgressFn, decide_as_produced, labelled_names, signed_names
from packager.textutil import name_key
from packager.workers import fewer_collections
from packager.worksheet import QaScores, read_scores
from packager.yamlio import decode_saved_text

MAX_MANIFEST_BYTES = 20 * 1024 * 1024
MAX_PLAN_BYTES = 2 * 1024 * 1024
ARCHIVE_HEAD_BYTES = 512  # what is_archive_magic looks at

MANIFEST_MISMATCH = declare(
    "manifest-mismatch", Severity.ERROR, "archive",
    "Received zip: it carries a manifest.json and an entry's SHA-256 differs from it, a listed entry is "
    "missing, or an unlisted entry is present.",
    "Ask the company to build the zip again with 'packager build' and send it unchanged; files must not be "
    "edited, added or removed after the build.",
)
PLAN_UNREADABLE = declare(
    "plan-unreadable", Severity.ERROR, "archive",
    "Received zip: the plan inside it (manifest.json or action-plan.yaml) cannot be read, so milestones and "
    "scores cannot be verified.",
    "Ask the company for a zip built with 'packager build', or for a corrected action-plan.yaml.",
)

NOTHING_TO_AUDIT = declare(
    "submission-empty", Severity.ERROR, "archive",
    "Received zip: it is empty, or it has no plan and none of its files maps to a milestone, so there is "
    "nothing to verify or score.",
    "Ask the company for the submission zip built with 'packager build' (it carries the plan, the index and "
    "the evidence filed by milestone).",
)


MAX_PARTS = 1000  # more parts than any plan has objectives: a larger count is not a build's


@dataclass(frozen=True)
class Part:
    """The zip is part `number` of `count` of one split build (`packager build --split-mb`), holding the
    evidence of `objectives`; the signed pages and the full set of generated documents are in part 1."""

    number: int
    count: int
    objectives: frozenset[int]
    build: str = ""  # the manifest's root and build time: the same in every part of one build
    layout: tuple[frozenset[int], ...] = ()  # every part's objectives, by number (empty when not readable)

    def holds(self, objective: int) -> bool:
        """Whether this part holds the objective's evidence (an objective is never split across parts)."""
        return objective in self.objectives


# A signed page's finding, and the plan's `documents` key it is about: build puts signed pages in part 1.
SIGNED_PAGE_CHECKS = {"signoff-missing": "acknowledgement", "auditor-signature-missing": "auditor_maintenance",
                      "org-chart-missing": "org_chart"}


@dataclass(frozen=True)
class AuditResult:
    path: Path
    rules: Rules
    plan: Plan | None
    findings: tuple[Finding, ...]
    score: Score
    inventory: Inventory | None = None
    manifest: bool = False
    unverified: tuple[str, ...] = ()
    objectives: tuple[dict[str, Any], ...] = ()  # per-objective self and QA scores
    entries: int = 0
    approved: str | None = None  # the approved plan scored against (--plan/--plans), when one was given
    qa: QaScores | None = None  # the reviewer's scores and comments (--scores)
    # A final submission whose self-scores, objective notes, auditors and summary were not in the zip and not
    # in the approved plan: never checked (packager.verdict: not verified until the QA scores are given).
    final_content_unread: bool = False
    stage: Stage = Stage.FINAL  # which submission it was audited as: --stage, else the manifest's, else final
    part: Part | None = None  # one part of a split build, audited alone (packager.verdict: not verified)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.findings)

    @property
    def archive_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.check.startswith("zip-") or f.check == MANIFEST_MISMATCH.id)

    def without_facts(self) -> AuditResult:
        """The result without each file's inspection facts: what a batch keeps per zip."""
        if self.inventory is None:
            return self
        files = tuple(replace(r, facts=None) for r in self.inventory.files)
        by_path = {r.path: r for r in files}
        documents = {role: (by_path.get(r.path) if r is not None else None)
                     for role, r in self.inventory.documents.items()}
        return replace(self, inventory=replace(self.inventory, files=files, documents=documents))


def _placeholder_plan(year: int) -> Plan:
    return Plan(program="COR", company="(unknown company)", year=year)


def load_manifest(data: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # bad JSON, 5,000-digit numbers, deep nesting
        return None
    return value if isinstance(value, dict) and isinstance(value.get("files"), list) else None


_FILE_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # field: (accepted types, required)
    "path": (str, True), "sha256": (str, True), "role": (str, False), "milestone": (str, False),
    "objective": (int, False), "size": (int, False), "source": (str, False), "date": (str, False),
}
MAX_FIELD_FINDINGS = 20


def _clean_manifest(manifest: dict[str, Any], name: str, findings: list[Finding]) -> dict[str, Any]:
    """The manifest with only well-formed file entries; every malformed field is a finding naming it.

    A received manifest is untrusted data: a path that is a list, a size with 5,000 digits or a
    milestone that is a block must become findings, not crashes.
    """
    problems: list[str] = []
    files: list[dict[str, Any]] = []
    for i, entry in enumerate(manifest.get("files", [])):
        if not isinstance(entry, dict):
            problems.append(f"files[{i + 1}] is {_kind(entry)}, not a block of fields")
            continue
        bad = False
        for field_name, (types, required) in _FILE_FIELDS.items():
            value = entry.get(field_name)
            if value is None:
                if required:
                    problems.append(f"files[{i + 1}].{field_name} is missing")
                    bad = True
                continue
            if not isinstance(value, types) or isinstance(value, bool) or (
                isinstance(value, int) and not 0 <= value < 2**63
            ) or (isinstance(value, str) and len(value) > 4096):
                problems.append(f"files[{i + 1}].{field_name} is {_kind(value)}")
                bad = bad or required
                entry = {k: v for k, v in entry.items() if k != field_name}
        if not bad:
            files.append(entry)
    if "plan" in manifest and not isinstance(manifest["plan"], dict):
        findings.append(PLAN_UNREADABLE.finding(
            f"The plan in '{name}' cannot be used: field 'plan' is {_kind(manifest['plan'])}, not a block of "
            "fields.", path=name))
    for problem in problems[:MAX_FIELD_FINDINGS]:
        findings.append(MANIFEST_MISMATCH.finding(
            f"'{name}' is malformed: {problem}, so that entry cannot be verified.", path=name))
    if len(problems) > MAX_FIELD_FINDINGS:
        findings.append(MANIFEST_MISMATCH.finding(
            f"'{name}' has {len(problems) - MAX_FIELD_FINDINGS:,} more malformed fields.", path=name))
    return {**manifest, "files": files}


def _kind(value: object) -> str:
    """What a value from untrusted JSON is, in words, without echoing a huge value."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a block of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int):
        return "a number out of range" if not 0 <= value < 2**63 else "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"text of {len(value):,} characters" if len(value) > 4096 else "text"
    return "empty"


@fewer_collections()  # as `check` builds its records: the collector does not walk them again and again
def audit_zip(
    path: Path,
    rules: Rules,
    *,
    today: dt.date | None = None,
    scores_path: Path | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    approved: Plan | None = None,
    approved_plans: ApprovedPlans | None = None,
    ocr: str = "auto",
    stage: Stage | None = None,
) -> AuditResult:
    """Audit one received zip. Raises InputError only when it cannot be opened as a zip at all.

    With `approved` (or `approved_plans`, a folder of them picked by company and year) the zip is mapped
    to and scored against the approved plan; a differing plan inside the zip is reported.
    `stage`: audit it as a proposal or a final submission; None: as its manifest says, else final.
    """
    today = today or dt.date.today()
    scan = scan_archive(path, rules.archive)
    findings: list[Finding] = list(scan.findings)
    unverified: list[str] = []
    if scan.aborted:
        unverified.append("The archive was not read past its table of contents because it is unsafe.")
        return AuditResult(path, rules, None, tuple(sort_findings(findings)),
                           Score(None, rules.scoring.pass_mark), unverified=tuple(unverified),
                           entries=len(scan.all_names), stage=stage or Stage.FINAL)
    naming = NamingConvention(rules.naming)
    root = find_root(scan.all_names, naming)
    safe_names = {e.name for e in scan.entries if not e.is_dir}
    manifest_name = manifest_path(safe_names, root, naming)
    # Never inspected, so the child need not unpack them: the manifest and plan, read here (a built
    # zip's manifest is megabytes), and the system files classify leaves out (macOS's '__MACOSX/' twins).
    read_here = {root + name for name in PLAN_FILENAMES} | ({manifest_name} if manifest_name else set())
    read_here |= {name for name in safe_names if ignored_under(name, root, naming)}

    with (
        EntryReader(scan, rules.archive) as reader,
        spool_folders() as spool,
        unpacking_ahead(scan, rules.archive, spool, ARCHIVE_HEAD_BYTES, skip=read_here) as ahead,
    ):
        manifest: dict[str, Any] | None = None
        manifest_entry = next((e for e in scan.entries if e.name == manifest_name), None)
        if manifest_entry is not None:
            try:
                manifest = load_manifest(reader.read_bytes(manifest_entry, MAX_MANIFEST_BYTES))
            except EntryError as exc:
                findings.append(exc.finding)
            if manifest is not None:
                manifest = _clean_manifest(manifest, manifest_entry.name, findings)
            else:
                findings.append(MANIFEST_MISMATCH.finding(
                    f"'{manifest_entry.name}' is not a readable packager manifest, so the files cannot be "
                    "verified against it.", path=manifest_entry.name))
        part = _read_part(manifest, manifest_entry.name if manifest_entry else "", findings)
        stage_asked = stage
        stage, stage_note = decide_stage(stage, manifest)
        if stage_note:
            unverified.append(stage_note)

        plan_entry = plan_path(safe_names, root, {e.name: e.modified for e in scan.entries})
        plan = _plan(manifest, reader, scan.entries, plan_entry, rules, findings)
        if plan is not None and plan_entry is not None and plan.source == plan_entry:  # read from the plan file
            findings.extend(_other_plan_notes(reader, scan.entries, root, plan_entry, plan, rules))
        if stage is Stage.PROPOSAL and scores_path is not None:
            raise InputError("QA scores are given on the final submission, and this zip is audited as a proposal",
                             file=path, field="--scores",
                             hint="Score the final submission's zip; a proposal is approved or sent back for "
                                  "amendments")
        if approved_plans is not None:
            approved = _pick_approved(approved_plans, plan, path)
        if approved is not None:
            if plan is not None:
                inner = plan.source
                where = "the manifest's plan" if inner.startswith("manifest") else f"the zip's plan ('{inner}')"
                findings.extend(plan_changes(approved, plan, where))
            # The zip's own plan is not needed to score it: its being unreadable is only a warning.
            findings[:] = [replace(f, severity=Severity.WARNING) if f.check == PLAN_UNREADABLE.id else f
                           for f in findings]
            plan = plan_for_audit(approved, plan, in_zip(safe_names, naming))
        have_plan = plan is not None
        if plan is None:
            plan = _placeholder_plan(_manifest_year(manifest) or today.year)
        window = plan.window(rules)
        options = InspectOptions(
            rules=rules.deliverables, window=window, ocr=ocr, naming=rules.naming,
            signed=signed_names(plan.documents.named()) if have_plan else frozenset(),
        )
        classified = classify(
            [(e.name, e.size) for e in scan.entries if not e.is_dir],
            naming, documents=plan.documents.named() if have_plan else {}, window=window,
            plan=plan_entry, received=True,
        )
        # A system file (macOS's '__MACOSX/…/._Receipts.zip' twin) is left out, so it is no nested archive.
        left_out = set(classified.ignored)
        findings[:] = [f for f in findings if not (f.check == "zip-nested-archive" and f.path in left_out)]
        by_name = {e.name: e for e in scan.entries}
        # Archives inside the archive were reported by the scan and are never opened; as files of the
        # submission they are judged by their name alone, as `check` judges them in a folder.
        unopened = [r for r in classified.records if r.path in by_name and is_archive_name(r.path)]
        wanted = [r for r in classified.records if r.path in by_name and not is_archive_name(r.path)]
        options = replace(options, labelled=labelled_names(wanted))
        # Largest entries first, as `check` sends a folder's files, so that both workers stay busy
        # to the end; each is decided in the worker that inspected it, and the records are put back
        # in the zip's order afterwards.
        position = {r.path: i for i, r in enumerate(wanted)}
        largest_first = sorted(wanted, key=lambda r: (-by_name[r.path].size, position[r.path]))
        spooled: dict[int, tuple[str, str, bool]] = {}  # index: (name, SHA-256, starts as an archive)

        def unpack(record: FileRecord) -> tuple[Path | Span, str, bool]:
            """The entry's file (or its place in the zip, when read in place), SHA-256 and whether it
            starts like an archive."""
            entry = by_name[record.path]
            if ahead is not None:
                got = ahead.take(entry)
                if got is not None:
                    return got.source, got.sha256, got.archive_magic
            folder = spool.pick(entry.size)
            if folder != spool.disk:
                try:
                    return _magic(reader.spool_with_head(entry, folder, ARCHIVE_HEAD_BYTES))
                except EntryError:
                    spool.unused(entry.size)
                    raise
                except OSError:  # the memory folder filled up meanwhile: disk from here on
                    spool.memory_failed()
            try:
                return _magic(reader.spool_with_head(entry, spool.disk, ARCHIVE_HEAD_BYTES))
            except OSError as exc:  # the local disk, not the zip: disk full, no permission on TMPDIR
                raise os_input_error(
                    exc, f"unpacking '{record.path}' to a temporary folder ({spool.disk.parent}) failed", path,
                    hint="Free some disk space there, or set TMPDIR to a folder on a disk with room",
                ) from None

        gate = AheadGate(spool, ahead) if ahead is not None else None

        def spool_each() -> Iterator[tuple[int, tuple[Path | Span, str, str]]]:
            for index, record in enumerate(largest_first):
                if gate is not None:  # what the workers' gate looks at before asking for the next one
                    gate.next = by_name[largest_first[index + 1].path] if index + 1 < len(largest_first) else None
                try:
                    target, sha, archive_magic = unpack(record)
                except EntryError as exc:
                    findings.append(exc.finding)
                    continue
                if isinstance(target, Path):
                    spool.unpacked(index, target, by_name[record.path].size)
                spooled[index] = (record.path, sha, archive_magic)
                yield index, (target, record.name, sha)  # hashed once, while spooling

        if gate is not None and largest_first:
            gate.next = by_name[largest_first[0].path]
        decided = decide_as_produced(
            spool_each(), largest_first, (naming, rules.deliverables, window, today), options, progress, workers,
            gate=gate or spool,
        )
        if any(r is not None and r.facts is not None and r.facts.unreadable == ZIP_CHANGED for r in decided):
            # Copied, downloaded or synced while audited: no verdict on a zip that is not one file throughout.
            raise InputError("the zip changed while it was being checked", file=path,
                             hint="Wait until the zip is completely copied or saved, then audit it again.")
        in_zip_order = sorted(spooled, key=lambda i: position[largest_first[i].path])
        if manifest is not None:
            manifest_name = manifest_entry.name if manifest_entry else ""
            listed_names = [n for n in scan.all_names if n not in set(classified.ignored)]
            findings.extend(_verify_manifest(manifest, [spooled[i][:2] for i in in_zip_order], listed_names,
                                             manifest_name))
        records: list[FileRecord] = []
        for index in in_zip_order:
            record = decided[index]
            if record is None:  # never the case: every spooled entry was inspected
                continue
            name, _sha, archive_magic = spooled[index]
            kind = record.facts.kind if record.facts is not None else ""
            # Archives named as such were flagged by the scan; this catches ones hiding under another name.
            if (kind in ("zip", "archive") or archive_magic) and not is_archive_name(name):
                findings.append(nested_archive_finding(name, by_content=True))
            records.append(record)
        for record in unopened:
            kind = rules.type_for_extension(record.name.rsplit(".", 1)[-1]) or "archive"
            unread = FileFacts(kind=kind, mime="application/octet-stream", size=record.size, sha256="")
            records.append(decide(replace(record, facts=unread), naming, rules.deliverables, window, today))

    by_path = {r.path: r for r in records}
    documents = {
        role: (by_path.get(record.path) if record is not None else None)
        for role, record in classified.documents.items()
    }
    inventory = Inventory(root=root, files=tuple(records), ignored=classified.ignored, documents=documents,
                          document_paths=classified.document_paths)
    ctx = Context(plan=plan, rules=rules, stage=stage, today=today, inventory=inventory, received=True)
    final_content_unread = False
    if have_plan:
        checked = run_checks(ctx)
        if stage is Stage.FINAL and approved is not None and not has_final_content(plan):
            final_content_unread = True
            # Self-scores, notes, auditors and summary live in the company's own form, which the zip lacks.
            checked = [f for f in checked if f.check not in FINAL_CONTENT_CHECKS]
            unverified.append(
                "The zip holds no plan with self-scores, so the self-scores, objective notes, auditors and summary "
                "could not be read; take them from the company's form.")
        if part is not None:
            checked = [f for f in checked if not _in_other_part(f, part, plan, inventory)]
            unverified.append(_part_note(part, plan))
        # The self-check's pass-mark warning belongs to the company; the reviewer's verdict uses the QA score.
        findings.extend(f for f in checked if f.check != "score-below-pass" or scores_path is None)
    elif stage is Stage.PROPOSAL:
        unverified.append(
            "There is no plan in the zip (no manifest.json or action-plan.yaml): the proposal's objectives, "
            "milestones, weights and organisational chart could not be verified.")
    else:
        for record in inventory.deliverables:
            findings.extend(deliverable_checks.check_record(ctx, record))
        if not any(r.mapping.milestone for r in inventory.deliverables):
            findings.append(_nothing_to_audit(len(scan.all_names), len(inventory.files)))
        unverified.append(
            "There is no plan in the zip (no manifest.json or action-plan.yaml): milestone coverage, self-scores "
            "and the signed pages could not be verified, and dates were checked against the calendar year only."
        )
    if manifest is None:
        unverified.append("There is no manifest.json, so the files could not be checked against what was built.")
    if (stage_asked is None and stage is Stage.FINAL and have_plan and not has_final_content(plan)
            and not any(r.mapping.milestone for r in inventory.deliverables)):
        unverified.append("The zip's plan has no self-scores and no file in it is filed under a milestone: if it is "
                          "the spring proposal, audit it with --stage proposal.")

    scores: QaScores | None = None
    if scores_path is not None:
        if not have_plan:
            raise InputError("QA scores cannot be read for a zip that has no plan", file=scores_path,
                             field="--scores")
        scores = read_scores(scores_path, plan)
    self_score = plan.self_score_percent(rules) if have_plan and stage is Stage.FINAL else None
    qa = scores.percent(rules) if scores is not None else None
    score = Score(self=self_score, pass_mark=rules.scoring.pass_mark, qa=qa)
    if qa is not None and have_plan:
        findings.extend(score_below_pass(ctx, qa, "QA score", Severity.ERROR))
    objectives = _objective_scores(plan, scores) if have_plan and stage is Stage.FINAL else ()
    return AuditResult(
        path=path, rules=rules, plan=plan if have_plan else None, findings=tuple(sort_findings(findings)),
        score=score, inventory=inventory, manifest=manifest is not None, unverified=tuple(unverified),
        objectives=tuple(objectives), entries=len(scan.all_names),
        approved=(approved.source or "the approved plan") if approved is not None else None, qa=scores,
        final_content_unread=final_content_unread, stage=stage, part=part if have_plan else None,
    )


def _read_part(manifest: dict[str, Any] | None, name: str, findings: list[Finding]) -> Part | None:
    """Which part of a split build the zip is, from its manifest's `part` and `parts`; None for a whole build.

    A build writes `part: null` for one zip, and `part: {number, count}` with `parts: [{number, objectives}]`
    for each part. The manifest is untrusted: a part record a build never writes (a number 0 or past the count,
    a count of a billion, text for a number, a part missing from `parts`) is a finding, and the zip is then
    audited as a whole submission."""
    if manifest is None or manifest.get("part") is None:
        return None
    raw, listed = manifest.get("part"), manifest.get("parts")

    def whole_int(value: object) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_PARTS else None

    number = whole_int(raw.get("number")) if isinstance(raw, dict) else None
    count = whole_int(raw.get("count")) if isinstance(raw, dict) else None
    problem = ""
    objectives: list[int] = []
    if number is None or count is None:
        problem = f"its part is {_kind(raw)} without a usable part number and count"
    elif number > count:
        problem = f"it calls the zip part {number} of {count}"
    elif not isinstance(listed, list) or len(listed) != count:
        problem = f"its list of parts does not hold {count} parts"
    else:
        mine = [p for p in listed if isinstance(p, dict) and p.get("number") == number]
        held = mine[0].get("objectives") if len(mine) == 1 else None
        if not isinstance(held, list) or not all(whole_int(o) is not None for o in held):
            problem = f"its list of parts does not say which objectives part {number} holds"
        else:
            objectives = held
    if problem:
        findings.append(MANIFEST_MISMATCH.finding(
            f"'{name}' is malformed: {problem}, so the zip was audited as a whole submission.", path=name or None))
        return None
    assert number is not None and count is not None
    if count == 1:  # every build records its one zip as part 1 of 1: the whole submission
        return None
    assert isinstance(listed, list)
    layout = [p.get("objectives") if isinstance(p, dict) and p.get("number") == i else None
              for i, p in enumerate(listed, start=1)]
    readable = all(isinstance(objs, list) and all(whole_int(o) is not None for o in objs) for objs in layout)
    built, root = manifest.get("built"), manifest.get("root")
    build = f"{root}|{built}" if isinstance(built, str) and isinstance(root, str) and len(root) < 4096 else ""
    return Part(number=number, count=count, objectives=frozenset(objectives), build=build,
                layout=tuple(frozenset(objs) for objs in layout if isinstance(objs, list)) if readable else ())


def part_groups(results: Sequence[AuditResult | None]) -> list[list[int]]:
    """The indexes of the results that are all the parts of one split build, in part order, one list a build.

    Parts go together only when they are plainly one build: the same root folder, build time, plan and list
    of parts in every manifest, that list giving each objective to one part only, and parts 1 to M each
    given once. Anything else stays a part audited alone (not verified), never a submission called complete."""
    keyed: dict[tuple[str, int, tuple[frozenset[int], ...]], list[int]] = {}
    for i, result in enumerate(results):
        part = result.part if result is not None else None
        if part is not None and part.build and part.layout:
            keyed.setdefault((part.build, part.count, part.layout), []).append(i)
    groups = []
    for (_build, count, layout), indexes in keyed.items():
        found = [r.part for i in indexes if (r := results[i]) is not None and r.part is not None]
        numbers = sorted(p.number for p in found)
        objectives = [o for objs in layout for o in objs]
        first = results[indexes[0]]
        if (numbers != list(range(1, count + 1)) or len(objectives) != len(set(objectives))
                or first is None or any((r := results[i]) is None or r.plan != first.plan for i in indexes)):
            continue
        groups.append(sorted(indexes, key=lambda i: _part_number(results[i])))
    return groups


def _part_number(result: AuditResult | None) -> int:
    return result.part.number if result is not None and result.part is not None else 0


def audited_together(parts: Sequence[AuditResult]) -> AuditResult:
    """All the parts of one split build (see `part_groups`) as one submission: each part was verified against
    its own manifest and checked for what it holds; together they hold every objective, so the milestones and
    signed pages no part found missing are there, and the one verdict is the submission's."""
    first = parts[0]
    assert first.inventory is not None
    findings = list(dict.fromkeys(f for r in parts for f in r.findings))  # the plan's findings: once
    files = tuple(f for r in parts if r.inventory is not None for f in r.inventory.files)
    documents = dict(first.inventory.documents)
    for r in parts[1:]:
        for role, record in (r.inventory.documents.items() if r.inventory is not None else ()):
            documents[role] = documents.get(role) or record
    ignored = tuple(dict.fromkeys(i for r in parts if r.inventory is not None for i in r.inventory.ignored))
    inventory = replace(first.inventory, files=files, documents=documents, ignored=ignored)
    names = [f"'{r.path.name}'" for r in parts]
    together = (f"Audited as one submission: {', '.join(names[:-1])} and {names[-1]} are parts 1 to {len(parts)} "
                "of one build, each verified against its own manifest.")
    unverified = [together, *dict.fromkeys(
        n for r in parts for n in r.unverified if not n.startswith("This zip is part "))]
    return replace(first, path=first.path.with_name(" + ".join(r.path.name for r in parts)),
                   findings=tuple(sort_findings(findings)), inventory=inventory, unverified=tuple(unverified),
                   manifest=all(r.manifest for r in parts), entries=sum(r.entries for r in parts), part=None)


def _in_other_part(finding: Finding, part: Part, plan: Plan, inventory: Inventory) -> bool:
    """Whether a finding only says that something lives in another part of the split build: a milestone with
    no deliverable whose objective the manifest puts in another part, or, in parts 2 and later, a signed page
    the plan names that is not in this zip (build puts them in part 1)."""
    if finding.check == "milestone-no-deliverable" and finding.milestone:
        head = finding.milestone.split(".", 1)[0]
        return head.isdigit() and not part.holds(int(head))
    role = SIGNED_PAGE_CHECKS.get(finding.check)
    if role is None or part.number == 1:
        return False
    return getattr(plan.documents, role, None) is not None and inventory.documents.get(role) is None


def _part_note(part: Part, plan: Plan) -> str:
    """What a part audited alone could not check."""
    here = sorted(o for o in part.objectives if 1 <= o <= len(plan.objectives))
    elsewhere = [o for o in range(1, len(plan.objectives) + 1) if o not in part.objectives]
    held = (f"it holds the evidence of objective{'s' if len(here) > 1 else ''} {_and(here)}" if here else
            "it holds no objective's evidence")
    other = (f"the milestones of objective{'s' if len(elsewhere) > 1 else ''} {_and(elsewhere)}"
             if elsewhere else "")
    signed = "the signed pages" if part.number != 1 else ""
    missing = " and ".join(w for w in (other, signed) if w)
    return (f"This zip is part {part.number} of {part.count} of one submission ({held})"
            + (f": {missing} are in the other parts and were not checked here" if missing else "")
            + f". Give all {part.count} parts to one audit command to audit the submission as one.")


def _and(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


STAGE_WORDS = {Stage.PROPOSAL: "a proposal", Stage.FINAL: "a final submission"}


def decide_stage(asked: Stage | None, manifest: dict[str, Any] | None) -> tuple[Stage, str]:
    """Which submission the zip is audited as, and a note when that is not simply what its manifest says.

    `--stage` decides when given; otherwise the manifest's `stage` (a build writes 'proposal' or 'final');
    otherwise (a hand-made zip, or a manifest without a stage) the final submission."""
    written = manifest.get("stage") if manifest is not None else None
    built = next((s for s in Stage if s.value == written), None)
    if asked is not None:
        if built is not None and built is not asked:
            return asked, (f"The manifest says this zip is {STAGE_WORDS[built]}; it was audited as "
                           f"{STAGE_WORDS[asked]}, as --stage asked.")
        return asked, ""
    if built is not None:
        return built, ""
    if written is not None:  # untrusted: never echoed
        return Stage.FINAL, ("The manifest's stage is neither 'proposal' nor 'final', so the zip was audited as a "
                             "final submission (give --stage proposal if it is a proposal).")
    return Stage.FINAL, ""


def _magic(spooled: tuple[Path, str, bytes]) -> tuple[Path, str, bool]:
    target, sha, head = spooled
    return target, sha, is_archive_magic(head)


def _pick_approved(plans: ApprovedPlans, inner: Plan | None, path: Path) -> Plan:
    """The approved plan of this zip's company and year: by the zip's own plan, else by the zip's name."""
    if inner is not None:
        found = plans.for_plan(inner.company, inner.year)
        if found is not None:
            return found
    chosen, problem = plans.for_zip_name(path.name)
    if chosen is None:
        raise InputError(problem, file=path, field="--plans",
                         hint="See 'Batch: which approved plan' in the README for the naming rule")
    return chosen


def _manifest_year(manifest: dict[str, Any] | None) -> int | None:
    plan = manifest.get("plan") if manifest else None
    year = plan.get("year") if isinstance(plan, dict) else None
    return year if isinstance(year, int) and not isinstance(year, bool) and 1990 <= year <= 2100 else None


def _plan(
    manifest: dict[str, Any] | None, reader: EntryReader, entries: Iterable[Any], plan_entry: str | None,
    rules: Rules, findings: list[Finding],
) -> Plan | None:
    if manifest is not None and isinstance(manifest.get("plan"), dict):
        try:
            return plan_from_data(manifest["plan"], "manifest.json (plan)", rules)
        except InputError as exc:
            findings.append(PLAN_UNREADABLE.finding(f"The plan in manifest.json cannot be used: {exc.paragraph()}"))
            return None
        except UNTRUSTED_DATA_ERRORS as exc:
            findings.append(PLAN_UNREADABLE.finding(
                f"The plan in manifest.json cannot be used: {untrusted_data_problem(exc)}."))
            return None
    for entry in entries:
        if entry.name == plan_entry:
            try:
                return plan_in_entry(reader, entry, rules)
            except EntryError as exc:
                findings.append(exc.finding)
            except UnicodeDecodeError:
                findings.append(PLAN_UNREADABLE.finding(f"'{entry.name}' is not UTF-8 text.", path=entry.name))
            except InputError as exc:
                findings.append(PLAN_UNREADABLE.finding(f"The plan cannot be used: {exc.paragraph()}", path=entry.name))
            except UNTRUSTED_DATA_ERRORS as exc:
                findings.append(PLAN_UNREADABLE.finding(f"The plan cannot be used: {untrusted_data_problem(exc)}.",
                                                        path=entry.name))
            return None
    return None


def plan_in_entry(reader: EntryReader, entry: Any, rules: Rules) -> Plan:
    """The plan in a plan-file entry (YAML or workbook); raises what reading or loading it raises."""
    if entry.name.lower().endswith(".xlsx"):
        from packager.planxlsx import load_plan_xlsx_bytes
        from packager.xlsxsafe import MAX_XLSX_BYTES

        return load_plan_xlsx_bytes(reader.read_bytes(entry, MAX_XLSX_BYTES), entry.name, rules)
    return load_plan_text(decode_saved_text(reader.read_bytes(entry, MAX_PLAN_BYTES)), entry.name, rules)


def _other_plan_notes(
    reader: EntryReader, entries: Iterable[Any], root: str, used: str, plan: Plan, rules: Rules
) -> Iterator[Finding]:
    """plan-files-differ for a zip made by hand that holds another plan file beside the one read."""

    def loader(entry: Any) -> Callable[[], Plan]:
        def load() -> Plan:
            try:
                return plan_in_entry(reader, entry, rules)
            except EntryError as exc:
                raise InputError(exc.finding.message) from None
            except UnicodeDecodeError:
                raise InputError("it is not UTF-8 text") from None
            except UNTRUSTED_DATA_ERRORS as exc:
                raise InputError(untrusted_data_problem(exc)) from None

        return load

    others = [(e.name[len(root):], e.name, loader(e)) for e in entries
              if e.name != used and e.name.startswith(root) and e.name[len(root):] in PLAN_FILENAMES]
    yield from differing_plans("zip", used[len(root):], plan, others)


def _nothing_to_audit(entries: int, files: int) -> Finding:
    if entries == 0:
        message = "The zip is empty: it holds no plan and no evidence."
    elif files == 0:
        held = f"{entries:,} {'entry' if entries == 1 else 'entries'}"
        message = (f"The zip holds {held} but no file that could be evidence, and no plan (no manifest.json or "
                   "action-plan.yaml).")
    else:
        which = "its one file" if files == 1 else f"none of its {files:,} files"
        verb = "is not" if files == 1 else "is"
        message = (f"The zip holds no plan (no manifest.json or action-plan.yaml) and {which} {verb} named or "
                   "filed under a milestone, so nothing in it can be verified.")
    return NOTHING_TO_AUDIT.finding(message)


# What untrusted plan data can raise beyond InputError: depth, values Python cannot hold.
UNTRUSTED_DATA_ERRORS = (RecursionError, ValueError, TypeError, OverflowError, KeyError, AttributeError)


def untrusted_data_problem(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to read"
    if isinstance(exc, OverflowError | ValueError):
        return "it holds a number or date out of any usable range"
    return "its fields have the wrong types"


def _verify_manifest(
    manifest: dict[str, Any], spooled: list[tuple[str, str]], all_names: Sequence[str], manifest_name: str
) -> list[Finding]:
    """The zip's files against its manifest, names matched as Windows and macOS match them (``name_key``):
    a built zip unpacked and zipped again on a Mac stores its accents decomposed, and is still the same."""
    out: list[Finding] = []
    listed = {f.get("path"): f for f in manifest.get("files", []) if isinstance(f, dict)}
    actual = {name_key(name): sha for name, sha in spooled}
    present = {name_key(name) for name in all_names}
    listed_keys = {name_key(name) for name in listed if isinstance(name, str)}
    for name, entry in sorted(listed.items(), key=lambda kv: str(kv[0])):
        if not isinstance(name, str):
            continue
        key = name_key(name)
        if key not in present:
            out.append(MANIFEST_MISMATCH.finding(f"'{name}' is listed in the manifest but missing from the zip.",
                                                 path=name))
        elif key in actual and actual[key] != entry.get("sha256"):
            out.append(MANIFEST_MISMATCH.finding(
                f"'{name}' has been changed since the zip was built: its SHA-256 is {actual[key][:12]}…, the "
                f"manifest says {str(entry.get('sha256'))[:12]}….", path=name))
    for name in sorted(all_names):
        if name.endswith("/") or name == manifest_name or name_key(name) in listed_keys:
            continue
        out.append(MANIFEST_MISMATCH.finding(f"'{name}' is in the zip but not listed in the manifest.", path=name))
    return out


def _objective_scores(plan: Plan, scores: QaScores | None) -> list[dict[str, Any]]:
    out = []
    for o, objective in enumerate(plan.objectives, start=1):
        weight = sum(ms.weight or 0 for ms in objective.milestones)
        self_scores = [ms.self_score for ms in objective.milestones if ms.self_score is not None]
        qa = [scores.by_milestone[f"{o}.{m}"] for m in range(1, len(objective.milestones) + 1)
              if scores is not None and f"{o}.{m}" in scores.by_milestone]
        out.append({
            "objective": o, "title": objective.title, "weight": float(weight),
            "self": float(sum(self_scores)) if self_scores else None,
            "qa": float(sum(qa)) if qa else None,
        })
    return out


__all__ = [
    "MAX_MANIFEST_BYTES", "UNTRUSTED_DATA_ERRORS", "AuditResult", "Part", "audit_zip", "audited_together",
    "load_manifest", "part_groups", "plan_in_entry", "untrusted_data_problem",
]
