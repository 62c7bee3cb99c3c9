"""A shortcut through mistune's block parser for notes made only of plain blocks.

A study note is mostly headings, paragraphs, fenced diagrams and plain lists, separated by
blank lines. For such a body the top-level tokens follow from a walk over its lines, with
mistune's own start pattern (``sc``, every block rule it has) deciding at each line whether
a block begins and which. :func:`plain_blocks` makes the tokens mistune's block parser makes
(without its ``blank_line`` tokens, which no reader uses), each stamped with where it starts,
and gives up (None) at the first line that needs mistune's other rules: quotes, HTML,
indented lines, setext headings, tables, link definitions, a list that is not plain.
Inline text is parsed afterwards, by mistune, as usual. ``tests/test_fastblock.py``
compares the result with mistune's on real notes and random documents.
"""

from __future__ import annotations

import re
import string
from re import Pattern
from typing import Any

from mistune.helpers import unescape_char

from .fastlist import may_open_block, simple_list

Token = dict[str, Any]

_ATX_TRIM = re.compile(r"(\s+|^)#+\s*$")
_THEMATIC = re.compile(r" {0,3}((?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\*[ \t]*){3,})$", re.M)
# A line that starts with whitespace other than spaces and tabs (a no-break space, a form
# feed): mistune's blank-line and paragraph rules disagree about such lines.
_ODD_SPACE = re.compile(r"^[ \t]*[^\S \t\n]", re.M)


def plain_blocks(
    src: str, sc: Pattern[str], content_start: Pattern[str], pos_key: str
) -> list[Token] | None:
    """The top-level tokens of ``src`` (ending in a newline), or None when it is not plain.

    ``sc`` is mistune's pattern of every block rule, ``content_start`` what a list item may
    open (see :func:`fastlist.simple_list`); ``pos_key`` names the field that receives each
    token's start offset.
    """
    if _ODD_SPACE.search(src):
        return None
    tokens: list[Token] = []
    pos, end = 0, len(src)
    after_paragraph = False
    while pos < end:
        newline = src.find("\n", pos)
        m = sc.match(src, pos) if may_open_block(src[pos : newline + 1]) else None
        if m is None:
            if src[pos] in " \t":
                return None  # an indented line: code, or a continuation
            stop = _paragraph_end(src, pos, sc)
            tokens.append({"type": "paragraph", "text": src[pos:stop], pos_key: pos})
            pos, after_paragraph = stop, True
            continue
        rule = m.lastgroup
        token: Token | None
        if rule == "blank_line":
            pos, after_paragraph = m.end(), False
            continue
        if rule == "atx_heading":
            token, stop = _heading(m), m.end() + 1
        elif rule == "fenced_code":
            found = _fence(m, src)
            if found is None:
                return None
            token, stop = found
        elif rule == "thematic_break" or (rule == "setex_heading" and not after_paragraph):
            # "---" under a blank line: mistune's setext rule hands it to the thematic break.
            rule_break = m if rule == "thematic_break" else _THEMATIC.match(src, pos)
            if rule_break is None:
                return None
            token, stop = {"type": "thematic_break"}, rule_break.end() + 1
        elif rule == "list":
            listed = simple_list(src, pos, content_start, after_paragraph=after_paragraph)
            if listed is None:
                return None
            token, stop = listed
        else:
            return None
        token[pos_key] = pos
        tokens.append(token)
        pos, after_paragraph = stop, False
    return tokens


def _paragraph_end(src: str, pos: int, sc: Pattern[str]) -> int:
    """Where a paragraph starting at ``pos`` ends: at a blank line or a block's first line."""
    start = pos
    while pos < len(src):
        newline = src.find("\n", pos)
        stop = len(src) if newline < 0 else newline + 1
        if pos > start and may_open_block(src[pos:stop]) and sc.match(src, pos):
            break
        pos = stop
    return pos


def _heading(m: re.Match[str]) -> Token:
    text = m.group("atx_2").strip(string.whitespace)
    if text:
        text = _ATX_TRIM.sub("", text)
    level = len(m.group("atx_1"))
    return {"type": "heading", "text": text, "attrs": {"level": level}, "style": "atx"}


def _fence(m: re.Match[str], src: str) -> tuple[Token, int] | None:
    """A fenced code block at the left margin, as mistune reads it (to its closing fence)."""
    spaces, marker, info = m.group("fenced_1"), m.group("fenced_2"), m.group("fenced_3")
    if spaces or (info and marker[0] == "`" and "`" in info):
        return None
    run = re.escape(marker[0]) + "{" + str(len(marker)) + ",}"
    closing = re.compile(r"^ {0,3}" + run + r"[ \t]*(?:\n|$)", re.M)
    begin = m.end() + 1
    found = closing.search(src, begin)
    code, stop = (src[begin : found.start()], found.end()) if found else (src[begin:], len(src))
    token: Token = {"type": "block_code", "raw": code, "style": "fenced", "marker": marker}
    if info:
        token["attrs"] = {"info": unescape_char(info).strip()}
    return token, stop
