"""An output path that names a note, the lock, a settings file or a FIFO is refused."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagenotes_anki", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", folder, ignore=shutil.ignore_patterns("*.json"))
    return folder


@pytest.mark.parametrize("command", ["build", "preview"])
def test_an_output_named_after_a_note_leaves_the_note_alone(notes: Path, command: str) -> None:
    note = notes / "sagemaker-processing-vs-batch-transform.md"
    before = note.read_bytes()
    run = _run(command, str(notes), "-o", str(note))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "will not write" in run.stderr and str(note) in run.stderr
    assert note.read_bytes() == before


def test_the_lock_is_not_an_output(notes: Path) -> None:
    first = _run("build", str(notes), "-o", str(notes.parent / "deck.apkg"))
    assert first.returncode == 0, first.stderr
    lock = notes / "sagenotes.lock.json"
    before = lock.read_bytes()
    run = _run("build", str(notes), "-o", str(lock))
    assert run.returncode == 2 and "lock file" in run.stderr
    assert lock.read_bytes() == before


def test_a_fifo_is_not_an_output(notes: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "deck.apkg"
    os.mkfifo(fifo)
    run = _run("build", str(notes), "-o", str(fifo))  # timeout: must not block on it either
    assert run.returncode == 2 and "not a regular file" in run.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("kind", ["deep", "fifo"])
def test_a_hostile_settings_file_is_a_settings_error(notes: Path, kind: str) -> None:
    """A settings file nested 100,000 deep, or a FIFO in its place: exit 2, no traceback."""
    settings = notes / "sagenotes.toml"
    if kind == "fifo":
        os.mkfifo(settings)
    else:
        settings.write_text("deck-name = " + "[" * 100_000 + "]" * 100_000 + "\n")
    run = _run("build", str(notes), "-o", str(notes.parent / "deck.apkg"))
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and str(settings) in run.stderr


def test_preview_names_the_notes_it_leaves_out(notes: Path, tmp_path: Path) -> None:
    """A broken note beside good ones: the page is written, the error shown, exit 1."""
    (notes / "broken.md").write_text("---\ntitle: [unclosed\n---\n# T\n", encoding="utf-8")
    page = tmp_path / "preview.html"
    run = _run("preview", str(notes), "-o", str(page))
    assert run.returncode == 1, run.stderr
    assert "broken.md:" in run.stderr and "[E003]" in run.stderr
    assert "1 note with errors left out" in run.stderr
    assert page.is_file() and "Processing" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["::", "a::::b", "SageNotes::", "AWS:: ::x"])
def test_a_deck_name_with_an_empty_part_is_refused(notes: Path, name: str) -> None:
    """Anki would make decks named "blank" of it."""
    run = _run("build", str(notes), "-o", str(notes.parent / "d.apkg"), "--deck-name", name)
    assert run.returncode == 2 and "every part between '::'" in run.stderr
    assert not (notes.parent / "d.apkg").exists()
