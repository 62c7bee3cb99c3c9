"""Which option an explanation's label paraphrases: ``**NLTK Stemming/Stop words**`` for
"Apply Stemming and remove stop words using Python's Natural Language Toolkit (NLTK)",
``**Amazon S3**`` for "Amazon Simple Storage Service (S3)".

Words are compared, not characters: the label's words (less filler such as "Amazon",
"with", "the") must mostly appear in one option, and in clearly fewer of any other's.
A label joined with ``/`` or ``+`` whose whole does not match names one option per part
("Compound/Interleaved sorting": two options).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+")
_FILLER = frozenset(
    {"a", "an", "the", "of", "on", "in", "to", "for", "and", "or", "with", "by", "use"}
    | {"using", "amazon", "aws", "its", "their"}
)
_PARTS = re.compile(r"\s*[/+]\s*")
_ENOUGH = 2 / 3  # the share of the label's words one option must hold


def words(text: str) -> tuple[str, ...]:
    """The text's words, lower-cased, without filler."""
    return tuple(w for w in _WORD.findall(text.lower()) if w not in _FILLER)


def _holds(option: Sequence[str], word: str) -> bool:
    # "stemming" in "stemming", "stop" in "stop", "distribution" in "distributions".
    return any(w == word or (len(word) >= 4 and w.startswith(word)) for w in option)


def _best(
    label: tuple[str, ...], options: Sequence[tuple[str, ...]], enough: float = _ENOUGH
) -> int | None:
    """The one option holding enough of the label's words and more than any other."""
    if not label:
        return None
    shares = [sum(_holds(option, w) for w in label) / len(label) for option in options]
    best = max(shares, default=0.0)
    if best < enough or shares.count(best) != 1:
        return None
    return shares.index(best)


def _part(
    part: tuple[str, ...], tail: tuple[str, ...], options: Sequence[tuple[str, ...]]
) -> int | None:
    """One part of a joined label ("Compound" of "Compound/Interleaved sorting"): alone, or
    completed by the last part's later words; half its words are enough."""
    found = _best(part, options, 0.5)
    return found if found is not None or not tail else _best((*part, *tail), options, 0.5)


def paraphrased(label: str, options: Sequence[str]) -> tuple[int, ...]:
    """The indexes of the options ``label`` paraphrases (empty when none, or unclear)."""
    option_words = [words(o) for o in options]
    whole = _best(words(label), option_words)
    if whole is not None:
        return (whole,)
    parts = [words(p) for p in _PARTS.split(label) if p.strip()]
    if len(parts) < 2:
        return ()
    found = [_part(part, parts[-1][1:], option_words) for part in parts[:-1]]
    found.append(_part(parts[-1], (), option_words))
    if any(index is None for index in found):
        return ()
    return tuple(dict.fromkeys(i for i in found if i is not None))
