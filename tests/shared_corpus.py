"""Where the shared real-world corpus is: ../shared/corpus beside the clone, or $PACKAGER_CORPUS.

Tests that read it skip cleanly when it is absent (a user's machine has no ../shared).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PACKAGER_CORPUS"


def corpus_root() -> Path:
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"
