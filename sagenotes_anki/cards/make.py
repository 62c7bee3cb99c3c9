"""StudyNote -> the Anki notes it yields (note type, stable key, HTML fields, tags).

Items whose card would have an empty front (a concept without a term, a question without a
stem, a trade-off with neither list) yield nothing here; reporting them is the parser's job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Protocol
from urllib.parse import quote

from ..model import Concept, StudyNote, TradeOff
from ..source.charset import nfc
from . import render, scenario
from .comparison import SIDE_LABELS, picks
from .context import short_topic
from .mcq import mcq_fields
from .notetypes import (
    CARD_KINDS,
    COMPARISON,
    CONCEPT,
    CONCEPT_REVERSED,
    DEFAULT_CARD_KINDS,
    MCQ,
    SCENARIO,
    TRADEOFF,
    NoteType,
    card_kinds,
)
from .reverse import blanked, only_blanks
from .scenario import key_point_of, practical_of
from .tags import anki_tags


@dataclass(frozen=True)
class CardNote:
    """One Anki note to write.

    ``key`` identifies the item inside its study note and never depends on content:
    ``"keypoint"``, ``"concept:<term>"``, ``"tradeoff:<subject>"``, ``"question:<n>"``
    (n counts from 1 in note order). ``fields`` are HTML in ``notetype.fields`` order;
    ``tags`` are already Anki tags (``service::sagemaker``). ``copy`` counts the items of one
    name in the note: 2 and more for a term or subject that appears again (its key then ends
    in ``#copy``); ``line`` is where the item starts in the note (0 when not known).
    """

    notetype: NoteType
    key: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    # Where the item came from, for diagnostics: not part of what is written.
    copy: int = field(default=1, compare=False)
    line: int = field(default=0, compare=False)


def source_html(path: str, vault_name: str | None) -> str:
    """The note's path, as an ``obsidian://open`` link when the vault's name is known."""
    path = nfc(path)  # so renaming a file to its NFD spelling changes no card
    if not vault_name:
        return render.text_html(path)
    file = path[:-3] if path.lower().endswith(".md") else path
    url = f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(file, safe='')}"
    return f'<a class="obsidian" href="{escape(url, quote=True)}">{render.inert(escape(path))}</a>'


def _keyed(prefix: str, names: Iterable[str]) -> Iterator[tuple[str, int]]:
    # Two items with one name in a note get "#2", "#3" in note order: stable as long as the
    # note keeps its order, and never derived from content. Yields (key, copy).
    seen: Counter[str] = Counter()
    for written in names:
        name = nfc(written)  # NFC and NFD spellings of a term are one key
        seen[name] += 1
        copy = seen[name]
        yield (f"{prefix}:{name}" if copy == 1 else f"{prefix}:{name}#{copy}"), copy


def _scenario(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    # The key point's scenario -> decision card. Its key is new ("scenario"), so the old
    # key-point card ("keypoint", note type Key Point) is kept by the lock, tagged removed.
    made = key_point_of(note)
    if made is not None:
        fields = scenario.fields(made, render.flows_html(note.flows), note.title, source)
        yield CardNote(SCENARIO, "scenario", fields, tags)


def _practical(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    # Practical-application bullets: once concept cards ("concept:<term>"), now scenarios.
    made = list(practical_of(note))
    keyed = _keyed("practical", (name for name, _, _ in made))
    for (key, copy), (_, case, line) in zip(keyed, made, strict=True):
        fields = scenario.fields(case, "", note.title, source)
        yield CardNote(SCENARIO, key, fields, tags, copy, line)


def _keyed_concepts(note: StudyNote, prefix: str) -> Iterator[tuple[str, int, Concept]]:
    """The note's concepts that have a term, each with its key and copy number."""
    concepts: list[Concept] = [c for c in note.concepts if c.term.strip()]
    keyed = _keyed(prefix, (c.term for c in concepts))
    for (key, copy), concept in zip(keyed, concepts, strict=True):
        yield key, copy, concept


def _concepts(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    topic = render.text_html(short_topic(note.title))
    for key, copy, concept in _keyed_concepts(note, "concept"):
        fields = (
            render.text_html(concept.term),
            render.html(concept.definition),
            render.text_html(concept.group),
            topic,
            source,
        )
        yield CardNote(CONCEPT, key, fields, tags, copy, concept.line)


def _reversed(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    """Definition -> term; a definition that is only its term gives no card."""
    topic = render.text_html(short_topic(note.title))
    for key, copy, concept in _keyed_concepts(note, "reversed"):
        front = blanked(render.html(concept.definition), concept.term)
        if only_blanks(front):
            continue
        fields = (
            front,
            render.text_html(concept.term),
            render.text_html(concept.group),
            topic,
            source,
        )
        yield CardNote(CONCEPT_REVERSED, key, fields, tags, copy, concept.line)


def _comparisons(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    """One trade-off item on the front, which subject it belongs to on the back."""
    chosen = picks(note.tradeoffs)
    topic = render.text_html(short_topic(note.title))
    keyed = _keyed("comparison", (f"{p.side}:{p.item.plain().strip()}" for p in chosen))
    for (key, copy), pick in zip(keyed, chosen, strict=True):
        items = getattr(pick.subject, pick.side)
        detail = f"<b>{escape(pick.answer)}</b> · {SIDE_LABELS[pick.side]}" + render.html_list(
            items
        )
        fields = (
            render.html(pick.item),
            SIDE_LABELS[pick.side],
            escape(" / ".join(pick.choices)),
            render.text_html(pick.answer),
            detail,
            topic,
            source,
        )
        yield CardNote(COMPARISON, key, fields, tags, copy, pick.subject.line)


def _tradeoffs(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    kept: list[TradeOff] = [
        t for t in note.tradeoffs if t.subject.strip() and (any(t.pros) or any(t.cons))
    ]
    keyed = _keyed("tradeoff", (t.subject for t in kept))
    for (key, copy), tradeoff in zip(keyed, kept, strict=True):
        fields = (
            render.text_html(tradeoff.subject),
            render.html_list(tradeoff.pros),
            render.html_list(tradeoff.cons),
            render.text_html(note.title),
            source,
        )
        yield CardNote(TRADEOFF, key, fields, tags, copy, tradeoff.line)


def _questions(note: StudyNote, source: str, tags: tuple[str, ...]) -> Iterator[CardNote]:
    # The key counts every question, kept or not, so a later fix to one question cannot
    # shift the identity of the questions after it.
    for n, question in enumerate(note.questions, start=1):
        if not question.stem or not question.options:
            continue
        yield CardNote(MCQ, f"question:{n}", mcq_fields(question, note.title, source), tags)


_MAKERS = (
    ("scenario", _scenario),
    ("concept", _concepts),
    ("practical", _practical),
    ("tradeoff", _tradeoffs),
    ("mcq", _questions),
    ("comparison", _comparisons),
    ("concept-reversed", _reversed),
)


class CardOptions(Protocol):
    """The part of the build options that shapes cards (``build.BuildOptions`` has it)."""

    @property
    def card_kinds(self) -> frozenset[str]: ...

    @property
    def vault_name(self) -> str | None: ...


def cards_for(
    note: StudyNote,
    options: CardOptions | None = None,
    *,
    kinds: frozenset[str] | None = None,
    vault_name: str | None = None,
) -> tuple[CardNote, ...]:
    """The Anki notes for one study note, in study order: the key point's scenario, concepts,
    practical-application scenarios, trade-offs, questions, comparisons, reversed concepts.

    ``kinds`` (default: ``options.card_kinds``, else ``DEFAULT_CARD_KINDS``) picks which of
    those to make (``keypoint`` is read as ``scenario``);
    ``vault_name`` (default: ``options.vault_name``) turns the Source field into an
    ``obsidian://`` link. Keyword arguments win over ``options``.
    """
    if kinds is None:
        kinds = options.card_kinds if options is not None else DEFAULT_CARD_KINDS
    kinds = card_kinds(kinds)
    if vault_name is None and options is not None:
        vault_name = options.vault_name
    unknown = kinds - CARD_KINDS
    if unknown:
        raise ValueError(f"unknown card kinds {sorted(unknown)}; known: {sorted(CARD_KINDS)}")
    source = source_html(note.path, vault_name)
    tags = anki_tags(note.tags)
    vault = render.VAULT.set(vault_name)  # wikilinks in the text link into the vault
    try:
        return tuple(
            card for kind, make in _MAKERS if kind in kinds for card in make(note, source, tags)
        )
    finally:
        render.VAULT.reset(vault)
