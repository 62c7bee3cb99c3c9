"""The .apkg writer, checked by importing what it writes into the real Anki backend."""

from __future__ import annotations

import errno
import hashlib
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import pytest
from ankiutil import collection, import_apkg, note_by_guid, queued_notes

from sagenotes_anki.cards.notetypes import Field, NoteType, Template
from sagenotes_anki.errors import OutputError
from sagenotes_anki.package import writer as package
from sagenotes_anki.package.writer import PackageNote, write_package

# A stand-in note type: the writer must not depend on the real ones' details.
WORD = NoteType(
    name="Test Word",
    id=1_607_392_319,
    fields=(Field("Word", 1_111_111_111), Field("Meaning", 1_222_222_222)),
    templates=(
        Template(
            "Recall", 1_333_333_333, "<div>{{Word}}</div>", "{{FrontSide}}<hr id=answer>{{Meaning}}"
        ),
    ),
    css=".card { font-family: sans-serif; }",
)
DECK_ID = 1_500_000_001


def notes(meaning_of_b: str = "벌", mod_of_b: int = 1_700_000_000) -> list[PackageNote]:
    """Three notes in study order: a, b, c."""
    return [
        PackageNote(WORD, "guid-a", ("a", "개미 <b>ant</b>"), ("zoo::insect",), 1_700_000_000, 1),
        PackageNote(WORD, "guid-b", ("b", meaning_of_b), ("zoo::insect",), mod_of_b, 2),
        PackageNote(WORD, "guid-c", ("c", "고양이"), ("zoo::mammal",), 1_600_000_000, 3),
    ]


def write(out: Path, items: list[PackageNote] | None = None, timestamp: int = 1_700_000_500) -> Any:
    """Write the sample deck to ``out``."""
    mods = {"Test Word": 1_650_000_000}
    return write_package(out, "Words", DECK_ID, items or notes(), mods, timestamp)


def test_notes_fields_and_tags_arrive_in_anki(tmp_path: Path) -> None:
    """Anki imports every note with its GUID, fields, hierarchical tags and our mod."""
    apkg = tmp_path / "words.apkg"
    write(apkg)
    with collection(tmp_path / "anki") as col:
        counts = import_apkg(col, apkg)
        assert (counts.new, counts.updated) == (3, 0)
        note = note_by_guid(col, "guid-a")
        assert note.fields == ["a", "개미 <b>ant</b>"]
        assert note.tags == ["zoo::insect"]
        assert note.mod == 1_700_000_000
        assert note_by_guid(col, "guid-c").mod == 1_600_000_000
        assert "Words" in col.decks.all_names()


def test_note_type_keeps_our_ids_and_mod(tmp_path: Path) -> None:
    """The note type, its fields and its template keep their fixed ids inside Anki."""
    apkg = tmp_path / "words.apkg"
    write(apkg)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, apkg)
        model = col.models.by_name("Test Word")
        assert model is not None
        assert model["id"] == WORD.id
        assert [(f["name"], f["id"]) for f in model["flds"]] == [
            ("Word", 1_111_111_111),
            ("Meaning", 1_222_222_222),
        ]
        assert [(t["name"], t["id"]) for t in model["tmpls"]] == [("Recall", 1_333_333_333)]
        assert model["mod"] == 1_650_000_000
        assert model["css"] == WORD.css


def test_new_cards_come_in_study_order(tmp_path: Path) -> None:
    """New cards are queued in the order given by ``due``, not by GUID or insertion."""
    apkg = tmp_path / "words.apkg"
    shuffled = notes()
    shuffled = [shuffled[2], shuffled[0], shuffled[1]]
    write(apkg, shuffled)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, apkg)
        assert [n["Word"] for n in queued_notes(col, "Words", 3)] == ["a", "b", "c"]


def test_card_renders_front_and_back(tmp_path: Path) -> None:
    """Anki renders the template with our fields on both sides."""
    apkg = tmp_path / "words.apkg"
    write(apkg)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, apkg)
        card = note_by_guid(col, "guid-a").cards()[0]
        assert "<div>a</div>" in card.question()
        assert "개미 <b>ant</b>" in card.answer()


def test_reimport_updates_only_the_note_with_a_newer_mod(tmp_path: Path) -> None:
    """Same GUIDs: an unchanged package is a no-op, a newer mod on one note updates it."""
    first, second = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    write(first)
    write(second, notes(meaning_of_b="꿀벌", mod_of_b=1_700_000_900), timestamp=1_700_000_900)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, first)
        again = import_apkg(col, first)
        assert (again.new, again.updated) == (0, 0)
        changed = import_apkg(col, second)
        assert (changed.new, changed.updated) == (0, 1)
        assert note_by_guid(col, "guid-b")["Meaning"] == "꿀벌"
        assert len(col.find_notes("")) == 3


def test_a_newer_note_type_updates_templates_in_place(tmp_path: Path) -> None:
    """New CSS with a newer note-type mod reaches Anki on re-import, without a copy."""
    restyled = replace(WORD, css=".card { color: teal; }")
    write(tmp_path / "v1.apkg")
    mods = {"Test Word": 1_650_000_100}
    items = [replace(n, notetype=restyled) for n in notes()]
    write_package(tmp_path / "v2.apkg", "Words", DECK_ID, items, mods, 1_700_000_500)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, tmp_path / "v1.apkg")
        counts = import_apkg(col, tmp_path / "v2.apkg")
        assert (counts.new, counts.updated, counts.conflicting) == (0, 0, 0)
        model = col.models.by_name("Test Word")
        assert model is not None and model["css"] == restyled.css
        assert [m.name for m in col.models.all_names_and_ids() if "Test" in m.name] == ["Test Word"]


def test_same_inputs_give_identical_bytes(tmp_path: Path) -> None:
    """Two writes with the same notes and build time are byte-for-byte equal."""
    write(tmp_path / "one.apkg")
    write(tmp_path / "two.apkg")
    assert (tmp_path / "one.apkg").read_bytes() == (tmp_path / "two.apkg").read_bytes()


def test_zip_entries_carry_no_clock_time(tmp_path: Path) -> None:
    """Zip entries have a fixed date, a collection and an empty media map."""
    write(tmp_path / "words.apkg")
    with zipfile.ZipFile(tmp_path / "words.apkg") as zf:
        assert [i.filename for i in zf.infolist()] == ["collection.anki2", "media"]
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.read("media") == b"{}"


def test_written_reports_size_and_digest(tmp_path: Path) -> None:
    """The result names the file, its size and its SHA-256."""
    out = tmp_path / "words.apkg"
    written = write(out)
    data = out.read_bytes()
    assert (written.path, written.size) == (out, len(data))
    assert written.sha256 == hashlib.sha256(data).hexdigest()


def test_missing_output_folder_is_created(tmp_path: Path) -> None:
    """Writing into a folder that does not exist yet creates it."""
    out = tmp_path / "build" / "deck" / "words.apkg"
    write(out)
    assert zipfile.is_zipfile(out)


def test_failure_midway_leaves_previous_package_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails after writing part of the file keeps the old package as it was."""
    out = tmp_path / "words.apkg"
    write(out)
    before = out.read_bytes()

    def fail_midway(dest: IO[bytes], *args: object) -> None:
        dest.write(b"PK\x03\x04 partial zip")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(package, "_write_zip", fail_midway)
    with pytest.raises(OutputError, match="No space left"):
        write(out, notes(meaning_of_b="changed"))
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["words.apkg"]


def test_output_that_is_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    """An output path naming a folder raises OutputError and writes nothing."""
    with pytest.raises(OutputError, match="folder"):
        write(tmp_path)


def test_output_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    """An output whose parent is a file cannot be created: OutputError, not a traceback."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError):
        write(tmp_path / "file" / "words.apkg")
