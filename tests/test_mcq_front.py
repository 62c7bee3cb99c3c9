"""A multiple-choice card's front gives nothing away; its back explains every option.

Notes are parsed from text and their cards added to a real Anki collection, so the fronts
compared are what Anki itself renders (``card.question()``), byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from test_notetypes import add_card_note, body, open_collection

from sagenotes_anki import parse_note
from sagenotes_anki.cards.make import cards_for
from sagenotes_anki.model import Diagnostic

_NOTE = """\
# CloudWatch or CloudTrail

## 📝 관련 문제

**Question:** Which service shows the endpoint's latency?

**Options:**

- A) Amazon CloudWatch metrics
- B) AWS CloudTrail logs
- C) Apply Stemming and remove stop words using Python's NLTK library
- D) Amazon Simple Storage Service (S3)
- E) Use compound sorting on their tables
- F) Use interleaved sorting on their tables

**정답: {answer}**

💡 추가 설명:

- **A옵션 (CloudWatch)** - 지연 시간 지표를 보여 준다
- **B 옵션** - API 호출 기록일 뿐
- **NLTK Stemming/Stop words** - 어휘를 줄일 뿐
- **Amazon S3** - 저장소일 뿐
- **Compound/Interleaved sorting** - 정렬일 뿐
"""


@pytest.fixture
def anki_collection(tmp_path: Path) -> Iterator[Collection]:
    yield from open_collection(tmp_path)


def _card(col: Collection, answer: str) -> tuple[str, str]:
    note = parse_note(_NOTE.format(answer=answer), path="q.md").note
    assert note is not None
    (mcq,) = cards_for(note, kinds=frozenset({"mcq"}))
    (card,) = add_card_note(col, mcq.notetype, mcq.fields)
    return card.question(), card.answer()


def test_front_is_byte_identical_whichever_option_is_right(anki_collection: Collection) -> None:
    """Two notes that differ only in the answer (letter and words) give the same front, in
    which no option is marked and no explanation appears; the backs differ."""
    front_a, back_a = _card(anki_collection, "A) Amazon CloudWatch metrics")
    front_b, back_b = _card(anki_collection, "B) CloudTrail")
    assert front_a == front_b
    shown = body(front_a)
    for leak in ("correct", "wrong", "지연 시간", "API 호출", "why", "✓", "정답"):
        assert leak not in shown
    assert back_a != back_b


def test_back_shows_answer_words_and_every_reason(anki_collection: Collection) -> None:
    """The back names the answer in its own words, and each option's explanation, whether
    labelled by letter, as "A옵션 (...)", or by a paraphrase of the option, is on that
    option."""
    _, back = _card(anki_collection, "A) CloudWatch 지표")
    back = body(back)
    assert '<span class="answer-words">CloudWatch 지표</span>' in back
    reasons = dict(
        re.findall(r'data-letter="(.)">.*?<div class="why">(.*?)</div>', back, flags=re.S)
    )
    assert reasons == {
        "A": "지연 시간 지표를 보여 준다",
        "B": "API 호출 기록일 뿐",
        "C": "어휘를 줄일 뿐",
        "D": "저장소일 뿐",
        "E": "정렬일 뿐",
        "F": "정렬일 뿐",
    }


def _infos(text: str) -> list[Diagnostic]:
    return [d for d in parse_note(text, path="q.md").diagnostics if d.code == "I206"]


def test_a_label_that_names_no_option_is_reported() -> None:
    """An explanation whose label matches no option, while an option has no reason, gives
    an info naming the label, its line, and how to fix it; matched labels give none."""
    assert _infos(_NOTE.format(answer="A) CloudWatch")) == []
    text = _NOTE.format(answer="A) CloudWatch").replace("**Amazon S3**", "**동시성 증가**")
    (info,) = _infos(text)
    assert info.severity == "info" and info.path == "q.md"
    assert text.splitlines()[info.line - 1].startswith("- **동시성 증가**")
    assert "'**동시성 증가**'" in info.message and "D)" in info.message
