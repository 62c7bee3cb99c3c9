"""The one atomic writer (runtime/atomic.py): durable for outputs, best effort for the cache,
and the sweep of what killed writers left, beside the package, the lock and the preview."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from sagenotes_anki.build import BuildOptions
from sagenotes_anki.errors import OutputError
from sagenotes_anki.preview.page import write_preview
from sagenotes_anki.runtime import atomic


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp"))


def test_write_file_replaces_the_file_whole_and_durably(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new" / "deck.apkg"
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[-1])
    written = atomic.write_file(out, lambda f: f.write(b"package"), hashed=True)
    assert out.read_bytes() == b"package"
    assert (written.size, written.sha256) == (7, hashlib.sha256(b"package").hexdigest())
    assert synced  # the file (and its folder) made durable before the rename
    assert atomic.write_file(out, lambda f: f.write(b"x")).sha256 == ""  # not read back
    assert _temps(out.parent) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"old")

    def full_disk(f: IO[bytes]) -> None:
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left"):
        atomic.write_file(out, full_disk)
    assert out.read_bytes() == b"old"
    assert _temps(tmp_path) == []
    with pytest.raises(OutputError, match="it is a folder"):
        atomic.write_file(tmp_path, lambda f: None)


def test_write_text_writes_what_open_would(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    atomic.write_text(out, "한글\n<p>")
    with open(tmp_path / "by-open.html", "w", encoding="utf-8") as f:
        f.write("한글\n<p>")
    assert out.read_bytes() == (tmp_path / "by-open.html").read_bytes()


def test_best_effort_swallows_failures_and_does_not_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fsync(fd: int) -> None:
        raise AssertionError("a cache file is not synced")

    monkeypatch.setattr(os, "fsync", no_fsync)
    out = tmp_path / "cache" / "shard.pack"
    assert atomic.write_best_effort(out, b"kept")
    assert out.read_bytes() == b"kept"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert not atomic.write_best_effort(blocker / "shard.pack", b"lost")  # no raise
    assert blocker.read_text() == "not a folder"
    assert _temps(out.parent) == [] and _temps(tmp_path) == []


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


@pytest.mark.skipif(os.name != "posix", reason="the sweep asks POSIX whether a writer runs")
def test_a_preview_removes_what_killed_previews_left(tmp_path: Path) -> None:
    """Temporary files of the page whose writer is gone are removed (both the old ``PID``
    names and TempFile's ``PID-HEX``); a running writer's and other files are kept."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\n## 🎯 핵심 포인트\n요점\n", encoding="utf-8")
    out = tmp_path / "build" / "preview.html"
    out.parent.mkdir()
    dead = _dead_pid()
    stale = [f".preview.html.{dead}.tmp", f".preview.html.{dead}-0123abcd.tmp"]
    kept = [f".preview.html.{os.getpid()}-0123abcd.tmp", f".other.html.{dead}.tmp"]
    for name in stale + kept:
        (out.parent / name).write_text("left")
    write_preview(notes, out, BuildOptions())
    assert out.is_file()
    assert _temps(out.parent) == sorted(kept)
