"""The notes folder, checked and walked: the first step of every command that reads notes.

Light on purpose: a rebuild with nothing changed needs it, and no parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import NotesFolderError
from ..model import Diagnostic
from ..source.walk import walk

__all__ = ["Walked", "walked"]


@dataclass(frozen=True)
class Walked:
    """A notes folder as walked: its notes in folder order and the walk's own warnings, with
    the notes' digests when they were already taken (by the no-op stamp): looking the notes
    up in the cache then reads none of them again."""

    folder: Path
    paths: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    digests: Mapping[str, str | None] | None = None

    def knowing(self, digests: Mapping[str, str | None] | None) -> Walked:
        """The same folder, with the notes' digests already taken (or not: None)."""
        return self if digests is None else replace(self, digests=digests)


def walked(notes_dir: Path) -> Walked:
    """The notes folder walked; raises NotesFolderError when it is missing, not a folder or
    holds no notes (the one place that checks)."""
    if not notes_dir.exists():
        raise NotesFolderError(f"notes folder not found: {notes_dir}")
    if not notes_dir.is_dir():
        raise NotesFolderError(f"not a folder: {notes_dir}")
    found = walk(notes_dir)  # its warnings (links, odd names); a walk is a fraction of a ms
    if not found.paths:
        raise NotesFolderError(f"no Markdown notes (*.md) in {notes_dir}")
    return Walked(notes_dir, found.paths, found.diagnostics)
