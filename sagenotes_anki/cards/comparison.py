"""Comparison cards: one advantage or disadvantage on the front, "which of A / B?".

A note weighing two or more subjects (its trade-offs) gives a few such cards; the learner
answers with one name, not a list. An item written for more than one subject, or one that
names a subject (it would give the answer away), is skipped. The cards are picked in turns
(the first pro of each subject, then the first con of each, then the second ones ...) so
that every subject is asked for, up to :data:`PER_NOTE` cards a note.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import RichText, TradeOff
from ..parse.sections import normalize

#: Comparison cards per note: with them a template note keeps about 10-15 cards.
PER_NOTE = 2
#: Items longer than this (characters) are paragraphs, not one fact to place.
ITEM_MAX = 140
SIDES = ("pros", "cons")
SIDE_LABELS = {"pros": "장점 · Advantage", "cons": "단점 · Disadvantage"}

# "대안 (Athena)", "Alternative: Glue": the alternative's own name is what is answered.
_ALTERNATIVE = re.compile(
    r"^\s*(?:대안|다른 대안|Alternative|Alt\.?)\s*(?:\d+\s*)?"
    r"[(\uff08:\uff1a]\s*(.+?)[)\uff09]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pick:
    """One comparison card: the item, its side, the subject it belongs to, the others."""

    item: RichText
    side: str  # "pros" | "cons"
    subject: TradeOff
    answer: str  # the subject's name as asked for
    choices: tuple[str, ...]  # every subject's name, in note order


def subject_name(subject: str) -> str:
    """The name a learner answers with: ``대안 (Athena)`` -> ``Athena``."""
    match = _ALTERNATIVE.match(subject)
    return match.group(1).strip() if match else subject.strip()


def picks(tradeoffs: Sequence[TradeOff], limit: int = PER_NOTE) -> list[Pick]:
    """The comparison cards of one note's trade-offs, in the order they are asked."""
    subjects = _distinct(tradeoffs)
    if len(subjects) < 2 or limit <= 0:
        return []
    names = tuple(subject_name(t.subject) for t in subjects)
    shared = _shared(subjects)
    found: list[Pick] = []
    rounds = max(len(getattr(t, side)) for t in subjects for side in SIDES)
    for index in range(rounds):
        for side in SIDES:
            for subject, name in zip(subjects, names, strict=True):
                items = getattr(subject, side)
                if index >= len(items) or not _askable(items[index], shared, names):
                    continue
                found.append(Pick(items[index], side, subject, name, names))
                if len(found) == limit:
                    return found
    return found


def _distinct(tradeoffs: Sequence[TradeOff]) -> list[TradeOff]:
    """Subjects with a name and a list, each name once (a repeated name is not a choice)."""
    kept = [t for t in tradeoffs if t.subject.strip() and (t.pros or t.cons)]
    counts = Counter(normalize(subject_name(t.subject)) for t in kept)
    return [t for t in kept if counts[normalize(subject_name(t.subject))] == 1]


def _key(text: str) -> str:
    """An item's text compared across subjects: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def _shared(subjects: Sequence[TradeOff]) -> frozenset[str]:
    """Items written for more than one subject, on either side."""
    owners: dict[str, set[int]] = {}
    for index, subject in enumerate(subjects):
        for item in (*subject.pros, *subject.cons):
            owners.setdefault(_key(item.plain()), set()).add(index)
    return frozenset(key for key, who in owners.items() if len(who) > 1)


def _askable(item: RichText, shared: frozenset[str], names: Sequence[str]) -> bool:
    text = item.plain().strip()
    key = _key(text)
    if not key or key in shared or len(text) > ITEM_MAX or "\n" in text:
        return False
    # An item naming a subject ("Athena보다 빠름") gives the answer or the game away.
    return not any(len(n) >= 2 and n in key for n in (_key(name) for name in names))
