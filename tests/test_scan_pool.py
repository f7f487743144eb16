"""Inspect and decide in the workers: the same records as deciding after the pool, and a decision
that fails in a worker is made again in the open (its error is not taken for a crashed inspector)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager import scan
from packager.evidence import decide
from packager.inspect import InspectOptions, inspect_file
from packager.inventory import FileRecord
from packager.naming import NamingConvention
from packager.rules import load_rules
from tests import synth
from tests.freshpython import run_python

RULES = load_rules()
NAMING = NamingConvention(RULES.naming)
WINDOW = (dt.date(2026, 4, 30), dt.date(2026, 11, 30))
TODAY = dt.date(2026, 11, 26)
OPTIONS = InspectOptions(RULES.deliverables, window=WINDOW, ocr="off")
DECIDER = (NAMING, RULES.deliverables, WINDOW, TODAY)


def _folder(tmp_path: Path) -> tuple[list[scan.Job], list[FileRecord]]:
    jobs: list[scan.Job] = []
    records = []
    for i in range(scan.PARALLEL_MIN_FILES):
        name = f"1.{i % 3 + 1} - record {i}.pdf"
        path = synth.make_text_pdf(tmp_path / name, text_lines=[f"Milestone 1.{i % 2 + 1}", f"May {i + 1}, 2026"])
        jobs.append((path, name))
        records.append(FileRecord(path=f"Objective 1/{name}", size=path.stat().st_size,
                                  mapping=NAMING.map_path(f"Objective 1/{name}")))
    return jobs, records


def test_decided_in_workers_as_after_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    jobs, records = _folder(tmp_path)
    pooled = scan.inspect_and_decide(jobs, records, DECIDER, OPTIONS, workers=2)
    facts = scan.inspect_many(jobs, OPTIONS, workers=1)
    after = [decide(dataclasses.replace(r, facts=f), *DECIDER) for r, f in zip(records, facts, strict=True)]
    assert pooled == after
    assert {r.mapping.milestone for r in pooled} >= {"1.1", "1.2"}


def test_a_failing_decision_is_made_again_in_the_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    jobs, records = _folder(tmp_path)

    def broken(record: FileRecord, *args: object) -> FileRecord:
        raise RuntimeError("decide failed")

    monkeypatch.setattr(scan, "decide", broken)  # forked workers inherit the broken step
    with pytest.raises(RuntimeError, match="decide failed"):
        scan.inspect_and_decide(jobs, records, DECIDER, OPTIONS, workers=2)



def test_fewer_collections_restores_the_collector() -> None:
    import gc

    from packager.workers import fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] >= 20_000 and gc.get_freeze_count() > 0
        with fewer_collections():  # nested (build runs check): the outer block still holds
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@pytest.mark.parametrize("command", ["check", "audit"])
def test_check_and_audit_build_their_records_with_fewer_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Both run their files through the workers with the collector of ``fewer_collections``: frozen
    imports (never walked again, left shared with the forked workers) and rare young collections."""
    import gc
    import shutil
    import zipfile

    from packager.api import check_folder
    from packager.audit import audit_zip

    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    sample = Path(__file__).resolve().parent.parent / "fixtures" / "sample"
    folder = shutil.copytree(sample, tmp_path / "sample")
    seen: list[tuple[int, int]] = []
    real_run = scan._run

    def watching_run(*args: object, **kwargs: object) -> Iterator[object]:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        return real_run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "_run", watching_run)
    if command == "check":
        check_folder(folder, today=TODAY, ocr="off", workers=1)
    else:
        archive = tmp_path / "received.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(folder).as_posix())
        audit_zip(archive, RULES, today=TODAY, ocr="off", workers=1)
    assert seen and all(threshold >= 20_000 and frozen > 0 for threshold, frozen in seen)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_job_left_out_of_a_lazy_source_leaves_only_its_own_slot_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """An audit entry that cannot be unpacked is skipped: every other file keeps its own record."""
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    jobs, records = _folder(tmp_path)
    skipped = 2

    def produced() -> Iterator[tuple[int, scan.Job]]:
        yield from ((i, job) for i, job in enumerate(jobs) if i != skipped)

    decided = scan.decide_as_produced(produced(), records, DECIDER, OPTIONS, workers=workers)
    assert decided[skipped] is None
    for i, record in enumerate(decided):
        if i != skipped:
            assert record is not None and record.path == records[i].path
            assert record.facts is not None and record.facts.size == jobs[i][0].stat().st_size
            assert dt.date(2026, 5, i + 1) in {found.date for found in record.facts.dates}


class _CountingGate:
    """Full while two jobs are out; records the jobs reported done and how many were ever out at once."""

    def __init__(self) -> None:
        self.produced = 0
        self.finished: list[int] = []
        self.most_out = 0

    def full(self) -> bool:
        return self.produced - len(self.finished) >= 2

    def done(self, indices: list[int]) -> None:
        self.finished.extend(indices)


def _gated(jobs: list[scan.Job], records: list[FileRecord], gate: _CountingGate) -> list[FileRecord | None]:
    def produced() -> Iterator[tuple[int, scan.Job]]:
        for i, job in enumerate(jobs):
            gate.produced += 1
            gate.most_out = max(gate.most_out, gate.produced - len(gate.finished))
            yield i, job

    return scan.decide_as_produced(produced(), records, DECIDER, OPTIONS, workers=2, gate=gate)


def test_a_gate_holds_a_lazy_source_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    jobs, records = _folder(tmp_path)
    gate = _CountingGate()
    decided = _gated(jobs, records, gate)
    assert gate.most_out <= 3  # two out, and the one just produced
    assert sorted(gate.finished) == list(range(len(jobs)))
    assert [r.path if r is not None else None for r in decided] == [r.path for r in records]


def test_with_a_gate_a_worker_that_dies_while_jobs_still_come_is_a_finding_on_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool breaks while the source still produces: what could not be sent is read again alone,
    and a job whose worker died is never reported done (its file is still needed)."""
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    jobs, records = _folder(tmp_path)
    gate = _CountingGate()

    def killer(
        path: Path, options: InspectOptions, name: str | None = None, sha256: str | None = None,
        data: bytes | None = None,
    ) -> object:
        if name == jobs[5][1]:
            os._exit(9)  # as under an out-of-memory kill
        return inspect_file(path, options, name, sha256, data)

    monkeypatch.setattr(scan, "inspect_file", killer)
    decided = _gated(jobs, records, gate)
    assert 5 not in gate.finished
    dead = [i for i, r in enumerate(decided) if r is not None and r.facts is not None and r.facts.unreadable]
    assert dead == [5]
    assert [r.path if r is not None else None for r in decided] == [r.path for r in records]


def _sigint_is_default() -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) is signal.SIG_DFL


def _ending_signals_are_default() -> bool:
    import signal

    return all(signal.getsignal(getattr(signal, n)) is signal.SIG_DFL for n in ("SIGTERM", "SIGHUP"))


@pytest.mark.skipif(scan.pool_context().get_start_method() != "fork", reason="forked workers only")
def test_a_pool_worker_ends_at_ctrl_c() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker must end, not carry on."""
    from concurrent.futures import ProcessPoolExecutor

    from packager.workers import die_with_parent

    with ProcessPoolExecutor(max_workers=1, mp_context=scan.pool_context(), initializer=die_with_parent) as pool:
        assert pool.submit(_sigint_is_default).result()


@pytest.mark.skipif(scan.pool_context().get_start_method() != "fork", reason="forked workers only")
def test_a_pool_worker_forked_from_the_cli_ends_when_terminated() -> None:
    """The CLI turns SIGTERM and SIGHUP into a clean stop; a worker forked from it must not inherit that,
    or ``terminate()`` would not end it."""
    from concurrent.futures import ProcessPoolExecutor

    from packager.workers import die_with_parent, ended_like_ctrl_c

    with ended_like_ctrl_c(), ProcessPoolExecutor(
        max_workers=1, mp_context=scan.pool_context(), initializer=die_with_parent
    ) as pool:
        assert pool.submit(_ending_signals_are_default).result()


def _slow_inspect(path: Path, options: object, name: str, sha256: object, data: object) -> object:
    import time

    with open(os.environ["PACKAGER_TEST_LOG"], "a", encoding="utf-8") as log:
        log.write(name + "\n")
    time.sleep(0.2)
    return inspect_file(path, OPTIONS, name)


def test_an_interrupted_run_drops_the_queued_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted after the first file (Ctrl-C arriving while the parent waits), the run ends without
    reading the files still queued: leaving the pool used to wait for every one of them."""
    log = tmp_path / "inspected.txt"
    monkeypatch.setenv("PACKAGER_TEST_LOG", str(log))
    monkeypatch.setattr(scan, "inspect_file", _slow_inspect)
    pdf = synth.make_text_pdf(tmp_path / "a.pdf", text_lines=["Milestone 1.1", "May 14, 2026"])
    jobs: list[scan.Job] = [(pdf, f"{i}.pdf") for i in range(40)]

    def progress(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan.inspect_many(jobs, OPTIONS, progress=progress, workers=2)
    inspected = log.read_text(encoding="utf-8").split()
    assert 1 <= len(inspected) < len(jobs) // 2


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="POSIX signals")
def test_a_terminated_audit_removes_what_it_unpacked(tmp_path: Path) -> None:
    """SIGTERM (a job killed, `timeout`) ends an audit as Ctrl-C does: exit 128 + 15, one line, and no
    unpacked entry left on disk or in /dev/shm (memory, until the machine restarts)."""
    import signal
    import time
    import zipfile

    pdf = synth.make_text_pdf(tmp_path / "a.pdf", text_lines=["Milestone 1.1", "May 14, 2026"]).read_bytes()
    received = tmp_path / "received.zip"
    with zipfile.ZipFile(received, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(1500):  # long enough to be caught in the middle (the facts cache is off)
            zf.writestr(f"submission/Objective 1/1.1 - Record {i:04d}.pdf", pdf)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    shm = Path("/dev/shm")
    env = {**os.environ, "TMPDIR": str(scratch), "PACKAGER_NO_CACHE": "1"}
    run = subprocess.Popen([sys.executable, "-m", "packager", "audit", str(received), "--ocr", "off"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(6000):  # until it unpacks (bounded: 60 s), not a timing assertion
        if list(scratch.glob("packager-audit-*")) or run.poll() is not None:
            break
        time.sleep(0.01)
    run.send_signal(signal.SIGTERM)
    _out, err = run.communicate(timeout=120)
    assert run.returncode == 128 + signal.SIGTERM, err
    assert err.strip() == "packager: stopped; nothing was left half-written."
    assert list(scratch.iterdir()) == []
    if shm.is_dir():  # this audit's own folder (tests running beside it may have theirs)
        assert list(shm.glob(f"packager-audit-{run.pid}-*")) == []


@pytest.mark.skipif(not hasattr(__import__("signal"), "pthread_kill"), reason="POSIX signals")
def test_a_signal_is_held_while_a_spool_folder_is_made_and_noted() -> None:
    """A SIGTERM between making a temporary folder and noting it would leave the folder behind (an audit
    stopped at that moment left an empty folder in TMPDIR): it is raised once the folder is noted."""
    import signal
    import threading

    from packager.archive.spool import spool_folders
    from packager.workers import Terminated, ended_like_ctrl_c, ending_signals_held

    def terminate_me() -> None:  # to this thread (the main one), so the handler runs right away
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

    seen: list[str] = []
    with pytest.raises(Terminated), ended_like_ctrl_c():
        with ending_signals_held():
            terminate_me()
            seen.append("inside")
        seen.append("not reached")
    assert seen == ["inside"]

    made: list[Path] = []
    real_mkdtemp = __import__("tempfile").mkdtemp

    def mkdtemp_then_signal(*args: object, **kwargs: object) -> str:
        name = real_mkdtemp(*args, **kwargs)  # type: ignore[arg-type]
        made.append(Path(name))
        terminate_me()  # the worst moment: made, not yet noted
        return name

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("tempfile.mkdtemp", mkdtemp_then_signal)
        with pytest.raises(Terminated), ended_like_ctrl_c(), spool_folders(memory_root=None):
            pass
    assert made and not any(folder.exists() for folder in made)


def _glibc() -> bool:
    try:
        return "glibc" in (os.confstr("CS_GNU_LIBC_VERSION") or "")
    except (ValueError, OSError, AttributeError):
        return False


@pytest.mark.skipif(not _glibc(), reason="tunes glibc's allocator only")
def test_an_inspection_worker_reuses_freed_memory_instead_of_faulting_it_in_again() -> None:
    """A worker reads file after file into buffers of megabytes: started as a worker, a process reuses
    the memory it freed (a handful of page faults) instead of mapping it anew each time (thousands)."""
    code = (
        "import resource, sys\n"
        "from packager import scan\n"
        "from packager.inspect import InspectOptions\n"
        "from packager.rules import load_rules\n"
        "if sys.argv[1] == 'worker':\n"
        "    scan._start_worker(InspectOptions(load_rules().deliverables), None)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(20):  # file after file\n"
        "    pages = [b'x' * (20 * 1024 * 1024) for _ in range(3)]  # three 20 MB buffers, every page written\n"
        "    del pages\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )

    def faults(role: str) -> int:
        return int(run_python(code, role).stdout)

    once = 3 * 20 * 1024 * 1024 // 4096  # the pages of one turn
    assert faults("plain") > 5 * once  # given back and faulted in again, turn after turn
    assert faults("worker") < 2 * once  # faulted in at the first turn only


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize(("name", "raised"), [("SIGTERM", "Terminated"), ("SIGHUP", "Terminated"),
                                              ("SIGINT", "KeyboardInterrupt")])
def test_a_signal_whose_exception_was_swallowed_still_ends_the_run_quietly(name: str, raised: str) -> None:
    """A signal's exception can land where Python only prints it and goes on (an at-fork handler as a
    worker is forked, a finalizer): the run still stops, between files or when the command ends, and
    no traceback reaches the terminal."""
    code = (
        "import os, signal\n"
        "from packager.workers import ended_like_ctrl_c, raise_if_ended\n"
        # Ctrl-C handled as in a terminal, even when the suite itself runs as a background job (SIGINT ignored)
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "class Finalized:\n"
        "    def __del__(self):\n"
        f"        os.kill(os.getpid(), signal.{name})\n"
        "        for _ in range(1000):  # the handler runs at the next instruction, in here\n"
        "            pass\n"
        "for between_files in (False, True):\n"
        "    try:\n"
        "        with ended_like_ctrl_c():\n"
        "            finalized = Finalized()\n"
        "            del finalized\n"
        "            print('went on')\n"
        "            if between_files:\n"
        "                raise_if_ended()\n"
        "                print('not stopped between files')\n"
        "    except KeyboardInterrupt as exc:\n"
        "        print('ended', type(exc).__name__)\n"
        "raise_if_ended()  # nothing left over\n"
    )
    done = run_python(code)
    assert done.stdout.splitlines() == ["went on", f"ended {raised}"] * 2
    assert done.stderr == ""


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="POSIX signals")
def test_an_ignored_ctrl_c_stays_ignored() -> None:
    """A run started in the background (Ctrl-C ignored) is not made interruptible."""
    import signal

    from packager.workers import ended_like_ctrl_c

    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with ended_like_ctrl_c():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before)
