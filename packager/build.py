"""`packager build`: turn a checked folder into the submission zip(s) a company sends.

The source folder is only read. Each zip is written to a temporary file beside the target
and renamed into place when complete. Same inputs give byte-identical zips.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager import __version__
from packager.api import check_folder, resolve_folder
from packager.checks.registry import declare
from packager.clock import build_time
from packager.config import Config, load_config
from packager.documents import DocumentSpec, documents_for
from packager.errors import InputError
from packager.findings import Finding, Severity, Summary, sort_findings
from packager.inventory import FileRecord
from packager.layout import DOCS_FOLDER, Layout, Wanted, descriptive_part, path_budget, plan_layout
from packager.model import Stage
from packager.naming import split_extension
from packager.outputs import check_output
from packager.plan import plan_to_data
from packager.result import CheckResult
from packager.rules import Rules
from packager.safetext import escape_unsafe, printable_path, strip_unsafe_deep
from packager.scan import ProgressFn, pool_context
from packager.textutil import long_date, plural
from packager.workers import die_with_parent, stopping
from packager.zipwriter import CHUNK, SourceChanged, ZipItem, worth_deflating, write_zip

MANIFEST = "manifest.json"
MAX_SPLIT_MB = 1_000_000

TOO_LARGE = declare(
    "submission-too-large", Severity.WARNING, "build",
    "The built zip (or a part of it) is larger than the email limit in the rules (18 MB by default), or a part is "
    "larger than --split-mb asked for (an objective is never split between parts).",
    "Build again with --split-mb 18 to get parts that each fit in an email, or send it through a file-sharing "
    "link as the program allows.",
)

SIGNED_NAMES = {
    "acknowledgement": "06 Signed Senior Representative Acknowledgement",
    "auditor_maintenance": "07 Signed Auditor Maintenance",
    "org_chart": "03 Organisational Chart",
    "proposal_form": "04 Signed Proposal Form",
}
ROLE_LABELS = {
    "acknowledgement": "Signed Senior Representative Acknowledgement",
    "auditor_maintenance": "Signed Auditor Maintenance page",
    "org_chart": "Organisational chart",
    "proposal_form": "Signed proposal form",
}
STAGE_DOCUMENTS = {
    Stage.FINAL: ("acknowledgement", "auditor_maintenance"),
    Stage.PROPOSAL: ("org_chart", "proposal_form"),
}


class BuildRefused(Exception):
    """The folder has errors and --allow-errors was not given."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        super().__init__(Summary.of(result.findings).line())


@dataclass(frozen=True)
class Planned:
    """One file of the submission and where it comes from."""

    arcname: str  # full path in the zip
    role: str  # deliverable | signed | generated | manifest
    size: int
    sha256: str
    source: str | None = None  # relative to the folder
    source_path: Path | None = None
    data: bytes | None = None
    compress: bool = True
    objective: int | None = None
    milestone: str | None = None
    date: str | None = None
    pages: int | None = None
    status: str = "OK"
    dates: tuple[dict[str, Any], ...] = ()
    document: str | None = None  # for signed copies: acknowledgement, auditor_maintenance, ...


@dataclass(frozen=True)
class BuildResult:
    check: CheckResult
    outputs: tuple[Path, ...]
    sizes: tuple[int, ...]
    findings: tuple[Finding, ...]
    entries: int
    excluded: tuple[str, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.findings)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _status(findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    parts = []
    if counts[Severity.ERROR]:
        parts.append(plural(counts[Severity.ERROR], "error"))
    if counts[Severity.WARNING]:
        parts.append(plural(counts[Severity.WARNING], "warning"))
    return ", ".join(parts) or "OK"


def _compress(record: FileRecord, path: Path, rules: Rules) -> bool:
    """Deflate or store, decided from the checks' facts; the file is probed only when they cannot tell."""
    facts = record.facts
    kind = facts.kind if facts else None
    if kind in rules.build.store_types:
        return False
    if kind == "pdf" and facts is not None and facts.page_facts and not facts.encrypted:
        # Scanned pages are JPEG or fax data that deflate does not shrink; text PDFs shrink a little.
        return not any(p.image_only for p in facts.page_facts)
    if kind in ("pdf", "tiff", "unknown", None):
        return worth_deflating(path)
    return True


def plan_deliverables(
    result: CheckResult, folder: Path, stage: Stage,
) -> tuple[list[Planned], list[str], Layout]:
    """Place every mapped deliverable under its objective folder with its canonical name.

    The layout (top folder, objective folders, names) is decided here, once, for the whole zip."""
    plan, rules = result.plan, result.rules
    assert result.inventory is not None
    known = {mid for _o, mid, _ms in plan.milestones()}
    by_path: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.path:
            by_path.setdefault(f.path, []).append(f)
    excluded: list[str] = []
    chosen: list[tuple[FileRecord, Wanted]] = []
    window = plan.window(rules)
    records = result.inventory.deliverables if stage is Stage.FINAL else ()
    for record in records:
        mid = record.mapping.milestone
        if mid is None or mid not in known or record.facts is None:
            excluded.append(record.path)
            continue
        # The date the checks accepted, the user's own (from the name) first, or the one they found outside
        # the plan window; never a metadata date.
        accepted = record.evidence.for_built_name if record.evidence else None
        _stem, ext = split_extension(record.name)
        milestone = plan.milestone(mid)
        fallback = (milestone.deliverable if milestone else None) or "Deliverable"
        description = descriptive_part(record.mapping.title, fallback, window)
        chosen.append((record, Wanted(int(mid.split(".")[0]), mid, description, accepted.iso if accepted else None,
                                      ext)))
    fixed = [f"{DOCS_FOLDER}/{name} - 2026-12-31.pdf" for name in SIGNED_NAMES.values()]  # with a date, the longest
    fixed += [f"{DOCS_FOLDER}/{spec.filename}" for spec in documents_for(stage.value)]
    layout = plan_layout(
        plan, stage, [w for _r, w in chosen],
        budget=path_budget(rules.build.windows_path_limit, rules.build.extraction_prefix),
        max_title_length=rules.build.max_title_length, fixed_names=fixed,
    )
    planned: list[Planned] = []
    for i, (record, wanted) in enumerate(chosen):
        assert record.facts is not None
        source = folder.joinpath(*record.path.split("/"))
        planned.append(
            Planned(
                arcname=layout.path(i, wanted.objective), role="deliverable", size=record.size,
                sha256=record.facts.sha256, source=record.path, source_path=source,
                compress=_compress(record, source, rules), objective=wanted.objective, milestone=wanted.milestone,
                date=wanted.date, pages=record.facts.pages, status=_status(by_path.get(record.path, [])),
                dates=tuple(
                    {"date": d.value.isoformat(), "source": d.source, "text": d.text, "confidence": d.confidence}
                    for d in (record.evidence.dates if record.evidence else ())
                ),
            )
        )
    return planned, excluded, layout


def plan_signed(result: CheckResult, folder: Path, top: str, stage: Stage) -> list[Planned]:
    assert result.inventory is not None
    out = []
    for role in STAGE_DOCUMENTS[stage]:
        record = result.inventory.documents.get(role)
        if record is None:
            continue
        source = folder.joinpath(*record.path.split("/"))
        _stem, ext = split_extension(record.name)
        # A date its own name carried stays in the built name: a scan dated only by its name is still dated in
        # the zip (a date the page shows is read there again).
        dated = record.evidence.for_built_name if record.evidence else None
        dated = dated if dated is not None and dated.source == "name" else None
        arcname = (f"{top}/{DOCS_FOLDER}/{SIGNED_NAMES[role]}" + (f" - {dated.iso}" if dated else "")
                   + (f".{ext.lower()}" if ext else ""))
        sha = record.facts.sha256 if record.facts else sha256_file(source)
        out.append(
            Planned(arcname=arcname, role="signed", size=record.size, sha256=sha, source=record.path,
                    source_path=source, compress=_compress(record, source, result.rules), document=role)
        )
    return out


def split_parts(deliverables: list[Planned], split_mb: float | None) -> list[list[int]]:
    """Group objectives into parts under `split_mb` each (an objective is never split)."""
    objectives = sorted({p.objective for p in deliverables if p.objective is not None})
    if not split_mb:
        return [objectives]
    limit = split_mb * 1024 * 1024
    sizes = Counter[int]()
    for p in deliverables:
        if p.objective is not None:
            sizes[p.objective] += p.size
    parts: list[list[int]] = []
    current: list[int] = []
    used = 0.0
    for o in objectives:
        if current and used + sizes[o] > limit:
            parts.append(current)
            current, used = [], 0.0
        current.append(o)
        used += sizes[o]
    if current or not parts:
        parts.append(current)
    return parts


def _context(
    result: CheckResult, deliverables: list[Planned], part_of: dict[int, int], part: dict[str, int] | None,
    open_findings: list[Finding], signed: list[Planned], generated: list[dict[str, Any]], built: dt.datetime,
    top: str, folders: dict[int, str],
) -> dict[str, Any]:
    plan, rules = result.plan, result.rules
    objectives = []
    for o, objective in enumerate(plan.objectives, start=1):
        milestones = []
        for m, ms in enumerate(objective.milestones, start=1):
            mid = f"{o}.{m}"
            files = [
                {
                    "zip_name": p.arcname.rsplit("/", 1)[-1],  # the objective heading names the folder
                    "date": p.date,
                    "pages": p.pages,
                    "sha256_short": p.sha256[:12],
                    "status": p.status,
                    "part": part_of.get(o) if part else None,
                }
                for p in deliverables if p.milestone == mid
            ]
            milestones.append({
                "id": mid, "title": ms.title, "assigned_to": ms.assigned_to,
                "target_date": ms.target_date.isoformat() if ms.target_date else None,
                "deliverable": ms.deliverable, "weight": ms.weight, "self_score": ms.self_score,
                "status": ms.status, "files": files,
            })
        weight = sum(ms.weight or 0 for ms in objective.milestones)
        scores = [ms.self_score for ms in objective.milestones if ms.self_score is not None]
        score = sum(scores) if scores else None
        objectives.append({
            "number": o, "title": objective.title,
            "short_title": folders[o].partition(" - ")[2],
            "folder": folders[o],
            "weight": weight, "self_score": score,
            "percent": round(score / weight * 100, 2) if score is not None and weight else None,
            "notes": objective.notes, "audit_recommendation": objective.audit_recommendation,
            "milestones": milestones,
        })
    percent = plan.self_score_percent(rules)
    program = rules.program(plan.program)
    return {
        "plan": plan, "rules": rules, "stage": result.stage.value,
        "program_name": program.name if program else plan.program,
        "generated": long_date(built.date()), "part": part, "objectives": objectives,
        "totals": {
            "weight": plan.total_weight, "self_score": plan.total_self_score, "percent": percent,
            "pass_mark": rules.scoring.pass_mark,
            "passed": None if percent is None else percent + 1e-9 >= rules.scoring.pass_mark,
        },
        "open_findings": [
            {"check": f.check, "severity": f.severity.value, "message": f.message, "hint": f.hint,
             "where": f.path or (f"milestone {f.milestone}" if f.milestone else
                                 f"objective {f.objective}" if f.objective else "whole plan")}
            for f in open_findings
        ],
        "accepted_findings": [
            {"check": f.check, "severity": f.severity.value, "message": f.message, "reason": f.accepted,
             "where": f.path or (f"milestone {f.milestone}" if f.milestone else
                                 f"objective {f.objective}" if f.objective else "whole plan")}
            for f in result.findings if f.accepted is not None
        ],
        "signed_documents": [
            {"role_label": ROLE_LABELS.get(p.document or "", p.arcname), "zip_name": p.arcname[len(top) + 1 :]}
            for p in signed
        ],
        "generated_documents": generated,
    }


def _manifest(
    result: CheckResult, files: list[Planned], part: dict[str, int], parts: list[list[int]], built: dt.datetime,
    top: str, excluded: list[str],
) -> bytes:
    data = {
        "manifest_version": 1,
        "tool": {"name": "packager", "version": __version__},
        "rules": {"profile": result.rules.profile, "title": result.rules.title},
        "stage": result.stage.value,
        "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "root": top + "/",
        "part": part,
        "parts": [{"number": i, "objectives": objs} for i, objs in enumerate(parts, start=1)],
        "plan": plan_to_data(result.plan),
        "score": result.score.to_dict(),
        "files": [
            {
                "path": p.arcname, "size": p.size, "sha256": p.sha256, "role": p.role,
                "objective": p.objective, "milestone": p.milestone, "source": p.source,
                "date": p.date, "dates": list(p.dates),
            }
            for p in sorted(files, key=lambda p: p.arcname)
        ],
        "excluded": excluded,
        "findings": [f.to_dict() for f in result.findings],
    }
    # Control, bidi and undecodable characters (from file names) as \\u escapes: valid JSON, same strings.
    text = escape_unsafe(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False), json=True)
    return (text + "\n").encode("utf-8")


def part_path(output: Path, number: int, count: int) -> Path:
    if count == 1:
        return output
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.with_name(f"{stem} - Part {number} of {count}{output.suffix or '.zip'}")


def build_submission(
    folder: Path,
    output: Path,
    *,
    stage: Stage = Stage.FINAL,
    allow_errors: bool = False,
    split_mb: float | None = None,
    templates_dir: Path | None = None,
    plan_path: Path | None = None,
    rules_spec: str | None = None,
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
    on_stage: Callable[[str], None] | None = None,
    force: bool = False,
    config: Config | None = None,
    write_progress: ProgressFn | None = None,
    ocr: str = "auto",
) -> BuildResult:
    """Check `folder`, then write the submission zip(s) to `output`.

    The output may not be inside `folder`, and an existing file is replaced only when it is a zip
    this tool built (or `force` is given). `config` (default: the folder's packager.toml) selects
    checks and accepts findings; accepted findings never block the build and are listed, with their
    reasons, in the index and manifest. With `config.strict`, warnings block the build like errors.
    `write_progress(done, total)` follows the bytes of evidence copied into the zip(s).
    """
    if templates_dir is not None and not templates_dir.is_dir():
        raise InputError("the templates folder does not exist", file=templates_dir, field="--templates")
    if split_mb is not None and not (math.isfinite(split_mb) and 0 < split_mb <= MAX_SPLIT_MB):
        raise InputError(f"{split_mb:g} is not a size", field="--split-mb",
                         expected=f"a number of megabytes from 0 to {MAX_SPLIT_MB:,}, e.g. 20")
    guard = functools.partial(check_output, source_folder=folder, inputs=(plan_path,), force=force, kind="zip")
    guard(output)
    config = config if config is not None else load_config(resolve_folder(folder))
    result = check_folder(folder, stage=stage, plan_path=plan_path, rules_spec=rules_spec, today=today,
                          progress=_loading_renderer(progress), config=config, ocr=ocr)
    _load_renderer()  # when no file was inspected; the render workers fork with it loaded
    if result.summary.failed(config.strict) and not allow_errors:
        raise BuildRefused(result)
    # Invisible and control characters (reported as file-name-unsafe) never reach a zip name or a PDF.
    result = dataclasses.replace(result, plan=strip_unsafe_deep(result.plan))
    if on_stage:
        on_stage("Writing the zip")
    rules, plan = result.rules, result.plan
    built = build_time(today)
    deliverables, excluded, layout = plan_deliverables(result, folder, stage)
    top = layout.top
    signed = plan_signed(result, folder, top, stage)
    parts = split_parts(deliverables, split_mb)
    part_of = {o: i for i, objs in enumerate(parts, start=1) for o in objs}
    open_findings = strip_unsafe_deep([
        f for f in result.findings if f.severity is not Severity.INFO and f.accepted is None
    ] if result.summary.failed(config.strict) else [])
    specs = documents_for(stage.value)
    for number, objectives in enumerate(parts, start=1):
        target = part_path(output, number, len(parts))
        if target != output:
            guard(target)
        in_part = [p for p in deliverables if p.objective in objectives]
        docs = len(specs) if number == 1 else 1
        _within_audit_limits(target, [*(signed if number == 1 else []), *in_part], docs + 1, rules)
    header = f"{plan.company} \u2014 {plan.program} Action Plan {plan.year}"
    copied = [0]
    to_copy = sum(p.size for p in [*signed, *deliverables]) or 1

    def copied_bytes(n: int) -> None:
        copied[0] += n
        if write_progress is not None:
            write_progress(min(copied[0], to_copy), to_copy)

    outputs: list[Path] = []
    sizes: list[int] = []
    entries = 0
    for number, objectives in enumerate(parts, start=1):
        part = {"number": number, "count": len(parts)}
        in_part = [p for p in deliverables if p.objective in objectives]
        carried_docs = specs if number == 1 else tuple(s for s in specs if s.template == "index.html.j2")
        part_signed = signed if number == 1 else []
        generated_meta = [
            {"title": s.title, "zip_name": f"{DOCS_FOLDER}/{s.filename}", "part": number}
            for s in carried_docs
        ]
        context = _context(result, deliverables, part_of, part if len(parts) > 1 else None, open_findings,
                           signed, generated_meta, built, top, layout.folders)
        target = part_path(output, number, len(parts))
        sources = [ZipItem(p.arcname, source=p.source_path, compress=p.compress, sha256=p.sha256)
                   for p in [*part_signed, *in_part]]
        with ProcessPoolExecutor(max_workers=min(2, len(carried_docs)), mp_context=pool_context(),
                                 initializer=die_with_parent) as pool, stopping(pool):
            # The documents render in worker processes while the evidence is copied into the zip.
            futures = [pool.submit(_render, spec, context, templates_dir, built, header, top) for spec in carried_docs]

            def late_items(futures: list[Future[Planned]] = futures, in_part: list[Planned] = in_part,
                           part_signed: list[Planned] = part_signed, part: dict[str, int] = part) -> list[ZipItem]:
                generated = [f.result() for f in futures]
                manifest = _manifest(result, [*generated, *part_signed, *in_part], part, parts, built, top, excluded)
                return [*(ZipItem(g.arcname, data=g.data, compress=True) for g in generated),
                        ZipItem(f"{top}/{DOCS_FOLDER}/{MANIFEST}", data=manifest)]

            try:
                sizes.append(write_zip(target, sources, built, then=late_items, progress=copied_bytes))
            except SourceChanged as exc:
                raise InputError(
                    "this file changed while the zip was being built, so the checks no longer describe it",
                    file=exc.path, hint="Wait until nobody is editing the folder, then run the build again",
                ) from None
        entries += len(sources) + len(carried_docs) + 1
        outputs.append(target)
    if write_progress is not None:
        write_progress(to_copy, to_copy)
    findings = list(result.findings)
    limit = rules.build.email_limit_mb
    for number, (target, size) in enumerate(zip(outputs, sizes, strict=True), start=1):
        if split_mb and size > split_mb * 1024 * 1024:
            # Objectives are never split between parts: one larger than --split-mb makes a part that large.
            held = parts[number - 1]
            why = (f"it holds objective {held[0]} alone, and an objective is never split between parts"
                   if len(held) == 1 else "the generated documents and the zip's own records add to its files")
            findings.append(TOO_LARGE.finding(
                f"'{target.name}' is {size / 1024 / 1024:.1f} MB, over the {split_mb:g} MB asked for with "
                f"--split-mb: {why}.",
                path=target.name, objective=held[0] if len(held) == 1 else None,
                hint="Send that part through a file-sharing link (the program allows a cloud-based download "
                "service), or make its largest files smaller: a photo saved at 1600 pixels or a scan at 200 DPI "
                "is plenty.",
            ))
        elif size > limit * 1024 * 1024:
            findings.append(TOO_LARGE.finding(
                f"'{target.name}' is {size / 1024 / 1024:.1f} MB, over the {limit:g} MB email limit.",
                path=target.name,
            ))
    return BuildResult(result, tuple(outputs), tuple(sizes), tuple(sort_findings(findings)), entries,
                       tuple(excluded))


def _load_renderer() -> None:
    """Import the document renderer and parse its fonts in this process (once)."""
    from packager.documents import render

    render.preload()


def _loading_renderer(progress: ProgressFn | None) -> ProgressFn:
    """`progress`, loading the renderer when the first inspected files come back.

    The main process only waits while the workers inspect, so the renderer's imports and font
    parsing (about 0.3 CPU-s) happen then instead of before the checks start. They run in this
    thread, between two progress reports, never while a worker process is being forked: the
    pool has forked all its workers before any file comes back."""
    loaded = False

    def report(done: int, total: int) -> None:
        nonlocal loaded
        if done and not loaded:
            loaded = True
            _load_renderer()
        if progress is not None:
            progress(done, total)

    return report


def _within_audit_limits(target: Path, files: list[Planned], generated: int, rules: Rules) -> None:
    """A zip this tool builds must pass this tool's audit: same entry count and size limits."""
    limits = rules.archive
    count = len(files) + generated
    if count > limits.max_entries:
        raise InputError(
            f"the zip would hold {count:,} files, more than the {limits.max_entries:,} that 'packager audit' "
            "(and the reviewer) will accept in one zip", file=printable_path(str(target)),
            hint="Remove files that are not evidence, or build with --split-mb to make several parts",
        )
    for p in files:
        if p.size > limits.max_entry_bytes:
            raise InputError(
                f"'{printable_path(p.source or p.arcname)}' is {p.size / 1024**3:.1f} GB, over the "
                f"{limits.max_entry_bytes / 1024**3:g} GB a reviewer's audit accepts for one file",
                file=printable_path(str(target)), hint="Reduce the file (scan at a lower resolution, or split it)",
            )
    total = sum(p.size for p in files)
    if total > limits.max_total_bytes:
        raise InputError(
            f"the zip would hold {total / 1024**3:.1f} GB, over the {limits.max_total_bytes / 1024**3:g} GB a "
            "reviewer's audit accepts for one zip", file=printable_path(str(target)),
            hint="Build with --split-mb to make several parts, or reduce the largest files",
        )


def _render(
    spec: DocumentSpec, context: dict[str, Any], templates_dir: Path | None, built: dt.datetime, header: str,
    top: str,
) -> Planned:
    from packager.documents.render import render_pdf

    data = render_pdf(spec.template, context, title=spec.title, templates_dir=templates_dir, fixed_date=built,
                      header_text=header)
    return Planned(arcname=f"{top}/{DOCS_FOLDER}/{spec.filename}", role="generated", size=len(data),
                   sha256=hashlib.sha256(data).hexdigest(), data=data, compress=True)
