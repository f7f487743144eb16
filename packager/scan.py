"""Walk a submission folder into an Inventory. The folder is only ever read.

Files are classified (plan, plan documents, admin, deliverables, ignored), mapped to their
milestone by the naming convention, and inspected in parallel worker processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Protocol

from packager import cachedb, cachedir, factcache
from packager.checks.registry import declare
from packager.classify import classify, written_parts
from packager.errors import os_cause
from packager.evidence import decide
from packager.findings import Finding, Severity
from packager.inspect import FileFacts, InspectOptions
from packager.inspect.smallfile import Span, read_small, read_span
from packager.inventory import FileRecord, Inventory
from packager.model import Stage
from packager.naming import NamingConvention
from packager.plan import Plan
from packager.rules import DeliverableRules, Rules
from packager.safetext import printable_path
from packager.textutil import name_key
from packager.workers import die_with_parent, keep_freed_memory, raise_if_ended, stopping

ProgressFn = Callable[[int, int], None]

# Below this many files, a second worker process costs more than it saves (see ``_pool_size``).
PARALLEL_MIN_FILES = 8


FOLDER_UNREADABLE = declare(
    "folder-unreadable", Severity.WARNING, "mapping",
    "A folder or file inside the submission folder could not be read (permission denied, a path too long for "
    "the system, removed during the check), so what it holds was not checked.",
    "Make sure you can open that folder or file (check its permissions, or shorten the folder names), then "
    "run the check again.",
)

WalkProblem = tuple[str, OSError]


def walk(folder: Path, problems: list[WalkProblem] | None = None) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every regular file below `folder` as (relative posix path, entry), sorted, links not followed.

    A folder that cannot be listed is added to `problems` (relative path, error), never silently dropped.
    """
    stack: list[tuple[str, Path]] = [("", folder)]
    while stack:
        prefix, current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if problems is not None:
                problems.append((prefix.rstrip("/") or ".", exc))
            continue
        subdirs = []
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append((rel + "/", Path(entry.path)))
                elif entry.is_file(follow_symlinks=False):
                    yield rel, entry
            except OSError as exc:
                if problems is not None:
                    problems.append((rel, exc))
        stack.extend(reversed(subdirs))


def walk_findings(problems: list[WalkProblem]) -> list[Finding]:
    """One folder-unreadable finding per folder or file that could not be read."""
    return [
        FOLDER_UNREADABLE.finding(
            f"'{printable_path(rel)}' could not be read ({os_cause(exc)}), so what it holds was not checked.",
            path=printable_path(rel),
        )
        for rel, exc in problems
    ]


# What the checks read of a file's text (the labels on its first page); the rest stays in the worker.
RESULT_TEXT_CHARS = 4000
# Files per task sent to a worker at most; fewer when there are few files per worker.
CHUNK_MAX = 32

# (the file, or an entry's place in a received zip when it is read in place; display name[, known SHA-256])
Job = tuple[Path | Span, str] | tuple[Path | Span, str, str]
# A step run on each file's facts in the worker that inspected it: (job index, facts) -> result.
Post = Callable[[int, FileFacts], Any]
# What evidence.decide needs besides the record: naming convention, rules, date window, today.
Decider = tuple[NamingConvention, DeliverableRules, tuple[dt.date, dt.date], dt.date]


class Gate(Protocol):
    """Holds a lazy source back until earlier files are done (the audit's memory budget)."""

    def full(self) -> bool:
        """True while the source must not produce another job."""

    def done(self, indices: list[int]) -> None:
        """The jobs at ``indices`` are finished: their results are in."""


def pool_context() -> BaseContext:
    """The start method the timings were measured with: fork on Linux (Python 3.14 would pick
    forkserver, a second slower to start), the platform default elsewhere (spawn on macOS and
    Windows, where fork is unsafe or absent)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def inspect_for_checks(
    source: Path | Span, options: InspectOptions, name: str, sha256: str | None = None
) -> FileFacts:
    """A file's facts as the checks use them: from the facts cache when its content was seen
    before, otherwise inspected (and cached), with the text trimmed to what the checks read.

    ``source`` is the file, or (``audit``) an entry's place in the received zip, whose bytes are read
    from there (``read_span``) instead of from an unpacked copy.
    """
    if isinstance(source, Span):
        return _inspect_span(source, options, name, sha256)
    path = source
    # A small file is read once, whole: its hash, its type and a PDF's structure all come from that
    # one read (on a network drive each open costs milliseconds).
    data: bytes | None = None
    read = False
    cache_key = None
    if cachedir.cache_enabled():
        digest = sha256
        if digest is None:
            data, read = read_small(path), True
            digest = hashlib.sha256(data).hexdigest() if data is not None else _regular_file_hash(path)
        if digest:
            cache_key = _cache_key(options, name, digest)
            hit = factcache.load(cache_key)
            if hit is not None:
                return hit
            sha256 = digest
    if not read:
        data = read_small(path)
    return _trimmed_and_cached(inspect_file(path, options, name, sha256, data), cache_key, sha256)


def _cache_key(options: InspectOptions, name: str, digest: str) -> str:
    from packager.ocr import cache_hint

    return factcache.key(digest, name, options, extra=f"{RESULT_TEXT_CHARS}|{cache_hint(options, name)}")


def _trimmed_and_cached(facts: FileFacts, cache_key: str | None, sha256: str | None) -> FileFacts:
    if len(facts.text) > RESULT_TEXT_CHARS:
        facts = replace(facts, text=facts.text[:RESULT_TEXT_CHARS])
    if cache_key is not None and facts.sha256 == sha256:
        factcache.store(cache_key, facts)
    return facts


# What a zip entry read in place says when the zip changed after it was checked (``audit`` then stops).
ZIP_CHANGED = "it could not be read from the zip again: the zip changed or was moved while it was checked"
# Where the readers are told the file is when they are given its bytes: they never open it (see
# tests/test_read_once.py), and should one try, it fails (a path below a device is no folder).
_NOWHERE = Path(os.devnull) / "entry"


def _inspect_span(span: Span, options: InspectOptions, name: str, sha256: str | None) -> FileFacts:
    """``inspect_for_checks`` of a zip entry read in place (its SHA-256 is known: the zip's checksum
    of those bytes was checked when it was hashed)."""
    cache_key = None
    if cachedir.cache_enabled() and sha256:
        cache_key = _cache_key(options, name, sha256)
        hit = factcache.load(cache_key)
        if hit is not None:
            return hit
    data = read_span(span)
    if data is None:
        return FileFacts(
            kind="unknown", mime="application/octet-stream", size=span.length, sha256=sha256 or "",
            unreadable=ZIP_CHANGED,
        )
    return _trimmed_and_cached(inspect_file(_NOWHERE, options, name, sha256, data), cache_key, sha256)


def inspect_file(path: Path, options: InspectOptions, name: str, sha256: str | None, data: bytes | None) -> FileFacts:
    """``packager.inspect.inspect_file``, its readers loaded on first use (see ``load_readers``)."""
    from packager.inspect.core import inspect_file as inspect

    return inspect(path, options, name, sha256, data)


def _regular_file_hash(path: Path) -> str | None:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        from packager.inspect.core import hash_file

        return hash_file(path)
    except OSError:
        return None


# What a worker process works with, set once when it starts (a forked worker inherits it, a
# spawned one receives it once) instead of with every chunk: the options and the step run on each
# file's facts in the worker (see ``inspect_and_decide``).
_worker: dict[str, Any] = {}


def _start_worker(options: InspectOptions, post: Post | None) -> None:
    from packager.inspect.pdf import silence_pypdf  # loaded before the workers were forked

    die_with_parent()
    keep_freed_memory()
    silence_pypdf()
    _worker["options"] = options
    _worker["post"] = post


class Undecided:
    """The facts of a file whose worker-side step raised: the caller runs the step again, in the open."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts


def _finish(post: Post | None, index: int, facts: FileFacts) -> Any:
    if post is None:
        return facts
    try:
        return post(index, facts)
    except Exception:  # run again by the caller, where an error is reported as such
        return Undecided(facts)


def _inspect_chunk(chunk: list[tuple[int, Job]]) -> list[tuple[int, Any]]:
    options: InspectOptions = _worker["options"]
    post: Post | None = _worker["post"]
    out = [
        (index, _finish(post, index, inspect_for_checks(job[0], options, job[1], _sha(job)))) for index, job in chunk
    ]
    cachedb.flush()  # facts and OCR, one commit per chunk (a worker ends with os._exit: nothing would at exit)
    return out


def _sha(job: Job) -> str | None:
    return job[2] if len(job) > 2 else None


def _chunk_size(total: int, workers: int) -> int:
    # About 16 tasks per worker keeps both busy to the end without paying per-file round trips.
    return max(1, min(CHUNK_MAX, total // (workers * 16)))


def _largest_first(jobs: list[Job], sizes: list[int] | None = None) -> list[int]:
    def size(index: int) -> int:
        return sizes[index] if sizes is not None else _size(jobs[index][0])

    return sorted(range(len(jobs)), key=lambda i: (-size(i), i))


def inspect_many(
    jobs: Iterable[Job],
    options: InspectOptions,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    total: int | None = None,
) -> list[FileFacts]:
    """Inspect files (path, display name[, SHA-256]) in parallel; results in the order given.

    A list of jobs is sent to the workers in chunks, largest files first, so both cores stay
    busy to the end. ``jobs`` may also be a lazy iterator with ``total`` given: then chunks go out
    in arrival order, and the workers start on the first files while later ones are still being
    produced. A lazy source may yield fewer jobs than ``total``.
    """
    if total is None:
        listed = list(jobs)
        return _run(_ordered(listed), len(listed), options, None, progress, workers, lazy=False)
    found = _run(enumerate(jobs), total, options, None, progress, workers, lazy=True)
    return [facts for facts in found if facts is not None]


def inspect_and_decide(
    jobs: list[Job],
    records: list[FileRecord],
    decider: Decider,
    options: InspectOptions,
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> list[FileRecord]:
    """Inspect the file of each record, and decide its evidence (``evidence.decide``) where it was
    inspected: in the worker, so the decisions run on both cores while files are read."""
    sizes = [r.size for r in records]  # measured by the walk: no second stat per file
    decided = decide_as_produced(_ordered(jobs, sizes), records, decider, options, progress, workers, lazy=False)
    return [record for record in decided if record is not None]


def decide_as_produced(
    indexed: Iterable[tuple[int, Job]],
    records: list[FileRecord],
    decider: Decider,
    options: InspectOptions,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    lazy: bool = True,
    gate: Gate | None = None,
) -> list[FileRecord | None]:
    """Inspect and decide the file of ``records[i]`` for each (i, job), in the worker that inspected it.

    ``indexed`` may be produced lazily (the audit spools each entry just before yielding it) and may
    leave records out (an entry that could not be spooled): their slots are None. Chunks go out in
    the order the jobs come; ``lazy`` says that they are produced one by one, and ``gate`` may hold
    the source back until earlier files are done (see ``_run``).
    """
    post = _DecideRecord(tuple(records), decider)
    out: list[FileRecord | None] = []
    for index, result in enumerate(_run(indexed, len(records), options, post, progress, workers, lazy, gate)):
        if isinstance(result, Undecided):
            result = post(index, result.facts)  # raised in the worker: decided again here
        out.append(result)
    return out


def _ordered(jobs: list[Job], sizes: list[int] | None = None) -> Iterator[tuple[int, Job]]:
    return ((i, jobs[i]) for i in _largest_first(jobs, sizes))


class _DecideRecord:
    """The worker-side step of ``inspect_and_decide``: a record with its facts, decided."""

    def __init__(self, records: tuple[FileRecord, ...], decider: Decider) -> None:
        self.records = records
        self.decider = decider

    def __call__(self, index: int, facts: FileFacts) -> FileRecord:
        naming, rules, window, today = self.decider
        return decide(replace(self.records[index], facts=facts), naming, rules, window, today)


def _run(
    indexed: Iterable[tuple[int, Job]],
    total: int,
    options: InspectOptions,
    post: Post | None,
    progress: ProgressFn | None,
    workers: int | None,
    lazy: bool,
    gate: Gate | None = None,
) -> list[Any]:
    """Each (index, job)'s facts (or ``post``'s result) at its index; None where no job came.

    Files are read in worker processes (``_pool_size`` says how many), so that a file that crashes
    its reader (a hostile PDF that makes PDFium fault) becomes a finding on that file instead of
    ending the run. A ``lazy`` source produces its jobs one by one: its first chunks are of one file
    each, so that no worker waits for a whole chunk to be produced before it starts. While ``gate``
    is full, no job is taken from the source until a chunk in the workers is done (one whose worker
    died is not reported done: its files are read again).
    """
    if cachedir.cache_enabled():
        cachedir.tidy()
    if progress:
        progress(0, total)
    results: list[Any] = [None] * total
    workers = _pool_size(total, workers)
    if workers == 0:
        for done, (index, job) in enumerate(indexed, start=1):
            raise_if_ended()
            results[index] = _finish(post, index, inspect_for_checks(job[0], options, job[1], _sha(job)))
            if progress:
                progress(done, total)
        cachedb.flush()
        return results
    load_readers()  # once, here, so that the forked workers share them instead of each loading its own
    size = _chunk_size(total, workers)
    singles = workers if lazy else 0
    submitted: dict[int, Job] = {}
    failed: list[int] = []
    finished = 0
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=pool_context(), initializer=_start_worker, initargs=(options, post),
    ) as pool, stopping(pool):
        futures: dict[Future[list[tuple[int, Any]]], list[int]] = {}

        def settled(indices: list[int]) -> None:
            nonlocal finished
            raise_if_ended()
            finished += len(indices)
            if progress:
                progress(finished, total)

        def collect(future: Future[list[tuple[int, Any]]]) -> None:
            indices = futures.pop(future)
            try:
                for index, result in future.result():
                    results[index] = result
            except Exception:  # the worker died (killed, out of memory) or its result was lost
                failed.extend(indices)
            else:
                if gate is not None:
                    gate.done(indices)
            settled(indices)

        def send(chunk: list[tuple[int, Job]]) -> None:
            indices = [i for i, _ in chunk]
            try:
                futures[pool.submit(_inspect_chunk, chunk)] = indices
            except (BrokenProcessPool, RuntimeError):  # a worker died while jobs were still coming
                failed.extend(indices)
                settled(indices)

        chunk: list[tuple[int, Job]] = []
        for item in _held_back(indexed, gate, futures, collect):
            submitted[item[0]] = item[1]
            chunk.append(item)
            if len(chunk) >= (1 if singles > 0 else size) or (gate is not None and gate.full()):
                singles -= 1
                send(chunk)
                chunk = []
        if chunk:
            send(chunk)
        for future in as_completed(list(futures)):
            collect(future)
    if failed:
        failed.sort()
        for index, facts in zip(failed, retry_alone([submitted[i] for i in failed], options), strict=True):
            results[index] = _finish(post, index, facts)
    for index, job in submitted.items():
        if results[index] is None:
            results[index] = _finish(post, index, _inspector_died(job[0]))
    return results


def _held_back(
    indexed: Iterable[tuple[int, Job]],
    gate: Gate | None,
    running: dict[Future[list[tuple[int, Any]]], list[int]],
    collect: Callable[[Future[list[tuple[int, Any]]]], None],
) -> Iterator[tuple[int, Job]]:
    """The jobs of ``indexed``, each taken only once ``gate`` has room (or nothing runs to make room)."""
    source = iter(indexed)
    while True:
        while gate is not None and running and gate.full():
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                collect(future)
        item = next(source, None)
        if item is None:
            return
        yield item


def load_readers() -> None:
    """Load the file readers (pypdf, PDFium, Pillow, numpy: about 0.15 s).

    They load on first use, not when packager is imported: a command that only plans or reports
    never pays for them, and ``audit`` starts unpacking before they load (``archive.prespool``).
    """
    import packager.inspect.core  # noqa: F401


def _pool_size(total: int, workers: int | None) -> int:
    """How many worker processes read ``total`` files; 0 to read them in this process.

    ``workers=1`` asks for this process. Fewer than PARALLEL_MIN_FILES files go to one worker where
    workers are forked (a few milliseconds); where each must start afresh (spawn: macOS, Windows,
    about a second) a small run is read in this process, as is every run on one core.
    """
    if workers == 1 or total == 0:
        return 0
    forked = pool_context().get_start_method() == "fork"
    if total < PARALLEL_MIN_FILES:
        return 1 if forked else 0
    count = workers or min(os.cpu_count() or 1, 8)
    return count if count > 1 or forked else 0


def _inspector_died(path: Path | Span | None) -> FileFacts:
    return FileFacts(
        kind="unknown", mime="application/octet-stream", size=_size(path), sha256="",
        unreadable="reading it stopped the inspector (it ran out of memory or crashed), so it could not be checked",
    )


def _size(path: Path | Span | None) -> int:
    if isinstance(path, Span):
        return path.length
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def retry_alone(jobs: list[Job], options: InspectOptions) -> list[FileFacts]:
    """Inspect files whose worker died, one worker at a time, to find the file that kills it.

    When one worker dies every pending file of the pool fails with it. Run again in a one-worker
    pool, files are read in order, so the first failure is the culprit: it gets an ``unreadable``
    finding and the files after it go to a fresh pool. Every round settles at least one file.
    """
    out: list[FileFacts | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    while pending:
        culprit: int | None = None
        with ProcessPoolExecutor(max_workers=1, mp_context=pool_context(), initializer=die_with_parent) as pool, \
                stopping(pool):
            futures = [
                (i, pool.submit(_inspect_alone, jobs[i][0], options, jobs[i][1], _sha(jobs[i]))) for i in pending
            ]
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


def _inspect_alone(path: Path | Span, options: InspectOptions, name: str, sha256: str | None) -> FileFacts:
    facts = inspect_for_checks(path, options, name, sha256)
    cachedb.flush()
    return facts


SIGNED_ROLES = ("acknowledgement", "auditor_maintenance")


def signed_names(document_paths: dict[str, str]) -> frozenset[str]:
    """Keyed file names (``name_key``) of the signed documents, which OCR reads in full (InspectOptions.signed)."""
    return frozenset(
        name_key((written_parts(written) or [""])[-1])
        for role, written in document_paths.items() if role in SIGNED_ROLES
    )


def labelled_names(records: Iterable[FileRecord]) -> frozenset[str]:
    """Keyed names (``name_key``) that already name their milestone: OCR then needs only a dated page top."""
    return frozenset(name_key(r.name) for r in records if "name" in r.mapping.label_sources)


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
    ocr: str = "auto",
) -> tuple[Inventory, list[Finding]]:
    """Classify, map and (at the final stage) inspect every file of the folder."""
    naming = NamingConvention(rules.naming)
    window = plan.window(rules)
    options = InspectOptions(
        rules=rules.deliverables, window=window, ocr=ocr, naming=rules.naming,
        signed=signed_names(plan.documents.named()),
    )
    plan_rel = None
    if plan_path is not None:
        try:
            plan_rel = plan_path.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            plan_rel = None
    problems: list[WalkProblem] = []
    sized: list[tuple[str, int]] = []
    for rel, entry in walk(folder, problems):
        try:
            sized.append((rel, entry.stat(follow_symlinks=False).st_size))
        except OSError as exc:  # removed meanwhile, or a path beyond the system's limit
            problems.append((rel, exc))
    classified = classify(sized, naming, documents=plan.documents.named(), window=window, plan=plan_rel)
    records = list(classified.records)
    options = replace(options, labelled=labelled_names(records))

    # The proposal needs only to know the documents exist; the final stage reads every file.
    to_inspect = [
        i for i, r in enumerate(records) if stage is Stage.FINAL and r.role in ("deliverable", "document")
    ]
    decided = inspect_and_decide(
        [(folder.joinpath(*records[i].path.split("/")), records[i].name) for i in to_inspect],
        [records[i] for i in to_inspect], (naming, rules.deliverables, window, today),
        options, progress, workers,
    )
    for i, record in zip(to_inspect, decided, strict=True):
        records[i] = record

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
    return inventory, walk_findings(problems)
