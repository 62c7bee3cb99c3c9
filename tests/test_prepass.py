"""The pre-pass skips following the nesting of a body that cannot nest too deep; it then
finds exactly what following it finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagenotes_anki.parse import prepass
from sagenotes_anki.parse.nesting import MAX_NESTING
from sagenotes_anki.parse.prepass import prepare

LINE_PIECES = st.sampled_from(
    ["- ", "* ", "1. ", "> ", ">", "  ", "    ", "\t", "   ", "x", "**a**"]
)
LINES = st.lists(st.lists(LINE_PIECES, max_size=40).map("".join), max_size=12).map("\n".join)


def _never_label(label: str) -> bool:
    return False


@settings(max_examples=400, deadline=None)
@given(LINES)
def test_skipping_the_nesting_walk_changes_nothing(body: str) -> None:
    """Random stacks of quotes, bullets, numbers, spaces and tabs: the same result whether
    or not the walk follows the nesting."""
    found = prepare(body, _never_label)
    saved = prepass.may_nest_deep
    prepass.may_nest_deep = lambda body: True  # type: ignore[assignment]
    try:
        followed = prepare(body, _never_label)
    finally:
        prepass.may_nest_deep = saved
    assert found == followed


@pytest.mark.parametrize(
    "body",
    [
        "\n".join("  " * depth + "- item" for depth in range(MAX_NESTING + 2)),
        "\n".join("\t" * depth + "- item" for depth in range(MAX_NESTING + 2)),
        "> " * (MAX_NESTING + 1) + "deep",
        "- " * (MAX_NESTING + 1) + "deep",
        ">" * (MAX_NESTING + 1) + "- deep",
    ],
)
def test_deep_bodies_are_still_refused(body: str) -> None:
    """Lists nested by spaces or tabs, quotes and markers on one line: too deep."""
    assert prepare(body, _never_label).too_deep is not None


def test_plain_note_is_not_followed() -> None:
    """A note of headings, paragraphs and shallow lists needs no nesting walk."""
    assert not prepass.may_nest_deep("# T\n\n- a\n  - b\n    - c\n\ntext\n")
