"""The plan: this build's items against the lock, each new, changed, unchanged or removed.

Read the lock, match moved and renamed items to the GUIDs they had (``lock.rematch``), give
each item its ``mod`` (``lock.reconcile.reconcile``), and take the digest that tells whether
the package on disk is already this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import codes
from ..cards.identity import build_timestamp
from ..cards.notetypes import NOTE_TYPES, NoteType
from ..lock.model import LOCK_NAME, Lock, OutputRecord, Plan
from ..lock.previous import recover
from ..lock.read import read_lock
from ..lock.reconcile import reconcile
from ..model import Diagnostic
from .digest import inputs_digest, notetype_hash
from .items import unknown_notetypes
from .options import BuildOptions

if TYPE_CHECKING:
    from ..lock.model import Row

__all__ = ["LockPlace", "Planned", "plan_items"]


@dataclass(frozen=True)
class LockPlace:
    """Where the lock is, and how diagnostics name it (relative to the notes folder)."""

    path: Path
    shown: str

    @staticmethod
    def of(notes_dir: Path, options: BuildOptions) -> LockPlace:
        path = options.lock_path or notes_dir / LOCK_NAME
        return LockPlace(path, shown(path, notes_dir))


@dataclass(frozen=True)
class Planned:
    """This build's plan, and what the steps after it need to know besides."""

    plan: Plan
    items: list[Row]  # this build's items, each with the GUID it keeps
    current: Mapping[str, NoteType]  # the note type of each of them, by GUID
    inputs: str  # the digest of what the package holds (see digest.inputs_digest)
    recorded: OutputRecord | None  # the package the lock says the last build wrote
    timestamp: int  # this build's time, the ``mod`` of what changed
    rematched: int  # items that took the GUID of an item with another key
    diagnostics: tuple[Diagnostic, ...]  # the lock's, the re-match's and the plan's


def plan_items(
    items: Sequence[Row],
    failed: frozenset[str],
    place: LockPlace,
    out: Path | None,
    options: BuildOptions,
) -> Planned:
    """Match ``items`` to the lock at ``place`` and plan what the package holds.

    ``failed`` are the notes left out for errors: their items in the lock are carried over.
    ``out`` is the package to write (None for ``check`` without one): removed items'
    content is read back from it, else from the package the lock names.
    """
    from ..lock.rematch import rematch

    lock, problem = read_lock(place.path, place.shown)
    said = [] if problem is None else [problem]  # after the --strict check: no note problem
    timestamp = build_timestamp(options.timestamp)
    previous = _previous_packages(out, lock, place.path)
    matched = rematch(items, lock, lambda guids: recover(previous, guids))
    present = {item.guid for item, _, _ in matched.rows}
    plan = reconcile(
        [item for item, _, _ in matched.rows],
        lock,
        timestamp,
        {nt.name: notetype_hash(nt) for nt in NOTE_TYPES},
        carry_paths=failed,
        forget_removed=options.forget_removed,
        recovered=recover(
            previous,
            [g for g, e in lock.entries.items() if g not in present and not e.full],
        ),
        hashes=[digest for _, _, digest in matched.rows],
    )
    current = {item.guid: nt for item, nt, _ in matched.rows}
    said += [*matched.diagnostics, *_lost(plan, out), *unknown_notetypes(plan, current)]
    inputs = inputs_digest(options.deck_name, plan, current)
    return Planned(
        plan, matched.rows, current, inputs, lock.output, timestamp, matched.count, tuple(said)
    )


def shown(path: Path, notes_dir: Path) -> str:
    """``path`` relative to the notes folder (POSIX), as notes and diagnostics name files."""
    if path.is_absolute():
        try:
            return path.relative_to(notes_dir.resolve()).as_posix()
        except ValueError:
            try:
                return path.relative_to(notes_dir.absolute()).as_posix()
            except ValueError:
                return path.as_posix()
    return path.as_posix()


def _previous_packages(out: Path | None, lock: Lock, lock_path: Path) -> list[Path]:
    """Where the previous build's package may be: this output, then where the lock says."""
    places = [] if out is None else [out]
    if lock.output is not None and lock.output.path:
        places.append(lock_path.parent / lock.output.path)
    return places


def _lost(plan: Plan, out: Path | None) -> list[Diagnostic]:
    """A warning per note whose vanished items could not be kept in the package."""
    by_path: dict[str, list[str]] = {}
    for entry in plan.lost:
        by_path.setdefault(entry.item.path, []).append(entry.item.key)
    return [
        Diagnostic(
            path,
            0,
            "warning",
            codes.REMOVED_LOST,
            f"{len(keys)} item(s) gone from this note since the last build ({', '.join(keys)}) "
            f"cannot be kept tagged sagenotes::removed: the previous package {out or ''}"
            f"{' ' if out else ''}is missing "
            "or unreadable. They stay in Anki as they were; find them there by the note's "
            "title and delete or suspend them by hand.",
        )
        for path, keys in sorted(by_path.items())
    ]
