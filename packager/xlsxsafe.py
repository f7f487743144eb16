"""Open a workbook someone sent us without trusting it.

An .xlsx file is a zip of XML. Before openpyxl parses it we check, from the zip's table of
contents and the first bytes of each XML part: the file size, the number of parts, their
declared uncompressed sizes and ratios (a zip bomb), and that no part declares a DTD or
entities (the XML bombs). openpyxl then reads it in read-only mode, with cached formula
values (nothing is recalculated) and without external links. Macros are never run: openpyxl
cannot run them.
"""

from __future__ import annotations

import contextlib
import io
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packager.errors import InputError

MAX_XLSX_BYTES = 20 * 1024 * 1024
MAX_PARTS = 2_000
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # a plan or QA workbook unpacks to well under 1 MB
MAX_RATIO = 200.0
RATIO_MIN_BYTES = 1024 * 1024


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """openpyxl's warnings about what it reads silenced (a date cell out of range, an unknown extension).

    Workbooks are opened read-only, so cells are parsed while rows are read: wrap the reading too. The
    loaders report a cell's problem themselves; a warning would reach the user's terminal as a Python
    message naming a file inside the installed libraries.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def read_workbook_bytes(path: Path, what: str) -> bytes:
    """The file's bytes, or InputError naming it (missing, a folder, too large)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"the {what} does not exist", file=path) from None
    except OSError as exc:
        raise InputError(f"the {what} cannot be read ({exc.strerror})", file=path) from None
    if not path.is_file():
        raise InputError(f"the {what} is not a file", file=path)
    if size > MAX_XLSX_BYTES:
        raise InputError(f"the {what} is {size:,} bytes, far too large for a plan or a worksheet", file=path,
                         hint="Save a copy without pictures or extra sheets")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"the {what} cannot be read ({exc.strerror})", file=path) from None


def open_workbook(data: bytes, source: str, what: str) -> Any:
    """An openpyxl workbook (read-only, cached values), after the safety checks above."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            f"the {what} is password-protected or an old .xls workbook, which cannot be read", file=source,
            hint="Save it from Excel or LibreOffice as an .xlsx workbook without a password to open",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"the {what} is not an .xlsx workbook (it is not a zip of XML parts)", file=source,
                         hint="Save it from Excel or LibreOffice as 'Excel Workbook (.xlsx)'") from None
    if len(infos) > MAX_PARTS:
        raise InputError(f"the {what} has {len(infos):,} parts, far more than a workbook needs", file=source)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED or (info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO):
            raise InputError(f"the {what} unpacks to far more data than a workbook holds; it was not opened",
                             file=source)
        if info.filename.endswith((".xml", ".rels", ".vml")):
            try:
                with archive.open(info) as fh:
                    head = fh.read(4096)
            except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
                raise InputError(f"the {what} is damaged (part '{info.filename}' cannot be read)",
                                 file=source) from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise InputError(f"the {what} declares XML entities, which a workbook never needs; it was not "
                                 "opened", file=source)
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise InputError(f"the {what} is not an .xlsx workbook (it has no xl/workbook.xml)", file=source,
                         hint="Save it from Excel or LibreOffice as 'Excel Workbook (.xlsx)'")
    from openpyxl import load_workbook

    try:
        with quiet():
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False,
                                 keep_vba=False)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a malformed part
        raise InputError(f"the {what} cannot be read as a workbook ({type(exc).__name__})", file=source,
                         hint="Open it in Excel or LibreOffice and save it again as .xlsx") from None


def formula_cells(data: bytes, sheet: str) -> set[str]:
    """Coordinates of the cells of `sheet` that hold a formula (to explain a formula with no saved value)."""
    from openpyxl import load_workbook

    try:
        with quiet():
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
            ws = wb[sheet]
            out = set()
            for row in ws.iter_rows(max_row=5_000, max_col=30):
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, str) and value.startswith("="):
                        out.add(cell.coordinate)
        wb.close()
        return out
    except Exception:
        return set()
