"""The whole path to the phone and back, with real parts only.

A "desktop" and a "phone" collection (the real ``anki`` backend) sync through Anki's own
sync server; the deck comes from the real build of a few corpus notes, edited in between
the way a learner edits Obsidian notes. Nothing is mocked.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from anki.collection import Collection
from anki.dbproxy import DBProxy
from ankiutil import CardState, card_state, collection, import_apkg, notes_of_type, review
from syncutil import SyncServer, running_sync_server, sync, sync_media

from sagenotes_anki.build import BuildOptions, build
from sagenotes_anki.cards.identity import guid_for

if TYPE_CHECKING:  # importing anki.cards before anki.collection is a circular import
    from anki.cards import CardId

NOTES = (
    "sagemaker-processing-vs-batch-transform.md",
    "athena-parquet-performance.md",
    "clustering-kmeans-elbow-method.md",
)
MAIN = "sagemaker-processing-vs-batch-transform.md"
TAGGED = "athena-parquet-performance.md"

DEFINITION = "모델 없이 데이터만 변환하는 전처리 전용 서비스"
NEW_DEFINITION = DEFINITION + " (S3 입력·출력, edited on the desktop)"
EXPLANATION = "이름과 달리 훈련된 모델을 사용한 배치 추론 전용이므로 훈련 전 전처리에 부적절"
NEW_EXPLANATION = EXPLANATION + " (edited: needs a trained model)"
OLD_TAG, NEW_TAG = "performance/query-optimization", "performance/query-tuning"
OLD_ANKI_TAG, NEW_ANKI_TAG = "performance::query-optimization", "performance::query-tuning"


@pytest.fixture(scope="session")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServer]:
    """Anki's sync server on a free 127.0.0.1 port for the session, stopped by pid after."""
    with running_sync_server(tmp_path_factory.mktemp("syncserver")) as server:
        yield server


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should appear once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _db(col: Collection) -> DBProxy:
    assert col.db is not None, "the collection is closed"
    return col.db


def _notes(col: Collection) -> set[tuple[str, str, str, str]]:
    """Every note as (guid, note type, fields, tags): what must arrive unchanged."""
    rows = _db(col).all(
        "select n.guid, m.name, n.flds, n.tags from notes n join notetypes m on m.id = n.mid"
    )
    return {(str(g), str(m), str(f), str(t).strip()) for g, m, f, t in rows}


def _history(col: Collection, card_ids: list[CardId]) -> dict[int, tuple[CardState, list[Any]]]:
    """Each card's scheduling state and full review log (without the sync counter usn)."""
    return {
        cid: (
            card_state(col, cid),
            _db(col).all(
                "select id, ease, ivl, lastIvl, factor, time, type from revlog where cid = ?"
                " order by id",
                cid,
            ),
        )
        for cid in card_ids
    }


def _card_of(col: Collection, notetype: str, field: str, contains: str) -> CardId:
    matches = [n for n in notes_of_type(col, notetype) if contains in n[field]]
    assert len(matches) == 1, f"expected one {notetype} note with {contains!r} in {field}"
    return matches[0].card_ids()[0]


def _key_point_card(col: Collection, path: str) -> CardId:
    """The card of a note's key point (its scenario card), found by its GUID."""
    guid = guid_for(path.removesuffix(".md"), "scenario")
    nids = _db(col).list("select id from notes where guid = ?", guid)
    assert len(nids) == 1, f"expected the key point of {path}"
    return col.get_note(nids[0]).card_ids()[0]


def test_deck_survives_the_round_trip_to_the_phone_and_back(
    sync_server: SyncServer, corpus_dir: Path, tmp_path: Path
) -> None:
    """Edits made in the notes reach the phone through a normal sync; reviews are kept."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in NOTES:
        shutil.copy(corpus_dir / name, notes / name)
    apkg = tmp_path / "deck.apkg"
    options = BuildOptions()
    first = build(notes, apkg, options)
    assert first.written and first.errors == 0

    with collection(tmp_path / "desktop") as desktop, collection(tmp_path / "phone") as phone:
        # 1. desktop imports and uploads; the phone downloads everything.
        assert import_apkg(desktop, apkg).new == sum(first.cards_by_type.values())
        assert sync(desktop, sync_server).kind == "full_upload"
        assert sync(phone, sync_server).kind == "full_download"
        assert _notes(phone) == _notes(desktop)
        assert len(_notes(phone)) == sum(first.cards_by_type.values())
        assert phone.card_count() == desktop.card_count()
        assert sorted(phone.tags.all()) == sorted(desktop.tags.all())
        assert OLD_ANKI_TAG in phone.tags.all()
        assert options.deck_name in {d.name for d in phone.decks.all_names_and_ids()}
        assert {m.name for m in phone.models.all_names_and_ids()} >= set(first.cards_by_type)

        # 2. the phone reviews cards, among them the ones whose notes will be edited.
        reviewed = [
            _card_of(phone, "SageNotes Concept", "Term", "Processing Jobs"),
            _card_of(phone, "SageNotes MCQ", "Explanation", EXPLANATION),
            _key_point_card(phone, TAGGED),
            _key_point_card(phone, NOTES[2]),
        ]
        deck_id = phone.decks.id_for_name(options.deck_name)
        assert deck_id is not None
        phone.decks.select(deck_id)  # the learner opens the deck
        for cid, rating in zip(reviewed, ("easy", "good", "easy", "again"), strict=True):
            review(phone, cid, rating)
        assert sync(phone, sync_server).kind == "normal"
        assert sync(desktop, sync_server).kind == "normal"
        before = _history(phone, reviewed)
        assert _history(desktop, reviewed) == before
        assert all(state.reps == 1 for state, _ in before.values())

        # 3. edit a definition, an option's explanation and a tag; rebuild; re-import.
        _edit(
            notes / MAIN,
            f"**Processing Jobs**: {DEFINITION}",
            f"**Processing Jobs**: {NEW_DEFINITION}",
        )
        _edit(notes / MAIN, EXPLANATION, NEW_EXPLANATION)
        _edit(notes / TAGGED, f"- {OLD_TAG}\n", f"- {NEW_TAG}\n")
        second = build(notes, apkg, options)
        assert second.written and second.new == 0 and second.changed >= 3
        counts = import_apkg(desktop, apkg)
        assert (counts.new, counts.updated) == (0, second.changed)
        desktop_sync = sync(desktop, sync_server)
        assert (desktop_sync.status, desktop_sync.kind) == ("normal_sync", "normal")
        assert sync(phone, sync_server).kind == "normal"

        # 4. on the phone: the edits, no duplicates, the review history as it was.
        definition = [n["Definition"] for n in notes_of_type(phone, "SageNotes Concept")]
        assert sum(NEW_DEFINITION in d for d in definition) == 1
        options_html = [n["Explanation"] for n in notes_of_type(phone, "SageNotes MCQ")]
        assert sum(NEW_EXPLANATION in o for o in options_html) == 1
        tagged = [phone.get_card(_key_point_card(phone, TAGGED)).note()]
        assert NEW_ANKI_TAG in tagged[0].tags
        assert OLD_ANKI_TAG not in tagged[0].tags
        guids = _db(phone).list("select guid from notes")
        assert len(guids) == len(set(guids)) == sum(second.cards_by_type.values())
        assert _notes(phone) == _notes(desktop)
        assert _history(phone, reviewed) == before
        assert _history(desktop, reviewed) == before


IMAGE_NOTE = """# 파이프라인 그림

## 🎯 핵심 포인트

세 단계: ![[pipeline.png]]

## 🔍 주요개념

- **Step**: 한 단계
"""


def _png(path: Path, color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 32), color).save(path)
    return path.read_bytes()


def _uploaded(progress: str) -> int:
    """How many files a media sync sent up, from the progress Anki reports."""
    found = re.search(r"Added: \D*(\d+)\D*↑", progress)
    assert found, progress
    return int(found.group(1))


def _server_media(server_dir: Path) -> dict[str, tuple[int, int]]:
    """The files in the server's media folder, each with its size and modification time
    (the server holds its media DB locked while it runs; a file sent again is written
    again)."""
    (folder,) = (p for p in server_dir.rglob("media") if p.is_dir())
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _phone_files(col: Collection) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in Path(col.media.dir()).iterdir() if p.is_file()}


def test_images_reach_the_phone_and_unchanged_ones_are_not_sent_again(tmp_path: Path) -> None:
    """The deck's images go up with the media sync and down to the phone; a rebuild that
    leaves them as they are sends none again; an edited image arrives as a new file."""
    notes = tmp_path / "notes"
    image = _png(notes / "attachments" / "pipeline.png", (20, 90, 200))
    (notes / "images.md").write_text(IMAGE_NOTE, encoding="utf-8")
    apkg = tmp_path / "deck.apkg"
    assert build(notes, apkg, BuildOptions(timestamp=1_750_000_000)).written
    server_dir = tmp_path / "server"
    with (
        running_sync_server(server_dir) as server,
        collection(tmp_path / "desktop") as desktop,
        collection(tmp_path / "phone") as phone,
    ):
        # 1. desktop imports, syncs the collection, then its media, as Anki does.
        import_apkg(desktop, apkg)
        assert sync(desktop, server).kind == "full_upload"
        assert _uploaded(sync_media(desktop, server)) == 1
        assert sync(phone, server).kind == "full_download"
        sync_media(phone, server)
        (name,) = _phone_files(phone)
        assert _phone_files(phone)[name] == image
        (key_point,) = notes_of_type(phone, "SageNotes Scenario")
        assert f'<img src="{name}"' in key_point.joined_fields()
        held = _server_media(server_dir)
        assert set(held) == {name}

        # 2. a text edit, images as they were: the note changes, no image is sent again.
        _edit(notes / "images.md", "- **Step**: 한 단계", "- **Step**: 한 단계 (edited)")
        second = build(notes, apkg, BuildOptions(timestamp=1_750_000_100))
        assert second.written and second.changed == 1
        assert import_apkg(desktop, apkg).updated == 1
        assert sync(desktop, server).kind == "normal"
        assert _uploaded(sync_media(desktop, server)) == 0
        assert _server_media(server_dir) == held
        assert sync(phone, server).kind == "normal"
        sync_media(phone, server)
        assert set(_phone_files(phone)) == {name}

        # 3. the image edited in place: a new file, on the phone after the next sync.
        edited = _png(notes / "attachments" / "pipeline.png", (200, 40, 40))
        third = build(notes, apkg, BuildOptions(timestamp=1_750_000_200))
        assert third.written and third.changed == 1
        assert import_apkg(desktop, apkg).updated == 1
        assert sync(desktop, server).kind == "normal"
        assert _uploaded(sync_media(desktop, server)) == 1
        assert set(_server_media(server_dir)) - set(held) != set()
        assert sync(phone, server).kind == "normal"
        sync_media(phone, server)
        files = _phone_files(phone)
        (new,) = set(files) - {name}
        assert files[new] == edited
        shown = "".join(n.joined_fields() for n in notes_of_type(phone, "SageNotes Scenario"))
        assert f'src="{new}"' in shown and f'src="{name}"' not in shown
