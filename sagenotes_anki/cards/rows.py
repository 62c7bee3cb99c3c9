"""A note's cards as the build keeps them: each with its final key, GUID and content hash.

They are made where the note is parsed (in a worker process, then kept in the parse cache),
so the main process of a large build only looks them up: the GUID says which Anki note an
item is, the content hash whether it changed since the last build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .. import codes
from ..model import Diagnostic
from .identity import content_hash, guid_for
from .make import CardNote
from .notetypes import NOTE_TYPES


class CardRow(NamedTuple):
    """A card with its identity: what the build keeps of it, sent back by a worker and
    pickled into the parse cache (a named tuple: as cheap to pickle as the values it holds).
    """

    notetype: str  # the note type's name
    key: str  # final: numbered when another card of the note took its GUID
    fields: tuple[str, ...]  # HTML, in the note type's field order
    tags: tuple[str, ...]
    guid: str
    digest: str  # content hash: note type, fields, tags


_FIELD_NAMES = {nt.name: nt.field_names for nt in NOTE_TYPES}
_NOTE_TYPES = {nt.name: nt for nt in NOTE_TYPES}


def card_notes(rows: Iterable[CardRow]) -> tuple[CardNote, ...]:
    """The cards of ``rows`` as made (a preview shows them; keys and GUIDs aside)."""
    return tuple(CardNote(_NOTE_TYPES[r.notetype], r.key, r.fields, r.tags) for r in rows)


def card_rows(
    identity: str,
    path: str,
    cards: Iterable[CardNote],
    seen: set[str],
    diagnostics: list[Diagnostic],
) -> tuple[CardRow, ...]:
    """The rows of one note's cards; GUIDs already in ``seen`` get numbered keys, and every
    GUID made is added to ``seen``. Names used twice in the note are warned about in
    ``diagnostics``."""
    rows = []
    for card in cards:
        if card.copy == 2:  # once per name, at its first repeat
            diagnostics.append(_duplicate(path, card.line, card.key.rsplit("#", 1)[0], card.key))
        notetype = card.notetype
        key, guid = unique_key(identity, path, card.key, seen, diagnostics)
        seen.add(guid)
        names = _FIELD_NAMES.get(notetype.name) or notetype.field_names
        digest = content_hash(notetype.name, zip(names, card.fields, strict=True), card.tags)
        rows.append(CardRow(notetype.name, key, card.fields, card.tags, guid, digest))
    return tuple(rows)


def rekeyed(
    identity: str,
    path: str,
    rows: Sequence[CardRow],
    seen: set[str],
    diagnostics: list[Diagnostic],
) -> tuple[CardRow, ...]:
    """``rows`` under another note identity (the note lost its title to another note), or
    with GUIDs another note already took made unique; contents and hashes are unchanged."""
    out = []
    for row in rows:
        key, guid = unique_key(identity, path, row.key, seen, diagnostics)
        seen.add(guid)
        out.append(row._replace(key=key, guid=guid))
    return tuple(out)


def unique_key(
    identity: str, path: str, key: str, seen: set[str], diagnostics: list[Diagnostic]
) -> tuple[str, str]:
    """The item's key and the GUID that follows from it, numbered when the GUID is taken."""
    # Two items with one key (a term defined twice in a note) would share a GUID and Anki
    # would keep only one; number the later ones and say so.
    numbered, n = key, 1
    guid = guid_for(identity, numbered)
    while guid in seen:
        n += 1
        numbered = f"{key}#{n}"
        guid = guid_for(identity, numbered)
    if n > 1:
        diagnostics.append(_duplicate(path, 0, key, numbered))
    return numbered, guid


def _duplicate(path: str, line: int, key: str, numbered: str) -> Diagnostic:
    return Diagnostic(
        path,
        line,
        "warning",
        codes.DUPLICATE_KEY,
        f"{key!r} appears more than once in this note; the copies become separate cards "
        f"({numbered!r}...) whose identity depends on their order. Give each its own name.",
    )
