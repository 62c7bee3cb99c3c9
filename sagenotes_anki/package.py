"""CardNotes -> ``.apkg``: the only module that imports genanki.

genanki writes the collection; we pin everything it would otherwise take from the clock or
the file system (each note's ``mod``, the note types' ``mod``, zip entry dates, the temporary
database) so that the same inputs and build time give the same bytes, and we write the file
atomically so a failed build never damages the previous package.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import genanki

from .errors import OutputError
from .notetypes import NoteType

# Bumped whenever the writer changes what it puts in a package, so that an existing package
# written by an older writer is not taken for up to date.
PACKAGE_FORMAT = 1

# Zip entries carry a local date and time; a fixed one keeps the bytes reproducible.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageNote:
    """One Anki note to write, with everything that decides its identity and order."""

    notetype: NoteType
    guid: str
    fields: tuple[str, ...]  # HTML, in ``notetype.fields`` order
    tags: tuple[str, ...]
    mod: int  # seconds; decides whether a re-import updates the note
    due: int  # position among new cards: the study order


@dataclass(frozen=True)
class Written:
    """The package that was written."""

    path: Path
    size: int
    sha256: str


def to_model(notetype: NoteType) -> Any:
    """The genanki model of a note type, with our fixed field and template ids."""
    return genanki.Model(
        notetype.id,
        notetype.name,
        # Anki keeps these ids (checked against the real anki package in the tests), so a
        # field or template renamed later is matched in place rather than replaced.
        fields=[{"name": f.name, "id": f.id} for f in notetype.fields],
        templates=[
            {"name": t.name, "id": t.id, "qfmt": t.qfmt, "afmt": t.afmt}
            for t in notetype.templates
        ],
        css=notetype.css,
        sort_field_index=notetype.sort_field,
    )


class _PinnedPackage(genanki.Package):  # type: ignore[misc]
    """A genanki package whose notes and note types carry the ``mod`` we chose."""

    def __init__(self, deck: Any, note_mods: Mapping[str, int], model_mods: Mapping[int, int]):
        super().__init__(deck)
        self._note_mods = note_mods
        self._model_mods = model_mods

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, id_gen: Any) -> None:
        # genanki stamps every row with the package time; we overwrite that afterwards
        # rather than copy its insert statements.
        super().write_to_db(cursor, timestamp, id_gen)
        # A temporary table (kept out of the package file) avoids one full scan per note:
        # genanki's schema has no index on guid.
        cursor.execute("CREATE TEMP TABLE pinned (guid TEXT PRIMARY KEY, mod INTEGER)")
        cursor.executemany("INSERT INTO temp.pinned VALUES (?, ?)", self._note_mods.items())
        cursor.execute(
            "UPDATE notes SET mod = (SELECT mod FROM temp.pinned WHERE pinned.guid = notes.guid)"
            " WHERE guid IN (SELECT guid FROM temp.pinned)"
        )
        cursor.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
        (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
        models = json.loads(models_json)
        for model in models.values():
            model["mod"] = self._model_mods.get(int(model["id"]), model["mod"])
        cursor.execute("UPDATE col SET models = ?", (json.dumps(models, sort_keys=True),))

    def write_zip(self, dest: IO[bytes], timestamp: int) -> None:
        """Write the package (collection database and empty media map) to ``dest``."""
        with tempfile.TemporaryDirectory(prefix="sagenotes-") as tmp:
            db_path = Path(tmp) / "collection.anki2"
            conn = sqlite3.connect(db_path)
            try:
                # A scratch database: no journal and no fsync per statement (genanki's schema
                # script alone costs a quarter of a second otherwise). Neither changes the file.
                conn.execute("PRAGMA journal_mode = OFF")
                conn.execute("PRAGMA synchronous = OFF")
                # Note and card ids count up from the build time in milliseconds, as
                # genanki does; Anki shows them as the cards' creation dates.
                self.write_to_db(conn.cursor(), timestamp, itertools.count(timestamp * 1000))
                conn.commit()
            finally:
                conn.close()
            with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                with db_path.open("rb") as src, zf.open(_entry("collection.anki2"), "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                zf.writestr(_entry("media"), "{}")


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the platform, so the bytes do not vary
    info.external_attr = 0o644 << 16
    return info


def write_package(
    out: Path,
    deck_name: str,
    deck_id: int,
    notes: Sequence[PackageNote],
    notetype_mods: Mapping[str, int],
    timestamp: int,
) -> Written:
    """Write ``notes`` into one deck at ``out``, atomically; raises OutputError on failure."""
    deck = genanki.Deck(deck_id, deck_name)
    models: dict[str, Any] = {}
    for note in notes:
        model = models.get(note.notetype.name)
        if model is None:
            model = models[note.notetype.name] = to_model(note.notetype)
        deck.add_note(
            genanki.Note(
                model=model,
                fields=list(note.fields),
                tags=list(note.tags),
                guid=note.guid,
                due=note.due,
            )
        )
    model_mods = {
        m.model_id: notetype_mods[name] for name, m in models.items() if name in notetype_mods
    }
    package = _PinnedPackage(deck, {n.guid: n.mod for n in notes}, model_mods)

    def write(dest: IO[bytes]) -> None:
        with warnings.catch_warnings():
            # Fields are HTML made by render.py (escaped and sanitised); genanki's regular
            # expression for "invalid HTML tags" is a heuristic that adds nothing here.
            warnings.filterwarnings("ignore", message="Field contained the following invalid HTML")
            package.write_zip(dest, timestamp)

    return atomic_write(out, write)


def atomic_write(out: Path, write: Callable[[IO[bytes]], None]) -> Written:
    """Write ``out`` through a temporary file beside it, then rename it into place.

    On any failure the temporary file is removed and ``out`` is left as it was; OS and
    database errors become OutputError.
    """
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {out.parent}: {exc.strerror or exc}") from exc
    tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            size = os.fstat(f.fileno()).st_size
            f.seek(0)
            digest = hashlib.sha256()
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
            sha256 = digest.hexdigest()
        os.replace(tmp, out)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise OutputError(f"cannot write {out}: {exc}") from exc
        raise
    _sync_folder(out.parent)
    return Written(out, size, sha256)


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets us open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
