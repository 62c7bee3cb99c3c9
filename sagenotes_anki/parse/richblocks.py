"""Blocks that stand inside a text, as spans: fenced code, tables, callouts.

A question's stem, an option, an explanation, a definition or a key point is a
:class:`RichText`; a fenced block, a table or an Obsidian callout written inside it is kept
as one block span (see :class:`~sagenotes_anki.model.Span`), so that the card shows its
lines, its cells or its box where the note has them.
"""

from __future__ import annotations

import re

from ..model import RichText, Span
from .richtext import Token, inline, item_text

# "> [!tip] Title", "> [!note]- Folded", "> [!warning]+ Open": type, fold sign, title.
_CALLOUT = re.compile(r"[ \t]*\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*([^\n]*)")


def code_span(token: Token) -> Span:
    """A fenced or indented code block: its lines and its language (the info's first word)."""
    info = str(token.get("attrs", {}).get("info", "") or "").strip()
    language = info.split()[0].lower() if info else ""
    return Span("codeblock", str(token.get("raw", "")).rstrip("\n"), url=language)


def table_span(token: Token) -> Span:
    """A table: a row span for the head and each body row, a cell span per cell."""
    rows: list[Span] = []
    for part in token.get("children", ()):
        if part.get("type") == "table_head":
            rows.append(Span("row", children=tuple(_cell(c) for c in part.get("children", ()))))
        elif part.get("type") == "table_body":
            for row in part.get("children", ()):
                cells = tuple(_cell(c) for c in row.get("children", ()))
                rows.append(Span("row", children=cells))
    return Span("table", children=tuple(rows))


def _cell(token: Token) -> Span:
    attrs = token.get("attrs", {})
    align = str(attrs.get("align") or "")
    spans = inline(token.get("children", ())).spans
    return Span("headcell" if attrs.get("head") else "cell", align, children=spans)


def callout_of(token: Token) -> Span | None:
    """An Obsidian callout (a quote whose first line is ``[!type] title``), else None."""
    children = [c for c in token.get("children", ()) if isinstance(c, dict)]
    if token.get("type") != "block_quote" or not children:
        return None
    first = children[0]
    inner = first.get("children", ()) if first.get("type") == "paragraph" else ()
    head = inner[0] if inner else None
    if head is None or head.get("type") != "text":
        return None
    found = _CALLOUT.match(str(head.get("raw", "")))
    if found is None:
        return None
    rest = list(inner[1:])
    breaks = [i for i, t in enumerate(rest) if t.get("type") in ("softbreak", "linebreak")]
    cut = breaks[0] if breaks else len(rest)
    title = (found.group(3) + inline(rest[:cut]).plain()).strip()  # the first line
    rest = rest[cut + 1 :]
    body = [{**first, "children": rest}, *children[1:]] if rest else children[1:]
    kind = found.group(1).lower() + (f"|{found.group(2)}" if found.group(2) else "")
    return Span("callout", title, children=body_spans(body), url=kind)


def body_spans(tokens: list[Token]) -> tuple[Span, ...]:
    """The blocks of a callout or quote as spans, one block a line."""
    return item_text({"type": "list_item", "children": tokens}).spans


def block_text(token: Token) -> RichText | None:
    """A code block, a table or a callout standing alone, as a text; None for other blocks."""
    kind = token.get("type")
    if kind == "block_code":
        return RichText((code_span(token),))
    if kind == "table":
        return RichText((table_span(token),))
    if kind == "block_quote":
        callout = callout_of(token)
        return RichText((callout,)) if callout is not None else None
    return None
