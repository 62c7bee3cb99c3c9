"""The lock's text: how it is laid out, written, and read back, side by side.

One line per Anki note, grouped by note identity, keys sorted, so a changed definition is a
one-line diff::

    {
     "about": "Written by sagenotes-anki. ...",
     "format": 2,
     "items": {
      "<identity>": {
       "<key>": {"guid": ..., "hash": ..., "mod": ..., "notetype": ..., "path": ...},
       "<key>": {..., "path": ..., "fields": {...}, "tags": [...]}
      }
     },
     "notetypes": {
      "<name>": {"hash": ..., "mod": ...}
     },
     "output": {"inputs": ..., "sha256": ..., "size": ..., "path": ...}
    }

The text is written line by line (a large vault's lock is several times the size of the
entries it describes), and read back line by line as :func:`lines` lays it out, the lean
lines that make up nearly all of it by one regular expression (``_LEAN_LINE``, beside the
``_record`` it mirrors), without the JSON decoder. Whatever is not exactly this layout is
left to the full JSON parser (``document.py``). ``write.py`` writes the text to disk.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from json.encoder import encode_basestring
from typing import IO, Any

from .document import (
    check_int,
    check_str,
    entry,
    from_document,
    item,
    output_record,
    parse,
    stamp,
)
from .model import LOCK_FORMAT, Entry, Item, Lock, OutputRecord, Stamp

# --- writing -------------------------------------------------------------------------------


def dumps(lock: Lock) -> str:
    """The lock as stable, human-diffable JSON: one line per Anki note, keys sorted."""
    entries = ((e, e.full) for e in lock.entries.values())
    return "".join(lines(entries, lock.notetypes, lock.output))


def lines(
    entries: Iterable[tuple[Entry, bool]],
    notetypes: Mapping[str, Stamp],
    output: OutputRecord | None,
) -> Iterator[str]:
    """The lock's text line by line (each with its newline); ``bool`` says "with content"."""
    yield from body(entries, notetypes)
    yield from tail(output)


def body(entries: Iterable[tuple[Entry, bool]], notetypes: Mapping[str, Stamp]) -> Iterator[str]:
    """Every line of the lock but the output record's."""
    grouped: dict[str, dict[str, tuple[Entry, bool]]] = {}
    for found, full in entries:
        grouped.setdefault(found.item.identity, {})[found.item.key] = (found, full)
    yield "{\n"
    yield f' "about": {_compact(_ABOUT)},\n'
    yield f' "format": {LOCK_FORMAT},\n'
    yield ' "items": {\n'
    last = len(grouped) - 1
    for i, identity in enumerate(sorted(grouped)):
        yield f"  {_compact(identity)}: {{\n"
        keyed = grouped[identity]
        keys = sorted(keyed)
        for j, key in enumerate(keys):
            comma = "," if j < len(keys) - 1 else ""
            yield f"   {_compact(key)}: {_record(*keyed[key])}{comma}\n"
        yield "  },\n" if i < last else "  }\n"
    yield " },\n"
    yield ' "notetypes": {\n'
    names = sorted(notetypes)
    for j, name in enumerate(names):
        record = _compact({"hash": notetypes[name].hash, "mod": notetypes[name].mod})
        yield f"  {_compact(name)}: {record}{',' if j < len(names) - 1 else ''}\n"
    yield " },\n"


def tail(output: OutputRecord | None) -> Iterator[str]:
    """The lock's last lines: the record of the package it belongs to."""
    text = "null"
    if output is not None:
        record: dict[str, object] = {
            "inputs": output.inputs,
            "sha256": output.sha256,
            "size": output.size,
        }
        if output.path:
            record["path"] = output.path
        text = _compact(record)
    yield f' "output": {text}\n'
    yield "}\n"


def _record(found: Entry, full: bool) -> str:
    """One item's line: ``json.dumps`` of the record, keys in this order, spelt out by hand
    (five times faster for the lean lines that make up nearly all of a lock)."""
    it = found.item
    enc = encode_basestring
    text = (
        f'{{"guid": {enc(it.guid)}, "hash": {enc(found.hash)}, "mod": {int(found.mod)}, '
        f'"notetype": {enc(it.notetype)}, "path": {enc(it.path)}'
    )
    if not full:
        return text + "}"
    fields = _compact(dict(it.fields), sort_keys=False)
    return f'{text}, "fields": {fields}, "tags": {_compact(list(it.tags))}}}'


# A JSON string's content (no quote, backslash or control character, but escapes).
_STRING = r'"([^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*)"'
# The line of an item the notes still yield, exactly as ``_record`` writes it (lean).
_LEAN_LINE = re.compile(
    rf'   {_STRING}: \{{"guid": "([!#-\[\]-~]{{1,64}})", "hash": "([0-9a-f]{{64}})", '
    rf'"mod": (0|-?[1-9][0-9]*), "notetype": {_STRING}, "path": {_STRING}\}}(,?)\n\Z'
)

_ABOUT = (
    "Written by sagenotes-anki. Commit it with your notes: it keeps Anki re-imports from "
    "duplicating cards or overwriting your edits."
)


def _compact(value: object, *, sort_keys: bool = True) -> str:
    return json.dumps(value, sort_keys=sort_keys, ensure_ascii=False)


# --- reading -------------------------------------------------------------------------------


def loads(text: str) -> Lock:
    """Parse a lock file; raises LockFormatError for anything not exactly as we write it.

    A ``mod`` no real time has is read as 0, its item's hash as none (see ``document.entry``).
    """
    return from_document(parse(text), [])


class NotOurs(Exception):
    """The text is not laid out exactly as :func:`lines` writes it."""


def read_lines(f: IO[str], bad: list[int]) -> Lock:
    """The lock in ``f``, read line by line as :func:`lines` lays it out; raises NotOurs
    (or LockFormatError, ValueError, ...) for anything else. Impossible ``mod`` values are
    added to ``bad``."""
    _expect(f, "{\n")
    _value(_starting(f, ' "about": '), 10, ",\n")
    _expect(f, f' "format": {LOCK_FORMAT},\n')
    _expect(f, ' "items": {\n')
    entries = _read_items(f, bad)
    _expect(f, ' "notetypes": {\n')
    notetypes = _read_notetypes(f, bad)
    out = _value(_starting(f, ' "output": '), 11, "\n")
    _expect(f, "}\n")
    if next(f, None) is not None:
        raise NotOurs
    return Lock(entries, notetypes, None if out is None else output_record(out))


def _read_items(f: IO[str], bad: list[int]) -> dict[str, Entry]:
    """The ``items`` object, up to and with its closing line."""
    entries: dict[str, Entry] = {}
    line = next(f, "")
    if line == " },\n":
        return entries  # no items at all
    identities: set[str] = set()
    while True:
        if not line.startswith('  "'):
            raise NotOurs
        identity = _value(line, 2, ": {\n")
        if identity in identities:
            raise NotOurs  # JSON keeps the last one: left to the full parser
        identities.add(identity)
        _read_note(f, identity, entries, bad)
        closing = next(f, "")
        if closing == "  }\n":
            break
        if closing != "  },\n":
            raise NotOurs
        line = next(f, "")
    _expect(f, " },\n")
    return entries


def _read_note(f: IO[str], identity: str, entries: dict[str, Entry], bad: list[int]) -> None:
    """The item lines of one note, into ``entries``."""
    keys: set[str] = set()
    comma = ","
    while comma:
        line = next(f, "")
        lean = _LEAN_LINE.match(line)
        if lean is None:
            comma = _read_full(line, identity, keys, entries, bad)
            continue
        # Nearly every line: read without the JSON decoder.
        key, guid, digest, mod, notetype, path, comma = lean.groups()
        key = _unescaped(key)
        if key in keys or guid in entries:
            raise NotOurs
        keys.add(key)
        notetype = sys.intern(_unescaped(notetype))
        found = Item(guid, notetype, identity, key, sys.intern(_unescaped(path)), (), (), ())
        entries[guid] = entry(found, int(mod), digest, False, bad)


def _read_full(
    line: str, identity: str, keys: set[str], entries: dict[str, Entry], bad: list[int]
) -> str:
    """An item line the regular expression does not take (one with fields and tags, or
    with characters it leaves to the decoder), into ``entries``; returns its comma."""
    if not line.startswith('   "'):
        raise NotOurs
    key, end = _DECODER.raw_decode(line, 3)
    if line[end : end + 2] != ": " or key in keys:
        raise NotOurs
    keys.add(key)
    comma = line[-2] if line.endswith(",\n") else ""
    raw = _value(line, end + 2, ",\n" if comma else "\n")
    found = item(identity, key, raw)
    if found.guid in entries:
        raise NotOurs
    mod = check_int(raw["mod"])
    entries[found.guid] = entry(found, mod, check_str(raw["hash"]), "fields" in raw, bad)
    return comma


def _read_notetypes(f: IO[str], bad: list[int]) -> dict[str, Stamp]:
    """The ``notetypes`` object, up to and with its closing line."""
    notetypes: dict[str, Stamp] = {}
    line = next(f, "")
    more = line != " },\n"
    while more:
        if not line.startswith('  "'):
            raise NotOurs
        name, end = _DECODER.raw_decode(line, 2)
        if line[end : end + 2] != ": " or name in notetypes:
            raise NotOurs
        more = line.endswith(",\n")
        raw = _value(line, end + 2, ",\n" if more else "\n")
        notetypes[name] = stamp(check_str(raw["hash"]), check_int(raw["mod"]), bad)
        line = next(f, "")
    if line != " },\n":
        raise NotOurs
    return notetypes


_DECODER = json.JSONDecoder()


def _value(line: str, start: int, end: str) -> Any:
    """The JSON value at ``start`` of ``line``, which must be followed by ``end`` alone."""
    found, stop = _DECODER.raw_decode(line, start)
    if line[stop:] != end:
        raise NotOurs
    return found


def _expect(f: IO[str], text: str) -> None:
    if next(f, None) != text:
        raise NotOurs


def _starting(f: IO[str], prefix: str) -> str:
    """The next line, which must start with ``prefix``."""
    line = next(f, "")
    if not line.startswith(prefix):
        raise NotOurs
    return line


def _unescaped(content: str) -> str:
    """A JSON string's content as the string it stands for."""
    if "\\" not in content:
        return content
    value = json.loads(f'"{content}"')
    if not isinstance(value, str):
        raise NotOurs
    return check_str(value)  # no lone surrogate
