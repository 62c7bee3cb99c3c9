"""Question spellings a real vault produces that the corpus does not: each is read.

Expectations are written by hand from the note text.
"""

from __future__ import annotations

import pytest

from sagenotes_anki.model import StudyNote
from sagenotes_anki.parse.note import parse_note


def _note(text: str) -> StudyNote:
    result = parse_note(text, "n.md")
    assert result.note is not None, result.diagnostics
    return result.note


OPTS = "**Options:**\n- A) one\n- B) two\n- C) three\n- D) four\n\n"


def _question(body: str) -> str:
    return f"# T\n\n## 📝 관련 문제\n\n{body}\n"


class TestQuestionVariants:
    @pytest.mark.parametrize(
        ("answer", "correct", "text"),
        [
            ("**Answer:** B", ("B",), ""),
            ("**정답**: B", ("B",), ""),
            ("정답: B", ("B",), ""),
            ("**정답: B, D**", ("B", "D"), ""),
            ("**정답: (B)**", ("B",), ""),
            ("정답: B) two 및 D) four", ("B", "D"), "two, four"),
            ("**정답: B) two and D) four**", ("B", "D"), "two, four"),
            ("**정답: B와 D**", ("B", "D"), ""),
            ("**정답: B 및 D**", ("B", "D"), ""),
            ("**정답: b**", ("B",), ""),
            ("**정답: Option B**", ("B",), ""),
            ("**정답: B. two**", ("B",), "two"),
            ("**Correct Answer: B**", ("B",), ""),
            ("**정답:** **B) two**", ("B",), "two"),
        ],
    )
    def test_answer_spellings(self, answer: str, correct: tuple[str, ...], text: str) -> None:
        """Answer lines in Korean or English, bold or not, one or several letters."""
        result = parse_note(_question(f"**Question:** Pick.\n\n{OPTS}{answer}"))
        assert result.note is not None
        question = result.note.questions[0]
        assert (question.correct, question.answer_text.plain()) == (correct, text)
        assert not [d for d in result.diagnostics if d.code in ("W101", "W102", "W103", "W107")]

    @pytest.mark.parametrize(
        "body",
        [
            "**Question:** Pick.\n\n**Options:**\n- A. one\n- B. two\n\n**정답: B**",
            "**Question:** Pick.\n\n**Options:**\n- (A) one\n- (B) two\n\n**정답: B**",
            "**Question:** Pick.\n\n**Options:**\nA) one\nB) two\n\n**정답: B**",
            "**Question:** Pick.\n**Options:**\nA) one\nB) two\n**정답: B**",
            "**Question:** Pick.\n**Options:**\n- A) one\n- B) two\n**정답: B**",
            "**Question:** Pick.\n\n**Options:**\n- a) one\n- b) two\n\n**정답: b**",
            "**Question:** Pick.\n\n**Options:**\n1. one\n2. two\n\n**정답: B**",
            "**Question:** Pick.\n\n**Options:**\n- **A)** one\n- **B)** two\n\n**정답: B**",
            "**Question:** Pick.\nA) one\nB) two\n\n**정답: B**",
            "**Question:** Pick.\n\n- A) one\n- B) two\n\n**정답: B**",
            "Pick.\n\n- A) one\n- B) two\n\n**정답: B**",
            "**Q1.** Pick.\n\n**Options:**\n- A) one\n- B) two\n\n**정답: B**",
            "**Question 1:** Pick.\n\n**Options:**\n- A) one\n- B) two\n\n**정답: B**",
            "**문제:** Pick.\n\n**보기:**\n- A) one\n- B) two\n\n**정답: B**",
            "**Question:** Pick.\n\n### Options\n\n- A) one\n- B) two\n\n**정답: B**",
        ],
    )
    def test_stem_and_option_layouts(self, body: str) -> None:
        """Option styles, missing blank lines and missing labels still give stem, A/B, B."""
        note = _note(_question(body))
        [question] = note.questions
        assert question.stem.plain() == "Pick."
        assert [(o.letter, o.text.plain()) for o in question.options] == [
            ("A", "one"),
            ("B", "two"),
        ]
        assert question.correct == ("B",)

    @pytest.mark.parametrize("between", ["\n---\n", "\n### 문제 2\n", "\n"])
    def test_two_questions(self, between: str) -> None:
        """Questions separated by a rule, a ``### 문제 2`` heading or nothing are two."""
        one = f"**Question:** First?\n\n{OPTS}**정답: A**\n"
        note = _note(_question(one + between + one.replace("First", "Second")))
        assert [q.stem.plain() for q in note.questions] == ["First?", "Second?"]

    def test_unlabelled_second_question_after_heading(self) -> None:
        """After ``### 문제 2`` a plain paragraph is the next question's stem."""
        body = (
            f"**Question:** First?\n\n{OPTS}**정답: A**\n\n### 문제 2\n\nSecond?\n\n{OPTS}정답: C"
        )
        note = _note(_question(body))
        assert [(q.stem.plain(), q.correct) for q in note.questions] == [
            ("First?", ("A",)),
            ("Second?", ("C",)),
        ]

    @pytest.mark.parametrize(
        "explanation",
        [
            "**해설**\n- **A)** wrong a\n- **C)** wrong c",
            "Explanation:\n- A) one: wrong a\n- C) three - wrong c",
            "💡 추가 설명:\n- **A**: wrong a\n- **Option C** - wrong c",
            "**💡 추가 설명**:\n- A: wrong a\n- (C) wrong c",
            "### 💡 해설\n- **A)** wrong a\n- **C)** wrong c",
            "**추가 설명:**\n- **A)** wrong a\n- **C)** wrong c",
        ],
    )
    def test_explanation_spellings(self, explanation: str) -> None:
        """Explanation headers and bullet styles attach the text to options A and C."""
        body = f"**Question:** Pick.\n\n{OPTS}**정답: B**\n{explanation}"
        [question] = _note(_question(body)).questions
        assert {k: v.plain() for k, v in question.explanations} == {
            "A": "wrong a",
            "C": "wrong c",
        }

    def test_answer_letter_not_among_options_warns(self) -> None:
        """``정답: E`` with options A-D gives W101 on the answer line."""
        result = parse_note(_question(f"**Question:** Pick.\n\n{OPTS}**정답: E**"))
        assert [(d.code, d.line) for d in result.diagnostics if d.code != "W104"] == [("W101", 13)]

    def test_prose_in_question_section_is_not_a_question(self) -> None:
        """A paragraph with no options or answer after it is not an unlabelled question."""
        result = parse_note(_question("Just prose."))
        assert result.note is not None and result.note.questions == ()

    @pytest.mark.parametrize(
        ("options", "after", "correct"),
        [
            ("- A) one\n- B) two ✅\n- C) three", "", ("B",)),
            ("- A) one\n- B) two (정답)\n- C) ✔ three", "", ("B", "C")),
            ("- A) one\n- B) two\n- C) three", "**정답**\n\nB) two", ("B",)),
            ("- A) one\n- B) two\n- C) three", "**정답:**\n- B) two", ("B",)),
        ],
    )
    def test_answer_marked_in_options_or_on_the_next_line(
        self, options: str, after: str, correct: tuple[str, ...]
    ) -> None:
        """A ✅/(정답) mark on options, or a bare 정답 label over the answer, gives the letters."""
        body = f"**Question:** Pick.\n\n**Options:**\n{options}\n\n{after}"
        result = parse_note(_question(body))
        assert result.note is not None
        [question] = result.note.questions
        assert question.correct == correct
        assert [o.text.plain() for o in question.options] == ["one", "two", "three"]
        assert not [d for d in result.diagnostics if d.code in ("W101", "W103", "W107")]

    @pytest.mark.parametrize(
        ("options", "answer", "correct"),
        [
            ("1. one\n2. two\n3. three", "**정답: 2**", ("B",)),
            ("- ① one\n- ② two\n- ③ three", "**정답: ②, ③**", ("B", "C")),
            ("- 1) one\n- 2) two\n- 3) three", "정답: 2번", ("B",)),
            ("- (1) one\n- (2) two\n- (3) three", "정답: (3)", ("C",)),
        ],
    )
    def test_numbered_options_and_answers(
        self, options: str, answer: str, correct: tuple[str, ...]
    ) -> None:
        """Options numbered 1-10 or ①-⑩ are A-J, and an answer by number names them."""
        body = f"**Question:** Pick.\n\n**Options:**\n{options}\n\n{answer}"
        [question] = _note(_question(body)).questions
        assert [(o.letter, o.text.plain()) for o in question.options] == [
            ("A", "one"),
            ("B", "two"),
            ("C", "three"),
        ]
        assert question.correct == correct

    @pytest.mark.parametrize(
        "hidden",
        [
            "<details>\n<summary>정답 보기</summary>\n\n**정답: B) two**\n\n"
            "💡 추가 설명:\n- **A)** no\n\n</details>",
            "> [!success]- 정답\n> **정답: B) two**\n>\n> 💡 추가 설명:\n> - **A)** no",
            "> [!success]- 정답\n> **정답: B) two**\n> 💡 추가 설명:\n> - **A)** no",
        ],
    )
    def test_answer_hidden_in_details_or_a_callout(self, hidden: str) -> None:
        """Answers folded away in ``<details>`` or a ``> [!success]-`` callout are read."""
        body = f"**Question:** Pick.\n\n**Options:**\n- A) one\n- B) two\n\n{hidden}\n"
        [question] = _note(_question(body)).questions
        assert (question.correct, question.answer_text.plain()) == (("B",), "two")
        assert {k: v.plain() for k, v in question.explanations} == {"A": "no"}


def test_sub_bullets_under_an_option_explain_it() -> None:
    """Notes written under an option are its explanation, not part of its text."""
    body = (
        "**Question:** Pick.\n\n**Options:**\n- A) one\n  - 느림\n- B) two\n  - 빠름\n"
        "- A) three\n\n**정답: B**"
    )
    [question] = _note(_question(body)).questions
    # The repeated "A)" keeps its letter (W116 says so): the answer B stays "two".
    assert [(o.letter, o.text.plain()) for o in question.options] == [
        ("A", "one"),
        ("B", "two"),
        ("A", "three"),
    ]
    assert {k: v.plain() for k, v in question.explanations} == {"A": "느림", "B": "빠름"}


@pytest.mark.parametrize(
    "options",
    [
        "-\u00a0A)\u00a0one\n- B)\u3000two",  # no-break / ideographic spaces after markers
        "- \uff21) one\n- \uff22) two",  # full-width letters
    ],
)
def test_ime_spaces_and_full_width_letters(options: str) -> None:
    """No-break spaces after bullets and full-width option letters still give A and B."""
    body = f"**Question:** Pick.\n\n**Options:**\n{options}\n\n**정답\uff1a\uff22**"
    [question] = _note(_question(body)).questions
    assert [(o.letter, o.text.plain()) for o in question.options] == [("A", "one"), ("B", "two")]
    assert question.correct == ("B",)
