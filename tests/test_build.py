"""The build pipeline on small real note folders: what it writes, refuses and counts."""

from __future__ import annotations

import errno
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import IO

import pytest
from ankiutil import collection, import_apkg

from sagenotes_anki.build import BuildOptions, build, check
from sagenotes_anki.errors import NotesFolderError, OutputError, SageNotesError
from sagenotes_anki.lock.model import LOCK_FORMAT, LOCK_NAME
from sagenotes_anki.package import writer as package

SAMPLES = (
    "sagemaker-components-ml-workflow.md",
    "sagemaker-processing-vs-batch-transform.md",
    "athena-parquet-performance.md",
)
EDITED_LINE = "- **Processor**: 데이터 전처리 및 후처리, run() 메서드로 스크립트 실행"
OPTIONS = BuildOptions(timestamp=1_700_000_000)
BROKEN_YAML = "---\ntitle: [broken\n---\n# Broken\n"


@pytest.fixture
def notes(tmp_path: Path, corpus_dir: Path) -> Path:
    """A notes folder holding three real notes from the corpus."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in SAMPLES:
        shutil.copy(corpus_dir / name, folder / name)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    """Replace one line of a note, failing if the line is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_build_writes_package_and_lock(notes: Path, tmp_path: Path) -> None:
    """A first build writes the .apkg and a lock beside the notes; everything is new."""
    out = tmp_path / "out" / "deck.apkg"
    report = build(notes, out, OPTIONS)
    assert report.written and not report.up_to_date
    assert report.notes == 3 and report.errors == 0
    total = sum(report.cards_by_type.values())
    assert total > 10
    assert set(report.cards_by_type) == {
        "SageNotes Scenario",
        "SageNotes Concept",
        "SageNotes Trade-off",
        "SageNotes MCQ",
    }
    assert (report.new, report.changed, report.unchanged, report.removed) == (total, 0, 0, 0)
    assert report.size == out.stat().st_size > 0
    lock = json.loads((notes / LOCK_NAME).read_text(encoding="utf-8"))
    assert sum(len(keyed) for keyed in lock["items"].values()) == total


def test_noop_rebuild_leaves_the_package_alone(notes: Path, tmp_path: Path) -> None:
    """With nothing changed the existing package is kept as it is, not rewritten."""
    out = tmp_path / "deck.apkg"
    first = build(notes, out, OPTIONS)
    stamp, lock_stamp = out.stat().st_mtime_ns, (notes / LOCK_NAME).stat().st_mtime_ns
    again = build(notes, out, BuildOptions(timestamp=1_800_000_000))
    assert again.up_to_date and not again.written
    assert (again.new, again.changed, again.removed) == (0, 0, 0)
    assert again.unchanged == first.new
    assert again.size == first.size
    assert out.stat().st_mtime_ns == stamp
    assert (notes / LOCK_NAME).stat().st_mtime_ns == lock_stamp


def test_a_missing_or_altered_package_is_rebuilt(notes: Path, tmp_path: Path) -> None:
    """The no-op shortcut trusts only the exact file the lock describes."""
    out = tmp_path / "deck.apkg"
    first = build(notes, out, OPTIONS)
    out.write_bytes(b"not a package")
    assert build(notes, out, OPTIONS).written
    out.unlink()
    again = build(notes, out, OPTIONS)
    assert again.written and again.unchanged == first.new


def test_an_edited_definition_is_one_change(notes: Path, tmp_path: Path) -> None:
    """Editing one definition changes exactly one item; the rest is unchanged."""
    out = tmp_path / "deck.apkg"
    first = build(notes, out, OPTIONS)
    edit(notes / SAMPLES[0], EDITED_LINE, EDITED_LINE + " (수정됨)")
    report = build(notes, out, BuildOptions(timestamp=1_700_000_100))
    assert report.written
    assert (report.new, report.changed, report.removed) == (0, 1, 0)
    assert report.unchanged == first.new - 1


def test_a_removed_concept_is_counted_once_then_kept(notes: Path, tmp_path: Path) -> None:
    """A concept deleted from a note counts as removed once, then stays in the deck."""
    out = tmp_path / "deck.apkg"
    first = build(notes, out, OPTIONS)
    edit(notes / SAMPLES[0], EDITED_LINE + "\n", "")
    report = build(notes, out, OPTIONS)
    assert (report.new, report.changed, report.removed) == (0, 0, 1)
    assert report.cards_by_type["SageNotes Concept"] == first.cards_by_type["SageNotes Concept"] - 1
    later = build(notes, out, OPTIONS)
    assert later.up_to_date and (later.removed, later.kept_removed) == (0, 1)


def test_forget_removed_drops_the_item(notes: Path, tmp_path: Path) -> None:
    """With forget_removed a deleted concept leaves the lock and the package."""
    out = tmp_path / "deck.apkg"
    first = build(notes, out, OPTIONS)
    edit(notes / SAMPLES[0], EDITED_LINE + "\n", "")
    report = build(notes, out, BuildOptions(timestamp=1_700_000_000, forget_removed=True))
    assert report.written and report.removed == 0 and report.kept_removed == 0
    lock = json.loads((notes / LOCK_NAME).read_text(encoding="utf-8"))
    assert sum(len(keyed) for keyed in lock["items"].values()) == first.new - 1


def test_errors_stop_the_build_and_keep_the_old_package(notes: Path, tmp_path: Path) -> None:
    """A note with an error means nothing is written, the previous package and lock intact."""
    out = tmp_path / "deck.apkg"
    build(notes, out, OPTIONS)
    before, lock_before = out.read_bytes(), (notes / LOCK_NAME).read_bytes()
    (notes / "broken.md").write_text(BROKEN_YAML, encoding="utf-8")
    edit(notes / SAMPLES[0], EDITED_LINE, EDITED_LINE + " (수정됨)")
    report = build(notes, out, OPTIONS)
    assert not report.written and not report.up_to_date
    assert report.errors == 1 and report.notes == 4
    assert [d.path for d in report.diagnostics if d.severity == "error"] == ["broken.md"]
    assert out.read_bytes() == before
    assert (notes / LOCK_NAME).read_bytes() == lock_before


def test_keep_going_builds_from_the_good_notes(notes: Path, tmp_path: Path) -> None:
    """With keep_going the good notes are built; a broken note keeps its earlier cards."""
    out = tmp_path / "deck.apkg"
    first = build(notes, out, OPTIONS)
    (notes / SAMPLES[2]).write_text(BROKEN_YAML, encoding="utf-8")
    report = build(notes, out, BuildOptions(timestamp=1_700_000_000, keep_going=True))
    assert report.written and report.errors == 1
    assert (report.new, report.changed, report.removed) == (0, 0, 0)
    assert report.unchanged == first.new  # the broken note's items are carried over


def test_keep_going_without_earlier_build_skips_the_broken_note(
    notes: Path, tmp_path: Path
) -> None:
    """A broken note with no earlier build gives no cards, the others do."""
    (notes / "broken.md").write_text(BROKEN_YAML, encoding="utf-8")
    out = tmp_path / "deck.apkg"
    report = build(notes, out, BuildOptions(timestamp=1_700_000_000, keep_going=True))
    assert report.written and report.errors == 1
    assert report.new == sum(report.cards_by_type.values()) > 0


def test_strict_refuses_warnings(notes: Path, tmp_path: Path) -> None:
    """With strict, a warning (an empty note) stops the build; without, it does not."""
    (notes / "empty.md").write_text("", encoding="utf-8")
    out = tmp_path / "deck.apkg"
    strict = build(notes, out, BuildOptions(timestamp=1_700_000_000, strict=True))
    assert strict.warnings >= 1 and not strict.written and not out.exists()
    assert not (notes / LOCK_NAME).exists()
    assert build(notes, out, OPTIONS).written


def test_a_write_failing_midway_keeps_package_and_lock(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If writing the package fails, the old package and the old lock stay as they were."""
    out = tmp_path / "deck.apkg"
    build(notes, out, OPTIONS)
    before, lock_before = out.read_bytes(), (notes / LOCK_NAME).read_bytes()
    edit(notes / SAMPLES[0], EDITED_LINE, EDITED_LINE + " (수정됨)")

    def fail_midway(dest: IO[bytes], *args: object) -> None:
        dest.write(b"PK\x03\x04 half a package")
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(package, "_write_zip", fail_midway)
    with pytest.raises(OutputError, match="Input/output error"):
        build(notes, out, OPTIONS)
    assert out.read_bytes() == before
    assert (notes / LOCK_NAME).read_bytes() == lock_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg", "notes"]
    assert not [p.name for p in notes.iterdir() if p.name.startswith(".")]  # no lock begun


def test_a_damaged_lock_is_reported_and_replaced(notes: Path, tmp_path: Path) -> None:
    """A corrupt lock gives a warning, the build goes on as if fresh and writes a good lock."""
    (notes / LOCK_NAME).write_text('{"format": 1, "items": ', encoding="utf-8")
    out = tmp_path / "deck.apkg"
    report = build(notes, out, OPTIONS)
    assert report.written and report.changed == 0 and report.new > 0
    warnings = [d for d in report.diagnostics if d.code == "lock-ignored"]
    assert [(w.path, w.severity) for w in warnings] == [(LOCK_NAME, "warning")]
    assert json.loads((notes / LOCK_NAME).read_text(encoding="utf-8"))["format"] == LOCK_FORMAT


def test_lock_path_option_moves_the_lock(notes: Path, tmp_path: Path) -> None:
    """BuildOptions.lock_path puts the lock where asked instead of beside the notes."""
    lock = tmp_path / "state" / "my.lock.json"
    build(notes, tmp_path / "deck.apkg", BuildOptions(timestamp=1, lock_path=lock))
    assert lock.is_file() and not (notes / LOCK_NAME).exists()


def test_source_date_epoch_gives_identical_bytes(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two fresh builds (as in two clones) with SOURCE_DATE_EPOCH set are byte-identical."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(notes, one / "notes")
    shutil.copytree(notes, two / "notes")
    build(one / "notes", one / "deck.apkg", BuildOptions())
    build(two / "notes", two / "deck.apkg", BuildOptions())
    assert (one / "deck.apkg").read_bytes() == (two / "deck.apkg").read_bytes()
    assert (one / "notes" / LOCK_NAME).read_bytes() == (two / "notes" / LOCK_NAME).read_bytes()


def test_card_kinds_limit_the_note_types(notes: Path, tmp_path: Path) -> None:
    """Only the chosen kinds of card are made."""
    options = BuildOptions(timestamp=1, card_kinds=frozenset({"concept", "mcq"}))
    report = build(notes, tmp_path / "deck.apkg", options)
    assert set(report.cards_by_type) == {"SageNotes Concept", "SageNotes MCQ"}


def test_deck_name_reaches_anki(notes: Path, tmp_path: Path) -> None:
    """The configured deck name is the one root deck Anki shows, holding every card."""
    out = tmp_path / "deck.apkg"
    report = build(notes, out, BuildOptions(timestamp=1, deck_name="AWS ML 시험"))
    with collection(tmp_path / "anki") as col:
        assert import_apkg(col, out).new == report.new
        assert len(col.find_cards('"deck:AWS ML 시험"')) == len(col.find_cards(""))


def test_progress_reports_both_stages(notes: Path, tmp_path: Path) -> None:
    """The progress callback hears about reading and building, ending at the total."""
    calls: list[tuple[str, int, int]] = []
    build(notes, tmp_path / "deck.apkg", OPTIONS, lambda *a: calls.append(a))
    assert ("read", 3, 3) in calls and ("build", 3, 3) in calls


def test_check_reports_without_writing(notes: Path) -> None:
    """check() parses and reports, and writes nothing (not even a lock)."""
    (notes / "broken.md").write_text(BROKEN_YAML, encoding="utf-8")
    report = check(notes, OPTIONS)
    assert report.notes == 4 and report.errors == 1
    assert not (notes / LOCK_NAME).exists()


def test_bad_notes_folders_are_usage_errors(tmp_path: Path) -> None:
    """A missing folder, a file, or a folder without notes raise NotesFolderError."""
    (tmp_path / "file.md").write_text("# x", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no notes", encoding="utf-8")
    for folder in (tmp_path / "missing", tmp_path / "file.md", tmp_path / "empty"):
        with pytest.raises(NotesFolderError):
            build(folder, tmp_path / "deck.apkg", OPTIONS)
        with pytest.raises(NotesFolderError):
            check(folder, OPTIONS)
    assert not (tmp_path / "deck.apkg").exists()


def test_unknown_section_alias_is_a_usage_error(notes: Path, tmp_path: Path) -> None:
    """Aliases for a section kind that does not exist raise a usage error."""
    options = BuildOptions(section_aliases={"nonsense": ("X",)})
    with pytest.raises(SageNotesError, match="nonsense"):
        build(notes, tmp_path / "deck.apkg", options)


def test_a_term_defined_twice_is_warned_about_and_kept_twice(notes: Path, tmp_path: Path) -> None:
    """Both definitions reach Anki as separate notes; the warning points at the repeat."""
    path = notes / SAMPLES[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("- **Processor**: "))
    lines.insert(first + 1, "- **Processor**: 두 번째 정의")
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "deck.apkg"
    options = BuildOptions(timestamp=1, cache_dir=tmp_path / "cache")
    report = build(notes, out, options)
    (warning,) = [d for d in report.diagnostics if d.code == "duplicate-key"]
    assert (warning.path, warning.line) == (SAMPLES[0], first + 2)
    assert "Processor" in warning.message
    with collection(tmp_path / "anki") as col:
        assert import_apkg(col, out).new == report.new
        found = {col.get_note(nid)["Definition"] for nid in col.find_notes('"Term:Processor"')}
    assert any("두 번째 정의" in d for d in found) and len(found) == 2
    # From the parse cache the next build knows the same items: nothing new or changed.
    again = build(notes, out, replace(options, timestamp=2))
    assert (again.new, again.changed) == (0, 0)
    assert [d.code for d in again.diagnostics].count("duplicate-key") == 1


def test_notes_sharing_a_title_keep_apart_in_anki(notes: Path, tmp_path: Path) -> None:
    """Two notes with one title: both reach Anki, their items never share a GUID, and the
    note that gave up the title keeps its cards' identities from one build to the next."""
    out = tmp_path / "deck.apkg"
    options = BuildOptions(timestamp=1, cache_dir=tmp_path / "cache")
    before = build(notes, out, options)
    (notes / "copy").mkdir()
    shutil.copy(notes / SAMPLES[1], notes / "copy" / "twin.md")
    report = build(notes, out, replace(options, timestamp=2))
    assert "W106" in {d.code for d in report.diagnostics}  # duplicate title
    twin_cards = sum(report.cards_by_type.values()) - sum(before.cards_by_type.values())
    assert twin_cards >= 5
    assert (report.new, report.changed, report.removed) == (twin_cards, 0, 0)
    with collection(tmp_path / "anki") as col:
        counts = import_apkg(col, out)
        assert counts.new == sum(report.cards_by_type.values()) and counts.duplicate == 0
    again = build(notes, out, replace(options, timestamp=3))
    assert (again.new, again.changed, again.removed) == (0, 0, 0)
