"""A shortcut through mistune's block parser for notes made only of plain blocks.

A study note is mostly headings, paragraphs, fenced diagrams and plain lists, separated by
blank lines. For such a body the top-level tokens follow from a walk over its lines, with
mistune's own start pattern (``sc``, every block rule it has) deciding at each line whether
a block begins and which, and its own methods making headings, fences and rules.
:func:`plain_blocks` makes the tokens mistune's block parser makes (without its
``blank_line`` tokens, which no reader uses), each stamped with where it starts, and gives
up at the first line that needs mistune's other rules: quotes, HTML, indented lines, setext
headings, tables, link definitions, a list that is not plain.
Inline text is parsed afterwards, by mistune, as usual. ``tests/test_fastblock.py``
compares the result with mistune's on real notes and random documents.
"""

from __future__ import annotations

import re
from typing import Any

from mistune.block_parser import BlockParser
from mistune.core import BlockState

from .lists import item_openers, may_open_block, simple_list

Token = dict[str, Any]

# A line that starts with whitespace other than spaces and tabs (a no-break space, a form
# feed): mistune's blank-line and paragraph rules disagree about such lines.
_ODD_SPACE = re.compile(r"^[ \t]*[^\S \t\n]", re.M)


def plain_blocks(block: BlockParser, state: BlockState, pos_key: str) -> bool:
    """Put the top-level tokens of ``state.src`` in ``state.tokens``, or give up (False,
    ``state.tokens`` then incomplete) when the body is not plain.

    Headings, fences and rules are made by ``block``'s own methods; ``pos_key`` names the
    field that receives each token's start offset.
    """
    src = state.src
    if _ODD_SPACE.search(src):
        return False
    sc = block.compile_sc()
    openers = item_openers(block)
    pos, end = 0, len(src)
    after_paragraph = False
    while pos < end:
        newline = src.find("\n", pos)
        m = sc.match(src, pos) if may_open_block(src[pos : newline + 1]) else None
        if m is None:
            if src[pos] in " \t":
                return False  # an indented line: code, or a continuation
            stop = _paragraph_end(src, pos, sc)
            state.append_token({"type": "paragraph", "text": src[pos:stop], pos_key: pos})
            pos, after_paragraph = stop, True
            continue
        rule = m.lastgroup
        found: int | None
        if rule == "blank_line":
            pos, after_paragraph = m.end(), False
            continue
        if rule == "atx_heading":
            found = block.parse_atx_heading(m, state)
        elif rule == "fenced_code":
            found = block.parse_fenced_code(m, state)
        elif rule == "thematic_break" or (rule == "setex_heading" and not after_paragraph):
            # "---" under a blank line: mistune's setext rule hands it to the thematic break.
            rule_break = block.compile_sc(["thematic_break"]).match(src, pos)
            found = None if rule_break is None else block.parse_thematic_break(rule_break, state)
        elif rule == "list":
            listed = simple_list(src, pos, openers, after_paragraph=after_paragraph)
            found = None
            if listed is not None:
                state.append_token(listed[0])
                found = listed[1]
        else:
            found = None
        if found is None:
            return False
        state.tokens[-1][pos_key] = pos
        pos, after_paragraph = found, False
    return True


def _paragraph_end(src: str, pos: int, sc: re.Pattern[str]) -> int:
    """Where a paragraph starting at ``pos`` ends: at a blank line or a block's first line."""
    start = pos
    while pos < len(src):
        newline = src.find("\n", pos)
        stop = len(src) if newline < 0 else newline + 1
        if pos > start and may_open_block(src[pos:stop]) and sc.match(src, pos):
            break
        pos = stop
    return pos
