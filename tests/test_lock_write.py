"""The lock written once the package is, and the parse cache saved before a build returns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sagenotes_anki.build import BuildOptions, build, prepared
from sagenotes_anki.build import load as cache
from sagenotes_anki.errors import OutputError
from sagenotes_anki.lock import write as lock_write
from sagenotes_anki.lock.model import LOCK_NAME, Item, Lock, OutputRecord
from sagenotes_anki.lock.read import read_lock
from sagenotes_anki.lock.reconcile import reconcile
from sagenotes_anki.parse.note import parse_file

RECORD = OutputRecord("inputs-digest", "ab" * 32, 1234, "deck.apkg")


def _plan(n: int = 300) -> object:
    items = [
        Item.of(
            f"g{i:04d}",
            "Concept",
            f"note-{i // 10}",
            f"concept:t{i}",
            f"n{i // 10}.md",
            (("Term", f"t{i}"), ("Definition", f"정의 {i}")),
            ("tag",),
        )
        for i in range(n)
    ]
    return reconcile(items, Lock(), 1_700_000_000, {"Concept": "h1"})


def test_a_pending_lock_equals_one_written_at_once(tmp_path: Path) -> None:
    plan = _plan()
    lock_write.write_plan(tmp_path / "direct.json", plan, RECORD)  # type: ignore[arg-type]
    pending = lock_write.start_plan(tmp_path / "pending.json", plan)  # type: ignore[arg-type]
    pending.finish(RECORD)
    assert (tmp_path / "pending.json").read_bytes() == (tmp_path / "direct.json").read_bytes()
    lock, problem = read_lock(tmp_path / "pending.json", "pending.json")
    assert problem is None and lock.output == RECORD and len(lock.entries) == 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["direct.json", "pending.json"]


def test_an_abandoned_lock_leaves_the_old_one(tmp_path: Path) -> None:
    (tmp_path / "lock.json").write_text("the previous lock", encoding="utf-8")
    pending = lock_write.start_plan(tmp_path / "lock.json", _plan())  # type: ignore[arg-type]
    pending.abandon()
    assert (tmp_path / "lock.json").read_text(encoding="utf-8") == "the previous lock"
    assert [p.name for p in tmp_path.iterdir()] == ["lock.json"]


def test_a_lock_that_cannot_be_finished_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    pending = lock_write.start_plan(folder / "lock.json", _plan())  # type: ignore[arg-type]
    shutil.rmtree(folder)  # its folder vanishes before the lock is written
    with pytest.raises(OutputError, match="cannot write"):
        pending.finish(RECORD)


def test_the_cache_saved_by_a_build_is_there_when_it_returns(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build of many notes saves its parse cache before it returns, so the next
    build parses nothing."""
    notes = tmp_path / "notes"
    for path in sorted(corpus_dir.glob("*.md"))[: cache.PARALLEL_MIN + 4]:
        (notes / path.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, notes / path.name)
    options = BuildOptions(timestamp=1_700_000_000, cache_dir=tmp_path / "cache")
    assert build(notes, tmp_path / "deck.apkg", options).written
    assert list((tmp_path / "cache" / f"parse-v{cache.CACHE_FORMAT}").iterdir())

    parsed: list[str] = []

    def counting(data: bytes, relpath: str, *args: object) -> object:
        parsed.append(relpath)
        return parse_file(data, relpath, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(prepared, "parse_file", counting)
    (notes / LOCK_NAME).unlink()  # not a no-op: every note is looked up in the cache
    report = build(notes, tmp_path / "deck.apkg", options)
    assert report.notes == cache.PARALLEL_MIN + 4 and parsed == []


def test_a_lock_in_a_folder_not_made_yet(tmp_path: Path) -> None:
    path = tmp_path / "state" / "lock.json"
    pending = lock_write.start_plan(path, _plan())  # type: ignore[arg-type]
    pending.finish(RECORD)
    assert read_lock(path, "lock.json")[0].output == RECORD
    assert [p.name for p in path.parent.iterdir()] == ["lock.json"]
