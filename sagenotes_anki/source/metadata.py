"""Front-matter values as the model's strings: title, tags, aliases, dates.

Keys are looked up without regard to case, and Obsidian's older singular keys (``tag``,
``alias``) count too. Values of the wrong shape (a mapping where a string belongs) are
ignored rather than turned into text such as ``{'a': 1}``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

_KEYS = {
    "title": ("title",),
    "tags": ("tags", "tag"),
    "aliases": ("aliases", "alias"),
    "created": ("created", "date", "created_at"),
    "modified": ("modified", "updated", "modified_at", "updated_at"),
}


def value(metadata: Mapping[str, Any], name: str) -> Any:
    """The value of a known key (``title``, ``tags``, ...) under any of its spellings."""
    lowered = {str(key).strip().casefold(): val for key, val in metadata.items()}
    for key in _KEYS[name]:
        if lowered.get(key) is not None:
            return lowered[key]
    return None


def text(val: Any) -> str:
    """A scalar as one line of text (``true`` for a YAML boolean); lists joined; mappings
    ignored."""
    if val is None or isinstance(val, Mapping):
        return ""
    if isinstance(val, bool):
        return "true" if val else "false"
    if isinstance(val, (list, tuple)):
        return ", ".join(t for t in (text(v) for v in val) if t)
    # A quoted multi-line title ("a\nb") is one line: identities and messages stay on one.
    return " ".join(_printable(str(val)).split())


# What a YAML escape ("\x1f", "\ud800") can put in a value that no card, tag or GUID can hold:
# control characters (whitespace aside, which splitting removes) and lone surrogates.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _printable(value: str) -> str:
    return _UNPRINTABLE.sub("", value) if _UNPRINTABLE.search(value) else value


def items(val: Any, *, tags: bool = False) -> tuple[str, ...]:
    """A YAML list, an inline list or a comma/space separated string, as clean strings."""
    if val is None or isinstance(val, Mapping):
        return ()
    if isinstance(val, str):
        found = re.split(r"[,\s]+" if tags else r",", _printable(val))
    elif isinstance(val, (list, tuple, set)):
        found = [text(v) for v in val if not isinstance(v, Mapping)]
    else:
        found = [text(val)]
    cleaned = (item.strip().lstrip("#").strip() if tags else item.strip() for item in found)
    return tuple(dict.fromkeys(item for item in cleaned if item))


def title_problem(metadata: Mapping[str, Any]) -> tuple[str, str] | None:
    """(the key, what to say) when the front matter sets a ``title`` that is not text.

    The note keeps the identity it always had: a number or a boolean, and a list's items
    joined, are used as text (:func:`text`); a mapping, an empty list or an empty value
    leave the note with its path. Dates count as text (they are kept as written).
    """
    found = {str(key).strip().casefold(): key for key in metadata}
    key = found.get("title")
    if key is None:
        return None
    val = metadata[key]
    if isinstance(val, (str, _dt.date)):
        return None
    used = text(val)
    if isinstance(val, bool):
        kind = f"a yes/no word (YAML reads it as {str(val).lower()})"
    elif isinstance(val, (int, float)):
        kind = f"the number {val!r}"
    elif isinstance(val, (list, tuple)):
        kind = "a list"
    elif isinstance(val, Mapping):
        kind = "a mapping"
    elif val is None:
        kind = "empty"
    else:
        kind = f"a {type(val).__name__}"
    if used:
        how = (
            f'it is used as the text "{used}", which the cards\' identity comes from; to say '
            f'so, write it in quotes (title: "{used}"): that keeps the cards'
        )
    else:
        how = (
            "it is ignored, and the note's identity is its file's path; write a title as "
            "text (its cards then get a new identity) or remove the line"
        )
    return str(key), f"the front matter's title is {kind}, not text; {how}"
