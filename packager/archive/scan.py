"""The central-directory pass: list a zip and judge it without unpacking anything."""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from packager.archive import _messages as msg
from packager.archive._layout import (
    CentralDirectory,
    CentralDirectoryEncrypted,
    CentralRecord,
    EndRecord,
    LayoutError,
    find_end_record,
    locate_central_directory,
    read_central_directory,
    read_local_header,
)
from packager.archive.names import (
    NameProblem,
    NormalisedName,
    collision_key,
    escape_for_display,
    normalise_name,
    path_problem,
)
from packager.archive.sniff import is_archive_name
from packager.errors import InputError
from packager.findings import Finding
from packager.rules import ArchiveRules

SUPPORTED_METHODS = frozenset({0, 8, 12, 14})  # stored, deflate, bzip2, lzma
METHOD_AES = 99
FLAG_ENCRYPTED = 0x0001
FLAG_DATA_DESCRIPTOR = 0x0008
FLAG_STRONG_ENCRYPTION = 0x0040
S_IFMT = 0o170000
S_IFLNK = 0o120000
# Past this many findings of one kind, the rest are summed up in one line.
FINDINGS_PER_CHECK = 50

_REASONS: dict[NameProblem, str] = {
    NameProblem.EMPTY: "has no name, so it cannot be unpacked safely",
    NameProblem.ABSOLUTE: (
        "has a name that starts at the top of the disk ('/'), so unpacking it could write "
        "anywhere on the computer"
    ),
    NameProblem.DRIVE: (
        "has a name that starts with a Windows drive letter, so unpacking it could write "
        "anywhere on that drive"
    ),
    NameProblem.PARENT: (
        "has '..' in its name, which points outside the folder the zip is unpacked into "
        "(the 'zip slip' trick used to overwrite files on a computer)"
    ),
    NameProblem.WINDOWS_DOTS: (
        "has a folder in its name made only of dots and spaces, which Windows reads as "
        "'..', outside the folder the zip is unpacked into"
    ),
    NameProblem.HIDDEN_CHARS: (
        "has hidden control or text-direction characters in its name (shown here as "
        "\\x or \\u codes), which can disguise its real name or type"
    ),
}


@dataclass(frozen=True)
class ArchiveEntry:
    """One entry of a zip, as listed in its central directory."""

    name: str  # normalised display name: '/' separators, decoded
    size: int  # declared uncompressed size
    compressed_size: int
    crc: int
    method: int
    is_dir: bool
    index: int  # position in the central directory
    modified: int = 0  # when it was last saved, as the zip records it (CentralRecord.modified); 0 unknown


@dataclass(frozen=True)
class EntrySpan:
    """Where an entry's bytes are in the file, as verified during the scan."""

    header_offset: int
    data_offset: int
    compressed_size: int
    name_length: int
    name_digest: bytes


@dataclass(frozen=True)
class FileIdentity:
    """Enough of ``stat`` to notice that the file was replaced or changed after the scan."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileIdentity:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class ArchiveScan:
    """The result of reading a zip's central directory.

    ``entries`` holds only the files that are safe to read: not an unsafe path, not
    encrypted, not damaged, not the second copy of a duplicate, and none at all when the
    scan was ``aborted`` (a zip bomb or too many entries). ``spans`` and ``identity`` are
    for EntryReader.
    """

    path: Path
    entries: tuple[ArchiveEntry, ...]
    all_names: tuple[str, ...]
    findings: tuple[Finding, ...]
    aborted: bool
    spans: Mapping[int, EntrySpan] = field(default_factory=dict, repr=False, compare=False)
    identity: FileIdentity | None = field(default=None, repr=False, compare=False)


class _Findings:
    """Collects findings, keeping at most FINDINGS_PER_CHECK of each check."""

    def __init__(self) -> None:
        self._items: list[Finding] = []
        self._extra: dict[str, tuple[Finding, int]] = {}
        self._counts: dict[str, int] = {}

    def add(self, finding: Finding) -> None:
        seen = self._counts.get(finding.check, 0)
        self._counts[finding.check] = seen + 1
        if seen < FINDINGS_PER_CHECK:
            self._items.append(finding)
        else:
            first, n = self._extra.get(finding.check, (finding, 0))
            self._extra[finding.check] = (first, n + 1)

    def result(self) -> tuple[Finding, ...]:
        summaries = [
            msg.more_of_the_same(f.check, f.severity, f.hint, n) for f, n in self._extra.values()
        ]
        return (*self._items, *summaries)


@dataclass
class _Offenders:
    """Entries that broke one zip-bomb rule: the first is named, the rest counted."""

    first: str | None = None
    detail: str = ""
    count: int = 0

    def add(self, name: str, detail: str) -> None:
        if self.first is None:
            self.first, self.detail = name, detail
        self.count += 1

    def finding(self) -> Finding | None:
        if self.first is None:
            return None
        others = self.count - 1
        more = ""
        if others:
            more = f" ({others:,} other {'entry does' if others == 1 else 'entries do'} too)"
        return msg.bomb(self.first, self.detail + more)


def scan_archive(path: Path, limits: ArchiveRules) -> ArchiveScan:
    """Read a zip's central directory (and local headers) and judge it; never decompress.

    Raises InputError, naming the file, when it is missing, unreadable, or not a zip that
    can be listed at all (no end-of-central-directory record, split over several disks,
    a table of contents that cannot be found).
    """
    path = Path(path)
    try:
        with _open_archive(path) as (f, st):
            return _Scanner(path, f, st, limits).run()
    except OSError as exc:
        raise _input_error(path, f"the file cannot be read ({exc.strerror or exc})") from None


@contextmanager
def _open_archive(path: Path) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _input_error(path, "there is no such file") from None
    except OSError as exc:
        raise _input_error(path, f"the file cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _input_error(path, "this is a folder, not a zip file")
    if not stat.S_ISREG(st.st_mode):
        raise _input_error(path, "this is not an ordinary file, so it cannot be a zip file")
    with path.open("rb") as f:
        yield f, os.fstat(f.fileno())


def _input_error(path: Path, problem: str) -> InputError:
    return InputError(f"cannot check this zip: {problem}", file=path, hint=msg.RESEND)


class _Scanner:
    def __init__(self, path: Path, f: BinaryIO, st: os.stat_result, limits: ArchiveRules):
        self.path = path
        self.f = f
        self.file_size = st.st_size
        self.identity = FileIdentity.of(st)
        self.limits = limits
        self.findings = _Findings()
        self.excluded: set[int] = set()
        self.corrupt: set[int] = set()
        self.bombs: list[Finding] = []

    def reject(self, index: int, finding: Finding) -> None:
        """Record a problem that makes the entry unsafe to read (one zip-corrupt per entry)."""
        self.excluded.add(index)
        if finding.check == msg.CORRUPT:
            if index in self.corrupt:
                return
            self.corrupt.add(index)
        self.findings.add(finding)

    def _result(
        self,
        entries: tuple[ArchiveEntry, ...] = (),
        names: tuple[str, ...] = (),
        spans: Mapping[int, EntrySpan] | None = None,
        *,
        aborted: bool,
    ) -> ArchiveScan:
        return ArchiveScan(
            self.path,
            entries,
            names,
            (*self.bombs, *self.findings.result()),
            aborted,
            MappingProxyType(dict(spans or {})),
            self.identity,
        )

    def run(self) -> ArchiveScan:
        try:
            end = find_end_record(self.f, self.file_size)
        except LayoutError as exc:
            raise _input_error(self.path, str(exc)) from None
        if end.entries > self.limits.max_entries:
            self.bombs.append(
                msg.bomb(
                    None,
                    f"says it holds {end.entries:,} entries, more than the "
                    f"{self.limits.max_entries:,} this tool will look at",
                )
            )
            return self._result(aborted=True)
        try:
            cd = locate_central_directory(self.f, end)
        except CentralDirectoryEncrypted:
            self.findings.add(msg.directory_encrypted())
            return self._result(aborted=True)
        except LayoutError as exc:
            raise _input_error(self.path, str(exc)) from None
        records, cd_problem = read_central_directory(
            self.f, end, cd, self.limits.max_name_length + 1
        )
        if cd_problem:
            self.findings.add(msg.corrupt(None, cd_problem))
        normalised = [normalise_name(rec.name) for rec in records]
        names = [self._display(rec, norm) for rec, norm in zip(records, normalised, strict=True)]
        self._judge_records(records, names, normalised)
        spans = self._judge_layout(records, names, end, cd)
        if self.bombs:
            return self._result((), tuple(names), aborted=True)
        entries = tuple(
            ArchiveEntry(
                name=names[rec.index],
                size=rec.size,
                compressed_size=rec.compressed_size,
                crc=rec.crc,
                method=rec.method,
                is_dir=False,
                index=rec.index,
                modified=rec.modified,
            )
            for rec in records
            if rec.index not in self.excluded and not normalised[rec.index].is_dir
        )
        kept = {e.index: spans[e.index] for e in entries}
        return self._result(entries, tuple(names), kept, aborted=False)

    def _display(self, rec: CentralRecord, norm: NormalisedName) -> str:
        if rec.name_length > self.limits.max_name_length:
            # Only a prefix of the name was kept: show it raw (escaped, shortened).
            return escape_for_display(rec.name.replace("\\", "/"))
        return norm.display

    # --- the central-directory pass -------------------------------------------------

    def _judge_records(
        self, records: list[CentralRecord], names: list[str], normalised: list[NormalisedName]
    ) -> None:
        limits = self.limits
        seen: dict[str, tuple[str, bool]] = {}
        too_big = _Offenders()
        too_dense = _Offenders()
        total = 0
        for rec in records:
            name, norm = names[rec.index], normalised[rec.index]
            problems: list[Finding] = []
            reason = self._unsafe_reason(rec, norm)
            if reason:
                problems.append(msg.unsafe_path(name, reason))
            kind = _encryption_kind(rec)
            if kind:
                problems.append(msg.encrypted(name, kind))
            if rec.problem:
                problems.append(msg.corrupt(name, rec.problem))
            elif not kind and rec.method not in SUPPORTED_METHODS:
                problems.append(msg.unsupported_method(name, rec.method))
            elif not kind and rec.method == 0 and rec.compressed_size != rec.size:
                problems.append(
                    msg.corrupt(
                        name,
                        "is stored without compression, yet the zip gives it two different "
                        f"sizes ({rec.size:,} and {rec.compressed_size:,} bytes)",
                    )
                )
            key = collision_key(name)
            if key in seen:
                first, first_is_dir = seen[key]
                if not (first_is_dir and norm.is_dir):
                    problems.append(msg.duplicate(name, first, _collision_how(name, first)))
            else:
                seen[key] = (name, norm.is_dir)
            if not norm.is_dir and is_archive_name(name):
                self.findings.add(msg.nested_archive_finding(name))
            for finding in problems:
                self.reject(rec.index, finding)
            total += rec.size
            if rec.size > limits.max_entry_bytes:
                size, limit = msg.sizes_apart(rec.size, limits.max_entry_bytes)
                too_big.add(
                    name,
                    f"would take up {size} once unpacked, more than the {limit} limit for one file",
                )
            elif (
                rec.size > limits.ratio_min_bytes
                and rec.size > limits.max_ratio * rec.compressed_size
            ):
                ratio = rec.size / max(rec.compressed_size, 1)
                too_dense.add(
                    name,
                    f"is squeezed {ratio:,.0f} times ({msg.human_size(rec.compressed_size)} "
                    f"unpacks to {msg.human_size(rec.size)}), more than the "
                    f"{limits.max_ratio:,.0f} times real files ever reach",
                )
        if total > limits.max_total_bytes:
            size, limit = msg.sizes_apart(total, limits.max_total_bytes)
            self.bombs.append(
                msg.bomb(
                    None,
                    f"would take up {size} once unpacked, more than the {limit} limit for a "
                    "whole zip",
                )
            )
        for offenders in (too_big, too_dense):
            found = offenders.finding()
            if found:
                self.bombs.append(found)

    def _unsafe_reason(self, rec: CentralRecord, norm: NormalisedName) -> str | None:
        if norm.problem in (NameProblem.ABSOLUTE, NameProblem.DRIVE, NameProblem.PARENT,
                            NameProblem.WINDOWS_DOTS):  # fmt: skip
            return _REASONS[norm.problem]
        # Programs that ignore the Unicode Path field unpack under the plain name.
        if rec.unicode_name is not None and path_problem(rec.raw_name) is not None:
            plain = escape_for_display(rec.raw_name.replace("\\", "/"))
            return (
                f"is also stored under the plain name '{plain}', which some programs use "
                "when unpacking, and that name points outside the folder the zip is "
                "unpacked into"
            )
        if (rec.external_attr >> 16) & S_IFMT == S_IFLNK:
            return (
                "is a symbolic link (a shortcut to another place on the computer), not a "
                "real file; links in a zip can make files land outside the folder it is "
                "unpacked into"
            )
        if rec.name_length > self.limits.max_name_length:
            return (
                f"has a name {rec.name_length:,} characters long, more than the "
                f"{self.limits.max_name_length:,} allowed"
            )
        if norm.problem is not None:
            return _REASONS[norm.problem]
        return None

    # --- the local-header pass ------------------------------------------------------

    def _judge_layout(
        self, records: list[CentralRecord], names: list[str], end: EndRecord, cd: CentralDirectory
    ) -> dict[int, EntrySpan]:
        """Check each local header against the central directory, and look for overlaps."""
        spans: dict[int, EntrySpan] = {}
        ranges: list[tuple[int, int, int, str]] = []
        into_directory = _Offenders()
        for rec in records:
            if rec.problem:
                continue
            name = names[rec.index]
            span, problem = self._local_span(rec)
            if span is None or problem:
                self.reject(rec.index, msg.corrupt(name, problem or "is damaged"))
                if span is None:
                    continue
            data_end = span.data_offset + span.compressed_size
            if data_end > self.file_size:
                self.reject(
                    rec.index,
                    msg.corrupt(
                        name,
                        f"runs past the end of the zip file (it needs {data_end:,} bytes, the "
                        f"file has {self.file_size:,}): the zip is incomplete or damaged",
                    ),
                )
                continue
            if data_end > cd.start and span.header_offset < end.position:
                into_directory.add(
                    name, "claims data that overlaps the zip's own table of contents"
                )
            ranges.append((span.header_offset, rec.index, data_end, name))
            spans[rec.index] = span
        overlapping = _Offenders()
        ranges.sort()
        reach, reach_name = -1, ""
        for start, _index, stop, name in ranges:
            if start < reach:
                overlapping.add(
                    name,
                    f"shares its stored data with the entry '{reach_name}': entries in this "
                    "zip overlap, so a small file unpacks to a huge amount of data",
                )
            if stop > reach:
                reach, reach_name = stop, name
        for offenders in (overlapping, into_directory):
            found = offenders.finding()
            if found:
                self.bombs.append(found)
        return spans

    def _local_span(self, rec: CentralRecord) -> tuple[EntrySpan | None, str | None]:
        missing = "cannot be found where the zip's table of contents says it is"
        if rec.header_offset + 30 > self.file_size:
            return None, missing
        got = read_local_header(self.f, rec.header_offset)
        if got is None:
            return None, missing
        local, digest = got
        span = EntrySpan(
            header_offset=rec.header_offset,
            data_offset=rec.header_offset + local.fixed_size,
            compressed_size=rec.compressed_size,
            name_length=local.name_length,
            name_digest=digest,
        )
        if local.name_length != rec.raw_name_length or digest != rec.raw_name_digest:
            return span, "is stored under a different name inside the zip than in its list of files"
        if local.method != rec.method or (local.flags ^ rec.flags) & FLAG_ENCRYPTED:
            return span, (
                "is described differently inside the zip than in its list of files "
                "(compression or password)"
            )
        if not local.flags & FLAG_DATA_DESCRIPTOR and (
            local.crc != rec.crc
            or local.compressed_size not in (rec.compressed_size, 0xFFFFFFFF)
            or local.size not in (rec.size, 0xFFFFFFFF)
        ):
            return span, (
                "has different sizes or checksum inside the zip than in its list of files"
            )
        return span, None


def _encryption_kind(rec: CentralRecord) -> str | None:
    if rec.method == METHOD_AES:
        return "AES encryption"
    if rec.flags & FLAG_STRONG_ENCRYPTION:
        return "PKWARE strong encryption"
    if rec.flags & FLAG_ENCRYPTED:
        return "a classic zip password"
    return None


def _collision_how(name: str, first: str) -> str:
    a, b = name.rstrip("/"), first.rstrip("/")
    if a == b:
        return "has exactly the same name as"
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        return "has the same name, with its accented letters stored differently, as"
    if a.casefold() == b.casefold():
        return "differs only in capital letters from"
    return "differs only in capital letters and in how accented letters are stored from"

