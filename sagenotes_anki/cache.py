"""The parse cache, parallel parsing and the no-op shortcut: only changed notes cost time.

Each note is parsed and its cards made in one go (``prepare``), in worker processes when
there are enough notes to repay starting them (see ``PARALLEL_MIN``). The result is stored
under a key made of the note's bytes, its path, the section names, the card settings and a
digest of this package's own source code, so an edited note, other settings or another
version of the tool simply miss. Entries are checksummed pickles written atomically; one
that cannot be read, fails its checksum or holds anything but a ``Prepared`` is ignored and
the note parsed again. The cache only ever saves time: any problem with it (a read-only
folder, a full disk) is swallowed and the build goes on without it.

``Shortcut`` remembers a build's outcome under a stamp of everything the build read, so a
rebuild with nothing changed answers after reading the notes, without parsing anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from .cards import CardNote, cards_for
from .model import ParseResult, StudyNote
from .notetypes import NOTE_TYPES
from .parse import parse_file, unreadable
from .sections import SectionNames

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

CACHE_FORMAT = 1
_MAGIC = b"sagenotes-cache\n"
_CHECK = 16  # bytes of BLAKE2b checksum after the magic
# Below this many notes to parse, starting worker processes costs more than it saves
# (measured: ~4 ms to parse a note, ~60 ms to start two workers and collect their results).
PARALLEL_MIN = 48

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CardChoice:
    """Which cards to make: the settings ``cards_for`` depends on."""

    kinds: frozenset[str]
    vault_name: str | None


@dataclass(frozen=True)
class Card:
    """A CardNote with its note type by name, so it pickles small."""

    notetype: str
    key: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Prepared:
    """One file's work: its ParseResult and, when asked for, the cards of its note."""

    result: ParseResult
    cards: tuple[Card, ...] | None = None

    def card_notes(self) -> tuple[CardNote, ...] | None:
        """The cards as CardNotes (None when they were not made)."""
        if self.cards is None:
            return None
        return tuple(
            CardNote(_NOTE_TYPES[c.notetype], c.key, c.fields, c.tags) for c in self.cards
        )


_NOTE_TYPES = {nt.name: nt for nt in NOTE_TYPES}


def prepare(
    data: bytes, relpath: str, sections: SectionNames, choice: CardChoice | None
) -> Prepared:
    """Parse one file and make its cards: pure, so it runs in a worker process.

    With cards made, the note keeps only who it is (identity, title, path, tags, aliases,
    dates): its content lives on in the cards, and a vault of thousands of notes stays
    small in memory and in the cache.
    """
    result = parse_file(data, relpath, sections)
    note = result.note
    if choice is None or note is None:
        return Prepared(result)
    made = cards_for(note, kinds=choice.kinds, vault_name=choice.vault_name)
    slim = StudyNote(
        note.identity,
        note.title,
        note.path,
        note.tags,
        note.aliases,
        note.created,
        note.modified,
        is_template=note.is_template,
    )
    cards = tuple(Card(c.notetype.name, c.key, c.fields, c.tags) for c in made)
    return Prepared(replace(result, note=slim), cards)


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """A digest of this package's source files and the Python version.

    Any change to the code (not only a version bump) gives new keys, so a cache never hands
    back what an older parser made.
    """
    digest = hashlib.blake2b(f"{CACHE_FORMAT}:{sys.version_info[:2]}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def content_digest(data: bytes) -> str:
    """The digest of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def scan(folder: Path, relpaths: Iterable[str]) -> dict[str, str | None]:
    """Each file's content digest (None when it cannot be read)."""
    return {relpath: _digest(folder / relpath) for relpath in relpaths}


def _digest(path: Path) -> str | None:
    try:
        return content_digest(path.read_bytes())
    except OSError:
        return None


class ParseCache:
    """Parsed notes on disk, one checksummed file per note."""

    def __init__(
        self, directory: Path, sections: SectionNames, choice: CardChoice | None = None
    ) -> None:
        self.directory = directory / f"parse-v{CACHE_FORMAT}"
        # frozenset reprs vary with string hashing, hence the sorted kinds.
        kinds = sorted(choice.kinds) if choice is not None else None
        settings = (sections, kinds, choice.vault_name if choice is not None else None)
        self._salt = f"{tool_digest()}\0{settings!r}\0".encode()
        self.used: set[str] = set()

    def key(self, relpath: str, digest: str) -> str:
        """The key of one note: its content digest, its path, settings and tool."""
        material = self._salt + relpath.encode() + b"\0" + digest.encode()
        return hashlib.blake2b(material, digest_size=20).hexdigest()

    def get(self, key: str) -> Prepared | None:
        """The stored result, or None when missing, damaged or of the wrong kind."""
        self.used.add(key)
        try:
            blob = (self.directory / key).read_bytes()
        except OSError:
            return None
        return _unpack(blob)

    def put(self, key: str, result: Prepared) -> None:
        """Store a result (atomically; failures ignored: the cache is only a shortcut)."""
        self.used.add(key)
        _write(self.directory / key, _pack(result))

    def prune(self) -> None:
        """Remove entries this build did not use (older versions of notes, deleted notes)."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name not in self.used:
                with contextlib.suppress(OSError):
                    os.unlink(self.directory / name)


def _pack(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _MAGIC + hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload


def _load(blob: bytes) -> object | None:
    """The value of a packed blob; None when it is damaged in any way."""
    head = len(_MAGIC) + _CHECK
    if not blob.startswith(_MAGIC) or len(blob) <= head:
        return None
    payload = blob[head:]
    if hashlib.blake2b(payload, digest_size=_CHECK).digest() != blob[len(_MAGIC) : head]:
        return None
    try:
        value: object = pickle.loads(payload)
    except Exception:  # a damaged or foreign pickle can raise almost anything
        return None
    return value


def _unpack(blob: bytes) -> Prepared | None:
    result = _load(blob)
    return result if isinstance(result, Prepared) else None


def _write(path: Path, blob: bytes) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(blob)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def parse_all(
    folder: Path,
    relpaths: Sequence[str],
    sections: SectionNames,
    *,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    choice: CardChoice | None = None,
    digests: Mapping[str, str | None] | None = None,
) -> list[tuple[str, Prepared]]:
    """Every file's ParseResult (and cards, given a ``choice``) in ``relpaths`` order.

    Taken from the cache, else parsed. ``workers`` caps the worker processes (default: the
    CPUs this process may use); the notes are parsed in this process when there are few of
    them or only one CPU. ``digests`` (from :func:`scan`) saves reading the files again to
    look them up.
    """
    cache = ParseCache(cache_dir, sections, choice) if cache_dir is not None else None
    results: dict[str, Prepared] = {}
    todo: list[str] = []
    for relpath in relpaths:
        hit = None
        if cache is not None:
            digest = digests.get(relpath) if digests is not None else _digest(folder / relpath)
            hit = cache.get(cache.key(relpath, digest)) if digest else None
        if hit is None:
            todo.append(relpath)
            continue
        results[relpath] = hit
        if progress is not None:
            progress(len(results), len(relpaths))
    for relpath, (digest, prepared) in zip(
        todo, _prepare(folder, todo, sections, choice, workers), strict=True
    ):
        results[relpath] = prepared
        if cache is not None and digest:
            # Keyed by the bytes the parser actually read, in case the file changed since.
            cache.put(cache.key(relpath, digest), prepared)
        if progress is not None:
            progress(len(results), len(relpaths))
    if cache is not None:
        cache.prune()
    return [(relpath, results[relpath]) for relpath in relpaths]


def prepare_file(
    folder: Path, relpath: str, sections: SectionNames, choice: CardChoice | None
) -> tuple[str, Prepared]:
    """Read, parse and make the cards of one file: (digest of the bytes read, the work).

    The digest is "" when the file could not be read. Workers read the files themselves,
    so the notes' bytes are neither held by nor copied from the main process.
    """
    try:
        data = (folder / relpath).read_bytes()
    except OSError as exc:
        return "", Prepared(ParseResult(None, (unreadable(relpath, exc),)))
    return content_digest(data), prepare(data, relpath, sections, choice)


def _prepare(
    folder: Path,
    todo: Sequence[str],
    sections: SectionNames,
    choice: CardChoice | None,
    workers: int | None,
) -> Iterable[tuple[str, Prepared]]:
    count = min(workers or available_cpus(), len(todo))
    jobs = (repeat(folder), todo, repeat(sections), repeat(choice))
    if count < 2 or len(todo) < PARALLEL_MIN:
        return map(prepare_file, *jobs)
    # Imported only when needed: it costs a tenth of a no-op rebuild's start-up.
    from concurrent.futures import ProcessPoolExecutor

    # A few chunks per worker: big enough to keep pickling overhead low, small enough that
    # one slow chunk (a long white paper) does not leave the other core idle at the end.
    chunksize = max(1, len(todo) // (count * 8))
    executor = ProcessPoolExecutor(max_workers=count, mp_context=_context())
    try:
        return list(executor.map(prepare_file, *jobs, chunksize=chunksize))
    finally:
        executor.shutdown()


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> BaseContext:
    # fork starts a worker in milliseconds with the parser already imported; elsewhere the
    # platform default (spawn) is the safe choice.
    import multiprocessing

    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


__all__: Sequence[str] = [
    "PARALLEL_MIN",
    "Card",
    "CardChoice",
    "ParseCache",
    "Prepared",
    "Shortcut",
    "available_cpus",
    "content_digest",
    "parse_all",
    "prepare",
    "prepare_file",
    "scan",
    "tool_digest",
]


# --- the last build: lets a rebuild with nothing changed stop before parsing anything ------


@dataclass(frozen=True)
class Shortcut:
    """The digests of a build's notes, and where its outcome is remembered for the next one.

    The stamp covers everything a build depends on: the notes, the settings, this tool, the
    lock file and the output. The lock file and the output are taken by size, modification
    time and inode: the build wrote them itself, and anything else that touches them (an
    edit, a restore, a deletion) changes one of those, which sends the next build down the
    full path.
    """

    notes_dir: Path
    out: Path
    lock_path: Path
    cache_dir: Path
    settings: str
    digests: Mapping[str, str | None]

    @staticmethod
    def of(
        notes_dir: Path,
        relpaths: Iterable[str],
        out: Path,
        lock_path: Path,
        cache_dir: Path,
        settings: str,
    ) -> Shortcut:
        """Read and digest every note now."""
        return Shortcut(notes_dir, out, lock_path, cache_dir, settings, scan(notes_dir, relpaths))

    def stamp(self) -> str:
        """The digest of the notes as read, and of the lock file and output as they are now."""
        digest = hashlib.blake2b(digest_size=20)
        parts = (tool_digest(), self.settings, str(self.notes_dir.resolve()))
        for part in (*parts, str(self.out.resolve()), _stat(self.lock_path), _stat(self.out)):
            digest.update(part.encode() + b"\0")
        for relpath, content in sorted(self.digests.items()):
            digest.update(f"{relpath}\0{content}\n".encode())
        return digest.hexdigest()

    def recall(self) -> object | None:
        """What was remembered under the current stamp (None if anything differs)."""
        try:
            blob = (self.cache_dir / _stamp_name(self.out)).read_bytes()
        except OSError:
            return None
        value = _load(blob)
        if isinstance(value, tuple) and len(value) == 2 and value[0] == self.stamp():
            remembered: object = value[1]
            return remembered
        return None

    def remember(self, value: object) -> None:
        """Remember ``value`` for the next build that finds everything as it is now."""
        _write(self.cache_dir / _stamp_name(self.out), _pack((self.stamp(), value)))


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
