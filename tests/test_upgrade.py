"""An existing deck survives the upgrade to this release, with real parts only.

A learner built a few real notes with the previous release (commit ``PREVIOUS_RELEASE`` of
this repository, run from its own history), imported the deck into Anki desktop, synced to
a phone and reviewed cards there. Then they build with this code, import, and sync as
always. Anki's own backend and sync server check what they would see: no conflicting
note and no second copy of a note type on import, a normal (not full) sync, every kept
card's reviews, interval and due date as they were, edited cards updated, and the cards
this release replaces (the key point's, the practical-application bullets' concept cards)
still there with their history, tagged removed, beside the new scenario cards.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from anki.collection import Collection
from ankiutil import CardState, card_state, collection, database, import_apkg, review
from releaseutil import build_with_release, unpack_release
from syncutil import SyncServer, running_sync_server, sync

from sagenotes_anki.build import BuildOptions, build
from sagenotes_anki.cards.identity import guid_for
from sagenotes_anki.cards.notetypes import NOTE_TYPES

if TYPE_CHECKING:
    from anki.cards import CardId

PREVIOUS_RELEASE = "3c5cb8c"  # the release learners have: key point and practical concepts
T1 = 1_800_000_000
NOTES = (
    "churn-prediction-cost-analysis.md",  # practical bullets ("**통신사**: ...")
    "sentiment-analysis-tfidf-lowfreq.md",  # an MCQ with paraphrased explanation labels
    "sagemaker-processing-vs-batch-transform.md",
    "kinesis-retention-features-comparison.md",
)
CHURN = "churn-prediction-cost-analysis"
SENTIMENT = "sentiment-analysis-tfidf-lowfreq"
REMOVED = "tag:sagenotes::removed"


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServer]:
    """Anki's sync server for this module only (it has one account)."""
    with running_sync_server(tmp_path_factory.mktemp("upgrade-sync")) as server:
        yield server


def _card(col: Collection, identity: str, key: str) -> CardId:
    """The first card of the Anki note one item gives, found by its GUID."""
    nids = database(col).list("select id from notes where guid = ?", guid_for(identity, key))
    assert len(nids) == 1, (identity, key)
    return col.get_note(nids[0]).card_ids()[0]


def _states(col: Collection, cards: list[CardId]) -> dict[int, CardState]:
    return {cid: card_state(col, cid) for cid in cards}


def _notetypes(col: Collection) -> list[tuple[str, int]]:
    return sorted(
        (m.name, m.id) for m in col.models.all_names_and_ids() if m.name.startswith("SageNotes")
    )


def test_a_deck_of_the_previous_release_survives_the_upgrade(
    sync_server: SyncServer, corpus_dir: Path, tmp_path: Path
) -> None:
    release = unpack_release(PREVIOUS_RELEASE, tmp_path / "previous")
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in NOTES:
        shutil.copy(corpus_dir / name, notes / name)
    old, new = tmp_path / "old.apkg", tmp_path / "new.apkg"
    build_with_release(release, notes, old, T1, tmp_path)

    with collection(tmp_path / "desktop") as desktop, collection(tmp_path / "phone") as phone:
        assert import_apkg(desktop, old).conflicting == 0
        assert sync(desktop, sync_server).kind == "full_upload"  # the first sync ever
        assert sync(phone, sync_server).kind == "full_download"

        # On the phone: the learner reviews cards this release keeps, edits and replaces.
        kept = [
            _card(phone, SENTIMENT, "question:1"),  # its fields change (answer off the front)
            _card(phone, SENTIMENT, "tradeoff:TfidfVectorizer"),
            _card(phone, CHURN, "question:1"),
        ]
        replaced = [
            _card(phone, SENTIMENT, "keypoint"),
            _card(phone, CHURN, "keypoint"),
            _card(phone, CHURN, "concept:통신사"),  # a practical bullet, once a concept
        ]
        for cid, rating in zip(kept + replaced, ("easy", "good", "again") * 2, strict=True):
            review(phone, cid, rating)
        assert sync(phone, sync_server).kind == "normal"
        assert sync(desktop, sync_server).kind == "normal"
        before = _states(phone, kept + replaced)
        assert all(state.reps == 1 for state in before.values())
        notetypes = _notetypes(desktop)

        # The upgrade: this code builds from the same notes and the previous lock.
        report = build(notes, new, BuildOptions(timestamp=T1 + 86_400))
        assert report.written and report.errors == 0
        counts = import_apkg(desktop, new)
        assert (counts.conflicting, counts.missing_notetype) == (0, 0)
        assert counts.new == report.new > 0 and counts.updated == report.changed + report.removed
        after_import = _notetypes(desktop)
        assert after_import == sorted((nt.name, nt.id) for nt in NOTE_TYPES)  # one of each
        assert set(notetypes) < set(after_import)  # the Scenario note type added
        desktop_sync = sync(desktop, sync_server)
        assert (desktop_sync.status, desktop_sync.kind) == ("normal_sync", "normal")
        assert sync(phone, sync_server).kind == "normal"

        # What the learner sees on the phone.
        assert _notetypes(phone) == after_import
        assert _states(phone, kept + replaced) == before  # reviews, intervals, due dates
        mcq = phone.get_card(kept[0])
        assert "opt correct" not in mcq.question() and "opt correct" in mcq.answer()
        assert "어휘 크기를 줄이지만" in mcq.answer()  # the paraphrased label, now matched
        for cid in replaced:
            note = phone.get_card(cid).note()
            assert "sagenotes::removed" in note.tags
        removed_types = {
            phone.get_note(n).note_type()["name"]  # type: ignore[index]
            for n in phone.find_notes(REMOVED)
        }
        assert removed_types == {"SageNotes Key Point", "SageNotes Concept"}
        scenario = phone.get_card(_card(phone, CHURN, "scenario"))
        assert scenario.note_type()["name"] == "SageNotes Scenario"  # type: ignore[index]
        practical = phone.get_card(_card(phone, CHURN, "practical:통신사"))
        assert "월 요금제 해지 방지" in practical.question() and practical.reps == 0
        guids = database(phone).list("select guid from notes")
        assert len(guids) == len(set(guids)) == len(desktop.find_notes(""))
