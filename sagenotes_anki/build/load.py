"""The parse cache and parallel parsing: only changed notes cost time.

Each note is parsed and its cards made in one go (``prepared.read_entry``), in worker
processes when there are enough notes to repay starting them (see ``PARALLEL_MIN``).

The cache is a few shard files (``SHARDS``), each holding the notes whose path falls in it
with the digest of the bytes they were made from, so only the shards of changed notes are
written again. A shard is sealed (``stamp.seal``) under a tag of the section names, the card
settings and a digest of this package's own code: other settings or another version of the
tool simply miss, and a damaged shard is ignored and its notes parsed again. The cache only
ever saves time: any problem with it (a read-only folder, a full disk) is swallowed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import shutil
import signal
import sys
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache.stamp import (
    CACHE_FORMAT,
    TAG_SIZE,
    Shortcut,
    content_digest,
    read_sealed,
    scan,
    seal,
    tool_digest,
)
from ..parse.sections import SectionNames
from ..parse.vault import Progress
from ..runtime import forked
from ..runtime.atomic import write_best_effort
from ..runtime.cpus import available_cpus
from .prepared import CardChoice, Entry, Prepared, from_entry, prepare, read_entry

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from ..runtime.forked import Job

# Below this many notes to parse, starting worker processes costs more than it saves
# (measured: ~4 ms to parse a note, ~60 ms to start two workers and collect their results).
PARALLEL_MIN = 48
# Notes per task sent to a worker at most: small enough that the last tasks do not leave one
# core idle for long, large enough that sending them costs nothing.
CHUNK_MAX = 32
# Files the cache is split into: a changed note rewrites one of them, not the whole cache.
SHARDS = 16


class ParseCache:
    """Parsed notes on disk, in ``SHARDS`` sealed files of {path: (digest, entry)}."""

    def __init__(
        self, directory: Path, sections: SectionNames, choice: CardChoice | None = None
    ) -> None:
        self.directory = directory / f"parse-v{CACHE_FORMAT}"
        # frozenset reprs vary with string hashing, hence the sorted kinds.
        kinds = sorted(choice.kinds) if choice is not None else None
        settings = (sections, kinds, choice.vault_name if choice is not None else None)
        salt = f"{tool_digest()}\0{settings!r}".encode()
        self._tag = hashlib.blake2b(salt, digest_size=TAG_SIZE).digest()
        self._stored: list[dict[str, object]] | None = None
        self._kept: list[dict[str, tuple[str, Entry]]] = [{} for _ in range(SHARDS)]
        self._dirty: set[int] = set()

    def shard_path(self, shard: int) -> Path:
        """The file of one shard: named by the settings, so other settings never collide."""
        return self.directory / f"{self._tag.hex()[:20]}-{shard:02d}.pack"

    def get(self, relpath: str, digest: str) -> Prepared | None:
        """The stored work for this path and content, or None when missing or malformed."""
        shard = _shard(relpath)
        stored = self._shards()[shard].get(relpath)
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == digest):
            return None
        try:
            prepared = from_entry(stored[1])
        except (TypeError, ValueError):
            return None
        self._kept[shard][relpath] = stored
        return prepared

    def put(self, relpath: str, digest: str, entry: Entry) -> None:
        """Keep a note's work, to be written by ``save``."""
        shard = _shard(relpath)
        self._kept[shard][relpath] = (digest, entry)
        self._dirty.add(shard)

    def save(self) -> None:
        """Write the shards that changed; drop what this build did not use.

        Failures are ignored: the cache is only a shortcut.
        """
        stored = self._shards()
        for shard, kept in enumerate(self._kept):
            if shard not in self._dirty and len(kept) == len(stored[shard]):
                continue  # every stored entry was used and none added: the file is current
            path = self.shard_path(shard)
            if kept:
                write_best_effort(path, seal(self._tag, kept))
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
        self._prune()

    def empty(self) -> bool:
        """Whether no shard holds anything (a first build, or other settings)."""
        return not any(self._shards())

    def _shards(self) -> list[dict[str, object]]:
        if self._stored is None:
            with collector_paused():
                self._stored = [self._read(shard) for shard in range(SHARDS)]
        return self._stored

    def _read(self, shard: int) -> dict[str, object]:
        value = read_sealed(self.shard_path(shard), self._tag)
        return value if isinstance(value, dict) else {}

    def _prune(self) -> None:
        """Remove files of other settings or versions, and caches of older layouts."""
        ours = {self.shard_path(shard).name for shard in range(SHARDS)}
        with contextlib.suppress(OSError):
            for name in os.listdir(self.directory):
                if name not in ours:
                    with contextlib.suppress(OSError):
                        os.unlink(self.directory / name)
        with contextlib.suppress(OSError):
            for name in os.listdir(self.directory.parent):
                if name.startswith("parse-v") and name != self.directory.name:
                    shutil.rmtree(self.directory.parent / name, ignore_errors=True)


def _shard(relpath: str) -> int:
    # By path, not content: an edited note replaces its old entry in the same shard.
    return zlib.crc32(relpath.encode()) % SHARDS


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that hold no cycles.

    Unpickling a large cache makes hundreds of thousands of tuples; collections triggered
    meanwhile would scan them again and again (half the load time of a large vault).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    read: dict[str, str | None] | None = None,
    jobs: list[Job] | None = None,
) -> list[tuple[str, Prepared]]:
    """Every file's ParseResult (and cards, given a ``choice``) in ``relpaths`` order.

    Taken from the cache, else parsed. ``workers`` caps the worker processes (default: the
    CPUs this process may use); the notes are parsed in this process when there are few of
    them or only one CPU. ``digests`` (from :func:`scan`) saves reading the files again to
    look them up; ``read``, when given, receives the digest of every file as it was read.
    With ``jobs``, a cache that many notes were added to is saved by a side process
    (:mod:`forked`) while the build goes on; its job is put in ``jobs`` for the caller to
    wait for.
    """
    cache = ParseCache(cache_dir, sections, choice) if cache_dir is not None else None
    results: dict[str, Prepared] = {}
    todo: list[str] = []
    # A first build (an empty cache, no digests taken) has nothing to look up: the files
    # are read once, by the parse.
    if cache is not None and (digests is not None or not cache.empty()):
        if digests is None:
            digests = scan(folder, relpaths)
        if read is not None:
            read.update(digests)
        with collector_paused():
            for relpath in relpaths:
                digest = digests.get(relpath)
                hit = cache.get(relpath, digest) if digest else None
                if hit is None:
                    todo.append(relpath)
                    continue
                results[relpath] = hit
                if progress is not None:
                    progress(len(results), len(relpaths))
    else:
        todo = list(relpaths)
    for relpath, (digest, entry) in zip(
        todo, _prepare(folder, todo, sections, choice, workers), strict=True
    ):
        results[relpath] = from_entry(entry)
        if read is not None:
            read[relpath] = digest or None  # "": the file could not be read
        if cache is not None and digest:
            # Keyed by the bytes the parser actually read, in case the file changed since.
            cache.put(relpath, digest, entry)
        if progress is not None:
            progress(len(results), len(relpaths))
    if cache is not None:
        if jobs is not None and len(todo) >= PARALLEL_MIN:
            jobs.append(forked.start(cache.save))
        else:
            cache.save()
    return [(relpath, results[relpath]) for relpath in relpaths]


def _prepare(
    folder: Path,
    todo: Sequence[str],
    sections: SectionNames,
    choice: CardChoice | None,
    workers: int | None,
) -> Iterator[tuple[str, Entry]]:
    """Each file's (digest, entry), in ``todo`` order, as soon as it is ready."""
    count = min(workers or available_cpus(), len(todo))
    work = partial(read_entry, os.fspath(folder), sections, choice)
    if count < 2 or len(todo) < PARALLEL_MIN:
        yield from map(work, todo)
        return
    # Imported only when needed: it costs a tenth of a no-op rebuild's start-up.
    from concurrent.futures import ProcessPoolExecutor

    # Several tasks per worker, so that one slow task (a long white paper) near the end does
    # not leave the other core idle; results come back as plain tuples, cheap to unpickle,
    # and are taken in (and progress shown) while the workers go on parsing.
    chunksize = max(1, min(CHUNK_MAX, len(todo) // (count * 8)))
    # A worker's garbage is its own: it collects as usual even when the build paused the
    # collector in the process it was forked from.
    with ProcessPoolExecutor(
        max_workers=count, mp_context=_context(), initializer=_worker_start, initargs=(os.getpid(),)
    ) as executor:
        yield from executor.map(work, todo, chunksize=chunksize)


def _worker_start(parent: int) -> None:
    """Set up a worker: it ends when the build that started it does.

    Killed outright, the build cannot stop its workers, which would wait for work forever
    (they hold both ends of the pipe it comes through). On Linux the kernel sends them
    SIGTERM when their parent dies; elsewhere a thread looks every second.
    """
    gc.enable()  # (the build may have paused the collector in the process forked from)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # whatever the parent had set up
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the build died before we asked to die with it
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask the kernel for SIGTERM when the parent dies (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform != "linux":
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


_PR_SET_PDEATHSIG = 1


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def drop_parse_cache(cache_dir: Path) -> None:
    """Remove the parse cache from ``cache_dir``, to give its room to the package."""
    with contextlib.suppress(OSError):
        for name in os.listdir(cache_dir):
            if name.startswith("parse-v"):
                shutil.rmtree(cache_dir / name, ignore_errors=True)


def _context() -> BaseContext:
    # fork starts a worker in milliseconds with the parser already imported; elsewhere the
    # platform default (spawn) is the safe choice.
    import multiprocessing

    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


__all__: Sequence[str] = [
    "CACHE_FORMAT",
    "PARALLEL_MIN",
    "SHARDS",
    "CardChoice",
    "ParseCache",
    "Prepared",
    "Shortcut",
    "available_cpus",
    "collector_paused",
    "content_digest",
    "drop_parse_cache",
    "parse_all",
    "prepare",
    "scan",
    "tool_digest",
]
