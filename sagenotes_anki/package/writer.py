"""CardNotes -> ``.apkg``.

genanki makes the collection (:mod:`collection`: schema, deck, note types); the notes and
cards are inserted here. We pin everything genanki would otherwise take from the clock or
the file system (each note's ``mod``, the note types' ``mod``, zip entry dates, the temporary
database) so that the same inputs and build time give the same bytes, and we write the file
atomically so a failed build never damages the previous package.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..cards.notetypes import NoteType
from ..errors import OutputError
from ..runtime.atomic import Written, write_file
from ..runtime.leftovers import scratch_folder
from .archive import fits, write_archive
from .collection import EmptyCollection, empty_collection, scratch_database
from .media import MediaFiles, media_entries

# Bumped whenever the writer changes what it puts in a package, so that an existing package
# written by an older writer is not taken for up to date.
PACKAGE_FORMAT = 5  # 5: images (package/media.py)

# Zip entries carry a local date and time; a fixed one keeps the bytes reproducible.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Deflate level of the collection: level 1 takes a third of the default level's time for a
# package about an eighth larger (still a fifth of the uncompressed database), and a large
# vault's rebuild spends most of its time writing the package.
_ZIP_LEVEL = 1


@dataclass(frozen=True)
class PackageNote:
    """One Anki note to write, with everything that decides its identity and order."""

    notetype: NoteType
    guid: str
    fields: tuple[str, ...]  # HTML, in ``notetype.fields`` order
    tags: tuple[str, ...]
    mod: int  # seconds; decides whether a re-import updates the note
    due: int  # position among new cards: the study order

    def __init__(
        self,
        notetype: NoteType,
        guid: str,
        fields: tuple[str, ...],
        tags: tuple[str, ...],
        mod: int,
        due: int,
    ) -> None:
        # One per Anki note written: filled directly, as model.Span's __init__ explains.
        d = self.__dict__
        d["notetype"] = notetype
        d["guid"] = guid
        d["fields"] = fields
        d["tags"] = tags
        d["mod"] = mod
        d["due"] = due


def _write_zip(
    dest: IO[bytes],
    empty: EmptyCollection,
    deck_id: int,
    notes: Iterable[PackageNote],
    notetype_mods: Mapping[str, int],
    timestamp: int,
    media: MediaFiles | None = None,
) -> None:
    """Write the package (collection database, media map and images) to ``dest``."""
    with scratch_folder() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db_path.write_bytes(empty.database)
        conn = scratch_database(db_path)
        try:
            # Note and card ids count up from the build time in milliseconds, as genanki
            # does; Anki shows them as the cards' creation dates.
            ids = itertools.count(timestamp * 1000)
            _fill(conn.cursor(), empty, deck_id, notes, notetype_mods, timestamp, ids)
            conn.commit()
        finally:
            conn.close()
        if fits(db_path.stat().st_size):
            write_archive(dest, db_path, media_entries(media), _ZIP_LEVEL)
            return
        # Beyond 4 GiB: zipfile, which writes the zip64 extension, on one core.
        with zipfile.ZipFile(
            dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL
        ) as zf:
            with db_path.open("rb") as src, zf.open(_entry("collection.anki2"), "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            for name, data in media_entries(media):
                zf.writestr(_entry(name), data)


def _fill(
    cursor: sqlite3.Cursor,
    empty: EmptyCollection,
    deck_id: int,
    notes: Iterable[PackageNote],
    notetype_mods: Mapping[str, int],
    timestamp: int,
    id_gen: Iterator[int],
) -> None:
    """Insert the notes and their cards, in bulk, as the rows genanki's ``Note.write_to_db``
    would write (one ``execute`` per row and one genanki object per note cost most of a
    large build), and the note types they use, with the ``mod`` the lock gave them."""
    # The indexes of the notes and cards tables are made again once every row is in:
    # sorting the rows once is much cheaper than keeping the indexes up to date across a
    # database far larger than SQLite's page cache.
    indexes = cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('notes', 'cards') ORDER BY name"
    ).fetchall()
    for name, _sql in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    used = _insert_notes(cursor, empty, deck_id, notes, id_gen)
    for _name, sql in indexes:
        cursor.execute(sql)
    _store_notetypes(cursor, used, notetype_mods, timestamp)


def _insert_notes(
    cursor: sqlite3.Cursor,
    empty: EmptyCollection,
    deck_id: int,
    notes: Iterable[PackageNote],
    id_gen: Iterator[int],
) -> dict[str, tuple[NoteType, dict[str, Any]]]:
    """The notes and their cards inserted in batches; returns the note types they use, each
    with its JSON."""
    used: dict[str, tuple[NoteType, dict[str, Any]]] = {}
    rows: list[tuple[object, ...]] = []
    cards: list[tuple[object, ...]] = []
    for note in notes:
        known = used.get(note.notetype.name)
        if known is None:
            data = empty.notetype_json(note.notetype, deck_id)
            known = used[note.notetype.name] = (note.notetype, data)
        notetype, data = known
        req = data["req"]
        if len(note.fields) != len(notetype.fields):
            raise ValueError(f"{note.guid}: {len(note.fields)} fields for {notetype.name}")
        fields = field_values(note.fields)
        nid = next(id_gen)
        rows.append(
            (
                nid,
                note.guid,
                notetype.id,
                note.mod,
                -1,  # usn
                " " + " ".join(tag_values(note.tags)) + " ",
                "\x1f".join(fields),
                fields[notetype.sort_field],  # sfld
                0,  # csum (Anki recomputes it)
                0,  # flags
                "",  # data
            )
        )
        # A card per template whose front would show something, as genanki decides.
        for ord_, how, required in req:
            present = (fields[i] for i in required)
            if all(present) if how == "all" else any(present):
                card = (next(id_gen), nid, deck_id, ord_, note.mod, -1, 0, 0, note.due)
                cards.append((*card, *_CARD_ZEROS))
        if len(rows) >= _BATCH:
            _insert(cursor, rows, cards)
    _insert(cursor, rows, cards)
    return used


def _store_notetypes(
    cursor: sqlite3.Cursor,
    used: Mapping[str, tuple[NoteType, dict[str, Any]]],
    notetype_mods: Mapping[str, int],
    timestamp: int,
) -> None:
    """The note types used written into the collection, with the ``mod`` the lock gave
    them (else the build's time)."""
    (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
    stored = json.loads(models_json)
    for name, (notetype, data) in used.items():
        data = {**data, "mod": notetype_mods.get(name, int(timestamp))}
        stored[str(notetype.id)] = data
    cursor.execute("UPDATE col SET models = ?", (json.dumps(stored, sort_keys=True),))


# What no field may hold: U+001F separates the fields of a note in Anki's database (one
# inside a field makes the whole package unimportable: "note has 6 fields, expected 5"), the
# other C0 controls but tab, newline and carriage return are not text, and a lone surrogate
# cannot be stored as UTF-8. The notes' text is cleaned where it is read, with a warning;
# this is the guard for whatever else reaches the package (a lock's copy of a removed item,
# the previous package's).
_NOT_IN_FIELDS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Anki splits tags on whitespace and drops control characters; a run of them becomes "_",
# as tags.py makes tags from the notes.
_NOT_IN_TAGS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+")


def field_values(fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` without the characters no field may hold (the same tuple when clean)."""
    text = "".join(fields)
    # isprintable is a fast scan that is true for nearly every note (no control, no
    # surrogate, no line break); the pattern then decides.
    if text.isprintable() or _NOT_IN_FIELDS.search(text) is None:
        return fields
    return tuple(_NOT_IN_FIELDS.sub("", value) for value in fields)


def tag_values(tags: tuple[str, ...]) -> tuple[str, ...]:
    """``tags`` as Anki can hold them: no space or control inside a tag, no empty tag."""
    text = " ".join(tags)
    if not tags or (text.isprintable() and text.count(" ") == len(tags) - 1 and all(tags)):
        return tags
    cleaned = (_NOT_IN_TAGS.sub("_", tag) for tag in tags)
    return tuple(tag for tag in cleaned if tag)


# Rows are inserted this many notes at a time: few statements, little memory.
_BATCH = 2000
# ivl, factor, reps, lapses, left, odue, odid, flags, data of a new card
_CARD_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")


def _insert(cursor: sqlite3.Cursor, notes: list[tuple[object, ...]], cards: list[Any]) -> None:
    cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes)
    cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
    notes.clear()
    cards.clear()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    # An entry's level is read from the entry, not the archive (public only since 3.13).
    level = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
    setattr(info, level, _ZIP_LEVEL)
    info.create_system = 3  # Unix, whatever the platform, so the bytes do not vary
    info.external_attr = 0o644 << 16
    return info


def write_package(
    out: Path,
    deck_name: str,
    deck_id: int,
    notes: Iterable[PackageNote],
    notetype_mods: Mapping[str, int],
    timestamp: int,
    cache_dir: Path | None = None,
    media: MediaFiles | None = None,
) -> Written:
    """Write ``notes`` into one deck at ``out``, atomically; raises OutputError on failure.

    ``notes`` is read once, as the package is written, so it may be a generator. The empty
    collection genanki makes for the deck is kept in ``cache_dir`` (see :mod:`collection`).
    """
    try:
        empty = empty_collection(deck_id, deck_name, cache_dir)
    except (OSError, sqlite3.Error) as exc:  # its scratch database (a full disk, a quota)
        raise OutputError(f"cannot write {out}: making the empty collection failed: {exc}") from exc
    return write_file(
        out,
        lambda dest: _write_zip(dest, empty, deck_id, notes, notetype_mods, timestamp, media),
        hashed=True,
    )
