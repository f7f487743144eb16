"""Entry point: inspect one file and return its facts, never raising."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from packager.inspect.facts import FileFacts, InspectOptions
from packager.inspect.image import inspect_image
from packager.inspect.office import inspect_office
from packager.inspect.pdf import inspect_pdf
from packager.inspect.rtf import inspect_rtf
from packager.inspect.sniff import HEAD_BYTES, sniff
from packager.inspect.text import inspect_text
from packager.textutil import name_key

CHUNK = 1024 * 1024

# (path, base facts, options, display name, the whole file when it was read already (small files))
_Inspector = Callable[[Path, FileFacts, InspectOptions, str, bytes | None], FileFacts]


def _pdf(path: Path, base: FileFacts, options: InspectOptions, name: str, data: bytes | None) -> FileFacts:
    return inspect_pdf(path, base, options, data)


def _image(path: Path, base: FileFacts, options: InspectOptions, name: str, data: bytes | None) -> FileFacts:
    return inspect_image(path, base, options, data)


def _office(path: Path, base: FileFacts, options: InspectOptions, name: str, data: bytes | None) -> FileFacts:
    return inspect_office(path, base, options, name, data)


def _text(path: Path, base: FileFacts, options: InspectOptions, name: str, data: bytes | None) -> FileFacts:
    return inspect_text(path, base, options, data)


def _rtf(path: Path, base: FileFacts, options: InspectOptions, name: str, data: bytes | None) -> FileFacts:
    return inspect_rtf(path, base, options, data)


_INSPECTORS: dict[str, _Inspector] = {
    "pdf": _pdf,
    **dict.fromkeys(("jpeg", "png", "tiff", "gif", "bmp", "webp", "heic"), _image),
    **dict.fromkeys(("docx", "xlsx", "pptx", "docm", "xlsm", "pptm", "odf", "ole"), _office),
    **dict.fromkeys(("txt", "csv", "html"), _text),
    "rtf": _rtf,
}


def inspect_file(
    path: Path,
    options: InspectOptions,
    name: str | None = None,
    sha256: str | None = None,
    data: bytes | None = None,
) -> FileFacts:
    """Facts about the file at ``path``; ``name`` is its display/original name.

    ``sha256``, when the caller has already hashed the content (the audit's spooler, the facts
    cache), is trusted and the file is not hashed again. ``data``, when the caller has read the
    whole (small) file already (``read_small``), is its content: the file is not read again for
    its type, its hash or a PDF's structure. Every problem reading the file is reported in
    ``unreadable``; nothing is raised.
    """
    path = Path(path)
    display = name if name is not None else path.name
    if data is not None:
        size = len(data)
        digest, head = sha256 or hashlib.sha256(data).hexdigest(), data[:HEAD_BYTES]
    else:
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return _bare(0, "it is not a regular file")
            size = info.st_size
            digest, head = (sha256, _head(path)) if sha256 else _hash_and_head(path, size)
        except OSError as exc:
            return _bare(0, f"the file cannot be opened ({exc.strerror or type(exc).__name__})")
    kind, mime = sniff(head, display, path, data)
    base = FileFacts(kind=kind, mime=mime, size=size, sha256=digest)
    if size == 0:
        return replace(base, unreadable="the file is empty")
    inspector = _INSPECTORS.get(kind)
    if inspector is None:
        return base
    try:
        facts = inspector(path, base, options, display, data)
    except RecursionError:
        return replace(base, unreadable="the file's structure is nested too deeply to read")
    except MemoryError:
        return replace(base, unreadable="the file is too large or complex to read")
    except Exception as exc:
        return replace(base, unreadable=f"the file is damaged and cannot be read ({_short(exc)})")
    return _ocr(path, facts, options, display, data)


def _ocr(path: Path, facts: FileFacts, options: InspectOptions, display: str, data: bytes | None) -> FileFacts:
    """Add what OCR reads on a page with no text (packager.ocr); facts unchanged on any failure."""
    if options.ocr == "off":
        return facts
    from packager.ocr.run import apply_ocr

    try:
        name = name_key(display)
        result: FileFacts = apply_ocr(
            path, facts, options.ocr, options.window, name in options.signed, name in options.labelled,
            options.naming, data,
        )
        return result
    except Exception:
        return facts


def _hash_and_head(path: Path, size: int | None = None) -> tuple[str, bytes]:
    """SHA-256 of the whole file (streamed) and its first bytes, in one pass.

    The file is read unbuffered into one reused buffer sized to the file (``size``, from the
    caller's stat), so a small file costs one read and a large one no per-chunk allocations.
    """
    digest = hashlib.sha256()
    with path.open("rb", buffering=0) as fh:
        if size is None:
            size = os.fstat(fh.fileno()).st_size
        buffer = bytearray(min(CHUNK, max(size, HEAD_BYTES) + 1))
        view = memoryview(buffer)
        head = b""
        count = fh.readinto(buffer) or 0
        while count:
            if len(head) < HEAD_BYTES:  # a short first read still yields the whole head
                head += view[: min(count, HEAD_BYTES - len(head))]
            digest.update(view[:count])
            count = fh.readinto(buffer) or 0
    return digest.hexdigest(), head


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def hash_file(path: Path) -> str:
    """SHA-256 of a file's content, streamed."""
    return _hash_and_head(path)[0]


def _bare(size: int, problem: str) -> FileFacts:
    return FileFacts(
        kind="unknown", mime="application/octet-stream", size=size, sha256="", unreadable=problem
    )


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 160 else text[:157] + "..."
