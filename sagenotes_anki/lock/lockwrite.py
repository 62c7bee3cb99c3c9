"""Writing the lock file: one line per Anki note, grouped by note, keys sorted.

The text is written line by line (a large vault's lock is several times the size of the
entries it describes) and atomically. While the package is written, a forked side process
(:mod:`forked`) writes everything but the last line, the record of the package, which only
exists once the package is complete: :func:`start_plan` and :meth:`PendingLock.finish`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO

from ..errors import OutputError
from ..runtime import forked
from ..runtime.atomic import TempFile, atomic_write
from .lockfile import KEPT_WITH_CONTENT, LOCK_FORMAT, Entry, Lock, OutputRecord, Plan, Stamp


def dumps(lock: Lock) -> str:
    """The lock as stable, human-diffable JSON: one line per Anki note, keys sorted.

    Items are grouped by note identity, so a changed definition is a one-line diff.
    """
    entries = ((e, e.full) for e in lock.entries.values())
    return "".join(_lines(entries, lock.notetypes, lock.output))


def _lines(
    entries: Iterable[tuple[Entry, bool]],
    notetypes: Mapping[str, Stamp],
    output: OutputRecord | None,
) -> Iterator[str]:
    """The lock's text line by line (each with its newline); ``bool`` says "with content".

    Written line by line because the text of a large vault's lock is several times the
    size of the entries it describes.
    """
    yield from _body(entries, notetypes)
    yield from _tail(output)


def _body(entries: Iterable[tuple[Entry, bool]], notetypes: Mapping[str, Stamp]) -> Iterator[str]:
    """Every line of the lock but the output record's."""
    grouped: dict[str, dict[str, tuple[Entry, bool]]] = {}
    for entry, full in entries:
        grouped.setdefault(entry.item.identity, {})[entry.item.key] = (entry, full)
    yield "{\n"
    yield f' "about": {_compact(_ABOUT)},\n'
    yield f' "format": {LOCK_FORMAT},\n'
    yield ' "items": {\n'
    last = len(grouped) - 1
    for i, identity in enumerate(sorted(grouped)):
        yield f"  {_compact(identity)}: {{\n"
        keyed = grouped[identity]
        keys = sorted(keyed)
        for j, key in enumerate(keys):
            comma = "," if j < len(keys) - 1 else ""
            yield f"   {_compact(key)}: {_record(*keyed[key])}{comma}\n"
        yield "  },\n" if i < last else "  }\n"
    yield " },\n"
    yield ' "notetypes": {\n'
    names = sorted(notetypes)
    for j, name in enumerate(names):
        stamp = _compact({"hash": notetypes[name].hash, "mod": notetypes[name].mod})
        yield f"  {_compact(name)}: {stamp}{',' if j < len(names) - 1 else ''}\n"
    yield " },\n"


def _tail(output: OutputRecord | None) -> Iterator[str]:
    """The lock's last lines: the record of the package it belongs to."""
    text = "null"
    if output is not None:
        record: dict[str, object] = {
            "inputs": output.inputs,
            "sha256": output.sha256,
            "size": output.size,
        }
        if output.path:
            record["path"] = output.path
        text = _compact(record)
    yield f' "output": {text}\n'
    yield "}\n"


def _record(entry: Entry, full: bool) -> str:
    """One item's line: ``json.dumps`` of the record, keys in this order, spelt out by hand
    (five times faster for the lean lines that make up nearly all of a lock)."""
    item = entry.item
    enc = encode_basestring
    text = (
        f'{{"guid": {enc(item.guid)}, "hash": {enc(entry.hash)}, "mod": {int(entry.mod)}, '
        f'"notetype": {enc(item.notetype)}, "path": {enc(item.path)}'
    )
    if not full:
        return text + "}"
    fields = _compact(dict(item.fields), sort_keys=False)
    return f'{text}, "fields": {fields}, "tags": {_compact(list(item.tags))}}}'


_ABOUT = (
    "Written by sagenotes-anki. Commit it with your notes: it keeps Anki re-imports from "
    "duplicating cards or overwriting your edits."
)


def _compact(value: object, *, sort_keys: bool = True) -> str:
    return json.dumps(value, sort_keys=sort_keys, ensure_ascii=False)


def write_lock(path: Path, lock: Lock) -> None:
    """Write the lock atomically; raises OutputError when it cannot be written."""
    _write(path, _lines(((e, e.full) for e in lock.entries.values()), lock.notetypes, lock.output))


def write_plan(path: Path, plan: Plan, output: OutputRecord | None) -> None:
    """Write ``plan.to_lock(output)`` atomically, without making that lock in memory first."""
    _write(path, _lines(_plan_entries(plan), plan.notetypes, output))


def _plan_entries(plan: Plan) -> Iterator[tuple[Entry, bool]]:
    return ((e, status in KEPT_WITH_CONTENT) for e, status in plan.entries)


def _write(path: Path, lines: Iterable[str]) -> None:
    atomic_write(path, lambda f: _write_lines(f, lines), hashed=False)


def _write_lines(f: IO[bytes], lines: Iterable[str]) -> None:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= 4096:
            f.write("".join(chunk).encode("utf-8"))
            chunk.clear()
    f.write("".join(chunk).encode("utf-8"))


class PendingLock:
    """The lock of a plan, its text being written beside ``path`` by a side process.

    The temporary file is made at once, so that a lock that cannot be written (a read-only
    notes folder) is known before the package is replaced. :meth:`finish` adds the
    package's record and renames the file into place, so the lock changes only once the
    package is complete; :meth:`abandon` leaves the old lock as it is. Where the side
    process cannot run or fails, ``finish`` writes the whole lock itself.
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
        self._job: forked.Job | None = None
        if forked.can_fork():
            try:
                self._job = forked.start(self._write_body)
            except OSError:  # a refused fork wrote here and failed: ``finish`` reports it
                self._job = None

    def _write_body(self) -> None:
        # Through the descriptor made above, shared with this (forked) process.
        with os.fdopen(os.dup(self._temp.fd), "wb") as f:
            _write_lines(f, _body(_plan_entries(self._plan), self._plan.notetypes))

    def finish(self, output: OutputRecord) -> None:
        """Write the lock with ``output`` as its record; raises OutputError on failure."""
        fd = self._temp.fd
        try:
            if self._job is not None and self._job.wait():
                os.lseek(fd, 0, os.SEEK_END)
                lines: Iterable[str] = _tail(output)
            else:  # written whole, here, over whatever a failed side process left
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                lines = _lines(_plan_entries(self._plan), self._plan.notetypes, output)
            with os.fdopen(os.dup(fd), "wb") as f:
                _write_lines(f, lines)
            self._temp.commit()
        except OSError as exc:
            self._temp.discard()
            raise OutputError(
                f"cannot write the lock file {self._path}: {exc.strerror or exc}"
            ) from exc

    def abandon(self) -> None:
        """Wait for the side process and remove what it wrote."""
        if self._job is not None:
            self._job.wait()
        self._temp.discard()


def start_plan(path: Path, plan: Plan) -> PendingLock:
    """Start writing the lock of ``plan`` at ``path``; finish it with the package's record."""
    return PendingLock(path, plan)
