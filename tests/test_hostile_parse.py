"""Hostile or careless note text: deep nesting, repeated option letters, a lone ``%%``, key
points written as block HTML. Each gives a diagnostic and never a hang or a silent drop."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sagenotes_anki import codes, load_notes
from sagenotes_anki.cards.make import cards_for
from sagenotes_anki.cards.render import html
from sagenotes_anki.model import ParseResult, StudyNote
from sagenotes_anki.parse.nesting import MAX_NESTING
from sagenotes_anki.parse.note import parse_note

ROOT = Path(__file__).resolve().parent.parent

KEY = "SQL 분석은 Kinesis Analytics로 한다."
NOTE = """\
---
title: t
---

# T

## 🎯 핵심 포인트

{key}

## 📝 설명

### Trade-offs 고려사항

**Kinesis Analytics 장점**:
- SQL로 실시간 분석

## 🔍 주요개념

{concepts}

## 📝 관련 문제

**Question:** Which one?

**Options:**
{options}

**정답: {answer}**
{after}"""


def note_text(
    key: str = KEY,
    concepts: str = "- **KDA**: 스트림 SQL 분석",
    options: str = "- A) first\n- B) second\n- C) third",
    answer: str = "B",
    after: str = "",
) -> str:
    return NOTE.format(key=key, concepts=concepts, options=options, answer=answer, after=after)


def parsed(text: str) -> tuple[StudyNote, ParseResult]:
    result = parse_note(text, "n.md")
    assert result.note is not None, result.diagnostics
    return result.note, result


def coded(result: ParseResult, code: str) -> list[int]:
    return [d.line for d in result.diagnostics if d.code == code]


def kinds(note: StudyNote) -> list[str]:
    return [card.key.split(":")[0] for card in cards_for(note)]


def deep_list(levels: int) -> str:
    return "".join("  " * level + "- x\n" for level in range(levels))


class TestNesting:
    def test_ten_thousand_level_list_is_refused_at_once(self) -> None:
        """The 10,000-level list (100 MB of indentation) is refused in seconds, not minutes;
        emphasis and brackets nested as deep are read quickly."""
        script = textwrap.dedent(
            """
            import json, time
            from sagenotes_anki.parse.note import parse_note
            body = "".join("  " * level + "- x\\n" for level in range(10_000))
            start = time.perf_counter()
            result = parse_note("# Deep\\n\\n" + body, "deep.md")
            took = time.perf_counter() - start
            deep = ("**_" * 10_000 + "x" + "_**" * 10_000, "[" * 10_000 + "x" + "](u)" * 10_000)
            for text in deep:
                assert parse_note("# T\\n\\n" + text + "\\n", "n.md").note is not None
            found = [(d.code, d.line) for d in result.diagnostics]
            print(json.dumps({"note": result.note is not None, "found": found, "took": took}))
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        report = json.loads(done.stdout)
        # Line 3 holds the list's first level: the level past the limit is on line 3 + limit.
        assert report["note"] is False
        assert report["found"] == [[codes.TOO_DEEP, 3 + MAX_NESTING]]
        assert report["took"] < 20  # minutes and gigabytes before the limit

    @pytest.mark.parametrize(
        ("body", "line"),
        [
            (deep_list(MAX_NESTING + 5), 3 + MAX_NESTING),
            ("> " * (MAX_NESTING + 1) + "x\n", 3),
            ("".join("> " * level + "x\n" for level in range(1, 40)), 3 + MAX_NESTING),
            ("".join("  " * level + "- > x\n" for level in range(40)), 3 + MAX_NESTING - 1),
            ("- " * (MAX_NESTING + 1) + "x\n", 3),
        ],
    )
    def test_deep_lists_and_quotes_give_too_deep(self, body: str, line: int) -> None:
        """Lists, quotes and both mixed past the limit: an error on the line that passes it,
        saying how deep is allowed and what to do."""
        result = parse_note("# Deep\n\n" + body, "deep.md")
        assert result.note is None
        [error] = result.diagnostics
        assert (error.severity, error.code, error.line) == ("error", codes.TOO_DEEP, line)
        assert f"{MAX_NESTING} levels" in error.message and "flatten" in error.message

    def test_nesting_at_the_limit_is_a_note(self) -> None:
        """A list exactly as deep as the limit, a rule of many stars, and deep indentation
        inside a fence are read as before."""
        body = deep_list(MAX_NESTING) + "\n" + "* " * 40 + "\n\n```\n" + deep_list(60) + "```\n"
        _, result = parsed("# Deep\n\n" + body)
        assert coded(result, codes.TOO_DEEP) == []

    def test_rest_of_the_vault_builds(self, tmp_path: Path) -> None:
        """One note too deep is an error for that file; the other notes give their cards."""
        (tmp_path / "deep.md").write_text("# Deep\n\n" + deep_list(200), encoding="utf-8")
        (tmp_path / "good.md").write_text(note_text(), encoding="utf-8")
        vault = load_notes(tmp_path)
        assert [n.path for n in vault.notes] == ["good.md"]
        assert [(d.path, d.code) for d in vault.diagnostics if d.severity == "error"] == [
            ("deep.md", codes.TOO_DEEP)
        ]
        assert kinds(vault.notes[0]) == ["scenario", "concept", "tradeoff", "question"]


class TestOptionLetters:
    def test_repeated_letter_keeps_the_answer_on_the_option_written_with_it(self) -> None:
        """``A) x``, ``A) y``, ``B) z`` with answer B: the card marks ``z`` correct, and a
        warning points at the repeated option's line."""
        note, result = parsed(note_text(options="- A) x\n- A) y\n- B) z"))
        [question] = note.questions
        assert [(o.letter, o.text.plain()) for o in question.options] == [
            ("A", "x"),
            ("A", "y"),
            ("B", "z"),
        ]
        assert question.correct == ("B",)
        assert coded(result, codes.DUPLICATE_OPTION_LETTER) == [28]
        [card] = [c for c in cards_for(note) if c.key.startswith("question")]
        graded = card.fields[3]  # Explanation: the back's options, marked
        correct = graded.split('class="opt correct"')[1].split("</li>")[0]
        assert '<span class="text">z</span>' in correct
        assert graded.count('class="opt correct"') == 1

    def test_repeated_answer_letter_gives_no_card_and_says_why(self) -> None:
        """When the answer's own letter is written twice, the card could not be right:
        the question gives no card; the warning names the letter and the fix."""
        note, result = parsed(note_text(options="- A) x\n- B) y\n- B) z"))
        assert "question" not in kinds(note)
        assert kinds(note) == ["scenario", "concept", "tradeoff"]
        [warning] = [d for d in result.diagnostics if d.code == codes.DUPLICATE_OPTION_LETTER]
        assert warning.line == 29
        assert "B" in warning.message and "no card" in warning.message

    def test_options_in_one_paragraph_are_checked_too(self) -> None:
        """Options written as lines of a paragraph are held to the same rule."""
        note, result = parsed(note_text(options="A) x\nA) y\nB) z"))
        [question] = note.questions
        assert [o.letter for o in question.options] == ["A", "A", "B"]
        assert coded(result, codes.DUPLICATE_OPTION_LETTER) == [28]

    @pytest.mark.parametrize(
        "options",
        ["- one\n- two\n- three", "1. one\n2. two\n3. three", "- a) one\n- b) two\n- c) three"],
    )
    def test_unlettered_and_numbered_options_are_still_lettered(self, options: str) -> None:
        """Options without letters, numbered, or lettered in lower case are A, B, C, with
        no warning."""
        note, result = parsed(note_text(options=options))
        [question] = note.questions
        assert [o.letter for o in question.options] == ["A", "B", "C"]
        assert coded(result, codes.DUPLICATE_OPTION_LETTER) == []


class TestUnclosedComment:
    def test_lone_percent_signs_keep_the_rest_of_the_note(self) -> None:
        """ "rose 50%% after tuning" is text: all four cards are made, with a warning."""
        note, result = parsed(note_text(key="Throughput rose 50%% after tuning."))
        assert note.key_point.plain() == "Throughput rose 50%% after tuning."
        assert kinds(note) == ["scenario", "concept", "tradeoff", "question"]
        assert coded(result, codes.UNCLOSED_COMMENT) == [9]
        assert coded(result, codes.MISSING_SECTION) == []

    def test_closed_comments_before_a_lone_one_are_still_hidden(self) -> None:
        """Pairs of ``%%`` are comments; only the unpaired last one is kept as text."""
        note, result = parsed(note_text(key="Up %%secret%% by 50%% now."))
        assert note.key_point.plain().split() == ["Up", "by", "50%%", "now."]
        assert coded(result, codes.UNCLOSED_COMMENT) == [9]

    def test_percent_signs_in_code_are_no_comment(self) -> None:
        """``%%`` in inline code or a fence opens nothing, and is not warned about."""
        key = "Use `a %% b` here.\n\n```\nprint('%%')\n```"
        note, result = parsed(note_text(key=key))
        assert "a %% b" in note.key_point.plain()
        assert kinds(note) == ["scenario", "concept", "tradeoff", "question"]
        assert coded(result, codes.UNCLOSED_COMMENT) == []


class TestHtmlBlocks:
    @pytest.mark.parametrize(
        ("key", "shown"),
        [
            ("<p>Use <b>Glue</b> for ETL.</p>", "<p>Use <b>Glue</b> for ETL.</p>"),
            ("<div>Use Glue for ETL.</div>", "<div>Use Glue for ETL.</div>"),
            (
                "<table><tr><td>Use Glue</td><td>for ETL.</td></tr></table>",
                "<table><tbody><tr><td>Use Glue</td><td>for ETL.</td></tr></tbody></table>",
            ),
            ("<details><summary>핵심</summary>Use Glue for ETL.</details>", "Use Glue for ETL."),
            (
                '<p onclick="x()">Use Glue<script>alert(1)</script> for ETL.</p>',
                "<p>Use Glue for ETL.</p>",
            ),
        ],
    )
    def test_key_point_in_block_html_gives_its_card(self, key: str, shown: str) -> None:
        """A key point written as block HTML still gives the key point's card, sanitised."""
        note, result = parsed(note_text(key=key))
        assert kinds(note)[0] == "scenario"
        assert html(note.key_point) == shown
        assert coded(result, codes.HTML_KEY_POINT) == []

    def test_key_point_html_without_text_warns(self) -> None:
        """Block HTML with nothing a card can show gives a warning, not a silent drop."""
        note, result = parsed(note_text(key='<div><img src="a.png"></div>'))
        assert "scenario" not in kinds(note)
        assert coded(result, codes.HTML_KEY_POINT) == [9]

    @pytest.mark.parametrize(
        ("part", "line"),
        [
            ({"concepts": "<ul><li><b>KDA</b>: 스트림 SQL 분석</li></ul>"}, 20),
            ({"after": "\n<p>Why: B is the only managed one.</p>\n"}, 33),
        ],
    )
    def test_html_in_other_sections_warns(self, part: dict[str, str], line: int) -> None:
        """Block HTML the concept or question readers cannot read is named in a warning."""
        _, result = parsed(note_text(**part))
        assert coded(result, codes.HTML_KEY_POINT) == [line]


def test_an_unclosed_html_comment_is_not_a_silent_drop() -> None:
    """``<!--`` with no ``-->`` hides the rest of the note, as Obsidian does; it is said."""
    text = (
        "---\ntitle: x\n---\n# T\n\n## 🎯 핵심 포인트\n\n요점 <!-- 메모\n\n"
        "## 🔍 주요개념\n\n- **A**: b\n"
    )
    found = [d for d in parse_note(text, "x.md").diagnostics if d.code == codes.UNCLOSED_COMMENT]
    assert [(d.line, d.severity) for d in found] == [(8, "warning")]
    assert "-->" in found[0].message
    closed = text.replace("메모", "메모 -->")
    assert not [
        d for d in parse_note(closed, "x.md").diagnostics if d.code == codes.UNCLOSED_COMMENT
    ]


@pytest.mark.parametrize(
    ("body", "kind"),
    [("```\nA -> B\n```\n", "codeblock"), ("| a | b |\n|---|---|\n| 1 | 2 |\n", "table")],
)
def test_a_key_point_of_code_or_a_table_gives_its_card(body: str, kind: str) -> None:
    """A key point that is only code or a table is shown as it is, without a warning."""
    text = (
        "---\ntitle: x\n---\n# T\n\n## 🎯 핵심 포인트\n\n"
        + body
        + "\n## 🔍 주요개념\n\n- **A**: b\n"
    )
    result = parse_note(text, "x.md")
    assert result.note is not None and result.note.key_point
    assert [s.kind for s in result.note.key_point.spans] == [kind]
    assert not [d for d in result.diagnostics if "key-point card" in d.message]


def test_a_key_point_the_card_cannot_show_is_said() -> None:
    """A key point that is only a rule gives no card: not without a word."""
    text = "---\ntitle: x\n---\n# T\n\n## 🎯 핵심 포인트\n\n***\n\n## 🔍 주요개념\n\n- **A**: b\n"
    result = parse_note(text, "x.md")
    assert result.note is not None and not result.note.key_point
    said = [d for d in result.diagnostics if "key-point card" in d.message]
    assert [(d.line, d.severity) for d in said] == [(8, "warning")]


@pytest.mark.parametrize("text", ["%%\n%%", "<!-- -->", "---\ntitle: a\n---\n%% x %%\n"])
def test_a_note_of_comments_only_says_it_gives_no_cards(text: str) -> None:
    found = parse_note(text, "c.md").diagnostics
    assert [d.code for d in found] == [codes.EMPTY_FILE]
    assert "only comments" in found[0].message


def test_a_line_of_backticks_is_read_in_linear_time() -> None:
    """400,000 backticks around a ``%%`` once took 15 s in the comment pre-pass."""
    line = "`" * 200_000 + "%%%" + "`" * 200_000
    text = f"# T\n\n## 🎯 핵심 포인트\n\n{line}\n\n## 🔍 주요개념\n\n- **A**: b\n"
    code = (
        "import sys; from sagenotes_anki.parse.note import parse_note; parse_note(sys.stdin.read())"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], input=text, text=True, timeout=60, capture_output=True
    )
    assert run.returncode == 0, run.stderr
    for span in ("`%%` stays", "``a %% b``"):  # code spans still hide a %%
        note = parse_note(f"# T\n\n## 🎯 핵심 포인트\n\n{span} 끝 %%hidden%%\n").note
        assert note is not None and "hidden" not in note.key_point.plain()
        assert "%%" in note.key_point.plain()
