"""Side work done by a forked copy of this process while the build goes on.

After the parse, the build is one process on one core: writing the package, the lock's
text and the parse cache. The last two are pure Python and would only take turns with the
package on threads (the GIL); a forked child has its own interpreter and, copy on write,
every object of the build for free. It reports nothing but its exit status: what it writes
goes to files, and whoever waits for it decides what a failure means.

Where fork is not the way to start processes (Windows, macOS), or other threads run (a
caller's), the work is done here, at once, in this process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator

from .cpus import available_cpus


class Job:
    """Work started by :func:`start`: in a child process, or already done here."""

    def __init__(self, pid: int | None, ok: bool) -> None:
        self._pid = pid
        self._ok = ok

    def wait(self) -> bool:
        """Wait for the work to end; whether it succeeded."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            try:
                _, status = os.waitpid(pid, 0)
            except ChildProcessError:
                return False
            self._ok = os.waitstatus_to_exitcode(status) == 0
        return self._ok


def can_fork() -> bool:
    """Whether side work goes to a child process here: Linux, a second CPU, and no other
    thread (a library caller's threads could hold locks the child would then wait on)."""
    return sys.platform == "linux" and available_cpus() >= 2 and threading.active_count() == 1


def start(work: Callable[[], None]) -> Job:
    """Run ``work`` beside this process; where that is not possible, run it now.

    Run now, its exceptions propagate; in a child, any exception only makes the job fail.
    """
    if not can_fork():
        work()
        return Job(None, True)
    for stream in (sys.stdout, sys.stderr):  # or the child would print their buffers again
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or None
            stream.flush()
    try:
        pid = os.fork()
    except OSError:  # no memory or processes to spare: done here instead
        work()
        return Job(None, True)
    if pid:
        return Job(pid, False)
    code = 1
    try:
        work()
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)  # no atexit handlers, no buffers flushed, nothing of the parent's


@contextlib.contextmanager
def waited() -> Iterator[list[Job]]:
    """A list to put jobs in; every one is waited for when the block ends, however it ends."""
    jobs: list[Job] = []
    try:
        yield jobs
    finally:
        for job in jobs:
            job.wait()
