"""The lock as a parsed JSON document: every value checked, then read into the model.

``format.py`` reads the lock line by line as it lays it out, and checks the values on those
lines with the functions here; anything else (another layout, a format-1 lock, a damaged
file) is parsed whole by ``json`` and read by :func:`from_document`, which decides what it
is and how it is reported. Either way the same values are accepted and refused.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from ..cards.identity import LATEST_TIME
from .model import LEGACY_FORMAT, LOCK_FORMAT, Entry, Item, Lock, OutputRecord, Stamp


class LockFormatError(ValueError):
    """The lock file is not one we wrote (or not one we can read)."""


def parse(text: str) -> Any:
    """The JSON document in ``text``; raises LockFormatError when it is not JSON."""
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


def from_document(doc: Any, bad: list[int]) -> Lock:
    """The lock in a parsed JSON document; impossible ``mod`` values are added to ``bad``."""
    try:
        found = doc.get("format") if isinstance(doc, dict) else None
        # type(): true == 1 and 2.0 == 2 in Python, but neither is a format we wrote.
        if type(found) is not int or found not in (LOCK_FORMAT, LEGACY_FORMAT):
            raise LockFormatError(f"unknown lock format {found!r}")
        entries: dict[str, Entry] = {}
        groups = check_dict(doc["items"])
        # Taken out one note at a time, so the parsed JSON shrinks as the entries grow.
        for identity in list(groups):
            for key, raw in check_dict(groups.pop(identity)).items():
                found = item(identity, key, raw)
                if found.guid in entries:
                    raise LockFormatError(f"GUID {found.guid} appears twice")
                mod, digest = check_int(raw["mod"]), check_str(raw["hash"])
                entries[found.guid] = entry(found, mod, digest, "fields" in raw, bad)
        notetypes = {
            name: stamp(check_str(v["hash"]), check_int(v["mod"]), bad)
            for name, v in check_dict(doc["notetypes"]).items()
        }
        out = doc["output"]
        output = None if out is None else output_record(out)
    except LockFormatError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LockFormatError(str(exc) or type(exc).__name__) from exc
    return Lock(entries, notetypes, output, doc["format"] == LEGACY_FORMAT)


# What Anki's GUIDs are made of (ours are base91, ten or eleven characters; other tools'
# are hex or base64): printable, no space, no field separator, of a sane length.
_GUID = re.compile(r"[!-~]{1,64}")


def item(identity: str, key: str, raw: Any) -> Item:
    """The item of one record of the lock (``raw``: the JSON object of its line)."""
    full = "fields" in raw
    guid = check_str(raw["guid"])
    if not _GUID.fullmatch(guid):
        raise LockFormatError(f"{guid[:40]!r} is not a GUID an Anki note can have")
    # Interned: one string for the handful of note types and for each note's path, rather
    # than a copy on every line of a large lock.
    notetype = sys.intern(check_str(raw["notetype"]))
    path = sys.intern(check_str(raw["path"]))
    fields: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    if full:
        fields = tuple((name, check_str(v)) for name, v in check_dict(raw["fields"]).items())
        tags = tuple(check_str(t) for t in raw["tags"])
    return Item.of(guid, notetype, identity, key, path, fields, tags)


def output_record(raw: Any) -> OutputRecord:
    """The record of the package the lock belongs to."""
    out = check_dict(raw)
    return OutputRecord(
        check_str(out["inputs"]),
        check_str(out["sha256"]),
        check_int(out["size"]),
        check_str(out.get("path", "")),
    )


# The ``mod`` values a lock may hold: seconds from 1970 to the end of the year 9999, the
# times a date can show (SQLite and Anki hold 64 bits, but every later build hands out one
# more than the latest: 2**63 - 1 in a lock would overflow them, and a mod far in the future
# would keep every later change from looking newer to Anki for ever).
_MOD_RANGE = range(LATEST_TIME + 1)


def entry(found: Item, mod: int, digest: str, full: bool, bad: list[int]) -> Entry:
    """The lock's entry for an item; a ``mod`` outside ``_MOD_RANGE`` is added to ``bad``
    and the entry read as holding mod 0 and no hash, so that the item counts as changed
    (and gets this build's time) rather than the whole lock being ignored."""
    if mod in _MOD_RANGE:
        return Entry(found, mod, digest, full)
    bad.append(mod)
    return Entry(found, 0, "", full)


def stamp(digest: str, mod: int, bad: list[int]) -> Stamp:
    """A note type's stamp; an impossible ``mod`` is handled as ``entry`` handles it."""
    if mod in _MOD_RANGE:
        return Stamp(digest, mod)
    bad.append(mod)
    return Stamp("", 0)


def check_dict(value: object) -> dict[str, Any]:
    """``value``, which must be a JSON object."""
    if not isinstance(value, dict):
        raise LockFormatError(f"expected an object, found {type(value).__name__}")
    return value


def check_str(value: object) -> str:
    """``value``, which must be a string that files, packages and terminals can take."""
    if not isinstance(value, str):
        raise LockFormatError(f"expected a string, found {type(value).__name__}")
    # A JSON escape can make a lone surrogate, which no file, package or terminal can take.
    if not value.isascii() and _SURROGATE.search(value) is not None:
        raise LockFormatError(f"the text {value!r} holds a lone surrogate")
    return value


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_int(value: object) -> int:
    """``value``, which must be an integer (not a boolean)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise LockFormatError(f"expected an integer, found {type(value).__name__}")
    return value
