"""Property tests: random and mutated notes never make the parser raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagenotes_anki.model import ParseResult
from sagenotes_anki.parse.note import parse_file, parse_note

TEMPLATE = (Path(__file__).parent / "golden" / "six-options" / "input.md").read_text(
    encoding="utf-8"
)
TEMPLATE_LINES = TEMPLATE.split("\n")
# Fragments that matter to the parser, so mutations hit labels, not just prose.
FRAGMENTS = [
    "---",
    "**",
    "`",
    "```",
    "- ",
    "  - ",
    "# ",
    "## ",
    "### ",
    "**Question:**",
    "**Options:**",
    "**정답: ",
    "정답: A, C",
    "💡 추가 설명:",
    "- A) ",
    "- **A) x** - ",
    "**X 장점**:",
    "**X 단점:**",
    "- **T**: d",
    "<b>",
    "<script>",
    "\r\n",
    "\ufeff",
    "\x00",
    "[",
    "]",
    ":",
    "title: [",
    "tags: - a",
    "|a|b|\n|-|-|",
    "> ",
    "1. ",
    "\t",
    "~~",
    "$$",
    "![i](u)",
    "[[",
    "]]",
    "[[N|a]]",
    "![[x.png]]",
    "%%",
    "<!--",
    "-->",
    "==",
    "> [!note] ",
    " ^blk",
    "| | 장점 | 단점 |\n|-|-|-|\n| X | a | b |",
    "- [ ] ",
    "**Q1.** ",
    "### 문제 2",
    "- **X 장점**: ",
    "**Term** - ",
    "정답: B 및 D",
    "{{title}}",
    "<% tp.file.title %>",
]


def _check(result: ParseResult, text_lines: int) -> None:
    """Invariants: an error-free result has a note; its items' and diagnostics' lines exist."""
    assert isinstance(result, ParseResult)
    if result.note is None:  # an error, or a template file (I204) that is no note
        assert result.has_errors or [d.code for d in result.diagnostics] == ["I204"]
    else:
        assert result.note.identity
        note = result.note
        lines = [x.line for x in note.concepts] + [x.line for x in note.tradeoffs]
        lines += [x.line for x in note.flows] + [x.line for x in note.questions]
        assert all(1 <= line <= text_lines for line in lines)
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.line <= text_lines + 1
        assert diagnostic.message
        assert diagnostic.code[0] in "EWI"


@st.composite
def mutated_notes(draw: st.DrawFn) -> str:
    """The template note with lines dropped, duplicated, swapped or spliced with fragments."""
    lines = list(TEMPLATE_LINES)
    for _ in range(draw(st.integers(1, 8))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "swap", "splice", "replace"]))
        if action == "drop" and len(lines) > 1:
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "splice":
            cut = draw(st.integers(0, len(lines[index])))
            fragment = draw(st.sampled_from(FRAGMENTS))
            lines[index] = lines[index][:cut] + fragment + lines[index][cut:]
        else:
            lines[index] = draw(st.text(max_size=30))
    return "\n".join(lines)


class TestNeverRaises:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated_notes())
    def test_mutated_notes(self, text: str) -> None:
        """A template note mangled line by line parses to a result with sane diagnostics."""
        _check(parse_note(text, "m.md"), text.count("\n") + 1)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=60).map("".join))
    def test_random_text(self, text: str) -> None:
        """Arbitrary text, rich in Markdown and label fragments, never raises."""
        normalised = text.replace("\r\n", "\n").replace("\r", "\n")
        _check(parse_note(text, "r.md"), normalised.count("\n") + 1)

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=400))
    def test_random_bytes(self, data: bytes) -> None:
        """Arbitrary bytes give a result (often an encoding error), never an exception."""
        result = parse_file(data, "b.md")
        assert isinstance(result, ParseResult)
        if result.note is None:
            assert result.has_errors or [d.code for d in result.diagnostics] == ["I204"]

    @settings(max_examples=200, deadline=None)
    @given(mutated_notes(), st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16"]))
    def test_mutated_notes_in_other_encodings(self, text: str, codec: str) -> None:
        """A mangled note saved in another encoding still parses without raising."""
        data = text.encode(codec, errors="replace")
        assert isinstance(parse_file(data, "e.md"), ParseResult)
