"""The parse cache: each note's work, kept under the digest of the bytes it was made from.

The cache is a few shard files (``SHARDS``), each holding the notes whose path falls in it,
so only the shards of changed notes are written again. A shard is sealed (``stamp.seal``)
under a tag of the settings and a digest of this package's own code: other settings or
another version of the tool simply miss, and a damaged shard (or one of an older layout,
``CACHE_FORMAT``) is ignored and its notes parsed again. The cache only ever saves time: any
problem with it (a read-only folder, a full disk) is swallowed. It knows nothing of what the
work is: ``build/load.py`` packs and unpacks it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..runtime.atomic import write_best_effort
from ..runtime.collector import collector_paused
from .stamp import CACHE_FORMAT, TAG_SIZE, read_sealed, seal, tool_digest

__all__ = ["SHARDS", "ParseCache", "drop_parse_cache"]

T = TypeVar("T")

# Files the cache is split into: a changed note rewrites one of them, not the whole cache.
SHARDS = 16


class ParseCache(Generic[T]):
    """Each note's work on disk, in ``SHARDS`` sealed files of {path: (digest, packed)}.

    ``settings`` is what the work depends on besides the note (its repr must not vary from
    run to run); ``unpack`` turns packed work back into what ``get`` returns, and raises
    TypeError or ValueError for something malformed, which is then a miss.
    """

    def __init__(self, directory: Path, settings: object, unpack: Callable[[Any], T]) -> None:
        self.directory = directory / f"parse-v{CACHE_FORMAT}"
        salt = f"{tool_digest()}\0{settings!r}".encode()
        self._tag = hashlib.blake2b(salt, digest_size=TAG_SIZE).digest()
        self._unpack = unpack
        self._stored: list[dict[str, object]] | None = None
        self._kept: list[dict[str, tuple[str, object]]] = [{} for _ in range(SHARDS)]
        self._dirty: set[int] = set()

    def shard_path(self, shard: int) -> Path:
        """The file of one shard: named by the settings, so other settings never collide."""
        return self.directory / f"{self._tag.hex()[:20]}-{shard:02d}.pack"

    def get(self, relpath: str, digest: str) -> T | None:
        """The stored work for this path and content, or None when missing or malformed."""
        shard = _shard(relpath)
        stored = self._shards()[shard].get(relpath)
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == digest):
            return None
        try:
            work = self._unpack(stored[1])
        except (TypeError, ValueError):
            return None
        self._kept[shard][relpath] = stored
        return work

    def put(self, relpath: str, digest: str, packed: object) -> None:
        """Keep a note's work, to be written by ``save``."""
        shard = _shard(relpath)
        self._kept[shard][relpath] = (digest, packed)
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


def drop_parse_cache(cache_dir: Path) -> None:
    """Remove the parse cache from ``cache_dir``, to give its room to the package."""
    with contextlib.suppress(OSError):
        for name in os.listdir(cache_dir):
            if name.startswith("parse-v"):
                shutil.rmtree(cache_dir / name, ignore_errors=True)
