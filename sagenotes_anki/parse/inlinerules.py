"""Inline syntax mistune reads differently from Obsidian: math, and bold next to Hangul.

- **Math.** ``$...$`` and ``$$...$$`` by Obsidian's rules (no space just inside a single
  ``$``, the closing ``$`` not followed by a digit, so "11 x $50 = $550" is money, not
  math), and ``\\(...\\)`` / ``\\[...\\]`` become ``sagenotes_math`` tokens with the TeX
  untouched: mistune would otherwise drop the backslash of ``\\[`` as an escape and read
  ``_`` and ``*`` inside the TeX as emphasis. The rule runs before mistune's escapes.
- **Emphasis next to Hangul.** CommonMark's flanking test calls a run of ``**`` after a
  bracket and before a letter (``**(x)**이``) no closer, so the asterisks stay; Obsidian
  shows it bold, as Korean writers expect (the particle is glued to the word). Hangul
  letters count as punctuation for that test (:func:`flanking_punctuation`), which makes
  ``**"A"**로`` and ``이**(x)**`` bold and changes nothing where a space or another letter
  stands beside the run. mistune's own test is replaced by this one (:func:`install`); the
  parser shortcut (:mod:`.shortcuts.inline`) asks the same function.
- **Tables in list items and quotes** are read, as Obsidian reads them (mistune reads
  top-level tables only, unless told).
"""

from __future__ import annotations

import re
from typing import Any

from mistune._inline import emphasis as _emphasis

# Lengths are bounded so that a text of many unclosed openers is read in linear time.
MATH_PATTERN = (
    r"\$\$(?P<math_dollars>(?:[^$\\]|\\[\s\S]){1,4000}?)\$\$"
    r"|\\\((?P<math_paren>[\s\S]{1,2000}?)\\\)"
    r"|\\\[(?P<math_bracket>[\s\S]{1,4000}?)\\\]"
    r"|\$(?![\s$])(?P<math_dollar>(?:[^$\\\n]|\\.){1,1000}?)(?<![\s\\])\$(?!\d)"
)
_SPACE_ONLY = re.compile(r"\s*")


def _hangul(char: str) -> bool:
    code = ord(char) if len(char) == 1 else 0
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def flanking_punctuation(char: str) -> bool:
    """Punctuation for the emphasis flanking test: CommonMark's, and Hangul letters."""
    return not char.isspace() and (not char.isalnum() or _hangul(char))


def install() -> None:
    """mistune's emphasis flanking test reads Hangul as Obsidian does (idempotent)."""
    _emphasis._is_punctuation = flanking_punctuation


def parse_math(inline: Any, m: re.Match[str], state: Any) -> int | None:
    """A math token; None (mistune then reads the characters as text) when it is empty."""
    groups = m.groupdict()
    display = groups["math_dollars"] is not None or groups["math_bracket"] is not None
    tex = next(groups[g] for g in _GROUPS if groups[g] is not None)
    if _SPACE_ONLY.fullmatch(tex):
        return None
    state.append_token({"type": "sagenotes_math", "raw": tex, "attrs": {"display": display}})
    return m.end()


_GROUPS = ("math_dollars", "math_paren", "math_bracket", "math_dollar")


def plugin(md: Any) -> None:
    """The mistune plugin: the math rule, before escapes; Obsidian's emphasis test; tables
    inside list items and quotes, as Obsidian reads them (after mistune's table plugin)."""
    from mistune.plugins.table import table_in_list, table_in_quote

    install()
    table_in_list(md)
    table_in_quote(md)
    md.inline.register(
        "sagenotes_math", MATH_PATTERN, parse_math, before="escape", start_chars=("$", "\\")
    )
