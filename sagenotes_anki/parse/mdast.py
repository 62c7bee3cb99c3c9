"""mistune 3's AST with line numbers, and its inline tokens as :class:`RichText`.

mistune's tokens carry no positions. The block parser appends each top-level token while its
cursor still points at the token's first character, so a ``BlockState`` subclass records
that cursor; it is turned into a line of the original file (front matter included). List
items get their lines by scanning the list's source for markers at the list's indentation.
Raw AST dicts stay inside the parser modules.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.plugins import import_plugin

from ..model import RichText, Span, SpanKind
from .obsidian import transform
from .shortcuts.blocks import plain_blocks
from .shortcuts.inline import ShortcutInline
from .shortcuts.lists import item_openers, simple_list

Token = dict[str, Any]
_POS = "_sagenotes_pos"
# Several readers ask for the same token's text; it is converted once and kept in the token,
# with the children it came from, so a token copied with other children is converted anew.
_TEXT = "_sagenotes_text"
_ITEM = "_sagenotes_item_text"
_LINES = "_sagenotes_item_lines"
_CHECKBOX = re.compile(r"\[[ xX]\][ \t]+")
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

    def parse_list(self, m: re.Match[str], state: BlockState) -> int:
        """A plain top-level list by the shortcut (:mod:`fastlist`), any other by mistune."""
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
        return super().parse_list(m, state)


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
    plugins = [import_plugin("strikethrough"), import_plugin("table")]
    block = _PositionParser()
    block.fast_lists = shortcuts
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


def inline(tokens: Iterable[Token]) -> RichText:
    """Inline tokens as RichText: bold, emphasis, code, links and raw HTML kept."""
    return RichText(tuple(_merge(_spans(tokens))))


def item_text(item: Token) -> RichText:
    """A list item's text; paragraphs and nested bullets on their own lines."""
    children = item.get("children", ())
    cached = item.get(_ITEM)
    if cached is not None and cached[0] is children:
        return cached[1]  # type: ignore[no-any-return]
    text = _item_text(children)
    item[_ITEM] = (children, text)
    return text


def _item_text(children: Iterable[Token]) -> RichText:
    spans: list[Span] = []
    for child in children:
        kind = child.get("type")
        if kind in ("block_text", "paragraph", "heading"):
            part = list(_spans(child.get("children", ())))
        elif kind == "list":
            part = []
            attrs = child.get("attrs", {})
            start = int(attrs.get("start", 1)) if attrs.get("ordered") else 0
            for number, sub in enumerate(child.get("children", ()), start=start):
                marker = f"{number}. " if start else "- "  # a numbered list keeps its numbers
                part += [Span("linebreak"), Span("text", marker), *item_text(sub).spans]
            if not spans and part:
                part = part[1:]
        elif kind == "block_code":
            part = [Span("codespan", str(child.get("raw", "")).rstrip("\n"))]
        elif kind == "block_html":
            part = [Span("html", str(child.get("raw", "")).strip())]
        else:
            continue
        if spans and part and part[0].kind != "linebreak":
            spans.append(Span("linebreak"))
        spans += part
    return RichText(tuple(_without_checkbox(_merge(spans))))


def _without_checkbox(spans: list[Span]) -> list[Span]:
    """A task item (``- [ ] **Term**: ...``) without its checkbox."""
    if spans and spans[0].kind == "text" and _CHECKBOX.match(spans[0].text):
        rest = _CHECKBOX.sub("", spans[0].text, count=1)
        return ([Span("text", rest)] if rest else []) + spans[1:]
    return spans


_SUMMARY = re.compile(r"<summary\b[^>]*>.*?</summary\s*>", re.IGNORECASE | re.DOTALL)
# What a card never shows of HTML: code, styles, embedded objects (as render.py drops them).
_HIDDEN_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


def html_block(token: Token) -> RichText:
    """A block of raw HTML (``<p>``, ``<div>``, ``<table>``, ``<details>``) as text for a
    card, its ``<summary>`` (a fold's title) left out; empty when it shows no text.

    The HTML stays in an ``html`` span, sanitised when the card is rendered.
    """
    raw = _SUMMARY.sub("", str(token.get("raw", ""))).strip()
    return RichText((Span("html", raw),)) if _shown(raw) else RichText()


def html_text(token: Token) -> str:
    """The text a block of raw HTML shows: no tags, comments, scripts, styles or summary."""
    return _shown(_SUMMARY.sub("", str(token.get("raw", ""))))


def _shown(raw: str) -> str:
    import html

    import nh3  # only for notes with block HTML

    return html.unescape(nh3.clean(raw, tags=set(), clean_content_tags=_HIDDEN_CONTENT)).strip()


def split_lines(text: RichText) -> list[RichText]:
    """The text cut at its line breaks (soft or hard) outside nested markup."""
    lines: list[list[Span]] = [[]]
    for span in text.spans:
        if span.kind == "linebreak":
            lines.append([])
        elif span.kind == "text" and "\n" in span.text:
            first, *more = span.text.split("\n")
            lines[-1].append(Span("text", first))
            lines += [[Span("text", part)] for part in more]
        else:
            lines[-1].append(span)
    return [RichText(tuple(s for s in line if s.kind != "text" or s.text)) for line in lines]


def join_lines(lines: Sequence[RichText]) -> RichText:
    """Lines back as one text, joined by soft line breaks."""
    spans: list[Span] = []
    for index, line in enumerate(lines):
        if index:
            spans.append(Span("text", "\n"))
        spans += line.spans
    return RichText(tuple(_merge(spans)))


def join(texts: Iterable[RichText]) -> RichText:
    """Several texts on separate lines."""
    spans: list[Span] = []
    for text in texts:
        if not text.spans:
            continue
        if spans:
            spans.append(Span("linebreak"))
        spans += text.spans
    return RichText(tuple(spans))


_CONTAINERS: dict[str, SpanKind] = {
    "strong": "strong",
    "emphasis": "emphasis",
    "strikethrough": "strike",
}


def _spans(tokens: Iterable[Token]) -> Iterable[Span]:
    for token in tokens:
        kind = token.get("type")
        raw = str(token.get("raw", ""))
        children = token.get("children", ())
        if kind == "text":
            yield Span("text", raw)
        elif kind == "softbreak":
            yield Span("text", "\n")
        elif kind == "linebreak":
            yield Span("linebreak")
        elif kind == "codespan":
            yield Span("codespan", raw)
        elif kind in ("inline_html", "block_html"):
            if not raw.lstrip().startswith("<!--"):  # a comment never reaches a card
                yield Span("html", raw)
        elif kind in _CONTAINERS:
            yield Span(_CONTAINERS[kind], children=tuple(_merge(_spans(children))))
        elif kind == "image":
            # Media are not packaged: the alt text, else the file name, stands for it.
            url = str(token.get("attrs", {}).get("url", ""))
            alt = list(_merge(_spans(children)))
            yield from alt if alt else [Span("text", url.rsplit("/", 1)[-1])]
        elif kind == "link":
            url = str(token.get("attrs", {}).get("url", ""))
            yield Span("link", children=tuple(_merge(_spans(children))), url=url)
        elif children:
            yield from _spans(children)
        elif raw:
            yield Span("text", raw)


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Adjacent plain-text spans as one (so equal texts compare equal), Obsidian syntax read."""
    out: list[Span] = []
    run: list[str] = []  # the texts of the plain run being gathered, joined once (linear)
    for span in spans:
        if span.kind == "text":
            if span.text:
                run.append(span.text)
            continue
        if run:
            out.append(Span("text", "".join(run)))
            run = []
        out.append(span)
    if run:
        out.append(Span("text", "".join(run)))
    return transform(out)


def strip(text: RichText) -> RichText:
    """The text without leading and trailing whitespace."""
    spans = list(text.spans)
    while spans and spans[0].kind in ("text", "linebreak") and not spans[0].text.strip():
        spans.pop(0)
    while spans and spans[-1].kind in ("text", "linebreak") and not spans[-1].text.strip():
        spans.pop()
    if spans and spans[0].kind == "text":
        spans[0] = Span("text", spans[0].text.lstrip())
    if spans and spans[-1].kind == "text":
        spans[-1] = Span("text", spans[-1].text.rstrip())
    return RichText(tuple(spans))


def drop_prefix(text: RichText, count: int) -> RichText:
    """The text without its first ``count`` characters of plain text (labels such as 'A) ')."""
    spans, _ = _drop(text.spans, count)
    return RichText(tuple(spans))


def _drop(spans: Sequence[Span], count: int) -> tuple[list[Span], int]:
    out: list[Span] = []
    for span in spans:
        if count <= 0:
            out.append(span)
            continue
        size = len(RichText((span,)).plain())
        if size <= count:
            count -= size
        elif span.kind == "text":
            out.append(Span("text", span.text[count:]))
            count = 0
        elif span.children and span.kind != "link":
            children, count = _drop(span.children, count)
            out.append(Span(span.kind, children=tuple(children), url=span.url))
        else:
            out.append(span)  # code or a link is never split: keep it whole
            count = 0
    return out, count
