"""Worker processes that do not outlive the run that started them.

A run killed outright (kill -9, a crashed terminal) cannot shut its process pools down, and forked
workers would wait for work for ever, holding memory. Every pool starts its workers with
``die_with_parent``: a daemon thread that ends the worker once its parent process is gone.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

POLL_SECONDS = 1.0


def watch_parent(parent: int, exit_now: Callable[[int], object] = os._exit, poll: float = POLL_SECONDS) -> None:
    """Return (after calling ``exit_now``) once this process's parent is no longer ``parent``."""
    while os.getppid() == parent:
        time.sleep(poll)
    exit_now(1)


def die_with_parent() -> None:
    """Pool initializer: end this worker when the process that started it dies."""
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True, name="watch-parent").start()
