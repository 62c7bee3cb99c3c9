"""mistune's inline tokens as :class:`RichText`, and the cuts and joins readers make of it.

A list item's text, block HTML as a card shows it, lines split and joined, prefixes
dropped: the block readers (:mod:`extract`, :mod:`questions`, :mod:`answers`,
:mod:`tradeoffs`) work on RichText through these and never on raw inline tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import RichText, Span, SpanKind
from .embeds import markdown_image
from .obsidian import transform

Token = dict[str, Any]
_ITEM = "_sagenotes_item_text"
_CHECKBOX = re.compile(r"\[[ xX]\][ \t]+")


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
            # An image the build packs (see embeds.markdown_image), else the alt text or name.
            url = str(token.get("attrs", {}).get("url", ""))
            yield from markdown_image(url, list(_merge(_spans(children))))
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
    run: list[str] | None = None  # the texts of the last span's run, once it has two
    for span in spans:
        kind = span.kind
        if kind == "text":
            if not span.text:
                continue
            if out and out[-1].kind == "text":
                if run is None:
                    run = [out[-1].text]
                run.append(span.text)  # joined once at the run's end: linear, not quadratic
                continue
        if run is not None:
            out[-1] = Span("text", "".join(run))
            run = None
        out.append(span)
    if run is not None:
        out[-1] = Span("text", "".join(run))
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
