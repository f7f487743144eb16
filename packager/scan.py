"""Walk a submission folder into an Inventory. The folder is only ever read.

Files are classified (plan, plan documents, admin, deliverables, ignored), mapped to their
milestone by the naming convention, and inspected in parallel worker processes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from packager.classify import classify
from packager.findings import Finding
from packager.inspect import FileFacts, InspectOptions, inspect_file
from packager.inventory import Inventory, Mapping
from packager.model import Stage
from packager.naming import NamingConvention, labels_in_text
from packager.plan import Plan
from packager.rules import Rules

ProgressFn = Callable[[int, int], None]

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 8


def walk(folder: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every regular file below `folder` as (relative posix path, entry), sorted, links not followed."""
    stack: list[tuple[str, Path]] = [("", folder)]
    while stack:
        prefix, current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                subdirs.append((rel + "/", Path(entry.path)))
            elif entry.is_file(follow_symlinks=False):
                yield rel, entry
        stack.extend(reversed(subdirs))


def inspect_many(
    jobs: Iterable[tuple[Path, str]],
    options: InspectOptions,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    total: int | None = None,
) -> list[FileFacts]:
    """Inspect files (path, display name) in parallel, preserving order.

    `jobs` may be a lazy iterator (the audit spools each entry just before yielding it), so the
    workers start on the first files while later ones are still being produced.
    """
    if total is None:
        jobs = list(jobs)
        total = len(jobs)
    if progress:
        progress(0, total)
    workers = workers or min(os.cpu_count() or 1, 8)
    results: list[FileFacts] = []
    if total < PARALLEL_MIN_FILES or workers <= 1:
        for path, name in jobs:
            results.append(inspect_file(path, options, name))
            if progress:
                progress(len(results), total)
        return results
    submitted: list[tuple[Path, str]] = []
    failed: list[int] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = []
        for path, name in jobs:
            submitted.append((path, name))
            futures.append(pool.submit(inspect_file, path, options, name))
        for index, future in enumerate(futures):
            try:
                results.append(future.result())
            except Exception:  # the worker died (killed, out of memory) or its result was lost
                failed.append(index)
                results.append(_inspector_died(path=None))
            if progress:
                progress(len(results), total)
    if failed:
        for index, facts in zip(failed, retry_alone([submitted[i] for i in failed], options), strict=True):
            results[index] = facts
    return results


def _inspector_died(path: Path | None) -> FileFacts:
    return FileFacts(
        kind="unknown", mime="application/octet-stream", size=_size(path), sha256="",
        unreadable="reading it stopped the inspector (it ran out of memory or crashed), so it could not be checked",
    )


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def retry_alone(jobs: list[tuple[Path, str]], options: InspectOptions) -> list[FileFacts]:
    """Inspect files whose worker died, one worker at a time, to find the file that kills it.

    When one worker dies every pending file of the pool fails with it. Run again in a one-worker
    pool, files are read in order, so the first failure is the culprit: it gets an ``unreadable``
    finding and the files after it go to a fresh pool. Every round settles at least one file.
    """
    out: list[FileFacts | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    while pending:
        culprit: int | None = None
        with ProcessPoolExecutor(max_workers=1) as pool:
            futures = [(i, pool.submit(inspect_file, jobs[i][0], options, jobs[i][1])) for i in pending]
            for i, future in futures:
                if culprit is not None:
                    future.cancel()
                    continue
                try:
                    out[i] = future.result()
                except Exception:
                    culprit = i
                    out[i] = _inspector_died(jobs[i][0])
        pending = [i for i in pending if out[i] is None]
    return [facts if facts is not None else _inspector_died(None) for facts in out]


def label_mapping(mapping: Mapping, facts: FileFacts | None, naming: NamingConvention) -> Mapping:
    """Add the PDF title and first-page text as label sources, and flag a disagreeing label."""
    if facts is None:
        return mapping
    sources = list(mapping.label_sources)
    labels: set[str] = set()
    if facts.title:
        match = naming.file_name(facts.title)
        if match and match.objective is not None and match.milestone is not None:
            labels.add(f"{match.objective}.{match.milestone}")
            if f"{match.objective}.{match.milestone}" == mapping.milestone:
                sources.append("title")
        title_labels = labels_in_text(facts.title)
        labels |= title_labels
        if mapping.milestone in title_labels and "title" not in sources:
            sources.append("title")
    text_labels = labels_in_text(facts.text[:4000])
    labels |= text_labels
    if mapping.milestone in text_labels:
        sources.append("first page")
    conflict = mapping.conflict
    if mapping.milestone and labels and mapping.milestone not in labels and conflict is None:
        named = ", ".join(sorted(labels))
        conflict = f"it is filed under milestone {mapping.milestone} but the document itself is labelled {named}"
    return replace(mapping, label_sources=tuple(sources), conflict=conflict)


def scan_folder(
    folder: Path,
    plan: Plan,
    rules: Rules,
    *,
    stage: Stage,
    today: dt.date,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    plan_path: Path | None = None,
) -> tuple[Inventory, list[Finding]]:
    """Classify, map and (at the final stage) inspect every file of the folder."""
    naming = NamingConvention(rules.naming)
    window = plan.window(rules)
    options = InspectOptions(rules=rules.deliverables, window=window)
    plan_rel = None
    if plan_path is not None:
        try:
            plan_rel = plan_path.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            plan_rel = None
    sized = [(rel, entry.stat(follow_symlinks=False).st_size) for rel, entry in walk(folder)]
    classified = classify(sized, naming, documents=plan.documents.named(), window=window, plan=plan_rel)
    records = list(classified.records)

    # The proposal needs only to know the documents exist; the final stage reads every file.
    to_inspect = [
        i for i, r in enumerate(records) if stage is Stage.FINAL and r.role in ("deliverable", "document")
    ]
    facts = inspect_many(
        [(folder.joinpath(*records[i].path.split("/")), records[i].name) for i in to_inspect],
        options, progress, workers,
    )
    for i, f in zip(to_inspect, facts, strict=True):
        record = records[i]
        mapping = label_mapping(record.mapping, f, naming) if record.role == "deliverable" else record.mapping
        records[i] = replace(record, facts=f, mapping=mapping)

    by_path = {r.path: r for r in records}
    documents = {
        role: (by_path.get(record.path) if record is not None else None)
        for role, record in classified.documents.items()
    }
    inventory = Inventory(
        root=str(folder),
        files=tuple(records),
        ignored=classified.ignored,
        documents=documents,
        document_paths=classified.document_paths,
    )
    return inventory, []
