"""Zips made by hand, the way QA reviewers mostly receive them.

- ``send_to``: Windows Explorer's "Send to > Compressed (zipped) folder": every file deflated under
  one top folder, names in the machine's DOS code page (cp437 in the United States, cp850 in
  Canada) without the UTF-8 flag where they fit in it,
  UTF-8 with the flag where they do not, and the `Thumbs.db` and `desktop.ini` Explorer leaves
  (unless the folder has its own).
- ``finder``: macOS Finder's "Compress": a directory entry per folder, UTF-8 names *without* the
  UTF-8 flag and with accents decomposed (how macOS stores them), an AppleDouble `__MACOSX/…/._name`
  twin per file and a `.DS_Store` (unless the folder has its own).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from tests import zipcraft

APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(4000)


def _entries(folder: Path) -> list[tuple[str, Path]]:
    return [(path.relative_to(folder).as_posix(), path) for path in sorted(folder.rglob("*"))]


def _dos_name(name: str, codepage: str) -> str | bytes:
    """The raw name Explorer writes: code page bytes (no flag) when the name fits, else UTF-8 (flagged)."""
    try:
        return name.encode(codepage) if not name.isascii() else name
    except UnicodeEncodeError:
        return name


def send_to(folder: Path, out: Path, top: str, codepage: str = "cp437") -> Path:
    files = [(rel, path) for rel, path in _entries(folder) if path.is_file()]
    entries = [zipcraft.deflated(_dos_name(f"{top}/{rel}", codepage), path.read_bytes()) for rel, path in files]
    have = {rel for rel, _path in files}
    shown = next((rel.rsplit("/", 1)[0] for rel, _path in files if "/" in rel), None)  # a folder viewed as icons
    if shown is not None and f"{shown}/Thumbs.db" not in have:
        entries.append(zipcraft.deflated(_dos_name(f"{top}/{shown}/Thumbs.db", codepage), b"\xd0\xcf\x11\xe0" + bytes(60)))
    if "desktop.ini" not in have:
        entries.append(zipcraft.deflated(f"{top}/desktop.ini", b"[.ShellClassInfo]\r\n"))
    return zipcraft.write(out, zipcraft.build(entries))


def _mac_name(name: str) -> bytes:
    return unicodedata.normalize("NFD", name).encode("utf-8")  # a name given as bytes gets no UTF-8 flag


def finder(folder: Path, out: Path, top: str) -> Path:
    entries: list[zipcraft.RawEntry] = [zipcraft.directory(f"{top}/")]
    for rel, path in _entries(folder):
        name = f"{top}/{rel}"
        if path.is_dir():
            entries.append(zipcraft.directory(unicodedata.normalize("NFD", name + "/")))
            continue
        entries.append(zipcraft.deflated(_mac_name(name), path.read_bytes()))
        parent, _, leaf = name.rpartition("/")
        entries.append(zipcraft.deflated(_mac_name(f"__MACOSX/{parent}/._{leaf}"), APPLEDOUBLE))
    if not (folder / ".DS_Store").exists():
        entries.append(zipcraft.deflated(f"{top}/.DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(40)))
    return zipcraft.write(out, zipcraft.build(entries))


def send_to_in_canada(folder: Path, out: Path, top: str) -> Path:
    return send_to(folder, out, top, "cp850")


MAKERS = {"Windows Send to": send_to, "Windows Send to (Canada)": send_to_in_canada, "macOS Finder": finder}
