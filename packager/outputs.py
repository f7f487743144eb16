"""Where outputs may go: never inside the source folder, never over a file this tool did not write.

Every command that writes (build's zip, a report with -o, audit's worksheet) asks here first,
before any work is done, so a mistaken -o is an exit-2 message rather than lost evidence.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from pathlib import Path

from packager.errors import InputError
from packager.safetext import printable_path

OWN_MANIFEST = "manifest.json"
MANIFEST_PROBE_BYTES = 4 * 1024 * 1024
TEXT_REPORT_SUFFIXES = frozenset({".txt", ".json", ".html", ".htm", ".csv", ".md", ".log", ""})
TEXT_PROBE_BYTES = 64 * 1024


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output(
    target: Path,
    *,
    option: str = "-o",
    source_folder: Path | None = None,
    inputs: Iterable[Path | None] = (),
    force: bool = False,
    kind: str = "zip",
) -> None:
    """Raise InputError (exit 2) unless writing ``target`` is safe.

    ``kind`` is "zip" (only a zip this tool built may be replaced) or "report" (a text file:
    an existing text report may be replaced; anything else needs --force).
    """
    shown = printable_path(str(target))
    resolved = _resolved(target)
    if source_folder is not None:
        folder = _resolved(source_folder)
        if _inside(resolved, folder):
            raise InputError(
                "this output would be written inside the submission folder, which packager only ever reads",
                file=shown, field=option,
                hint="Write it next to the folder instead, e.g. -o "
                + printable_path(str(Path(source_folder).absolute().parent / target.name)),
            )
    for given in inputs:
        if given is not None and _resolved(given) == resolved:
            raise InputError("this is one of the input files; writing here would destroy it", file=shown,
                             field=option, hint="Choose another file name for the output")
    # An existing ancestor that is a file (report.txt/out.zip) can never hold the output.
    for ancestor in resolved.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                where = printable_path(str(ancestor))
                raise InputError(f"the output cannot go here: '{where}' is a file, not a folder",
                                 file=shown, field=option)
            break
    if not (target.exists() or target.is_symlink()):
        return
    if target.is_dir():
        raise InputError("this is a folder; give the name of the file to write", file=shown, field=option)
    if not target.is_file():
        raise InputError("this is not a regular file (a device, a pipe or a socket)", file=shown, field=option)
    if force or (is_own_zip(target) if kind == "zip" else _looks_like_report(target)):
        return
    what = "a zip built by packager" if kind == "zip" else "a text report"
    raise InputError(
        f"a file of this name already exists and is not {what}, so it was left alone",
        file=shown, field=option,
        hint="Choose another name, or add --force to replace it",
    )


def is_own_zip(path: Path) -> bool:
    """Is ``path`` a zip this tool built (it carries a packager manifest)?"""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1] == OWN_MANIFEST
                     and i.filename.count("/") <= 2 and i.file_size <= MANIFEST_PROBE_BYTES]
            if not infos:
                return False
            with zf.open(infos[0]) as fh:
                data = json.loads(fh.read(MANIFEST_PROBE_BYTES).decode("utf-8"))
    except Exception:
        return False
    tool = data.get("tool") if isinstance(data, dict) else None
    return isinstance(tool, dict) and tool.get("name") == "packager"


def _looks_like_report(path: Path) -> bool:
    """A report may be replaced by the next run: a PDF or workbook packager wrote, or a UTF-8 text file
    with a report suffix."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _own_pdf(path)
    if suffix == ".xlsx":
        return _own_workbook(path)
    if suffix not in TEXT_REPORT_SUFFIXES:
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(TEXT_PROBE_BYTES)
    except OSError:
        return False
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return len(head) == TEXT_PROBE_BYTES and exc.start >= len(head) - 3  # a character cut at the probe
    return True


def _own_pdf(path: Path) -> bool:
    """A PDF packager rendered: its /Creator is 'packager' (in the info dictionary near the end)."""
    try:
        with path.open("rb") as fh:
            if fh.read(5) != b"%PDF-":
                return False
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - TEXT_PROBE_BYTES))
            return b"/Creator (packager)" in fh.read()
    except OSError:
        return False


def _own_workbook(path: Path) -> bool:
    """A workbook packager wrote: its core properties name 'packager' as the creator."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > TEXT_PROBE_BYTES:
                return False
            return b">packager</dc:creator>" in zf.read(info)
    except Exception:
        return False
