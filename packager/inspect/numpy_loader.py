"""numpy, loaded with a single BLAS thread.

packager runs one worker process per core and never multiplies matrices. Without this, the
OpenBLAS that numpy's wheels bundle starts a helper thread per extra core as numpy loads, and that
thread busy-waits for about a tenth of a second on the core the other worker (or `audit`'s
unpacking) needs: 0.1 to 0.16 CPU-s wasted by every process that loads the readers.

OpenBLAS reads the setting once, when it loads, so it is set only for that moment and then
restored; a user's own ``OPENBLAS_NUM_THREADS`` is left as it is, and a numpy loaded earlier by
someone else is used as it is.
"""

from __future__ import annotations

import os

_SETTING = "OPENBLAS_NUM_THREADS"
_ours = _SETTING not in os.environ
if _ours:
    os.environ[_SETTING] = "1"
try:
    import numpy as np
finally:
    if _ours:
        os.environ.pop(_SETTING, None)

__all__ = ["np"]
