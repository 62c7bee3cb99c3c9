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

# Only the opener is matched here; its closer is looked for with str.find within a bounded
# window (:func:`parse_math`), so a text of many unclosed openers is read in linear time.
# A "$" right before "]" opens nothing: Anki's own LaTeX markup ("[$]x[/$]") stays text.
MATH_PATTERN = r"\$\$(?!\])|\\\(|\\\[|\$(?![\s$\]])"
_CLOSERS = {"$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_REACH = {"$$": 4000, "\\(": 2000, "\\[": 4000, "$": 1000}  # the longest TeX looked for
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
    """A math token from an opener to its closer; without a closer, the opener is text
    (``\\(`` and ``\\[`` are then escapes, as mistune reads them)."""
    src: str = state.src
    opener = m.group(0)
    start = m.end()
    end = _closing(src, opener, start)
    if end < 0 or _SPACE_ONLY.fullmatch(src, start, end):
        if opener[0] == "\\":
            inline.process_text(opener[1], state, parse_emphasis=False)
            return m.end()
        return None
    display = opener in ("$$", "\\[")
    token = {"type": "sagenotes_math", "raw": src[start:end], "attrs": {"display": display}}
    state.append_token(token)
    return end + len(_CLOSERS.get(opener, "$"))


def _closing(src: str, opener: str, start: int) -> int:
    """Where the closer of ``opener`` starts (-1 when there is none within reach)."""
    limit = start + _REACH[opener]
    if opener != "$":
        return src.find(_CLOSERS[opener], start, limit)
    # One "$": the next "$" on the line that is not escaped; it closes only when no space
    # stands before it and no digit after it ("$5 and $6" is money).
    line_end = src.find("\n", start, limit)
    stop = limit if line_end < 0 else line_end
    at = src.find("$", start, stop)
    while at > 0 and src[at - 1] == "\\":
        at = src.find("$", at + 1, stop)
    if at < 0 or src[at - 1].isspace() or src[at + 1 : at + 2].isdigit():
        return -1
    return at


# The characters the math rule can start with (the inline shortcut gives up on them).
MATH_RULE = "sagenotes_math"
MATH_STARTS = ("$", "\\")


def plugin(md: Any) -> None:
    """The mistune plugin: the math rule, before escapes; Obsidian's emphasis test; tables
    inside list items and quotes, as Obsidian reads them (after mistune's table plugin)."""
    from mistune.plugins.table import table_in_list, table_in_quote

    install()
    table_in_list(md)
    table_in_quote(md)
    md.inline.register(
        MATH_RULE, MATH_PATTERN, parse_math, before="escape", start_chars=MATH_STARTS
    )
