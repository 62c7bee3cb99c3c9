"""The extractors for a note's sections: key point, concepts, practical uses and flows.

Each section kind (:mod:`outline` cuts the note into sections) has its extractor; what
they find is gathered in :class:`Found`. Block HTML whose text no card gets is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import codes
from ..model import Concept, Diagnostic, Flow, PracticalUse, RichText
from .mdast import Block
from .outline import Section, without_callout
from .richtext import (
    Token,
    drop_prefix,
    html_block,
    html_text,
    inline,
    item_text,
    join_lines,
    split_lines,
    strip,
)
from .sections import SectionNames

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
    return found


def _key_point(section: Section, found: Found, names: SectionNames) -> None:
    for block in section.blocks:
        _key_point_block(block.token, found)


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
    elif kind == "block_quote":
        # "> text" and Obsidian callouts ("> [!tip] title") hold the key point in a quote.
        for child in token.get("children", ()):
            if isinstance(child, dict):
                _key_point_block(without_callout(child), found)


def _explanation(section: Section, found: Found, names: SectionNames) -> None:
    heading = section.heading
    for block in section.blocks:
        if block.type == "heading":
            heading = block.text().plain().strip()
        elif block.type == "block_code" and block.token.get("style") == "fenced":
            info = str(block.token.get("attrs", {}).get("info", "")).strip().lower()
            if info in _FLOW_INFO:
                text = str(block.token.get("raw", "")).rstrip("\n")
                found.flows.append(Flow(heading, text, block.line))


def _concepts(section: Section, found: Found, names: SectionNames) -> None:
    group = ""
    for block in section.blocks:
        if block.type == "heading" and block.level > section.level:
            group = block.text().plain().strip()
        elif block.type == "list":
            practical = names.matches("practical", group) or section.kind == "practical"
            for item, line in block.items():
                text = item_text(item)
                concept = concept_of(text, group, line)
                if practical and text:
                    _practical(found, text, concept, line)
                elif concept is not None:
                    found.concepts.append(concept)
        elif block.type == "paragraph":
            found.concepts += _paragraph_concepts(block, group)
        elif block.type == "table":
            found.concepts += _table_concepts(block, group)


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
    for index, row in enumerate(rows):
        term, definition = (row[0].plain().strip(), strip(row[1])) if len(row) == 2 else ("", None)
        if term and definition:
            concepts.append(Concept(term, definition, group, block.line + 2 + index))
    return concepts


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


_READ_AS = {
    "concepts": "concepts are read from '- **Term**: definition' bullets",
    "practical": "practical uses are read from bullets",
    "tradeoffs": "trade-offs are read from '**<subject> 장점**:' labels and bullets",
    "question": "questions are read from '**Question:**', '- A) ...' and '**정답: B**'",
}


def lost_html(
    path: str, sections: list[Section], found: Found, names: SectionNames
) -> list[Diagnostic]:
    """A warning for block HTML whose text no card gets.

    A key point in HTML gives its card (:func:`html_block`), so it is reported only when the
    section then gives no key point; elsewhere HTML that shows text (in the explanation: a
    trade-off label) is skipped by the section's reader, which must not happen silently.
    """
    sides = [side.lower() for side in (*names.names("pros"), *names.names("cons"))]
    problems = []
    for section in sections:
        html = [b for b in section.blocks if b.type == "block_html"]
        if section.kind == "keypoint" and html and not found.key_point:
            message = (
                "the key point is written as block HTML that shows no text (only images, "
                "scripts or a fold's title), so the note gives no key-point card; write the "
                "key point as a sentence in Markdown"
            )
            problems.append(_html_warning(path, html[0].line, message))
        elif section.kind == "keypoint" and section.blocks and not found.key_point:
            kinds = sorted(
                {_SHOWN_AS.get(b.type, b.type.replace("_", " ")) for b in section.blocks}
            )
            message = (
                f"the key point holds only {', '.join(kinds)}, which the key-point card does "
                "not show, so the note gives no key-point card; write the key point as a "
                "sentence in Markdown"
            )
            line = section.blocks[0].line
            problems.append(Diagnostic(path, line, "warning", codes.MISSING_SECTION, message))
        for block in html:
            text = html_text(block.token)
            if section.kind == "explanation" and any(side in text.lower() for side in sides):
                reads = _READ_AS["tradeoffs"]
            elif section.kind in _READ_AS and text:
                reads = _READ_AS[section.kind]
            else:
                continue
            message = (
                f"'{section.heading}' holds block HTML, whose text gives no card ({reads}); "
                "write it in Markdown (inline HTML such as <b> is kept)"
            )
            problems.append(_html_warning(path, block.line, message))
    return problems


_SHOWN_AS = {"block_code": "code", "table": "a table", "thematic_break": "a rule"}


def _html_warning(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(path, line, "warning", codes.HTML_KEY_POINT, message)


_EXTRACTORS: dict[str, Callable[[Section, Found, SectionNames], None]] = {
    "keypoint": _key_point,
    "explanation": _explanation,
    "concepts": _concepts,
    "practical": _concepts,
}
