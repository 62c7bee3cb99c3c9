"""The lock's model: what the previous build wrote for each Anki note, and the plan of this one.

An :class:`Item` is one Anki note as the lock sees it; an :class:`Entry` is an item with the
``mod`` it was (or will be) written with; a :class:`Lock` is the whole file; a :class:`Plan`
is what this build writes, each entry with its status (see ``reconcile.py``). Only items the
notes no longer yield keep their fields in the lock (``KEPT_WITH_CONTENT``), so the lock of
a large vault stays small. The text is read and written by ``format.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from ..cards.identity import content_hash

if TYPE_CHECKING:
    from ..cards.notetypes import NoteType

LOCK_FORMAT = 2
# Format 1 hashed each item's JSON text; it is still read (its hashes compared the old way),
# and the next build writes format 2.
LEGACY_FORMAT = 1
LOCK_NAME = "sagenotes.lock.json"
REMOVED_TAG = "sagenotes::removed"

Status = Literal["new", "changed", "unchanged", "removed", "kept_removed", "carried"]


_PUT = object.__setattr__  # how a frozen dataclass sets its own fields


@dataclass(frozen=True, slots=True)  # slots: a large vault has 10**5 of them
class Item:
    """One Anki note as the lock sees it: who it is and what it holds.

    Its fields are kept as two tuples, the names (one tuple shared by every item of a note
    type) and the HTML values (the very tuple the card was made with): a large vault has
    hundreds of thousands of items, and a pair per field would double what they cost.
    """

    guid: str
    notetype: str
    identity: str
    key: str
    path: str
    names: tuple[str, ...]  # field names
    values: tuple[str, ...]  # HTML, one per name
    tags: tuple[str, ...]

    # Made once or twice per Anki note of every build: object.__setattr__ is looked up once,
    # not once per field as in the generated __init__ (half the time; tests/test_model.py
    # holds it to the fields).
    def __init__(
        self,
        guid: str,
        notetype: str,
        identity: str,
        key: str,
        path: str,
        names: tuple[str, ...],
        values: tuple[str, ...],
        tags: tuple[str, ...],
    ) -> None:
        put = _PUT
        put(self, "guid", guid)
        put(self, "notetype", notetype)
        put(self, "identity", identity)
        put(self, "key", key)
        put(self, "path", path)
        put(self, "names", names)
        put(self, "values", values)
        put(self, "tags", tags)

    @staticmethod
    def of(
        guid: str,
        notetype: str,
        identity: str,
        key: str,
        path: str,
        fields: Iterable[tuple[str, str]],
        tags: tuple[str, ...],
    ) -> Item:
        """An item from (field name, HTML) pairs."""
        pairs = tuple(fields)
        names = tuple(name for name, _ in pairs)
        values = tuple(value for _, value in pairs)
        return Item(guid, notetype, identity, key, path, names, values, tags)

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """(field name, HTML) pairs."""
        return tuple(zip(self.names, self.values, strict=True))

    def with_content(self, fields: Iterable[tuple[str, str]], tags: tuple[str, ...]) -> Item:
        """This item holding other fields and tags."""
        return Item.of(self.guid, self.notetype, self.identity, self.key, self.path, fields, tags)

    @property
    def content_hash(self) -> str:
        """A hash of note type, fields and tags; field order and tag order do not matter."""
        return content_hash(self.notetype, self.fields, self.tags)

    @property
    def legacy_hash(self) -> str:
        """The hash a format-1 lock holds for this item (of a JSON text)."""
        payload = {
            "notetype": self.notetype,
            "fields": dict(self.fields),
            "tags": sorted(set(self.tags)),
        }
        return hashlib.sha256(_LEGACY_ENCODER.encode(payload).encode("utf-8")).hexdigest()


_LEGACY_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)  # slots: a large vault's lock has 10**5 of them
class Entry:
    """An item with the ``mod`` it was (or will be) written with.

    ``hash`` is the item's content hash; read from the lock it is trusted rather than
    recomputed (it only decides whether a present item changed, and then the item from the
    notes, not the lock's copy, is written).
    """

    item: Item
    mod: int
    hash: str
    full: bool = True  # False when read from a lock line that holds no fields and tags

    def __init__(self, item: Item, mod: int, hash: str, full: bool = True) -> None:
        put = _PUT  # see Item.__init__
        put(self, "item", item)
        put(self, "mod", mod)
        put(self, "hash", hash)
        put(self, "full", full)

    @staticmethod
    def of(item: Item, mod: int) -> Entry:
        """An entry for an item of this build."""
        return Entry(item, mod, item.content_hash)


@dataclass(frozen=True)
class Stamp:
    """A note type's content hash and the ``mod`` it was written with."""

    hash: str
    mod: int


@dataclass(frozen=True)
class OutputRecord:
    """The package the lock belongs to, so a no-op rebuild can trust the existing file."""

    inputs: str  # digest of everything the package was made from (see build/pipeline.py)
    sha256: str
    size: int
    path: str = ""  # where it was written, relative to the lock's folder when possible


@dataclass(frozen=True)
class Lock:
    """The whole lock file."""

    entries: Mapping[str, Entry] = field(default_factory=dict)  # by GUID
    notetypes: Mapping[str, Stamp] = field(default_factory=dict)  # by note-type name
    output: OutputRecord | None = None
    legacy_hashes: bool = False  # read from a format-1 lock: entries hold Item.legacy_hash

    def latest_mod(self) -> int:
        """The newest ``mod`` any earlier build handed out (0 when none)."""
        mods = [e.mod for e in self.entries.values()] + [s.mod for s in self.notetypes.values()]
        return max(mods, default=0)


@dataclass(frozen=True)
class Plan:
    """What this build writes: every entry in package order, with its status."""

    entries: tuple[tuple[Entry, Status], ...]
    notetypes: Mapping[str, Stamp]
    lost: tuple[Entry, ...] = ()  # vanished items whose content could not be recovered

    def count(self, status: Status) -> int:
        """How many entries have ``status``."""
        return sum(s == status for _, s in self.entries)

    def to_lock(self, output: OutputRecord | None) -> Lock:
        """The lock that describes a package written from this plan."""
        entries = {
            e.item.guid: e if status in KEPT_WITH_CONTENT else _lean(e)
            for e, status in self.entries
        }
        return Lock(entries, dict(self.notetypes), output)


def _lean(entry: Entry) -> Entry:
    """The entry as the lock keeps an item the notes still yield: no fields, no tags."""
    return Entry(entry.item.with_content((), ()), entry.mod, entry.hash, full=False)


# Items the notes no longer yield: the lock is the only place their content lives on.
KEPT_WITH_CONTENT = frozenset({"removed", "kept_removed", "carried"})


class Row(NamedTuple):
    """An item of this build, with its note type and content hash (made with its card)."""

    item: Item
    notetype: NoteType
    digest: str
