"""The plain-note shortcut gives the top-level tokens mistune's block parser gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shortcuts import record_taken

from sagenotes_anki.parse import mdast
from sagenotes_anki.source.frontmatter import split_front_matter


@pytest.fixture(autouse=True)
def _shortcuts_restored() -> Iterator[None]:
    block, inline = mdast._MARKDOWN.block, mdast._MARKDOWN.inline
    saved = (block.fast_lists, inline.shortcut)  # type: ignore[attr-defined]
    yield
    block.fast_lists, inline.shortcut = saved  # type: ignore[attr-defined]


def parsed(text: str, *, shortcuts: bool) -> list[Any]:
    """Top-level tokens and their offsets as ``parse_blocks`` sees them (blank lines out)."""
    mdast._MARKDOWN.block.fast_lists = shortcuts  # type: ignore[attr-defined]
    mdast._MARKDOWN.inline.shortcut = shortcuts  # type: ignore[attr-defined]
    tokens, state = mdast._parse(text)
    return [t for t in tokens if t["type"] != "blank_line"] + [state.src]


def same(text: str) -> None:
    assert parsed(text, shortcuts=True) == parsed(text, shortcuts=False), text


def bodies(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        found.append(split_front_matter(text, path.name).body)
    return found


class TestSameTokens:
    def test_corpus_notes(self, corpus_dir: Path) -> None:
        """Every real note gives the same blocks, at the same offsets, with the shortcut."""
        for body in bodies(corpus_dir):
            same(body)

    def test_shortcut_is_taken_on_real_notes(
        self, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Most real notes go by the shortcut (else it would save nothing)."""
        taken = record_taken(monkeypatch, mdast, "plain_blocks")
        for body in bodies(corpus_dir):
            parsed(body, shortcuts=True)
        assert len(taken) > 200
        assert sum(taken) > 0.85 * len(taken)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "\n\n",
            "# Title\n\n## 🎯 핵심 포인트\n\n한 문장.\n",
            "# Title\ntext right under\n",
            "#tag at the start\n",
            "#\n",
            "####### seven\n",
            "## closing hashes ##\n",
            "## trailing # not closing#\n",
            "text\n# heading interrupts\n",
            "para\n---\n",  # setext heading
            "para\n===\n",
            "para\n\n---\n",
            "---\n",
            "***\n",
            "- - -\n",
            "para\n***\n",
            "```\ncode\n\nmore\n```\nafter\n",
            "```python\nx = 1\n```\n",
            "~~~\nunclosed\n",
            "```a`b\n```\n",
            "   ```\nindented fence\n   ```\n",
            "```\ncode\n````\n",
            "````\n```\n````\n",
            "```info \\* x\n```\n",
            "para\n```\nfence interrupts\n```\n",
            "**Question:** stem\n\n**Options:**\n- A) one\n- B) two\n\n**정답: B) two**\n",
            "**X 장점**:\n- a\n- b\n\n**X 단점**:\n- c\n",
            "para\n- list interrupts\n",
            "para\n1. ordered interrupts\n",
            "para\n2. does not\n",
            "para\n  indented continuation\n",
            "para\n    code-like continuation\n",
            "    indented code\n",
            "  two spaces\n",
            "> quote\n",
            "<div>\nhtml\n</div>\n",
            "[ref]: /url\n",
            "a | b\n--|--\n1 | 2\n",
            "| a | b |\n|---|---|\n",
            "text with [[link|alias]] pipe\n",
            "\u00a0leading no-break space\n",
            "text\n\u3000\nmore\n",
            "text\n\f\nmore\n",
            "1) one\n2) two\n\ntext\n",
            "- a\n\n---\n\n# h\n",
            "text\n\n\n\n",
            "no newline at the end",
            "**|a|**\n--|--\n",
            "**a** | b\n:-|-:\n",
            "text\n**|x|**\n--|--\n",
            "\u0661. arabic-indic digits\n",
            "text\n\u0662) more\n",
            "**\n",
            "** \n",
            "text\n**bold line**\n",
        ],
    )
    def test_edge_cases(self, text: str) -> None:
        """Bodies on the shortcut's border give mistune's blocks."""
        same(text)


LINES = st.sampled_from(
    [
        "",
        "  ",
        "text",
        "**bold**: text",
        "1년 뒤",
        "  continued",
        "    code",
        "# heading",
        "## heading ##",
        "#tag",
        "---",
        "***",
        "===",
        "- item",
        "- **Term**: definition",
        "* star",
        "1. one",
        "2. two",
        "  - nested",
        "```",
        "```py",
        "~~~",
        "> quote",
        "<div>",
        "<!-- c -->",
        "[r]: /u",
        "a | b",
        "--|--",
        "\u00a0nbsp",
        "**bold**",
        "**|x|**",
        "\u0661. digit",
        "| a |",
        "**",
        "** x",
    ]
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=16), st.booleans())
def test_random_documents(lines: list[str], final_newline: bool) -> None:
    """Random mixes of blocks give mistune's blocks."""
    same("\n".join(lines) + ("\n" if final_newline else ""))
