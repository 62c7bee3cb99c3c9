"""Scenario -> decision cards, of the note type "SageNotes Scenario".

From the key point: most are one sentence, a situation and its decision ("실시간 스트리밍
데이터에서 사기 거래를 탐지해야 하는 경우 Kinesis Data Streams와 ...를 사용하여 ... 할 수
있다"). The front gives the situation (up to the "…경우" / "…때" / "…에서," clause) and
withholds the decision; the back gives the decision, then the whole sentence with the
decision marked, and the note's flow diagrams. A key point without such a clause becomes a
cloze of its bold text or of the service it names.

From practical-application (실전 적용) bullets: the case on the front ("Which service for
this? 통신사: 월 요금제 해지 방지를 위한 할인 혜택"), the decision on the back: what follows
the ``→`` when there is one, else the note's subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..model import PracticalUse, RichText, Span, StudyNote
from . import render

# The end of a situation clause, by preference: "…하는 경우", "…할 때", "…에서," / "… 시,",
# "…하면,". The first that leaves a situation of some length wins.
_CLAUSE_ENDS = (
    re.compile(r"경우(?:에는|에도|에|는)?,?(?=\s)"),
    re.compile(r"(?<=\S)\s?때(?:에는|는)?,?(?=\s)"),
    re.compile(r"(?:에서|\s시),(?=\s)"),
    re.compile(r"(?:하면|되면|이면),(?=\s)"),
    re.compile(r"^(?:When|If)\b[^,]{8,},(?=\s)"),
)
_MIN_SITUATION = 8
# A named service or method: "Amazon Kinesis Data Streams", "SageMaker Autopilot",
# "Processing Jobs", "XGBoost", "PCA".
_SERVICE = re.compile(
    r"(?:Amazon|AWS)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}"
    r"|[A-Z][A-Za-z0-9-]+(?:\s+[A-Z][A-Za-z0-9-]+){1,3}"
    r"|[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]+"
)
_BLANK = "[ … ]"
_WHOLE = frozenset({"html", "image", "embed"})  # spans a key point is never cut around
_ARROW = re.compile(r"\s*(?:→|->|=>|⇒)\s*")

PROMPT_DECISION = "어떻게 하는가? · What do you do?"
PROMPT_BLANK = "빈칸은? · Fill in the blank"
PROMPT_SERVICE = "어떤 서비스·방법? · Which service for this?"
PROMPT_PIPELINE = "어떻게 구성하는가? · How is it built?"


@dataclass(frozen=True)
class Scenario:
    """One scenario card's content before it is HTML."""

    situation: RichText
    prompt: str
    decision: RichText
    point: RichText  # the whole text, the decision marked; empty when it adds nothing


def _cut(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans covering plain-text characters ``start`` to ``end``."""
    out: list[Span] = []
    pos = 0
    for span in spans:
        size = len(RichText((span,)).plain())
        lo, hi = max(start - pos, 0), min(end - pos, size)
        pos += size
        if lo >= hi:
            continue
        if lo == 0 and hi == size:
            out.append(span)
        elif span.kind == "text":
            out.append(Span("text", span.text[lo:hi]))
        elif span.children and span.kind != "link":
            out.append(Span(span.kind, children=tuple(_cut(span.children, lo, hi)), url=span.url))
        else:
            out.append(span)  # code or a link is never split
    return out


def _piece(text: RichText, start: int, end: int) -> RichText:
    return RichText(tuple(_cut(text.spans, start, end)))


def _clean(text: RichText) -> RichText:
    plain = text.plain()
    lead = len(plain) - len(plain.lstrip(" ,"))
    trail = len(plain.rstrip(" ,"))
    return _piece(text, lead, trail) if lead < trail else RichText()


def _marked(text: RichText, start: int, end: int) -> RichText:
    """The whole text with characters ``start`` to ``end`` in a ``mark`` span."""
    plain = text.plain()
    size = len(plain)
    while start < end and plain[start] in " ,":
        start += 1
    middle = Span("mark", children=tuple(_cut(text.spans, start, end)))
    return RichText((*_cut(text.spans, 0, start), middle, *_cut(text.spans, end, size)))


def _clause(plain: str) -> int | None:
    """Where the situation clause of a key point ends, if it has one."""
    for pattern in _CLAUSE_ENDS:
        for match in pattern.finditer(plain):
            if match.start() >= _MIN_SITUATION and plain[match.end() :].strip():
                return match.end()
    return None


def _blank(text: RichText) -> tuple[int, int] | None:
    """The characters a cloze hides: the first bold text, else the first named service."""
    pos = 0
    for span in text.spans:
        size = len(RichText((span,)).plain())
        if span.kind in ("strong", "mark") and RichText((span,)).plain().strip():
            return pos, pos + size
        pos += size
    found = _SERVICE.search(text.plain())
    return found.span() if found else None


def key_point_scenario(point: RichText) -> Scenario | None:
    """The key point as a scenario card: split at its situation clause, else a cloze."""
    plain = point.plain()
    if not plain.strip():
        return None
    end = _clause(plain)
    if end is not None:
        situation = _clean(_piece(point, 0, end))
        decision = _clean(_piece(point, end, len(plain)))
        return Scenario(situation, PROMPT_DECISION, decision, _marked(point, end, len(plain)))
    blank = _blank(point)
    if blank is None:  # nothing named to hide: the last clause (else the second half)
        comma = plain.rstrip(" ,.").rfind(", ")
        middle = plain.find(" ", len(plain) // 2)
        cut = comma + 2 if comma >= _MIN_SITUATION else middle + 1 if middle > 0 else 0
        blank = (cut, len(plain))
    start, stop = blank
    hidden = _clean(_piece(point, start, stop))
    size = len(plain)
    cloze = RichText(
        (*_cut(point.spans, 0, start), Span("text", _BLANK), *_cut(point.spans, stop, size))
    )
    return Scenario(cloze, PROMPT_BLANK, hidden, _marked(point, start, stop))


def practical_scenario(use: PracticalUse, subject: str) -> Scenario:
    """A practical-application bullet as a scenario card: the case, and what to use."""
    plain = use.text.plain()
    arrows = list(_ARROW.finditer(plain))
    lead = RichText((Span("strong", children=(Span("text", use.name),)),)) if use.name else None
    if len(arrows) == 1:
        arrow = arrows[0]
        case = _clean(_piece(use.text, 0, arrow.start()))
        decision = _clean(_piece(use.text, arrow.end(), len(plain)))
        return Scenario(_with_lead(lead, case), PROMPT_SERVICE, decision, RichText())
    if len(arrows) > 1 and lead is not None:  # a pipeline: "A로 전처리 → B로 훈련 → ..."
        return Scenario(lead, PROMPT_PIPELINE, use.text, RichText())
    return Scenario(_with_lead(lead, use.text), PROMPT_SERVICE, RichText.of(subject), RichText())


def _with_lead(lead: RichText | None, text: RichText) -> RichText:
    if lead is None:
        return text
    if not text:
        return lead
    return RichText((*lead.spans, Span("text", ": "), *text.spans))


def fields(scenario: Scenario, flow: str, topic: str, source: str) -> tuple[str, ...]:
    """The Scenario note type's fields: Situation, Prompt, Decision, Point, Flow, Topic,
    Source."""
    return (
        render.html(scenario.situation),
        render.text_html(scenario.prompt),
        render.html(scenario.decision),
        render.html(scenario.point),
        flow,
        render.text_html(topic),
        source,
    )


def key_point_of(note: StudyNote) -> Scenario | None:
    """The note's key point as a scenario, if it has one with a situation to show.

    A key point written as block HTML, or holding an image, is not cut: the topic is the
    situation and the whole key point (the image shown once) the decision.
    """
    point = note.key_point
    if point and any(span.kind in _WHOLE for span in point.spans):
        return Scenario(RichText.of(note.title), PROMPT_DECISION, point, RichText())
    made = key_point_scenario(point) if point else None
    return made if made is not None and made.situation else None


def practical_of(note: StudyNote) -> Iterator[tuple[str, Scenario, int]]:
    """(name, scenario, line) for each practical bullet; the name is its bold lead, else its
    whole text."""
    for use in note.practical_cases:
        name = use.name or use.text.plain().strip()
        if name:
            yield name, practical_scenario(use, note.title), use.line
