"""Inspect deliverable files: what they are and what can be read from them.

``inspect_file`` never raises: problems become ``FileFacts.unreadable``.
"""

from __future__ import annotations

from packager.inspect.core import inspect_file
from packager.inspect.facts import (
    FileFacts,
    FoundDate,
    ImageFacts,
    InspectOptions,
    PageFacts,
)

__all__ = ["FileFacts", "FoundDate", "ImageFacts", "InspectOptions", "PageFacts", "inspect_file"]
