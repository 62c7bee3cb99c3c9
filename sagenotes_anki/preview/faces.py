"""The cards Anki would make of a note, each face rendered by a small renderer for the
part of Anki's template language our note types use.

The ``anki`` package is only a test dependency, so the card templates are rendered here:
``{{Field}}``, ``{{text:Field}}``, ``{{#Field}}...{{/Field}}``, ``{{^Field}}...{{/Field}}``,
``{{FrontSide}}`` and the special fields ``Tags``, ``Type``, ``Card``, ``Deck``. A card
exists where Anki would make one: when its front refers to a non-empty field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from ..cards.make import CardNote

# --- Anki's template language (the subset our note types use) ----------------------------


@dataclass(frozen=True)
class Text:
    """Literal template text."""

    text: str


@dataclass(frozen=True)
class Replacement:
    """``{{filter:...:Key}}``; filters apply right to left, as in Anki."""

    key: str
    filters: tuple[str, ...]


@dataclass(frozen=True)
class Conditional:
    """``{{#Key}}`` (shown when the field is non-empty) or ``{{^Key}}`` (when it is empty)."""

    key: str
    negated: bool
    children: tuple[Node, ...]


Node = Union[Text, Replacement, Conditional]  # noqa: UP007 (a runtime alias; py3.10 floor)
_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# Anki's rule: a field holding only whitespace, <br> and <div> tags is empty.
_EMPTY_FIELD = re.compile(r"^(?:\s|</?(?:br|div) ?/?>)*$", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_SPECIAL = frozenset({"FrontSide", "Tags", "Type", "Card", "Deck", "Subdeck"})


def parse_template(source: str) -> tuple[Node, ...]:
    """Parse a card template; raises ValueError on an unclosed or mismatched section."""
    stack: list[tuple[str, bool, list[Node]]] = [("", False, [])]
    pos = 0
    for match in _TAG.finditer(source):
        if match.start() > pos:
            stack[-1][2].append(Text(source[pos : match.start()]))
        pos = match.end()
        tag = match.group(1).strip()
        if tag[:1] in ("#", "^"):
            stack.append((tag[1:].strip(), tag[0] == "^", []))
        elif tag[:1] == "/":
            key, negated, children = stack.pop()
            if len(stack) == 0 or key != tag[1:].strip():
                raise ValueError(f"{{{{{tag}}}}} closes {{{{#{key}}}}} in template")
            stack[-1][2].append(Conditional(key, negated, tuple(children)))
        else:
            *filters, key = (part.strip() for part in tag.split(":"))
            stack[-1][2].append(Replacement(key, tuple(filters)))
    if pos < len(source):
        stack[-1][2].append(Text(source[pos:]))
    if len(stack) != 1:
        raise ValueError(f"{{{{#{stack[-1][0]}}}}} is never closed in template")
    return tuple(stack[0][2])


def field_is_empty(text: str) -> bool:
    """True when Anki treats a field as empty (whitespace, ``<br>``, ``<div>`` only)."""
    return bool(_EMPTY_FIELD.match(text))


def renders(nodes: Sequence[Node], nonempty: frozenset[str]) -> bool:
    """Anki's card-generation rule: the front refers to a non-empty field somewhere it shows."""
    for node in nodes:
        if isinstance(node, Replacement) and node.key in nonempty:
            return True
        if (
            isinstance(node, Conditional)
            and (node.key in nonempty) != node.negated
            and renders(node.children, nonempty)
        ):
            return True
    return False


def render_template(nodes: Sequence[Node], values: Mapping[str, str]) -> str:
    """Fill a parsed template; ``values`` holds the fields and the special fields."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Conditional):
            if field_is_empty(_value(values, node.key)) == node.negated:
                out.append(render_template(node.children, values))
        else:
            out.append(_filtered(_value(values, node.key), node.filters))
    return "".join(out)


def _value(values: Mapping[str, str], key: str) -> str:
    if key not in values:
        raise ValueError(f"{{{{{key}}}}}: no such field")
    return values[key]


def _filtered(text: str, filters: Sequence[str]) -> str:
    for name in reversed(filters):
        if name != "text":
            raise ValueError(f"template filter {name!r} is not supported by the preview")
        text = _HTML_TAG.sub("", text)
    return text


# --- cards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewCard:
    """One card as Anki would render it (scripts removed: the preview shows static cards)."""

    notetype: str
    template: str
    ord: int
    question: str
    answer: str
    tags: tuple[str, ...]


def preview_cards(card: CardNote, deck_name: str = "SageNotes") -> list[PreviewCard]:
    """The cards Anki makes from one note, in template order, with their rendered faces."""
    notetype = card.notetype
    values = dict(zip(notetype.field_names, card.fields, strict=True))
    nonempty = frozenset(k for k, v in values.items() if not field_is_empty(v))
    values.update(Tags=" ".join(card.tags), Type=notetype.name, Deck=deck_name, Subdeck=deck_name)
    made = []
    for ord_, template in enumerate(notetype.templates):
        front = parse_template(template.qfmt)
        if not renders(front, nonempty):
            continue
        values["Card"] = template.name
        question = render_template(front, values)
        values["FrontSide"] = question
        answer = render_template(parse_template(template.afmt), values)
        made.append(
            PreviewCard(
                notetype.name, template.name, ord_, _static(question), _static(answer), card.tags
            )
        )
    return made


def _static(card_html: str) -> str:
    # Card scripts expect Anki's one-card page; in the preview the static card is the truth.
    return _SCRIPT.sub("", card_html)
