"""The empty collection genanki makes for a deck: the only module that imports genanki.

Every package starts from the same database: Anki's schema, the collection row and the
deck, as genanki writes them, with the JSON of every note type beside it. None of that
depends on the notes or the build time (the note types' ``mod`` is set by the writer), so
it is made once and kept in the cache folder, sealed under a digest of what it is made from
(this package's code and note types, genanki's source, the SQLite version, the deck): a
rebuild then starts without importing genanki at all, a tenth of a small rebuild. Every
build, with or without the cache, copies the same bytes, so both give the same package.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache.stamp import TAG_SIZE, read_sealed, seal, tool_digest
from ..cards.notetypes import NOTE_TYPES, NoteType
from ..runtime.atomic import write_best_effort
from ..runtime.leftovers import scratch_folder

# SQLite pages of 16 KiB rather than 4: a tenth less time inserting a large vault's rows,
# and a smaller package (SQLite reads any page size; so does Anki).
PAGE_SIZE = 16384


@dataclass(frozen=True)
class EmptyCollection:
    """A deck's collection before any note is in it, and its note types' JSON."""

    database: bytes  # the SQLite file
    notetypes: dict[str, dict[str, Any]]  # by name; genanki's JSON ("req" says which cards)

    def notetype_json(self, notetype: NoteType, deck_id: int) -> dict[str, Any]:
        """genanki's JSON of a note type (its "mod" still to be set): kept for this
        package's own note types, made for any other."""
        if _STANDARD.get(notetype.name) == notetype and notetype.name in self.notetypes:
            return self.notetypes[notetype.name]
        return _notetype_json(notetype, deck_id)


def empty_collection(deck_id: int, deck_name: str, cache_dir: Path | None) -> EmptyCollection:
    """The empty collection of this deck: from the cache when it holds it, else by genanki
    (and then kept in the cache, when there is one)."""
    if cache_dir is None:
        return _make(deck_id, deck_name)
    tag = _tag(deck_id, deck_name)
    # Named by the deck alone: a copy made by another version is replaced, not kept beside.
    deck = hashlib.blake2b(f"{deck_id}\0{deck_name}".encode(), digest_size=8).hexdigest()
    path = cache_dir / f"collection-{deck}.pack"
    kept = read_sealed(path, tag)
    if isinstance(kept, EmptyCollection):
        return kept
    made = _make(deck_id, deck_name)
    write_best_effort(path, seal(tag, made))  # the cache only saves time
    return made


def to_model(notetype: NoteType) -> Any:
    """The genanki model of a note type, with our fixed field and template ids."""
    import genanki

    return genanki.Model(
        notetype.id,
        notetype.name,
        # Anki keeps these ids (checked against the real anki package in the tests), so a
        # field or template renamed later is matched in place rather than replaced.
        fields=[{"name": f.name, "id": f.id} for f in notetype.fields],
        templates=[
            {"name": t.name, "id": t.id, "qfmt": t.qfmt, "afmt": t.afmt} for t in notetype.templates
        ],
        css=notetype.css,
        sort_field_index=notetype.sort_field,
    )


def scratch_database(path: Path) -> sqlite3.Connection:
    """A connection to a database that is only built, then copied: no journal and no fsync
    per statement (genanki's schema script alone costs a quarter of a second otherwise).
    Neither changes the file."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    return conn


def _make(deck_id: int, deck_name: str) -> EmptyCollection:
    import genanki

    with scratch_folder() as tmp:
        path = Path(tmp) / "collection.anki2"
        conn = scratch_database(path)
        try:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first table
            package = genanki.Package(genanki.Deck(deck_id, deck_name))
            package.write_to_db(conn.cursor(), 0, itertools.count())  # schema, col, deck
            conn.commit()
        finally:
            conn.close()
        database = path.read_bytes()
    notetypes = {nt.name: _notetype_json(nt, deck_id) for nt in NOTE_TYPES}
    return EmptyCollection(database, notetypes)


def _notetype_json(notetype: NoteType, deck_id: int) -> dict[str, Any]:
    # The "mod" (here 0) is set by the writer, from the lock.
    data: dict[str, Any] = to_model(notetype).to_json(0, deck_id)
    return data


_STANDARD = {nt.name: nt for nt in NOTE_TYPES}


def _tag(deck_id: int, deck_name: str) -> bytes:
    """A digest of everything the empty collection is made from."""
    digest = hashlib.blake2b(digest_size=TAG_SIZE)
    parts = [
        "empty-collection-1",
        tool_digest(),
        _genanki_digest(),
        sqlite3.sqlite_version,
        str(deck_id),
        deck_name,
        *(nt.definition() for nt in NOTE_TYPES),
    ]
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    return digest.digest()


def _genanki_digest() -> str:
    """A digest of genanki's source, found without importing it."""
    spec = importlib.util.find_spec("genanki")
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        return "genanki-not-found"  # importing it will say what is wrong
    digest = hashlib.blake2b(digest_size=16)
    for source in sorted(Path(next(iter(locations))).glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()
