"""Helpers for tests that use the real Anki backend (the ``anki`` package): no mocks.

Open a fresh collection, import an ``.apkg`` the way Anki's import dialog does (default
options: update notes and note types only when the package is newer), read the counts Anki
reports, review a card through the v3 scheduler, and snapshot a card's scheduling state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.dbproxy import DBProxy
from anki.scheduler.v3 import Scheduler
from anki.scheduler_pb2 import CardAnswer

if TYPE_CHECKING:  # importing anki.cards before anki.collection trips a circular import
    from anki.cards import Card, CardId
    from anki.notes import Note

RATINGS = {
    "again": CardAnswer.AGAIN,
    "hard": CardAnswer.HARD,
    "good": CardAnswer.GOOD,
    "easy": CardAnswer.EASY,
}


@dataclass(frozen=True)
class ImportCounts:
    """What Anki reported for one import, note by note."""

    new: int
    updated: int
    duplicate: int  # already in the collection and left as it was (not newer)
    conflicting: int
    first_field_match: int
    missing_notetype: int
    missing_deck: int
    empty_first_field: int
    found: int  # notes in the package


@dataclass(frozen=True)
class CardState:
    """A card's review history: what must survive a re-import untouched."""

    card_id: int
    reps: int
    lapses: int
    interval: int
    due: int
    type: int
    queue: int
    revlog: tuple[tuple[int, int, int], ...]  # (review id, ease, interval) per review


@contextmanager
def collection(folder: Path, name: str = "collection.anki2") -> Iterator[Collection]:
    """A new (or the existing) collection file in ``folder``, closed on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / name))
    try:
        yield col
    finally:
        col.close()


def scheduler(col: Collection) -> Scheduler:
    """The collection's v3 scheduler (the only one current Anki has)."""
    assert isinstance(col.sched, Scheduler)
    return col.sched


def database(col: Collection) -> DBProxy:
    """The open collection's database, for reading what the Python API does not expose."""
    assert col.db is not None, "the collection is closed"
    return col.db


def import_apkg(col: Collection, apkg: Path) -> ImportCounts:
    """Import ``apkg`` with Anki's default options and return the counts it reports."""
    request = ImportAnkiPackageRequest(
        package_path=str(apkg.resolve()), options=ImportAnkiPackageOptions()
    )
    log = col.import_anki_package(request).log
    return ImportCounts(
        new=len(log.new),
        updated=len(log.updated),
        duplicate=len(log.duplicate),
        conflicting=len(log.conflicting),
        first_field_match=len(log.first_field_match),
        missing_notetype=len(log.missing_notetype),
        missing_deck=len(log.missing_deck),
        empty_first_field=len(log.empty_first_field),
        found=log.found_notes,
    )


def notes_per_type(col: Collection) -> dict[str, int]:
    """Note-type name -> number of notes of that type in the collection."""
    counts: dict[str, int] = {}
    for nid in col.find_notes(""):
        name = col.get_note(nid).note_type()["name"]  # type: ignore[index]
        counts[name] = counts.get(name, 0) + 1
    return counts


def note_by_guid(col: Collection, guid: str) -> Note:
    """The note with ``guid``; fails the test when there is none."""
    ids = database(col).list("select id from notes where guid = ?", guid)
    assert len(ids) == 1, f"expected one note with guid {guid!r}, found {len(ids)}"
    return col.get_note(ids[0])


def notes_of_type(col: Collection, notetype: str) -> list[Note]:
    """Every note of one note type, in note-id order."""
    return [col.get_note(nid) for nid in sorted(col.find_notes(f'"note:{notetype}"'))]


def queued_notes(col: Collection, deck_name: str, limit: int) -> list[Note]:
    """The notes of the next ``limit`` cards the scheduler would show from one deck."""
    deck_id = col.decks.id_for_name(deck_name)
    assert deck_id is not None, f"no deck {deck_name!r}"
    col.decks.select(deck_id)
    queued = scheduler(col).get_queued_cards(fetch_limit=limit).cards
    return [col.get_card(q.card.id).note() for q in queued]


def review(col: Collection, card_id: CardId, rating: str = "easy") -> CardState:
    """Answer one card as a learner would, through the v3 scheduler, and return its state.

    The card is moved to the front of the new-card queue first, so the scheduler hands out
    exactly this card.
    """
    card = col.get_card(card_id)
    col.decks.select(card.did)
    if card.queue == 0:  # new: make it the next one the scheduler shows
        scheduler(col).reposition_new_cards(
            card_ids=[card_id], starting_from=0, step_size=1, randomize=False, shift_existing=True
        )
    sched = scheduler(col)
    queued = sched.get_queued_cards(fetch_limit=1).cards
    assert queued and queued[0].card.id == card_id, "the scheduler did not offer the card"
    card = col.get_card(card_id)
    card.start_timer()
    answer = sched.build_answer(card=card, states=queued[0].states, rating=RATINGS[rating])
    sched.answer_card(answer)
    return card_state(col, card_id)


def card_state(col: Collection, card_id: CardId) -> CardState:
    """The card's scheduling fields and its review log, read back from the collection."""
    card: Card = col.get_card(card_id)
    revlog = tuple(
        (int(rid), int(ease), int(ivl))
        for rid, ease, ivl in database(col).all(
            "select id, ease, ivl from revlog where cid = ? order by id", card_id
        )
    )
    return CardState(
        card_id=card.id,
        reps=card.reps,
        lapses=card.lapses,
        interval=card.ivl,
        due=card.due,
        type=card.type,
        queue=card.queue,
        revlog=revlog,
    )
