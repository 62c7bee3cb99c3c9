"""The short context a card's front gives: the note's subject, not its whole title.

A concept's front reads "Kinesis Data Streams · 핵심 기능 비교 / 데이터 보존 기간": the
topic and the group above the term, so that the term can be answered alone. Titles are
sentences ("SageMaker Training에서 Pipe Mode를 통한 I/O 성능 최적화"); on a phone the
context must stay one short line, so the title is cut at its first separator (" - ", ":")
and, when still long, before the first Korean phrase that starts the rest of the sentence
("에서", "을 위한", "를 통한", ...).
"""

from __future__ import annotations

import re

#: Longest topic kept whole (characters); longer ones are cut as described above.
TOPIC_MAX = 26
# Decoration before or after a title: emoji, symbols, brackets left open.
_EDGES = re.compile(r"^[^\w(\[]+|[^\w)\]]+$")
_SEPARATORS = re.compile(r"\s+[-\u2013\u2014|]\s+|\s*[:\uff1a]\s+")
# Where a Korean title's subject ends: a particle or phrase that starts what is done with it.
_ENDS = re.compile(
    r"(?<=\w)(?:에서의?|을 위한|를 위한|을 통한|를 통한|을 이용한|를 이용한|을 활용한|를 활용한"
    r"|을 사용한|를 사용한|에 대한|에 적합한|으로|로의)\s|\s(?:기반|활용)\s"
)
_VERSUS = re.compile(r"\svs\.?\s", re.IGNORECASE)


def short_topic(title: str) -> str:
    """The note's subject from its title, at most about :data:`TOPIC_MAX` characters."""
    topic = _EDGES.sub("", title.strip()) or title.strip()
    parts = [p for p in _SEPARATORS.split(topic) if p.strip()]
    if parts and len(parts[0]) >= 6:
        topic = parts[0].strip()
    if len(topic) <= TOPIC_MAX or (_VERSUS.search(topic) and len(topic) <= 48):
        return topic  # "A vs B" is the subject itself
    cut = _ENDS.search(topic)
    if cut is not None and 2 <= cut.start() <= TOPIC_MAX + 6:
        return topic[: cut.start()].strip()
    return _word_cut(topic)


def _word_cut(text: str) -> str:
    """Text cut at the last space before :data:`TOPIC_MAX`, with an ellipsis."""
    head = text[: TOPIC_MAX + 1]
    space = head.rfind(" ")
    if space >= TOPIC_MAX // 2:
        head = head[:space]
    return head[:TOPIC_MAX].rstrip() + "…"
