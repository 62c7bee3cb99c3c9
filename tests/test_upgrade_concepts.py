"""Upgrading from the release before context fronts, folded labels and comparison cards: a
lock written by that release (commit 3c5cb8c) on the real vault still matches, every concept
and trade-off card keeps its GUID, and only the paragraph-label cards are replaced."""

from __future__ import annotations

import shutil
from pathlib import Path

from releaseutil import build_with_release, unpack_release

from sagenotes_anki import load_notes
from sagenotes_anki.build import BuildOptions, build
from sagenotes_anki.lock.model import LOCK_NAME, REMOVED_TAG
from sagenotes_anki.lock.read import read_lock
from sagenotes_anki.parse.sections import is_generic_label

RELEASE = "3c5cb8c"  # the last release whose concept fronts were the bare term
T1 = 1_800_000_000


def _items(notes: Path) -> dict[str, tuple[str, str, str]]:
    """The lock's items the notes still give (not kept as removed): GUID -> (note type,
    identity, key)."""
    lock, problem = read_lock(notes / LOCK_NAME, LOCK_NAME)
    assert problem is None
    return {
        guid: (e.item.notetype, e.item.identity, e.item.key)
        for guid, e in lock.entries.items()
        if REMOVED_TAG not in e.item.tags
    }


def test_a_vault_built_by_the_release_keeps_its_concept_and_tradeoff_guids(
    tmp_path: Path, corpus_dir: Path
) -> None:
    release = unpack_release(RELEASE, tmp_path / "release")
    notes = tmp_path / "notes"
    shutil.copytree(corpus_dir, notes)
    build_with_release(release, notes, tmp_path / "1.apkg", T1, tmp_path)
    before = _items(notes)
    report = build(notes, tmp_path / "2.apkg", BuildOptions(timestamp=T1 + 3600))
    assert report.written
    after = _items(notes)
    present = set(after)
    practical = _practical_keys(notes)
    lost = []
    for guid, (notetype, identity, key) in before.items():
        if notetype not in KEPT or (identity, key) in practical:
            continue  # key points and practical bullets became scenario cards (another test)
        if notetype == "SageNotes Concept" and _label(key):
            continue  # "정의", "공통점": replaced by their heading's concept
        if guid not in present or after[guid][2] != key:
            lost.append((identity, key))
    assert lost == []
    # The label cards are the only concepts the new build does not make again: each is
    # kept, tagged removed, or re-matched by content to its heading's concept (with its
    # history).
    replaced = sorted(k for t, _, k in before.values() if t == "SageNotes Concept" and _label(k))
    assert replaced == ["concept:공통점", "concept:정의", "concept:정의", "concept:정의#2",
                        "concept:특징", "concept:한계"]  # fmt: skip
    gone = [
        (i, k)
        for g, (t, i, k) in before.items()
        if g not in present and t == "SageNotes Concept" and (i, k) not in practical
    ]
    assert gone and {k for _, k in gone} <= set(replaced)


KEPT = ("SageNotes Concept", "SageNotes Trade-off", "SageNotes MCQ")


def _practical_keys(notes: Path) -> set[tuple[str, str]]:
    """The concept keys the release made of practical bullets (now scenario cards)."""
    return {
        (note.identity, f"concept:{case.name}")
        for note in load_notes(notes).notes
        for case in note.practical_cases
        if case.name
    }


def _label(key: str) -> bool:
    """A concept key whose term is a paragraph label: ``concept:정의#2``."""
    return is_generic_label(key.split(":", 1)[1].split("#")[0])
