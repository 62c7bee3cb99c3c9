"""Whether a package is up to date: the digest of everything in it but the build time.

Note and card ids come from the build time, but Anki matches notes by GUID, so a package
with the same digest as the lock records is as good as a new one: a rebuild keeps it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from json.encoder import encode_basestring
from pathlib import Path

from ..cache.stamp import tool_digest
from ..cards.notetypes import NoteType
from ..lock.model import OutputRecord, Plan
from .items import BY_NAME

__all__ = ["inputs_digest", "notetype_hash", "up_to_date"]


def notetype_hash(notetype: NoteType) -> str:
    return hashlib.sha256(notetype.definition().encode("utf-8")).hexdigest()


def inputs_digest(deck_name: str, plan: Plan, current: Mapping[str, NoteType]) -> str:
    """A digest of everything in the package except what only the build time decides.

    An item of this build (in ``current``, by GUID) stands in it by its content hash (made
    from its note type, fields and tags); an item kept from the lock by its content itself.
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
        elif item.notetype in BY_NAME:
            content = _json([item.notetype, item.fields, item.tags])
        else:
            continue  # left out of the package (see items.unknown_notetypes)
        row = f"\n[{enc(item.guid)},{int(entry.mod)},{due},{content}]"
        digest.update(row.encode("utf-8"))
    return digest.hexdigest()


def up_to_date(record: OutputRecord | None, inputs: str, out: Path) -> bool:
    """Whether ``out`` is the package the lock's ``record`` describes, made from ``inputs``."""
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


def _tool_version() -> str:
    # The digest of the code itself: stricter than the version number, and importing
    # importlib.metadata (the email package) would cost a tenth of a small rebuild.
    return tool_digest()


def _package_format() -> int:
    from ..package.writer import PACKAGE_FORMAT

    return PACKAGE_FORMAT


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
