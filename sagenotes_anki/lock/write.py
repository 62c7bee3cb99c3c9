"""Writing the lock file to disk: its text (``format.py``) line by line, atomically.

A large vault's lock is several times the size of the entries it describes, so it is never
made whole in memory. Its file is made before the package is written, and written once the
package is complete (its last line is the package's record): :func:`start_plan` and
:meth:`PendingLock.finish`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import OutputError
from ..runtime.atomic import TempFile, write_file
from .format import lines
from .model import KEPT_WITH_CONTENT, Entry, Lock, OutputRecord, Plan


def write_lock(path: Path, lock: Lock) -> None:
    """Write the lock atomically; raises OutputError when it cannot be written."""
    _write(path, lines(((e, e.full) for e in lock.entries.values()), lock.notetypes, lock.output))


def write_plan(path: Path, plan: Plan, output: OutputRecord | None) -> None:
    """Write ``plan.to_lock(output)`` atomically, without making that lock in memory first."""
    _write(path, lines(_plan_entries(plan), plan.notetypes, output))


def _plan_entries(plan: Plan) -> Iterator[tuple[Entry, bool]]:
    return ((e, status in KEPT_WITH_CONTENT) for e, status in plan.entries)


def _write(path: Path, text: Iterable[str]) -> None:
    write_file(path, lambda f: _write_lines(f, text))


def _write_lines(f: IO[bytes], text: Iterable[str]) -> None:
    chunk: list[str] = []
    for line in text:
        chunk.append(line)
        if len(chunk) >= 4096:
            f.write("".join(chunk).encode("utf-8"))
            chunk.clear()
    f.write("".join(chunk).encode("utf-8"))


class PendingLock:
    """The lock of a plan, to be written at ``path`` once the package is.

    The temporary file is made at once, so that a lock that cannot be written (a read-only
    notes folder) is known before the package is replaced. :meth:`finish` writes the lock
    with the package's record and renames it into place, so the lock changes only once the
    package is complete; :meth:`abandon` leaves the old lock as it is.
    """

    def __init__(self, path: Path, plan: Plan) -> None:
        self._path = path
        self._plan = plan
        try:
            self._temp = TempFile(path)
        except OSError as exc:
            raise OutputError(
                f"cannot write the lock file {path}: {exc.strerror or exc}. Nothing was "
                "written (a new deck would not match the lock). Make the lock's folder "
                f"{path.parent} writable, then build again."
            ) from exc

    def finish(self, output: OutputRecord) -> None:
        """Write the lock with ``output`` as its record; raises OutputError on failure."""
        try:
            with os.fdopen(os.dup(self._temp.fd), "wb") as f:
                _write_lines(f, lines(_plan_entries(self._plan), self._plan.notetypes, output))
            self._temp.commit()
        except OSError as exc:
            self._temp.discard()
            raise OutputError(
                f"cannot write the lock file {self._path}: {exc.strerror or exc}"
            ) from exc

    def abandon(self) -> None:
        """Remove the temporary file; the old lock stays as it is."""
        self._temp.discard()


def start_plan(path: Path, plan: Plan) -> PendingLock:
    """Start writing the lock of ``plan`` at ``path``; finish it with the package's record."""
    return PendingLock(path, plan)
