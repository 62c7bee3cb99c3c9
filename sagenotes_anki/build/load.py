"""The parse cache and parallel parsing: only changed notes cost time.

``load`` is the one way notes are loaded (build, check, preview, the library's
``load_notes``): the folder ``walked``, each note parsed and its cards made in one go
(``prepared.read_packed``), in worker processes when there are enough notes to repay
starting them (``runtime.workers``), the vault assembled.

The cache is a few shard files (``SHARDS``), each holding the notes whose path falls in it
with the digest of the bytes they were made from, so only the shards of changed notes are
written again. A shard is sealed (``stamp.seal``) under a tag of the section names, the card
settings and a digest of this package's own code: other settings or another version of the
tool simply miss, and a damaged shard is ignored and its notes parsed again. The cache only
ever saves time: any problem with it (a read-only folder, a full disk) is swallowed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from ..cache.parse import SHARDS, ParseCache, drop_parse_cache
from ..cache.stamp import CACHE_FORMAT, scan
from ..cards.rows import CardRow
from ..errors import SageNotesError
from ..parse.sections import DEFAULT_SECTIONS, SectionNames
from ..parse.vault import Progress, Vault, assemble
from ..runtime import workers
from ..runtime.collector import collector_paused
from ..runtime.workers import PARALLEL_MIN
from ..source.media import forget as forget_vault_images
from ..source.walk import walk
from .folder import Walked
from .media_set import Media, media_of
from .options import BuildOptions
from .prepared import CardChoice, Prepared, read_packed, unpack


@dataclass(frozen=True)
class LoadSettings:
    """How notes are loaded: the section names, which cards to make in the same go (None:
    none), the cache's folder (None: no cache) and at most how many worker processes."""

    sections: SectionNames = DEFAULT_SECTIONS
    choice: CardChoice | None = None
    cache_dir: Path | None = None
    workers: int | None = None  # None: the CPUs this process may use


@dataclass(frozen=True)
class Parsed:
    """Every note's work in folder order, and the digest of every note as it was read (None
    when it could not be), which the no-op stamp is made of."""

    prepared: list[tuple[str, Prepared]]
    digests: Mapping[str, str | None]


class NoteCards(NamedTuple):
    """A note's cards as made where it was parsed, and the identity their GUIDs came from."""

    identity: str
    rows: tuple[CardRow, ...]


@dataclass(frozen=True)
class Loaded:
    """A folder's notes loaded: the vault, each note's cards by path (with the settings'
    ``choice``), and every note's digest as read."""

    vault: Vault
    cards: Mapping[str, NoteCards]
    digests: Mapping[str, str | None]
    media: Media = field(default_factory=Media)


def settings_for(options: BuildOptions) -> LoadSettings:
    """How a build with ``options`` loads its notes (cards made in the same go)."""
    try:
        sections = DEFAULT_SECTIONS.extended(options.section_aliases)
    except ValueError as exc:
        raise SageNotesError(str(exc)) from exc
    choice = CardChoice(options.card_kinds, options.vault_name)
    return LoadSettings(sections, choice, options.cache_dir)


def load(
    folder: Walked,
    settings: LoadSettings,
    progress: Progress | None = None,
) -> Loaded:
    """The notes of ``folder`` as a Vault (identities made unique), with their cards.

    The one way notes are loaded (build, check, preview and the library's ``load_notes``):
    through the cache, in worker processes when many changed.
    """
    parsed = parse_all(folder, settings, progress)
    vault = assemble(
        [(path, p.result) for path, p in parsed.prepared], folder.folder, folder.diagnostics
    )
    cards = {
        path: NoteCards(p.result.note.identity, p.cards)
        for path, p in parsed.prepared
        if p.cards is not None and p.result.note is not None
    }
    return Loaded(
        vault,
        cards,
        parsed.digests,
        media_of((p for _, p in parsed.prepared), os.fspath(folder.folder)),
    )


def load_notes(
    folder: Path,
    *,
    sections: SectionNames = DEFAULT_SECTIONS,
    progress: Progress | None = None,
) -> Vault:
    """Parse every note under ``folder``; problems become diagnostics, never exceptions.

    A missing folder, or one without notes, gives an empty Vault."""
    found = walk(folder)
    folder_walked = Walked(folder, found.paths, found.diagnostics)
    return load(folder_walked, LoadSettings(sections), progress).vault


def parse_all(
    folder: Walked,
    settings: LoadSettings,
    progress: Progress | None = None,
) -> Parsed:
    """Every note's work (its ParseResult, and its cards with a ``choice``) in folder order.

    Taken from the cache, else parsed (and then kept in the cache).
    """
    cache = _cache(settings)
    relpaths = folder.paths
    done: dict[str, Prepared] = {}
    digests: dict[str, str | None] = {}
    # A first build (an empty cache, no digests taken) has nothing to look up: the files
    # are read once, by the parse.
    if cache is not None and (folder.digests is not None or not cache.empty()):
        digests.update(folder.digests or scan(folder.folder, relpaths))
        _look_up(cache, relpaths, digests, done, progress)
    todo = [relpath for relpath in relpaths if relpath not in done]
    forget_vault_images()  # listed again, if a note embeds one: files may have come or gone
    work = partial(read_packed, os.fspath(folder.folder), settings.sections, settings.choice)
    for relpath, (digest, packed) in zip(
        todo, workers.mapped(work, todo, settings.workers), strict=True
    ):
        done[relpath] = unpack(packed)
        digests[relpath] = digest or None  # "": the file could not be read
        if cache is not None and digest and not done[relpath].uses_vault():
            # Keyed by the bytes the parser actually read, in case the file changed since.
            cache.put(relpath, digest, packed)
        if progress is not None:
            progress(len(done), len(relpaths))
    if cache is not None:
        cache.save()
    return Parsed([(relpath, done[relpath]) for relpath in relpaths], digests)


def _cache(settings: LoadSettings) -> ParseCache[Prepared] | None:
    if settings.cache_dir is None:
        return None
    choice = settings.choice
    # frozenset reprs vary with string hashing, hence the sorted kinds.
    kinds = sorted(choice.kinds) if choice is not None else None
    made_by = (settings.sections, kinds, choice.vault_name if choice is not None else None)
    return ParseCache(settings.cache_dir, made_by, unpack)


def _look_up(
    cache: ParseCache[Prepared],
    relpaths: Sequence[str],
    digests: Mapping[str, str | None],
    done: dict[str, Prepared],
    progress: Progress | None,
) -> None:
    """Put in ``done`` every note the cache holds for its digest."""
    with collector_paused():
        for relpath in relpaths:
            digest = digests.get(relpath)
            hit = cache.get(relpath, digest) if digest else None
            if hit is not None:
                done[relpath] = hit
                if progress is not None:
                    progress(len(done), len(relpaths))


__all__: Sequence[str] = [
    "CACHE_FORMAT",
    "PARALLEL_MIN",
    "SHARDS",
    "CardChoice",
    "LoadSettings",
    "Loaded",
    "NoteCards",
    "ParseCache",
    "Parsed",
    "Prepared",
    "Walked",
    "collector_paused",
    "drop_parse_cache",
    "load",
    "load_notes",
    "parse_all",
    "settings_for",
]
