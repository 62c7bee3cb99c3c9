"""Spellings a real vault of this template produces that the corpus does not: each is read.

Expectations are written by hand from the note text; see tests/golden for whole-note cases.
"""

from __future__ import annotations

import pytest

from sagenotes_anki.model import StudyNote
from sagenotes_anki.parse.note import parse_note

KEY = "Use X when Y."


def _note(text: str) -> StudyNote:
    result = parse_note(text, "n.md")
    assert result.note is not None, result.diagnostics
    return result.note


def _sections(keypoint: str, concepts: str, question: str, first: str = "# T") -> str:
    return (
        f"{first}\n\n{keypoint}\n\n{KEY}\n\n{concepts}\n\n- **Term**: def\n\n{question}\n\n"
        "**Question:** Pick?\n\n**Options:**\n- A) one\n- B) two\n\n**정답: B) two**\n"
    )


class TestHeadings:
    @pytest.mark.parametrize(
        ("keypoint", "concepts", "question"),
        [
            ("## 핵심포인트", "## 주요 개념", "## 관련문제"),
            ("## Key Point", "## Key Concepts", "## Related Question"),
            ("## ✨ Key Point:", "## 💡 Key Concepts:", "## ❓ Related Questions:"),
            ("##   🎯   핵심 포인트  ", "## **주요 개념**", "## `관련 문제`"),
            ("## 🎯 핵심 포인트 (Key Point)", "## 주요개념 / Key concepts", "## 관련 문제 1"),
            ("## 1. 핵심 포인트", "## 2. 주요 개념", "## 3. 관련 문제"),
            ("# 핵심 포인트", "# 주요 개념", "# 관련 문제"),
            ("### 핵심 포인트", "### 주요 개념", "### 관련 문제"),
            ("핵심 포인트\n---", "주요 개념\n---", "관련 문제\n---"),
        ],
    )
    def test_section_heading_spellings_and_levels(
        self, keypoint: str, concepts: str, question: str
    ) -> None:
        """Emoji, colons, numbering, bilingual, H1/H3/Setext headings all name the sections."""
        note = _note(_sections(keypoint, concepts, question))
        assert note.is_template
        assert note.title == "T"
        assert note.key_point.plain() == KEY
        assert [(c.term, c.definition.plain()) for c in note.concepts] == [("Term", "def")]
        assert [q.correct for q in note.questions] == [("B",)]

    def test_h1_sections_without_title_use_identity(self) -> None:
        """With H1 sections and no separate H1 title, the section name is not the title."""
        text = _sections("# 핵심 포인트", "# 주요 개념", "# 관련 문제", first="")
        assert _note(text).title == "n"


class TestConcepts:
    @pytest.mark.parametrize(
        ("item", "term", "definition"),
        [
            ("- **Term**: def", "Term", "def"),
            ("- **Term:** def", "Term", "def"),
            ("- **Term** - def", "Term", "def"),
            ("- **Term** — def", "Term", "def"),
            ("- **Term** \u2013 def", "Term", "def"),
            ("* **Term**: def", "Term", "def"),
            ("+ **Term**: def", "Term", "def"),
            ("1. **Term**: def", "Term", "def"),
            ("- **Term**\uff1adef", "Term", "def"),
            ("- __Term__: def", "Term", "def"),
            ("- **Term** (abbr): def", "Term (abbr)", "def"),
            ("- `ml.p3.2xlarge`: GPU", "ml.p3.2xlarge", "GPU"),
            ("- **`code` term**: def", "code term", "def"),
            ("- [ ] **Term**: task", "Term", "task"),
            ("- **Term**: def that\ncontinues", "Term", "def that\ncontinues"),
            ("- **Term**: def\n  - sub one\n  - sub two", "Term", "def\n- sub one\n- sub two"),
            ("- **[[Term]]**: see [[Other|alias]], [[X#h]]", "Term", "see alias, X > h"),
        ],
    )
    def test_concept_bullet_spellings(self, item: str, term: str, definition: str) -> None:
        """Bullets, separators and markup variants of ``- **Term**: definition`` are read."""
        note = _note(f"# T\n\n## 🔍 주요개념\n\n### G\n\n{item}\n")
        assert [(c.term, c.definition.plain(), c.group) for c in note.concepts] == [
            (term, definition, "G")
        ]

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            ("- **Term**\n  - sub one\n  - sub two", [("Term", "- sub one\n- sub two", 7)]),
            ("- **Term**\n  def below", [("Term", "def below", 7)]),
            ("**Term**: def\n**T2**: d2\nwrapped", [("Term", "def", 7), ("T2", "d2\nwrapped", 8)]),
            ("| 용어 | 설명 |\n|---|---|\n| **Term** | def |", [("Term", "def", 9)]),
        ],
    )
    def test_terms_alone_paragraphs_and_tables(
        self, body: str, expected: list[tuple[str, str, int]]
    ) -> None:
        """A term over its definition, unbulleted lines, and term|definition tables are read."""
        note = _note(f"# T\n\n## 🔍 주요개념\n\n### G\n\n{body}\n")
        assert [(c.term, c.definition.plain(), c.line) for c in note.concepts] == expected

    @pytest.mark.parametrize(
        "item", ["- Uses **bold** mid: no", "- **Term** def with no separator", "- plain"]
    )
    def test_not_concepts(self, item: str) -> None:
        """Bold in the middle, or bold with no separator after it, is no concept."""
        assert _note(f"# T\n\n## 🔍 주요개념\n\n{item}\n").concepts == ()


TRADE = "# T\n\n## 📝 설명\n\n### Trade-offs\n\n{}\n"


class TestTradeOffs:
    @pytest.mark.parametrize(
        "body",
        [
            "**X 장점**:\n- p1\n\n**X 단점:**\n- c1",
            "**X의 장점**\n- p1\n\n**X의 단점**\n- c1",
            "**장점 (X)**:\n- p1\n\n**단점 (X)**:\n- c1",
            "**X Pros**:\n- p1\n\n**X Cons**:\n- c1",
            "**X Advantages:**\n- p1\n\n**X Disadvantages:**\n- c1",
            "**Pros of X**\n- p1\n\n**Cons of X**\n- c1",
            "**X 장점**:\n\n- p1\n\n**X 단점**:\n\n- c1",
            "**X 장점**:\n- p1\n**X 단점**:\n- c1",
            "- **X 장점**:\n  - p1\n- **X 단점**:\n  - c1",
            "- **X 장점**: p1\n- **X 단점**: c1",
            "**X 장점**: p1\n\n**X 단점**: c1",
            "**X**\n- 장점: p1\n- 단점: c1",
            "**X**:\n- **장점**: p1\n- **단점**: c1",
            "#### X\n**장점**:\n- p1\n\n**단점**:\n- c1",
            "**X** 장점:\n- p1\n\n**X** 단점:\n- c1",
            "X 장점:\n- p1\n\nX 단점:\n- c1",
            "**✅ X 장점**:\n- p1\n\n**❌ X 단점**:\n- c1",
            "| | 장점 | 단점 |\n|---|---|---|\n| X | p1 | c1 |",
            "| | X |\n|---|---|\n| 장점 | p1 |\n| 단점 | c1 |",
        ],
    )
    def test_pros_and_cons_spellings(self, body: str) -> None:
        """Every way of writing one subject's pros and cons gives subject X, p1, c1."""
        note = _note(TRADE.format(body))
        assert [
            (t.subject, [p.plain() for p in t.pros], [c.plain() for c in t.cons])
            for t in note.tradeoffs
        ] == [("X", ["p1"], ["c1"])]

    def test_table_cell_with_br_gives_several_items(self) -> None:
        """``<br>`` inside a table cell separates items."""
        note = _note(TRADE.format("| | 장점 | 단점 |\n|---|---|---|\n| X | p1<br>p2 | c1 |"))
        assert [p.plain() for p in note.tradeoffs[0].pros] == ["p1", "p2"]


def test_concepts_in_a_callout_keep_their_lines() -> None:
    """Concept bullets inside a callout are concepts, on the lines they are written."""
    text = "# T\n\n## 🔍 주요개념\n\n> [!info] 용어\n> - **Term**: def\n> - **T2**: d2\n"
    note = _note(text)
    assert [(c.term, c.definition.plain(), c.line) for c in note.concepts] == [
        ("Term", "def", 6),
        ("T2", "d2", 7),
    ]
