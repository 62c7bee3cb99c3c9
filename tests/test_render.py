"""Inline text, lists and diagrams become safe HTML for card fields."""

from __future__ import annotations

import html as htmllib
import re

from hypothesis import given
from hypothesis import strategies as st

from sagenotes_anki.cards.render import (
    flow_html,
    flows_html,
    html,
    html_list,
    paragraphs,
    plain,
    sanitize,
)
from sagenotes_anki.model import Flow, RichText, Span


def _rich(*spans: Span) -> RichText:
    return RichText(spans)


def _raw(fragment: str) -> Span:
    return Span("html", fragment)


def _link(url: str, label: str = "label") -> Span:
    return Span("link", children=(Span("text", label),), url=url)


_DANGER = re.compile(r"<script|<iframe|<style|<object|<embed|<img|\son\w+\s*=|javascript:", re.I)


class TestInline:
    def test_text_is_escaped(self) -> None:
        """Angle brackets and ampersands written as text show as text, not markup."""
        out = html(RichText.of("if a < b && c > d then <b>"))
        assert out == "if a &lt; b &amp;&amp; c &gt; d then &lt;b&gt;"

    def test_markup_becomes_tags(self) -> None:
        """Bold, italics, code, strikethrough, line breaks and links keep their formatting."""
        text = _rich(
            Span("strong", children=(Span("text", "Processing Jobs"),)),
            Span("text", " vs "),
            Span("emphasis", children=(Span("text", "Batch"),)),
            Span("codespan", text="x<y"),
            Span("linebreak"),
            Span("strike", children=(Span("text", "old"),)),
            _link("https://docs.aws.amazon.com/sagemaker/", "docs"),
        )
        out = html(text)
        assert "<strong>Processing Jobs</strong> vs <em>Batch</em>" in out
        assert "<code>x&lt;y</code><br><s>old</s>" in out
        assert '<a href="https://docs.aws.amazon.com/sagemaker/"' in out and ">docs</a>" in out

    def test_plain_drops_markup(self) -> None:
        """``plain`` gives the words only."""
        assert plain(_rich(Span("strong", children=(Span("text", " 핵심 "),)))) == "핵심"

    def test_empty_text_is_empty_html(self) -> None:
        """No spans, no HTML."""
        assert html(RichText()) == ""


class TestNoteHtml:
    def test_formatting_tags_survive(self) -> None:
        """HTML formatting written in a note reaches the card."""
        out = html(_rich(_raw("<sub>2</sub><sup>3</sup><kbd>Ctrl</kbd><mark>m</mark><u>u</u>")))
        assert out == "<sub>2</sub><sup>3</sup><kbd>Ctrl</kbd><mark>m</mark><u>u</u>"

    def test_tag_split_over_spans_balances(self) -> None:
        """``<b>`` in one span and ``</b>`` in a later one still wrap the words between."""
        out = html(_rich(_raw("<b>"), Span("text", "굵게"), _raw("</b>"), Span("text", " after")))
        assert out == "<b>굵게</b> after"

    def test_unclosed_tag_is_closed(self) -> None:
        """A tag left open does not leak into the rest of the card."""
        assert html(_rich(_raw("<i>"), Span("text", "open"))) == "<i>open</i>"

    def test_script_is_removed_with_its_code(self) -> None:
        """``<script>`` never reaches a field, nor does its code as text."""
        out = html(_rich(Span("text", "a"), _raw("<script>alert(1)</script>"), Span("text", "b")))
        assert out == "ab"

    def test_event_handlers_are_removed(self) -> None:
        """``onerror=``/``onclick=`` attributes are stripped, and so is a resource-loading img."""
        out = html(_rich(_raw('<img src=x onerror="alert(1)"><b onclick="x()">t</b>')))
        assert out == "<b>t</b>"

    def test_iframe_and_style_are_removed(self) -> None:
        """``<iframe>`` and ``<style>`` never reach a field."""
        out = html(_rich(_raw('<iframe src="https://evil.example"></iframe><style>*{}</style>ok')))
        assert out == "ok"

    def test_javascript_urls_are_removed(self) -> None:
        """A ``javascript:`` link, in Markdown or in HTML, keeps its words but loses its URL."""
        md = html(_rich(_link("javascript:alert(1)", "click")))
        raw = html(_rich(_raw('<a href="JaVaScRiPt:alert(1)">here</a>')))
        assert md == "click"
        assert "javascript" not in raw.lower() and "here" in raw

    def test_only_known_url_schemes_link(self) -> None:
        """https, mailto and obsidian links work; relative and data: URLs do not."""
        assert 'href="obsidian://open?vault=v&amp;file=a"' in html(
            _rich(_link("obsidian://open?vault=v&file=a"))
        )
        assert "href" in html(_rich(_link("mailto:me@example.com")))
        assert html(_rich(_link("other-note.md", "other"))) == "other"
        assert "href" not in html(_rich(_raw('<a href="data:text/html,x">d</a>')))

    @given(
        st.lists(
            st.sampled_from(
                [
                    "<script>",
                    "</script>",
                    "<scr",
                    "ipt>",
                    "<img src=x onerror=alert(1)>",
                    '<a href="javascript:x">',
                    "<iframe>",
                    "<style>",
                    "<b>",
                    "</b>",
                    "<svg onload=x>",
                    '<div onmouseover="x">',
                    "&lt;script&gt;",
                    "<!--",
                    "-->",
                    "<math><mi xlink:href='javascript:1'>",
                ]
            ),
            max_size=8,
        ),
        st.text(max_size=10),
    )
    def test_no_combination_of_fragments_gets_through(
        self, fragments: list[str], text: str
    ) -> None:
        """However note HTML is split and mixed with text, nothing executable comes out."""
        spans = [_raw(f) for f in fragments] + [Span("text", text)]
        assert not _DANGER.search(html(RichText(tuple(spans))))

    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
    def test_any_text_comes_back_unchanged(self, text: str) -> None:
        """Text spans show exactly the words written (ends trimmed), whatever they contain."""
        out = html(RichText.of(text))
        assert "<" not in out
        # A byte-order mark leading a field is not text: the HTML parser drops it, as would Anki.
        expected = text.strip()
        while expected.startswith("\ufeff"):
            expected = expected[1:].strip()
        assert htmllib.unescape(out).strip().lstrip("\ufeff").strip() == expected


_TEXT = st.text(max_size=12)
_SPANS = st.recursive(
    st.one_of(
        _TEXT.map(lambda t: Span("text", t)),
        _TEXT.map(lambda t: Span("codespan", t)),
        st.just(Span("linebreak")),
    ),
    lambda children: st.builds(
        lambda kind, kids: Span(kind, children=tuple(kids)),
        st.sampled_from(["strong", "emphasis", "strike", "mark"]),
        st.lists(children, max_size=3),
    ),
    max_leaves=8,
)


class TestWithoutNoteHtml:
    @given(st.lists(_SPANS, max_size=5))
    def test_fields_without_note_html_are_as_the_sanitiser_leaves_them(
        self, spans: list[Span]
    ) -> None:
        """Text and markup of our own are not sanitised again, and need not be: the field
        is exactly what the sanitiser would have made of it, whatever the characters."""
        text = RichText(tuple(spans))
        if not text:
            return
        from sagenotes_anki.cards import render

        sanitised = sanitize("".join(render._span(s) for s in spans)).strip()
        assert html(text) == sanitised


class TestBlocks:
    def test_list_items_become_ul(self) -> None:
        """Pros and cons become a ``<ul>``; empty items are skipped."""
        out = html_list([RichText.of("빠름"), RichText(), RichText.of("a<b")])
        assert out == "<ul><li>빠름</li><li>a&lt;b</li></ul>"

    def test_empty_list_is_empty(self) -> None:
        """No items, no list, so the card template can leave the section out."""
        assert html_list([]) == "" and html_list([RichText()]) == ""

    def test_paragraphs(self) -> None:
        """Each explanation paragraph becomes a ``<p>``."""
        assert paragraphs([RichText.of("one"), RichText.of("two")]) == "<p>one</p><p>two</p>"

    def test_flow_keeps_whitespace_and_escapes(self) -> None:
        """A diagram is a ``<pre class="flow">`` with its indentation, newlines and arrows."""
        diagram = "S3 원본 → Processing Jobs\n    └─> <Training>\n"
        out = flow_html(Flow("아키텍처 플로우", diagram, 3))
        assert '<div class="flow-title">아키텍처 플로우</div>' in out
        assert out.endswith(
            '<pre class="flow"><code>S3 원본 → Processing Jobs\n    └─&gt; &lt;Training&gt;'
            "</code></pre>"
        )

    def test_flow_leading_blank_line_survives_html_parsing(self) -> None:
        """A diagram starting with a blank line keeps it: the newline sits inside ``<code>``."""
        out = flow_html(Flow("", "\nA\n", 1))
        assert out == '<pre class="flow"><code>\nA</code></pre>'

    def test_empty_flows_are_skipped(self) -> None:
        """Only diagrams with content are rendered."""
        assert flows_html([Flow("t", "  \n", 1)]) == ""
