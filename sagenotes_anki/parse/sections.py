"""The names the parser recognises for each section and label, in one place.

Headings and labels are compared after :func:`normalize`, which drops emoji, punctuation,
spaces and case, so ``## 🔍 주요 개념``, ``## 주요개념`` and ``## Key Concepts`` all match.
Configuration can add names per kind (``SectionNames.extended({"concepts": ["용어"]})``);
the kind names are the keys of :data:`KINDS`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

#: Section and label kinds; a configuration key must be one of these.
KINDS = (
    "keypoint",
    "explanation",
    "tradeoffs",
    "concepts",
    "practical",
    "flow",
    "question",
    "stem",
    "options",
    "answer",
    "explanation-of-answer",
    "pros",
    "cons",
)


@functools.lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Letters and digits only, case-folded: the form names are compared in."""
    kept = (ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return "".join(kept).casefold()


@dataclass(frozen=True)
class SectionNames:
    """For each kind, the spellings (any emoji, spacing or case) that name it."""

    keypoint: tuple[str, ...] = (
        "🎯 핵심 포인트",
        "핵심 포인트",
        "Key point",
        "Key points",
        "Key takeaway",
        "Key takeaways",
        "TL;DR",
    )
    explanation: tuple[str, ...] = ("📝 설명", "설명", "Explanation")
    tradeoffs: tuple[str, ...] = (
        "Trade-offs 고려사항",
        "Trade-offs",
        "트레이드오프",
        "장단점",
        "Pros and cons",
        "Pros & cons",
    )
    concepts: tuple[str, ...] = (
        "🔍 주요개념",
        "주요 개념",
        "핵심 개념",
        "Key concepts",
        "Concepts",
        "용어 정리",
        "Key terms",
        "Glossary",
    )
    practical: tuple[str, ...] = (
        "실전 적용",
        "실전 적용 시나리오",
        "Practical use",
        "Practical uses",
        "Practical scenarios",
        "In practice",
    )
    flow: tuple[str, ...] = ("아키텍처 플로우", "플로우", "Architecture flow", "Flow")
    question: tuple[str, ...] = (
        "📝 관련 문제",
        "관련 문제",
        "Related question",
        "Related questions",
        "Question",
        "Questions",
        "연습 문제",
        "예상 문제",
        "기출 문제",
        "Practice question",
        "Practice questions",
        "Exam question",
        "Sample question",
        "Quiz",
    )
    stem: tuple[str, ...] = ("Question", "문제", "Q")
    options: tuple[str, ...] = ("Options", "보기", "선택지", "Choices")
    answer: tuple[str, ...] = ("정답", "Answer", "Correct answer", "답")
    explanation_of_answer: tuple[str, ...] = (
        "💡 추가 설명",
        "추가 설명",
        "해설",
        "Explanation",
        "Additional explanation",
    )
    pros: tuple[str, ...] = ("장점", "Pros", "Advantages", "Advantage", "Pro")
    cons: tuple[str, ...] = ("단점", "Cons", "Disadvantages", "Disadvantage", "Con")

    def names(self, kind: str) -> tuple[str, ...]:
        """The spellings of one kind (``"explanation-of-answer"`` or its field name)."""
        value: tuple[str, ...] = getattr(self, _field_name(kind))
        return value

    def matches(self, kind: str, text: str) -> bool:
        """Whether a heading or label names this kind.

        Besides the whole text, its parts are tried: a bilingual heading
        (``핵심 포인트 (Key Point)``, ``설명 / Explanation``) names the kind if either part
        does, and a number before or after (``1. 설명``, ``관련 문제 2``) is ignored.
        """
        wanted = _wanted(self.names(kind))
        return any(key in wanted for key in _keys(text))

    def extended(self, aliases: Mapping[str, Sequence[str]]) -> SectionNames:
        """A copy with extra names per kind; raises ValueError naming an unknown kind."""
        changes: dict[str, tuple[str, ...]] = {}
        for kind, extra in aliases.items():
            if kind not in KINDS:
                known = ", ".join(KINDS)
                raise ValueError(
                    f"unknown section kind {kind!r} in configuration; use one of: {known}"
                )
            if isinstance(extra, str):
                extra = [extra]
            current = changes.get(_field_name(kind), self.names(kind))
            changes[_field_name(kind)] = current + tuple(str(name) for name in extra)
        return replace(self, **changes)


_PARTS = re.compile(r"[()\[\]\uff08\uff09/|\u00b7]|\s[-\u2013\u2014]\s")
_NUMBERING = re.compile(r"^\d+|\d+$")


@functools.lru_cache(maxsize=4096)
def _keys(text: str) -> frozenset[str]:
    """The normalised forms a heading may be matched by: whole, by part, unnumbered."""
    parts = [text, *_PARTS.split(text)]
    keys = {normalize(part) for part in parts}
    keys |= {_NUMBERING.sub("", key) for key in keys}
    keys.discard("")
    return frozenset(keys)


@functools.lru_cache(maxsize=256)  # per heading and label: normalise each name list once
def _wanted(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(name) for name in names)


@functools.lru_cache(maxsize=64)  # called for every heading and label: fields() is slow
def _field_name(kind: str) -> str:
    name = kind.replace("-", "_")
    if name not in {f.name for f in fields(SectionNames)}:
        raise ValueError(f"unknown section kind {kind!r}; use one of: {', '.join(KINDS)}")
    return name


DEFAULT_SECTIONS = SectionNames()
