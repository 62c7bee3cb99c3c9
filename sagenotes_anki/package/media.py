"""The images a package carries: their names in Anki's media folder, and the zip entries.

A name is flat and stable: the file's name without its folders, in NFC, with every
character Anki's media check would rename (``[]<>:"/?*^\\|``, controls, and to be safe
anything but letters, digits, ``-``, ``_`` and ``.``) made ``_``, short enough for Anki's
120-byte limit, then ``-`` and 12 hex digits of the bytes' digest: ``다이어그램-1a2b3c4d5e6f.png``.

The digest is in the name because Anki never replaces a media file it already has: an
import that brings other bytes under a known name stores them under another name and
rewrites the imported notes, but a note whose ``mod`` did not change is not imported again,
so it would go on showing the old picture. With the digest in the name an edited image is a
new name: the card's field changes (its note is updated on import, then synced) and the new
file is sent; an unchanged image keeps its name and bytes, and Anki neither stores nor
syncs it again. The same bytes under one file name, from any number of notes, are one file;
two different images with one name (in two folders) are two names.

In the package, Anki's layout: a ``media`` entry mapping ``"0"``, ``"1"``, ... to the names,
and each file's bytes as the entry ``"0"``, ``"1"``, ...
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..source.media import read_image

__all__ = ["MediaFiles", "media_entries", "media_files", "media_name"]

_UNSAFE = re.compile(r"[^\w.-]+")
_STEM_BYTES = 80  # with "-", the digest and an extension well inside Anki's 120 bytes


def media_name(relpath: str, digest: str) -> str:
    """The name in the package of the file at ``relpath`` whose bytes have ``digest``."""
    name = unicodedata.normalize("NFC", relpath.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, ext = name.rpartition(".")
    stem = _UNSAFE.sub("_", stem if dot else name).strip("._") or "image"
    while len(stem.encode("utf-8")) > _STEM_BYTES:
        stem = stem[:-1]
    ext = _UNSAFE.sub("", ext.lower()) if dot else ""
    return f"{stem}-{digest[:12]}" + (f".{ext}" if ext else "")


@dataclass(frozen=True)
class MediaFiles:
    """The images to pack: name in the package -> path of the file under ``root``."""

    root: str
    paths: Mapping[str, str]


def media_files(root: str, files: Mapping[str, tuple[str, str]]) -> MediaFiles:
    """The images of ``files`` (name -> (path, digest)) under ``root``, to pack."""
    return MediaFiles(root, {name: relpath for name, (relpath, _) in files.items()})


def media_entries(media: MediaFiles | None) -> Iterator[tuple[str, bytes]]:
    """The package's media entries: the ``media`` map first, then the files as ``"0"``,
    ``"1"``, ... in the order of their names (the same files give the same package). A file
    that can no longer be read (removed since its note was read) is left out; the next build
    warns about it."""
    if media is None:
        yield "media", b"{}"
        return
    readable: dict[str, bytes | None] = {}
    names = sorted(media.paths)
    # Read before the map is written, so that it names only what is packed.
    for name in names:
        try:
            readable[name] = read_image(media.root, media.paths[name])
        except OSError:
            readable[name] = None
    kept = [name for name in names if readable[name] is not None]
    mapping = {str(index): name for index, name in enumerate(kept)}
    yield "media", json.dumps(mapping, ensure_ascii=False).encode("utf-8")
    for index, name in enumerate(kept):
        data = readable.pop(name)
        assert data is not None
        yield str(index), data
