"""Keep every Anki note with the item it belonged to when items move or are renamed.

An item's GUID follows from its note's identity and its key (``question:2``,
``concept:<term>``), and a question's key is its position. Inserting a question above
another, deleting one, or correcting a term's spelling changes keys; without this step the
reviewed card would take another item's text and the old item would come back as a new card
without its history. Before the lock is reconciled, each note's items are matched to the
items the previous build wrote for that note (the lock knows them), in this order:

1. the same key with the same content (nothing happened);
2. the same content under another key (moved), when that content is unique in the note;
3. similar content (edited and moved, or a name edited slightly), when the match is
   unambiguous; the previous content is read from the lock or the previous package, and
   only for notes whose set of keys changed;
4. the same key (edited in place);
5. otherwise a new GUID: the one the key gives, unless an earlier item holds it.

A matched item takes the GUID of the item it matched, and the lock then records it under its
new key, so the next build matches it in step 1 again. Identities and keys are compared in
Unicode NFC, so a lock written before names were normalised still matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .. import codes
from ..cards.identity import guid_for
from ..model import Diagnostic
from ..source.charset import nfc
from .model import Entry, Item, Lock, Row
from .previous import Recovered

Contents = Callable[[Collection[str]], Mapping[str, Recovered]]

# Content this similar (difflib's ratio of the items' text, 0..1) or more is the same item:
# the most similar pairing wins, unless another ties with it (within TIE), when the key
# decides. Falling back to the key on a near tie would give a deleted question's card to
# the edited question after it, whose own card is the better match.
SIMILAR = 0.75
TIE = 0.01
# Fields every item of a note shares: they say nothing about which item is which.
_SHARED_FIELDS = frozenset({"Topic", "Source"})
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Rematched:
    """This build's items with the GUIDs they keep, and what was re-matched."""

    rows: list[Row]
    count: int  # items that took the GUID of an item with another key
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class _Group:
    """One note's items and the entries the lock holds for its identity."""

    rows: list[int]  # indices into the build's rows
    entries: list[Entry]
    chosen: dict[int, Entry]

    def free_rows(self) -> list[int]:
        return [i for i in self.rows if i not in self.chosen]

    def free_entries(self) -> list[Entry]:
        taken = {e.item.guid for e in self.chosen.values()}
        return [e for e in self.entries if e.item.guid not in taken]


def rematch(rows: Sequence[Row], lock: Lock, contents: Contents) -> Rematched:
    """``rows`` with each item holding the GUID of the previous build's item it is.

    ``contents`` gives the previous content (fields, tags) of lock entries that hold none,
    by GUID; it is called at most once, and only when some note's keys changed.
    """
    if not lock.entries:
        return Rematched(list(rows), 0, ())
    by_identity: dict[str, list[Entry]] = {}
    for entry in lock.entries.values():
        by_identity.setdefault(nfc(entry.item.identity), []).append(entry)
    groups: dict[str, _Group] = {}
    for index, (item, _, _) in enumerate(rows):
        entries = by_identity.get(nfc(item.identity))
        if entries is not None:
            group = groups.setdefault(item.identity, _Group([], entries, {}))
            group.rows.append(index)

    legacy = lock.legacy_hashes
    unsettled: list[_Group] = []
    for group in groups.values():
        _same_key_same_content(group, rows, legacy)
        _same_content(group, rows, legacy)
        if _keys(rows, group.free_rows()) != {_entry_key(e) for e in group.free_entries()}:
            unsettled.append(group)
    if unsettled:
        wanted = [e.item.guid for g in unsettled for e in g.free_entries() if not e.full]
        previous = contents(wanted) if wanted else {}
        for group in unsettled:
            _similar_content(group, rows, previous)
    for group in groups.values():
        _same_key(group, rows)
    return _assign(rows, groups, lock)


def _key(row: Row) -> tuple[str, str]:
    return row.item.notetype, nfc(row.item.key)


def _entry_key(entry: Entry) -> tuple[str, str]:
    return entry.item.notetype, nfc(entry.item.key)


def _keys(rows: Sequence[Row], indices: Iterable[int]) -> set[tuple[str, str]]:
    return {_key(rows[i]) for i in indices}


def _holds(entry: Entry, row: Row, legacy: bool) -> bool:
    """Whether the entry was written with this row's content."""
    return entry.hash == (row.item.legacy_hash if legacy else row.digest)


def _same_key_same_content(group: _Group, rows: Sequence[Row], legacy: bool) -> None:
    by_key = {_entry_key(e): e for e in group.entries}
    for i in group.rows:
        entry = by_key.get(_key(rows[i]))
        if entry is not None and _holds(entry, rows[i], legacy):
            group.chosen[i] = entry


def _same_content(group: _Group, rows: Sequence[Row], legacy: bool) -> None:
    """Rows whose content one free entry of the note holds, and no other free row."""
    entries = group.free_entries()
    if not entries:
        return
    by_hash: dict[str, list[Entry]] = {}
    for entry in entries:
        by_hash.setdefault(entry.hash, []).append(entry)
    free = group.free_rows()
    row_hashes = [rows[i].item.legacy_hash if legacy else rows[i].digest for i in free]
    counts: dict[str, int] = {}
    for digest in row_hashes:
        counts[digest] = counts.get(digest, 0) + 1
    for i, digest in zip(free, row_hashes, strict=True):
        same = by_hash.get(digest, [])
        if len(same) == 1 and counts[digest] == 1:
            group.chosen[i] = same[0]


def _similar_content(group: _Group, rows: Sequence[Row], previous: Mapping[str, Recovered]) -> None:
    """Unambiguous pairs of a free row and a free entry of one note type with similar text."""
    texts: dict[str, str] = {}
    for entry in group.free_entries():
        if entry.full:
            texts[entry.item.guid] = _text(entry.item.fields)
        elif (found := previous.get(entry.item.guid)) is not None:
            texts[entry.item.guid] = _text(found.fields)
    scored: list[tuple[float, int, Entry]] = []
    for i in group.free_rows():
        mine = _text(rows[i].item.fields)
        for entry in group.free_entries():
            theirs = texts.get(entry.item.guid)
            if theirs is None or entry.item.notetype != rows[i].item.notetype:
                continue
            matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
            if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
                continue
            score = matcher.ratio()
            if score >= SIMILAR:
                scored.append((score, i, entry))
    scored.sort(key=lambda s: (-s[0], s[1], s[2].item.guid))
    used = {e.item.guid for e in group.chosen.values()}
    for score, i, entry in scored:
        if i in group.chosen or entry.item.guid in used:
            continue
        rivals = (
            other
            for other, j, e in scored
            if (j == i) != (e is entry) and j not in group.chosen and e.item.guid not in used
        )
        if any(other > score - TIE for other in rivals):
            continue  # another pairing is as likely: leave both to their keys
        group.chosen[i] = entry
        used.add(entry.item.guid)


def _same_key(group: _Group, rows: Sequence[Row]) -> None:
    by_key = {_entry_key(e): e for e in group.free_entries()}
    for i in group.free_rows():
        entry = by_key.get(_key(rows[i]))
        if entry is not None:
            group.chosen[i] = entry


def _text(fields: Iterable[tuple[str, str]]) -> str:
    """What tells one item of a note from another: its own fields' text, without markup."""
    return "\n".join(_TAG.sub(" ", value) for name, value in fields if name not in _SHARED_FIELDS)


def _assign(rows: Sequence[Row], groups: Mapping[str, _Group], lock: Lock) -> Rematched:
    chosen = {i: e for g in groups.values() for i, e in g.chosen.items()}
    # A GUID the lock knows belongs to its own item, matched or gone (kept tagged removed).
    taken = set(lock.entries)
    taken.update(row.item.guid for i, row in enumerate(rows) if i not in chosen)
    out: list[Row] = []
    moved: dict[str, list[str]] = {}
    count = 0
    for i, (item, notetype, digest) in enumerate(rows):
        entry = chosen.get(i)
        guid = item.guid
        if entry is not None:
            guid = entry.item.guid
            if nfc(entry.item.key) != nfc(item.key):
                count += 1
                moved.setdefault(item.path, []).append(f"{item.key!r} (was {entry.item.key!r})")
        elif guid in lock.entries:  # its key's GUID went with the item that held it
            guid = _fresh(item, taken)
        taken.add(guid)
        if guid != item.guid:
            item = Item(
                guid, item.notetype, item.identity, item.key, item.path, item.names,
                item.values, item.tags,
            )  # fmt: skip
        out.append(Row(item, notetype, digest))
    return Rematched(out, count, tuple(_report(path, keys) for path, keys in moved.items()))


def _fresh(item: Item, taken: set[str]) -> str:
    n = 2
    while (guid := guid_for(item.identity, f"{item.key}#moved{n}")) in taken:
        n += 1
    return guid


def _report(path: str, keys: list[str]) -> Diagnostic:
    message = (
        f"{len(keys)} item(s) moved or renamed in this note keep the cards (and review "
        f"history) of the items they were: {', '.join(keys)}"
    )
    return Diagnostic(path, 0, "info", codes.ITEMS_REMATCHED, message)
