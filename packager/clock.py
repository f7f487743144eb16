"""The moment a build or report is made: the day it was made, or SOURCE_DATE_EPOCH.

Generated documents show the day they were built. The time of day is fixed (noon UTC), so two
builds of the same folder on the same day are byte-identical; SOURCE_DATE_EPOCH (the reproducible-
builds convention, seconds since 1970) overrides the day for builds that must match across days.
"""

from __future__ import annotations

import datetime as dt
import os

from packager.errors import InputError

ZIP_EARLIEST = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
ZIP_LATEST = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.UTC)
EPOCH_EXPECTED = "seconds since 1970 for a date from 1980 to 2107, e.g. 1767225600"


def build_time(today: dt.date | None = None) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set; otherwise noon UTC of `today` (default: the local date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        shown = epoch if len(epoch) <= 40 else epoch[:37] + "..."
        try:
            when = dt.datetime.fromtimestamp(int(epoch.strip()[:40]), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise InputError(f"'{shown}' is not a Unix time", field="SOURCE_DATE_EPOCH",
                             expected=EPOCH_EXPECTED) from None
        if not ZIP_EARLIEST <= when <= ZIP_LATEST:
            raise InputError(f"{shown} is {when:%Y-%m-%d}, a date a zip file cannot record",
                             field="SOURCE_DATE_EPOCH", expected=EPOCH_EXPECTED)
        return when
    day = today or dt.date.today()
    return dt.datetime(day.year, day.month, day.day, 12, 0, 0, tzinfo=dt.UTC)


def build_day(today: dt.date | None = None) -> dt.date:
    return build_time(today).date()
