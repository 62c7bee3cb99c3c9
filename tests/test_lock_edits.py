"""A lock edited by hand into something we never write is ignored with a warning, not
half-trusted: a format that only equals ours in Python, GUIDs Anki cannot hold, a key twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sagenotes_anki.build import BuildOptions, build
from sagenotes_anki.lock.model import LOCK_NAME
from sagenotes_anki.lock.read import read_lock

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lock_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    notes = tmp_path_factory.mktemp("edits") / "notes"
    shutil.copytree(ROOT / "notes", notes, ignore=shutil.ignore_patterns("*.json"))
    assert build(notes, notes.parent / "deck.apkg", BuildOptions(timestamp=1_700_000_000)).written
    return (notes / LOCK_NAME).read_text(encoding="utf-8")


def _first_guid(text: str) -> str:
    doc = json.loads(text)
    group = next(iter(doc["items"].values()))
    return str(next(iter(group.values()))["guid"])


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace('"format": 2,', '"format": true,', 1),
        lambda t: t.replace('"format": 2,', '"format": 2.0,', 1),
        lambda t: t.replace(f'"{_first_guid(t)}"', '""', 1),
        lambda t: t.replace(f'"{_first_guid(t)}"', '"a\\u001fb"', 1),
        lambda t: t.replace(f'"{_first_guid(t)}"', f'"{"x" * 100_000}"', 1),
        lambda t: t.replace('"format": 2,', '"format": 2,\n "format": 2,', 1),
    ],
    ids=["format-true", "format-float", "empty-guid", "separator-guid", "huge-guid", "key-twice"],
)
def test_a_lock_we_never_wrote_is_ignored_with_a_warning(
    lock_text: str, tmp_path: Path, edit: object
) -> None:
    edited = edit(lock_text)  # type: ignore[operator]
    assert edited != lock_text
    path = tmp_path / LOCK_NAME
    path.write_text(edited, encoding="utf-8")
    lock, problem = read_lock(path, LOCK_NAME)
    assert problem is not None and problem.code == "lock-ignored"
    assert not lock.entries


def test_the_lock_as_written_is_read(lock_text: str, tmp_path: Path) -> None:
    path = tmp_path / LOCK_NAME
    path.write_text(lock_text, encoding="utf-8")
    lock, problem = read_lock(path, LOCK_NAME)
    assert problem is None and len(lock.entries) == 24  # 20 items and 4 comparisons
