"""What a file really is, from its bytes: (kind, mime).

Built-in signatures alone decide the kinds the checks act on, so the checks are the same
with or without libmagic and do not depend on its version; libmagic (python-magic, the
optional ``magic`` extra), when installed, only supplies a more precise MIME type for
files the signatures call unknown, archive, executable or script. Zip containers are opened
(bounded) to tell Office documents and their macro-enabled variants apart by
``[Content_Types].xml``. The extension is only used to tell CSV from plain text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

try:
    import magic as _magic

    _from_buffer: Callable[..., str] | None = _magic.from_buffer
except Exception:  # libmagic missing or broken: fall back to signatures only
    _from_buffer = None

HEAD_BYTES = 16_384
CONTENT_TYPES_CAP = 1_000_000  # bytes of [Content_Types].xml read at most
ZIP_MEMBER_LIMIT = 20_000  # a zip listing more names than this is not inspected further

MIME: dict[str, str] = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docm": "application/vnd.ms-word.document.macroEnabled.12",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    "odf": "application/vnd.oasis.opendocument",
    "ole": "application/x-ole-storage",
    "rtf": "text/rtf",
    "txt": "text/plain",
    "csv": "text/csv",
    "html": "text/html",
    "zip": "application/zip",
    "archive": "application/octet-stream",
    "executable": "application/octet-stream",
    "script": "text/x-script",
    "unknown": "application/octet-stream",
}

# Main-part content types of OOXML packages, most specific first (macro variants win).
_OOXML_TYPES: tuple[tuple[str, str], ...] = (
    ("application/vnd.ms-word.document.macroenabled", "docm"),
    ("application/vnd.ms-word.template.macroenabled", "docm"),
    ("application/vnd.ms-excel.sheet.macroenabled", "xlsm"),
    ("application/vnd.ms-excel.template.macroenabled", "xlsm"),
    ("application/vnd.ms-excel.addin.macroenabled", "xlsm"),
    ("application/vnd.ms-excel.sheet.binary.macroenabled", "xlsm"),
    ("application/vnd.ms-powerpoint.presentation.macroenabled", "pptm"),
    ("application/vnd.ms-powerpoint.slideshow.macroenabled", "pptm"),
    ("application/vnd.ms-powerpoint.template.macroenabled", "pptm"),
    ("application/vnd.ms-powerpoint.addin.macroenabled", "pptm"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main", "docx"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main", "docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main", "xlsx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.template.main", "xlsx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation.main", "pptx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.slideshow.main", "pptx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.template.main", "pptx"),
)

# Fallback when [Content_Types].xml is missing or unreadable: the main part's folder.
_OOXML_FOLDERS: tuple[tuple[str, str], ...] = (
    ("word/", "docx"),
    ("xl/", "xlsx"),
    ("ppt/", "pptx"),
)

# Text whose extension makes Windows run it on a double-click.
_SCRIPT_EXTENSIONS = frozenset({"js", "jse", "vbs", "vbe", "bat", "cmd", "ps1", "sh", "py", "wsf", "wsh", "hta"})
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif")
_CONTENT_TYPE_ATTR = re.compile(rb'ContentType\s*=\s*"([^"]{1,200})"', re.IGNORECASE)
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


def sniff(head: bytes, name: str, path: Path | None = None, data: bytes | None = None) -> tuple[str, str]:
    """(kind, mime) of a file from its first bytes; ``path``, or the whole file in ``data``, lets zips be
    looked inside."""
    try:
        return _sniff(head, name, path if data is None else io.BytesIO(data))
    except Exception:
        return "unknown", MIME["unknown"]


def _sniff(head: bytes, name: str, path: Path | IO[bytes] | None) -> tuple[str, str]:
    if not head:
        return "unknown", "application/x-empty"
    kind = _signature_kind(head)
    if kind == "zip":
        kind = _zip_kind(head, path)
    elif kind is None:
        kind = "txt" if _looks_like_text(head) else "unknown"
    if kind == "txt" and _extension(name) in ("csv", "tsv"):
        kind = "csv"
    elif kind == "txt" and _extension(name) in _SCRIPT_EXTENSIONS:
        kind = "script"  # a batch file or script a double-click would run
    if kind in ("unknown", "archive", "executable", "script"):
        # libmagic only refines these kinds' MIME type, so it is asked only about them.
        magic_mime = _magic_mime(head)
        if magic_mime:
            return kind, magic_mime
    return kind, MIME[kind]


def _magic_mime(head: bytes) -> str | None:
    if _from_buffer is None:
        return None
    try:
        mime = _from_buffer(head, mime=True)
    except Exception:
        return None
    return mime if isinstance(mime, str) and mime else None


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _signature_kind(head: bytes) -> str | None:
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:2] == b"BM" and len(head) >= 26:
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "heic" if _heif_brand(head) else None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    if head.startswith((b"MZ", b"\x7fELF")) or head[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):
        return "executable"
    if (
        head.startswith((b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh"))
        or head.startswith((b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd", b"MSCF"))
        or head[257:262] == b"ustar"
    ):
        return "archive"
    if head.startswith(b"#!") or head.startswith(b"L\x00\x00\x00\x01\x14\x02\x00"):
        return "script"  # a shebang script, or a Windows shortcut (.lnk)
    if _looks_like_html(head):
        return "html"
    return None


def _heif_brand(head: bytes) -> bool:
    size = int.from_bytes(head[0:4], "big")
    box = head[8 : min(max(size, 16), 256)]
    brands = [box[i : i + 4] for i in range(0, len(box) - 3, 4)]
    return any(b in _HEIF_BRANDS for b in brands)


def _looks_like_html(head: bytes) -> bool:
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    sample = head[:HEAD_BYTES]
    controls = sum(1 for byte in sample if byte in _CONTROL)
    return controls <= len(sample) // 100


def _zip_kind(head: bytes, path: Path | IO[bytes] | None) -> str:
    """docx/xlsx/pptx (or a macro variant), odf, or a plain zip."""
    if head[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument" in head[38:120]:
        return "odf"
    if path is None:
        return _ooxml_from_local_headers(head)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MEMBER_LIMIT:
                return "zip"
            names = {info.filename for info in infos}
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as fh:
                    kind = _ooxml_kind(fh.read(CONTENT_TYPES_CAP))
                if kind:
                    return kind
            if "mimetype" in names:
                with archive.open("mimetype") as fh:
                    if fh.read(200).startswith(b"application/vnd.oasis.opendocument"):
                        return "odf"
            if "[Content_Types].xml" in names:
                for folder, kind in _OOXML_FOLDERS:
                    if any(n.startswith(folder) for n in names):
                        return kind
    except Exception:
        # A broken or truncated container: the local headers may still show what it was.
        return _ooxml_from_local_headers(head)
    return "zip"


def _ooxml_from_local_headers(head: bytes) -> str:
    names: set[bytes] = set()
    start = head.find(b"PK\x03\x04")
    while start >= 0 and len(names) < 1000:
        length = int.from_bytes(head[start + 26 : start + 28], "little")
        names.add(head[start + 30 : start + 30 + length])
        start = head.find(b"PK\x03\x04", start + 4)
    if b"[Content_Types].xml" in names:
        for folder, kind in _OOXML_FOLDERS:
            if any(n.startswith(folder.encode()) for n in names):
                return kind
    return "zip"


def _ooxml_kind(content_types: bytes) -> str | None:
    declared = [m.group(1).decode("ascii", "replace").lower()
                for m in _CONTENT_TYPE_ATTR.finditer(content_types)]
    for prefix, kind in _OOXML_TYPES:
        if any(value.startswith(prefix) for value in declared):
            return kind
    return None
