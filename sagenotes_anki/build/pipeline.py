"""The pipeline in one page: ``build`` and ``check``.

``build`` reads top to bottom: the notes folder, the no-op stamp, the notes loaded and
their cards made (through the parse cache), the lock and the plan against it, the report,
the package and then the lock written (only once the package is complete). Each step is a
function of the values before it (``folder.Walked``, ``load.Loaded``, ``Made``,
``plan.Planned``); none reaches into another's insides.

The parser and the package writer (mistune, PyYAML, genanki) are imported where they are
first needed: a rebuild with nothing changed uses neither, and is then little more than the
start-up of the process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import codes
from ..cache.stamp import Recalled, Shortcut
from ..model import Diagnostic, StudyNote
from .folder import Walked, walked
from .media_set import Media
from .options import BuildOptions, BuildReport, CheckReport, Progress
from .plan import LockPlace, Planned

if TYPE_CHECKING:
    from ..lock.model import Row
    from .load import Loaded

__all__ = ["BuildOptions", "BuildReport", "CheckReport", "Progress", "build", "check"]


def build(
    notes_dir: Path, out: Path, options: BuildOptions, progress: Progress | None = None
) -> BuildReport:
    """Build ``out`` from ``notes_dir``; raises NotesFolderError / OutputError for usage errors.

    Without ``keep_going`` any error diagnostic (with ``strict`` any warning too) means nothing
    is written and the previous output stays untouched.
    """
    from ..runtime.collector import collector_paused
    from ..runtime.outputs import refuse_unsafe_output
    from .output import lock_written, package, sweep

    place = LockPlace.of(notes_dir, options)
    refuse_unsafe_output(out, place.path)
    sweep(out, place, options.cache_dir)
    folder = walked(notes_dir)
    stamp = _stamp(folder, out, place, options)
    recalled = stamp.recall() if stamp is not None else Recalled()
    if isinstance(recalled.value, BuildReport):
        return recalled.value  # nothing this build reads has changed since the last one
    # The build makes hundreds of thousands of objects that live to its end and hold no
    # cycles; the cyclic collector would only scan them again and again as they grow.
    with collector_paused():
        made = _made(folder.knowing(recalled.digests), options, progress)
        if made.stopped:
            return _not_written(made, out)
        planned = _plan(made, place, out, options)
        report = _report(made, planned, out)
        if _up_to_date(planned, out):
            return _remember(stamp, made, replace(report, up_to_date=True, size=out.stat().st_size))
        from ..lock.write import start_plan

        # The lock's file is made first: a lock that cannot be written at all stops the
        # build before the package is replaced.
        pending = start_plan(place.path, planned.plan)
        written = package(out, planned, pending, options, made.media)
        return _remember(stamp, made, lock_written(pending, written, planned, place, out, report))


def check(
    notes_dir: Path,
    options: BuildOptions,
    progress: Progress | None = None,
    *,
    out: Path | None = None,
) -> CheckReport:
    """Report every diagnostic ``build`` would: parse every note, make its cards (a key used
    twice warns) and plan them against the lock (damaged, items re-matched, removed items
    whose content is lost), writing nothing; raises NotesFolderError for a bad folder.

    ``out`` is the package a build would write, where removed items' content is looked for
    (besides the package the lock names).
    """
    from .items import build_items
    from .load import load, settings_for
    from .plan import plan_items

    loaded = load(walked(notes_dir), settings_for(options), _reading(progress))
    items, warned = build_items(_good(loaded), loaded.cards, options)
    said = (*loaded.vault.diagnostics, *warned)
    if _blocked(said, options):  # build stops here too, before it reads the lock
        return CheckReport(loaded.vault.files, said)
    place = LockPlace.of(notes_dir, options)
    planned = plan_items(items, loaded.vault.errored_paths, place, out, options)
    return CheckReport(loaded.vault.files, (*said, *planned.diagnostics))


@dataclass(frozen=True)
class Made:
    """The notes loaded and their items made, or where a build stopped (``stopped``)."""

    files: int  # Markdown files read
    diagnostics: tuple[Diagnostic, ...]
    items: list[Row]  # every Anki note the good notes yield, in study order
    failed: frozenset[str]  # notes left out for their errors
    digests: Mapping[str, str | None]  # every note's, as read (for the no-op stamp)
    stopped: bool  # errors (or --strict warnings): nothing is written
    media: Media = field(default_factory=Media)  # the images the package carries


def _made(folder: Walked, options: BuildOptions, progress: Progress | None) -> Made:
    """The notes loaded and their items made; the parsed notes (most of a large vault's
    memory) are let go of once their items are made."""
    from .items import build_items
    from .load import load, settings_for

    loaded = load(folder, settings_for(options), _reading(progress))
    vault = loaded.vault
    said = vault.diagnostics
    if _blocked(said, options):
        return Made(vault.files, said, [], vault.errored_paths, loaded.digests, True, loaded.media)
    making = None if progress is None else (lambda done, total: progress("build", done, total))
    items, warned = build_items(_good(loaded), loaded.cards, options, making)
    said = (*said, *warned)
    stopped = _blocked(said, options)  # making cards can warn too (a key used twice)
    return Made(
        vault.files, said, items, vault.errored_paths, loaded.digests, stopped, loaded.media
    )


def _plan(made: Made, place: LockPlace, out: Path, options: BuildOptions) -> Planned:
    from .plan import plan_items

    return plan_items(made.items, made.failed, place, out, options)


def _up_to_date(planned: Planned, out: Path) -> bool:
    from .digest import up_to_date

    return up_to_date(planned.recorded, planned.inputs, out)


def _stamp(folder: Walked, out: Path, place: LockPlace, options: BuildOptions) -> Shortcut | None:
    """What lets a rebuild with nothing changed skip the work (None without a cache)."""
    if options.cache_dir is None:
        return None
    # The build time only stamps items that changed, so it does not count as a setting; a
    # frozenset's repr varies from run to run with string hashing, so the kinds are sorted.
    plain = replace(options, timestamp=None, card_kinds=frozenset())
    settings = repr((sorted(options.card_kinds), plain))
    return Shortcut(folder.folder, out, place.path, options.cache_dir, settings, folder.paths)


def _remember(stamp: Shortcut | None, made: Made, report: BuildReport) -> BuildReport:
    """Return ``report``, remembering what a rebuild with nothing changed would report.

    That is this report with every item unchanged and the output left as it is; builds
    whose next report would differ in more than that (items just removed, a lock that was
    ignored or could not be written) are not remembered, so the next build takes the full
    path.
    """
    odd = {codes.LOCK_IGNORED, codes.REMOVED_LOST, codes.ITEMS_REMATCHED, codes.LOCK_STALE}
    if stamp is None or report.removed or any(d.code in odd for d in report.diagnostics):
        return report
    same = report.new + report.changed + report.unchanged
    again = replace(report, new=0, changed=0, unchanged=same, written=False, up_to_date=True)
    stamp.remember(made.digests, again, made.media.inputs())
    return report


def _reading(progress: Progress | None) -> Callable[[int, int], None] | None:
    return None if progress is None else (lambda done, total: progress("read", done, total))


def _good(loaded: Loaded) -> list[StudyNote]:
    """The notes without errors, in study order."""
    failed = loaded.vault.errored_paths
    return [n for n in loaded.vault.notes if n.path not in failed]


def _blocked(diagnostics: Sequence[Diagnostic], options: BuildOptions) -> bool:
    severities = {d.severity for d in diagnostics}
    return ("error" in severities and not options.keep_going) or (
        options.strict and "warning" in severities
    )


def _not_written(made: Made, out: Path) -> BuildReport:
    size = out.stat().st_size if out.is_file() else 0
    return BuildReport(made.files, made.diagnostics, {}, 0, 0, 0, 0, out, False, False, size)


def _report(made: Made, planned: Planned, out: Path) -> BuildReport:
    """The report of a build that has not written anything (yet)."""
    by_type: dict[str, int] = {}
    for item, _, _ in planned.items:
        by_type[item.notetype] = by_type.get(item.notetype, 0) + 1
    counts = Counter(status for _, status in planned.plan.entries)  # one pass, not per status
    return BuildReport(
        notes=made.files,
        diagnostics=(*made.diagnostics, *planned.diagnostics),
        cards_by_type=by_type,
        new=counts["new"],
        changed=counts["changed"],
        unchanged=counts["unchanged"] + counts["carried"],
        removed=counts["removed"],
        output=out,
        written=False,
        up_to_date=False,
        size=0,
        kept_removed=counts["kept_removed"],
        rematched=planned.rematched,
    )
