"""The front-matter shortcut reads what PyYAML reads, or leaves the text to PyYAML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sagenotes_anki.source.frontmatter import _plain_value
from sagenotes_anki.source.plainyaml import simple_mapping
from sagenotes_anki.source.yamlread import SAFE_LOADER

_FRONT = re.compile(r"\A---\n(.*?)^---$", re.S | re.M)


def by_pyyaml(raw: str) -> Any:
    try:
        loaded = yaml.load(raw, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return "error"
    if not isinstance(loaded, dict):
        return "not a mapping"
    return {str(k): _plain_value(v) for k, v in loaded.items()}


def agrees(raw: str) -> bool:
    """Whether the shortcut gave up or gave PyYAML's mapping; True when it read it itself."""
    fast = simple_mapping(raw)
    if fast is None:
        return False
    assert fast == by_pyyaml(raw), raw
    return True


class TestSameMapping:
    def test_corpus_front_matter(self, corpus_dir: Path) -> None:
        """Every real note's front matter is read as PyYAML reads it, most by the shortcut."""
        taken = []
        for path in sorted(corpus_dir.rglob("*.md")):
            found = _FRONT.match(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
            if found:
                taken.append(agrees(found.group(1)))
        assert len(taken) > 200
        assert sum(taken) > 0.9 * len(taken)

    @pytest.mark.parametrize(
        "raw",
        [
            "title: a\n",
            "title: athena-parquet-performance\ncreated: 2025-08-16\n",
            "tags:\n- service/athena\n- format/parquet\n",
            "tags:\n  - a\n  - b\nalias: x\n",
            'aliases: ["a b", "c"]\n',
            "aliases: [a, b]\n",
            "aliases: []\n",
            "aliases: [a, 2025-01-02]\n",
            "tags:\n- 2025-01-02\n",
            "title: 'single'\n",
            'title: "double"\n',
            'title: "with \\" escape"\n',
            "title: 'it''s'\n",
            "title: yes\n",
            "title: No\n",
            "title: NULL\n",
            "title: ~\n",
            "on: x\n",
            "title: 123\n",
            "title: 1.5\n",
            "title: 2025-13-45\n",
            "created: 2025-8-6\n",
            "created: 2025-08-16 10:00\n",
            "title: a # comment\n",
            "title: a: b\n",
            "title:a\n",
            "title:\n",
            "title:\ntags: x\n",
            "title: a\ntitle: b\n",
            "title: a  b\n",
            "title: a - b\n",
            "title: C++ (guide)\n",
            "title: 한국어 제목\n",
            "  title: a\n",
            "tags:\n- a\n  - b\n",
            "tags:\n   - a\n",
            "tags: x\n- a\n",
            "- a\n",
            "tags:\n- \n",
            "tags:\n- - a\n",
            "tags:\n- k: v\n",
            "title: a\n\n\ncreated: 2025-01-01\n",
            "title: a\tb\n",
            "title: [a, [b]]\n",
            "title: [a, b,]\n",
            'title: ["a, b"]\n',
            "title: !!str 1\n",
            "title: &x a\n",
        ],
    )
    def test_edge_cases(self, raw: str) -> None:
        """Front matter on the shortcut's border: PyYAML's mapping, or left to PyYAML."""
        agrees(raw)


KEYS = st.sampled_from(["title", "tags", "aliases", "created", "on", "Title", "x_y", "a-b"])
VALUES = st.sampled_from(
    [
        "",
        "a",
        "a b",
        "a  b",
        "한국어",
        "yes",
        "No",
        "null",
        "~",
        "1",
        "1.5",
        "2025-08-16",
        "2025-13-01",
        "'q'",
        '"q"',
        '"a\\"b"',
        "[a, b]",
        "[]",
        "['x', y]",
        "a: b",
        "a #c",
        "x/y-z",
        "(a)",
        "-",
        "- a",
        "*a",
        "&a",
        "!t a",
        "[a, 2025-01-01]",
    ]
)
ITEMS = st.sampled_from(["- a", "  - b", "- 2025-01-01", "- 'c'", "-", "- x: y", "   - d"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(st.tuples(KEYS, VALUES), ITEMS, st.just("")), max_size=8))
def test_random_front_matter(lines: list[Any]) -> None:
    """Random front matter is read as PyYAML reads it, whenever the shortcut reads it."""
    text = "\n".join(line if isinstance(line, str) else f"{line[0]}: {line[1]}" for line in lines)
    agrees(text + "\n")
