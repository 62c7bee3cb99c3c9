"""Obsidian's inline syntax, which CommonMark (and so mistune) leaves as plain text.

- ``[[Note]]``, ``[[Note|alias]]``, ``[[Note#Heading]]`` become their display text (the
  alias, else the note name, ``Note > Heading`` for a heading link): a card is not inside
  the vault, so there is nothing to link to, and raw brackets would be noise.
- ``![[image.png]]`` embeds of images become ``embed`` spans (:mod:`embeds`, which a build
  resolves to the vault's files); other embeds (``![[note]]``) become their name as text
  (the parser reports embeds with an info diagnostic).
- ``==highlight==`` becomes a ``mark`` span.
- A block id at the end of a line (``... ^my-block``) is dropped, as Obsidian hides it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Span
from .embeds import image_embeds

_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_BLOCK_ID = re.compile(r"[ \t]+\^[A-Za-z0-9-]+(?=\n|$)")
_SIZE = re.compile(r"\d+(?:x\d+)?")
_MARK = "=="
EMBED = re.compile(r"!\[\[[^\[\]\n]+\]\]")


def display(target: str, alias: str | None, *, embed: bool) -> str:
    """What Obsidian shows for a wikilink or an embed."""
    if alias is not None and alias.strip() and not (embed and _SIZE.fullmatch(alias.strip())):
        return alias.strip()
    target = target.strip()
    name, _, heading = target.partition("#")
    name, _, _ = name.partition("^")
    name = name.strip()
    if name.lower().endswith(".md"):
        name = name[:-3]
    heading = heading.lstrip("^").strip() if not heading.startswith("^") else ""
    if name and heading:
        return f"{name} > {heading}"
    return name or heading or target


def _links(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        target, bar, alias = match.group(2).partition("|")
        return display(target, alias if bar else None, embed=bool(match.group(1)))

    return _BLOCK_ID.sub("", _WIKILINK.sub(replace, text))


def transform(spans: Iterable[Span]) -> list[Span]:
    """Spans with wikilinks, embeds, highlights and block ids turned into what they show."""
    pieces: list[Span | None] = []  # None marks a "==" delimiter
    for span in spans:
        if span.kind != "text":
            pieces.append(span)
            continue
        text = span.text
        if "[[" not in text and "^" not in text and _MARK not in text and not span.children:
            # Nothing Obsidian-specific (most text): the span stays as it is, and is cheap.
            if text:
                pieces.append(Span("text", text) if span.url else span)
            continue
        if "![[" in text and not span.children:  # images as embed spans (parse/embeds.py)
            pieces += _with_images(text)
            continue
        parts = _links(span.text).split(_MARK)
        for index, part in enumerate(parts):
            if index:
                pieces.append(None)
            if part:
                pieces.append(Span("text", part))
    if None not in pieces:
        return [p for p in pieces if p is not None]
    return _pair(pieces)


def _with_images(text: str) -> list[Span | None]:
    """The pieces of a text holding ``![[image]]`` embeds: each embed a span, the text
    between read as any other text (links, ``==`` delimiters)."""
    pieces: list[Span | None] = []
    for span in image_embeds(text):
        if span.kind != "text":
            pieces.append(span)
            continue
        for index, part in enumerate(_links(span.text).split(_MARK)):
            if index:
                pieces.append(None)
            if part:
                pieces.append(Span("text", part))
    return pieces


def _pair(pieces: list[Span | None]) -> list[Span]:
    """Delimiters that open before text and close after text become ``mark`` spans."""
    out: list[Span] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if piece is not None:
            out.append(piece)
            index += 1
            continue
        close = _closing(pieces, index)
        if close is None:
            out.append(Span("text", _MARK))
            index += 1
            continue
        inner = [p for p in pieces[index + 1 : close] if p is not None]
        out.append(Span("mark", children=tuple(inner)))
        index = close + 1
    return _join_text(out)


def _closing(pieces: list[Span | None], start: int) -> int | None:
    first = pieces[start + 1] if start + 1 < len(pieces) else None
    if first is None or (first.kind == "text" and first.text[:1].isspace()):
        return None
    for index in range(start + 2, len(pieces)):
        if pieces[index] is None:
            last = pieces[index - 1]
            if last is not None and not (last.kind == "text" and last.text[-1:].isspace()):
                return index
            return None
    return None


def _join_text(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if span.kind == "text" and out and out[-1].kind == "text":
            out[-1] = Span("text", out[-1].text + span.text)
        else:
            out.append(span)
    return out
