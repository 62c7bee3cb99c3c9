"""A shortcut through mistune's list parser for the lists notes are mostly made of.

mistune parses every list item as a document of its own (a child state, a block parse, the
item's own break patterns), which is three quarters of its block-parsing time on study notes.
Most of their lists are plain: one line per item, one bullet, no indentation, nothing after
them but a blank line. For such a list the result is known without that machinery: a tight
list whose items each hold one ``block_text`` of the item's line. :func:`simple_list` builds
exactly that token and leaves everything else (nested items, continuation lines, loose
lists, tabs, a block right after the list) to mistune; ``tests/test_fastlist.py`` checks
that the tokens are the ones mistune makes.
"""

from __future__ import annotations

import re
from re import Match, Pattern
from typing import Any

# An item line: up to three spaces, a bullet, one to four spaces, then the content (five or
# more spaces would make the content an indented code block inside the item).
_ITEM = re.compile(r"( {0,3})([-*+])( {1,4})(\S[^\t\n]*)\n")
_BLANK = re.compile(r"[ \t]*(?:\n|$)")
# After a blank line, a line that may still belong to the list (indented content, or
# another item, which would make the list loose) is left to mistune.
_MAY_CONTINUE = re.compile(r"[ \t]|(?:[-*+]|\d{1,9}[.)])(?:[ \t]|\n)")


def simple_list(m: Match[str], src: str, start_of_content: Pattern[str]) -> tuple[Any, int] | None:
    """The list token for the list whose first line ``m`` matched, and where it ends.

    None when the list is not plain; ``start_of_content`` matches an item content that
    would open a block of its own (a heading, a quote, a fence, HTML, a nested list...).
    """
    first = _ITEM.match(src, m.start())
    if first is None:
        return None
    spaces, bullet = first.group(1), first.group(2)
    items: list[dict[str, Any]] = []
    pos = m.start()
    while True:
        item = _ITEM.match(src, pos)
        if item is None or item.group(1) != spaces or item.group(2) != bullet:
            return None
        content = item.group(4)
        if start_of_content.match(content):
            return None
        items.append({"type": "list_item", "children": [{"type": "block_text", "text": content}]})
        pos = item.end()
        if pos >= len(src):
            break
        if not _BLANK.match(src, pos):
            nxt = _ITEM.match(src, pos)
            if nxt is not None and nxt.group(1) == spaces and nxt.group(2) == bullet:
                continue
            return None  # a continuation line, or a block right after the list
        while pos < len(src) and (blank := _BLANK.match(src, pos)) is not None:
            pos = blank.end()  # blank lines after the list belong to it, as in mistune
        if pos < len(src) and _MAY_CONTINUE.match(src, pos):
            return None
        break
    token = {
        "type": "list",
        "children": items,
        "tight": True,
        "bullet": bullet,
        "attrs": {"depth": 0, "ordered": False},
    }
    return token, pos
