"""What a build is given and what it says: BuildOptions, BuildReport, CheckReport."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..cards.notetypes import DEFAULT_CARD_KINDS
from ..model import Diagnostic

__all__ = ["BuildOptions", "BuildReport", "CheckReport", "Progress"]

# progress(stage, done, total); stage is "read" or "build"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build depends on besides the notes themselves."""

    deck_name: str = "SageNotes"
    card_kinds: frozenset[str] = DEFAULT_CARD_KINDS
    vault_name: str | None = None  # Obsidian vault, for obsidian:// links back to notes
    section_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool = False  # warnings fail the build
    keep_going: bool = False  # build from the good notes when some have errors
    timestamp: int | None = None  # seconds; None -> SOURCE_DATE_EPOCH or the clock
    lock_path: Path | None = None  # None -> NOTES_DIR/sagenotes.lock.json
    cache_dir: Path | None = None  # parse cache; None -> no cache
    forget_removed: bool = False  # drop items gone from the notes instead of tagging them


class _Counted:
    """Error and warning counts for a report that holds diagnostics."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


@dataclass(frozen=True)
class CheckReport(_Counted):
    """What ``check`` found: how many notes and every diagnostic."""

    notes: int
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class BuildReport(_Counted):
    """What ``build`` did.

    ``new``/``changed``/``unchanged``/``removed`` compare with the previous build (the lock);
    ``removed`` counts items that vanished from the notes in this build and are now tagged
    ``sagenotes::removed``; ``kept_removed`` those removed by an earlier build and still kept.
    """

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
    kept_removed: int = 0
    rematched: int = 0  # items that moved or were renamed and kept their earlier cards
