"""The empty collection genanki makes, kept in the cache: the same package either way."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from sagenotes_anki.cards.notetypes import NOTE_TYPES
from sagenotes_anki.package import collection
from sagenotes_anki.package.writer import PackageNote, write_package

STAMP = 1_700_000_000


def _notes() -> list[PackageNote]:
    concept = next(nt for nt in NOTE_TYPES if len(nt.fields) >= 2)
    fields = tuple(f"<b>{f.name}</b> 값" for f in concept.fields)
    return [
        PackageNote(concept, f"guid{i}", fields, ("service::sagemaker",), STAMP, i + 1)
        for i in range(30)
    ]


def _write(out: Path, cache: Path | None) -> bytes:
    write_package(out, "AWS ML", 1234, iter(_notes()), {}, STAMP, cache)
    return out.read_bytes()


def test_cached_and_fresh_give_the_same_bytes(tmp_path: Path) -> None:
    fresh = _write(tmp_path / "fresh.apkg", None)
    first = _write(tmp_path / "first.apkg", tmp_path / "cache")  # made, then kept
    assert list((tmp_path / "cache").glob("collection-*.pack"))
    again = _write(tmp_path / "again.apkg", tmp_path / "cache")  # from the cache
    assert fresh == first == again


def test_a_damaged_copy_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    good = _write(tmp_path / "a.apkg", cache)
    (kept,) = cache.glob("collection-*.pack")
    kept.write_bytes(kept.read_bytes()[:-10])  # torn
    made: list[int] = []
    real = collection._make

    def counting(deck_id: int, deck_name: str) -> collection.EmptyCollection:
        made.append(deck_id)
        return real(deck_id, deck_name)

    monkeypatch.setattr(collection, "_make", counting)
    assert _write(tmp_path / "b.apkg", cache) == good
    assert made == [1234]
    assert _write(tmp_path / "c.apkg", cache) == good and made == [1234]  # kept again


def test_a_copy_made_for_other_code_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    good = _write(tmp_path / "a.apkg", cache)
    monkeypatch.setattr(collection, "tool_digest", lambda: "another version of the code")
    assert _write(tmp_path / "b.apkg", cache) == good
    assert len(list(cache.glob("collection-*.pack"))) == 1  # one per deck, not per version


def test_another_deck_gets_its_own(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _write(tmp_path / "a.apkg", cache)
    write_package(tmp_path / "b.apkg", "Other deck", 99, iter(_notes()), {}, STAMP, cache)
    assert len(list(cache.glob("collection-*.pack"))) == 2
    with zipfile.ZipFile(tmp_path / "b.apkg") as zf:
        zf.extract("collection.anki2", tmp_path / "b")
    db = sqlite3.connect(tmp_path / "b" / "collection.anki2")
    try:
        (decks,) = db.execute("SELECT decks FROM col").fetchone()
    finally:
        db.close()
    assert '"Other deck"' in decks and '"99"' in decks


def test_a_note_type_of_its_own_is_made_by_genanki(tmp_path: Path) -> None:
    """Only this package's own note types come from the kept copy; another definition with
    the same name (a changed template, say) is asked of genanki."""
    from dataclasses import replace

    base = NOTE_TYPES[0]
    changed = replace(base, css=base.css + "\n.extra { color: red; }")
    empty = collection.empty_collection(1234, "AWS ML", tmp_path / "cache")
    assert empty.notetype_json(base, 1234) is empty.notetypes[base.name]
    own = empty.notetype_json(changed, 1234)
    assert own["css"].endswith(".extra { color: red; }") and own["name"] == base.name
