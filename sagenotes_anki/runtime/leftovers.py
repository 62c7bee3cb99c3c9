"""What killed builds and previews left: scratch folders named for their writer, and
:func:`sweep`, which removes what no running writer holds.

A build killed outright (SIGKILL, a power cut) cannot remove what it was writing, so every
temporary file (:class:`atomic.TempFile`) and scratch folder is named with the writer's
process id, and a temporary file is locked (``flock``) by its writer until it is renamed or
removed: :func:`sweep`, at the start of the next build (or preview), removes those whose
writer no longer runs, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be removed there anyway
    fcntl = None  # type: ignore[assignment]


SCRATCH_PREFIX = "sagenotes-"
# The token of ``.NAME.TOKEN.tmp``: ``PID-HEX`` (TempFile's); ``PID`` alone, as the cache and the
# preview wrote before they wrote through TempFile; older releases wrote 12 hex digits and no
# process id. Process ids have at most 7 digits (Linux's pid_max).
_TOKEN = re.compile(r"(?P<pid>\d{1,7})(?:-[0-9a-f]{8})?|(?P<legacy>[0-9a-f]{12})")
_SCRATCH = re.compile(
    rf"{SCRATCH_PREFIX}(?:(?P<pid>\d{{1,7}})-[a-z0-9_]+|(?P<legacy>[a-z0-9_]{{8}}))"
)
# What an older release left (no process id to ask) is removed once it is this old.
_LEGACY_AGE = 24 * 3600


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """A scratch folder in the system's temporary folder, named so that :func:`sweep` can
    tell it is ours and whether its build still runs."""
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def sweep(files: Iterable[Path], folders: Iterable[Path]) -> None:
    """Remove what builds that no longer run left behind: the temporary files of ``files``
    (beside each), every temporary file in ``folders`` (the cache's), and scratch folders.

    Only names this tool writes are looked at, and a file or folder is removed only when
    the process named in it is gone (and, for a file, nobody holds its lock: a build in
    another process namespace). Never raises: this is housekeeping.
    """
    if os.name != "posix":
        return  # no cheap way to ask whether a process runs; Windows removes nothing open
    beside: dict[Path, set[str]] = {}
    for path in files:
        beside.setdefault(path.parent, set()).add(path.name)
    for folder in folders:
        beside.setdefault(folder, set()).add("")
    for folder, names in beside.items():
        _sweep_files(folder, names)
    _sweep_scratch(Path(tempfile.gettempdir()))


def _sweep_files(folder: Path, names: set[str]) -> None:
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(".") and name.endswith(".tmp")):
                continue
            base, dot, token = name[1:-4].rpartition(".")
            if not dot or ("" not in names and base not in names):
                continue
            match = _TOKEN.fullmatch(token)
            if match is not None and _stale(entry.path, match["pid"], match["legacy"]):
                _remove_file(entry.path)


def _sweep_scratch(folder: Path) -> None:
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            if not entry.name.startswith(SCRATCH_PREFIX):
                continue
            match = _SCRATCH.fullmatch(entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            if _stale(entry.path, match["pid"], match["legacy"], locked=False):
                shutil.rmtree(entry.path, ignore_errors=True)


def _stale(path: str, pid: str | None, legacy: str | None, *, locked: bool = True) -> bool:
    """Whether what ``path`` names was left by a writer that no longer runs."""
    if pid is not None:
        if _running(int(pid)):
            return False
    elif legacy is not None:
        try:
            if time.time() - os.lstat(path).st_mtime < _LEGACY_AGE:
                return False
        except OSError:
            return False
    return not (locked and _held(path))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it runs
        return True
    return True


def _held(path: str) -> bool:
    """Whether someone holds the lock of the regular file ``path`` (or it is no such file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return True  # not a file this tool wrote
        if fcntl is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        return False
    finally:
        os.close(fd)


def _remove_file(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
