"""Inspect deliverable files: what they are and what can be read from them.

``inspect_file`` never raises: problems become ``FileFacts.unreadable``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packager.inspect.facts import (
    FileFacts,
    FoundDate,
    ImageFacts,
    InspectOptions,
    PageFacts,
)

if TYPE_CHECKING:
    from packager.inspect.core import inspect_file


def __getattr__(name: str) -> Any:
    # The readers (pypdf, PDFium, Pillow, numpy) load on first use: a process that only plans,
    # classifies or reports never pays for them, and `audit` unpacks while they load (see scan.py).
    if name == "inspect_file":
        from packager.inspect.core import inspect_file

        return inspect_file
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FileFacts", "FoundDate", "ImageFacts", "InspectOptions", "PageFacts", "inspect_file"]
