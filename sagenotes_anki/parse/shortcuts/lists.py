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

from mistune.block_parser import BlockParser

# An item line: up to three spaces, a bullet or number, one to four spaces, then the content
# (five or more spaces would make the content an indented code block inside the item).
_ITEM = re.compile(r"( {0,3})([-*+]|(\d{1,9})[.)])( {1,4})(\S[^\t\n]*)\n")
_BLANK = re.compile(r"[ \t]*(?:\n|$)")
# After a blank line, a line that may still belong to the list (indented content, or
# another item, which would make the list loose) is left to mistune; so is a quote, which
# mistune's list reader parses itself and may place before tokens that precede it.
_MAY_CONTINUE = re.compile(r"[ \t>]|(?:[-*+]|\d{1,9}[.)])(?:[ \t]|\n)")


def simple_list(
    src: str, start: int, start_of_content: Pattern[str], *, after_paragraph: bool = False
) -> tuple[Any, int] | None:
    """The list token for the list whose first line starts at ``start``, and where it ends.

    None when the list is not plain; ``start_of_content`` matches an item content that
    would open a block of its own (a heading, a quote, a fence, HTML, a nested list...).
    ``after_paragraph``: the list's first line comes right under a paragraph's last line.
    """
    first = _ITEM.match(src, start)
    if first is None:
        return None
    spaces, marker, number = first.group(1), first.group(2), first.group(3)
    bullet = marker[-1]
    if number is not None and int(number) != 1 and after_paragraph:
        return None  # mistune: only a list numbered from 1 may interrupt a paragraph
    ordered = number is not None
    items: list[dict[str, Any]] = []
    item: Match[str] | None = first
    while item is not None:
        content = item.group(5)
        if may_open_block(content) and start_of_content.match(content):
            return None
        items.append({"type": "list_item", "children": [{"type": "block_text", "text": content}]})
        pos = item.end()
        if pos >= len(src):
            break
        if not _BLANK.match(src, pos):
            item = _ITEM.match(src, pos)
            if item is not None and _sibling(item, spaces, bullet, ordered):
                continue
            return None  # a continuation line, or a block right after the list
        while pos < len(src) and (blank := _BLANK.match(src, pos)) is not None:
            pos = blank.end()  # blank lines after the list belong to it, as in mistune
        if pos < len(src) and _MAY_CONTINUE.match(src, pos):
            return None
        break
    attrs: dict[str, Any] = {"depth": 0, "ordered": number is not None}
    if number is not None and int(number) != 1:
        attrs["start"] = int(number)
    token = {"type": "list", "children": items, "tight": True, "bullet": bullet, "attrs": attrs}
    return token, pos


# The characters a block can start with under mistune's rules and the table plugin's; a
# line that starts otherwise opens a block only as a table's header row (with a "|").
_BLOCK_START = frozenset("#>`~<*-+_=|[")


def may_open_block(line: str) -> bool:
    """False when ``line`` cannot be the first line of a block other than a paragraph: a
    test that spares matching mistune's rules against most lines."""
    if "|" in line:
        return True
    first = line[:1]
    if not first or first in _BLOCK_START or first.isdigit() or first.isspace():
        # "**Term**" is bold, never a rule ("***") or a bullet ("* ").
        return not (line.startswith("**") and line[2:3] not in ("", " ", "\t", "*"))
    return False


def item_openers(block: BlockParser) -> Pattern[str]:
    """What a list item's first line may open besides a paragraph: ``block``'s own rules."""
    return block.compile_sc([rule for rule in block.list_rules if rule != "blank_line"])


def _sibling(item: Match[str], spaces: str, bullet: str, ordered: bool) -> bool:
    """Whether an item line continues the list: same indentation, same kind of marker."""
    marker = item.group(2)
    return item.group(1) == spaces and marker[-1] == bullet and (len(marker) > 1) == ordered
