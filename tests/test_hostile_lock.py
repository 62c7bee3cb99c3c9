"""A hostile lock file or note text never breaks the deck or hangs the build.

Each test builds a small real notes folder, damages the lock (or writes Anki's own markup
into a note), builds again, and imports the package into a real Anki collection.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection
from ankiutil import collection, database, import_apkg, note_by_guid

from sagenotes_anki.build import BuildOptions, BuildReport, build
from sagenotes_anki.lock.model import LOCK_NAME, REMOVED_TAG

ROOT = Path(__file__).resolve().parent.parent
NOTE = ROOT / "notes" / "sagemaker-processing-vs-batch-transform.md"
T1, T2 = 1_700_000_000, 1_700_100_000
CONCEPT_FIELDS = ("Term", "Definition", "Group", "Topic", "Source")
GUID = "hostile001"  # the removed item written into the lock by hand
ITEMS = 12  # the note's Anki notes: 10 items and 2 comparison cards


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A notes folder with one real note, built once (so it has a lock)."""
    folder = tmp_path / "notes"
    folder.mkdir()
    shutil.copy(NOTE, folder / NOTE.name)
    assert build(folder, tmp_path / "first.apkg", BuildOptions(timestamp=T1)).written
    return folder


def rebuild(notes: Path) -> tuple[BuildReport, Path]:
    out = notes.parent / "deck.apkg"
    return build(notes, out, BuildOptions(timestamp=T2)), out


def lock_warnings(report: BuildReport) -> list[str]:
    return [d.message for d in report.diagnostics if d.code == "lock-ignored"]


def imported(tmp_path: Path, apkg: Path) -> tuple[Collection, int]:
    """A fresh collection holding ``apkg`` (closed by the caller) and its new-note count."""
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    return col, import_apkg(col, apkg).new


def add_removed_item(notes: Path, fields: dict[str, str], tags: list[str]) -> None:
    """Put an item the notes no longer yield into the lock, as the lock keeps one."""
    lock = notes / LOCK_NAME
    record = {
        "guid": GUID,
        "hash": "0" * 64,
        "mod": T1,
        "notetype": "SageNotes Concept",
        "path": "gone.md",
        "fields": fields,
        "tags": tags,
    }
    line = f'  "gone": {{\n   "concept:x": {json.dumps(record)}\n  }},\n'
    text = lock.read_text(encoding="utf-8")
    anchor = ' "items": {\n'
    assert anchor in text
    lock.write_text(text.replace(anchor, anchor + line, 1), encoding="utf-8")


# --- 1. control characters in a removed item's fields and tags ------------------------------


def test_a_field_separator_in_a_removed_item_does_not_break_the_import(
    notes: Path, tmp_path: Path
) -> None:
    """U+001F (Anki's field separator) and other C0 controls are removed from the fields
    written into the package; tab, newline and carriage return stay."""
    add_removed_item(
        notes,
        {
            "Term": "a\x1fb",
            "Definition": "d\x01e\x00f\x0bg\x7f",
            "Group": "",
            "Topic": "t\tu\nv\rw",
            "Source": "s\x1e",
        },
        ["kept"],
    )
    report, out = rebuild(notes)
    assert report.written and report.removed == 1
    col, new = imported(tmp_path, out)
    try:
        assert new == ITEMS + 1
        note = note_by_guid(col, GUID)
        assert list(note.keys()) == list(CONCEPT_FIELDS)
        # (Anki itself drops DEL and carriage returns as it imports.)
        assert note.fields == ["ab", "defg", "", "t\tu\nvw", "s"]
    finally:
        col.close()


def test_spaces_and_controls_in_a_removed_items_tags_do_not_stop_the_build(
    notes: Path, tmp_path: Path
) -> None:
    """A tag holding a space or a control character is written with ``_`` instead."""
    add_removed_item(
        notes,
        {"Term": "t", "Definition": "d", "Group": "", "Topic": "", "Source": ""},
        ["two words", "x\x1fy", "tab\there", "a\u3000b", REMOVED_TAG],
    )
    report, out = rebuild(notes)
    assert report.written
    col, new = imported(tmp_path, out)
    try:
        assert new == ITEMS + 1
        tags = set(note_by_guid(col, GUID).tags)
        assert tags == {"two_words", "x_y", "tab_here", "a_b", REMOVED_TAG}
    finally:
        col.close()


# --- 2. implausible values and non-files ----------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("where", ["whole-file", "item-line"])
def test_a_deeply_nested_lock_is_ignored_with_a_warning(
    notes: Path, tmp_path: Path, where: str
) -> None:
    lock = notes / LOCK_NAME
    text = lock.read_text(encoding="utf-8")
    if where == "whole-file":
        text = '{"format": 2, "items": {"x": ' + nested(100_000) + "}}"
    else:  # one item's line, in the layout the line reader takes
        line = next(line for line in text.splitlines() if '"guid"' in line)
        text = text.replace(line, line.replace('"guid"', f'"x": {nested(100_000)}, "guid"'))
    lock.write_text(text, encoding="utf-8")
    report, out = rebuild(notes)
    assert report.written and lock_warnings(report)
    assert report.new == ITEMS
    col, new = imported(tmp_path, out)
    col.close()
    assert new == ITEMS


@pytest.mark.parametrize("mod", [2**63 - 1, 2**63, 2**53 + 1, 10**30, -1])
def test_an_impossible_mod_is_ignored_and_the_item_updated(
    notes: Path, tmp_path: Path, mod: int
) -> None:
    """One item's ``mod`` out of any real time's range: that item gets this build's time
    (Anki updates it once), the others stay unchanged, and the lock says so."""
    lock = notes / LOCK_NAME
    text = lock.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if '"concept:Batch Transform"' in line)
    guid = json.loads(line.split(": ", 1)[1].rstrip(","))["guid"]
    bad = re.sub(r'"mod": \d+', f'"mod": {mod}', line)
    lock.write_text(text.replace(line, bad), encoding="utf-8")
    report, out = rebuild(notes)
    assert report.written
    assert (report.changed, report.unchanged) == (1, ITEMS - 1)
    assert any("mod" in message for message in lock_warnings(report))
    col, new = imported(tmp_path, out)
    try:
        assert new == ITEMS
        assert note_by_guid(col, guid).mod == T2
        mods = database(col).list("select mod from notes")
        assert all(T1 <= m <= T2 for m in mods)
    finally:
        col.close()
    # The next build reads its own lock back without a warning.
    again, _ = rebuild(notes)
    assert not lock_warnings(again)


def test_an_impossible_note_type_mod_is_ignored(notes: Path, tmp_path: Path) -> None:
    lock = notes / LOCK_NAME
    text = lock.read_text(encoding="utf-8")
    text = re.sub(r'("SageNotes Concept": \{"hash": "[0-9a-f]+", "mod": )\d+', r"\g<1>-7", text)
    lock.write_text(text, encoding="utf-8")
    report, out = rebuild(notes)
    assert report.written and lock_warnings(report)
    assert report.unchanged == ITEMS
    col, new = imported(tmp_path, out)
    try:
        assert new == ITEMS
        concept = col.models.by_name("SageNotes Concept")
        assert concept is not None and concept["mod"] == T2
    finally:
        col.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_the_lock_does_not_hang_the_build(notes: Path, tmp_path: Path) -> None:
    lock = notes / LOCK_NAME
    lock.unlink()
    os.mkfifo(lock)
    out = tmp_path / "deck.apkg"
    command = [sys.executable, "-m", "sagenotes_anki", "build", str(notes), "-o", str(out)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(T2)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    assert "[lock-ignored]" in result.stderr and "not a regular file" in result.stderr
    assert lock.is_file()  # replaced by the lock this build wrote
    col, new = imported(tmp_path, out)
    col.close()
    assert new == ITEMS


def test_a_lone_surrogate_in_the_lock_makes_it_damaged(notes: Path, tmp_path: Path) -> None:
    """A JSON escape of half a UTF-16 pair can be stored in no file and no package."""
    add_removed_item(
        notes,
        {"Term": "t\ud800", "Definition": "d", "Group": "", "Topic": "", "Source": ""},
        [],
    )
    assert "\\ud800" in (notes / LOCK_NAME).read_text(encoding="utf-8")
    report, out = rebuild(notes)
    assert report.written and any("surrogate" in m for m in lock_warnings(report))
    col, new = imported(tmp_path, out)
    col.close()
    assert new == ITEMS


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_where_the_lock_says_the_package_is_does_not_hang_the_build(
    notes: Path, tmp_path: Path
) -> None:
    """Items gone from the notes are looked for in the previous package; a FIFO there is
    passed over (the items are reported lost) instead of being waited on."""
    lock = notes / LOCK_NAME
    record = json.loads(lock.read_text(encoding="utf-8"))["output"]
    os.mkfifo(notes / "previous.apkg")
    text = lock.read_text(encoding="utf-8")
    assert f'"path": "{record["path"]}"' in text
    text = text.replace(f'"path": "{record["path"]}"', '"path": "previous.apkg"')
    lock.write_text(text, encoding="utf-8")
    (notes / NOTE.name).write_text(
        "---\ntitle: other\n---\n# Other\n\n## 🎯 핵심 포인트\n\nOne point.\n", encoding="utf-8"
    )
    out = tmp_path / "deck.apkg"
    command = [sys.executable, "-m", "sagenotes_anki", "build", str(notes), "-o", str(out)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(T2)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    assert "[removed-lost]" in result.stderr
    col, new = imported(tmp_path, out)
    col.close()
    assert new == 1


# --- 3. Anki's own markup in note text ------------------------------------------------------

MARKUP_NOTE = """---
title: anki-markup
tags: [service/sagemaker]
---
# Markup [sound:title.mp3]

## 🎯 핵심 포인트

Play [sound:point.mp3], [anki:tts lang=en_US]spoken[/anki:tts], [anki:play:q:0], \
[$]x^2[/$], [$$]y[/$$], [LaTeX]z[/latex], `[sound:code.mp3]`, <b>[sound:html.mp3]</b>, \
{{Topic}} and {{c1::cloze}}.

## 📝 설명

### Flow [sound:flow-title.mp3]

```
flow [sound:flow.mp3] [$]f[/$]
```

## 🔍 주요개념

### 용어
- **[sound:term.mp3]**: 정의 [latex]\\alpha[/latex] 끝
"""
SHOWN = (
    "Markup [sound:title.mp3]",
    "[sound:point.mp3]",
    "[anki:tts lang=en_US]spoken[/anki:tts]",
    "[anki:play:q:0]",
    "[$]x^2[/$]",
    "[$$]y[/$$]",
    "[LaTeX]z[/latex]",
    "[sound:code.mp3]",
    "[sound:html.mp3]",
    "{{Topic}} and {{c1::cloze}}",
    "Flow [sound:flow-title.mp3]",
    "flow [sound:flow.mp3] [$]f[/$]",
    "[sound:term.mp3]",
    "정의 [latex]\\alpha[/latex] 끝",
    "markup [sound:file.mp3].md",  # the source link's text
)


def visible(card_html: str) -> str:
    """The text a learner sees: no style sheet, no tags, entities decoded."""
    card_html = re.sub(r"(?s)<style>.*?</style>", "", card_html)
    return html.unescape(re.sub(r"<[^>]+>", "", card_html))


def test_ankis_sound_and_latex_markup_in_a_note_shows_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "markup [sound:file.mp3].md").write_text(MARKUP_NOTE, encoding="utf-8")
    out = tmp_path / "deck.apkg"
    assert build(folder, out, BuildOptions(timestamp=T1, vault_name="v")).written
    with collection(tmp_path / "anki") as col:
        assert import_apkg(col, out).new == 2
        seen = ""
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            question, answer = card.question(), card.answer()
            assert card.question_av_tags() == [] and card.answer_av_tags() == []
            for side in (question, answer):
                assert "[anki:play" not in side  # what Anki makes of a sound tag
                assert "<img" not in side and "LaTeX image" not in side
            seen += visible(answer)
        for text in SHOWN:
            assert text in seen
