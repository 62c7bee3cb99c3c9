"""This build's items: every Anki note the notes yield, as the lock and the package take them.

The cards were made where each note was parsed (``load.NoteCards``); here they become lock
``Item``s, in study order, with GUIDs unique across the vault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from .. import codes
from ..cards.notetypes import NOTE_TYPES, NoteType
from ..lock.model import Item, Plan, Row
from ..model import Diagnostic, StudyNote

if TYPE_CHECKING:
    from ..package.writer import PackageNote
    from .load import NoteCards
    from .options import BuildOptions

__all__ = ["BY_NAME", "build_items", "package_notes", "unknown_notetypes"]

BY_NAME = {nt.name: nt for nt in NOTE_TYPES}
_FIELD_NAMES = {nt.name: nt.field_names for nt in NOTE_TYPES}


def build_items(
    notes: Sequence[StudyNote],
    made: Mapping[str, NoteCards],
    options: BuildOptions,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Row], list[Diagnostic]]:
    """Every Anki note the notes yield, in study order, and what making them warned about
    (a key used twice).

    ``made`` holds, by note path, the cards already made (in a worker process or the cache)
    and the note identity their GUIDs were made from; a note renamed since (its title was
    claimed by another note) or whose GUIDs another note took has them made again.
    """
    from ..cards.make import cards_for
    from ..cards.rows import card_rows, rekeyed

    items: list[Row] = []
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for done, note in enumerate(notes, 1):
        cards = made.get(note.path)
        if cards is None:
            found = cards_for(note, kinds=options.card_kinds, vault_name=options.vault_name)
            rows = card_rows(note.identity, note.path, found, seen, diagnostics)
        elif cards.identity != note.identity or any(row.guid in seen for row in cards.rows):
            rows = rekeyed(note.identity, note.path, cards.rows, seen, diagnostics)
        else:
            rows = cards.rows
            seen.update(row.guid for row in rows)
        # (unpacked in one go: the fastest way to a large vault's hundreds of thousands)
        for name, key, values, tags, guid, digest in rows:
            item = Item(guid, name, note.identity, key, note.path, _FIELD_NAMES[name], values, tags)
            items.append(Row(item, BY_NAME[name], digest))
        if progress is not None:
            progress(done, len(notes))
    return items, diagnostics


def package_notes(plan: Plan, current: Mapping[str, NoteType]) -> Iterator[PackageNote]:
    """The plan's entries as the package holds them, one at a time, as they are written.

    ``current`` is the note type of each item of this build, by GUID.
    """
    from ..package.writer import PackageNote

    for due, (entry, _status) in enumerate(plan.entries, 1):
        item = entry.item
        notetype = current.get(item.guid) or BY_NAME.get(item.notetype)
        if notetype is None:
            continue  # reported by unknown_notetypes
        if item.guid in current:  # made by build_items, in this note type's field order
            fields = item.values
        else:  # a lock's copy of a removed item may come from an older field list
            values = dict(item.fields)
            fields = tuple(values.get(name, "") for name in _FIELD_NAMES[notetype.name])
        yield PackageNote(notetype, item.guid, fields, item.tags, entry.mod, due)


def unknown_notetypes(plan: Plan, current: Mapping[str, NoteType]) -> list[Diagnostic]:
    """A warning per entry whose note type no longer exists (it is left out of the package)."""
    return [
        Diagnostic(
            entry.item.path,
            0,
            "warning",
            codes.UNKNOWN_NOTETYPE,
            f"{entry.item.key!r} was written with the note type {entry.item.notetype!r}, which "
            "no longer exists; it is left out of the package.",
        )
        for entry, _status in plan.entries
        if entry.item.guid not in current and entry.item.notetype not in BY_NAME
    ]
