"""How many CPUs this process may use: the parse and the package's compression use them all."""

from __future__ import annotations

import os


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
