"""The lock file: which items changed since the last build, and what `mod` each one gets."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagenotes_anki.cards.identity import guid_for
from sagenotes_anki.lock.format import dumps, loads
from sagenotes_anki.lock.model import LOCK_FORMAT, REMOVED_TAG, Item, Lock, OutputRecord, Plan
from sagenotes_anki.lock.previous import Recovered
from sagenotes_anki.lock.read import read_lock
from sagenotes_anki.lock.reconcile import reconcile
from sagenotes_anki.lock.write import write_lock

NOTETYPES = {"Concept": "h1"}


def item(
    term: str, definition: str, *, note: str = "note-a", tags: tuple[str, ...] = ("t",)
) -> Item:
    """A concept item as the build makes it."""
    key = f"concept:{term}"
    return Item.of(
        guid=guid_for(note, key),
        notetype="Concept",
        identity=note,
        key=key,
        path=f"{note}.md",
        fields=(("Term", term), ("Definition", definition)),
        tags=tags,
    )


def first_build(items: list[Item], timestamp: int = 1000) -> Lock:
    """The lock after a build from no lock at all."""
    return reconcile(items, Lock(), timestamp, NOTETYPES).to_lock(None)


def recovered(*items: Item) -> dict[str, Recovered]:
    """The previous package's copy of these items, as previous.recover returns it."""
    return {i.guid: Recovered(i.notetype, i.fields, i.tags) for i in items}


def status(plan: Plan) -> dict[str, tuple[str, int]]:
    """Key -> (status, mod) for every planned entry."""
    return {e.item.key: (s, e.mod) for e, s in plan.entries}


def test_first_build_marks_everything_new_with_the_build_time() -> None:
    """With no lock, every item is new and gets the build time as its mod."""
    plan = reconcile([item("A", "a"), item("B", "b")], Lock(), 1000, NOTETYPES)
    assert status(plan) == {"concept:A": ("new", 1000), "concept:B": ("new", 1000)}
    assert plan.notetypes["Concept"].mod == 1000


def test_unchanged_items_keep_their_mod() -> None:
    """An item with the same fields and tags keeps the mod of the earlier build."""
    lock = first_build([item("A", "a")], 1000)
    plan = reconcile([item("A", "a")], lock, 5000, NOTETYPES)
    assert status(plan) == {"concept:A": ("unchanged", 1000)}
    assert plan.notetypes["Concept"].mod == 1000


def test_a_changed_item_gets_the_new_build_time() -> None:
    """An edited definition makes the item changed, with the new build time as its mod."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    plan = reconcile([item("A", "a, edited"), item("B", "b")], lock, 5000, NOTETYPES)
    assert status(plan) == {"concept:A": ("changed", 5000), "concept:B": ("unchanged", 1000)}


def test_a_changed_item_is_newer_even_when_the_clock_is_not() -> None:
    """With SOURCE_DATE_EPOCH pinned to the earlier build's time, a change still moves on."""
    lock = first_build([item("A", "a")], 1000)
    plan = reconcile([item("A", "a, edited")], lock, 1000, NOTETYPES)
    assert status(plan) == {"concept:A": ("changed", 1001)}


def test_tag_changes_count_but_tag_order_does_not() -> None:
    """A new tag is a change; the same tags in another order are not."""
    lock = first_build([item("A", "a", tags=("x", "y"))])
    assert status(reconcile([item("A", "a", tags=("y", "x"))], lock, 5000, NOTETYPES)) == {
        "concept:A": ("unchanged", 1000)
    }
    assert status(reconcile([item("A", "a", tags=("x", "z"))], lock, 5000, NOTETYPES)) == {
        "concept:A": ("changed", 5000)
    }


def test_a_removed_item_is_kept_unchanged_with_the_removed_tag() -> None:
    """An item gone from the notes stays, same fields, tagged removed, with a newer mod."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    plan = reconcile([item("A", "a")], lock, 5000, NOTETYPES, recovered=recovered(item("B", "b")))
    assert status(plan) == {"concept:A": ("unchanged", 1000), "concept:B": ("removed", 5000)}
    removed = next(e.item for e, s in plan.entries if s == "removed")
    assert removed.fields == item("B", "b").fields
    assert removed.tags == ("t", REMOVED_TAG)


def test_a_removed_item_without_a_previous_package_is_reported_lost() -> None:
    """With no copy of a vanished item anywhere, the plan names it instead of dropping it."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    plan = reconcile([item("A", "a")], lock, 5000, NOTETYPES, recovered={})
    assert status(plan) == {"concept:A": ("unchanged", 1000)}
    assert [e.item.key for e in plan.lost] == ["concept:B"]


def test_the_lock_keeps_fields_only_for_items_the_notes_no_longer_yield() -> None:
    """Live items are a hash and a mod in the lock; removed ones keep their content."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    lock = reconcile(
        [item("A", "a")], lock, 5000, NOTETYPES, recovered=recovered(item("B", "b"))
    ).to_lock(None)
    text = dumps(lock)
    assert '"Definition": "b"' in text
    assert '"Definition": "a"' not in text


def test_a_removed_item_stays_put_in_later_builds() -> None:
    """Once tagged, a removed item keeps its mod: re-importing does not touch it again."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    lock = reconcile(
        [item("A", "a")], lock, 5000, NOTETYPES, recovered=recovered(item("B", "b"))
    ).to_lock(None)
    plan = reconcile([item("A", "a")], lock, 9000, NOTETYPES)
    assert status(plan) == {"concept:A": ("unchanged", 1000), "concept:B": ("kept_removed", 5000)}


def test_an_item_that_comes_back_loses_the_removed_tag() -> None:
    """Restoring a removed item is a change that drops the tag."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    lock = reconcile(
        [item("A", "a")], lock, 5000, NOTETYPES, recovered=recovered(item("B", "b"))
    ).to_lock(None)
    plan = reconcile([item("A", "a"), item("B", "b")], lock, 9000, NOTETYPES)
    assert status(plan)["concept:B"] == ("changed", 9000)
    assert REMOVED_TAG not in plan.entries[1][0].item.tags


def test_items_of_a_note_left_out_for_errors_are_carried_over() -> None:
    """A note skipped because of errors keeps its previous items, untagged and unchanged."""
    lock = first_build([item("A", "a"), item("X", "x", note="broken")], 1000)
    plan = reconcile(
        [item("A", "a")],
        lock,
        5000,
        NOTETYPES,
        carry_paths=["broken.md"],
        recovered=recovered(item("X", "x", note="broken")),
    )
    assert status(plan) == {"concept:A": ("unchanged", 1000), "concept:X": ("carried", 1000)}


def test_forget_removed_drops_items_gone_from_the_notes() -> None:
    """With forget_removed, a vanished item is left out of the package and the lock."""
    lock = first_build([item("A", "a"), item("B", "b")], 1000)
    plan = reconcile([item("A", "a")], lock, 5000, NOTETYPES, forget_removed=True)
    assert status(plan) == {"concept:A": ("unchanged", 1000)}


def test_a_changed_note_type_gets_a_newer_mod() -> None:
    """Changed templates or CSS give the note type a newer mod, so Anki takes them."""
    lock = first_build([item("A", "a")], 1000)
    plan = reconcile([item("A", "a")], lock, 5000, {"Concept": "h2"})
    assert plan.notetypes["Concept"].mod == 5000


def sample_lock() -> Lock:
    """A lock with two notes, a removed item and an output record."""
    korean = item("한국어", "정의")
    gone = item("C", "정의 <b>굵게</b>", note="z")
    lock = first_build([item("B", "b"), korean, gone])
    plan = reconcile([item("B", "b"), korean], lock, 2000, NOTETYPES, recovered=recovered(gone))
    return plan.to_lock(OutputRecord("inputs-digest", "f" * 64, 1234))


def test_lock_round_trips() -> None:
    """Reading a written lock gives back the same entries, note types and output record."""
    lock = sample_lock()
    again = loads(dumps(lock))
    assert again == lock


def test_lock_text_is_stable_sorted_json() -> None:
    """The text is valid JSON with sorted keys, one line per item, Korean kept readable."""
    text = dumps(sample_lock())
    doc = json.loads(text)
    assert doc["format"] == LOCK_FORMAT
    assert list(doc["items"]) == sorted(doc["items"])
    assert list(doc["items"]["note-a"]) == ["concept:B", "concept:한국어"]
    assert "정의 <b>굵게</b>" in text
    item_lines = [line for line in text.splitlines() if '"guid"' in line]
    assert len(item_lines) == 3
    assert dumps(loads(text)) == text


def test_lock_text_does_not_depend_on_insertion_order() -> None:
    """The same entries added in another order give the same text."""
    lock = sample_lock()
    reversed_lock = Lock(dict(reversed(list(lock.entries.items()))), lock.notetypes, lock.output)
    assert dumps(reversed_lock) == dumps(lock)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        "[]",
        '{"format": 99, "items": {}, "notetypes": {}, "output": null}',
        '{"format": 1, "items": {"n": {"k": {"guid": 3}}}, "notetypes": {}, "output": null}',
        '{"format": 1, "items": {}, "notetypes": {"C": {"hash": "h", "mod": "soon"}}, '
        '"output": null}',
    ],
    ids=["empty", "truncated", "list", "future-format", "bad-entry", "bad-mod"],
)
def test_a_damaged_lock_is_reported_and_not_trusted(tmp_path: Path, text: str) -> None:
    """A lock that is not exactly what we write gives a warning and an empty lock."""
    path = tmp_path / "sagenotes.lock.json"
    path.write_text(text, encoding="utf-8")
    lock, problem = read_lock(path, "sagenotes.lock.json")
    assert lock == Lock()
    assert problem is not None
    assert (problem.severity, problem.code, problem.path) == (
        "warning",
        "lock-ignored",
        "sagenotes.lock.json",
    )
    assert "as if for the first time" in problem.message


def test_a_missing_lock_is_a_first_build_without_warning(tmp_path: Path) -> None:
    """No lock file simply means no earlier build."""
    assert read_lock(tmp_path / "sagenotes.lock.json", "sagenotes.lock.json") == (Lock(), None)


def test_write_lock_then_read_it_back(tmp_path: Path) -> None:
    """A written lock reads back equal, and leaves no temporary file behind."""
    path = tmp_path / "sagenotes.lock.json"
    write_lock(path, sample_lock())
    assert read_lock(path, "sagenotes.lock.json") == (sample_lock(), None)
    assert [p.name for p in tmp_path.iterdir()] == ["sagenotes.lock.json"]


def format_1_text(items: list[Item], mod: int) -> str:
    """A lock as the format-1 writer left it: each hash is SHA-256 of the item's JSON text."""
    groups: dict[str, dict[str, object]] = {}
    for i in items:
        payload = {"notetype": i.notetype, "fields": dict(i.fields), "tags": sorted(set(i.tags))}
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        groups.setdefault(i.identity, {})[i.key] = {
            "guid": i.guid,
            "hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "mod": mod,
            "notetype": i.notetype,
            "path": i.path,
        }
    doc = {"format": 1, "items": groups, "notetypes": {}, "output": None}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def test_a_format_1_lock_still_tells_unchanged_from_changed() -> None:
    """After upgrading, items unchanged since a format-1 lock keep their mod; edits move on."""
    lock = loads(format_1_text([item("A", "a"), item("B", "b")], 1000))
    plan = reconcile([item("A", "a"), item("B", "b, edited")], lock, 5000, NOTETYPES)
    assert status(plan) == {"concept:A": ("unchanged", 1000), "concept:B": ("changed", 5000)}
    upgraded = loads(dumps(plan.to_lock(None)))
    again = reconcile([item("A", "a"), item("B", "b, edited")], upgraded, 9000, NOTETYPES)
    assert status(again) == {"concept:A": ("unchanged", 1000), "concept:B": ("unchanged", 5000)}
    assert json.loads(dumps(plan.to_lock(None)))["format"] == LOCK_FORMAT > 1


def test_content_hash_ignores_field_and_tag_order_but_not_content() -> None:
    """Reordered fields or tags hash the same; a changed value or note type does not."""
    a = item("A", "a", tags=("x", "y"))
    swapped = a.with_content(tuple(reversed(a.fields)), ("y", "x"))
    assert swapped.content_hash == a.content_hash
    assert item("A", "a2", tags=("x", "y")).content_hash != a.content_hash
    assert replace(a, notetype="Other").content_hash != a.content_hash
    # Moving text from one field to another is a change.
    moved = a.with_content((("Term", "Aa"), ("Definition", "")), a.tags)
    kept = a.with_content((("Term", "A"), ("Definition", "a")), a.tags)
    assert moved.content_hash != kept.content_hash


_ANY_TEXT = st.text(min_size=1, max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(_ANY_TEXT, _ANY_TEXT, _ANY_TEXT), min_size=1, max_size=6))
def test_any_names_read_back_as_written(tmp_path: Path, names: list[tuple[str, str, str]]) -> None:
    """Note identities, keys and paths with quotes, backslashes, control characters or any
    other text come back from the lock file exactly, the same as a JSON parser reads them."""
    items = [
        Item.of(guid_for(note, key), "Concept", note, key, path, (("Term", key),), ("t",))
        for note, key, path in names
    ]
    unique = list({i.guid: i for i in items}.values())
    lock = reconcile(unique, Lock(), 1000, NOTETYPES).to_lock(None)
    path = tmp_path / "sagenotes.lock.json"
    write_lock(path, lock)
    read, problem = read_lock(path, "sagenotes.lock.json")
    assert problem is None
    assert read == loads(path.read_text(encoding="utf-8")) == lock


def test_a_hand_edited_number_is_left_to_the_json_parser(tmp_path: Path) -> None:
    """A mod written as JSON does not allow (a leading zero) makes the lock damaged."""
    path = tmp_path / "sagenotes.lock.json"
    write_lock(path, sample_lock())
    text = path.read_text(encoding="utf-8")
    assert '"mod": 2000,' in text
    path.write_text(text.replace('"mod": 2000,', '"mod": 02000,', 1), encoding="utf-8")
    lock, problem = read_lock(path, "sagenotes.lock.json")
    assert lock == Lock() and problem is not None and problem.code == "lock-ignored"
