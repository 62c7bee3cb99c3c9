"""Read notes back out of the previous package.

The lock keeps only hashes and ``mod`` times for the items that still exist (so it stays
small for a large vault); when an item vanishes from the notes, its last content is taken
from the package the previous build wrote, so it can be kept, unchanged but tagged.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..runtime.leftovers import scratch_folder
from ..runtime.regular import open_regular


@dataclass(frozen=True)
class Recovered:
    """An Anki note as the previous package held it."""

    notetype: str
    fields: tuple[tuple[str, str], ...]  # (field name, HTML)
    tags: tuple[str, ...]


def recover(packages: Sequence[Path], guids: Collection[str]) -> Mapping[str, Recovered]:
    """The notes with these GUIDs in the first of ``packages`` that holds any of them.

    Missing or unreadable packages are passed over, and so is anything not a regular file
    (a FIFO would block the build forever, a device never end).
    """
    for package in packages:
        found = _recover_one(package, guids) if guids else {}
        if found:
            return found
    return {}


# A collection deflates to a fifth of its size or so; one that claims to be more than this
# many times its package (and over the floor) is refused unread.
_MOST_INFLATION = 50
_LEAST_ROOM = 64 << 20


def _recover_one(package: Path, guids: Collection[str]) -> Mapping[str, Recovered]:
    f = _regular_file(package)
    if f is None:
        return {}
    try:
        with f, zipfile.ZipFile(f) as zf, scratch_folder() as tmp:
            info = zf.getinfo("collection.anki2")
            if info.file_size > max(_LEAST_ROOM, _MOST_INFLATION * os.fstat(f.fileno()).st_size):
                return {}  # a zip bomb, not a package this tool wrote: treated as unreadable
            db = Path(tmp) / "collection.anki2"
            with zf.open(info) as source, open(db, "wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)  # in pieces: memory stays flat
            return _read(db, set(guids))
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.Error, ValueError, EOFError):
        return {}
    except (TypeError, AttributeError, RecursionError):  # its note types' JSON is not Anki's
        return {}


def _regular_file(path: Path) -> IO[bytes] | None:
    """``path`` open for reading if it is a regular file, else None (never waiting on a
    FIFO)."""
    try:
        fd, _ = open_regular(path)
    except OSError:
        return None
    return open(fd, "rb")  # closed by the caller


def _read(db: Path, wanted: set[str]) -> dict[str, Recovered]:
    conn = sqlite3.connect(db)
    try:
        (models_json,) = conn.execute("SELECT models FROM col").fetchone()
        models = json.loads(models_json)
        names = {
            int(mid): (m["name"], [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])])
            for mid, m in models.items()
        }
        found: dict[str, Recovered] = {}
        for guid, mid, flds, tags in conn.execute("SELECT guid, mid, flds, tags FROM notes"):
            if guid not in wanted or int(mid) not in names:
                continue
            name, field_names = names[int(mid)]
            values = flds.split("\x1f")
            found[guid] = Recovered(
                name, tuple(zip(field_names, values, strict=False)), tuple(tags.split())
            )
        return found
    finally:
        conn.close()
