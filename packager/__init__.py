"""packager: build and check COR/SECOR Action Plan submissions."""

from __future__ import annotations

__version__ = "0.1.0"
