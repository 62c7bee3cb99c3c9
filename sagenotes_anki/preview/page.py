"""One self-contained HTML page with every card, front and back, before anything is imported.

The ``anki`` package is only a test dependency, so the card templates are rendered here by a
small renderer for the part of Anki's template language our note types use: ``{{Field}}``,
``{{text:Field}}``, ``{{#Field}}...{{/Field}}``, ``{{^Field}}...{{/Field}}``,
``{{FrontSide}}`` and the special fields ``Tags``, ``Type``, ``Card``, ``Deck``. A card
exists where Anki would make one: when its front refers to a non-empty field.

Each face is put in its own shadow root, so the note type's CSS (written for Anki's
``.card``) styles the card and nothing else on the page. The page has no external resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..cards.make import CardNote
from ..cards.notetypes import NOTE_TYPES, NoteType
from ..cards.rows import card_notes
from ..lock.model import LOCK_NAME
from ..model import Diagnostic, StudyNote
from ..runtime.atomic import sweep, write_text
from ..runtime.outputs import refuse_unsafe_output

if TYPE_CHECKING:
    from ..build import BuildOptions

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


# --- the page --------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def _face(side: str, card_html: str, css_index: int, ord_: int) -> str:
    return (
        f'<div class="face {side}" data-css="{css_index}">'
        f'<template shadowrootmode="open"><div class="card card{ord_ + 1}">{card_html}</div>'
        "</template></div>"
    )


def _note_section(
    note: StudyNote, cards: Sequence[PreviewCard], css_index: Mapping[str, int]
) -> str:
    parts = []
    for card in cards:
        tags = escape(" ".join(card.tags))
        parts.append(
            f'<article class="pv-card" data-notetype="{escape(card.notetype)}" data-tags="{tags}">'
            f'<header>{escape(card.notetype)} · {escape(card.template)}</header><div class="faces">'
            + _face("front", card.question, css_index[card.notetype], card.ord)
            + _face("back", card.answer, css_index[card.notetype], card.ord)
            + "</div></article>"
        )
    tags = escape(" ".join(cards[0].tags)) if cards else ""
    return (
        f'<section class="pv-note" data-path="{escape(note.path)}"><h2>{escape(note.title)}</h2>'
        f'<p class="pv-meta">{escape(note.path)} · <span class="pv-tags">{tags}</span></p>'
        + "".join(parts)
        + "</section>"
    )


def preview_page(
    groups: Sequence[tuple[StudyNote, Sequence[PreviewCard]]],
    notetypes: Sequence[NoteType],
    title: str,
) -> str:
    """The whole page: filters, the cards grouped by note, the note types' CSS, the script."""
    css_texts: list[str] = []
    css_index: dict[str, int] = {}
    for nt in notetypes:
        if nt.css not in css_texts:
            css_texts.append(nt.css)
        css_index[nt.name] = css_texts.index(nt.css)
    total = sum(len(cards) for _, cards in groups)
    tags = sorted({t for _, cards in groups for c in cards for t in _tag_prefixes(c.tags)})
    used = [nt.name for nt in notetypes if any(c.notetype == nt.name for _, g in groups for c in g)]
    sheets = "".join(
        f'<template class="pv-css" data-css="{i}"><style>{css}</style></template>'
        for i, css in enumerate(css_texts)
    )
    body = "".join(_note_section(note, cards, css_index) for note, cards in groups if cards)
    return (
        '<!doctype html>\n<html lang="ko"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_asset('preview.css')}</style></head><body>"
        f'<header class="pv-bar"><h1>{escape(title)}</h1><form class="pv-filters">'
        f'<label>Note type <select id="pv-type"><option value="">All</option>'
        f"{_options(used)}</select></label>"
        f'<label>Tag <select id="pv-tag"><option value="">All</option>{_options(tags)}'
        "</select></label>"
        '<label>Find <input id="pv-text" type="search" placeholder="text"></label>'
        '<label><input id="pv-night" type="checkbox"> Night mode</label></form>'
        f'<p><output id="pv-count" data-total="{total}">{total} of {total} cards</output></p>'
        f"</header><main>{body}</main>{sheets}"
        f"<script>{_asset('preview.js')}</script></body></html>\n"
    )


def _options(names: Sequence[str]) -> str:
    return "".join(f'<option value="{escape(n)}">{escape(n)}</option>' for n in names)


def _tag_prefixes(tags: Sequence[str]) -> set[str]:
    # Choosing "service" in the tag filter shows service::sagemaker too, as Anki's browser does.
    out: set[str] = set()
    for tag in tags:
        parts = tag.split("::")
        out.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    return out


@dataclass(frozen=True)
class PreviewReport:
    """What a preview wrote, and what the notes had to say (as a build would say it)."""

    cards: int
    diagnostics: tuple[Diagnostic, ...]


def write_preview(notes_dir: Path, out: Path, options: BuildOptions) -> int:
    """Write the preview page of every note in ``notes_dir`` to ``out``; returns the card count.

    Notes with errors are left out, as a build with ``keep_going`` would. Raises
    NotesFolderError for a missing or empty folder and OutputError when ``out`` is unwritable.
    """
    return preview(notes_dir, out, options).cards


def preview(notes_dir: Path, out: Path, options: BuildOptions) -> PreviewReport:
    """:func:`write_preview`, with the notes' diagnostics (errors name the notes left out)."""
    from ..build.folder import walked
    from ..build.load import load, settings_for

    folder = walked(notes_dir)  # a missing or empty folder is refused here, as by build
    refuse_unsafe_output(out, options.lock_path or notes_dir / LOCK_NAME, "the preview")
    loaded = load(folder, settings_for(options))  # as build and check load them
    groups: list[tuple[StudyNote, Sequence[PreviewCard]]] = []
    for note in loaded.vault.notes:
        cards: list[PreviewCard] = []
        for card in card_notes(loaded.cards[note.path].rows):
            cards.extend(preview_cards(card, options.deck_name))
        groups.append((note, cards))
    title = f"{options.deck_name} — preview"
    page = preview_page(groups, NOTE_TYPES, title)
    sweep([out], [])  # what previews killed before they could finish left beside the page
    write_text(out, page)  # a half-written page never replaces a good one
    return PreviewReport(sum(len(cards) for _, cards in groups), loaded.vault.diagnostics)


__all__ = [
    "PreviewCard",
    "PreviewReport",
    "preview",
    "preview_cards",
    "preview_page",
    "write_preview",
]
