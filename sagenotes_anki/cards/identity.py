"""Stable identity for what we write into Anki: note GUIDs, the deck id, and `mod` times.

Anki matches an imported note to the one already in a collection by its GUID, and updates it
only when the package's `mod` is newer. So a GUID must depend on *which* item a note is (its
source note's identity and the item's key), never on its content, and `mod` must move forward
exactly when the content changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from itertools import chain

# A namespace inside the hashed text, so our GUIDs cannot coincide with those of decks made by
# other tools from the same text (genanki's default hashes the bare field values).
_GUID_NAMESPACE = "sagenotes-anki/v1"

# Anki's own GUID alphabet (base91 without space, quote or backslash), as in Anki's guid64().
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def _digest(*parts: str) -> bytes:
    # A NUL separator keeps ("ab", "c") and ("a", "bc") apart; a lone surrogate (never in
    # text read from a file, but a last guard) hashes instead of raising.
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).digest()


def guid_for(identity: str, key: str) -> str:
    """The Anki GUID of one item: a function of the note identity and the item key only."""
    number = int.from_bytes(_digest(_GUID_NAMESPACE, identity, key)[:8], "big")
    chars: list[str] = []
    while True:
        number, digit = divmod(number, len(_BASE91))
        chars.append(_BASE91[digit])
        if number == 0:
            break
    return "".join(reversed(chars))


def content_hash(notetype: str, fields: Iterable[tuple[str, str]], tags: Iterable[str]) -> str:
    """A hash of an item's note type, fields and tags; field and tag order do not matter.

    It decides whether an item changed since the last build (and so whether its ``mod``
    moves). Field names are unique, so sorting the pairs sorts by name. The strings are
    hashed as they are, between separators Anki forbids inside fields and tags.
    """
    joined = "\x1f".join(chain.from_iterable(sorted(fields)))
    tagged = "\x1f".join(sorted(set(tags)))
    text = f"{notetype}\x1e{joined}\x1e{tagged}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def deck_id_for(deck_name: str) -> int:
    """A constant deck id for a deck name, in the range genanki recommends (2**30..2**31)."""
    number = int.from_bytes(_digest(_GUID_NAMESPACE, "deck", deck_name)[:4], "big")
    return (1 << 30) + number % (1 << 30)


# The end of the year 9999: the latest time a date can show, and far below what Anki's
# millisecond ids can hold.
LATEST_TIME = 253_402_300_799


def build_timestamp(explicit: int | None, environ: Mapping[str, str] | None = None) -> int:
    """Seconds for this build: the explicit value, else SOURCE_DATE_EPOCH, else the clock."""
    if explicit is not None:
        return int(explicit)
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            seconds = int(raw)
        except ValueError:
            pass  # an unusable value is ignored, as reproducible-builds.org asks
        else:
            if 0 <= seconds <= LATEST_TIME:  # else ids (milliseconds) would overflow SQLite
                return seconds
    return int(time.time())


def fresh_mod(timestamp: int, earlier_mods: Iterable[int]) -> int:
    """The `mod` for a new or changed item: the build time, but always after every earlier mod.

    Anki updates a note on re-import only when the incoming `mod` is newer than its own, so a
    change must never get a `mod` that an earlier build already used, even when the clock or
    SOURCE_DATE_EPOCH says otherwise.
    """
    latest = max(earlier_mods, default=0)
    return max(timestamp, latest + 1)
