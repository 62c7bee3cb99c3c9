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
import os
import re
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal

from .. import codes
from ..cards.identity import content_hash, fresh_mod
from ..model import Diagnostic
from .previous import Recovered

LOCK_FORMAT = 2
# Format 1 hashed each item's JSON text; it is still read (its hashes compared the old way),
# and the next build writes format 2.
_LEGACY_FORMAT = 1
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
    planned: list[tuple[Entry, Status]] = []
    known = lock.entries
    legacy = lock.legacy_hashes
    if hashes is None:
        hashes = [item.content_hash for item in items]
    for item, digest in zip(items, hashes, strict=True):
        old = known.get(item.guid)
        if old is None:
            planned.append((Entry(item, mod, digest), "new"))
        elif old.hash == (item.legacy_hash if legacy else digest):
            planned.append((Entry(item, old.mod, digest), "unchanged"))
        else:
            planned.append((Entry(item, mod, digest), "changed"))

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
            old = replace(old, item=old.item.with_content(found.fields, found.tags))
        if legacy:  # kept with the hash the lock will hold from now on
            old = replace(old, hash=old.item.content_hash)
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


def loads(text: str) -> Lock:
    """Parse a lock file; raises LockFormatError for anything not exactly as we write it.

    A ``mod`` no real time has is read as 0, its item's hash as none (see ``_entry``).
    """
    return _from_json(_parse(text), [])


def _parse(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_once_each)
    except ValueError as exc:
        raise LockFormatError(str(exc) or type(exc).__name__) from exc
    except RecursionError as exc:  # nested deeper than the JSON decoder can follow
        raise LockFormatError("nested too deeply") from exc


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are unique (we never write one twice: it was edited)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        keys = [key for key, _ in pairs]
        twice = next(key for key in keys if keys.count(key) > 1)
        raise LockFormatError(f"the key {twice!r} appears twice in one object")
    return found


def _from_json(doc: Any, bad: list[int]) -> Lock:
    """The lock in a parsed JSON document; impossible ``mod`` values are added to ``bad``."""
    try:
        found = doc.get("format") if isinstance(doc, dict) else None
        # type(): true == 1 and 2.0 == 2 in Python, but neither is a format we wrote.
        if type(found) is not int or found not in (LOCK_FORMAT, _LEGACY_FORMAT):
            raise LockFormatError(f"unknown lock format {found!r}")
        entries: dict[str, Entry] = {}
        groups = _dict(doc["items"])
        # Taken out one note at a time, so the parsed JSON shrinks as the entries grow.
        for identity in list(groups):
            for key, raw in _dict(groups.pop(identity)).items():
                item = _item(identity, key, raw)
                if item.guid in entries:
                    raise LockFormatError(f"GUID {item.guid} appears twice")
                full = "fields" in raw
                entries[item.guid] = _entry(item, _int(raw["mod"]), _str(raw["hash"]), full, bad)
        notetypes = {
            name: _stamp(_str(v["hash"]), _int(v["mod"]), bad)
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
    return Lock(entries, notetypes, output, doc["format"] == _LEGACY_FORMAT)


# What Anki's GUIDs are made of (ours are base91, ten or eleven characters; other tools'
# are hex or base64): printable, no space, no field separator, of a sane length.
_GUID = re.compile(r"[!-~]{1,64}")


def _item(identity: str, key: str, raw: Any) -> Item:
    full = "fields" in raw
    guid = _str(raw["guid"])
    if not _GUID.fullmatch(guid):
        raise LockFormatError(f"{guid[:40]!r} is not a GUID an Anki note can have")
    # Interned: one string for the handful of note types and for each note's path, rather
    # than a copy on every line of a large lock.
    notetype = sys.intern(_str(raw["notetype"]))
    path = sys.intern(_str(raw["path"]))
    fields: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    if full:
        fields = tuple((name, _str(v)) for name, v in _dict(raw["fields"]).items())
        tags = tuple(_str(t) for t in raw["tags"])
    return Item.of(guid, notetype, identity, key, path, fields, tags)


def read_lock(path: Path, shown_as: str) -> tuple[Lock, Diagnostic | None]:
    """The lock at ``path`` (empty when there is none); a damaged one is reported, not trusted.

    Only a regular file is read: a FIFO or a device in its place is reported without being
    opened for more than a look (it could block forever, or never end).
    """
    bad: list[int] = []
    try:
        with _open_regular(path) as f:
            lock = _read_our_layout(f, bad)
            if lock is None:
                f.seek(0)
                text = f.read()
    except FileNotFoundError:
        return Lock(), None
    except _NotAFile:
        return Lock(), _lock_warning(shown_as, "is not a regular file (a FIFO or a device?)")
    except (OSError, UnicodeDecodeError) as exc:
        return Lock(), _lock_warning(shown_as, f"cannot be read ({exc})")
    if lock is not None:
        return lock, _bad_mods_warning(shown_as, bad)
    bad.clear()
    try:
        doc = _parse(text)
        del text  # tens of MB for a large vault: not kept while the entries are made
        lock = _from_json(doc, bad)
    except LockFormatError as exc:
        return Lock(), _lock_warning(shown_as, f"is damaged ({exc})")
    return lock, _bad_mods_warning(shown_as, bad)


class _NotAFile(Exception):
    pass


def _open_regular(path: Path) -> IO[str]:
    """``path`` opened for reading as text, if it is a regular file (else ``_NotAFile``).

    Opened without blocking, so that a FIFO is seen for what it is rather than waited on.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotAFile
        return open(fd, encoding="utf-8", newline="\n")  # closed by the caller
    except BaseException:
        os.close(fd)
        raise


def _read_our_layout(f: IO[str], bad: list[int]) -> Lock | None:
    """The lock read line by line, as ``_lines`` lays it out; None for anything else.

    The text of a large vault's lock and its parsed JSON would take several times the memory
    of the entries. Whatever is not exactly our layout, or not right, is left to the full
    JSON parser (None), which decides what it is and how it is reported.
    """
    try:
        return _read_lines(f, bad)
    except (_NotOurs, LockFormatError, ValueError, KeyError, TypeError, AttributeError):
        return None
    except RecursionError:  # a value nested deeper than the JSON decoder can follow
        return None


class _NotOurs(Exception):
    pass


def _read_lines(f: IO[str], bad: list[int]) -> Lock:
    def value(line: str, start: int, tail: str) -> Any:
        found, end = _DECODER.raw_decode(line, start)
        if line[end:] != tail:
            raise _NotOurs
        return found

    def expect(text: str) -> None:
        if next(f, None) != text:
            raise _NotOurs

    expect("{\n")
    line = next(f, "")
    if not line.startswith(' "about": '):
        raise _NotOurs
    value(line, 10, ",\n")
    expect(f' "format": {LOCK_FORMAT},\n')
    expect(' "items": {\n')
    entries: dict[str, Entry] = {}
    identities: set[str] = set()
    closing = "  },\n"
    while closing == "  },\n":
        line = next(f, "")
        if line == " },\n" and not identities:
            break  # no items at all
        if not line.startswith('  "'):
            raise _NotOurs
        identity = value(line, 2, ": {\n")
        if identity in identities:
            raise _NotOurs  # JSON keeps the last one: left to the full parser
        identities.add(identity)
        keys: set[str] = set()
        comma = ","
        while comma:
            line = next(f, "")
            lean = _LEAN_LINE.match(line)
            if lean is not None:  # nearly every line: read without the JSON decoder
                key, guid, digest, mod, notetype, path, comma = lean.groups()
                key = _unescaped(key)
                if key in keys or guid in entries:
                    raise _NotOurs
                keys.add(key)
                notetype = sys.intern(_unescaped(notetype))
                item = Item(guid, notetype, identity, key, sys.intern(_unescaped(path)), (), (), ())
                entries[guid] = _entry(item, int(mod), digest, False, bad)
                continue
            if not line.startswith('   "'):
                raise _NotOurs
            key, end = _DECODER.raw_decode(line, 3)
            if line[end : end + 2] != ": " or key in keys:
                raise _NotOurs
            keys.add(key)
            comma = line[-2] if line.endswith(",\n") else ""
            raw = value(line, end + 2, ",\n" if comma else "\n")
            item = _item(identity, key, raw)
            if item.guid in entries:
                raise _NotOurs
            mod = _int(raw["mod"])
            entries[item.guid] = _entry(item, mod, _str(raw["hash"]), "fields" in raw, bad)
        closing = next(f, "")
        if closing not in ("  },\n", "  }\n"):
            raise _NotOurs
    else:
        expect(" },\n")
    expect(' "notetypes": {\n')
    notetypes: dict[str, Stamp] = {}
    line = next(f, "")
    more = line != " },\n"
    while more:
        if not line.startswith('  "'):
            raise _NotOurs
        name, end = _DECODER.raw_decode(line, 2)
        if line[end : end + 2] != ": " or name in notetypes:
            raise _NotOurs
        more = line.endswith(",\n")
        raw = value(line, end + 2, ",\n" if more else "\n")
        notetypes[name] = _stamp(_str(raw["hash"]), _int(raw["mod"]), bad)
        line = next(f, "")
    if line != " },\n":
        raise _NotOurs
    line = next(f, "")
    if not line.startswith(' "output": '):
        raise _NotOurs
    out = value(line, 11, "\n")
    expect("}\n")
    if next(f, None) is not None:
        raise _NotOurs
    output = None
    if out is not None:
        output = OutputRecord(
            _str(out["inputs"]), _str(out["sha256"]), _int(out["size"]), _str(out.get("path", ""))
        )
    return Lock(entries, notetypes, output)


_DECODER = json.JSONDecoder()
# A JSON string's content (no quote, backslash or control character, but escapes).
_STRING = r'"([^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*)"'
# The line of an item the notes still yield, exactly as ``_record`` writes it.
_LEAN_LINE = re.compile(
    rf'   {_STRING}: \{{"guid": "([!#-\[\]-~]{{1,64}})", "hash": "([0-9a-f]{{64}})", '
    rf'"mod": (0|-?[1-9][0-9]*), "notetype": {_STRING}, "path": {_STRING}\}}(,?)\n\Z'
)


def _unescaped(content: str) -> str:
    """A JSON string's content as the string it stands for."""
    if "\\" not in content:
        return content
    value = json.loads(f'"{content}"')
    if not isinstance(value, str):
        raise _NotOurs
    return _str(value)  # no lone surrogate


def _lock_warning(shown_as: str, problem: str) -> Diagnostic:
    return Diagnostic(
        path=shown_as,
        line=0,
        severity="warning",
        code=codes.LOCK_IGNORED,
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
    # A JSON escape can make a lone surrogate, which no file, package or terminal can take.
    if not value.isascii() and _SURROGATE.search(value) is not None:
        raise LockFormatError(f"the text {value!r} holds a lone surrogate")
    return value


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The ``mod`` values a lock may hold: seconds from 1970 to the end of the year 9999, the
# times a date can show (SQLite and Anki hold 64 bits, but every later build hands out one
# more than the latest: 2**63 - 1 in a lock would overflow them, and a mod far in the future
# would keep every later change from looking newer to Anki for ever).
_MOD_RANGE = range(253_402_300_800)


def _entry(item: Item, mod: int, digest: str, full: bool, bad: list[int]) -> Entry:
    """The lock's entry for ``item``; a ``mod`` outside ``_MOD_RANGE`` is added to ``bad``
    and the entry read as holding mod 0 and no hash, so that the item counts as changed
    (and gets this build's time) rather than the whole lock being ignored."""
    if mod in _MOD_RANGE:
        return Entry(item, mod, digest, full)
    bad.append(mod)
    return Entry(item, 0, "", full)


def _stamp(digest: str, mod: int, bad: list[int]) -> Stamp:
    """A note type's stamp; an impossible ``mod`` is handled as ``_entry`` handles it."""
    if mod in _MOD_RANGE:
        return Stamp(digest, mod)
    bad.append(mod)
    return Stamp("", 0)


def _bad_mods_warning(shown_as: str, bad: list[int]) -> Diagnostic | None:
    if not bad:
        return None
    many = f"{len(bad)} items or note types" if len(bad) > 1 else "an item or a note type"
    return Diagnostic(
        path=shown_as,
        line=0,
        severity="warning",
        code=codes.LOCK_IGNORED,
        message=f"the lock file gives {many} a modification time (mod) no real time has "
        f"(such as {bad[0]}); those are taken as changed, so Anki updates them once. This "
        "build writes them a correct one.",
    )


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LockFormatError(f"expected an integer, found {type(value).__name__}")
    return value
