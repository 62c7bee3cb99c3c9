"""The plain-list shortcut gives exactly the tokens mistune's own list parser gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shortcuts import record_taken

from sagenotes_anki.parse import mdast
from sagenotes_anki.parse.mdast import _markdown, _PositionState
from sagenotes_anki.source.frontmatter import split_front_matter

FAST = _markdown()
STOCK = _markdown(shortcuts=False)


def tokens(markdown: Any, text: str) -> Any:
    result, _ = markdown.parse(text, _PositionState())
    return result


def bodies(folder: Path) -> list[tuple[str, str]]:
    """(name, body) of every note in ``folder``: the part the parser gives mistune."""
    found = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        found.append((path.name, split_front_matter(text, path.name).body))
    return found


class TestSameTokens:
    def test_corpus_notes(self, corpus_dir: Path) -> None:
        """Every real note parses to the same tokens with and without the shortcut."""
        notes = bodies(corpus_dir)
        assert len(notes) > 200
        for name, body in notes:
            assert tokens(FAST, body) == tokens(STOCK, body), name

    def test_shortcut_is_taken_on_real_notes(
        self, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Most lists of real notes go by the shortcut (else it would save nothing)."""
        taken = record_taken(monkeypatch, mdast, "simple_list")
        for _, body in bodies(corpus_dir)[:60]:
            tokens(FAST, body)
        assert len(taken) > 300
        assert sum(taken) > 0.8 * len(taken)

    @pytest.mark.parametrize(
        "text",
        [
            "- a\n- b\n",
            "- a\n- b",
            "- a\n\n- b\n",  # loose
            "- a\n  continued\n",
            "- a\ncontinued lazily\n",
            "- a\n  - nested\n- b\n",
            "- a\n* other bullet\n",
            "- a\n\n* other bullet\n",
            "- a\n# heading\n",
            "- a\n\n# heading\n",
            "- a\n```\ncode\n```\n",
            "- a\n> quote\n",
            "===\n- item\n\n> quote\n2) ordered",
            "- a\n---\n",
            "- a\n\n---\n",
            "- a\n\n\n\ntext\n",
            "- a\n\n  indented after blank\n",
            "- a\n\n    code after blank\n",
            " - a\n - b\n",
            "   - a\n  - b\n",
            "-    a\n-     b\n",  # four spaces, then five (code inside the item)
            "-\ta\n",
            "- a\tb\n",
            "- # heading in an item\n",
            "- > quote in an item\n",
            "- ```\n",
            "- <div>html</div>\n",
            "- [x]: /url\n\n[x]\n",
            "- ***\n",
            "- * * *\n",
            "- - nested at once\n",
            "- 1. ordered inside\n",
            "- a  \n- b\\\n",
            "paragraph\n- interrupts it\n",
            "paragraph\n\n- after it\n",
            "+ plus\n+ items\n",
            "* star\n* items\n",
            "- **Term**: definition\n- **Other** (x): y\n\n**Label**:\n- A) one\n",
            "| a | b |\n|---|---|\n- x\n",
            "1. one\n2. two\n",
            "1) one\n2) two\n",
            "3. three\n4. four\n",
            "text\n1. interrupts\n",
            "text\n2. does not interrupt\n",
            "1. one\n- bullet\n",
            "1. one\n1) other delimiter\n",
            "1. one\n\n2. loose\n",
            "10. ten\n11. eleven\n",
            "1. **Storage Layer** (수집/보관): S3, RDS  \n2. **Processing Layer**: EMR\n",
            "- a |\n- --|\n",
            "- =\n- a\n===\n",
        ],
    )
    def test_edge_cases(self, text: str) -> None:
        """Lists on the shortcut's border parse as mistune parses them."""
        assert tokens(FAST, text) == tokens(STOCK, text)


LINES = st.sampled_from(
    [
        "",
        "   ",
        "- item",
        "- **Term**: definition",
        "-  two spaces",
        "-     five spaces",
        "- item\t tab",
        "  - nested",
        "    - deeper",
        " - one space",
        "* star",
        "+ plus",
        "1. ordered",
        "2) ordered",
        "1) ordered",
        "2. ordered",
        "10. ordered",
        "text",
        "  indented text",
        "    code",
        "# heading",
        "### heading",
        "> quote",
        "> - quoted item",
        "```",
        "~~~",
        "---",
        "***",
        "===",
        "<div>",
        "| a | b |",
        "|---|---|",
        "[ref]: /url",
        "- [ref]: /url",
        "- # item heading",
        "- > item quote",
        "- ```",
        "- - double",
        "- ",
        "-",
        "- a  ",
        "- a\\",
    ]
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=14), st.booleans())
def test_random_documents(lines: list[str], final_newline: bool) -> None:
    """Random mixes of lists and other blocks parse as mistune parses them."""
    text = "\n".join(lines) + ("\n" if final_newline else "")
    assert tokens(FAST, text) == tokens(STOCK, text)
