"""Tables, code, math, callouts and wikilinks as card HTML: shown, and as safe as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sagenotes_anki.cards.make import cards_for
from sagenotes_anki.cards.render import html
from sagenotes_anki.config import load_config
from sagenotes_anki.model import RichText, StudyNote
from sagenotes_anki.parse.note import load_note, parse_note

RICH = Path(__file__).parent / "rich"


def _fields(name: str, vault: str | None = None) -> dict[str, tuple[str, ...]]:
    note = load_note(RICH / name).note
    assert note is not None
    return {card.key: card.fields for card in cards_for(note, vault_name=vault)}


def _key_point(body: str) -> StudyNote:
    note = parse_note(f"# T\n\n## 🎯 핵심 포인트\n\n{body}\n", "t.md").note
    assert note is not None
    return note


def _text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


class TestCode:
    def test_code_with_a_language_is_highlighted_as_classes(self) -> None:
        key_point = _fields("code-note.md")["scenario"][2]
        code = re.search(r'<pre class="code lang-python"><code>(.*?)</code></pre>', key_point, re.S)
        assert code is not None
        assert '<span class="hl-kn">from</span>' in code.group(1)
        assert "\n" in code.group(1)  # two lines stay two lines
        assert "style=" not in key_point and "<script" not in key_point

    def test_the_question_matrix_is_a_block_of_lines(self) -> None:
        stem = _fields("code-note.md")["question:1"][0]
        assert '<pre class="code"><code>8  2\n4  6</code></pre>' in stem

    def test_a_one_line_flow_wraps_at_its_arrows_a_box_diagram_keeps_its_columns(self) -> None:
        diagrams = _fields("code-note.md")["scenario"][4]
        assert '<div class="flow flow-wrap">' in diagrams
        assert '<span class="step">Data Sources →</span>' in diagrams
        assert '<pre class="flow"><code>┌──' in diagrams
        assert "│ Kinesis Data │ ──→ │" in diagrams

    def test_code_cannot_inject_markup(self) -> None:
        note = _key_point("```python\n</code></pre><script>alert(1)</script>\n```\n")
        out = html(note.key_point)
        assert "<script" not in out and "</code></pre><script>" in _text(out).replace(
            "&lt;", "<"
        ).replace("&gt;", ">")


class TestTables:
    def test_a_table_is_rendered_in_a_scrolling_wrapper(self) -> None:
        key_point = _fields("table-note.md")["scenario"][2]
        assert '<div class="table"><table><tr><th class="align-left">지표</th>' in key_point
        assert '<td class="align-right">SageMaker Clarify</td>' in key_point

    def test_html_in_a_cell_is_sanitised_as_everywhere(self) -> None:
        body = (
            "| a | b |\n|---|---|\n"
            '| <b onclick="x()">굵게</b> | <a href="javascript:alert(1)">링크</a> |\n'
            "| <script>alert(1)</script>x | <iframe src=//e.com></iframe>y |\n"
        )
        out = html(_key_point(body).key_point)
        assert '<div class="table"><table>' in out and "<b>굵게</b>" in out
        for bad in ("onclick", "javascript:", "<script", "alert(1)", "<iframe"):
            assert bad not in out


class TestMath:
    def test_math_uses_anki_mathjax_delimiters_with_the_tex_intact(self) -> None:
        fields = _fields("math-note.md")
        assert r"\(\text{Recall} = \frac{TP}{TP+FN}\)" in fields["scenario"][2]
        assert "\\[\nF_1 = 2 \\cdot \\frac{P \\cdot R}{P + R}\n\\]" in fields["scenario"][2]
        assert r"\text{Recall} = \frac{TP}{TP+FN}" in fields["concept:Recall"][1]
        assert r"\(FN \downarrow\)" in fields["tradeoff:Recall"][1]

    def test_money_stays_text_on_the_card(self) -> None:
        key_point = _fields("math-note.md")["scenario"][2]
        assert "11 \u00d7 $50 = $550" in key_point
        assert r"\(50" not in key_point

    def test_tex_is_escaped_and_cannot_inject(self) -> None:
        out = html(_key_point(r"식 $a<b><script>x</script>$ 끝").key_point)
        assert "<script" not in out and r"\(a&lt;b&gt;" in out


class TestCallouts:
    def test_a_callout_is_a_coloured_box_a_foldable_one_folds(self) -> None:
        key_point = _fields("obsidian-note.md")["scenario"][2]
        assert '<div class="callout callout-tip">' in key_point
        assert '<div class="callout-title">기억할 것</div>' in key_point
        assert '<details class="callout callout-warning">' in key_point
        assert '<summary class="callout-title">접힌 경고</summary>' in key_point

    def test_a_callout_title_cannot_inject(self) -> None:
        out = html(_key_point('> [!tip] <img src=x onerror="a()">\n> 본문').key_point)
        assert "<img" not in out and "&lt;img" in out

    def test_a_fold_written_in_html_keeps_only_its_text(self) -> None:
        out = html(_key_point("<details><summary>제목</summary>본문</details>").key_point)
        assert "details" not in out and "본문" in out


class TestObsidian:
    def test_highlights_and_wikilinks_without_a_vault_are_text(self) -> None:
        fields = _fields("obsidian-note.md")
        assert "<mark>엔드포인트 자동 확장</mark>" in fields["scenario"][2]
        assert "오토스케일링" in fields["scenario"][2] and "<a" not in fields["scenario"][2]
        assert "[[" not in fields["scenario"][2]

    def test_wikilinks_open_the_note_in_the_vault(self) -> None:
        key_point = _fields("obsidian-note.md", vault="내 볼트")["scenario"][2]
        url = "obsidian://open?vault=%EB%82%B4%20%EB%B3%BC%ED%8A%B8&amp;file=sagemaker-autoscaling"
        assert f'<a class="wikilink" href="{url}"' in key_point

    def test_comments_and_tags_never_reach_a_card(self) -> None:
        shown = "".join("".join(f) for f in _fields("obsidian-note.md").values())
        for hidden in ("나만 보는 메모", "숨긴 메모", "#service", "#tag", "#exam", "%%", "<!--"):
            assert hidden not in shown

    @pytest.mark.parametrize("where", ["vault", "vault/notes/deep"])
    def test_the_vault_name_is_the_folder_holding_dot_obsidian(
        self, tmp_path: Path, where: str
    ) -> None:
        (tmp_path / "vault" / ".obsidian").mkdir(parents=True)
        notes = tmp_path / where
        notes.mkdir(parents=True, exist_ok=True)
        assert load_config(notes).vault_name == "vault"

    def test_a_configured_vault_name_wins(self, tmp_path: Path) -> None:
        (tmp_path / ".obsidian").mkdir()
        (tmp_path / "sagenotes.toml").write_text('vault-name = "Mine"\n', encoding="utf-8")
        assert load_config(tmp_path).vault_name == "Mine"


def test_plain_text_fields_are_unchanged() -> None:
    """Text with none of the new syntax renders exactly as it did."""
    assert html(RichText.of("a < b & **c**")) == "a &lt; b &amp; **c**"
