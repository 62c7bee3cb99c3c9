"""The extractors for a note's sections: key point, concepts, practical uses and flows.

Each section kind (:mod:`outline` cuts the note into sections) has its extractor; what
they find is gathered in :class:`Found`. Block HTML whose text no card gets is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Concept, Flow, PracticalUse, RichText, Span
from .labels import fold_labels, heading_text, label_line, sub_group, unnumbered
from .mdast import Block
from .outline import CALLOUT_OF, TEMPLATE, Section, without_callout
from .richblocks import block_text, callout_of, code_span, table_span
from .richtext import (
    Token,
    drop_prefix,
    html_block,
    inline,
    item_text,
    join,
    join_lines,
    split_lines,
    strip,
)
from .sections import SectionNames
from .tradeoffs import is_tradeoff_table

# After the term: a colon, or a dash set off by spaces (``**Term** - def``, ``— def``).
_TERM = re.compile(r"[ \t]*(?:\([^()]{1,60}\)[ \t]*)?(?:[:\uff1a]|[-\u2013\u2014](?=\s))\s*")
_NEXT_LINE = re.compile(r"[ \t]*\n")
_TERM_END = ":\uff1a-\u2013\u2014"
_FLOW_INFO = {"", "text", "txt", "plain", "plaintext", "mermaid", "ascii"}


@dataclass
class Found:
    """What the extractors collect for one note."""

    key_point: list[RichText] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    practical: list[RichText] = field(default_factory=list)
    cases: list[PracticalUse] = field(default_factory=list)  # every practical bullet
    flows: list[Flow] = field(default_factory=list)


def extract(sections: list[Section], names: SectionNames) -> Found:
    """Run each section's extractor."""
    found = Found()
    for section in sections:
        extractor = _EXTRACTORS.get(section.kind)
        if extractor is not None:
            extractor(section, found, names)
    if not any(section.kind in TEMPLATE for section in sections):
        free_form_concepts(sections, found, names)
    return found


def _key_point(section: Section, found: Found, names: SectionNames) -> None:
    shown: Token | None = None  # the callout last shown as a box
    for block in section.blocks:
        callout = block.token.get(CALLOUT_OF)
        if callout is None:
            _key_point_block(block.token, found)
        elif callout is not shown:  # the callout's first block: the whole box
            shown = callout
            _key_point_block(callout, found)


def _key_point_block(token: Token, found: Found) -> None:
    kind = token.get("type")
    if kind == "paragraph":
        found.key_point.append(inline(token.get("children", ())))
    elif kind == "list":
        items = [c for c in token.get("children", ()) if isinstance(c, dict)]
        found.key_point += [item_text(item) for item in items]
    elif kind == "block_html":
        shown = html_block(token)  # "<p>...</p>", "<div>", "<table>": the card shows it
        if shown:
            found.key_point.append(shown)
    elif kind in ("block_code", "table") or callout_of(token) is not None:
        found.key_point.append(block_text(token) or RichText())  # shown in its place
    elif kind == "block_quote":
        # "> text" holds the key point in a quote.
        for child in token.get("children", ()):
            if isinstance(child, dict):
                _key_point_block(without_callout(child), found)


def _explanation(section: Section, found: Found, names: SectionNames) -> None:
    heading = section.heading
    for block in section.blocks:
        if block.type == "heading":
            heading = block.text().plain().strip()
        elif block.type == "block_code" and block.token.get("style") == "fenced":
            found.flows.append(_code_flow(block, heading))
        elif block.type == "table" and not is_tradeoff_table(block.token, names):
            table = RichText((table_span(block.token),))
            found.flows.append(Flow(heading, table.plain(), block.line, content=table))


def _concepts(section: Section, found: Found, names: SectionNames) -> None:
    group = ""
    label: str | None = None  # a bold label line ("**차이점**:"): the bullets' group below it
    start = len(found.concepts)
    for block in section.blocks:
        if block.type == "heading" and block.level > section.level:
            group = block.text().plain().strip()
        elif block.type == "list":
            practical = names.matches("practical", group) or section.kind == "practical"
            for item, line in block.items():
                text = item_text(item)
                concept = concept_of(text, sub_group(group, label), line)
                if practical and text:
                    _practical(found, text, concept, line)
                elif concept is not None:
                    found.concepts.append(concept)
        elif block.type == "paragraph":
            label = label_line(block)
            if label is None:
                found.concepts += _paragraph_concepts(block, group)
            continue
        elif block.type == "table":
            found.concepts += _table_concepts(block, group)
        elif block.type == "block_code" and block.token.get("style") == "fenced":
            # Not in a bullet: the section's own diagram or code, shown with the diagrams.
            found.flows.append(_code_flow(block, group or section.heading))
        label = None
    found.concepts[start:] = fold_labels(found.concepts[start:], section.heading)


def free_form_concepts(sections: list[Section], found: Found, names: SectionNames) -> None:
    """A note without the template's sections: its ``- **Term**: definition`` bullets (and
    lines) as concepts, each under the nearest heading above it."""
    for section in sections:
        if _EXTRACTORS.get(section.kind) is _concepts:
            continue  # its bullets were read already ("실전 적용")
        group = unnumbered(section.heading)
        label: str | None = None
        start = len(found.concepts)
        for block in section.blocks:
            if block.type == "heading":
                group = heading_text(block)
            elif block.type == "list":
                for item, line in block.items():
                    concept = concept_of(item_text(item), sub_group(group, label), line)
                    if concept is not None:
                        found.concepts.append(concept)
            elif block.type == "paragraph":
                label = label_line(block)
                if label is None:
                    found.concepts += _paragraph_concepts(block, group)
                continue
            label = None
        found.concepts[start:] = fold_labels(found.concepts[start:], section.heading)


def _code_flow(block: Block, title: str) -> Flow:
    info = str(block.token.get("attrs", {}).get("info", "")).strip().lower()
    text = str(block.token.get("raw", "")).rstrip("\n")
    return Flow(title, text, block.line, "" if info in _FLOW_INFO else code_span(block.token).url)


def _practical(found: Found, text: RichText, concept: Concept | None, line: int) -> None:
    """A practical-application bullet: a scenario (its bold lead, if any, names the case),
    never a concept."""
    if concept is None:
        found.practical.append(text)
        found.cases.append(PracticalUse("", text, line))
    else:
        found.cases.append(PracticalUse(concept.term, concept.definition, line))


def _paragraph_concepts(block: Block, group: str) -> list[Concept]:
    """``**Term**: definition`` lines written without bullets, one concept per line."""
    concepts: list[Concept] = []
    for index, line in enumerate(split_lines(block.text())):
        concept = concept_of(line, group, block.line + index)
        if concept is not None:
            concepts.append(concept)
        elif concepts and line:  # a wrapped definition continues on the next line
            last = concepts[-1]
            definition = join_lines([last.definition, strip(line)])
            concepts[-1] = Concept(last.term, definition, group, last.line)
    return concepts


def _table_concepts(block: Block, group: str) -> list[Concept]:
    """A two-column table (term | definition) under the key concepts; header row skipped."""
    rows = [
        [inline(cell.get("children", ())) for cell in row.get("children", ())]
        for part in block.token.get("children", ())
        if part.get("type") == "table_body"
        for row in part.get("children", ())
    ]
    concepts = []
    head = _table_head(block.token)
    for index, row in enumerate(rows):
        term, definition = (row[0].plain().strip(), strip(row[1])) if len(row) == 2 else ("", None)
        if len(row) > 2 and len(head) == len(row):  # term | what | more: labelled lines
            term, definition = row[0].plain().strip(), _labelled(head[1:], row[1:])
        if term and definition:
            concepts.append(Concept(term, definition, group, block.line + 2 + index))
    return concepts


def _table_head(token: Token) -> list[RichText]:
    return [
        inline(cell.get("children", ()))
        for part in token.get("children", ())
        if part.get("type") == "table_head"
        for cell in part.get("children", ())
    ]


def _labelled(head: list[RichText], cells: list[RichText]) -> RichText:
    """A row's cells as ``**Column**: cell`` lines (a table of three or more columns)."""
    lines = [
        RichText((Span("strong", children=label.spans), Span("text", ": "), *strip(cell).spans))
        for label, cell in zip(head, cells, strict=True)
        if cell
    ]
    return join(lines)


def concept_of(text: RichText, group: str, line: int) -> Concept | None:
    """A ``**Term**: definition`` item, else None.

    The colon may stand inside the bold; a dash set off by spaces works like the colon,
    a parenthesis may follow the term (``**Term** (abbr): def``), and a code span may
    stand for the bold (``- `ml.p3.2xlarge`: GPU instance``).
    """
    first = text.spans[0] if text.spans else None
    if first is None or first.kind not in ("strong", "codespan"):
        return None
    term = RichText((first,)).plain().strip()
    rest = RichText(text.spans[1:])
    colon = _TERM.match(rest.plain())
    if first.kind == "strong" and term.endswith((":", "\uff1a")):
        term = term[:-1].strip()
        colon = None
    elif colon is None and first.kind == "strong" and _NEXT_LINE.match(rest.plain()):
        pass  # "- **Term**" alone on its line, the definition below it
    elif colon is None:
        return None
    elif colon is not None and "(" in colon.group():
        term = f"{term} {colon.group().strip().rstrip(_TERM_END).strip()}"
    definition = strip(drop_prefix(rest, colon.end()) if colon else rest)
    if not term or not definition:
        return None
    return Concept(term, definition, group, line)


_EXTRACTORS: dict[str, Callable[[Section, Found, SectionNames], None]] = {
    "keypoint": _key_point,
    "explanation": _explanation,
    "concepts": _concepts,
    "practical": _concepts,
    # A section the template does not name ("## 💻 JSON 규칙 예시"): its code and tables are
    # shown with the diagrams, as the explanation's are (its prose gives no card).
    "": _explanation,
}
