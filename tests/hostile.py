"""Helpers for the hostile-input tests: a writable copy of the sample and a fingerprint of a folder."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from packager.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample"
TODAY = "2026-11-26"

Fingerprint = dict[str, tuple[int, int, str]]


def fingerprint(folder: Path) -> Fingerprint:
    """Every entry below ``folder``: (size, mtime in ns, SHA-256) of files; folders with size -1."""
    out: Fingerprint = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(folder)):
        for name in sorted(dirnames):
            path = os.path.join(dirpath, name)
            out[os.fsdecode(os.path.relpath(path, os.fsencode(folder)))] = (-1, os.lstat(path).st_mtime_ns, "")
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            out[os.fsdecode(os.path.relpath(path, os.fsencode(folder)))] = (info.st_size, info.st_mtime_ns, digest)
    return out


def sample_copy(tmp_path: Path, name: str = "Action Plan 2026") -> Path:
    folder = tmp_path / name
    shutil.copytree(SAMPLE, folder)
    return folder


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def one_paragraph(stderr: str) -> str:
    """The exit-2 message: exactly one paragraph, no traceback, no 'internal problem'."""
    text = stderr.strip()
    assert text.startswith("packager: "), text
    assert "Traceback" not in text and "internal problem" not in text, text
    assert "\n" not in text, text
    return text
