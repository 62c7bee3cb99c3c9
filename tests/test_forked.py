"""Side work in a forked process: the lock's text and the parse cache, beside the package."""

from __future__ import annotations

import os
import shutil
import time
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
from sagenotes_anki.runtime import forked

needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="side work runs in-process here")
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


def test_a_side_job_reports_success_and_failure() -> None:
    assert forked.start(lambda: None).wait()
    if forked.can_fork():
        assert not forked.start(lambda: 1 / 0 and None).wait()  # the child's error: a failure


def test_no_side_process_while_other_threads_run() -> None:
    """Forking a process with other threads can leave the child waiting on their locks."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.can_fork()
        done: list[int] = []
        assert forked.start(lambda: done.append(os.getpid())).wait()
        assert done == [os.getpid()]  # done here, in this process
    finally:
        stop.set()
        thread.join()


def test_a_fork_that_fails_does_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forked.os, "fork", refused)
    done: list[int] = []
    assert forked.start(lambda: done.append(os.getpid())).wait()
    assert done == [os.getpid()]


def test_without_fork_the_work_is_done_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    done: list[int] = []
    job = forked.start(lambda: done.append(os.getpid()))
    assert done == [os.getpid()] and job.wait()
    with pytest.raises(ZeroDivisionError):
        forked.start(lambda: 1 / 0 and None)


def test_a_pending_lock_equals_one_written_at_once(tmp_path: Path) -> None:
    plan = _plan()
    lock_write.write_plan(tmp_path / "direct.json", plan, RECORD)  # type: ignore[arg-type]
    pending = lock_write.start_plan(tmp_path / "pending.json", plan)  # type: ignore[arg-type]
    pending.finish(RECORD)
    assert (tmp_path / "pending.json").read_bytes() == (tmp_path / "direct.json").read_bytes()
    lock, problem = read_lock(tmp_path / "pending.json", "pending.json")
    assert problem is None and lock.output == RECORD and len(lock.entries) == 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["direct.json", "pending.json"]


@pytest.mark.parametrize("fork", [True, False])
def test_a_lock_whose_side_process_fails_is_written_by_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    plan = _plan()
    lock_write.write_plan(tmp_path / "direct.json", plan, RECORD)  # type: ignore[arg-type]
    if fork:
        if not forked.can_fork():
            pytest.skip("no side process here")

        def broken(self: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(lock_write.PendingLock, "_write_body", broken)
    else:
        monkeypatch.setattr(forked, "can_fork", lambda: False)
    pending = lock_write.start_plan(tmp_path / "lock.json", plan)  # type: ignore[arg-type]
    pending.finish(RECORD)
    assert (tmp_path / "lock.json").read_bytes() == (tmp_path / "direct.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["direct.json", "lock.json"]


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
    if forked.can_fork():
        pending._job.wait()  # type: ignore[union-attr]  # the body is written, then...
    shutil.rmtree(folder)  # ...its folder vanishes before the record is added
    with pytest.raises(OutputError, match="cannot write"):
        pending.finish(RECORD)


@needs_fork
def test_the_cache_saved_beside_the_build_is_there_when_it_returns(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build of many notes saves its parse cache in a side process; the build waits
    for it, so the next build parses nothing."""
    notes = tmp_path / "notes"
    for path in sorted(corpus_dir.glob("*.md"))[: cache.PARALLEL_MIN + 4]:
        (notes / path.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, notes / path.name)
    options = BuildOptions(timestamp=1_700_000_000, cache_dir=tmp_path / "cache")
    saver: list[int] = []
    save = cache.ParseCache.save

    def recorded(self: cache.ParseCache) -> None:
        saver.append(os.getpid())
        time.sleep(0.5)  # slower than the rest of the build: it must be waited for
        save(self)

    monkeypatch.setattr(cache.ParseCache, "save", recorded)
    assert build(notes, tmp_path / "deck.apkg", options).written
    assert saver == []  # it ran in the child, whose list this is not
    assert list((tmp_path / "cache" / f"parse-v{cache.CACHE_FORMAT}").iterdir())

    parsed: list[str] = []

    def counting(data: bytes, relpath: str, *args: object) -> object:
        parsed.append(relpath)
        return parse_file(data, relpath, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(prepared, "parse_file", counting)
    (notes / LOCK_NAME).unlink()  # not a no-op: every note is looked up in the cache
    report = build(notes, tmp_path / "deck.apkg", options)
    assert report.notes == cache.PARALLEL_MIN + 4 and parsed == []


def test_a_refused_fork_whose_work_fails_leaves_the_lock_to_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    def broken(self: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(forked.os, "fork", refused)
    monkeypatch.setattr(lock_write.PendingLock, "_write_body", broken)
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    plan = _plan()
    lock_write.write_plan(tmp_path / "direct.json", plan, RECORD)  # type: ignore[arg-type]
    pending = lock_write.start_plan(tmp_path / "lock.json", plan)  # type: ignore[arg-type]
    pending.finish(RECORD)  # written whole, here
    assert (tmp_path / "lock.json").read_bytes() == (tmp_path / "direct.json").read_bytes()


def test_a_lock_in_a_folder_not_made_yet(tmp_path: Path) -> None:
    path = tmp_path / "state" / "lock.json"
    pending = lock_write.start_plan(path, _plan())  # type: ignore[arg-type]
    pending.finish(RECORD)
    assert read_lock(path, "lock.json")[0].output == RECORD
    assert [p.name for p in path.parent.iterdir()] == ["lock.json"]
