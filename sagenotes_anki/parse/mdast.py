"""mistune 3's AST with line numbers: the top-level blocks of a note's body.

mistune's tokens carry no positions. The block parser appends each top-level token while its
cursor still points at the token's first character, so a ``BlockState`` subclass records
that cursor; it is turned into a line of the original file (front matter included). List
items get their lines by scanning the list's source for markers at the list's indentation.
Raw AST dicts stay inside the parser modules; inline tokens become RichText in
:mod:`richtext`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.plugins import import_plugin

from ..model import RichText
from . import inlinerules
from .richtext import Token, inline
from .shortcuts.blocks import plain_blocks
from .shortcuts.inline import ShortcutInline
from .shortcuts.lists import item_openers, simple_list

_POS = "_sagenotes_pos"
# Several readers ask for the same token's text; it is converted once and kept in the token,
# with the children it came from, so a token copied with other children is converted anew.
_TEXT = "_sagenotes_text"
_LINES = "_sagenotes_item_lines"
_ITEM_MARKER = re.compile(r"(?:>[ \t]?)*([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


class _PositionParser(BlockParser):
    """Records where each top-level token starts: the match that produced it."""

    fast_lists = True
    _open = 0  # top-level parse methods running: 2 while a block parses the one after it

    def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
        """Parse as mistune does, then stamp new top-level tokens with the match start."""
        if state.parent is not None:
            return super().parse_method(m, state)
        before = len(state.tokens)
        self._open += 1
        try:
            end = super().parse_method(m, state)
        finally:
            self._open -= 1
        for token in state.tokens[before:]:
            token.setdefault(_POS, m.start())
        return end

    def main_loop_list(self, m: re.Match[str], state: BlockState) -> int:
        """A plain top-level list by the shortcut (:mod:`shortcuts.lists`), any other by
        mistune; registered as the ``list`` rule's method."""
        # Only a list the main loop found: one that ends a quote or another list is placed
        # among the tokens by that block's own rules.
        if self.fast_lists and state.parent is None and self._open == 1:
            last = state.last_token()
            after = last is not None and last["type"] == "paragraph"
            found = simple_list(state.src, m.start(), item_openers(self), after_paragraph=after)
            if found is not None:
                token, end = found
                state.append_token(token)
                state.cursor = end
                return end
        return self.parse_list(m, state)


class _PositionState(BlockState):
    """Records where each top-level paragraph starts (paragraphs bypass parse_method)."""

    def add_paragraph(self, text: str) -> None:
        """Add paragraph text as mistune does, stamping a new paragraph with the cursor."""
        last = self.last_token()
        continues = last is not None and last["type"] == "paragraph"
        super().add_paragraph(text)
        if self.parent is None and not continues:
            self.tokens[-1].setdefault(_POS, self.cursor)


def _markdown(*, shortcuts: bool = True) -> mistune.Markdown:
    """The parser; without ``shortcuts`` mistune does all the work (to compare against)."""
    plugins = [import_plugin("strikethrough"), import_plugin("table"), inlinerules.plugin]
    block = _PositionParser()
    block.fast_lists = shortcuts
    # mistune's way to give a rule another method: the list rule, through the shortcut.
    block.register("list", None, _PositionParser.main_loop_list)
    inline = ShortcutInline()
    inline.shortcut = shortcuts
    return mistune.Markdown(renderer=None, block=block, inline=inline, plugins=plugins)


_MARKDOWN = _markdown()


@dataclass(frozen=True)
class Block:
    """A top-level block of the body and the line of the file it starts on."""

    type: str
    line: int
    token: Token
    source: Sequence[str]  # the file's lines, for locating list items

    def __init__(self, type: str, line: int, token: Token, source: Sequence[str]) -> None:
        # One per block of every note: filled directly, as model.Span's __init__ explains.
        d = self.__dict__
        d["type"] = type
        d["line"] = line
        d["token"] = token
        d["source"] = source

    @property
    def level(self) -> int:
        """The heading level (0 for other blocks)."""
        return int(self.token.get("attrs", {}).get("level", 0)) if self.type == "heading" else 0

    def text(self) -> RichText:
        """The inline text of a heading or paragraph."""
        children = self.token.get("children", ())
        cached = self.token.get(_TEXT)
        if cached is not None and cached[0] is children:
            return cached[1]  # type: ignore[no-any-return]
        text = inline(children)
        self.token[_TEXT] = (children, text)
        return text

    def items(self) -> list[tuple[Token, int]]:
        """The items of a list block with the line each starts on."""
        # Every reader walks the lists: the lines are found once per block and kept.
        cached = self.token.get(_LINES)
        if cached is not None and cached[0] == self.line and cached[1] is self.source:
            return list(cached[2])
        children = [c for c in self.token.get("children", ()) if c.get("type") == "list_item"]
        lines = _item_lines(self.source, self.line, len(children))
        found = list(zip(children, lines, strict=True))
        self.token[_LINES] = (self.line, self.source, found)
        return list(found)


def parse_blocks(
    body: str, first_line: int, file_lines: Sequence[str], inserted: Sequence[int] = ()
) -> list[Block]:
    """The body's top-level blocks (blank lines dropped) with their lines in the file.

    ``inserted`` lists the (0-based) lines of ``body`` that are not in the file: blank
    lines the pre-pass added; they are skipped when counting lines.
    """
    tokens, state = _parse(body)
    starts = [m.start() for m in re.finditer("\n", state.src)]
    blocks = []
    for token in tokens:
        if token.get("type") == "blank_line":
            continue
        pos = int(token.get(_POS, 0))
        index = bisect.bisect_left(starts, pos)
        line = first_line + index - bisect.bisect_left(inserted, index)
        blocks.append(Block(str(token["type"]), line, token, file_lines))
    return blocks


def _parse(body: str) -> tuple[list[Token], BlockState]:
    """mistune's tokens for ``body``: by the plain-note shortcut if it applies."""
    block = _MARKDOWN.block
    assert isinstance(block, _PositionParser)
    if block.fast_lists:
        state = _PositionState()
        state.process(body if body.endswith("\n") else body + "\n")
        if plain_blocks(block, state, _POS):
            rendered = _MARKDOWN.render_state(state)
            assert isinstance(rendered, list)
            return rendered, state
    state = _PositionState()
    tokens, _ = _MARKDOWN.parse(body, state)
    assert isinstance(tokens, list)
    return tokens, state


def _item_lines(source: Sequence[str], line: int, count: int) -> list[int]:
    """The lines of a list's items: markers at the first item's indentation."""
    found: list[int] = []
    indent: str | None = None
    index = line - 1
    while index < len(source) and len(found) < count:
        match = _ITEM_MARKER.match(source[index])
        if match and (indent is None or match.group(1) == indent):
            indent = match.group(1)
            found.append(index + 1)
        index += 1
    # A list mistune saw but the scan missed keeps its own line rather than failing.
    return found + [line] * (count - len(found))
