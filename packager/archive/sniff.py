"""Recognising archives inside an archive, by name or by their first bytes."""

from __future__ import annotations

import struct

ARCHIVE_EXTENSIONS = frozenset(
    {
        "zip", "zipx", "7z", "rar", "gz", "tgz", "tar", "bz2", "tbz", "tbz2", "xz", "txz",
        "zst", "tzst", "lz", "lzma", "tlz", "z", "cab", "arj", "lzh", "lha", "ace", "cpio",
        "iso", "dmg", "wim",
    }
)  # fmt: skip

# Office Open XML and OpenDocument files are zips by design and are ordinary deliverables;
# their first entry gives them away.
_OFFICE_FIRST_ENTRIES = (
    b"[Content_Types].xml", b"mimetype", b"_rels/", b"docProps/", b"word/", b"xl/", b"ppt/",
)

_BZIP2_BLOCK = (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")


def is_archive_name(name: str) -> bool:
    """True when the last part of ``name`` has an archive extension (.zip, .7z, .tar.gz...)."""
    if name.endswith("/"):
        return False
    base = name.rsplit("/", 1)[-1]
    if "." not in base:
        return False
    return base.rsplit(".", 1)[1].lower() in ARCHIVE_EXTENSIONS


def archive_kind(head: bytes) -> str | None:
    """What kind of archive ``head`` (the first bytes of a file; 512 are enough) starts, if any.

    A zip that is an Office or OpenDocument file (its first entry is ``[Content_Types].xml``,
    ``mimetype``, ...) is not reported: those are documents, not archives.
    """
    if head.startswith(b"PK\x03\x04"):
        return None if _is_office_zip(head) else "zip"
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] in _BZIP2_BLOCK:
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"MSCF\x00\x00\x00\x00"):
        return "cab"
    if head[257:262] == b"ustar":
        return "tar"
    return None


def is_archive_magic(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) is a zip, 7z, rar, gzip... archive."""
    return archive_kind(head) is not None


def _is_office_zip(head: bytes) -> bool:
    if len(head) < 30:
        return False
    name_len = struct.unpack_from("<H", head, 26)[0]
    name = head[30 : 30 + name_len]
    return name.startswith(_OFFICE_FIRST_ENTRIES)
