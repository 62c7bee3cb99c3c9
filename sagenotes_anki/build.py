"""The pipeline in one page: gather notes, make cards, write the package.

INTERFACE STUB: filled in by the writer work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .model import Diagnostic

CARD_KINDS = frozenset({"keypoint", "concept", "tradeoff", "mcq"})

# progress(stage, done, total); stage is "read" or "build"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build depends on besides the notes themselves."""

    deck_name: str = "SageNotes"
    card_kinds: frozenset[str] = CARD_KINDS
    vault_name: str | None = None  # Obsidian vault, for obsidian:// links back to notes
    section_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool = False  # warnings fail the build
    keep_going: bool = False  # build from the good notes when some have errors
    timestamp: int | None = None  # seconds; None -> SOURCE_DATE_EPOCH or the clock
    lock_path: Path | None = None  # None -> NOTES_DIR/sagenotes.lock.json
    cache_dir: Path | None = None  # parse cache; None -> no cache


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found: how many notes and every diagnostic."""

    notes: int
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


@dataclass(frozen=True)
class BuildReport:
    """What ``build`` did."""

    notes: int
    diagnostics: tuple[Diagnostic, ...]
    cards_by_type: Mapping[str, int]  # note-type name -> Anki notes of that type
    new: int
    changed: int
    unchanged: int
    removed: int
    output: Path
    written: bool  # False when errors (or --strict warnings) stopped it, or nothing changed
    up_to_date: bool  # True when nothing changed and the existing output was left as it is
    size: int  # bytes of the output file (0 when there is none)

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


def check(notes_dir: Path, options: BuildOptions, progress: Progress | None = None) -> CheckReport:
    """Parse every note and report diagnostics; raises NotesFolderError for a bad folder."""
    raise NotImplementedError


def build(
    notes_dir: Path, out: Path, options: BuildOptions, progress: Progress | None = None
) -> BuildReport:
    """Build ``out`` from ``notes_dir``; raises NotesFolderError / OutputError for usage errors.

    Without ``keep_going`` any error diagnostic (with ``strict`` any warning too) means nothing
    is written and the previous output stays untouched.
    """
    raise NotImplementedError
