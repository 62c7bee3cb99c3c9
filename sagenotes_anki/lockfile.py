"""The lock file: what the previous build wrote, so the next one knows what changed.

It lives beside the notes (``sagenotes.lock.json``) and is committed with them. For every
Anki note it records the GUID, the content hash and the ``mod`` it was given: an unchanged
item keeps its ``mod`` (re-import is a no-op, and a fix the learner made inside Anki is not
overwritten), a changed one gets a newer ``mod`` (Anki updates it). An item that vanished
from the notes is written again unchanged but tagged ``sagenotes::removed`` instead of being
silently forgotten: its content is taken from the previous package once (``previous.py``)
and kept in the lock from then on. Only those items carry their fields here, so the lock of
a large vault stays small.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Literal

from .identity import fresh_mod
from .model import Diagnostic
from .package import atomic_write
from .previous import Recovered

LOCK_FORMAT = 1
LOCK_NAME = "sagenotes.lock.json"
REMOVED_TAG = "sagenotes::removed"

Status = Literal["new", "changed", "unchanged", "removed", "kept_removed", "carried"]


@dataclass(frozen=True)
class Item:
    """One Anki note as the lock sees it: who it is and what it holds."""

    guid: str
    notetype: str
    identity: str
    key: str
    path: str
    fields: tuple[tuple[str, str], ...]  # (field name, HTML)
    tags: tuple[str, ...]

    @cached_property
    def content_hash(self) -> str:
        """A hash of note type, fields and tags; field order and tag order do not matter."""
        payload = {
            "notetype": self.notetype,
            "fields": dict(self.fields),
            "tags": sorted(set(self.tags)),
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
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

    inputs: str  # digest of everything the package was made from (see build.py)
    sha256: str
    size: int
    path: str = ""  # where it was written, relative to the lock's folder when possible


@dataclass(frozen=True)
class Lock:
    """The whole lock file."""

    entries: Mapping[str, Entry] = field(default_factory=dict)  # by GUID
    notetypes: Mapping[str, Stamp] = field(default_factory=dict)  # by note-type name
    output: OutputRecord | None = None

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
            e.item.guid: e if status in _KEPT_WITH_CONTENT else _lean(e)
            for e, status in self.entries
        }
        return Lock(entries, dict(self.notetypes), output)


def _lean(entry: Entry) -> Entry:
    """The entry as the lock keeps an item the notes still yield: no fields, no tags."""
    return Entry(replace(entry.item, fields=(), tags=()), entry.mod, entry.hash, full=False)


# Items the notes no longer yield: the lock is the only place their content lives on.
_KEPT_WITH_CONTENT = frozenset({"removed", "kept_removed", "carried"})


def reconcile(
    items: Sequence[Item],
    lock: Lock,
    timestamp: int,
    notetype_hashes: Mapping[str, str],
    *,
    carry_paths: Iterable[str] = (),
    forget_removed: bool = False,
    recovered: Mapping[str, Recovered] | None = None,
) -> Plan:
    """Compare this build's items with the lock and give each its ``mod``.

    ``carry_paths`` are notes left out of this build because of errors: their previous items
    are carried over unchanged rather than marked removed. ``forget_removed`` drops items
    that are gone from the notes instead of keeping them tagged as removed. ``recovered``
    holds, from the previous package, the content of gone items the lock has no fields for.
    """
    mod = fresh_mod(timestamp, [lock.latest_mod()])
    planned: list[tuple[Entry, Status]] = []
    for item in items:
        old = lock.entries.get(item.guid)
        if old is None:
            planned.append((Entry.of(item, mod), "new"))
        elif old.hash == item.content_hash:
            planned.append((Entry.of(item, old.mod), "unchanged"))
        else:
            planned.append((Entry.of(item, mod), "changed"))

    present = {item.guid for item in items}
    carried = set(carry_paths)
    gone = sorted(
        (e for guid, e in lock.entries.items() if guid not in present),
        key=lambda e: (e.item.path, e.item.key, e.item.guid),
    )
    lost: list[Entry] = []
    for old in gone:
        if forget_removed and old.item.path not in carried:
            continue
        if not old.full:
            found = (recovered or {}).get(old.item.guid)
            if found is None:
                lost.append(old)
                continue
            old = replace(old, item=replace(old.item, fields=found.fields, tags=found.tags))
        if old.item.path in carried:
            planned.append((old, "carried"))
        elif REMOVED_TAG in old.item.tags:
            planned.append((old, "kept_removed"))
        else:
            # The tag is a change Anki must see, so it needs a newer mod to be imported.
            tagged = replace(old.item, tags=(*old.item.tags, REMOVED_TAG))
            planned.append((Entry.of(tagged, mod), "removed"))

    stamps = {
        name: lock.notetypes[name]
        if name in lock.notetypes and lock.notetypes[name].hash == digest
        else Stamp(digest, mod)
        for name, digest in sorted(notetype_hashes.items())
    }
    return Plan(tuple(planned), stamps, tuple(lost))


# --- reading and writing -------------------------------------------------------------------


class LockFormatError(ValueError):
    """The lock file is not one we wrote (or not one we can read)."""


def dumps(lock: Lock) -> str:
    """The lock as stable, human-diffable JSON: one line per Anki note, keys sorted.

    Items are grouped by note identity, so a changed definition is a one-line diff. Each
    line is encoded by itself because ``json.dumps`` with ``indent`` is several times slower
    and the lock of a large vault holds every field of every card.
    """
    items: dict[str, dict[str, str]] = {}
    for entry in lock.entries.values():
        item = entry.item
        # Keys in sorted order, but the fields in note-type order (as Anki shows them).
        record: dict[str, object] = {
            "guid": item.guid,
            "hash": entry.hash,
            "mod": entry.mod,
            "notetype": item.notetype,
            "path": item.path,
        }
        if entry.full:
            record["fields"] = dict(item.fields)
            record["tags"] = list(item.tags)
        items.setdefault(item.identity, {})[item.key] = _compact(record, sort_keys=False)
    notetypes = {n: _compact({"hash": s.hash, "mod": s.mod}) for n, s in lock.notetypes.items()}
    output = "null"
    if lock.output is not None:
        out = lock.output
        record = {"inputs": out.inputs, "sha256": out.sha256, "size": out.size}
        if out.path:
            record["path"] = out.path
        output = _compact(record)
    lines = ["{", f' "about": {_compact(_ABOUT)},', f' "format": {LOCK_FORMAT},', ' "items": {']
    for i, identity in enumerate(sorted(items)):
        lines.append(f"  {_compact(identity)}: {{")
        keyed = items[identity]
        lines += [f"   {_compact(k)}: {keyed[k]}," for k in sorted(keyed)]
        lines[-1] = lines[-1].rstrip(",")
        lines.append("  }," if i < len(items) - 1 else "  }")
    lines.append(" },")
    lines.append(' "notetypes": {')
    lines += [f"  {_compact(n)}: {notetypes[n]}," for n in sorted(notetypes)]
    if notetypes:
        lines[-1] = lines[-1].rstrip(",")
    lines.append(" },")
    lines.append(f' "output": {output}')
    lines.append("}")
    return "\n".join(lines) + "\n"


_ABOUT = (
    "Written by sagenotes-anki. Commit it with your notes: it keeps Anki re-imports from "
    "duplicating cards or overwriting your edits."
)


def _compact(value: object, *, sort_keys: bool = True) -> str:
    return json.dumps(value, sort_keys=sort_keys, ensure_ascii=False)


def loads(text: str) -> Lock:
    """Parse a lock file; raises LockFormatError for anything not exactly as we write it."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != LOCK_FORMAT:
            raise LockFormatError(f"unknown lock format {doc.get('format')!r}")
        entries: dict[str, Entry] = {}
        for identity, keyed in _dict(doc["items"]).items():
            for key, raw in _dict(keyed).items():
                full = "fields" in raw
                fields = _dict(raw["fields"]) if full else {}
                item = Item(
                    guid=_str(raw["guid"]),
                    notetype=_str(raw["notetype"]),
                    identity=identity,
                    key=key,
                    path=_str(raw["path"]),
                    fields=tuple((name, _str(v)) for name, v in fields.items()),
                    tags=tuple(_str(t) for t in raw["tags"]) if full else (),
                )
                if item.guid in entries:
                    raise LockFormatError(f"GUID {item.guid} appears twice")
                entries[item.guid] = Entry(item, _int(raw["mod"]), _str(raw["hash"]), full)
        notetypes = {
            name: Stamp(_str(v["hash"]), _int(v["mod"]))
            for name, v in _dict(doc["notetypes"]).items()
        }
        out = doc["output"]
        output = None
        if out is not None:
            out = _dict(out)
            output = OutputRecord(
                _str(out["inputs"]),
                _str(out["sha256"]),
                _int(out["size"]),
                _str(out.get("path", "")),
            )
    except LockFormatError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LockFormatError(str(exc) or type(exc).__name__) from exc
    return Lock(entries, notetypes, output)


def read_lock(path: Path, shown_as: str) -> tuple[Lock, Diagnostic | None]:
    """The lock at ``path`` (empty when there is none); a damaged one is reported, not trusted."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Lock(), None
    except (OSError, UnicodeDecodeError) as exc:
        return Lock(), _lock_warning(shown_as, f"cannot be read ({exc})")
    try:
        return loads(text), None
    except LockFormatError as exc:
        return Lock(), _lock_warning(shown_as, f"is damaged ({exc})")


def write_lock(path: Path, lock: Lock) -> None:
    """Write the lock atomically; raises OutputError when it cannot be written."""
    text = dumps(lock).encode("utf-8")

    def write(f: IO[bytes]) -> None:
        f.write(text)

    atomic_write(path, write)


def _lock_warning(shown_as: str, problem: str) -> Diagnostic:
    return Diagnostic(
        path=shown_as,
        line=0,
        severity="warning",
        code="lock-ignored",
        message=f"the lock file {problem}; building as if for the first time, so Anki will "
        "update every note once. Restore it from version control to avoid that, or let "
        "this build write a new one.",
    )


def _dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LockFormatError(f"expected an object, found {type(value).__name__}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise LockFormatError(f"expected a string, found {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LockFormatError(f"expected an integer, found {type(value).__name__}")
    return value
