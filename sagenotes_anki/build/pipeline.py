"""The pipeline in one page: gather notes, make cards, write the package.

Read top to bottom: check the folder, load the notes, stop on errors, make the cards, give
each its GUID and ``mod`` against the lock, leave an up-to-date package alone, else write the
package and then the lock (only once the package is complete).

The parser and the package writer (mistune, PyYAML, genanki) are imported where they are
first needed: a rebuild with nothing changed uses neither, and is then little more than the
start-up of the process.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING

from .. import codes
from ..cache.stamp import Shortcut, tool_digest
from ..cards.identity import build_timestamp, deck_id_for
from ..cards.notetypes import CARD_KINDS, NOTE_TYPES, NoteType
from ..errors import NotesFolderError, OutputError, SageNotesError
from ..lock.lockfile import LOCK_NAME, Item, Lock, OutputRecord, Plan, read_lock, reconcile
from ..lock.previous import recover
from ..model import Diagnostic, StudyNote
from ..parse.sections import DEFAULT_SECTIONS, SectionNames
from ..source.walk import markdown_files, walk

if TYPE_CHECKING:
    from ..cards.rows import CardRow
    from ..package.writer import PackageNote
    from ..parse.vault import Vault
    from ..runtime.atomic import Written
    from ..runtime.forked import Job

# progress(stage, done, total); stage is "read" or "build"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build depends on besides the notes themselves."""

    deck_name: str = "SageNotes"
    card_kinds: frozenset[str] = CARD_KINDS
    vault_name: str | None = None  # Obsidian vault, for obsidian:// links back to notes
    section_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool = False  # warnings fail the build
    keep_going: bool = False  # build from the good notes when some have errors
    timestamp: int | None = None  # seconds; None -> SOURCE_DATE_EPOCH or the clock
    lock_path: Path | None = None  # None -> NOTES_DIR/sagenotes.lock.json
    cache_dir: Path | None = None  # parse cache; None -> no cache
    forget_removed: bool = False  # drop items gone from the notes instead of tagging them


class _Counted:
    """Error and warning counts for a report that holds diagnostics."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


@dataclass(frozen=True)
class CheckReport(_Counted):
    """What ``check`` found: how many notes and every diagnostic."""

    notes: int
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class BuildReport(_Counted):
    """What ``build`` did.

    ``new``/``changed``/``unchanged``/``removed`` compare with the previous build (the lock);
    ``removed`` counts items that vanished from the notes in this build and are now tagged
    ``sagenotes::removed``; ``kept_removed`` those removed by an earlier build and still kept.
    """

    notes: int
    diagnostics: tuple[Diagnostic, ...]
    cards_by_type: Mapping[str, int]  # note-type name -> Anki notes of that type
    new: int
    changed: int
    unchanged: int
    removed: int
    output: Path
    written: bool  # False when errors (or --strict warnings) stopped it, or nothing changed
    up_to_date: bool  # True when nothing changed and the existing output was left as it is
    size: int  # bytes of the output file (0 when there is none)
    kept_removed: int = 0
    rematched: int = 0  # items that moved or were renamed and kept their earlier cards


def check(notes_dir: Path, options: BuildOptions, progress: Progress | None = None) -> CheckReport:
    """Parse every note and make its cards as ``build`` does, and report the diagnostics of
    both (making cards warns too: a key used twice); raises NotesFolderError for a bad
    folder."""
    loaded, made = _load(notes_dir, options, progress, with_cards=True)
    diagnostics = list(loaded.diagnostics)
    good = [n for n in loaded.notes if n.path not in loaded.errored_paths]
    _items(good, options, diagnostics, None, made)
    return CheckReport(loaded.files, tuple(diagnostics))


def build(
    notes_dir: Path, out: Path, options: BuildOptions, progress: Progress | None = None
) -> BuildReport:
    """Build ``out`` from ``notes_dir``; raises NotesFolderError / OutputError for usage errors.

    Without ``keep_going`` any error diagnostic (with ``strict`` any warning too) means nothing
    is written and the previous output stays untouched.
    """
    from ..runtime.outputs import refuse_unsafe_output

    refuse_unsafe_output(out, options.lock_path or notes_dir / LOCK_NAME)
    _sweep(notes_dir, out, options)
    shortcut = _shortcut(notes_dir, out, options)
    if shortcut is not None and isinstance(previous := shortcut.recall(), BuildReport):
        return previous  # nothing this build reads has changed since the last one
    from ..runtime.forked import waited
    from .load import collector_paused

    # The build makes hundreds of thousands of objects that live to its end and hold no
    # cycles; the cyclic collector would only scan them again and again as they grow.
    # Side work (saving the parse cache) is over by the time the build returns.
    with collector_paused(), waited() as jobs:
        return _build(notes_dir, out, options, progress, shortcut, jobs)


def _build(
    notes_dir: Path,
    out: Path,
    options: BuildOptions,
    progress: Progress | None,
    shortcut: Shortcut | None,
    jobs: list[Job],
) -> BuildReport:
    """The build itself, once the shortcut could not answer; side work goes in ``jobs``."""
    digests = shortcut.known() if shortcut is not None else None
    read = shortcut.digests if shortcut is not None and digests is None else None
    paths = shortcut.relpaths if shortcut is not None else None
    loaded, made = _load(
        notes_dir,
        options,
        progress,
        with_cards=True,
        digests=digests,
        read=read,
        paths=paths,
        jobs=jobs,
    )
    diagnostics = list(loaded.diagnostics)
    failed = loaded.errored_paths
    if _blocked(diagnostics, options):
        return _not_written(loaded.files, diagnostics, out)
    good = [n for n in loaded.notes if n.path not in failed]
    items = _items(good, options, diagnostics, progress, made)
    if _blocked(diagnostics, options):  # making cards can warn too (a key used twice)
        return _not_written(loaded.files, diagnostics, out)
    files = loaded.files
    del loaded, made, good  # the parsed notes: most of a large vault's memory, now unused

    lock_path = options.lock_path or notes_dir / LOCK_NAME
    lock, problem = read_lock(lock_path, _shown(lock_path, notes_dir))
    if problem is not None:
        diagnostics.append(problem)  # after the --strict check: it is not a note problem
    timestamp = build_timestamp(options.timestamp)
    from ..lock.rematch import rematch

    previous = _previous_packages(out, lock, lock_path)
    matched = rematch(items, lock, lambda guids: recover(previous, guids))
    items = matched.rows
    diagnostics.extend(matched.diagnostics)
    present = {item.guid for item, _, _ in items}
    plan = reconcile(
        [item for item, _, _ in items],
        lock,
        timestamp,
        {nt.name: _notetype_hash(nt) for nt in NOTE_TYPES},
        carry_paths=failed,
        forget_removed=options.forget_removed,
        recovered=recover(
            previous,
            [g for g, e in lock.entries.items() if g not in present and not e.full],
        ),
        hashes=[digest for _, _, digest in items],
    )
    lock = Lock(output=lock.output)  # what it said of each item is in the plan now: freed
    diagnostics.extend(_lost(plan, out))
    current = {item.guid: nt for item, nt, _ in items}
    diagnostics.extend(_unknown_notetypes(plan, current))
    inputs = _inputs_digest(options.deck_name, plan, current)

    report = replace(_report(files, diagnostics, items, plan, out), rematched=matched.count)
    if _up_to_date(lock, inputs, out):
        return _remember(shortcut, replace(report, up_to_date=True, size=out.stat().st_size))

    from ..lock.lockwrite import start_plan
    from ..package.writer import write_package

    mods = {name: stamp.mod for name, stamp in plan.notetypes.items()}
    deck_id = deck_id_for(options.deck_name)

    def write() -> Written:
        return write_package(
            out,
            options.deck_name,
            deck_id,
            _package_notes(plan, current),
            mods,
            timestamp,
            options.cache_dir,
        )

    # The lock's text is written beside the package (a side process, on the other core);
    # the lock itself changes only once the package is complete. Its file is made first:
    # a lock that cannot be written at all stops the build before the package is replaced.
    pending = start_plan(lock_path, plan)
    try:
        written = _making_room(write, options.cache_dir, jobs)
    except BaseException:
        pending.abandon()
        raise
    try:
        pending.finish(
            OutputRecord(inputs, written.sha256, written.size, _relative(out, lock_path.parent))
        )
    except OutputError as exc:  # the package is in place: say the lock no longer matches it
        stale = _stale_lock(_shown(lock_path, notes_dir), out, str(exc))
        noted = (*report.diagnostics, stale)
        return replace(report, diagnostics=noted, written=True, size=written.size)
    return _remember(shortcut, replace(report, written=True, size=written.size))


def _sweep(notes_dir: Path, out: Path, options: BuildOptions) -> None:
    """Remove what builds killed before they could finish left: temporary files beside the
    package, the lock and in the cache, and scratch folders (see ``atomic.sweep``)."""
    from ..runtime.atomic import sweep

    lock_path = options.lock_path or notes_dir / LOCK_NAME
    cache = options.cache_dir
    sweep([out, lock_path], [] if cache is None else [cache, *cache.glob("parse-v*")])


def _making_room(write: Callable[[], Written], cache_dir: Path | None, jobs: list[Job]) -> Written:
    """``write()``; when the disk is full, once more after removing the parse cache.

    The cache beside the package only saves time: it gives its room to the package.
    """
    try:
        return write()
    except OutputError as exc:
        if cache_dir is None or not _out_of_space(exc):
            raise
    from .load import drop_parse_cache

    for job in jobs:  # a side process may still be saving the cache
        job.wait()
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


# --- steps ---------------------------------------------------------------------------------


def _load(
    notes_dir: Path,
    options: BuildOptions,
    progress: Progress | None,
    *,
    with_cards: bool = False,
    digests: Mapping[str, str | None] | None = None,
    read: dict[str, str | None] | None = None,
    paths: Sequence[str] | None = None,
    jobs: list[Job] | None = None,
) -> tuple[Vault, Mapping[str, tuple[str, tuple[CardRow, ...]]]]:
    """The notes, and (``with_cards``) each note's cards by path, made where it was parsed,
    with the note identity their GUIDs were made from.

    ``digests`` are the notes' digests already taken (by the no-op shortcut), by path in
    folder order: they also spare walking the folder again. ``read`` receives the digest of
    every note as it is read; ``paths`` are the notes in folder order, when already walked.
    ``jobs`` takes side work to wait for (see ``load.parse_all``).
    """
    from ..parse import vault
    from . import load

    if not notes_dir.exists():
        raise NotesFolderError(f"notes folder not found: {notes_dir}")
    if not notes_dir.is_dir():
        raise NotesFolderError(f"not a folder: {notes_dir}")
    sections = _sections(options)
    reading = None if progress is None else (lambda done, total: progress("read", done, total))
    walked = walk(notes_dir)  # its warnings (links, odd names); a walk is a fraction of a ms
    if digests is not None:
        paths = list(digests)
    elif paths is None:
        paths = walked.paths
    choice = load.CardChoice(options.card_kinds, options.vault_name) if with_cards else None
    prepared = load.parse_all(
        notes_dir,
        paths,
        sections,
        cache_dir=options.cache_dir,
        progress=reading,
        choice=choice,
        digests=digests,
        read=read,
        jobs=jobs,
    )
    loaded = vault.assemble(
        [(path, p.result) for path, p in prepared], notes_dir, walked.diagnostics
    )
    if loaded.files == 0:
        raise NotesFolderError(f"no Markdown notes (*.md) in {notes_dir}")
    made = {
        path: (p.result.note.identity, p.cards)
        for path, p in prepared
        if p.cards is not None and p.result.note is not None
    }
    return loaded, made


def _shortcut(notes_dir: Path, out: Path, options: BuildOptions) -> Shortcut | None:
    """What lets a rebuild with nothing changed skip the work (None without a cache)."""
    if options.cache_dir is None or not notes_dir.is_dir():
        return None
    lock_path = options.lock_path or notes_dir / LOCK_NAME
    # The build time only stamps items that changed, so it does not count as a setting; a
    # frozenset's repr varies from run to run with string hashing, so the kinds are sorted.
    plain = replace(options, timestamp=None, card_kinds=frozenset())
    settings = repr((sorted(options.card_kinds), plain))
    paths = markdown_files(notes_dir)
    return Shortcut.of(notes_dir, paths, out, lock_path, options.cache_dir, settings)


def _remember(shortcut: Shortcut | None, report: BuildReport) -> BuildReport:
    """Return ``report``, remembering what a rebuild with nothing changed would report.

    That is this report with every item unchanged and the output left as it is; builds
    whose next report would differ in more than that (items just removed, a lock that was
    ignored) are not remembered, so the next build takes the full path.
    """
    odd = {codes.LOCK_IGNORED, codes.REMOVED_LOST, codes.ITEMS_REMATCHED}
    if shortcut is None or report.removed or any(d.code in odd for d in report.diagnostics):
        return report
    same = report.new + report.changed + report.unchanged
    shortcut.remember(
        replace(report, new=0, changed=0, unchanged=same, written=False, up_to_date=True)
    )
    return report


def _sections(options: BuildOptions) -> SectionNames:
    try:
        return DEFAULT_SECTIONS.extended(options.section_aliases)
    except ValueError as exc:
        raise SageNotesError(str(exc)) from exc


def _blocked(diagnostics: Sequence[Diagnostic], options: BuildOptions) -> bool:
    severities = {d.severity for d in diagnostics}
    return ("error" in severities and not options.keep_going) or (
        options.strict and "warning" in severities
    )


def _shown(path: Path, notes_dir: Path) -> str:
    """``path`` relative to the notes folder (POSIX), as notes and diagnostics name files."""
    if path.is_absolute():
        try:
            return path.relative_to(notes_dir.resolve()).as_posix()
        except ValueError:
            try:
                return path.relative_to(notes_dir.absolute()).as_posix()
            except ValueError:
                return path.as_posix()
    return path.as_posix()


def _items(
    notes: Sequence[StudyNote],
    options: BuildOptions,
    diagnostics: list[Diagnostic],
    progress: Progress | None,
    made: Mapping[str, tuple[str, tuple[CardRow, ...]]],
) -> list[tuple[Item, NoteType, str]]:
    """Every Anki note the notes yield, in study order, with its note type and content hash.

    ``made`` holds, by note path, the cards already made (in a worker process or the cache)
    and the note identity their GUIDs were made from.
    """
    from ..cards.make import cards_for
    from ..cards.rows import card_rows, rekeyed

    items: list[tuple[Item, NoteType, str]] = []
    seen: set[str] = set()
    for done, note in enumerate(notes, 1):
        identity, rows = made.get(note.path, ("", None))
        if rows is None:
            cards = cards_for(note, kinds=options.card_kinds, vault_name=options.vault_name)
            rows = card_rows(note.identity, note.path, cards, seen, diagnostics)
        elif identity != note.identity or any(row[4] in seen for row in rows):
            rows = rekeyed(note.identity, note.path, rows, seen, diagnostics)
        else:
            seen.update(row[4] for row in rows)
        for name, key, values, tags, guid, digest in rows:
            item = Item(guid, name, note.identity, key, note.path, _FIELD_NAMES[name], values, tags)
            items.append((item, _BY_NAME[name], digest))
        if progress is not None:
            progress("build", done, len(notes))
    return items


_BY_NAME = {nt.name: nt for nt in NOTE_TYPES}
_FIELD_NAMES = {nt.name: nt.field_names for nt in NOTE_TYPES}


def _package_notes(plan: Plan, current: Mapping[str, NoteType]) -> Iterator[PackageNote]:
    """The plan's entries as the package holds them, one at a time, as they are written."""
    from ..package.writer import PackageNote

    for due, (entry, _status) in enumerate(plan.entries, 1):
        item = entry.item
        notetype = current.get(item.guid) or _BY_NAME.get(item.notetype)
        if notetype is None:
            continue  # reported by _unknown_notetypes
        if item.guid in current:  # made by _items, in this note type's field order
            fields = item.values
        else:  # a lock's copy of a removed item may come from an older field list
            values = dict(item.fields)
            fields = tuple(values.get(name, "") for name in _FIELD_NAMES[notetype.name])
        yield PackageNote(notetype, item.guid, fields, item.tags, entry.mod, due)


def _unknown_notetypes(plan: Plan, current: Mapping[str, NoteType]) -> list[Diagnostic]:
    """A warning per entry whose note type no longer exists (it is left out of the package)."""
    known = {nt.name for nt in NOTE_TYPES}
    return [
        Diagnostic(
            entry.item.path,
            0,
            "warning",
            codes.UNKNOWN_NOTETYPE,
            f"{entry.item.key!r} was written with the note type {entry.item.notetype!r}, which "
            "no longer exists; it is left out of the package.",
        )
        for entry, _status in plan.entries
        if entry.item.guid not in current and entry.item.notetype not in known
    ]


def _relative(path: Path, folder: Path) -> str:
    """``path`` as the lock records it: relative to the lock's folder, POSIX separators."""
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def _previous_packages(out: Path, lock: Lock, lock_path: Path) -> list[Path]:
    """Where the previous build's package may be: this output, then where the lock says."""
    places = [out]
    if lock.output is not None and lock.output.path:
        places.append(lock_path.parent / lock.output.path)
    return places


def _lost(plan: Plan, out: Path) -> list[Diagnostic]:
    """A warning per note whose vanished items could not be kept in the package."""
    by_path: dict[str, list[str]] = {}
    for entry in plan.lost:
        by_path.setdefault(entry.item.path, []).append(entry.item.key)
    return [
        Diagnostic(
            path,
            0,
            "warning",
            codes.REMOVED_LOST,
            f"{len(keys)} item(s) gone from this note since the last build ({', '.join(keys)}) "
            f"cannot be kept tagged sagenotes::removed: the previous package {out} is missing "
            "or unreadable. They stay in Anki as they were; find them there by the note's "
            "title and delete or suspend them by hand.",
        )
        for path, keys in sorted(by_path.items())
    ]


def _notetype_hash(notetype: NoteType) -> str:
    return hashlib.sha256(notetype.definition().encode("utf-8")).hexdigest()


def _tool_version() -> str:
    # The digest of the code itself: stricter than the version number, and importing
    # importlib.metadata (the email package) would cost a tenth of a small rebuild.
    return tool_digest()


def _inputs_digest(deck_name: str, plan: Plan, current: Mapping[str, NoteType]) -> str:
    """A digest of everything in the package except what only the build time decides.

    Note and card ids come from the build time, but Anki matches notes by GUID, so a package
    with the same digest is as good as a new one and a no-op rebuild can keep it. An item of
    this build stands in it by its content hash (made from its note type, fields and tags);
    an item kept from the lock by its content itself.
    """
    head = {
        "deck": deck_name,
        "tool": [_tool_version(), _package_format()],
        "notetypes": {name: [s.hash, s.mod] for name, s in plan.notetypes.items()},
    }
    # Fed entry by entry: one text of a large vault's entries would be large in memory.
    digest = hashlib.sha256(_json(head).encode("utf-8"))
    enc = encode_basestring
    for due, (entry, _status) in enumerate(plan.entries, 1):
        item = entry.item
        if item.guid in current:
            content = enc(entry.hash)
        elif item.notetype in _BY_NAME:
            content = _json([item.notetype, item.fields, item.tags])
        else:
            continue  # left out of the package (see _unknown_notetypes)
        row = f"\n[{enc(item.guid)},{int(entry.mod)},{due},{content}]"
        digest.update(row.encode("utf-8"))
    return digest.hexdigest()


def _package_format() -> int:
    from ..package.writer import PACKAGE_FORMAT

    return PACKAGE_FORMAT


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _up_to_date(lock: Lock, inputs: str, out: Path) -> bool:
    record = lock.output
    if record is None or record.inputs != inputs:
        return False
    try:
        if out.stat().st_size != record.size:
            return False
        with out.open("rb") as f:
            digest = hashlib.sha256()
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == record.sha256


def _not_written(notes: int, diagnostics: list[Diagnostic], out: Path) -> BuildReport:
    size = out.stat().st_size if out.is_file() else 0
    return BuildReport(notes, tuple(diagnostics), {}, 0, 0, 0, 0, out, False, False, size)


def _report(
    notes: int,
    diagnostics: list[Diagnostic],
    items: Sequence[tuple[Item, NoteType, str]],
    plan: Plan,
    out: Path,
) -> BuildReport:
    """The report of a build that has not written anything (yet)."""
    by_type: dict[str, int] = {}
    for item, _, _ in items:
        by_type[item.notetype] = by_type.get(item.notetype, 0) + 1
    counts = Counter(status for _, status in plan.entries)  # one pass, not one per status
    return BuildReport(
        notes=notes,
        diagnostics=tuple(diagnostics),
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
    )
