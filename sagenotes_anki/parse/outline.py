"""A note's blocks -> its sections: the heading level its template sections stand at,
quotes and callouts unwrapped, sentence-like Setext headings read as paragraphs.

A note's sections are cut at one heading level: H2 in the template, but a vault may shift
it (H1 sections under an H1 title, or H3 sections under an H2), so the level is the one
whose headings name template sections. Subheadings below it group concepts and title flows
(:mod:`extract`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .mdast import Block
from .richtext import Token
from .sections import SectionNames

TEMPLATE = ("keypoint", "explanation", "concepts", "question")
SECTION_KINDS = ("keypoint", "explanation", "concepts", "practical", "question", "tradeoffs")
_CALLOUT = re.compile(r"\s*\[![\w-]+\][+-]?[^\n]*\n?")


@dataclass
class Section:
    """The blocks under one section heading."""

    kind: str  # one of SECTION_KINDS, "" when the heading is not recognised
    heading: str
    line: int
    level: int
    blocks: list[Block] = field(default_factory=list)


def heading_kind(block: Block, names: SectionNames) -> str:
    """The section kind a heading names, or ""."""
    return _kind(names, block.text().plain())


@functools.lru_cache(maxsize=1024)  # asked several times per heading, headings repeat
def _kind(names: SectionNames, heading: str) -> str:
    return next((k for k in SECTION_KINDS if names.matches(k, heading)), "")


def flatten_quotes(blocks: list[Block]) -> list[Block]:
    """Quotes and Obsidian callouts replaced by the blocks inside them.

    ``> [!success]- 정답`` callouts hide answers, key points or concepts; read as quoted,
    they would be skipped. The callout line itself (``[!type] title``) is dropped. Blocks
    from a quote get the quote's first line (list items are still found on their lines).
    """
    out: list[Block] = []
    for block in blocks:
        if block.type != "block_quote":
            out.append(block)
            continue
        callout = _CALLOUT.match(_first_text(block.token)) is not None
        for index, child in enumerate(c for c in block.token.get("children", ()) if c):
            token = without_callout(child) if index == 0 else child
            if callout:  # a reader that shows callouts as boxes finds the whole callout
                token = {**token, CALLOUT_OF: block.token}
            if token.get("type") == "paragraph" and not token.get("children"):
                continue  # only the callout line was there
            out.append(Block(str(token.get("type")), block.line, token, block.source))
    return out


CALLOUT_OF = "_sagenotes_callout"
"""The key of a block read from a callout that holds the callout's quote token."""


def _first_text(quote: Token) -> str:
    first = (quote.get("children") or [{}])[0]
    inner = (first.get("children") or [{}]) if first.get("type") == "paragraph" else [{}]
    return str(inner[0].get("raw", "")) if inner[0].get("type") == "text" else ""


def demote_setext(blocks: list[Block], names: SectionNames) -> list[Block]:
    """Blocks with sentence-like Setext headings turned back into paragraphs.

    ``text`` directly followed by a ``---`` rule line is, to Markdown, a Setext heading.
    Notes use the rule as a separator after a key-point sentence; a long heading ending
    like a sentence and naming no section was meant as that paragraph.
    """
    out = []
    for block in blocks:
        token = block.token
        setext = token.get("style") == "setext"
        if setext and _sentence(block.text().plain()) and not heading_kind(block, names):
            block = Block("paragraph", block.line, {**token, "type": "paragraph"}, block.source)
        out.append(block)
    return out


def _sentence(text: str) -> bool:
    text = text.strip()
    return len(text.split()) >= 6 or text.endswith((".", "?", "!", "\u3002", "다"))


def section_level(blocks: list[Block], names: SectionNames) -> int:
    """The heading level the note's template sections stand at (2 unless clearly shifted)."""
    seen: dict[int, set[str]] = {}
    for block in blocks:
        if block.type == "heading":
            kind = heading_kind(block, names)
            if kind in TEMPLATE:
                seen.setdefault(block.level, set()).add(kind)
    if 2 in seen or not seen:
        return 2
    # A single stray "### Explanation" deep in a free-form note does not make a template.
    level = max(seen, key=lambda lv: (len(seen[lv]), -lv))
    return level if len(seen[level]) >= 2 else 2


def split_sections(blocks: list[Block], names: SectionNames, level: int) -> list[Section]:
    """One section per heading at ``level``; a higher heading closes the current one."""
    sections: list[Section] = []
    for block in blocks:
        if block.type == "heading" and block.level <= level:
            kind = heading_kind(block, names) if block.level == level else ""
            heading = block.text().plain().strip()
            sections.append(Section(kind, heading, block.line, block.level))
        elif sections:
            sections[-1].blocks.append(block)
    return sections


def without_callout(token: Token) -> Token:
    """A quote's paragraph without its ``[!tip] Title`` callout line."""
    children = list(token.get("children", ()))
    if token.get("type") != "paragraph" or not children:
        return token
    first = children[0]
    if first.get("type") != "text" or not _CALLOUT.match(str(first.get("raw", ""))):
        return token
    rest = _CALLOUT.sub("", str(first.get("raw", "")), count=1)
    tail = children[1:]
    while tail and tail[0].get("type") == "softbreak" and not rest:
        tail = tail[1:]
    head = [{"type": "text", "raw": rest}] if rest else []
    return {**token, "children": head + tail}
