"""The plain-and-bold shortcut gives exactly the inline tokens mistune's parser gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shortcuts import record_taken

from sagenotes_anki.parse.inlinerules import MATH_RULE, MATH_STARTS
from sagenotes_anki.parse.mdast import _markdown, _PositionState
from sagenotes_anki.parse.shortcuts.inline import RULE_STARTS, ShortcutInline

FAST = _markdown()
STOCK = _markdown(shortcuts=False)


def inline(markdown: Any, text: str) -> Any:
    return markdown.inline(text, {})


def texts(folder: Path) -> list[str]:
    """Every inline text of the notes in ``folder`` (paragraphs, list items, headings)."""
    found: list[str] = []

    def walk(tokens: list[dict[str, Any]]) -> None:
        for token in tokens:
            if "text" in token:
                found.append(token["text"].strip(" \r\n\t\f"))
            walk(token.get("children", []))

    for path in sorted(folder.rglob("*.md")):
        state = _PositionState()
        state.process(path.read_text(encoding="utf-8").replace("\r\n", "\n") + "\n")
        STOCK.block.parse(state)
        walk(state.tokens)
    return found


class TestSameTokens:
    def test_corpus_texts(self, corpus_dir: Path) -> None:
        """Every inline text of the real notes gives the same tokens with the shortcut."""
        found = texts(corpus_dir)
        assert len(found) > 10_000
        for text in found:
            assert inline(FAST, text) == inline(STOCK, text), text

    def test_shortcut_is_taken_on_real_notes(
        self, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Most inline texts of real notes go by the shortcut (else it would save nothing)."""
        taken = record_taken(monkeypatch, ShortcutInline, "_plain_and_bold")
        for text in texts(corpus_dir)[:3000]:
            inline(FAST, text)
        assert len(taken) == 3000
        assert sum(taken) > 0.6 * len(taken)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "plain",
            "**Term**: definition",
            "**Term** : definition",
            "**행 기반 포맷 (CSV, TSV, JSON)**: 레코드 단위",
            "**A) Store the data** - why",
            "x**y**z",
            "**a**b**c**",
            "** not bold**",
            "**not bold **",
            "a **(b)** c",
            "a**(b)**c",
            "**(b)**c",
            "a**(b)**",
            "**",
            "****",
            "**a****b**",
            "***a***",
            "*a*",
            "**a*",
            "**a** **b",
            "**a** and **b** and **c**",
            "**a_b**",
            "**&amp;**",
            "**a&b**",
            "**a**\n**b**",
            "**`code`**",
            "**[link](x)**",
            "**a~~b~~**",
            "**a<b>**",
            "**a\\*b**",
            "**!**",
            "**정답: C) Store the data in Apache Parquet format**",
            "\u3000**전각**\u3000",
            "**a**\u00a0b",
            "**é**ü",
        ],
    )
    def test_edge_cases(self, text: str) -> None:
        """Texts on the shortcut's border parse as mistune parses them."""
        assert inline(FAST, text) == inline(STOCK, text)


PIECES = st.sampled_from(
    [
        "**",
        "*",
        "***",
        "a",
        "한",
        " ",
        "\u00a0",
        "(",
        ")",
        ":",
        "-",
        ".",
        "_",
        "&",
        "&amp;",
        "`",
        "\n",
        "[",
        "]",
        "<",
        "~~",
        "\\",
        "é",
        "1",
        "!",
        "\u3000",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=16))
def test_random_texts(pieces: list[str]) -> None:
    """Random mixes of words, bold markers and punctuation parse as mistune parses them."""
    text = "".join(pieces)
    assert inline(FAST, text) == inline(STOCK, text)


def test_start_characters_are_mistunes() -> None:
    """The shortcut's table of each rule's start characters is the one mistune keeps for
    itself (a mistune release that changes a rule's start fails here, not in a deck)."""
    from mistune import inline_parser

    known = inline_parser._KNOWN_RULE_START_CHARS
    ours = {MATH_RULE: set(MATH_STARTS)}
    assert {name: set(chars) for name, chars in RULE_STARTS.items()} == known | ours
    assert set(FAST.inline.rules) <= set(RULE_STARTS)


def test_shortcut_uses_no_private_mistune_method(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut decides without mistune's private trigger-character method."""

    def refused(*args: object) -> None:
        raise AssertionError("private mistune method called")

    text = "plain **bold** words"
    expected = inline(STOCK, text)
    fresh = _markdown()
    monkeypatch.setattr(ShortcutInline, "_get_fast_trigger_chars", refused, raising=False)
    assert inline(fresh, text) == expected
