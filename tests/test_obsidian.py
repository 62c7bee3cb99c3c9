"""Obsidian syntax in note text: links show their names, comments never reach a card."""

from __future__ import annotations

import pytest

from sagenotes_anki.cards.render import html
from sagenotes_anki.model import RichText, Span
from sagenotes_anki.parse.note import parse_note


def _key_point(text: str) -> tuple[RichText, list[str]]:
    result = parse_note(f"# T\n\n## 🎯 핵심 포인트\n\n{text}\n", "n.md")
    assert result.note is not None
    return result.note.key_point, [d.code for d in result.diagnostics if d.code != "W104"]


class TestLinks:
    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("See [[Note]].", "See Note."),
            ("See [[Note|the alias]].", "See the alias."),
            ("See [[Note#Heading]].", "See Note > Heading."),
            ("See [[#Heading]].", "See Heading."),
            ("See [[Note#^block-id]].", "See Note."),
            ("See [[folder/Note.md|x]].", "See x."),
            ("Use **[[SageMaker]]** now.", "Use SageMaker now."),
        ],
    )
    def test_wikilinks_show_their_display_text(self, text: str, shown: str) -> None:
        """A wikilink becomes its alias, else its note name: no brackets on a card."""
        key_point, codes = _key_point(text)
        assert key_point.plain() == shown
        assert codes == []

    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("![[diagram.png]]", "diagram.png"),
            ("![[diagram.png|300]]", "diagram.png"),
            ("![](img/arch.png)", "arch.png"),
            ("![the flow](img/arch.png)", "the flow"),
        ],
    )
    def test_embeds_and_images_become_names_with_info(self, text: str, shown: str) -> None:
        """Media are not packaged: the card shows the alt text or file name, and I203 says so."""
        key_point, codes = _key_point(text)
        assert key_point.plain() == shown
        assert codes == ["I203"]


class TestHiddenText:
    @pytest.mark.parametrize(
        "text",
        [
            "Use X %%secret%% when Y.",
            "Use X <!-- secret --> when Y.",
            "%%\nsecret\n%%\nUse X  when Y.",
            "<!--\nsecret\n-->\nUse X  when Y.",
            "Use X %%secret\nstill secret%% when Y.",
        ],
    )
    def test_comments_never_reach_a_card(self, text: str) -> None:
        """Obsidian and HTML comments, inline or across lines, are removed from the text."""
        key_point, codes = _key_point(text)
        assert "secret" not in key_point.plain()
        assert key_point.plain().replace("\n", " ").split() == ["Use", "X", "when", "Y."]
        assert codes == []

    def test_comment_markers_inside_code_are_kept(self) -> None:
        """``%%`` inside a code span is code, not a comment."""
        key_point, _ = _key_point("Use `a %% b` and `<!-- c -->`.")
        assert key_point.plain() == "Use a %% b and <!-- c -->."

    def test_comment_lines_keep_line_numbers(self) -> None:
        """Lines after a removed multi-line comment keep their numbers in the file."""
        text = "# T\n\n## 🔍 주요개념\n\n%%\na\nb\n%%\n\n- **Term**: def\n"
        note = parse_note(text).note
        assert note is not None
        assert [(c.term, c.line) for c in note.concepts] == [("Term", 10)]

    def test_block_id_is_dropped(self) -> None:
        """A trailing ``^block-id`` is Obsidian bookkeeping, hidden in the note too."""
        key_point, _ = _key_point("Use X when Y. ^abc-123")
        assert key_point.plain() == "Use X when Y."


class TestHighlight:
    def test_highlight_is_a_mark_span(self) -> None:
        """``==text==`` becomes a mark span and renders as ``<mark>``."""
        key_point, _ = _key_point("Use ==X== and ==**Y**== now.")
        assert Span("mark", children=(Span("text", "X"),)) in key_point.spans
        assert html(key_point) == ("Use <mark>X</mark> and <mark><strong>Y</strong></mark> now.")
        assert key_point.markdown() == "Use ==X== and ==**Y**== now."

    @pytest.mark.parametrize("text", ["a == b", "x == y and z == w", "== lone", "===="])
    def test_equals_signs_in_prose_stay(self, text: str) -> None:
        """Comparisons with spaced ``==`` are not highlights."""
        key_point, _ = _key_point(text)
        assert key_point.plain() == text
        assert all(span.kind == "text" for span in key_point.spans)


class TestCallouts:
    @pytest.mark.parametrize(
        "text",
        ["> Use X when Y.", "> [!tip] 핵심\n> Use X when Y.", "> [!note]-\n> Use X when Y."],
    )
    def test_key_point_in_a_quote_or_callout(self, text: str) -> None:
        """A key point written as a quote or an Obsidian callout is read without the marker."""
        key_point, _ = _key_point(text)
        assert key_point.plain() == "Use X when Y."
