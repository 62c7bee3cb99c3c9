"""Every corpus note rewritten as another vault would write it gives the same cards.

Each rewrite changes only spelling that means the same in Obsidian (bullet characters,
emoji, English headings, blank lines, CRLF, comments, wikilinked terms, shifted heading
levels); the parsed key point, concepts, trade-offs, questions and flows must not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sagenotes_anki.model import StudyNote
from sagenotes_anki.parse.note import parse_note

ENGLISH = {
    "## 🎯 핵심 포인트": "## Key Point",
    "## 📝 설명": "## Explanation",
    "## 🔍 주요개념": "## Key Concepts",
    "## 📝 관련 문제": "## Related Question",
    "**정답:": "**Answer:",
    "💡 추가 설명:": "Explanation:",
}


def _body(rewrite: Callable[[str], str]) -> Callable[[str], str]:
    """Apply a rewrite to the body outside code fences, never to the front matter."""

    def apply(text: str) -> str:
        # The H1 (a note without front matter starts with it; "# " in code is no H1).
        start = 0 if text.startswith("# ") or "\n# " not in text else text.index("\n# ") + 1
        parts = re.split(r"(^[ \t]*```.*?^[ \t]*```[ \t]*$)", text[start:], flags=re.M | re.S)
        # Odd parts are the fenced blocks the split kept: diagrams stay byte for byte.
        body = "".join(part if index % 2 else rewrite(part) for index, part in enumerate(parts))
        return text[:start] + body

    return apply


def _without_blank_lines(text: str) -> str:
    out: list[str] = []
    fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fence = not fence
        if fence or line.strip() or (out and out[-1].lstrip().startswith("```")):
            out.append(line)
    # Keep the line ends that join this part to the fenced blocks around it.
    lead = "\n" if text.startswith("\n") else ""
    return lead + "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _english(text: str) -> str:
    for korean, english in ENGLISH.items():
        text = text.replace(korean, english)
    return text


REWRITES: dict[str, Callable[[str], str]] = {
    "star bullets": _body(lambda t: re.sub(r"^(\s*)- ", r"\1* ", t, flags=re.M)),
    "no emoji in headings": _body(lambda t: re.sub(r"^(#+ )[^\w\s]+\s*", r"\1", t, flags=re.M)),
    "english headings and labels": _english,
    "colon inside the bold": _body(lambda t: re.sub(r"\*\*([^*\n]+)\*\*:", r"**\1:**", t)),
    "BOM and CRLF": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    "no blank lines": _body(_without_blank_lines),
    "trailing spaces": _body(lambda t: re.sub(r"(?<=\S)$", "  ", t, flags=re.M)),
    "comments between sections": lambda t: t.replace(
        "\n## ", "\n%% reviewed %%\n<!-- todo -->\n\n## "
    ),
    "wikilinked terms": lambda t: re.sub(
        r"^- \*\*([^*\[\]\n|#]+)\*\*:", r"- **[[\1]]**:", t, flags=re.M
    ),
    "headings one level down": _body(lambda t: re.sub(r"^(#{2,}) ", r"#\1 ", t, flags=re.M)),
}


def _cards(note: StudyNote) -> tuple[Any, ...]:
    """What the cards are made of, with whitespace differences ignored."""

    def words(text: str) -> list[str]:
        return text.split()

    return (
        words(note.key_point.plain()),
        [(c.term, words(c.definition.plain())) for c in note.concepts],
        [(t.subject, [words(p.plain()) for p in t.pros], [words(c.plain()) for c in t.cons])
         for t in note.tradeoffs],
        [
            (words(q.stem.plain()), [(o.letter, words(o.text.plain())) for o in q.options],
             q.correct, sorted(letter for letter, _ in q.explanations))
            for q in note.questions
        ],
        [f.text for f in note.flows],
    )  # fmt: skip


@pytest.fixture(scope="module")
def originals(corpus_dir: Path) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Each corpus note's text and the cards it gives as written, parsed once."""
    found = {}
    for path in sorted(corpus_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        note = parse_note(text, path.name).note
        assert note is not None, path.name
        found[path.name] = (text, _cards(note))
    return found


@pytest.mark.parametrize("name", sorted(REWRITES))
def test_rewritten_corpus_gives_the_same_cards(
    originals: dict[str, tuple[str, tuple[Any, ...]]], name: str
) -> None:
    """A rewrite that means the same in Obsidian changes no card of any corpus note."""
    changed = []
    for path, (text, cards) in originals.items():
        after = parse_note(REWRITES[name](text), path).note
        if after is None or _compared(after, name) != _compared_cards(cards, after, name):
            changed.append(path)
    assert changed == []


def _compared(note: StudyNote, rewrite: str) -> tuple[Any, ...]:
    return _compared_cards(_cards(note), note, rewrite)


def _compared_cards(cards: tuple[Any, ...], note: StudyNote, rewrite: str) -> tuple[Any, ...]:
    """In a free-form note a line right below a definition continues it (a lazy
    continuation, in Obsidian too), so without blank lines its concepts may read on."""
    if rewrite == "no blank lines" and not note.is_template:
        return (cards[0], [term for term, _ in cards[1]], *cards[2:])
    return cards
