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

from ..inlinerules import MATH_RULE, MATH_STARTS, flanking_punctuation

Token = dict[str, Any]

_PAIR = re.compile(r"\*\*([^*]+)\*\*")
# Besides the characters that start a rule: "_" (the other emphasis marker) and "&" (an
# entity next to a delimiter changes how mistune joins text).
_ALWAYS_SLOW = "_&"
# The characters each inline rule of mistune 3.4 and its plugins can start with (read from
# the rules' patterns; tests/test_fastinline.py holds the table to mistune's own). A text
# with none of them but "*" is plain words and emphasis; a rule not named here (another
# plugin's) turns the shortcut off.
RULE_STARTS: dict[str, str] = {
    "escape": "\\",
    "codespan": "`",
    "emphasis": "*_",
    "link": "![",
    "link_close": "]",
    "auto_link": "<",
    "auto_email": "<",
    "inline_html": "<",
    "linebreak": "\n",
    "softbreak": "\n",
    "prec_auto_link": "<",
    "prec_inline_html": "<",
    "url_link": "h",
    "strikethrough": "~",
    "mark": "=",
    "insert": "^",
    "superscript": "^",
    "subscript": "~",
    "footnote": "[",
    "inline_math": "$",
    "ruby": "[",
    "inline_spoiler": ">",
    MATH_RULE: "".join(MATH_STARTS),  # ours: parse/inlinerules.py
}


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
            # The start characters of the rules in use (None if a rule has none known: then
            # the shortcut is never taken).
            if any(name not in RULE_STARTS for name in self.rules):
                return None
            chars = set(_ALWAYS_SLOW).union(*(RULE_STARTS[name] for name in self.rules))
            slow = "".join(sorted(chars - {"*"}))
            cached = re.compile("[" + re.escape(slow) + "]")
            self._sagenotes_others = cached
        return cached


def strong_pairs(src: str) -> list[Token] | None:
    """``src`` as text and strong tokens when its ``*`` are well-formed ``**`` pairs."""
    stars = src.count("*")
    if not stars:
        return [{"type": "text", "raw": src}]
    pairs = list(_PAIR.finditer(src))
    if 4 * len(pairs) != stars:
        return None  # a lone "*", or a run of three or more
    tokens: list[Token] = []
    pos = 0
    for pair in pairs:
        start, end = pair.span()
        if start < pos or (start == pos and pos > 0):
            return None  # two pairs touching: a run of four
        if not _can_open(_char(src, start - 1), src[start + 2]):
            return None
        if not _can_close(src[end - 3], _char(src, end)):
            return None
        if start > pos:
            tokens.append({"type": "text", "raw": src[pos:start]})
        tokens.append({"type": "strong", "children": [{"type": "text", "raw": pair.group(1)}]})
        pos = end
    if pos < len(src):
        tokens.append({"type": "text", "raw": src[pos:]})
    return tokens


def _char(src: str, index: int) -> str:
    """The character at ``index``; the start and end of the text count as a line break."""
    return src[index] if 0 <= index < len(src) else "\n"


def _punctuation(char: str) -> bool:
    return flanking_punctuation(char)  # Hangul counts, as in mistune (..inlinerules)


def _can_open(before: str, after: str) -> bool:
    """A left-flanking run, as mistune judges it for ``*``."""
    if after.isspace():
        return False
    return not (_punctuation(after) and not before.isspace() and not _punctuation(before))


def _can_close(before: str, after: str) -> bool:
    """A right-flanking run, as mistune judges it for ``*``."""
    if before.isspace():
        return False
    return not (_punctuation(before) and not after.isspace() and not _punctuation(after))
