"""A shortcut past PyYAML for the front matter notes almost always have.

Obsidian writes front matter as a few ``key: value`` lines: words, a date, a quoted string,
an inline ``[a, b]`` list or a ``- item`` list under the key. :func:`simple_mapping` reads
exactly that much of YAML and gives up (None) on anything else (comments, numbers, words
YAML reads as booleans or null, nesting, escapes), which PyYAML then reads. A key set
twice keeps its last value, as in PyYAML; :func:`simple_read` also says where it was set
again. What it returns is what PyYAML's safe loader gives, with dates as ISO text as the
parser keeps them; ``tests/test_plainyaml.py`` compares the two.
"""

from __future__ import annotations

import datetime as _dt
import re

Value = str | list[str] | None

_KEY = re.compile(r"([A-Za-z_][\w-]*):(?:[ ]+(.*?))?[ ]*")
_ITEM = re.compile(r"( *)-[ ]+(.*?)[ ]*")
# Words (letters first, so never a number, a date or a time) with single spaces between.
_PLAIN = re.compile(r"[^\W\d_][\w\-/.()+]*(?: [\w\-/.()+]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTED = re.compile(r"\"([^\"\\]*)\"|'([^']*)'")
# What YAML 1.1 reads as a boolean or null, in any case: left to PyYAML.
_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def simple_mapping(raw: str) -> dict[str, Value] | None:
    """The front matter ``raw`` as PyYAML would read it, or None when it is not that simple."""
    read = simple_read(raw)
    return None if read is None else read[0]


def simple_read(raw: str) -> tuple[dict[str, Value], tuple[tuple[str, int], ...]] | None:
    """:func:`simple_mapping`, and the keys set again: (key, 0-based line of the repeat)."""
    if "\t" in raw or "#" in raw or "\r" in raw:
        return None
    found: dict[str, Value] = {}
    repeats: list[tuple[str, int]] = []
    key: str | None = None  # the key whose "- item" lines may follow
    indent: str | None = None
    for number, line in enumerate(raw.split("\n")):
        if not line.strip():
            continue
        item = _ITEM.fullmatch(line)
        if item is not None:
            if key is None or (indent is not None and item.group(1) != indent):
                return None
            if indent is None and len(item.group(1)) > 2:
                return None
            indent = item.group(1)
            value = _scalar(item.group(2), dates=False)
            current = found[key]
            if value is None or not isinstance(value, str) or isinstance(current, str):
                return None
            found[key] = [*(current or []), value]
            continue
        pair = _KEY.fullmatch(line)
        if pair is None or pair.group(1).lower() in _WORDS:
            return None
        name, text = pair.group(1), pair.group(2)
        if name in found:
            repeats.append((name, number))  # PyYAML keeps the last value: so does this
        key, indent = (name, None) if not text else (None, None)
        if not text:
            found[name] = None
            continue
        parsed = _list(text) if text.startswith("[") else _scalar(text)
        if parsed is None:
            return None
        found[name] = parsed
    return (found, tuple(repeats)) if found else None  # blank: PyYAML reads no mapping


def _scalar(text: str, *, dates: bool = True) -> str | None:
    """A word, quoted string or (``dates``: the parser keeps only top-level dates as text)
    a date."""
    quoted = _QUOTED.fullmatch(text)
    if quoted is not None:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if _DATE.fullmatch(text):
        if not dates:
            return None
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if _PLAIN.fullmatch(text) and text.lower() not in _WORDS:
        return text
    return None


def _list(text: str) -> list[str] | None:
    """An inline list of words or quoted strings (``[a, "b c"]``)."""
    if not text.endswith("]"):
        return None
    inner = text[1:-1].strip()
    if not inner:
        return []
    items = []
    for part in inner.split(","):
        part = part.strip()
        if not part or (not _QUOTED.fullmatch(part) and not _PLAIN.fullmatch(part)):
            return None
        value = _scalar(part, dates=False)
        if value is None:
            return None
        items.append(value)
    return items
