"""One note's work in a worker: parsed, its cards made, packed as tuples.

This is where parse/ and cards/ meet (neither knows the other). What the build needs of a
note (who it is, its diagnostics, its cards as ``CardRow``s) is packed as tuples of strings
(``Packed``): cheap to send back from a worker process, to pickle into the cache and to read
again, and left alone by the garbage collector once built. ``Prepared`` is the same work
unpacked.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import codes
from ..cache.stamp import content_digest
from ..cards.make import CardNote, cards_for
from ..cards.rows import CardRow, card_notes, card_rows
from ..model import Diagnostic, ParseResult, Severity, StudyNote
from ..parse.note import parse_file, unreadable
from ..parse.sections import SectionNames
from ..source.read import read_note
from .media import MediaRow, with_media

__all__ = [
    "CardChoice",
    "CardRow",
    "Packed",
    "Prepared",
    "pack",
    "prepare",
    "read_packed",
    "unpack",
]

DiagnosticRow = tuple[str, int, Severity, str, str]  # a Diagnostic's fields
# A file's work as stored and sent: diagnostics, the note (whole, or (identity, title, path)
# once its cards are made) and the cards (None when not asked for). Not a lock entry.
# And the images the note uses (build.media), when it embeds any.
Packed = tuple[
    tuple[DiagnosticRow, ...],
    StudyNote | tuple[str, str, str] | None,
    tuple[CardRow, ...] | None,
    tuple[MediaRow, ...],
]


@dataclass(frozen=True)
class CardChoice:
    """Which cards to make: the settings ``cards_for`` depends on."""

    kinds: frozenset[str]
    vault_name: str | None


@dataclass(frozen=True)
class Prepared:
    """One file's work: its ParseResult and, when asked for, the cards of its note as rows.

    With cards made, the note keeps only who it is (identity, title, path): its content
    lives on in the cards, and a vault of thousands of notes stays small in memory.
    """

    result: ParseResult
    cards: tuple[CardRow, ...] | None = None
    media: tuple[MediaRow, ...] = ()  # the images its cards show

    def uses_vault(self) -> bool:
        """True when the note's cards depend on other files of the vault (its images, or
        images it embeds that are missing): then it is not kept in the parse cache."""
        missing = (codes.IMAGE_NOT_FOUND, codes.IMAGE_UNREADABLE, codes.IMAGE_AMBIGUOUS)
        return bool(self.media) or any(d.code in missing for d in self.result.diagnostics)

    def card_notes(self) -> tuple[CardNote, ...] | None:
        """The cards as CardNotes (None when they were not made)."""
        return None if self.cards is None else card_notes(self.cards)


def prepare(
    data: bytes, relpath: str, sections: SectionNames, choice: CardChoice | None
) -> Prepared:
    """Parse one file and make its cards (pure, so it runs in a worker process)."""
    return unpack(pack(data, relpath, sections, choice))


def pack(
    data: bytes,
    relpath: str,
    sections: SectionNames,
    choice: CardChoice | None,
    folder: str | None = None,
) -> Packed:
    """Parse one file and make its cards, packed (what is cached and sent back).

    The cards' GUIDs follow from the note's identity as parsed; the build makes them again
    for the rare note whose identity it has to change (a title claimed by two notes).
    """
    result = parse_file(data, relpath, sections)
    note = result.note
    found = list(result.diagnostics)
    media: tuple[MediaRow, ...] = ()
    if note is not None and folder is not None:  # its images found in the vault
        note, media = with_media(note, folder, data, found)
    if choice is None or note is None:
        return _diagnostic_rows(found), note, None, media
    made = cards_for(note, kinds=choice.kinds, vault_name=choice.vault_name)
    cards = card_rows(note.identity, note.path, made, set(), found)  # may warn: found grows
    return _diagnostic_rows(found), (note.identity, note.title, note.path), cards, media


def _diagnostic_rows(diagnostics: list[Diagnostic]) -> tuple[DiagnosticRow, ...]:
    return tuple((d.path, d.line, d.severity, d.code, d.message) for d in diagnostics)


def unpack(packed: Packed) -> Prepared:
    """The Prepared ``packed`` stands for; raises TypeError/ValueError when it is malformed."""
    rows, note, cards, *more = packed
    media = more[0] if more else ()
    if isinstance(note, tuple):
        note = StudyNote(*note)
    elif note is not None and not isinstance(note, StudyNote):
        raise TypeError("not a note")
    if cards is not None and not isinstance(cards, tuple):
        raise TypeError("not cards")
    return Prepared(ParseResult(note, tuple(Diagnostic(*row) for row in rows)), cards, media)


def read_packed(
    folder: str, sections: SectionNames, choice: CardChoice | None, relpath: str
) -> tuple[str, Packed]:
    """Read, parse and make the cards of one file: (digest of the bytes read, its work).

    The digest is "" when the file could not be read. Workers read the files themselves,
    so the notes' bytes are neither held by nor copied from the main process.
    """
    try:
        data = read_note(folder, relpath)
    except OSError as exc:
        problem = unreadable(relpath, exc)
        row = (problem.path, problem.line, problem.severity, problem.code, problem.message)
        return "", ((row,), None, None, ())
    return content_digest(data), pack(data, relpath, sections, choice, folder)
