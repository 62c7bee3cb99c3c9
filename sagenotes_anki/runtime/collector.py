"""The cyclic garbage collector paused while a build makes many objects that hold no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that hold no cycles.

    Unpickling a large cache makes hundreds of thousands of tuples; collections triggered
    meanwhile would scan them again and again (half the load time of a large vault).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
