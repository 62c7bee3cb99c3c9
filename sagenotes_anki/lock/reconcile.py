"""What changed since the last build: this build's items against the lock -> a Plan.

An unchanged item keeps its ``mod`` (re-import is a no-op, and a fix the learner made inside
Anki is not overwritten), a changed or new one gets a newer ``mod`` (Anki updates it). An
item that vanished from the notes is written again unchanged but tagged
``sagenotes::removed`` instead of being silently forgotten: its content is taken from the
previous package once (``previous.py``) and kept in the lock from then on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from ..cards.identity import fresh_mod
from .model import REMOVED_TAG, Entry, Item, Lock, Plan, Stamp, Status
from .previous import Recovered

Planned = list[tuple[Entry, Status]]


def reconcile(
    items: Sequence[Item],
    lock: Lock,
    timestamp: int,
    notetype_hashes: Mapping[str, str],
    *,
    carry_paths: Iterable[str] = (),
    forget_removed: bool = False,
    recovered: Mapping[str, Recovered] | None = None,
    hashes: Sequence[str] | None = None,
) -> Plan:
    """Compare this build's items with the lock and give each its ``mod``.

    ``carry_paths`` are notes left out of this build because of errors: their previous items
    are carried over unchanged rather than marked removed. ``forget_removed`` drops items
    that are gone from the notes instead of keeping them tagged as removed. ``recovered``
    holds, from the previous package, the content of gone items the lock has no fields for.
    ``hashes``, when given, are the items' content hashes, in ``items`` order, made where
    the items were (in a worker process); else they are computed here.
    """
    mod = fresh_mod(timestamp, [lock.latest_mod()])
    if hashes is None:
        hashes = [item.content_hash for item in items]
    planned = _present(items, hashes, lock, mod)
    carried = set(carry_paths)
    gone, lost = _gone(items, lock, carried, forget_removed, recovered or {})
    planned.extend(_vanished(entry, carried, lock.legacy_hashes, mod) for entry in gone)
    return Plan(tuple(planned), _stamps(lock, notetype_hashes, mod), tuple(lost))


def _present(items: Sequence[Item], hashes: Sequence[str], lock: Lock, mod: int) -> Planned:
    """The items the notes yield: new, changed or unchanged."""
    planned: Planned = []
    known = lock.entries
    legacy = lock.legacy_hashes
    for item, digest in zip(items, hashes, strict=True):
        old = known.get(item.guid)
        if old is None:
            planned.append((Entry(item, mod, digest), "new"))
        elif old.hash == (item.legacy_hash if legacy else digest):
            planned.append((Entry(item, old.mod, digest), "unchanged"))
        else:
            planned.append((Entry(item, mod, digest), "changed"))
    return planned


def _gone(
    items: Sequence[Item],
    lock: Lock,
    carried: set[str],
    forget_removed: bool,
    recovered: Mapping[str, Recovered],
) -> tuple[list[Entry], list[Entry]]:
    """The lock's entries the notes no longer yield, each with its content (from the
    previous package when the lock has none), in a stable order; and those whose content
    could not be recovered."""
    present = {item.guid for item in items}
    gone = sorted(
        (e for guid, e in lock.entries.items() if guid not in present),
        key=lambda e: (e.item.path, e.item.key, e.item.guid),
    )
    kept: list[Entry] = []
    lost: list[Entry] = []
    for old in gone:
        if forget_removed and old.item.path not in carried:
            continue
        if not old.full:
            found = recovered.get(old.item.guid)
            if found is None:
                lost.append(old)
                continue
            old = replace(old, item=old.item.with_content(found.fields, found.tags))
        kept.append(old)
    return kept, lost


def _vanished(old: Entry, carried: set[str], legacy: bool, mod: int) -> tuple[Entry, Status]:
    """A gone entry as this build writes it: carried over, kept removed, or newly removed."""
    if legacy:  # kept with the hash the lock will hold from now on
        old = replace(old, hash=old.item.content_hash)
    if old.item.path in carried:
        return old, "carried"
    if REMOVED_TAG in old.item.tags:
        return old, "kept_removed"
    # The tag is a change Anki must see, so it needs a newer mod to be imported.
    tagged = replace(old.item, tags=(*old.item.tags, REMOVED_TAG))
    return Entry.of(tagged, mod), "removed"


def _stamps(lock: Lock, notetype_hashes: Mapping[str, str], mod: int) -> dict[str, Stamp]:
    """Each note type's stamp: the lock's while its hash holds, else a new one at ``mod``."""
    return {
        name: lock.notetypes[name]
        if name in lock.notetypes and lock.notetypes[name].hash == digest
        else Stamp(digest, mod)
        for name, digest in sorted(notetype_hashes.items())
    }
