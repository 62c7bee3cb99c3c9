"""The parse cache and parallel parsing: parse only the notes that changed, on every core.

A parsed note is stored under a key made of its bytes, its path, the section names and a
digest of this package's own source code, so an edited note, other settings or a new version
of the tool simply miss. Entries are checksummed pickles written atomically; one that cannot
be read, does not match its checksum or does not hold a ``ParseResult`` is ignored and the
note parsed again. The cache only ever saves time: any problem with it (a read-only folder,
a full disk) is swallowed and the build goes on without it.

Notes that must be parsed are parsed in worker processes when there are enough of them to
repay starting the workers (see ``PARALLEL_MIN``).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from .model import ParseResult
from .parse import parse_file, unreadable
from .sections import SectionNames

CACHE_FORMAT = 1
_MAGIC = b"sagenotes-cache\n"
_CHECK = 16  # bytes of BLAKE2b checksum after the magic
# Below this many notes to parse, starting worker processes costs more than it saves
# (measured: ~4 ms to parse a note, ~60 ms to start two workers and collect their results).
PARALLEL_MIN = 48

Progress = Callable[[int, int], None]


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
    digests: dict[str, str | None] = {}
    for relpath in relpaths:
        try:
            digests[relpath] = content_digest((folder / relpath).read_bytes())
        except OSError:
            digests[relpath] = None
    return digests


class ParseCache:
    """Parsed notes on disk, one checksummed file per note."""

    def __init__(self, directory: Path, sections: SectionNames) -> None:
        self.directory = directory / f"parse-v{CACHE_FORMAT}"
        self._salt = f"{tool_digest()}\0{sections!r}\0".encode()
        self.used: set[str] = set()

    def key(self, relpath: str, digest: str) -> str:
        """The key of one note: its content digest, its path, settings and tool."""
        material = self._salt + relpath.encode() + b"\0" + digest.encode()
        return hashlib.blake2b(material, digest_size=20).hexdigest()

    def get(self, key: str) -> ParseResult | None:
        """The stored result, or None when missing, damaged or of the wrong kind."""
        self.used.add(key)
        try:
            blob = (self.directory / key).read_bytes()
        except OSError:
            return None
        return _unpack(blob)

    def put(self, key: str, result: ParseResult) -> None:
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


def _unpack(blob: bytes) -> ParseResult | None:
    result = _load(blob)
    return result if isinstance(result, ParseResult) else None


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
) -> list[tuple[str, ParseResult]]:
    """Every file's ParseResult, in ``relpaths`` order: from the cache, else parsed.

    ``workers`` caps the worker processes (default: the CPUs this process may use); the
    notes are parsed in this process when there are few of them or only one CPU.
    """
    cache = ParseCache(cache_dir, sections) if cache_dir is not None else None
    results: dict[str, ParseResult] = {}
    todo: list[tuple[str, bytes, str]] = []  # (relpath, data, key)
    for relpath in relpaths:
        try:
            data = (folder / relpath).read_bytes()
        except OSError as exc:
            results[relpath] = ParseResult(None, (unreadable(relpath, exc),))
            continue
        key = cache.key(relpath, content_digest(data)) if cache is not None else ""
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            results[relpath] = hit
        else:
            todo.append((relpath, data, key))
        if progress is not None and hit is not None:
            progress(len(results), len(relpaths))
    for (relpath, _, key), result in zip(todo, _parse(todo, sections, workers), strict=True):
        results[relpath] = result
        if cache is not None:
            cache.put(key, result)
        if progress is not None:
            progress(len(results), len(relpaths))
    if cache is not None:
        cache.prune()
    return [(relpath, results[relpath]) for relpath in relpaths]


def _parse(
    todo: Sequence[tuple[str, bytes, str]], sections: SectionNames, workers: int | None
) -> Iterable[ParseResult]:
    datas = [data for _, data, _ in todo]
    paths = [relpath for relpath, _, _ in todo]
    count = min(workers or available_cpus(), len(todo))
    if count < 2 or len(todo) < PARALLEL_MIN:
        return map(parse_file, datas, paths, repeat(sections))
    # A few chunks per worker: big enough to keep pickling overhead low, small enough that
    # one slow chunk (a long white paper) does not leave the other core idle at the end.
    chunksize = max(1, len(todo) // (count * 8))
    executor = ProcessPoolExecutor(max_workers=count, mp_context=_context())
    try:
        return list(executor.map(parse_file, datas, paths, repeat(sections), chunksize=chunksize))
    finally:
        executor.shutdown()


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with the parser already imported; elsewhere the
    # platform default (spawn) is the safe choice.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


__all__: Sequence[str] = [
    "PARALLEL_MIN",
    "ParseCache",
    "Shortcut",
    "available_cpus",
    "content_digest",
    "parse_all",
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
