"""What OCR text says: dates (with the engine's confidence), milestone labels, signed dates.

Dates are found by the same grammar as text-layer text (``packager.dates``) and labels by
the same label grammar (``packager.naming``), so OCR adds no dialect of its own. Only the
usual OCR confusions inside numbers are undone first (``O`` for 0, ``l`` or ``I`` for 1).
"""

from __future__ import annotations

import datetime as dt
import re

from packager.dates import FoundDate, find_dates
from packager.naming import NamingConvention
from packager.ocr.engine import Line

SIGNATURE_WORDS = re.compile(r"\b(?:sign(?:ed|ature)?|signatory|acknowledged)\b|_{5,}", re.IGNORECASE)
DATE_WORD = re.compile(r"\bdate[d]?\b", re.IGNORECASE)
SIGNATURE_REACH = 3  # lines above or below a signature line searched for its date

_DIGITISH = re.compile(r"(?<![A-Za-z])[0-9OoIl|]*[0-9][0-9OoIl|]*(?![A-Za-z])")
_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def clean(text: str) -> str:
    """Undo OCR letter-for-digit swaps inside runs that are mostly digits ("2O26" -> "2026")."""
    return _DIGITISH.sub(lambda m: m.group(0).translate(_FIX), text)


def line_dates(
    line: Line, window: tuple[dt.date, dt.date] | None, min_conf: float
) -> list[FoundDate]:
    """Dates written on one line, each with the confidence of the words it spans (0-1)."""
    text = line.text
    cleaned = clean(text)
    spans = line.spans()
    out: list[FoundDate] = []
    for found in find_dates(cleaned, "ocr", window):
        start = cleaned.find(found.text.split()[0]) if found.text else -1
        end = start + len(found.text) if start >= 0 else -1
        confs = [c for s, e, c in spans if s < end and e > start and c >= 0]
        conf = round(min(confs) / 100, 2) if confs else 0.0
        if conf * 100 >= min_conf:
            out.append(FoundDate(found.date, "ocr", found.text, found.ambiguous, found.precision, conf))
    return out


def dates_in(
    lines: list[Line], window: tuple[dt.date, dt.date] | None, min_conf: float
) -> list[FoundDate]:
    out: list[FoundDate] = []
    for line in lines:
        out.extend(line_dates(line, window, min_conf))
    return out


def labels_in(lines: list[Line], naming: NamingConvention) -> set[str]:
    """Milestone ids that label the page in these lines (the rules' header grammar: "Milestone 1.2")."""
    text = clean("\n".join(line.text for line in lines))
    return {label.milestone for label in naming.header_labels(text) if label.milestone}


def signature_date(
    lines: list[Line], window: tuple[dt.date, dt.date] | None, min_conf: float
) -> FoundDate | None:
    """The date written by a signature line: on it, on a "Date" line, or a few lines around it."""
    marks = [i for i, line in enumerate(lines) if SIGNATURE_WORDS.search(line.text)]
    if not marks:
        return None
    best: tuple[int, FoundDate] | None = None
    for i, line in enumerate(lines):
        distance = min(abs(i - m) for m in marks)
        if distance > SIGNATURE_REACH:
            continue
        for found in line_dates(line, window, min_conf):
            rank = distance - (1 if DATE_WORD.search(line.text) else 0)
            if best is None or rank < best[0]:
                best = (rank, found)
    return best[1] if best else None
