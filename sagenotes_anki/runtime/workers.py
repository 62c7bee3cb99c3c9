"""Worker processes: a function mapped over many tasks on every CPU, results in task order.

Below ``PARALLEL_MIN`` tasks, or with one CPU, the tasks run in this process: starting
workers would cost more than it saves. Workers end when the process that started them does,
even when it is killed outright. Nothing here knows what the tasks are.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from .cpus import available_cpus

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = ["CHUNK_MAX", "PARALLEL_MIN", "mapped"]

# Below this many tasks, starting worker processes costs more than it saves (measured on
# notes: ~4 ms to parse one, ~60 ms to start two workers and collect their results).
PARALLEL_MIN = 48
# Tasks sent to a worker at once at most: small enough that the last ones do not leave one
# core idle for long, large enough that sending them costs nothing.
CHUNK_MAX = 32

T = TypeVar("T")
R = TypeVar("R")


def mapped(work: Callable[[T], R], tasks: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """``work`` of each task, in task order, each as soon as it is ready.

    ``workers`` caps the worker processes (default: the CPUs this process may use).
    """
    count = min(workers or available_cpus(), len(tasks))
    if count < 2 or len(tasks) < PARALLEL_MIN:
        yield from map(work, tasks)
        return
    # Imported only when needed: it costs a tenth of a no-op rebuild's start-up.
    from concurrent.futures import ProcessPoolExecutor

    # Several tasks per worker, so that one slow task near the end (a long white paper) does
    # not leave the other core idle; results are taken in while the workers go on.
    chunksize = max(1, min(CHUNK_MAX, len(tasks) // (count * 8)))
    with ProcessPoolExecutor(
        max_workers=count, mp_context=_context(), initializer=_worker_start, initargs=(os.getpid(),)
    ) as executor:
        yield from executor.map(work, tasks, chunksize=chunksize)


def _worker_start(parent: int) -> None:
    """Set up a worker: it ends when the process that started it does.

    Killed outright, that process cannot stop its workers, which would wait for work forever
    (they hold both ends of the pipe it comes through). On Linux the kernel sends them
    SIGTERM when their parent dies; elsewhere a thread looks every second.
    """
    # A worker's garbage is its own: it collects as usual even when the process it was
    # forked from paused the collector.
    gc.enable()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # whatever the parent had set up
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before we asked to die with it
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask the kernel for SIGTERM when the parent dies (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform != "linux":
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


_PR_SET_PDEATHSIG = 1


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _context() -> BaseContext:
    # fork starts a worker in milliseconds with the parent's modules (the parser) already
    # imported; elsewhere the platform default (spawn) is the safe choice.
    import multiprocessing

    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
