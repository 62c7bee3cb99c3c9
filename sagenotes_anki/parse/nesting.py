"""How deep a note's lists and quotes nest, followed line by line before mistune sees them."""

from __future__ import annotations

import re

MAX_NESTING = 32
"""How deep lists and quotes may nest in a note (the corpus nests at most 4 deep).

A line's depth is the number of list items it stands in, by indentation, plus the quote
markers (``>``) it starts with. mistune's work grows with the depth times the text under it
(a 10,000-level list took minutes and gigabytes), so a deeper note is refused before it is
parsed, on the line that passes the limit.
"""

# A quote marker, or a list marker followed by a space, a tab or the end of the line.
_CONTAINER = re.compile(r"[ \t]*(>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))")
_THEMATIC = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
PLAIN_START = frozenset(" \t>-*+0123456789")  # what a line with a marker starts with
_BULLETS = frozenset("-*+")
_GAP = frozenset((" ", "\t", ""))  # what follows a bullet marker


# A line whose leading quote markers, list markers and spaces reach this many columns (a
# tab counts 4): only such a line can stand deeper than MAX_NESTING (each level takes a
# column or two), so the nesting of a body without one is not followed at all.
_DEEP_START = re.compile(rf"\n[ \t>*+\-.)0-9\u00a0\u3000]{{{MAX_NESTING // 4},}}")


def may_nest_deep(body: str) -> bool:
    """Whether ``body`` may nest deeper than MAX_NESTING (False: it certainly does not).

    A level is a quote marker (a column) or a list item inside the one before (its marker
    at or right of that item's content, two columns on): MAX_NESTING levels take more than
    MAX_NESTING columns before the line's text. Comments, which the walk removes, could
    bring such a start together, so a body with one is always followed.
    """
    if "%%" in body or "<!--" in body:
        return True
    return any(
        len(m.group().expandtabs(4)) > MAX_NESTING for m in _DEEP_START.finditer("\n" + body)
    )


class Nesting:
    """The list items open at each line, by their content columns (CommonMark's rule: a
    marker at or right of an item's content column opens an item inside it)."""

    def __init__(self) -> None:
        self.columns: list[int] = []  # content columns of the open items, innermost last
        self.quotes = 0  # the quote markers of the line before

    def margin(self, after_text: bool) -> int:
        """A line of text at the margin: it closes every list unless it continues a
        paragraph (a lazy continuation line), and every quote."""
        if self.columns and not after_text:
            self.columns.clear()
        self.quotes = 0
        return 0

    def depth(self, line: str, after_text: bool) -> int:
        """The nesting of ``line``; ``after_text``: the line before held text (so a line
        less indented may be a lazy continuation, which closes nothing)."""
        first = line[:1]
        if first not in PLAIN_START or (first in _BULLETS and line[1:2] not in _GAP):
            return self.margin(after_text)  # "**bold**" text: no marker either
        third = line[2:3]
        if (
            first in _BULLETS
            and line[1:2] == " "
            and (third not in PLAIN_START or (third in _BULLETS and line[3:4] not in _GAP))
        ):
            self.columns[:] = (2,)  # "- text", the other common line: a top-level item
            self.quotes = 0
            return 1
        if "\t" in line:
            line = line.expandtabs(4)
        position, quotes = 0, 0
        markers: list[tuple[int, int]] = []  # (marker column, content column)
        found = _CONTAINER.match(line)
        while found is not None:
            end = found.end()
            if found.group(1) == ">":
                quotes += 1
            else:
                after = line[end : end + 5]
                spaces = len(after) - len(after.lstrip(" "))
                markers.append((found.start(1), end + (spaces if 1 <= spaces <= 4 else 1)))
            position = end
            # Past the limit on this line alone: enough to know (a rule is told apart below).
            found = _CONTAINER.match(line, end) if quotes + len(markers) <= MAX_NESTING else None
        if quotes != self.quotes:
            self.columns.clear()  # another quote: its lists are its own
            self.quotes = quotes
        if len(markers) >= 3 and _THEMATIC.fullmatch(line):
            markers = []  # "* * *" is a rule, not three lists
        if not markers:
            text = len(line) - len(line[position:].lstrip(" "))
            if not after_text and text < len(line):
                while self.columns and self.columns[-1] > text:
                    self.columns.pop()
            return quotes + len(self.columns)
        for column, content in markers:
            while self.columns and column < self.columns[-1]:
                self.columns.pop()
            self.columns.append(content)
        return quotes + len(self.columns)
