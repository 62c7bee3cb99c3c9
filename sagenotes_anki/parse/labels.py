"""Paragraph labels inside concept sections: "정의", "특징", "공통점" name no concept.

A label's item belongs to the thing above it (the group heading): every label item under
one heading folds into one concept named after that heading, a defining label's text
(정의, Definition) first, the others as ``label: text`` lines. A bold label alone on its
line (``**차이점**:``) heads the bullets below it: it becomes part of their group.
"""

from __future__ import annotations

import re

from ..model import Concept, RichText, Span
from .mdast import Block
from .sections import GENERIC_LABELS, is_defining_label, is_generic_label

# Numbering before a heading: "2.2 주요 특징", "3) 예시", "IV. 결론".
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVX]+\.)\s+")
_BARE = re.compile(r"\s*[:\uff1a]?\s*")
_LONGEST = max(len(label) for label in GENERIC_LABELS) + 4  # room for spaces and emoji


def heading_text(block: Block) -> str:
    """A heading's text as a group name, without its numbering."""
    return unnumbered(block.text().plain())


def unnumbered(heading: str) -> str:
    """``2.2 주요 특징`` -> ``주요 특징``."""
    return _NUMBERING.sub("", heading.strip())


def label_line(block: Block) -> str | None:
    """The label of a paragraph that is only a bold name (``**차이점**:``), else None."""
    text = block.text()
    first = text.spans[0] if text.spans else None
    if first is None or first.kind != "strong":
        return None
    if not _BARE.fullmatch(RichText(text.spans[1:]).plain()):
        return None
    label = RichText((first,)).plain().strip().rstrip(":\uff1a").strip()
    return label or None


def sub_group(group: str, label: str | None) -> str:
    """The group of bullets below a label line: ``ECS vs Kubernetes · 차이점``."""
    if not label:
        return group
    return f"{group} · {label}" if group else label


def fold_labels(concepts: list[Concept], fallback: str) -> list[Concept]:
    """Concepts with every label item folded into the concept of its group.

    A label without a group folds into the concept before it; with neither, it is named
    after ``fallback`` (the section's heading).
    """
    out: list[Concept] = []
    parents: dict[str, int] = {}  # a group's folded concept: its index in ``out``
    for concept in concepts:
        # No label is longer than a few words: most terms are told apart by length alone.
        if len(concept.term) > _LONGEST or not is_generic_label(concept.term):
            out.append(concept)
            continue
        parent = concept.group or (out[-1].term if out else fallback)
        index = parents.get(parent)
        if index is None and not concept.group and out:
            index = len(out) - 1
        if index is None:
            parents[parent] = len(out)
            out.append(Concept(parent, _labelled(concept), "", concept.line))
            continue
        last = out[index]
        more = _labelled(concept, first=False).spans
        definition = RichText((*last.definition.spans, Span("linebreak"), *more))
        out[index] = Concept(last.term, definition, last.group, last.line)
    return out


def _labelled(concept: Concept, *, first: bool = True) -> RichText:
    """A label item's text: a defining label's first text as it is, others labelled."""
    if first and is_defining_label(concept.term):
        return concept.definition
    label = Span("strong", children=(Span("text", concept.term),))
    return RichText((label, Span("text", ": "), *concept.definition.spans))
