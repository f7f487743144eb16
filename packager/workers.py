"""Worker processes that do not outlive the run that started them.

A run killed outright (kill -9, a crashed terminal) cannot shut its process pools down, and forked
workers would wait for work for ever, holding memory. Every pool starts its workers with
``die_with_parent``: a daemon thread that ends the worker once its parent process is gone.

A run interrupted (Ctrl-C) or failing must not wait for the files still queued: a worker ends at
Ctrl-C like any program, and ``stopping`` drops a pool's queued work and ends its workers at once. A run
terminated (SIGTERM, SIGHUP) ends as at Ctrl-C (``ended_like_ctrl_c``), so it cleans up too.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

POLL_SECONDS = 1.0


def watch_parent(parent: int, exit_now: Callable[[int], object] = os._exit, poll: float = POLL_SECONDS) -> None:
    """Return (after calling ``exit_now``) once this process's parent is no longer ``parent``."""
    while os.getppid() == parent:
        time.sleep(poll)
    exit_now(1)


# Signals that end a run as Ctrl-C does: a job killed (SIGTERM: `timeout`, a CI runner, a service
# manager) and a terminal closed (SIGHUP). Without a handler they end the process on the spot, and
# `audit`'s unpacked entries stay in /dev/shm (memory) until the machine restarts.
ENDING_SIGNALS = ("SIGTERM", "SIGHUP")


class Terminated(KeyboardInterrupt):
    """The run was ended by ``signum`` (see ENDING_SIGNALS); handled where Ctrl-C is, cleaning up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# Ctrl-C and the ending signals received inside ``ended_like_ctrl_c``. The exception a signal raises can
# land where Python only prints it and goes on (an at-fork handler, a finalizer): it is raised again
# between files (``raise_if_ended``) and when the block ends, so the run still stops, and nothing is printed.
_received: list[int] = []


def _raise_terminated(signum: int, _frame: object) -> None:
    _received.append(signum)
    if not _held[0]:
        raise_if_ended()


def raise_if_ended() -> None:
    """Raise what Ctrl-C or an ending signal raised, if it came and its exception was lost on the way:
    called between files."""
    if not _received:
        return
    if _received[0] == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(_received[0])


def _unraisable_hook(previous: Callable[[Any], object]) -> Callable[[Any], object]:
    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            return  # kept in _received, raised again by raise_if_ended: no traceback on the terminal
        previous(unraisable)

    return hook


@contextmanager
def ended_like_ctrl_c() -> Iterator[None]:
    """In the main thread of the main process: the ending signals raise Terminated inside the block, so
    temporary folders and half-written outputs are removed on the way out; the handlers before are
    restored after it."""
    before: dict[int, Any] = {}
    for name in ("SIGINT", *ENDING_SIGNALS):
        number = getattr(signal, name, None)
        if number is None:  # Windows has no SIGHUP
            continue
        if name == "SIGINT" and signal.getsignal(number) is not signal.default_int_handler:
            continue  # Ctrl-C ignored (a background job) or handled by a host program: left as it is
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            before[number] = signal.signal(number, _raise_terminated)
    _received.clear()
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _unraisable_hook(previous_hook)
    try:
        yield
        raise_if_ended()
    finally:
        sys.unraisablehook = previous_hook
        for number, handler in before.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(number, handler)
        _received.clear()


_held: list[int] = [0]  # how deep inside ``ending_signals_held`` the main thread is


@contextmanager
def ending_signals_held() -> Iterator[None]:
    """Hold Ctrl-C and the ending signals while a temporary folder or file is made and noted for removal.

    One arriving between the two (the folder made, its name not yet kept) would leave the folder behind:
    in /dev/shm, memory until the machine restarts. Inside ``ended_like_ctrl_c`` the signal is only noted
    here, and raised when the block ends, where the caller's clean-up is in place. (Python runs signal
    handlers in the main thread whichever thread the system delivers a signal to, so this holds in a
    process with other threads too, where blocking the signal in one thread would not.)
    """
    _held[0] += 1
    try:
        yield
    finally:
        _held[0] -= 1
    raise_if_ended()


def die_with_parent() -> None:
    """Pool initializer: end this worker when the process that started it dies, at Ctrl-C, and at once
    when it is terminated.

    Ctrl-C reaches every process of the terminal's group. A pool worker would otherwise catch the
    KeyboardInterrupt as its task's result and go on to the next task; the parent handles it. A forked
    worker also inherits the parent's handlers of the ending signals, with which ``terminate()`` would not
    end it either.
    """
    for name in ("SIGINT", *ENDING_SIGNALS):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread, or no such signal here
                signal.signal(number, signal.SIG_DFL)
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True, name="watch-parent").start()


# glibc's mallopt parameters (malloc.h) and the values an inspection worker runs with.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
HEAP_UP_TO_BYTES = 32 * 1024 * 1024  # allocations up to this come from the heap, where freed memory is reused
HEAP_KEEP_BYTES = 64 * 1024 * 1024  # freed memory kept for reuse before any is given back


def keep_freed_memory() -> None:
    """In an inspection worker, on glibc: reuse freed memory instead of giving it back at once.

    A worker reads file after file into buffers of 0.1 to 16 MB (a whole file, a decoded image).
    With glibc's adaptive defaults many of those are mapped and unmapped, or the heap is trimmed
    and regrown, per file: the memory is faulted in again each time, three times the page faults
    and 0.1 to 0.2 CPU-s per 600 files. A worker then holds at most 64 MB more than its own peak,
    and ends with its run. Elsewhere (macOS, Windows, musl) this does nothing.
    """
    try:
        if "glibc" not in (os.confstr("CS_GNU_LIBC_VERSION") or ""):
            return
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, HEAP_UP_TO_BYTES)
    mallopt(_M_TRIM_THRESHOLD, HEAP_KEEP_BYTES)


MANAGER_JOIN_SECONDS = 10.0  # an upper bound only: the thread ends as soon as it sees its workers gone


@contextmanager
def stopping(pool: Executor) -> Iterator[None]:
    """Inside a pool's ``with``: on any exception (Ctrl-C included), drop the queued work and end the
    workers before the pool's own exit, which would otherwise wait for every queued task to run."""
    try:
        yield
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before 3.14
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        # Let the pool's manager thread see its workers gone and close its wake-up pipe now. Python 3.11's
        # exit handler otherwise wakes it while it closes that pipe, which prints "Exception ignored …
        # Bad file descriptor" with a traceback after our one line (a race fixed in later Pythons).
        if isinstance(manager, threading.Thread) and manager is not threading.current_thread():
            manager.join(timeout=MANAGER_JOIN_SECONDS)
        raise


# Objects allocated between young-generation collections while a run builds its records.
BULK_GC_THRESHOLD = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a run builds tens of thousands of long-lived objects.

    The cycle collector runs every 700 net allocations by default and, every so often, walks every
    object in the process (the imported libraries too). Building 5,000 records (classifying,
    unpickling the workers' results) then spends most of its time in the collector. Inside this
    block, what exists already is frozen (never walked again, and left untouched by forked workers,
    so their memory stays shared) and young collections run 30 times less often. Garbage is still
    collected, later.
    """
    old = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # a caller that froze objects itself keeps them frozen
    if freeze:
        gc.freeze()
    gc.set_threshold(max(old[0], BULK_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if freeze:
            gc.unfreeze()
