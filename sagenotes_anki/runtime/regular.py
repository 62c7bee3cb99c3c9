"""Opening a file only when it is a regular one, never blocking on what is not.

A FIFO where a note, the lock, a cache file or the previous package should be would make a
plain ``open`` wait for a writer for ever, and a device could be read without end: the file
is opened without blocking and looked at before anything is read from it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Non-blocking changes nothing for a regular file; for a FIFO it means "do not wait".
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotAFileError(OSError):
    """The path is a FIFO, a device, a socket or a folder, not a regular file."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"not a regular file ({kind})")
        self.kind = kind


def open_regular(path: str | Path) -> tuple[int, os.stat_result]:
    """A read-only descriptor of ``path`` and its status, when it is a regular file.

    Raises NotAFileError for anything else, and OSError when it cannot be opened.
    """
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFileError(kind_of(info.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, for a diagnostic."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"
