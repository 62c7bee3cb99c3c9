"""What a build writes: the package, then the lock (only once the package is complete).

Also what keeps those writes safe: leftovers of killed builds swept, the parse cache giving
its room to the package when the disk is full, a lock that could not be written reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import codes
from ..cards.identity import deck_id_for
from ..errors import OutputError
from ..lock.model import OutputRecord
from ..model import Diagnostic
from .items import package_notes
from .media_set import Media
from .options import BuildOptions, BuildReport
from .plan import LockPlace, Planned

if TYPE_CHECKING:
    from ..lock.write import PendingLock
    from ..runtime.atomic import Written

__all__ = ["lock_written", "package", "sweep"]


def sweep(out: Path, lock: LockPlace, cache_dir: Path | None) -> None:
    """Remove what builds killed before they could finish left: temporary files beside the
    package, the lock and in the cache, and scratch folders (see ``leftovers.sweep``)."""
    from ..runtime.leftovers import sweep

    sweep([out, lock.path], [] if cache_dir is None else [cache_dir, *cache_dir.glob("parse-v*")])


def package(
    out: Path,
    planned: Planned,
    pending: PendingLock,
    options: BuildOptions,
    media: Media | None = None,
) -> Written:
    """Write the package of ``planned`` to ``out``; on failure the lock being written
    (``pending``) is abandoned and the old one left as it is."""
    from ..package.media import media_files
    from ..package.writer import write_package

    plan = planned.plan
    mods = {name: stamp.mod for name, stamp in plan.notetypes.items()}
    deck_id = deck_id_for(options.deck_name)

    def write() -> Written:
        notes = package_notes(plan, planned.current)
        return write_package(
            out, options.deck_name, deck_id, notes, mods, planned.timestamp, options.cache_dir,
            None if media is None else media_files(media.root, media.files),
        )  # fmt: skip

    try:
        return _making_room(write, options.cache_dir)
    except BaseException:
        pending.abandon()
        raise


def lock_written(
    pending: PendingLock,
    written: Written,
    planned: Planned,
    place: LockPlace,
    out: Path,
    report: BuildReport,
) -> BuildReport:
    """Finish the lock with the package's record; ``report`` as written.

    A lock that cannot be written now (the package is in place) is said in the report."""
    record = OutputRecord(planned.inputs, written.sha256, written.size, _relative(out, place))
    try:
        pending.finish(record)
    except OutputError as exc:  # the package is in place: say the lock no longer matches it
        noted = (*report.diagnostics, _stale_lock(place.shown, out, str(exc)))
        return replace(report, diagnostics=noted, written=True, size=written.size)
    return replace(report, written=True, size=written.size)


def _making_room(write: Callable[[], Written], cache_dir: Path | None) -> Written:
    """``write()``; when the disk is full, once more after removing the parse cache.

    The cache beside the package only saves time: it gives its room to the package.
    """
    try:
        return write()
    except OutputError as exc:
        if cache_dir is None or not _out_of_space(exc):
            raise
    from ..cache.parse import drop_parse_cache

    drop_parse_cache(cache_dir)
    return write()


def _out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the disk or the quota is full."""
    import errno
    import sqlite3

    full = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in full:
            return True
        if isinstance(seen, sqlite3.Error) and getattr(seen, "sqlite_errorcode", 0) == 13:
            return True  # SQLITE_FULL
        seen = seen.__cause__ or seen.__context__
    return False


def _stale_lock(shown: str, out: Path, problem: str) -> Diagnostic:
    return Diagnostic(
        shown,
        0,
        "warning",
        codes.LOCK_STALE,
        f"the deck {out} was written, but {problem}. The lock is stale: it still describes "
        "the previous deck, so the next build takes what changed since then for changed "
        "again. Fix the cause (free some space, make the lock's folder writable), then "
        "build again: that build writes the lock.",
    )


def _relative(path: Path, lock: LockPlace) -> str:
    """``path`` as the lock records it: relative to the lock's folder, POSIX separators."""
    folder = lock.path.parent
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()
