"""What a note holds reaches the model: tables, code, math, Korean emphasis, Obsidian syntax.

Parsed from the notes in tests/rich/ (written for these features) and from the real corpus
where it has them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sagenotes_anki.model import RichText, Span, StudyNote
from sagenotes_anki.parse.note import load_note, parse_note

RICH = Path(__file__).parent / "rich"
MONEY_NOTES = (
    "churn-prediction-cost-analysis.md",
    "aws-ml-service-hierarchy-selection.md",
    "knn-normalization-scaling-guide.md",
    "storage-s3-ml-datalake.md",
)


def _note(name: str) -> StudyNote:
    result = load_note(RICH / name)
    assert result.note is not None and not result.has_errors, result.diagnostics
    return result.note


def _kinds(text: RichText) -> list[str]:
    found: list[str] = []

    def walk(spans: tuple[Span, ...]) -> None:
        for span in spans:
            found.append(span.kind)
            walk(span.children)

    walk(text.spans)
    return found


def _blocks(text: RichText, kind: str) -> list[Span]:
    return [s for s in text.spans if s.kind == kind]


def _key_point(body: str) -> RichText:
    note = parse_note(f"# T\n\n## 🎯 핵심 포인트\n\n{body}\n", "t.md").note
    assert note is not None
    return note.key_point


class TestTables:
    def test_a_key_point_table_keeps_its_rows_and_cells(self) -> None:
        table = _blocks(_note("table-note.md").key_point, "table")
        assert len(table) == 1
        rows = table[0].children
        assert len(rows) == 4  # head and three rows
        assert [c.kind for c in rows[0].children] == ["headcell"] * 5
        assert RichText(rows[2].children[0].children).plain() == "Recall (재현율)"
        assert [c.text for c in rows[1].children] == ["left", "center", "left", "left", "right"]

    def test_a_question_table_stands_in_the_stem(self) -> None:
        question = _note("table-note.md").questions[0]
        table = _blocks(question.stem, "table")
        assert table and "80" in table[0].children[1].children[1].children[0].text

    def test_an_explanation_table_is_shown_with_the_diagrams_and_money_stays_text(self) -> None:
        flows = _note("table-note.md").flows
        tables = [f for f in flows if f.content.spans]
        assert [f.title for f in tables] == ["지표별 비용"]
        assert "11 \u00d7 $50 = $550" in tables[0].content.plain()
        assert "math" not in _kinds(tables[0].content)

    def test_a_tradeoff_table_stays_a_tradeoff_and_is_not_shown_twice(self) -> None:
        note = _note("table-note.md")
        assert {t.subject for t in note.tradeoffs} == {"Precision", "Recall"}
        assert not any("놓치는" in f.content.plain() for f in note.flows)

    def test_a_table_inside_a_concept_bullet_reaches_the_definition(self) -> None:
        concept = next(c for c in _note("table-note.md").concepts if c.term == "혼동 행렬")
        assert _blocks(concept.definition, "table")
        assert "|---|" not in concept.definition.plain()

    def test_a_wide_concept_table_gives_a_concept_per_row_labelled_by_column(self) -> None:
        concepts = {c.term: c for c in _note("table-note.md").concepts}
        auc = concepts["AUC"]
        assert auc.group == "지표 정리"
        assert auc.definition.markdown() == "**의미**: 임계값 전체의 분리 능력\n**예시**: 신용 평가"


class TestCode:
    def test_a_fenced_block_in_a_question_keeps_its_lines(self) -> None:
        stem = _note("code-note.md").questions[0].stem
        (code,) = _blocks(stem, "codeblock")
        assert code.text == "8  2\n4  6"

    def test_the_corpus_confusion_matrix_keeps_its_lines(self, corpus_dir: Path) -> None:
        result = load_note(corpus_dir / "f1-score-confusion-matrix-evaluation.md")
        assert result.note is not None
        (code,) = _blocks(result.note.questions[0].stem, "codeblock")
        assert code.text.split("\n") == ["8  2", "4  6"]

    def test_code_in_options_explanations_concepts_and_key_points_is_kept(self) -> None:
        note = _note("code-note.md")
        question = note.questions[0]
        option_c = next(o for o in question.options if o.letter == "C")
        assert [s.url for s in _blocks(option_c.text, "codeblock")] == ["bash"]
        general = [s for t in question.general_explanation for s in _blocks(t, "codeblock")]
        assert [s.url for s in general] == ["python"]
        concept = next(c for c in note.concepts if c.term == "요청 형식")
        assert [s.url for s in _blocks(concept.definition, "codeblock")] == ["json"]
        assert [s.url for s in _blocks(note.key_point, "codeblock")] == ["python"]

    def test_code_standing_in_the_concepts_is_shown_with_the_diagrams(self) -> None:
        note = _note("code-note.md")
        concept = next(c for c in note.concepts if c.term == "응답 형식")
        assert not _blocks(concept.definition, "codeblock")  # not in the bullet: not its part
        flow = next(f for f in note.flows if "predictions" in f.text)
        assert (flow.title, flow.language) == ("🔍 주요개념", "json")

    def test_code_with_a_language_in_the_explanation_is_no_longer_dropped(self) -> None:
        flows = _note("code-note.md").flows
        assert [f.language for f in flows][:3] == ["", "", "python"]
        assert "estimator.fit" in flows[2].text

    def test_the_corpus_keeps_every_fenced_block(self, corpus_dir: Path) -> None:
        """Every fenced block with a language in a template note's sections reaches the model."""
        kept = 0
        for path in sorted(corpus_dir.glob("*.md")):
            note = load_note(path).note
            if note is None or not note.is_template:
                continue
            texts = [note.key_point, *(c.definition for c in note.concepts)]
            for q in note.questions:
                texts += [q.stem, *q.general_explanation, *(o.text for o in q.options)]
                texts += [why for _, why in q.explanations]
            kinds = [s for t in texts for s in t.spans if s.kind == "codeblock"]
            kept += len(kinds) + sum(1 for f in note.flows if f.language)
        assert kept >= 15  # today 0: code with a language was dropped or inlined


class TestMath:
    @pytest.mark.parametrize(
        ("written", "kind", "tex"),
        [
            (r"$x_1 + y_2$", "math", r"x_1 + y_2"),
            (r"$$\sum_i a_i$$", "displaymath", r"\sum_i a_i"),
            (r"\(a \cdot b\)", "math", r"a \cdot b"),
            (r"\[ \text{Recall} = \frac{TP}{TP+FN} \]", "displaymath", None),
        ],
    )
    def test_math_keeps_its_tex(self, written: str, kind: str, tex: str | None) -> None:
        text = _key_point(f"공식은 {written} 이다.")
        (math,) = [s for s in text.spans if s.kind == kind]
        assert math.text == (tex if tex is not None else written[2:-2])

    @pytest.mark.parametrize(
        "written",
        [
            "총 손실: 11 \u00d7 $50 = $550",
            "Lambda ($0.02) < Fargate ($0.05)",
            "가격 $5 와 $10",
            "a $ b $ c",  # a space inside the dollars: not math (Obsidian)
            r"escaped \$5 and \$6",
        ],
    )
    def test_money_is_not_math(self, written: str) -> None:
        text = _key_point(written)
        assert "math" not in _kinds(text)
        assert "$" in text.plain()

    def test_the_corpus_recall_formula_keeps_its_backslash(self, corpus_dir: Path) -> None:
        note = load_note(corpus_dir / "classification-mlp-imbalanced-balancing.md").note
        assert note is not None
        recall = next(c for c in note.concepts if c.term == "Recall")
        (math,) = _blocks(recall.definition, "displaymath")
        assert r"\text{Recall} = \frac{TP}{TP+FN}" in math.text

    def test_the_corpus_money_stays_text(self, corpus_dir: Path) -> None:
        """The vault's dollar amounts (9 notes) are never read as math."""
        for name in MONEY_NOTES:
            note = load_note(corpus_dir / name).note
            assert note is not None
            texts = [note.key_point, *(c.definition for c in note.concepts)]
            texts += [i for t in note.tradeoffs for i in (*t.pros, *t.cons)]
            for q in note.questions:
                texts += [q.stem, *q.general_explanation, *(w for _, w in q.explanations)]
            assert not any("math" in _kinds(t) for t in texts), name


class TestKoreanEmphasis:
    @pytest.mark.parametrize(
        ("written", "bold"),
        [
            ("**CNN-QR (Quantile Regression)**은 확률을 예측", "CNN-QR (Quantile Regression)"),
            ('**"AWS Glue 마케팅 문제"**로 불린다', '"AWS Glue 마케팅 문제"'),
            ("쿨다운 동안 **지연(latency)**이 생긴다", "지연(latency)"),
            ("모델은**(주의)**반드시", "(주의)"),
            ("일반 **굵게** 글", "굵게"),
        ],
    )
    def test_bold_next_to_brackets_and_particles_is_bold(self, written: str, bold: str) -> None:
        text = _key_point(written)
        strong = [s for s in text.spans if s.kind == "strong"]
        assert [RichText(s.children).plain() for s in strong] == [bold]
        assert "**" not in text.plain()

    def test_every_corpus_case_is_bold(self, corpus_dir: Path) -> None:
        """The vault's cases (bold closed after a bracket or quote, then Hangul, or opened
        after Hangul before a bracket), each line read as a key point: bold, no asterisks."""
        closing = r"\*\*[^*\n]*[)\]\"'.:%]\*\*[\uac00-\ud7a3]"
        opening = r"[\uac00-\ud7a3]\*\*[(\[\"'][^*\n]*\*\*"
        pattern = re.compile(f"{closing}|{opening}")
        cases = []
        for path in sorted(corpus_dir.glob("*.md")):
            for line in path.read_text(encoding="utf-8").split("\n"):
                if pattern.search(line) and "`" not in line:
                    cases.append(re.sub(r"^[\s>]*(?:[-+]\s+|\*\s+|\d+\.\s+)?", "", line))
        assert len(cases) >= 3
        for line in cases:
            text = _key_point(line)
            assert "**" not in text.plain(), line
            assert "strong" in _kinds(text), line


class TestObsidianSyntax:
    def test_callouts_keep_their_type_title_fold_and_body(self) -> None:
        key_point = _note("obsidian-note.md").key_point
        tip, warning = _blocks(key_point, "callout")
        assert (tip.url, tip.text) == ("tip", "기억할 것")
        assert (warning.url, warning.text) == ("warning|-", "접힌 경고")
        assert "mark" in _kinds(RichText(tip.children))
        assert "두 배(2x)" in RichText(warning.children).plain()

    def test_comments_and_inline_tags_are_not_card_text(self) -> None:
        note = _note("obsidian-note.md")
        shown = note.key_point.plain() + note.questions[0].stem.plain()
        shown += "".join(i.plain() for t in note.tradeoffs for i in t.pros)
        for hidden in ("나만 보는 메모", "숨긴 메모", "#service", "#tag", "#exam", "%%"):
            assert hidden not in shown

    def test_hash_in_code_and_csharp_stays(self) -> None:
        concepts = {c.term: c.definition for c in _note("code-note.md").concepts}
        assert "#1 선택지" in concepts["C# SDK"].plain()
        cooldown = {c.term: c.definition for c in _note("obsidian-note.md").concepts}["쿨다운"]
        assert cooldown.spans[0] == Span("codespan", "#cooldown")

    def test_wikilinks_show_their_text_and_know_their_note(self) -> None:
        tip = _blocks(_note("obsidian-note.md").key_point, "callout")[0]
        links = [s for s in tip.children if s.kind == "link"]
        assert [(RichText(s.children).plain(), s.url) for s in links] == [
            ("오토스케일링", "sagenotes-note:sagemaker-autoscaling"),
            ("Inference > Real-time", "sagenotes-note:Inference"),
        ]
