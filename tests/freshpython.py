"""Running code in a fresh Python process: for what only shows before anything is imported or set up
(which modules load, how a library starts, how signals end a run)."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``args`` in a new interpreter; the test fails with its stderr if it fails."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done
