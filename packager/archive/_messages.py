"""The wording of every archive finding, written for a safety coordinator."""

from __future__ import annotations

from packager.checks.registry import declare
from packager.findings import Finding, Severity

UNSAFE_PATH = "zip-unsafe-path"
BOMB = "zip-bomb"
ENCRYPTED = "zip-encrypted-entry"
DUPLICATE = "zip-duplicate-entry"
CORRUPT = "zip-corrupt"
NESTED = "zip-nested-archive"


# Every archive check id, declared once in the registry: `packager checks` lists them and settings
# (--select, --ignore, accepted) may name them.
declare(
    UNSAFE_PATH, Severity.ERROR, "archive",
    (
    'Received zip: an entry with an absolute path, a drive letter, .. (also with \\), hidden '
    "characters, or a symlink. Nothing is ever written outside the tool's own temp folder."
    ),
    (
    "Ask the company to send a zip made by 'packager build' or by their computer's 'Send to "
    "compressed folder'."
    ),
)
declare(
    BOMB, Severity.ERROR, "archive",
    (
    'Received zip: declared sizes over the limits in the rules (2 GiB in all, 1 GiB an entry), '
    'a compression ratio deflate cannot honestly reach, overlapping entries, or too many '
    'entries. Reading stops at once.'
    ),
    (
    'Do not open the zip with other tools; ask the company for a new one.'
    ),
)
declare(
    ENCRYPTED, Severity.ERROR, "archive",
    (
    'Received zip: a password-protected entry (ZipCrypto, AES or strong encryption).'
    ),
    (
    'Ask the company to send the zip again without a password.'
    ),
)
declare(
    DUPLICATE, Severity.ERROR, "archive",
    (
    'Received zip: two entries with the same name, or names that differ only in capitals or '
    'accent encoding.'
    ),
    (
    'Ask the company to rename one of the files and send the zip again.'
    ),
)
declare(
    CORRUPT, Severity.ERROR, "archive",
    (
    'Received zip: truncated, a bad CRC, or an entry that cannot be read. A zip that cannot be '
    'opened at all stops with exit 2 (in a batch: a failed row).'
    ),
    (
    'Ask the company to send the zip again; it was damaged on the way or when it was made.'
    ),
)
declare(
    NESTED, Severity.WARNING, "archive",
    (
    'Received zip: an archive inside the archive; it is never opened.'
    ),
    (
    'Ask the company to unpack it and include its documents directly.'
    ),
)

RESEND = (
    "Ask the company to send the zip again, built with packager build or by their "
    "computer's 'Send to compressed folder'."
)
HINT_UNSAFE = "Do not unpack this zip with other tools. " + RESEND
HINT_BOMB = "Do not unpack this zip with other tools: it could fill the computer's disk. " + RESEND
HINT_ENCRYPTED = (
    "Ask the company to send the zip again without a password, built with packager build "
    "or by their computer's 'Send to compressed folder'."
)
HINT_DUPLICATE = (
    "Ask the company to give each file its own name (names that differ only in capital "
    "letters count as the same) and send the zip again."
)
HINT_CORRUPT = (
    "The zip is damaged, perhaps cut off while it was being emailed or downloaded. " + RESEND
)
HINT_NESTED = (
    "Ask the company to send the files inside that archive directly instead of an archive "
    "within the zip. It was not opened."
)

_METHOD_NAMES = {
    1: "Shrink",
    6: "Implode",
    9: "Deflate64",
    93: "Zstandard",
    95: "XZ",
    96: "JPEG",
    97: "WavPack",
    98: "PPMd",
}


def human_size(n: int) -> str:
    """1536 -> '1.5 KB', the way Windows Explorer counts."""
    if n < 1024:
        return f"{n:,} bytes" if n != 1 else "1 byte"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB", "PB"):
        value /= 1024
        if value < 1024 or unit == "PB":
            return f"{value:,.1f} {unit}"
    raise AssertionError("unreachable")


def sizes_apart(n: int, limit: int) -> tuple[str, str]:
    """Two sizes written so that they never look equal when they are not (2.0 GB vs 2.0 GB)."""
    a, b = human_size(n), human_size(limit)
    if a == b and n != limit:
        return f"{n:,} bytes", f"{limit:,} bytes"
    return a, b


def quoted(name: str) -> str:
    return f"'{name}'"


def unsafe_path(name: str, reason: str) -> Finding:
    return Finding(
        UNSAFE_PATH, Severity.ERROR, f"The entry {quoted(name)} {reason}.", HINT_UNSAFE, name
    )


def encrypted(name: str, kind: str) -> Finding:
    return Finding(
        ENCRYPTED,
        Severity.ERROR,
        f"The entry {quoted(name)} is password-protected ({kind}), so it cannot be opened "
        "and checked.",
        HINT_ENCRYPTED,
        name,
    )


def directory_encrypted() -> Finding:
    return Finding(
        ENCRYPTED,
        Severity.ERROR,
        "The zip's list of files is itself password-protected, so nothing in it can be "
        "listed or checked.",
        HINT_ENCRYPTED,
    )


def duplicate(name: str, first: str, how: str) -> Finding:
    return Finding(
        DUPLICATE,
        Severity.ERROR,
        f"The entry {quoted(name)} {how} {quoted(first)}, which comes earlier in the zip. "
        "Unpacking would keep only one of them, and different programs keep different "
        "ones; only the first was checked.",
        HINT_DUPLICATE,
        name,
    )


def corrupt(name: str | None, problem: str) -> Finding:
    subject = f"The entry {quoted(name)}" if name is not None else "The zip"
    return Finding(CORRUPT, Severity.ERROR, f"{subject} {problem}.", HINT_CORRUPT, name)


def unsupported_method(name: str, method: int) -> Finding:
    label = _METHOD_NAMES.get(method, "an unusual one")
    return corrupt(
        name,
        f"uses a compression method this tool cannot unpack ({label}, method {method}), "
        "so it cannot be checked",
    )


def bomb(name: str | None, problem: str) -> Finding:
    subject = f"The entry {quoted(name)}" if name is not None else "The zip"
    return Finding(
        BOMB,
        Severity.ERROR,
        f"{subject} {problem}. Zips built like this (\"zip bombs\") fill up a computer's "
        "disk when unpacked, so nothing in this zip was unpacked.",
        HINT_BOMB,
        name,
    )


def nested_archive_finding(name: str, *, by_content: bool = False) -> Finding:
    """The warning for an archive found inside the archive (by its name or its first bytes)."""
    what = (
        "is really an archive: whatever its name says, its contents are a zip, 7z, rar, "
        "gzip or similar compressed file"
        if by_content
        else "is itself an archive (a zip, 7z, rar, gz or similar file)"
    )
    return Finding(
        NESTED,
        Severity.WARNING,
        f"The entry {quoted(name)} {what}. Archives inside the zip are not opened or checked.",
        HINT_NESTED,
        name,
    )


def more_of_the_same(check: str, severity: Severity, hint: str, count: int) -> Finding:
    noun = "entry has" if count == 1 else "entries have"
    return Finding(
        check,
        severity,
        f"{count:,} more {noun} the same problem; they are not listed one by one.",
        hint,
    )
