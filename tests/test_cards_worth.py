"""Cards worth learning from: concept fronts answerable alone, paragraph labels folded into
their heading's concept, trade-off subjects kept apart, comparison and reversed cards, and
free-form notes' bullets as concepts. Notes in tests/cards_worth/ and the real corpus,
rendered by the real Anki backend."""

from __future__ import annotations

import html
import re
import shutil
import statistics
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from test_notetypes import add_card_note, body, open_collection

from sagenotes_anki import load_notes, parse_note
from sagenotes_anki.build import BuildOptions, build
from sagenotes_anki.cards.comparison import picks, subject_name
from sagenotes_anki.cards.context import short_topic
from sagenotes_anki.cards.make import CardNote, cards_for
from sagenotes_anki.cards.notetypes import (
    CARD_KINDS,
    COMPARISON,
    CONCEPT,
    CONCEPT_REVERSED,
    DEFAULT_CARD_KINDS,
)
from sagenotes_anki.model import Concept, RichText, StudyNote
from sagenotes_anki.parse.sections import DEFAULT_SECTIONS, is_generic_label
from sagenotes_anki.parse.vault import Vault
from sagenotes_anki.preview.faces import preview_cards
from sagenotes_anki.preview.page import write_preview

NOTES = Path(__file__).parent / "cards_worth"
BLANKS = "\uff3f" * 3  # the blank a reversed card shows for its term


def text(fragment: str) -> str:
    """Rendered HTML as the learner reads it: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def mine() -> dict[str, StudyNote]:
    return {n.path: n for n in load_notes(NOTES).notes}


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> Vault:
    return load_notes(corpus_dir)


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    yield from open_collection(tmp_path)


def _faces(col: Collection, card: CardNote) -> list[tuple[str, str]]:
    cards = add_card_note(col, card.notetype, card.fields)
    return [(text(body(c.question())), text(body(c.answer()))) for c in cards]


def _concept(note: StudyNote, key: str) -> CardNote:
    return next(c for c in cards_for(note, kinds=frozenset({"concept"})) if c.key == key)


def _practical(card: CardNote) -> bool:
    # The practical bullets (실전 적용) are not concepts: another kind of card asks them.
    return DEFAULT_SECTIONS.matches("practical", text(card.fields[2]))


class TestConceptFront:
    def test_the_front_names_topic_and_group_above_the_term(
        self, mine: dict[str, StudyNote], col: Collection
    ) -> None:
        """ "데이터 보존 기간" says which service and which part; the definition stays behind."""
        card = _concept(mine["kinesis-retention.md"], "concept:데이터 보존 기간")
        ((front, back),) = _faces(col, card)
        assert front == "개념 · Concept Kinesis Data Streams · 핵심 기능 비교 데이터 보존 기간"
        assert "365일" not in front and "365일" in back

    def test_one_term_in_two_notes_or_groups_reads_differently(
        self, mine: dict[str, StudyNote], col: Collection
    ) -> None:
        """The same term under two groups, and in another note, gives three fronts."""
        cards = [
            _concept(mine["kinesis-retention.md"], "concept:데이터 보존 기간"),
            _concept(mine["kinesis-retention.md"], "concept:데이터 보존 기간#2"),
            _concept(mine["firehose-buffering.md"], "concept:데이터 보존 기간"),
        ]
        fronts = [_faces(col, card)[0][0] for card in cards]
        assert len(set(fronts)) == 3, fronts

    def test_topics_are_short_subjects(self) -> None:
        """The topic is the title's subject, short enough for one line on a phone."""
        assert short_topic("SageMaker Training에서 Pipe Mode를 통한 I/O 성능 최적화") == (
            "SageMaker Training"
        )
        assert (
            short_topic("📦 Amazon S3 + Glacier 기반 머신러닝 데이터 보관 전략")
            == "Amazon S3 + Glacier"
        )
        assert short_topic(
            "SageMaker Processing Jobs vs Batch Transform - 네이밍 함정 구별하기"
        ) == ("SageMaker Processing Jobs vs Batch Transform")
        assert short_topic("Kinesis Data Firehose 버퍼링") == "Kinesis Data Firehose 버퍼링"

    def test_corpus_fronts_are_rarely_shared(self, corpus: Vault) -> None:
        """On the real vault no concept front reads the same as another card's front (146
        did before, the practical bullets left aside), and every topic is short."""
        fronts: Counter[str] = Counter()
        concepts = []
        for note in corpus.notes:
            for card in cards_for(note):
                for face in preview_cards(card):
                    fronts[text(face.question)] += 1
                    if card.notetype is CONCEPT and not _practical(card):
                        concepts.append(text(face.question))
        shared = [front for front in concepts if fronts[front] > 1]
        assert len(concepts) > 800 and shared == []
        assert max(len(short_topic(n.title)) for n in corpus.notes) <= 45


class TestLabels:
    def test_labels_fold_into_their_headings_concept(self, mine: dict[str, StudyNote]) -> None:
        """ "정의" and "특징" under "클래스 가중치" are one card named after the heading."""
        note = mine["firehose-buffering.md"]
        terms = [c.term for c in note.concepts]
        assert "정의" not in terms and "특징" not in terms and "공통점" not in terms
        weight = next(c for c in note.concepts if c.term == "클래스 가중치(Class Weight)")
        assert weight.definition.plain() == (
            "손실 함수에서 클래스별 오류에 가중치를 부여\n"
            "특징: 소수 클래스의 오류가 손실에 더 크게 반영 → Recall 향상"
        )
        common = next(c for c in note.concepts if c.term == "ECS vs Kubernetes 관계")
        assert common.definition.plain() == "공통점: 둘 다 컨테이너 오케스트레이션 플랫폼"

    def test_a_label_line_heads_the_bullets_below_it(self, mine: dict[str, StudyNote]) -> None:
        """ "**차이점**:" over bullets becomes part of their group."""
        by_term = {c.term: c for c in mine["firehose-buffering.md"].concepts}
        assert by_term["ECS"].group == "ECS vs Kubernetes 관계 · 차이점"
        assert by_term["Kubernetes(EKS)"].group == "ECS vs Kubernetes 관계 · 차이점"
        assert by_term["Recall"].group == "클래스 가중치(Class Weight)"

    def test_no_corpus_front_is_a_bare_label(self, corpus: Vault) -> None:
        """정의, 특징, 공통점, 한계 ... (6 fronts before) are never a concept's term."""
        bare = [
            (n.path, c.term) for n in corpus.notes for c in n.concepts if is_generic_label(c.term)
        ]
        assert bare == []
        by_path = {n.path: n for n in corpus.notes}
        svm = [c.term for c in by_path["classification-svm-imbalanced-lowlatency.md"].concepts]
        assert "커널 트릭 (Kernel Trick)" in svm and "지지 벡터 (Support Vectors)" in svm


class TestTradeOffs:
    def test_parenthesised_subjects_stay_apart(self, mine: dict[str, StudyNote]) -> None:
        """ "대안 (Athena)" and "대안 (Glue Streaming)" are two subjects; KNN with and without
        its parenthesis is one; "한계" lists cons."""
        kinesis = {t.subject: t for t in mine["kinesis-retention.md"].tradeoffs}
        athena, glue = kinesis["대안 (Athena)"], kinesis["대안 (Glue Streaming)"]
        assert [p.plain() for p in athena.pros] == [
            "S3 데이터에 표준 SQL 쿼리 가능",
            "서버리스로 비용 효율적",
        ]
        assert "Spark 기반 유연한 변환" in [p.plain() for p in glue.pros]
        assert [c.plain() for c in glue.cons] == [
            "관리 및 성능 튜닝 부담",
            "Athena보다 쿼리 준비가 느림",
        ]
        firehose = {t.subject: t for t in mine["firehose-buffering.md"].tradeoffs}
        knn = firehose["KNN (K-Nearest Neighbors)"]
        assert [p.plain() for p in knn.pros] == ["학습이 필요 없음"]
        assert [c.plain() for c in knn.cons] == ["예측이 느림"]
        assert [c.plain() for c in firehose["Scatterplot"].cons] == ["다중 클래스 패턴 파악 제한적"]

    def test_corpus_subjects_are_not_merged(self, corpus: Vault) -> None:
        """The two notes whose alternatives were merged keep each alternative's own lists."""
        by_path = {n.path: n for n in corpus.notes}
        realtime = {t.subject: t for t in by_path["realtime-kinesis-lambda-sql.md"].tradeoffs}
        assert "Spark 기반 유연한 변환" not in [p.plain() for p in realtime["대안 (Athena)"].pros]
        assert "Spark 기반 유연한 변환" in [
            p.plain() for p in realtime["대안 (Glue Streaming)"].pros
        ]
        mlp = {
            t.subject: t for t in by_path["classification-mlp-imbalanced-balancing.md"].tradeoffs
        }
        assert [p.plain() for p in mlp["대안(XGBoost)"].pros] == [
            "불균형 데이터에 상대적으로 강건",
            "트리 기반 모델이라 해석력 높음",
        ]
        assert [c.plain() for c in mlp["대안(Anomaly Detection)"].cons] == [
            "멀티클래스 분류 문제 정의와 불일치"
        ]


class TestComparison:
    def test_front_asks_which_subject_back_names_it(
        self, mine: dict[str, StudyNote], col: Collection
    ) -> None:
        """One advantage, the subjects to choose from, the answer only on the back."""
        note = mine["kinesis-retention.md"]
        cards = [c for c in cards_for(note) if c.notetype is COMPARISON]
        assert len(cards) == 2
        ((front, back),) = _faces(col, cards[0])
        assert front == (
            "비교 · Which one? Kinesis Data Streams 장점 · Advantage 최대 365일 보존 "
            "어느 쪽? · Which one? Kinesis Data Streams / Athena / Glue Streaming"
        )
        assert back.startswith(front) and "Kinesis Data Streams" in back[len(front) :]
        ((front, back),) = _faces(col, cards[1])
        assert "S3 데이터에 표준 SQL 쿼리 가능" in front and back[len(front) :].startswith(
            " Athena"
        )

    def test_shared_and_telling_items_are_not_asked(self, mine: dict[str, StudyNote]) -> None:
        """An item of two subjects, or one naming a subject, has no single right answer."""
        items = [p.item.plain() for p in picks(mine["kinesis-retention.md"].tradeoffs, 99)]
        assert "서버리스로 비용 효율적" not in items
        assert "Athena보다 쿼리 준비가 느림" not in items
        assert "Spark 기반 유연한 변환" in items
        assert subject_name("대안 (Glue Streaming)") == "Glue Streaming"
        assert picks(mine["firehose-buffering.md"].tradeoffs[:1]) == []  # one subject

    def test_corpus_notes_keep_about_a_dozen_cards(self, corpus: Vault) -> None:
        """Per template note (Anki cards, default kinds): median 15, quartiles 13-16."""
        counts = [
            sum(len(preview_cards(card)) for card in cards_for(note))
            for note in corpus.notes
            if note.is_template
        ]
        low, median, high = statistics.quantiles(counts, n=4)
        assert low >= 10 and median <= 15 and high <= 16


class TestReversed:
    def test_off_by_default_and_selectable(self, mine: dict[str, StudyNote]) -> None:
        note = mine["firehose-buffering.md"]
        assert "concept-reversed" in CARD_KINDS - DEFAULT_CARD_KINDS
        assert not [c for c in cards_for(note) if c.notetype is CONCEPT_REVERSED]
        chosen = cards_for(note, kinds=frozenset({"concept-reversed"}))
        assert chosen and {c.notetype for c in chosen} == {CONCEPT_REVERSED}

    def test_definition_on_front_without_its_term(
        self, mine: dict[str, StudyNote], col: Collection
    ) -> None:
        """The term and its parts (FN, False Negative) are blanked on the front."""
        note = mine["firehose-buffering.md"]
        card = next(
            c
            for c in cards_for(note, kinds=frozenset({"concept-reversed"}))
            if c.key == "reversed:ECS vs Kubernetes 관계"
        )
        ((front, back),) = _faces(col, card)
        assert "공통점 : 둘 다 컨테이너 오케스트레이션 플랫폼" in front
        assert "ECS vs Kubernetes 관계 공통점" not in front
        assert back.endswith("ECS vs Kubernetes 관계 firehose-buffering.md")
        fn = Concept("FN(False Negative)", RichText.of("False Negative: FN이면 놓친 양성"), "", 1)
        (made,) = cards_for(
            StudyNote(identity="x", title="x", path="x.md", concepts=(fn,)),
            kinds=frozenset({"concept-reversed"}),
        )
        assert text(made.fields[0]) == f"{BLANKS} : {BLANKS} 이면 놓친 양성"  # blanks are spans

    def test_build_with_cards_option(self, tmp_path: Path) -> None:
        """`--cards concept-reversed` (the build option) makes only the reversed cards."""
        notes = tmp_path / "notes"
        shutil.copytree(NOTES, notes)
        options = BuildOptions(timestamp=1, card_kinds=frozenset({"concept-reversed"}))
        report = build(notes, tmp_path / "deck.apkg", options)
        assert report.written and set(report.cards_by_type) == {"SageNotes Concept Reversed"}


class TestFreeForm:
    def test_whitepaper_bullets_are_concepts_under_their_heading(
        self, mine: dict[str, StudyNote], col: Collection
    ) -> None:
        note = mine["libsvm-whitepaper.md"]
        assert not note.is_template
        by_term = {c.term: c for c in note.concepts}
        assert by_term["희소 표현"].group == "주요 특징"
        assert by_term["레이블"].group == "데이터 유형"
        assert by_term["인덱스 오류"].definition.plain().startswith("문제: 0부터")
        ((front, back),) = _faces(col, _concept(note, "concept:희소 표현"))
        assert front == "개념 · Concept 희소 데이터 처리 · 주요 특징 희소 표현"
        assert "0이 아닌 특성만" in back

    def test_corpus_free_form_notes_give_cards(self, corpus: Vault) -> None:
        free = [n for n in corpus.notes if not n.is_template]
        assert len(free) == 4 and all(len(n.concepts) >= 5 for n in free)


def test_preview_page_shows_the_new_kinds(tmp_path: Path) -> None:
    """The preview lists comparison and reversed cards (when asked for), filterable by type."""
    out = tmp_path / "preview.html"
    count = write_preview(NOTES, out, BuildOptions(card_kinds=CARD_KINDS))
    page = out.read_text(encoding="utf-8")
    shown = Counter(re.findall(r'class="pv-card" data-notetype="([^"]+)"', page))
    assert shown["SageNotes Comparison"] == 4  # two notes with two subjects or more, 2 each
    assert shown["SageNotes Concept Reversed"] == shown["SageNotes Concept"] > 5
    assert sum(shown.values()) == count
    assert "Kinesis Data Streams" in page and "어느 쪽? · Which one?" in page


def test_a_free_form_notes_practical_section_is_read_once() -> None:
    """A section with its own reader is not read again as free-form text."""
    text = "# Note\n\n## 실전 적용\n- **금융**: 사기 탐지\n\n## 기타\n- **용어**: 설명이다\n"
    note = parse_note(text, "note.md").note
    assert note is not None and not note.is_template
    assert [(c.term, c.group) for c in note.concepts] == [("용어", "기타")]
    assert [case.name for case in note.practical_cases] == ["금융"]
