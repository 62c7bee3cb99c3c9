"""What an output path may be: never a note, the lock, a settings file or a device.

A mistyped ``-o`` must not replace the note it names (``-o notes/x.md``), write the package
over the lock that describes it, or turn ``/dev/null`` into a regular file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import OutputError

_NOT_OUTPUTS = frozenset({".md", ".toml"})


def refuse_unsafe_output(out: Path, lock_path: Path, what: str = "the deck") -> None:
    """Raise OutputError when ``out`` is not a place to write ``what`` to."""
    if out.suffix.lower() in _NOT_OUTPUTS:
        raise OutputError(
            f"will not write {what} to {out}: a {out.suffix} file is a note or settings, not "
            "an output; choose another name (e.g. build/sagenotes.apkg)"
        )
    try:
        mode = os.stat(out).st_mode
    except OSError:
        mode = None  # not there yet (or unreachable: the writer says so)
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise OutputError(
            f"will not write {what} to {out}: it is not a regular file (a device, a FIFO or "
            "a socket); choose a file name"
        )
    if _same(out, lock_path):
        raise OutputError(
            f"will not write {what} to {out}: that is the lock file, which the build writes "
            "itself; choose another name"
        )


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
