"""GUIDs, deck ids and build times: identity that survives edits, time that moves forward."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from genanki import guid_for as genanki_guid
from hypothesis import given
from hypothesis import strategies as st

from sagenotes_anki.cards.identity import build_timestamp, deck_id_for, fresh_mod, guid_for

# Characters Anki cannot have in a GUID field of its text import/export format.
FORBIDDEN = set(" \t\n\r\x1f\"'\\")


def test_guid_is_the_same_for_the_same_item() -> None:
    """The same note identity and item key always give the same GUID."""
    assert guid_for("sagemaker-processing", "concept:Processing Jobs") == guid_for(
        "sagemaker-processing", "concept:Processing Jobs"
    )


def test_guid_differs_between_items_and_notes() -> None:
    """Another key in the same note, or the same key in another note, is another card."""
    base = guid_for("note-a", "concept:Term")
    assert guid_for("note-a", "concept:Other") != base
    assert guid_for("note-b", "concept:Term") != base
    assert guid_for("note-a", "tradeoff:Term") != base


def test_guid_keeps_its_parts_apart() -> None:
    """Moving characters between identity and key gives another GUID."""
    assert guid_for("ab", "c") != guid_for("a", "bc")


def test_guid_is_not_genanki_default() -> None:
    """Our GUID is namespaced: it differs from genanki's hash of the same text."""
    assert guid_for("note-a", "concept:Term") != genanki_guid("note-a", "concept:Term")


@given(st.text(), st.text())
def test_guid_is_a_short_anki_safe_string(identity: str, key: str) -> None:
    """Every GUID is 1-10 printable ASCII characters without spaces, quotes or separators."""
    guid = guid_for(identity, key)
    assert 1 <= len(guid) <= 10
    assert guid.isascii() and guid.isprintable()
    assert not FORBIDDEN & set(guid)


def test_guids_of_a_large_vault_do_not_collide() -> None:
    """Fifty thousand items across a thousand notes get fifty thousand GUIDs."""
    guids = {guid_for(f"note-{n}", f"concept:term {k}") for n in range(1000) for k in range(50)}
    assert len(guids) == 50_000


def test_deck_id_is_constant_and_in_range() -> None:
    """A deck name always maps to one id, a positive 31-bit number like genanki's examples."""
    assert deck_id_for("SageNotes") == deck_id_for("SageNotes")
    assert deck_id_for("SageNotes") != deck_id_for("AWS ML")
    assert 1 << 30 <= deck_id_for("SageNotes") < 1 << 31


def test_build_timestamp_prefers_explicit_then_source_date_epoch() -> None:
    """An explicit time wins over SOURCE_DATE_EPOCH, which wins over the clock."""
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert build_timestamp(42, env) == 42
    assert build_timestamp(None, env) == 1_700_000_000
    before = int(time.time())
    assert before <= build_timestamp(None, {}) <= int(time.time())


def test_build_timestamp_ignores_an_unusable_source_date_epoch() -> None:
    """A SOURCE_DATE_EPOCH that is not a number falls back to the clock."""
    before = int(time.time())
    assert build_timestamp(None, {"SOURCE_DATE_EPOCH": "yesterday"}) >= before


def test_fresh_mod_is_the_build_time_when_it_is_newer() -> None:
    """A change gets the build time when that is after every earlier mod."""
    assert fresh_mod(2000, [1000, 1500]) == 2000


def test_fresh_mod_moves_past_earlier_mods() -> None:
    """A change is always newer than earlier builds, even with a clock set back."""
    assert fresh_mod(1000, [1000]) == 1001
    assert fresh_mod(500, [1000, 900]) == 1001
    assert fresh_mod(500, []) == 500


def test_a_source_date_epoch_past_the_year_9999_still_builds_a_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An absurd SOURCE_DATE_EPOCH falls back to the clock instead of overflowing ids."""
    from sagenotes_anki.build import BuildOptions, build

    assert build_timestamp(None, {"SOURCE_DATE_EPOCH": str(2**62)}) <= int(time.time())
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text("# T\n\n## 🔍 주요개념\n\n- **Term**: definition\n", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(2**62))
    assert build(notes, tmp_path / "deck.apkg", BuildOptions()).written
