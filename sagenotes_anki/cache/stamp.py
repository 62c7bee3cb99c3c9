"""The no-op stamp, and the sealed files the parse cache is made of.

``Shortcut`` remembers a build's outcome under a stamp of everything the build read, so a
rebuild with nothing changed answers after reading the notes, without parsing anything.

``seal``/``unseal`` wrap a pickle with a tag (what it was made for) and a checksum, so a
file that is damaged, truncated or made for other settings is refused before it is trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..runtime.atomic import write_best_effort
from ..runtime.regular import open_regular
from ..source.read import read_note

__all__ = [
    "CACHE_FORMAT",
    "TAG_SIZE",
    "MediaInputs",
    "Recalled",
    "Shortcut",
    "content_digest",
    "read_regular",
    "read_sealed",
    "scan",
    "seal",
    "tool_digest",
    "unseal",
]

# Bumped whenever the layout of the cache's files changes.
CACHE_FORMAT = 3  # 3: cards pickled as named rows (cards.rows.CardRow)
_MAGIC = b"sagenotes-cache\n"
TAG_SIZE = 20  # bytes of the tag after the magic (a BLAKE2b digest)
# After the tag: the payload's length and CRC-32. The checksum only has to catch accidental
# damage (a torn or truncated file); CRC-32 does that four times faster than BLAKE2b, which
# matters for the hundreds of megabytes of a large vault's cache.
_HEAD = len(_MAGIC) + TAG_SIZE + 12


# The code, and the card and preview templates read with it (a new style must reach Anki).
_SOURCES = frozenset({".py", ".css", ".js", ".html"})


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """A digest of the package's source and template files (every folder) and Python's version.

    Any change to the code (not only a version bump) gives new keys, so a cache never hands
    back what an older parser made. A file is named by its path in the package, so moving
    one counts as a change too.
    """
    digest = hashlib.blake2b(f"{CACHE_FORMAT}:{sys.version_info[:2]}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent.parent
    sources = (p for p in package.rglob("*") if p.suffix in _SOURCES and p.is_file())
    for source in sorted(sources):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def content_digest(data: bytes) -> str:
    """The digest of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def scan(folder: Path, relpaths: Iterable[str]) -> dict[str, str | None]:
    """Each file's content digest (None when it cannot be read), in ``relpaths`` order."""
    # Plain string paths: pathlib's joining costs more than the hashing on a large vault.
    base = os.fspath(folder)
    return {relpath: _digest(base, relpath) for relpath in relpaths}


def _digest(folder: str, relpath: str) -> str | None:
    # read_note: regular files only, up to the size limit, never blocking on a FIFO.
    try:
        return content_digest(read_note(folder, relpath))
    except OSError:
        return None


def seal(tag: bytes, value: object) -> bytes:
    """``value`` pickled, behind the magic, ``tag`` and a checksum."""
    assert len(tag) == TAG_SIZE
    payload = pickle.dumps(value, protocol=5)
    check = len(payload).to_bytes(8, "big") + zlib.crc32(payload).to_bytes(4, "big")
    return _MAGIC + tag + check + payload


def unseal(blob: bytes, tag: bytes) -> object | None:
    """The value sealed in ``blob`` under ``tag``; None when damaged or made for another tag."""
    if len(blob) < _HEAD or not blob.startswith(_MAGIC) or blob[len(_MAGIC) : _HEAD - 12] != tag:
        return None
    check = blob[_HEAD - 12 : _HEAD]
    payload = memoryview(blob)[_HEAD:]
    size, crc = int.from_bytes(check[:8], "big"), int.from_bytes(check[8:], "big")
    if len(payload) != size or zlib.crc32(payload) != crc:
        return None
    try:
        value: object = pickle.loads(payload)
    except Exception:  # a damaged or foreign pickle can raise almost anything
        return None
    return value


def read_sealed(path: Path, tag: bytes) -> object | None:
    """The value sealed in the file at ``path`` (None when missing, unreadable or damaged)."""
    blob = read_regular(path)
    return None if blob is None else unseal(blob, tag)


def read_regular(path: str | Path) -> bytes | None:
    """The bytes of the regular file at ``path``; None when it is missing, unreadable or no
    regular file (a FIFO or a device in the cache would block the read or never end)."""
    try:
        fd, info = open_regular(path)
    except OSError:
        return None
    try:
        parts = []
        while chunk := os.read(fd, max(info.st_size + 1, 1 << 16)):
            parts.append(chunk)
        return b"".join(parts)
    except OSError:
        return None
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Recalled:
    """What the no-op stamp found: the outcome remembered under the current stamp (None when
    anything differs) and the notes' digests, when they were read to compare (None when
    nothing was remembered at all: a first build reads them as it parses)."""

    value: object | None = None
    digests: dict[str, str | None] | None = None


@dataclass(frozen=True)
class Shortcut:
    """Where a build's outcome is remembered for the next one, under a stamp of its inputs.

    The stamp covers everything a build depends on: the notes (by the digests of their
    bytes), the settings, this tool, the lock file and the output. The lock file and the
    output are taken by size, modification time and inode: the build wrote them itself, and
    anything else that touches them (an edit, a restore, a deletion) changes one of those,
    which sends the next build down the full path.
    """

    notes_dir: Path
    out: Path
    lock_path: Path
    cache_dir: Path
    settings: str
    relpaths: tuple[str, ...]  # the notes, in folder order

    def stamp(self, digests: Mapping[str, str | None], media: str = "") -> bytes:
        """The digest of the notes as read, and of the lock file and output as they are now;
        ``media``: the vault's images, when the notes use any (see ``_media``)."""
        digest = hashlib.blake2b(digest_size=TAG_SIZE)
        digest.update(media.encode() + b"\0")
        parts = (tool_digest(), self.settings, str(self.notes_dir.resolve()))
        for part in (*parts, str(self.out.resolve()), _stat(self.lock_path), _stat(self.out)):
            digest.update(part.encode() + b"\0")
        for relpath in sorted(self.relpaths):
            digest.update(f"{relpath}\0{digests.get(relpath)}\n".encode())
        return digest.digest()

    def recall(self) -> Recalled:
        """What was remembered under the current stamp, and the digests read to tell."""
        path = self.cache_dir / _stamp_name(self.out)
        if not path.is_file():
            return Recalled()  # nothing remembered: no need to read the notes for it
        digests = scan(self.notes_dir, self.relpaths)
        return Recalled(read_sealed(path, self.stamp(digests, self._media_now())), digests)

    def remember(
        self,
        digests: Mapping[str, str | None],
        value: object,
        media: MediaInputs | None = None,
    ) -> None:
        """Remember ``value`` for the next build that finds everything as it is now;
        ``digests`` are the notes' as this build read them (any missing are read now);
        ``media``: the images the notes use, when their cards depend on the vault's files."""
        missing = [relpath for relpath in self.relpaths if relpath not in digests]
        if missing:
            digests = {**digests, **scan(self.notes_dir, missing)}
        side = self.cache_dir / (_stamp_name(self.out) + ".media")
        if media is None:
            # Left behind, it would only make the next recall miss: a full build.
            with contextlib.suppress(OSError):
                side.unlink(missing_ok=True)
            signature = ""
        else:
            used = sorted(media.images)
            write_best_effort(side, "\n".join(used).encode("utf-8"))
            signature = _media(self.notes_dir, media.images)
        stamp = self.stamp(digests, signature)
        write_best_effort(self.cache_dir / _stamp_name(self.out), seal(stamp, value))

    def _media_now(self) -> str:
        """The images the last build's notes used, as they are now ("" when none did)."""
        blob = read_regular(self.cache_dir / (_stamp_name(self.out) + ".media"))
        if blob is None:
            return ""
        used = [p for p in blob.decode("utf-8", "replace").split("\n") if p]
        return _media(self.notes_dir, {p: _image_digest(self.notes_dir, p) for p in used})


@dataclass(frozen=True)
class MediaInputs:
    """The images a build's notes use: path in the vault -> digest of the bytes read."""

    images: Mapping[str, str]


def _media(notes_dir: Path, images: Mapping[str, str | None]) -> str:
    """What the notes' images depend on: the vault's image files (an embed is found by its
    name, so one added or removed anywhere may change which file it shows) and the bytes of
    the images used."""
    from ..source.media import vault_images  # only for a vault whose notes use images

    listed = sorted(vault_images(os.fspath(notes_dir), fresh=True).by_path.values())
    used = (f"{p}\0{images[p]}" for p in sorted(images))
    return "\n".join(listed) + "\0\0" + "\n".join(used)


def _image_digest(notes_dir: Path, relpath: str) -> str | None:
    from ..source.media import read_image

    try:
        return content_digest(read_image(os.fspath(notes_dir), relpath))
    except OSError:
        return None


def _stamp_name(out: Path) -> str:
    # One stamp per output, so two decks built beside each other share a cache folder.
    name = hashlib.blake2b(str(out.resolve()).encode(), digest_size=8).hexdigest()
    return f"build-{name}.stamp"


def _stat(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"
