"""Scenario -> decision cards: the key point and the practical-application bullets ask a
real question, and the front never holds the decision.

Notes are parsed from text; their cards are added to a real Anki collection and read back
as Anki renders them (``card.question()``, ``card.answer()``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from test_notetypes import add_card_note, body, open_collection

from sagenotes_anki import load_notes, parse_note
from sagenotes_anki.cards.make import CardNote, cards_for
from sagenotes_anki.cards.notetypes import SCENARIO
from sagenotes_anki.config import parse_card_kinds

_NOTE = """\
# Kinesis로 실시간 사기 탐지

## 🎯 핵심 포인트

{point}

## 🔍 주요개념

### 핵심 개념 비교

- **Kinesis Data Streams**: 실시간 스트림 수집

### 실전 적용

- **통신사**: 월 요금제 해지 방지를 위한 할인 혜택 제공
- **금융 서비스**: 계좌 해지 예정 고객에게 우대 금리 제안
- **라이드쉐어링 데이터**: 실시간 집계 + 복잡한 비즈니스 로직 → Analytics + Lambda
- **이미지 분류 파이프라인**: Processor로 전처리 → Estimator로 훈련 → 엔드포인트 배포
- 의료 분야에서 약물명의 정확한 전사
"""

_SCENARIO_POINT = (
    "실시간 스트리밍 데이터에서 사기 거래를 탐지해야 하는 경우 Amazon Kinesis Data Streams와 "
    "Kinesis Data Analytics의 RANDOM_CUT_FOREST 함수를 사용하여 이상 거래를 찾아낼 수 있다."
)


@pytest.fixture
def anki_collection(tmp_path: Path) -> Iterator[Collection]:
    yield from open_collection(tmp_path)


def _cards(point: str, kinds: frozenset[str] | None = None) -> tuple[CardNote, ...]:
    note = parse_note(_NOTE.format(point=point), path="fraud.md").note
    assert note is not None
    return cards_for(note, kinds=kinds)


def _faces(col: Collection, card: CardNote) -> tuple[str, str]:
    (made,) = add_card_note(col, card.notetype, card.fields)
    return body(made.question()), body(made.answer())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_key_point_front_is_the_situation(anki_collection: Collection) -> None:
    """The front gives the "…경우" clause and asks what to do; the decision (the services)
    is only on the back, first on its own, then marked inside the whole sentence."""
    (card,) = _cards(_SCENARIO_POINT, frozenset({"scenario"}))
    assert card.notetype is SCENARIO and card.key == "scenario"
    front, back = _faces(anki_collection, card)
    assert "실시간 스트리밍 데이터에서 사기 거래를 탐지해야 하는 경우" in _text(front)
    assert "Kinesis" not in _text(front) and "RANDOM_CUT_FOREST" not in front
    assert "핵심은?" not in front and "What do you do?" in front
    decision = back[back.index('<div class="decision">') :]
    assert _text(decision).startswith("Amazon Kinesis Data Streams와")
    assert "<mark>Amazon Kinesis Data Streams와" in back


def test_key_point_without_a_clause_is_a_cloze(anki_collection: Collection) -> None:
    """A key point with no situation clause hides its bold text (else the service it
    names) and asks for the blank; never the shared "핵심은?" prompt."""
    for point, hidden in (
        ("XGBoost는 GBDT보다 **자동 가지치기**로 더 빠르게 학습한다.", "자동 가지치기"),
        ("훈련 전 데이터 변환은 SageMaker Processing Jobs로 한다.", "SageMaker Processing Jobs"),
    ):
        (card,) = _cards(point, frozenset({"scenario"}))
        front, back = _faces(anki_collection, card)
        assert hidden not in front and "[ … ]" in front and "Fill in the blank" in front
        assert "핵심은?" not in front
        assert f"<mark>{hidden}</mark>" in back.replace("<strong>", "").replace("</strong>", "")


def test_practical_bullets_are_scenarios_not_concepts(anki_collection: Collection) -> None:
    """Each practical bullet is a scenario card: the case on the front, and on the back
    what follows its "→", a pipeline's steps, or else the note's subject. None is a concept
    card; the concept under another heading still is."""
    cards = _cards(_SCENARIO_POINT)
    assert [c.key for c in cards if c.notetype.name == "SageNotes Concept"] == [
        "concept:Kinesis Data Streams"
    ]
    practical = [c for c in cards if c.key.startswith("practical:")]
    faces = {c.key: tuple(map(_text, _faces(anki_collection, c))) for c in practical}
    telecom_front, telecom_back = faces["practical:통신사"]
    assert "통신사 : 월 요금제 해지 방지를 위한 할인 혜택 제공" in telecom_front
    assert "Which service for this?" in telecom_front
    assert "Kinesis로 실시간 사기 탐지" in telecom_back.split("Which service for this?")[1]
    ride_front, ride_back = faces["practical:라이드쉐어링 데이터"]
    assert "실시간 집계 + 복잡한 비즈니스 로직" in ride_front and "Lambda" not in ride_front
    assert "Analytics + Lambda" in ride_back
    pipe_front, pipe_back = faces["practical:이미지 분류 파이프라인"]
    assert "Estimator" not in pipe_front and "Estimator로 훈련" in pipe_back
    assert "약물명의 정확한 전사" in faces["practical:의료 분야에서 약물명의 정확한 전사"][0]
    assert len(set(faces.values())) == len(faces) == 5


def test_card_kinds_select_the_scenarios() -> None:
    """`practical` and `scenario` are kinds of their own, on by default; "keypoint", the
    old name, asks for the key point's scenario."""
    default = {c.key.split(":")[0] for c in _cards(_SCENARIO_POINT)}
    assert {"scenario", "practical", "concept"} <= default and "keypoint" not in default
    assert parse_card_kinds(["keypoint", "mcq"], "--cards") == {"scenario", "mcq"}
    only = _cards(_SCENARIO_POINT, parse_card_kinds(["practical"], "--cards"))
    assert {c.key.split(":")[0] for c in only} == {"practical"}


def test_corpus_scenario_fronts_ask_a_real_question(corpus_dir: Path) -> None:
    """On the real vault: no front is the shared "핵심은?" prompt, every key point gives a
    scenario card whose front does not hold its decision, and no two scenario fronts are
    the same (once, "금융 서비스" was the front of many unrelated cards)."""
    vault = load_notes(corpus_dir)
    fronts: Counter[str] = Counter()
    for note in vault.notes:
        cards = cards_for(note)
        scenario = [c for c in cards if c.key == "scenario"]
        assert len(scenario) == bool(note.key_point), note.path
        for card in cards:
            assert "핵심은?" not in card.fields[0]
            if card.notetype is SCENARIO:
                situation, _, decision = card.fields[:3]
                assert situation and decision and decision not in situation, note.path
                fronts[situation] += 1
    assert len(fronts) > 900 and max(fronts.values()) == 1
