"""OCR: read the date and the milestone label that a scanned page, photo or screenshot shows.

It applies to files whose first page has no text to read (image-only PDF pages, JPEG, PNG,
TIFF, HEIC and other images) and to the signed documents named under ``documents:``. It
reads only what a verdict needs: the top of the first page for a label and a date; the
whole page only when the top did not give both; every page (up to ``SIGNED_PAGES``) of a
signed document, looking for the date by the signature line. A page has a time budget;
over it, the file is reported as not read ("could not verify"), never waited for.

Results are cached by the file's SHA-256 (``packager.cachedir``, JSON), so checking an
unchanged folder again runs no OCR, and ``build`` and ``audit`` reuse what ``check`` read.
Only the lines the engine read are cached; dates and labels are found again each time,
so a different plan window or rules profile never sees stale conclusions.
"""

from __future__ import annotations

from typing import Any


def cache_hint(options: Any, name: str) -> str:
    """What a file's OCR facts depend on beyond the inspection options: the engine installed (a
    newly installed engine must not meet facts cached without one) and the file's own hints.

    Here, not in ``ocr.run``: with OCR off, a worker never loads the OCR pipeline and its imaging.
    """
    if options.ocr == "off":
        return "ocr:off"
    from packager.ocr.engine import find_engine
    from packager.textutil import name_key

    engine = find_engine()
    folded = name_key(name)
    return "|".join((
        f"ocr:{options.ocr}", engine.name if engine else "no-engine",
        "signed" if folded in options.signed else "", "labelled" if folded in options.labelled else "",
    ))
