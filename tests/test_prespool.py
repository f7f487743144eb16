"""Unpacking ahead (``archive.prespool``): a child unpacks a received zip while `audit` gets ready.

The child's files, hashes and archive sniffing are what the parent's own unpacking gives; an entry
it could not unpack, or never reached, is left to the parent, so that every finding is the one the
audit makes without a child; the memory budget holds; and the child never outlives the audit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager import audit
from packager.archive import prespool as prespool_module
from packager.archive import scan_archive
from packager.archive.prespool import AheadGate, Prespool, Unpacked, start
from packager.archive.scan import ArchiveEntry
from packager.archive.spool import MEMORY_ENTRY_MAX, SpoolFolders, spool_folders
from packager.inspect.smallfile import Span, read_span
from packager.rules import load_rules
from tests import zipcraft
from tests.freshpython import run_python

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules()
TODAY = dt.date(2026, 11, 26)
HEAD = audit.ARCHIVE_HEAD_BYTES

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="unpacking ahead is Linux-only")

INNER_ZIP = zipcraft.build([zipcraft.stored("inside.txt", b"inside\n")])
CONTENTS = {
    "Objective 1/1.1 Inspection.pdf": b"%PDF-1.4 stored " * 500,
    "Objective 1/1.2 Training.pdf": b"%PDF-1.4 deflated " * 2000,
    "Objective 2/2.1 Photo.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,
    "Objective 2/2.2 Hidden.pdf": INNER_ZIP,  # an archive under another name: sniffed from its head
    "Objective 2/nested.zip": INNER_ZIP,  # named as an archive: never opened, so never unpacked
    "empty.txt": b"",
}


def _zip(tmp_path: Path, entries: list[zipcraft.RawEntry] | None = None) -> Path:
    if entries is None:
        entries = [
            zipcraft.deflated(name, data) if b"deflated" in data else zipcraft.stored(name, data)
            for name, data in CONTENTS.items()
        ]
    return zipcraft.write(tmp_path / "received.zip", zipcraft.build(entries))


def _by_name(entries: tuple[ArchiveEntry, ...]) -> dict[str, ArchiveEntry]:
    return {e.name: e for e in entries}


@contextlib.contextmanager
def _ahead(path: Path, tmp_path: Path, budget: int | None = None) -> Iterator[tuple[Prespool, SpoolFolders, dict[str, ArchiveEntry]]]:
    scan = scan_archive(path, RULES.archive)
    memory = tmp_path / "shm"
    memory.mkdir(exist_ok=True)
    with spool_folders(memory_root=memory) as folders:
        if budget is not None:
            folders.budget = budget
        ahead = start(scan, RULES.archive, folders, scan.entries, HEAD)
        assert ahead is not None
        try:
            yield ahead, folders, _by_name(scan.entries)
        finally:
            ahead.close()


def _content(got: Unpacked) -> bytes:
    """The bytes a worker reads for what the child reported: its file, or its place in the zip."""
    if isinstance(got.source, Span):
        data = read_span(got.source)
        assert data is not None
        return data
    return got.source.read_bytes()


def test_the_child_unpacks_each_entry_as_the_parent_would(tmp_path: Path) -> None:
    path = _zip(tmp_path)
    with _ahead(path, tmp_path) as (ahead, folders, entries):
        for name, data in CONTENTS.items():
            got = ahead.take(entries[name])
            if name.endswith(".zip"):
                assert got is None  # left to the parent, which never opens it
                continue
            assert got is not None, name
            assert _content(got) == data
            assert got.sha256 == hashlib.sha256(data).hexdigest()
            assert got.archive_magic == (data == INNER_ZIP)
            if b"deflated" in data or not data:
                assert isinstance(got.source, Path) and got.source.parent == folders.memory  # small: in memory
            else:  # stored uncompressed: read where it is, never copied
                assert isinstance(got.source, Span) and got.source.container == path
        assert ahead.take(entries["empty.txt"]) is None  # taken once only
        # Only the compressed entry and the empty one were written out.
        assert sorted(p.name for p in folders.memory.iterdir()) == ["entry-00001.bin", "entry-00005.bin"]  # type: ignore[union-attr]


@pytest.mark.parametrize("method", ["stored", "deflated, read in place", "deflated, unpacked"])
def test_a_damaged_entry_is_left_to_the_parent_with_its_room_given_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    good, bad = b"good " * 100, b"bad " * 100
    make = zipcraft.stored if method == "stored" else zipcraft.deflated
    unpacked = method == "deflated, unpacked"
    if unpacked:
        monkeypatch.setattr(prespool_module, "INFLATE_IN_PLACE_MAX", 0)
    path = _zip(tmp_path, [make("a.pdf", good), make("b.pdf", bad, crc=12345)])
    with _ahead(path, tmp_path) as (ahead, folders, entries):
        assert folders.used == (len(good) + len(bad) if unpacked else 0)  # read in place: no room taken
        assert ahead.take(entries["b.pdf"]) is None
        assert folders.used == (len(good) if unpacked else 0)
        got = ahead.take(entries["a.pdf"])
        assert got is not None and _content(got) == good
        assert isinstance(got.source, Path) == unpacked


def test_large_entries_go_to_disk_and_small_ones_only_within_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prespool_module, "INFLATE_IN_PLACE_MAX", 0)  # every compressed entry is unpacked
    big = b"x" * (MEMORY_ENTRY_MAX + 1)
    smalls = {f"s{i}.pdf": bytes([i]) * 1000 for i in range(5)}
    entries = [zipcraft.deflated("big.jpg", big), *(zipcraft.deflated(n, d) for n, d in smalls.items())]
    path = _zip(tmp_path, entries)
    with _ahead(path, tmp_path, budget=2500) as (ahead, folders, by_name):
        assert folders.used <= folders.budget
        planned = [n for n in smalls if ahead.planned(by_name[n])]
        assert planned == ["s0.pdf", "s1.pdf"]  # largest first, then by position: two fit
        assert ahead.planned(by_name["big.jpg"])
        got = ahead.take(by_name["big.jpg"])
        assert got is not None and isinstance(got.source, Path)
        assert got.source.parent == folders.disk and got.source.stat().st_size == len(big)
        assert ahead.take(by_name["s4.pdf"]) is None  # never given to the child: the parent unpacks it


def test_small_deflated_entries_are_inflated_in_place_and_larger_ones_unpacked(tmp_path: Path) -> None:
    limit = prespool_module.INFLATE_IN_PLACE_MAX
    contents = {"fits.pdf": b"%PDF-1.7 fits " * (limit // 14), "over.pdf": bytes(range(256)) * (limit // 256 + 1)}
    assert len(contents["fits.pdf"]) <= limit < len(contents["over.pdf"])
    path = _zip(tmp_path, [zipcraft.deflated(n, d) for n, d in contents.items()])
    with _ahead(path, tmp_path) as (ahead, folders, by_name):
        assert folders.used == len(contents["over.pdf"])  # room for the one unpacked only
        fits, over = ahead.take(by_name["fits.pdf"]), ahead.take(by_name["over.pdf"])
        assert fits is not None and isinstance(fits.source, Span) and fits.source.deflated > 0
        assert over is not None and isinstance(over.source, Path)
        assert _content(fits) == contents["fits.pdf"] and _content(over) == contents["over.pdf"]


def test_stored_entries_are_read_in_place_up_to_the_small_file_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored entries take no room: the budget is left to the others. One too large to read whole is
    unpacked as before."""
    monkeypatch.setattr(prespool_module, "SMALL_FILE", 5000)
    contents = {"big.jpg": b"j" * 5001, "fits.jpg": b"f" * 5000, **{f"s{i}.pdf": bytes([i]) * 1000 for i in range(5)}}
    path = _zip(tmp_path, [zipcraft.stored(n, d) for n, d in contents.items()])
    with _ahead(path, tmp_path, budget=6000) as (ahead, folders, by_name):
        assert folders.used == 5001  # the room of the one unpacked; 10,000 bytes more would not fit
        assert all(ahead.planned(by_name[n]) for n in contents)  # none waits for room
        sources = {n: ahead.take(by_name[n]) for n in contents}
        assert all(got is not None and _content(got) == contents[n] for n, got in sources.items())
        big = sources["big.jpg"]
        assert big is not None and isinstance(big.source, Path) and big.source.parent == folders.memory
        assert all(isinstance(got.source, Span) for n, got in sources.items() if got is not None and n != "big.jpg")


def test_a_child_far_ahead_of_a_parent_that_is_not_reading_never_deadlocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports fill the pipe (here one page, 4 KiB) while the parent is busy elsewhere: the child waits,
    and a parent that asks for the last entry first reads every report before it."""
    monkeypatch.setattr(prespool_module, "PIPE_BYTES", 4096)
    contents = {f"{i:04d}.pdf": b"%PDF " + bytes([i % 256]) * (400 - i) for i in range(300)}
    path = _zip(tmp_path, [zipcraft.stored(n, d) for n, d in contents.items()])
    with _ahead(path, tmp_path) as (ahead, _folders, entries):
        for name in reversed(list(contents)):  # the child unpacks the largest (the first) first
            got = ahead.take(entries[name])
            assert got is not None and _content(got) == contents[name]


def test_a_child_that_dies_leaves_everything_to_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prespool_module, "_unpack_all", lambda *_args: os._exit(1))
    path = _zip(tmp_path)
    with _ahead(path, tmp_path) as (ahead, folders, entries):
        assert all(ahead.take(entry) is None for entry in entries.values())
        assert folders.used == 0


IN_ZIP = Span(Path("received.zip"), 100, 1, (1, 2, 3, 4))


@pytest.mark.parametrize(
    ("line", "in_place", "taken"),
    [
        (b"0\t" + b"a" * 64 + b"\t0\tentry-00000.bin\n", False, True),
        (b"0\t\t\t\n", False, False),  # the child could not unpack it
        (b"0\t" + b"a" * 64 + b"\t0\t../../etc/passwd\n", False, False),  # never a file outside the folder
        (b"0\t" + b"a" * 64 + b"\t0\tentry-0/../../x\n", False, False),
        (b"garbage\n", False, False),
        (b"0\t" + b"a" * 64 + b"\t0\t-\n", False, False),  # an entry given a folder is not read in place
        (b"0\t" + b"a" * 64 + b"\t0\t-\n", True, True),
        (b"0\t" + b"a" * 64 + b"\t0\tentry-00000.bin\n", True, False),  # nor one read in place from a file
        (b"0\t\t\t-\n", True, False),
    ],
)
def test_what_the_child_reports_is_checked(tmp_path: Path, line: bytes, in_place: bool, taken: bool) -> None:
    folders = SpoolFolders(tmp_path, None, 0)
    entry = ArchiveEntry("a.pdf", 1, 1, 0, 0, False, 0)
    read_fd, write_fd = os.pipe()
    os.write(write_fd, line)
    os.close(write_fd)
    ahead = Prespool(0, read_fd, {0: (entry, IN_ZIP if in_place else tmp_path)}, folders)
    try:
        got = ahead.take(entry)
    finally:
        ahead.close()
    assert (got is not None) == taken
    if got is not None:
        assert got.source == (IN_ZIP if in_place else tmp_path / "entry-00000.bin")


def test_the_gate_lets_through_what_the_child_has_unpacked(tmp_path: Path) -> None:
    path = _zip(tmp_path, [zipcraft.stored("a.pdf", b"a" * 100)])
    with _ahead(path, tmp_path) as (ahead, folders, entries):
        folders.budget = folders.used  # full from now on
        gate = AheadGate(folders, ahead)
        gate.next = entries["a.pdf"]
        folders_full = folders.full()
        assert not gate.full()
        gate.next = ArchiveEntry("other.pdf", 1, 1, 0, 0, False, 99)
        assert gate.full() == folders_full


def test_the_child_is_gone_after_close(tmp_path: Path) -> None:
    path = _zip(tmp_path)
    with _ahead(path, tmp_path) as (ahead, _folders, _entries):
        pid = ahead._pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_not_done_where_workers_are_not_forked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _zip(tmp_path)
    scan = scan_archive(path, RULES.archive)
    monkeypatch.setattr(prespool_module.sys, "platform", "win32")
    with spool_folders(memory_root=None) as folders:
        assert start(scan, RULES.archive, folders, scan.entries, HEAD) is None




def _damaged(built: Path, tmp_path: Path) -> Path:
    """The sample zip with one byte of a stored deliverable changed: its CRC no longer matches."""
    data = bytearray(built.read_bytes())
    scan = scan_archive(built, RULES.archive)
    entry = next(e for e in scan.entries if e.method == 0 and e.size > 1000 and e.name.endswith(".pdf"))
    offset = scan.spans[entry.index].data_offset + entry.size // 2
    data[offset] ^= 0xFF
    return zipcraft.write(tmp_path / "damaged.zip", bytes(data))


@pytest.mark.parametrize("case", ["sample", "damaged", "child dies", "tiny budget"])
@pytest.mark.parametrize("workers", [1, 2])
def test_an_audit_is_the_same_with_and_without_the_child(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, workers: int
) -> None:
    path = _damaged(built, tmp_path) if case == "damaged" else built
    with monkeypatch.context() as m:
        m.setattr(audit, "unpacking_ahead", lambda *_a, **_k: contextlib.nullcontext())
        plain = audit.audit_zip(path, RULES, today=TODAY, workers=workers)
    if case == "child dies":
        monkeypatch.setattr(prespool_module, "_unpack_all", lambda *_args: os._exit(1))
    if case == "tiny budget":  # room for the two largest entries: the parent unpacks the rest as room is made
        sizes = sorted((e.size for e in scan_archive(path, RULES.archive).entries), reverse=True)
        monkeypatch.setattr(audit, "spool_folders", lambda: _budget(sizes[0] + sizes[1]))
    taken: list[bool] = []
    real_take = Prespool.take

    def take(self: Prespool, entry: ArchiveEntry) -> object:
        got = real_take(self, entry)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(Prespool, "take", take)
    ahead = audit.audit_zip(path, RULES, today=TODAY, workers=workers)
    assert any(taken) == (case != "child dies")  # the child's files were used, unless it died
    assert ahead.findings == plain.findings
    assert [r.facts for r in ahead.inventory.files] == [r.facts for r in plain.inventory.files]  # type: ignore[union-attr]
    if case == "damaged":
        assert any(f.check == "zip-corrupt" for f in ahead.findings)


@contextlib.contextmanager
def _budget(budget: int) -> Iterator[SpoolFolders]:
    with spool_folders() as folders:
        folders.budget = budget if folders.memory is not None else 0
        yield folders


def test_the_readers_load_after_the_child_starts() -> None:
    """Importing the library loads no file reader: `audit` forks its child before they load (about
    0.15 s, the time the child unpacks in), and `check` loads them once, just before its workers fork."""
    code = (
        "import sys, packager.cli, packager.api, packager.audit, packager.scan\n"
        "heavy = [m for m in ('pypdf', 'pypdfium2', 'numpy', 'PIL.Image', 'packager.inspect.core') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "packager.scan.load_readers()\n"
        "assert 'pypdf' in sys.modules and 'packager.inspect.core' in sys.modules\n"
    )
    run_python(code)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_zip_changed_while_audited_is_not_given_a_verdict(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A zip still being copied or synced changes after its entries were checked: reading one in place
    fails, and the audit stops as when the zip changes before it is read (exit 2, one paragraph), instead
    of judging a file it could not read."""
    from packager import scan as scan_module
    from packager.errors import InputError

    path = zipcraft.write(tmp_path / "copying.zip", built.read_bytes())
    monkeypatch.setattr(scan_module, "read_span", lambda _span: None)  # what a changed zip gives
    monkeypatch.setenv("PACKAGER_NO_CACHE", "1")
    with pytest.raises(InputError) as raised:
        audit.audit_zip(path, RULES, today=TODAY, workers=workers)
    assert raised.value.paragraph().startswith(f"{path}: the zip changed while it was being checked")


def _with_macos_twins(built: Path, tmp_path: Path) -> tuple[Path, set[str]]:
    """The built zip as macOS Finder adds to it: an AppleDouble twin per file (a large one with a
    resource fork, stored and deflated, past what is read in place) and a .DS_Store."""
    twins: set[str] = set()
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(tmp_path / "mac.zip", "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info), compress_type=info.compress_type)
            parent, _, leaf = info.filename.rpartition("/")
            if leaf:
                twin = f"__MACOSX/{parent}/._{leaf}"
                fork = os.urandom(20_000) if len(twins) % 2 else b"\x00\x05\x16\x07" * 5_000
                out.writestr(twin, fork, compress_type=zipfile.ZIP_DEFLATED if len(twins) % 3 else zipfile.ZIP_STORED)
                twins.add(twin)
        top = src.namelist()[0].split("/", 1)[0]
        out.writestr(f"{top}/.DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(9_000))
        twins.add(f"{top}/.DS_Store")
    return tmp_path / "mac.zip", twins


@pytest.mark.parametrize("case", ["built", "macOS twins"])
def test_the_child_leaves_out_what_is_never_inspected(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """The manifest and the plan file are read by the audit itself, and system files (macOS's
    '__MACOSX/' twins, .DS_Store) are left out: none is inspected, so the child does not unpack them
    (a built zip's manifest is megabytes for 5,000 files; a twin with a resource fork, kilobytes)."""
    path, system = _with_macos_twins(built, tmp_path) if case == "macOS twins" else (built, set())
    given: list[str] = []
    real_start = prespool_module.start

    def start_spy(scan: object, limits: object, folders: object, entries: list[ArchiveEntry], head: int) -> object:
        given.extend(e.name for e in entries)
        return real_start(scan, limits, folders, entries, head)  # type: ignore[arg-type]

    monkeypatch.setattr(prespool_module, "start", start_spy)
    result = audit.audit_zip(path, RULES, today=TODAY)
    names = set(scan_archive(path, RULES.archive).all_names)
    manifest = next(n for n in names if n.endswith("/manifest.json"))
    assert manifest not in given and not any(n.endswith("/action-plan.yaml") for n in given)
    assert not system & set(given)
    assert len(given) == len([n for n in names if not n.endswith("/")]) - 1 - len(system)  # everything else
    assert result.manifest and not [f for f in result.findings if f.severity.value == "error"]
    assert [f.check for f in result.findings if f.check == "files-ignored"] == (["files-ignored"] if system else [])
