"""The parse cache, parallel parsing and the no-op shortcut, on real notes."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from sagenotes_anki.build import BuildOptions, BuildReport, build, prepared
from sagenotes_anki.build import load as cache
from sagenotes_anki.cards.make import cards_for
from sagenotes_anki.parse.note import parse_file
from sagenotes_anki.parse.sections import DEFAULT_SECTIONS
from sagenotes_anki.source.walk import markdown_files

KEY_POINT = "## 🎯 핵심 포인트\n\n"


@pytest.fixture()
def notes(corpus_dir: Path, tmp_path: Path) -> Path:
    """Sixty real notes in nested folders (enough to be parsed in parallel)."""
    folder = tmp_path / "notes"
    for n, path in enumerate(sorted(corpus_dir.glob("*.md"))[:60]):
        target = folder / f"part{n % 3}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return folder


def fresh(folder: Path) -> list[tuple[str, object]]:
    """Every note parsed directly, without the cache."""
    return [(p, parse_file((folder / p).read_bytes(), p)) for p in markdown_files(folder)]


def walked(folder: Path) -> cache.Walked:
    """The folder as ``parse_all`` takes it."""
    return cache.Walked(folder, tuple(markdown_files(folder)))


def results(folder: Path, cache_dir: Path | None, **kw: object) -> list[tuple[str, object]]:
    """Every note's ParseResult through ``parse_all``."""
    settings = cache.LoadSettings(DEFAULT_SECTIONS, cache_dir=cache_dir, **kw)  # type: ignore[arg-type]
    return [
        (p, prepared.result) for p, prepared in cache.parse_all(walked(folder), settings).prepared
    ]


@pytest.fixture()
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths parse_file is called for (in this process) from now on."""
    calls: list[str] = []

    def counting(data: bytes, relpath: str, *args: object) -> object:
        calls.append(relpath)
        return parse_file(data, relpath, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(prepared, "parse_file", counting)
    return calls


def edit(path: Path, words: str) -> None:
    """Reword a note's key point."""
    text = path.read_text(encoding="utf-8")
    assert KEY_POINT in text
    path.write_text(text.replace(KEY_POINT, KEY_POINT + words + " ", 1), encoding="utf-8")


def entries(cache_dir: Path) -> list[Path]:
    """The cache's files."""
    return sorted((cache_dir / f"parse-v{cache.CACHE_FORMAT}").iterdir())


def test_cached_results_equal_a_fresh_parse(notes: Path, tmp_path: Path, parsed: list[str]) -> None:
    """A note read back from the cache is exactly the note a fresh parse gives, unparsed."""
    store = tmp_path / "cache"
    first = results(notes, store, workers=1)
    assert len(parsed) == 60
    assert 0 < len(entries(store)) <= cache.SHARDS  # a few files, not one per note
    assert results(notes, store, workers=1) == first == fresh(notes)
    assert len(parsed) == 60  # the second run parsed nothing


def test_a_warm_cache_is_not_written_again(notes: Path, tmp_path: Path) -> None:
    """Reading every note from the cache leaves its files untouched."""
    store = tmp_path / "cache"
    results(notes, store)
    before = {e: e.stat().st_mtime_ns for e in entries(store)}
    results(notes, store)
    assert {e: e.stat().st_mtime_ns for e in entries(store)} == before


def test_parallel_parse_equals_serial_parse(notes: Path) -> None:
    """Parsing on two worker processes gives the same notes, in the same order."""
    assert len(markdown_files(notes)) >= cache.PARALLEL_MIN
    assert results(notes, None, workers=2) == results(notes, None, workers=1) == fresh(notes)


def test_an_edited_note_is_parsed_again(notes: Path, tmp_path: Path, parsed: list[str]) -> None:
    """After an edit only that note is parsed again, and its new text is used."""
    store = tmp_path / "cache"
    results(notes, store, workers=1)
    victim = notes / markdown_files(notes)[5]
    original = victim.read_bytes()
    edit(victim, "NEW-WORDING")
    parsed.clear()
    again = dict(results(notes, store, workers=1))
    assert parsed == [markdown_files(notes)[5]]
    note = again[markdown_files(notes)[5]].note  # type: ignore[attr-defined]
    assert note is not None and note.key_point.plain().startswith("NEW-WORDING")
    victim.write_bytes(original)
    parsed.clear()
    assert results(notes, store, workers=1) == fresh(notes)
    assert parsed == [markdown_files(notes)[5]]  # the old version was replaced, not kept


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_damaged_cache_is_ignored(
    notes: Path, tmp_path: Path, parsed: list[str], damage: str
) -> None:
    """Damaged cache files are never trusted: the notes are parsed again, correctly."""
    store = tmp_path / "cache"
    results(notes, store, workers=1)
    for entry in entries(store):
        blob = entry.read_bytes()
        if damage == "garbage":
            blob = b"not a cache entry at all"
        elif damage == "truncated":
            blob = blob[: len(blob) // 2]
        elif damage == "flipped":
            blob = blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:]
        else:
            blob = b""
        entry.write_bytes(blob)
    parsed.clear()
    assert results(notes, store, workers=1) == fresh(notes)
    assert len(parsed) == 60
    parsed.clear()
    assert results(notes, store, workers=1) == fresh(notes)  # and the cache was repaired
    assert parsed == []


def test_one_damaged_file_costs_only_its_notes(
    notes: Path, tmp_path: Path, parsed: list[str]
) -> None:
    """A damaged cache file sends only the notes it held back to the parser."""
    store = tmp_path / "cache"
    results(notes, store, workers=1)
    victim = entries(store)[0]
    blob = victim.read_bytes()
    victim.write_bytes(blob[:100] + bytes([blob[100] ^ 0x01]) + blob[101:])
    parsed.clear()
    assert results(notes, store, workers=1) == fresh(notes)
    assert 0 < len(parsed) < 60


def test_a_cache_of_other_settings_is_not_used(
    notes: Path, tmp_path: Path, parsed: list[str]
) -> None:
    """Other section names give other cache files, so the cached notes are not reused."""
    store = tmp_path / "cache"
    results(notes, store, workers=1)
    before = {e.name for e in entries(store)}
    extended = DEFAULT_SECTIONS.extended({"keypoint": ["요점"]})
    parsed.clear()
    cache.parse_all(walked(notes), cache.LoadSettings(extended, cache_dir=store, workers=1))
    assert len(parsed) == 60
    assert before.isdisjoint(e.name for e in entries(store))


def test_unreadable_files_become_error_diagnostics(
    notes: Path, tmp_path: Path, parsed: list[str]
) -> None:
    """A file that cannot be read is reported, not cached, and does not stop the others."""
    (notes / "gone.md").symlink_to(tmp_path / "nowhere.md")
    done = dict(results(notes, tmp_path / "cache", workers=1))
    gone = done["gone.md"]
    assert gone.note is None and gone.has_errors  # type: ignore[attr-defined]
    assert len(parsed) == 60
    again = dict(results(notes, tmp_path / "cache", workers=1))
    assert again["gone.md"] == gone and len(parsed) == 60


def test_cards_from_the_cache_equal_fresh_cards(notes: Path, tmp_path: Path) -> None:
    """Cards read back from the cache are the cards made from a fresh parse."""
    kinds = frozenset({"scenario", "concept", "practical", "tradeoff", "mcq"})
    choice = cache.CardChoice(kinds, "Vault")
    settings = cache.LoadSettings(DEFAULT_SECTIONS, choice, tmp_path / "cache")
    first = cache.parse_all(walked(notes), settings).prepared
    again = cache.parse_all(walked(notes), settings).prepared
    for (path, a), (_, b) in zip(first, again, strict=True):
        note = parse_file((notes / path).read_bytes(), path).note
        assert note is not None
        made = cards_for(note, kinds=choice.kinds, vault_name="Vault")
        assert a.card_notes() == b.card_notes() == made


def package_notes(apkg: Path) -> list[tuple[str, str]]:
    """(guid, fields) of every note in a package."""
    with zipfile.ZipFile(apkg) as zf:
        name = next(n for n in ("collection.anki21", "collection.anki2") if n in zf.namelist())
        path = apkg.parent / f"{apkg.stem}-{name}"
        path.write_bytes(zf.read(name))
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("select guid, flds from notes").fetchall())
    finally:
        db.close()


def options(tmp_path: Path, **kw: object) -> BuildOptions:
    """Build options with a cache and a fixed build time."""
    return BuildOptions(cache_dir=tmp_path / "build" / ".cache", timestamp=1_700_000_000, **kw)  # type: ignore[arg-type]


def test_a_build_from_the_cache_writes_the_same_cards(notes: Path, tmp_path: Path) -> None:
    """Cards made from cached notes are the cards a build without any cache makes."""
    out = tmp_path / "build" / "deck.apkg"
    build(notes, out, options(tmp_path))
    edit(notes / markdown_files(notes)[0], "CHANGED")
    cached = build(notes, out, options(tmp_path))
    assert cached.written and cached.changed == 1
    plain_out = tmp_path / "plain" / "deck.apkg"
    plain = build(notes, plain_out, BuildOptions(timestamp=1_700_000_000, lock_path=tmp_path / "l"))
    assert package_notes(out) == package_notes(plain_out)
    assert cached.cards_by_type == plain.cards_by_type


def test_a_noop_rebuild_leaves_the_output_and_reports_like_a_full_one(
    notes: Path, tmp_path: Path
) -> None:
    """With nothing changed the package is left alone and the report is the full path's."""
    out = tmp_path / "build" / "deck.apkg"
    first = build(notes, out, options(tmp_path))
    assert first.written
    before = out.stat().st_mtime_ns
    quick = build(notes, out, options(tmp_path))
    assert quick.up_to_date and not quick.written and out.stat().st_mtime_ns == before
    for stamp in (tmp_path / "build" / ".cache").glob("build-*.stamp"):
        stamp.unlink()  # forces the full path
    full = build(notes, out, options(tmp_path))
    assert full.up_to_date and out.stat().st_mtime_ns == before
    assert _comparable(quick) == _comparable(full)


def _comparable(report: BuildReport) -> tuple[object, ...]:
    return (
        report.notes,
        report.diagnostics,
        dict(report.cards_by_type),
        report.new,
        report.changed,
        report.unchanged,
        report.removed,
        report.kept_removed,
        report.size,
    )


def test_the_shortcut_is_not_taken_when_the_output_is_gone(notes: Path, tmp_path: Path) -> None:
    """A deleted package is written again, even though no note changed."""
    out = tmp_path / "build" / "deck.apkg"
    build(notes, out, options(tmp_path))
    out.unlink()
    again = build(notes, out, options(tmp_path))
    assert again.written and out.is_file()


def test_other_card_kinds_are_not_served_from_the_cache(notes: Path, tmp_path: Path) -> None:
    """Choosing fewer card kinds after a cached build makes only those cards."""
    out = tmp_path / "build" / "deck.apkg"
    build(notes, out, options(tmp_path))
    only = build(notes, out, options(tmp_path, card_kinds=frozenset({"concept"})))
    assert set(only.cards_by_type) == {"SageNotes Concept"}


def test_an_edit_after_a_noop_is_picked_up(notes: Path, tmp_path: Path) -> None:
    """A note changed after a no-op rebuild changes exactly its cards."""
    out = tmp_path / "build" / "deck.apkg"
    build(notes, out, options(tmp_path))
    build(notes, out, options(tmp_path))
    edit(notes / markdown_files(notes)[3], "EDITED")
    report = build(notes, out, options(tmp_path))
    assert report.written and report.changed == 1 and report.new == 0


def test_the_shortcut_is_not_taken_when_the_lock_is_gone(notes: Path, tmp_path: Path) -> None:
    """Without its lock file the build starts over: every item is new and the lock is back."""
    out = tmp_path / "build" / "deck.apkg"
    first = build(notes, out, options(tmp_path))
    lock = notes / "sagenotes.lock.json"
    assert lock.is_file()
    lock.unlink()
    again = build(notes, out, options(tmp_path))
    assert again.new == first.new and again.unchanged == 0 and lock.is_file()


def test_a_template_change_is_a_code_change(tmp_path: Path) -> None:
    """Editing the cards' CSS alone must not leave a rebuild "up to date" with the old style."""
    import shutil
    import subprocess
    import sys

    package = Path(__file__).resolve().parent.parent / "sagenotes_anki"
    copy = tmp_path / "sagenotes_anki"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    code = "from sagenotes_anki.cache.stamp import tool_digest; print(tool_digest())"

    def digest() -> str:
        env = {"PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    before = digest()
    css = next(copy.rglob("card.css"))
    css.write_text(css.read_text(encoding="utf-8") + "\n.sn { color: red; }\n", encoding="utf-8")
    assert digest() != before
