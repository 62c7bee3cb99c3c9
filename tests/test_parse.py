"""The parser: golden fixtures (input + hand-written expected JSON) and focused behaviours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_util import result_json, vault_json

from sagenotes_anki import load_notes
from sagenotes_anki.model import RichText, Span
from sagenotes_anki.parse.note import load_note, parse_note
from sagenotes_anki.parse.sections import DEFAULT_SECTIONS

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _actual(case: Path) -> dict[str, object]:
    """Parse a case's input: a folder ``input/``, else the single ``input.*`` file."""
    if (case / "input").is_dir():
        return vault_json(load_notes(case / "input"))
    inputs = sorted(case.glob("input.*"))
    assert len(inputs) == 1, f"{case} needs exactly one input.* file or an input/ folder"
    return result_json(load_note(inputs[0], root=case))


class TestGolden:
    @pytest.mark.parametrize("name", CASES)
    def test_matches_hand_written_expectation(self, name: str) -> None:
        """The parser's model and diagnostics equal the hand-written expected.json."""
        case = GOLDEN / name
        expected_file = case / "expected.json"
        if not expected_file.is_file():
            pytest.fail(f"{expected_file} is missing: write the expected output by hand")
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        assert _actual(case) == expected

    def test_there_are_golden_cases(self) -> None:
        """The fixtures folder is not empty (a missing folder would pass vacuously)."""
        assert len(CASES) >= 20


SIMPLE = """# T

## 🎯 핵심 포인트

Use **X** when `y`.

## 📝 관련 문제

**Question:** Pick one.

**Options:**
- A) one
- B) two

**정답: B) two**
"""


class TestParseNote:
    def test_path_defaults_and_identity_from_path(self) -> None:
        """Without front matter the identity is the relative path without .md."""
        result = parse_note(SIMPLE, "sub/dir/note.md")
        assert result.note is not None
        assert result.note.identity == "sub/dir/note"
        assert result.note.path == "sub/dir/note.md"
        assert result.note.title == "T"

    def test_inline_markup_is_kept_as_spans(self) -> None:
        """Bold and code in the key point stay spans, not Markdown text."""
        note = parse_note(SIMPLE).note
        assert note is not None
        assert note.key_point == RichText(
            (
                Span("text", "Use "),
                Span("strong", children=(Span("text", "X"),)),
                Span("text", " when "),
                Span("codespan", "y"),
                Span("text", "."),
            )
        )

    def test_links_and_inline_html_are_kept(self) -> None:
        """Links keep their URL and inline HTML is kept raw (the renderer sanitises it)."""
        text = SIMPLE.replace("Use **X**", 'Use [X](https://x.test) <b onclick="y">Z</b>')
        result = parse_note(text)
        assert result.note is not None
        spans = result.note.key_point.spans
        assert Span("link", children=(Span("text", "X"),), url="https://x.test") in spans
        assert Span("html", '<b onclick="y">') in spans
        assert [d.code for d in result.diagnostics].count("I202") == 1

    def test_never_raises_on_garbage(self) -> None:
        """Odd input gives a result, not an exception."""
        for text in ("", "\x00", "---", "---\n---\n", "# \n## \n### \n- **", "**정답: Z**"):
            assert parse_note(text) is not None

    def test_extended_section_names(self) -> None:
        """Names added from configuration are recognised as their kind."""
        text = SIMPLE.replace("## 🎯 핵심 포인트", "## 요점")
        assert parse_note(text).note.key_point.plain() == ""  # type: ignore[union-attr]
        sections = DEFAULT_SECTIONS.extended({"keypoint": ["요점"]})
        note = parse_note(text, sections=sections).note
        assert note is not None
        assert note.key_point.plain() == "Use X when y."

    def test_unknown_section_kind_in_configuration_is_rejected(self) -> None:
        """A configuration key that is no section kind raises ValueError naming it."""
        with pytest.raises(ValueError, match="keypont"):
            DEFAULT_SECTIONS.extended({"keypont": ["x"]})

    def test_heading_spelling_variants_match(self) -> None:
        """Emoji, spacing and case do not matter in section headings."""
        for heading in ("🔍 주요 개념", "주요개념", "Key Concepts", "🔍 key concepts"):
            assert DEFAULT_SECTIONS.matches("concepts", heading)
        assert not DEFAULT_SECTIONS.matches("concepts", "개념 정리")


class TestFrontMatterValues:
    @pytest.mark.parametrize(
        ("front", "identity", "tags", "aliases"),
        [
            ("tags: service/sagemaker", "n", ("service/sagemaker",), ()),
            ("tags: [a, b]\naliases: foo, bar", "n", ("a", "b"), ("foo", "bar")),
            ("tags: '#a/b #c'\naliases: foo", "n", ("a/b", "c"), ("foo",)),
            ("tags:\naliases:", "n", (), ()),
            ("tags: {a: b}\ntitle: {x: 1}", "n", (), ()),
            ("Title: Big\nTags: [x]\nAlias: y", "Big", ("x",), ("y",)),
            ("tag: solo", "n", ("solo",), ()),
            ("title: true", "true", (), ()),
            ("title: 2024-01-02", "2024-01-02", (), ()),
        ],
    )
    def test_value_shapes(
        self, front: str, identity: str, tags: tuple[str, ...], aliases: tuple[str, ...]
    ) -> None:
        """Tags/aliases as strings or lists, empty, odd types, any key case: clean strings."""
        note = parse_note(f"---\n{front}\n---\n# T\n", "n.md").note
        assert note is not None
        assert (note.identity, note.tags, note.aliases) == (identity, tags, aliases)

    def test_date_keys_and_multiline_title(self) -> None:
        """``date:``/``updated:`` stand for created/modified; a title is kept on one line."""
        text = '---\ntitle: "two\\nlines"\ndate: 2025-08-16\nupdated: 2025-09-01\n---\n# T\n'
        note = parse_note(text, "n.md").note
        assert note is not None
        assert (note.identity, note.created, note.modified) == (
            "two lines",
            "2025-08-16",
            "2025-09-01",
        )


class TestLoadNote:
    def test_unreadable_file_is_an_error(self, tmp_path: Path) -> None:
        """A path that cannot be read gives E001, not an exception."""
        result = load_note(tmp_path / "missing.md", root=tmp_path)
        assert result.note is None
        assert [(d.path, d.code) for d in result.diagnostics] == [("missing.md", "E001")]

    def test_relative_path_uses_posix_separators(self, tmp_path: Path) -> None:
        """The note's path is relative to the root, with '/' separators."""
        (tmp_path / "a").mkdir()
        (tmp_path / "a" / "b.md").write_text(SIMPLE, encoding="utf-8")
        result = load_note(tmp_path / "a" / "b.md", root=tmp_path)
        assert result.note is not None
        assert result.note.path == "a/b.md"
        assert result.note.identity == "a/b"


OPTIONS = "- A) alpha\n- B) beta\n- C) gamma\n- D) delta\n- E) epsilon\n"


def _question_note(answer: str, options: str = OPTIONS) -> str:
    """A question section whose answer line is on line 12 (with the default options)."""
    return f"## 📝 관련 문제\n\n**Question:** Q?\n\n**Options:**\n{options}\n{answer}\n"


class TestQuestions:
    @pytest.mark.parametrize(
        ("answer", "correct", "text"),
        [
            ("**정답: B) Use transform jobs**", ("B",), "Use transform jobs"),
            ("**정답: A, C**", ("A", "C"), ""),
            ("**정답: D**", ("D",), ""),
            ("**정답: B) x, D) y**", ("B", "D"), "x, y"),
            ("**정답: C, E) a, b**", ("C", "E"), "a, b"),
            ("**정답:** B) bold label only", ("B",), "bold label only"),
            ("정답: B) plain line", ("B",), "plain line"),
            ("**Answer: (C)**", ("C",), ""),
        ],
    )
    def test_answer_forms(self, answer: str, correct: tuple[str, ...], text: str) -> None:
        """Every answer spelling seen in the vault gives its letters and short text."""
        result = parse_note(_question_note(answer))
        assert result.note is not None
        question = result.note.questions[0]
        assert question.correct == correct
        assert question.answer_text.plain() == text
        assert not [d for d in result.diagnostics if d.code.startswith("W10") and d.code != "W104"]

    def test_answer_without_letter_warns(self) -> None:
        """An answer line naming no option letter gives W107 on that line."""
        result = parse_note(_question_note("**정답: 두 번째 보기**"))
        codes = [(d.code, d.line) for d in result.diagnostics if d.code != "W104"]
        assert codes == [("W107", 12)]

    def test_question_section_without_question_warns(self) -> None:
        """A question section with no recognisable question gives W108 at its heading."""
        result = parse_note("# T\n\n## 📝 관련 문제\n\nJust prose here.\n")
        assert ("W108", 3) in [(d.code, d.line) for d in result.diagnostics]

    def test_options_in_one_paragraph(self) -> None:
        """Options written as lines of one paragraph, not a list, are still read."""
        note = parse_note(_question_note("**정답: B**", options="A) one\nB) two\n")).note
        assert note is not None
        assert [(o.letter, o.text.plain()) for o in note.questions[0].options] == [
            ("A", "one"),
            ("B", "two"),
        ]

    def test_explanations_by_letter_text_and_general(self) -> None:
        """Explanation bullets attach to the option they name; others are general."""
        body = (
            "💡 추가 설명:\n\n- **A) alpha** - why a\n- **Option B, C** - why b c\n"
            "- **Epsilon** - why e\n- 기타\n"
        )
        note = parse_note(_question_note("**정답: D**\n\n" + body)).note
        assert note is not None
        question = note.questions[0]
        assert {k: v.plain() for k, v in question.explanations} == {
            "A": "why a",
            "B": "why b c",
            "C": "why b c",
            "E": "why e",
        }
        assert [g.plain() for g in question.general_explanation] == ["기타"]
        assert question.explanation_for("B") is not None
        assert question.explanation_for("D") is None

    def test_free_form_bold_problem_label_is_not_a_question(self) -> None:
        """Outside a question section, '**문제**: ...' prose does not become a question."""
        result = parse_note(
            "# 백서\n\n## 7. 문제와 해결\n\n**문제**: 0기반 인덱스\n**해결책**: 변환\n"
        )
        assert result.note is not None
        assert result.note.questions == ()
        assert [d.code for d in result.diagnostics] == ["I201"]


class TestTemplateFiles:
    @pytest.mark.parametrize(
        "text",
        [
            "---\ntitle: {{title}}\n---\n# {{title}}\n",
            "# {{date:YYYY-MM-DD}} 학습\n",
            "# T\n\n<% tp.file.cursor() %>\n",
            "# T\n\n<%* tR += 'x' %>\n",
        ],
    )
    def test_templates_give_no_note_and_an_info(self, text: str) -> None:
        """A core or Templater template in the vault is no note: I204, no cards, no error."""
        result = parse_note(text, "Templates/study.md")
        assert result.note is None
        assert [(d.code, d.severity) for d in result.diagnostics] == [("I204", "info")]

    @pytest.mark.parametrize(
        "text",
        [
            "# Jinja\n\nWrite {{date}} in the body.\n",
            "# T\n\nTemplater: `<% tp.date.now() %>`\n",
            "# T\n\n```\n<% tp.file.title %>\n```\n",
        ],
    )
    def test_placeholders_shown_in_a_note_are_prose(self, text: str) -> None:
        """Placeholders in the body or inside code are what a note is about, not a template."""
        assert parse_note(text, "n.md").note is not None
