"""Where audit unpacks entries: small ones in memory (Linux /dev/shm) within a budget, the rest on disk;
a memory folder that fills up sends the remaining entries to disk, and the verdicts are the same."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import zipfile
from pathlib import Path

import pytest

from packager import audit
from packager.archive import EntryReader
from packager.archive import spool as spool_module
from packager.archive.spool import MEMORY_ENTRY_MAX, SpoolFolders, spool_folders
from packager.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules()
TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("sizes", "budget", "expected"),
    [
        ([10, 20, 30], 100, ["memory", "memory", "memory"]),
        ([60, 60, 30], 100, ["memory", "disk", "memory"]),  # what fits still goes to memory
        ([MEMORY_ENTRY_MAX + 1, 5], 10 * MEMORY_ENTRY_MAX, ["disk", "memory"]),  # too large for memory
        ([0, 1], 0, ["disk", "disk"]),  # no budget
    ],
)
def test_small_entries_go_to_memory_within_the_budget(
    tmp_path: Path, sizes: list[int], budget: int, expected: list[str]
) -> None:
    folders = SpoolFolders(tmp_path / "disk", tmp_path / "memory", budget)
    assert [folders.pick(size).name for size in sizes] == expected
    assert folders.used <= budget


def test_after_a_failure_in_memory_everything_goes_to_disk(tmp_path: Path) -> None:
    folders = SpoolFolders(tmp_path / "disk", tmp_path / "memory", 100)
    folders.memory_failed()
    assert folders.pick(1) == tmp_path / "disk"


def test_folders_are_private_and_removed(tmp_path: Path) -> None:
    with spool_folders(memory_root=tmp_path) as folders:
        made = [folders.disk, *([folders.memory] if folders.memory is not None else [])]
        for folder in made:
            assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o700
            (folder / "x").write_bytes(b"x")
    assert not any(folder.exists() for folder in made)
    if sys.platform.startswith("linux"):
        assert folders.memory is not None and folders.memory.parent == tmp_path and folders.budget > 0


def _pid_of_a_finished_process() -> int:
    import subprocess

    probe = subprocess.Popen([sys.executable, "-c", "pass"])
    probe.wait()
    return probe.pid


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process ids and owners")
def test_folders_a_killed_audit_left_are_removed_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kill -9 or the out-of-memory killer leave the spool behind; in /dev/shm it holds memory until a
    restart. The next audit removes this user's folders whose process is gone, and nothing else."""
    import os
    import time

    disk_root = tmp_path / "tmp"
    disk_root.mkdir()
    monkeypatch.setattr(spool_module.tempfile, "tempdir", str(disk_root))
    dead = _pid_of_a_finished_process()
    abandoned = [tmp_path / f"packager-audit-{dead}-abcd_123", disk_root / f"packager-audit-{dead}-zz99xx00"]
    kept = [
        tmp_path / f"packager-audit-{os.getpid()}-running1",  # a running audit (this process)
        tmp_path / "packager-audit-k4_rgado",  # an older version's folder, with no process id
        tmp_path / f"packager-audit-{dead}-not-ours",  # not a name this tool makes
        disk_root / "other-program-123",
    ]
    recent = tmp_path / f"packager-audit-{dead}-recent00"  # changed a minute ago: maybe still in use
    kept.append(recent)
    for folder in abandoned + kept:
        folder.mkdir()
        (folder / "entry-00001.bin").write_bytes(b"x" * 1000)
        stamp = time.time() - (60 if folder == recent else 2 * spool_module.ABANDONED_AFTER_SECONDS)
        os.utime(folder, (stamp, stamp))
    with spool_folders(memory_root=tmp_path) as folders:
        assert folders.disk.parent == disk_root
    assert [f for f in abandoned if f.exists()] == []
    assert [f for f in kept if not f.exists()] == []
    assert sorted(p.name for p in disk_root.iterdir()) == ["other-program-123"]


def test_no_memory_folder_where_there_is_none(tmp_path: Path) -> None:
    with spool_folders(memory_root=tmp_path / "absent") as folders:
        assert folders.memory is None and folders.pick(1) == folders.disk
    with spool_folders(memory_root=None) as folders:
        assert folders.memory is None




def test_a_memory_folder_that_fills_up_sends_the_rest_to_disk(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(spool_module, "MEMORY_ROOT", memory)
    if not sys.platform.startswith("linux"):
        pytest.skip("the memory folder is used on Linux only")
    plain = audit.audit_zip(built, RULES, today=TODAY, workers=1)

    real_spool = EntryReader.spool_with_head
    where: list[str] = []

    def spool(self: EntryReader, entry: object, directory: Path, head: int) -> tuple[Path, str, bytes]:
        in_memory = directory.parent == memory
        where.append("memory" if in_memory else "disk")
        if in_memory and where.count("memory") == 3:
            raise OSError(28, "No space left on device")
        return real_spool(self, entry, directory, head)  # type: ignore[arg-type]

    monkeypatch.setattr(EntryReader, "spool_with_head", spool)
    monkeypatch.setattr(audit, "spool_folders", lambda: spool_folders(memory_root=memory))
    monkeypatch.setattr(audit, "unpacking_ahead", lambda *_a, **_k: contextlib.nullcontext())
    filled = audit.audit_zip(built, RULES, today=TODAY, workers=1)
    assert where[:3] == ["memory", "memory", "memory"] and where[3] == "disk" and "memory" not in where[4:]
    assert filled.findings == plain.findings
    assert [r.facts for r in filled.inventory.files] == [r.facts for r in plain.inventory.files]  # type: ignore[union-attr]
    assert list(memory.iterdir()) == []


def test_entries_in_memory_are_removed_when_done_and_give_their_room_back(tmp_path: Path) -> None:
    memory = tmp_path / "memory"
    memory.mkdir()
    small = MEMORY_ENTRY_MAX
    folders = SpoolFolders(tmp_path / "disk", memory, spool_module.GATE_MIN_BUDGET)
    files = []
    for index in range(8):
        assert folders.pick(small) == memory
        target = memory / f"{index}.bin"
        target.write_bytes(b"x")
        folders.unpacked(index, target, small)
        files.append(target)
    assert folders.full() and folders.pick(small) == tmp_path / "disk"
    folders.done([0, 5])
    assert not files[0].exists() and not files[5].exists() and files[1].exists()
    assert not folders.full() and folders.pick(small) == memory
    folders.done([0, 99])  # done twice, or never in memory: nothing changes
    assert folders.used == 7 * small


def test_a_small_budget_never_holds_the_workers_up(tmp_path: Path) -> None:
    folders = SpoolFolders(tmp_path / "disk", tmp_path / "memory", MEMORY_ENTRY_MAX)
    folders.pick(MEMORY_ENTRY_MAX)
    assert not folders.full()


def test_an_audit_larger_than_the_memory_budget_is_unpacked_in_memory_as_the_workers_go(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget holds a few entries; unpacking waits for the workers, and nothing goes to disk."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the memory folder is used on Linux only")
    memory = tmp_path / "shm"
    memory.mkdir()
    plain = audit.audit_zip(built, RULES, today=TODAY, workers=1)
    with zipfile.ZipFile(built) as archive:
        sizes = [info.file_size for info in archive.infolist()]
    entry_max = max(sizes)
    budget = entry_max + 1  # one entry at a time
    assert sum(sizes) > 2 * budget  # the entries do not fit at once: unpacking must wait for the workers
    monkeypatch.setattr(spool_module, "MEMORY_ENTRY_MAX", entry_max)
    monkeypatch.setattr(spool_module, "GATE_MIN_BUDGET", budget)
    monkeypatch.setattr(spool_module, "MEMORY_BUDGET_MAX", budget)
    monkeypatch.setattr(spool_module, "MEMORY_BUDGET_SHARE", 1.0)
    monkeypatch.setattr(audit, "spool_folders", lambda: spool_folders(memory_root=memory))
    real_spool = EntryReader.spool_with_head
    where: list[Path] = []

    def spool(self: EntryReader, entry: object, directory: Path, head: int) -> tuple[Path, str, bytes]:
        where.append(directory)
        assert sum(f.stat().st_size for f in directory.iterdir()) <= budget  # within the budget
        return real_spool(self, entry, directory, head)  # type: ignore[arg-type]

    monkeypatch.setattr(EntryReader, "spool_with_head", spool)
    monkeypatch.setattr(audit, "unpacking_ahead", lambda *_a, **_k: contextlib.nullcontext())
    pooled = audit.audit_zip(built, RULES, today=TODAY, workers=2)
    assert len(where) >= 8 and all(folder.parent == memory for folder in where)
    assert pooled.findings == plain.findings
    assert [r.facts for r in pooled.inventory.files] == [r.facts for r in plain.inventory.files]  # type: ignore[union-attr]
