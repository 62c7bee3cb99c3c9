"""Obsidian tags -> Anki tags.

Anki splits tags on whitespace (U+3000 included), removes control characters, and treats
``::`` as the hierarchy separator; ``"`` breaks its search syntax. Obsidian writes ``a/b/c``,
sometimes with a leading ``#``. Every character Anki would split on or drop is replaced by
``_`` so nothing vanishes silently, and tags are lower-cased because Anki (and Obsidian)
compare tags case-insensitively: ``Service/SageMaker`` and ``service/sagemaker`` in two
notes must not fight over the casing of one Anki tag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SEPARATOR = re.compile(r"/|::")
_REPLACEMENT = "_"


def _bad(char: str) -> bool:
    # Zs/Zl/Zp: every kind of space (Anki splits on them); Cc/Cf: control and invisible
    # format characters (Anki drops controls; a zero-width space would make a look-alike tag).
    if char in {'"', ":"}:
        return True
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _segment(segment: str) -> str:
    out: list[str] = []
    for char in segment.strip():
        if _bad(char):
            if not out or out[-1] != _REPLACEMENT:  # a run of spaces becomes one "_"
                out.append(_REPLACEMENT)
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=4096)  # a vault uses a few hundred tags over and over
def anki_tag(tag: str) -> str:
    """``#Service/Sage Maker`` -> ``service::sage_maker``; ``""`` when nothing is left."""
    text = unicodedata.normalize("NFC", tag).strip().lstrip("#")
    segments = (_segment(s) for s in _SEPARATOR.split(text))
    return "::".join(s for s in segments if s).lower()


def anki_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The Anki tags for a note's tags: converted, empty ones left out, unique, sorted."""
    return tuple(sorted({t for t in (anki_tag(tag) for tag in tags) if t}))
