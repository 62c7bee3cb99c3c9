"""Front-matter values as the model's strings: title, tags, aliases, dates.

Keys are looked up without regard to case, and Obsidian's older singular keys (``tag``,
``alias``) count too. Values of the wrong shape (a mapping where a string belongs) are
ignored rather than turned into text such as ``{'a': 1}``.
"""

from __future__ import annotations

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
    return " ".join(str(val).split())


def items(val: Any, *, tags: bool = False) -> tuple[str, ...]:
    """A YAML list, an inline list or a comma/space separated string, as clean strings."""
    if val is None or isinstance(val, Mapping):
        return ()
    if isinstance(val, str):
        found = re.split(r"[,\s]+" if tags else r",", val)
    elif isinstance(val, (list, tuple, set)):
        found = [text(v) for v in val if not isinstance(v, Mapping)]
    else:
        found = [text(val)]
    cleaned = (item.strip().lstrip("#").strip() if tags else item.strip() for item in found)
    return tuple(dict.fromkeys(item for item in cleaned if item))
