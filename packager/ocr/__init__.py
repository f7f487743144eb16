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
