"""Block HTML no card shows: a warning for each, so that nothing is dropped silently."""

from __future__ import annotations

from .. import codes
from ..model import Diagnostic
from .extract import Found
from .outline import Section
from .richtext import html_text
from .sections import SectionNames

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
