"""A study note becomes Anki notes: order, stable keys, HTML fields, tags, real rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from anki.collection import Collection
from test_notetypes import add_card_note, body, open_collection

from sagenotes_anki import load_notes
from sagenotes_anki.cards.make import CardNote, cards_for
from sagenotes_anki.cards.notetypes import CONCEPT, MCQ, SCENARIO, TRADEOFF
from sagenotes_anki.model import (
    Concept,
    Flow,
    Option,
    Question,
    RichText,
    Span,
    StudyNote,
    TradeOff,
)

R = RichText.of


def _question(correct: tuple[str, ...], *, stem: str = "Which approach?") -> Question:
    return Question(
        stem=R(stem),
        options=tuple(Option(letter, R(f"option {letter}")) for letter in "ABCD"),
        correct=correct,
        answer_text=R("short name"),
        explanations=(("B", R("B는 배치 추론 전용")), ("D", R("D is slow")), ("X", R("stray"))),
        general_explanation=(R("전처리는 Processing Jobs."),),
        line=40,
    )


NOTE = StudyNote(
    identity="sagemaker-processing",
    title="Processing vs Batch <Transform>",
    path="ml/sagemaker processing 처리.md",
    tags=("service/SageMaker", "#method/preprocessing", "Service/sagemaker"),
    key_point=R("훈련 전 변환은 Processing Jobs"),
    concepts=(
        Concept("Processing Jobs", R("모델 없이 변환"), "핵심 개념", 10),
        Concept("Batch Transform", R("배치 추론"), "핵심 개념", 11),
        Concept("Processing Jobs", R("again, other group"), "실전", 12),
    ),
    tradeoffs=(
        TradeOff("Processing Jobs", (R("유연함"), R("커스텀 컨테이너")), (R("복잡"),), 20),
        TradeOff("Batch Transform", (R("저렴"),), (), 24),
    ),
    flows=(Flow("아키텍처 플로우", "S3 → Processing → S3\n  └ Training", 30),),
    questions=(_question(("B",)), _question(("A", "C"), stem="Which TWO?")),
)


@pytest.fixture
def anki_collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh real Anki collection holding the four note types."""
    yield from open_collection(tmp_path)


def _fields(card: CardNote) -> dict[str, str]:
    return dict(zip(card.notetype.field_names, card.fields, strict=True))


class TestOrderAndKeys:
    def test_study_order_and_keys(self) -> None:
        """Key point, then concepts, trade-offs and questions, each with its stable key."""
        keys = [c.key for c in cards_for(NOTE)]
        assert keys == [
            "scenario",
            "concept:Processing Jobs",
            "concept:Batch Transform",
            "concept:Processing Jobs#2",
            "tradeoff:Processing Jobs",
            "tradeoff:Batch Transform",
            "question:1",
            "question:2",
        ]

    def test_note_types(self) -> None:
        """Each item gets the note type made for it, with one value per field."""
        cards = cards_for(NOTE)
        assert [c.notetype for c in cards] == [SCENARIO] + [CONCEPT] * 3 + [TRADEOFF] * 2 + [
            MCQ
        ] * 2
        assert all(len(c.fields) == len(c.notetype.fields) for c in cards)

    def test_keys_do_not_depend_on_content(self) -> None:
        """Editing a definition or a question's wording keeps every key."""
        edited = replace(
            NOTE,
            concepts=(replace(NOTE.concepts[0], definition=R("new words")), *NOTE.concepts[1:]),
            questions=(replace(NOTE.questions[0], stem=R("Reworded?")), NOTE.questions[1]),
        )
        assert [c.key for c in cards_for(edited)] == [c.key for c in cards_for(NOTE)]

    def test_question_numbers_count_skipped_questions(self) -> None:
        """A question without a stem makes no card but still holds its number."""
        broken = replace(NOTE, questions=(_question(("A",), stem=""), _question(("B",))))
        assert [c.key for c in cards_for(broken, kinds=frozenset({"mcq"}))] == ["question:2"]

    def test_kinds_select_cards(self) -> None:
        """Only the requested kinds are made ("keypoint", the old name, is "scenario"); an
        unknown kind is an error naming it."""
        only = cards_for(NOTE, kinds=frozenset({"tradeoff", "keypoint"}))
        assert [c.key for c in only] == [
            "scenario",
            "tradeoff:Processing Jobs",
            "tradeoff:Batch Transform",
        ]
        with pytest.raises(ValueError, match="cloze"):
            cards_for(NOTE, kinds=frozenset({"cloze"}))

    def test_options_object_is_accepted(self) -> None:
        """Build options (card_kinds, vault_name) work in place of keywords."""

        class Options:
            card_kinds = frozenset({"scenario"})
            vault_name = "Vault"

        (card,) = cards_for(NOTE, Options())
        assert card.key == "scenario" and "obsidian://open?vault=Vault" in card.fields[-1]


class TestFields:
    def test_tags_are_anki_tags_without_duplicates(self) -> None:
        """Tags become hierarchical Anki tags, one per tag whatever its casing."""
        assert cards_for(NOTE)[0].tags == ("method::preprocessing", "service::sagemaker")

    def test_source_links_back_to_obsidian(self) -> None:
        """With a vault name the source is an obsidian:// link to the note (no .md)."""
        source = _fields(cards_for(NOTE, vault_name="My Vault")[0])["Source"]
        url = (
            "obsidian://open?vault=My%20Vault&amp;file="
            "ml%2Fsagemaker%20processing%20%EC%B2%98%EB%A6%AC"
        )
        assert source == f'<a class="obsidian" href="{url}">ml/sagemaker processing 처리.md</a>'

    def test_source_without_vault_is_the_path(self) -> None:
        """Without a vault name the source is the note's path as text."""
        assert _fields(cards_for(NOTE)[0])["Source"] == "ml/sagemaker processing 처리.md"

    def test_plain_strings_are_escaped(self) -> None:
        """A title with angle brackets shows them; it never becomes markup."""
        assert _fields(cards_for(NOTE)[0])["Topic"] == "Processing vs Batch &lt;Transform&gt;"

    def test_keypoint_fields(self) -> None:
        """The key point's scenario card holds the point, the withheld part marked, and the
        diagram, whitespace kept."""
        fields = _fields(cards_for(NOTE)[0])
        assert fields["Point"] == "훈련 전 변환은 <mark>Processing Jobs</mark>"
        assert fields["Situation"] == "훈련 전 변환은 [ … ]"
        assert fields["Decision"] == "Processing Jobs"
        assert (
            '<pre class="flow"><code>S3 → Processing → S3\n  └ Training</code></pre>'
            in (fields["Flow"])
        )

    def test_concept_fields(self) -> None:
        """A concept holds its term, definition, group and the note's title."""
        fields = _fields(cards_for(NOTE)[1])
        assert (fields["Term"], fields["Definition"], fields["Group"]) == (
            "Processing Jobs",
            "모델 없이 변환",
            "핵심 개념",
        )

    def test_tradeoff_lists(self) -> None:
        """Pros and cons are lists; a missing list is an empty field."""
        both, pros_only = cards_for(NOTE, kinds=frozenset({"tradeoff"}))
        assert _fields(both)["Pros"] == "<ul><li>유연함</li><li>커스텀 컨테이너</li></ul>"
        assert _fields(both)["Cons"] == "<ul><li>복잡</li></ul>"
        assert _fields(pros_only)["Cons"] == ""

    def test_mcq_options_plain_and_graded_on_the_back(self) -> None:
        """Options holds the plain options (the front's list); the graded list with every
        option's right/wrong class and explanation is in Explanation (the back only)."""
        single = _fields(cards_for(NOTE, kinds=frozenset({"mcq"}))[0])
        assert single["Options"] == (
            '<ol class="options">'
            '<li class="opt" data-letter="A"><span class="letter">A</span> '
            '<span class="text">option A</span></li>'
            '<li class="opt" data-letter="B"><span class="letter">B</span> '
            '<span class="text">option B</span></li>'
            '<li class="opt" data-letter="C"><span class="letter">C</span> '
            '<span class="text">option C</span></li>'
            '<li class="opt" data-letter="D"><span class="letter">D</span> '
            '<span class="text">option D</span></li>'
            "</ol>"
        )
        assert single["Explanation"].startswith(
            '<ol class="options graded">'
            '<li class="opt wrong" data-letter="A"><span class="letter">A</span> '
            '<span class="text">option A</span></li>'
            '<li class="opt correct" data-letter="B"><span class="letter">B</span> '
            '<span class="text">option B</span><div class="why">B는 배치 추론 전용</div></li>'
            '<li class="opt wrong" data-letter="C"><span class="letter">C</span> '
            '<span class="text">option C</span></li>'
            '<li class="opt wrong" data-letter="D"><span class="letter">D</span> '
            '<span class="text">option D</span><div class="why">D is slow</div></li>'
            "</ol>"
        )
        assert single["Choose"] == ""

    def test_mcq_answer_keeps_its_words(self) -> None:
        """The Answer field holds the letters and the answer line's own words; without
        words, the right options' text."""
        single = _fields(cards_for(NOTE, kinds=frozenset({"mcq"}))[0])
        assert single["Answer"] == (
            '<span class="letters">B</span> <span class="answer-words">short name</span>'
        )
        bare = replace(NOTE, questions=(replace(_question(("A", "C")), answer_text=R("")),))
        assert _fields(cards_for(bare, kinds=frozenset({"mcq"}))[0])["Answer"] == (
            '<span class="letters">A, C</span> '
            '<span class="answer-words">option A · option C</span>'
        )

    def test_mcq_multi_answer(self) -> None:
        """A two-answer question lists both letters and asks to choose 2."""
        multi = _fields(cards_for(NOTE, kinds=frozenset({"mcq"}))[1])
        assert multi["Answer"].startswith('<span class="letters">A, C</span>')
        assert multi["Choose"] == "2개 선택 · Choose 2"
        graded = multi["Explanation"]
        assert re.findall(r'class="opt correct" data-letter="(.)"', graded) == ["A", "C"]

    def test_explanation_keeps_general_and_stray_explanations(self) -> None:
        """The general explanation and an explanation for a letter with no option survive."""
        explanation = _fields(cards_for(NOTE, kinds=frozenset({"mcq"}))[0])["Explanation"]
        assert '<div class="explanation"><p>전처리는 Processing Jobs.</p>' in explanation
        assert "<b>X)</b> stray" in explanation

    def test_html_in_notes_is_sanitised(self) -> None:
        """Script written inside a definition never reaches the field."""
        evil = RichText((Span("text", "ok "), Span("html", "<script>alert(1)</script><b>b</b>")))
        note = replace(NOTE, concepts=(Concept("T", evil, "", 1),))
        fields = _fields(cards_for(note, kinds=frozenset({"concept"}))[0])
        assert fields["Definition"] == "ok <b>b</b>"

    def test_items_without_a_front_are_skipped(self) -> None:
        """No card with an empty front: no key point text, empty term, empty trade-off."""
        empty = replace(
            NOTE,
            key_point=RichText(),
            concepts=(Concept(" ", R("x"), "", 1),),
            tradeoffs=(TradeOff("S", (), (), 1),),
            questions=(),
        )
        assert cards_for(empty) == ()


class TestInRealAnki:
    def test_every_card_renders(self, anki_collection: Collection) -> None:
        """Anki makes the expected cards; their fronts and backs show the note's text."""
        rendered = {}
        for card_note in cards_for(NOTE, vault_name="V"):
            cards = add_card_note(anki_collection, card_note.notetype, card_note.fields)
            rendered[card_note.key] = [(body(c.question()), body(c.answer())) for c in cards]
        assert {k: len(v) for k, v in rendered.items()} == {
            "scenario": 1,
            "concept:Processing Jobs": 1,
            "concept:Batch Transform": 1,
            "concept:Processing Jobs#2": 1,
            "tradeoff:Processing Jobs": 2,  # pros and cons
            "tradeoff:Batch Transform": 1,  # pros only
            "question:1": 1,
            "question:2": 1,
        }
        (kp_front, kp_back), *_ = rendered["scenario"]
        assert "훈련 전 변환은" in kp_front and "Processing Jobs" not in kp_front
        assert "Processing Jobs" in kp_back and "  └ Training" in kp_back
        (front, back), *_ = rendered["concept:Batch Transform"]
        assert "Batch Transform" in front and "배치 추론" not in front and "배치 추론" in back

    def test_mcq_back_marks_exactly_the_correct_options(self, anki_collection: Collection) -> None:
        """On the back the correct options, and only they, carry the correct mark."""
        card_note = cards_for(NOTE, kinds=frozenset({"mcq"}))[1]
        (card,) = add_card_note(anki_collection, card_note.notetype, card_note.fields)
        back = body(card.answer())
        marked = back[back.index('<div class="mcq-back">') :]
        assert re.findall(r'class="opt correct" data-letter="(.)"', marked) == ["A", "C"]
        assert re.findall(r'class="opt wrong" data-letter="(.)"', marked) == ["B", "D"]
        assert 'Answer: <span class="letters">A, C</span>' in back
        front = body(card.question())
        assert "mcq-back" not in front and "correct" not in front and "wrong" not in front


@pytest.fixture(scope="module")
def corpus_cards(corpus_dir: Path) -> list[tuple[StudyNote, CardNote]]:
    """Every card of the real corpus, with its note."""
    vault = load_notes(corpus_dir)
    return [(n, c) for n in vault.notes for c in cards_for(n, vault_name="mercurydb")]


class TestCorpus:
    def test_keys_unique_within_each_note(
        self, corpus_cards: list[tuple[StudyNote, CardNote]]
    ) -> None:
        """No two Anki notes from one study note share a key."""
        pairs = [(n.identity, c.key) for n, c in corpus_cards]
        assert len(pairs) == len(set(pairs))

    def test_one_card_note_per_parsed_item(
        self, corpus_cards: list[tuple[StudyNote, CardNote]]
    ) -> None:
        """Every parsed key point, concept, practical bullet, trade-off and question with a
        front is a card."""
        notes = {n.identity: n for n, _ in corpus_cards}
        expected = sum(
            bool(n.key_point)
            + sum(1 for c in n.concepts if c.term.strip())
            + len(n.practical_cases)
            + sum(1 for t in n.tradeoffs if t.subject.strip() and (t.pros or t.cons))
            + sum(1 for q in n.questions if q.stem and q.options)
            for n in notes.values()
        )
        assert len(corpus_cards) == expected > 2000

    def test_every_card_renders_in_anki(
        self, anki_collection: Collection, corpus_cards: list[tuple[StudyNote, CardNote]]
    ) -> None:
        """Every card of the corpus renders; MCQ backs mark exactly the note's answers."""
        for note, card_note in corpus_cards:
            cards = add_card_note(anki_collection, card_note.notetype, card_note.fields)
            assert cards, (note.path, card_note.key)
            for card in cards:
                assert "<script" not in " ".join(card_note.fields)
                assert body(card.question()).strip() and body(card.answer()).strip()
            if card_note.notetype is MCQ:
                question = note.questions[int(card_note.key.split(":")[1]) - 1]
                back = body(cards[0].answer())
                marked = re.findall(r'class="opt correct" data-letter="(.)"', back)
                assert marked == [
                    o.letter for o in question.options if o.letter in question.correct
                ]
                assert "mcq-back" not in body(cards[0].question())
