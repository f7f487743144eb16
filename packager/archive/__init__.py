"""The safe archive reader: list, judge and read zips that may be damaged or hostile.

``scan_archive`` reads only the central directory and the local headers, never
decompresses, and reports every archive-safety problem as a Finding:

- ``zip-unsafe-path``: absolute paths, drive letters, ``..``, hidden characters, symlinks;
- ``zip-bomb``: sizes over the limits, impossible compression ratios, overlapping entries,
  too many entries (the scan then stops and returns no entries);
- ``zip-encrypted-entry``: ZipCrypto, AES or PKWARE strong encryption;
- ``zip-duplicate-entry``: the same name twice, also by case or Unicode normalisation;
- ``zip-corrupt``: damaged or inconsistent structures (more are found while reading);
- ``zip-nested-archive``: an archive inside the archive (never opened).

``EntryReader`` then streams the safe entries with flat memory. Nothing is ever written
outside the folder its caller gives it.
"""

from __future__ import annotations

from packager.archive._messages import (
    BOMB,
    CORRUPT,
    DUPLICATE,
    ENCRYPTED,
    NESTED,
    UNSAFE_PATH,
    nested_archive_finding,
)
from packager.archive.names import NameProblem, NormalisedName, normalise_name
from packager.archive.reader import CHUNK, EntryError, EntryReader, spool_directory
from packager.archive.scan import ArchiveEntry, ArchiveScan, scan_archive
from packager.archive.sniff import archive_kind, is_archive_magic, is_archive_name

CHECK_IDS = (UNSAFE_PATH, BOMB, ENCRYPTED, DUPLICATE, CORRUPT, NESTED)

__all__ = [
    "BOMB",
    "CHECK_IDS",
    "CHUNK",
    "CORRUPT",
    "DUPLICATE",
    "ENCRYPTED",
    "NESTED",
    "UNSAFE_PATH",
    "ArchiveEntry",
    "ArchiveScan",
    "EntryError",
    "EntryReader",
    "NameProblem",
    "NormalisedName",
    "archive_kind",
    "is_archive_magic",
    "is_archive_name",
    "nested_archive_finding",
    "normalise_name",
    "scan_archive",
    "spool_directory",
]
