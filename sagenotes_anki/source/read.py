"""One note's bytes: regular files only, up to a size limit, never blocking.

A FIFO is refused, not opened for a writer to come; a note whose name is not UTF-8 is found
again by its real name (:func:`walk.os_path`). Light: the no-op path needs only this.
"""

from __future__ import annotations

import os
import stat

from ..runtime.regular import NotAFileError, kind_of, open_regular
from .walk import os_path

# The largest real note is under 10 KiB; a note a hundred times that reads in well under a
# second, and even a mebibyte of the most expensive markup parses in seconds, not minutes.
MAX_NOTE_BYTES = 1024 * 1024


class TooLargeError(OSError):
    """The file is over ``MAX_NOTE_BYTES``."""

    def __init__(self, size: int) -> None:
        super().__init__(f"over {MAX_NOTE_BYTES} bytes")
        self.size = size


def read_note(folder: str, relpath: str) -> bytes:
    """The bytes of one note; raises OSError (``NotAFileError``, ``TooLargeError`` too)."""
    path = os.path.join(folder, relpath)
    try:
        fd, info = open_regular(path)
    except FileNotFoundError:
        odd = not relpath.isascii() or "\\x" in relpath  # a name shown decoded
        real = os_path(folder, relpath) if odd else None
        if real is None:
            raise
        fd, info = _open(real)
    except NotAFileError:
        raise
    except OSError:
        _refuse_special(path)  # a socket cannot be opened: say what it is
        raise
    try:
        if info.st_size > MAX_NOTE_BYTES:
            raise TooLargeError(info.st_size)
        chunks = []
        total = 0
        while total <= MAX_NOTE_BYTES:
            # The size and one byte more (to see the end) in one read, or 64 KiB at a time.
            want = min(MAX_NOTE_BYTES + 1 - total, max(info.st_size + 1 - total, 65536))
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_NOTE_BYTES:  # it grew while being read, or its size was not told
            raise TooLargeError(total)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def _open(path: str) -> tuple[int, os.stat_result]:
    try:
        return open_regular(path)
    except NotAFileError:
        raise
    except OSError:
        _refuse_special(path)
        raise


def _refuse_special(path: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise NotAFileError(kind_of(mode))
