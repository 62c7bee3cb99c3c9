"""A shortcut through mistune's inline parser for the texts notes are mostly made of.

The bulk of a note's inline text is plain words with ``**bold**`` pairs (every concept is
``**Term**: definition``). mistune scans such a text into pieces and then resolves the
emphasis delimiters with its general algorithm, which is most of its inline time. When a
text holds no character that starts inline syntax other than ``*``, its ``*`` come in runs
of exactly two, and each pair opens and closes by mistune's flanking rules, the result is
simply text and strong spans: :class:`ShortcutInline` makes it directly and leaves every
other text to mistune. ``tests/test_fastinline.py`` checks the tokens are mistune's own.
"""

from __future__ import annotations

import re
from typing import Any

from mistune.core import InlineState
from mistune.inline_parser import InlineParser

Token = dict[str, Any]

_RUN = re.compile(r"\*+")
# Besides mistune's own trigger characters: "_" (the other emphasis marker) and "&" (an
# entity next to a delimiter changes how mistune joins text).
_ALWAYS_SLOW = "_&"


class ShortcutInline(InlineParser):
    """mistune's inline parser, with plain-and-bold texts made directly."""

    shortcut = True
    _sagenotes_others: re.Pattern[str] | None = None

    def parse(self, state: InlineState) -> list[Token]:
        """The tokens of ``state.src``: by the shortcut when it applies, else by mistune."""
        if self.shortcut and self.max_nested_level - state.depth > 2:
            found = self._plain_and_bold(state.src)
            if found is not None:
                state.tokens = found
                return found
        return super().parse(state)

    def _plain_and_bold(self, src: str) -> list[Token] | None:
        others = self._others()
        if others is None or others.search(src):
            return None
        return strong_pairs(src)

    def _others(self) -> re.Pattern[str] | None:
        cached = self._sagenotes_others
        if cached is None:
            # mistune's own trigger characters for the rules in use (None if a rule has no
            # known start characters: then the shortcut is never taken).
            chars = self._get_fast_trigger_chars()
            if chars is None:
                return None
            slow = "".join(sorted((set(chars) | set(_ALWAYS_SLOW)) - {"*"}))
            cached = re.compile("[" + re.escape(slow) + "]")
            self._sagenotes_others = cached
        return cached


def strong_pairs(src: str) -> list[Token] | None:
    """``src`` as text and strong tokens when its ``*`` are well-formed ``**`` pairs."""
    runs = list(_RUN.finditer(src))
    if not runs:
        return [{"type": "text", "raw": src}]
    if len(runs) % 2:
        return None
    tokens: list[Token] = []
    pos = 0
    for index in range(0, len(runs), 2):
        opener, closer = runs[index], runs[index + 1]
        if opener.end() - opener.start() != 2 or closer.end() - closer.start() != 2:
            return None
        if not _can_open(src, opener.start(), opener.end()):
            return None
        if not _can_close(src, closer.start(), closer.end()):
            return None
        if opener.start() > pos:
            tokens.append({"type": "text", "raw": src[pos : opener.start()]})
        inner = {"type": "text", "raw": src[opener.end() : closer.start()]}
        tokens.append({"type": "strong", "children": [inner]})
        pos = closer.end()
    if pos < len(src):
        tokens.append({"type": "text", "raw": src[pos:]})
    return tokens


def _around(src: str, start: int, end: int) -> tuple[str, str]:
    before = src[start - 1] if start > 0 else "\n"
    after = src[end] if end < len(src) else "\n"
    return before, after


def _punctuation(char: str) -> bool:
    return not char.isspace() and not char.isalnum()


def _can_open(src: str, start: int, end: int) -> bool:
    """A left-flanking run, as mistune judges it for ``*``."""
    before, after = _around(src, start, end)
    if after.isspace():
        return False
    return not (_punctuation(after) and not before.isspace() and not _punctuation(before))


def _can_close(src: str, start: int, end: int) -> bool:
    """A right-flanking run, as mistune judges it for ``*``."""
    before, after = _around(src, start, end)
    if before.isspace():
        return False
    return not (_punctuation(before) and not after.isspace() and not _punctuation(after))
