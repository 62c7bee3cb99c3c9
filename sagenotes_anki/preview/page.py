"""One self-contained HTML page with every card, front and back, before anything is imported.

The cards are rendered as Anki would render them (:mod:`faces`). Each face is put in its
own shadow root, so the note type's CSS (written for Anki's ``.card``) styles the card and
nothing else on the page. The page has no external resources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from ..cards.notetypes import NOTE_TYPES, NoteType
from ..cards.rows import card_notes
from ..lock.model import LOCK_NAME
from ..model import Diagnostic, StudyNote
from ..runtime.atomic import write_text
from ..runtime.leftovers import sweep
from ..runtime.outputs import refuse_unsafe_output
from .faces import PreviewCard, preview_cards

if TYPE_CHECKING:
    from ..build import BuildOptions


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
    if loaded.media.files:  # the images inside the page (preview/images.py)
        from .images import with_images

        page = with_images(page, loaded.media.root, loaded.media.files)
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
