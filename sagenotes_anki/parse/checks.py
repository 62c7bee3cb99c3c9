"""A parsed note's note-level warnings: template sections missing, free-form notes, an
empty question section, no trade-offs, raw HTML and media (which are not packaged).
"""

from __future__ import annotations

import re
from typing import Any

from .. import codes
from ..model import Diagnostic
from .mdast import Block
from .obsidian import EMBED
from .outline import TEMPLATE, Section
from .sections import DEFAULT_SECTIONS


def no_tradeoffs(path: str, sections: list[Section]) -> Diagnostic:
    line = next(s.line for s in sections if s.kind == "explanation")
    message = (
        "the explanation has no trade-offs, so the note gives no trade-off card; add "
        "'### Trade-offs 고려사항' with '**<subject> 장점**:' and '**<subject> 단점**:' "
        "labels, each followed by a bullet list"
    )
    return Diagnostic(path, line, "warning", codes.MISSING_SECTION, message)


def check_note(
    path: str,
    blocks: list[Block],
    sections: list[Section],
    is_template: bool,
    questions: tuple[Any, ...],
    diagnostics: list[Diagnostic],
    body: str,
) -> None:
    """Note-level warnings: missing sections, free-form notes, raw HTML."""
    h1 = next((b.line for b in blocks if b.type == "heading" and b.level == 1), None)
    top = h1 or (blocks[0].line if blocks else 1)
    diagnostics += _section_warnings(path, top, blocks, sections, is_template, questions)
    diagnostics += _markup_notes(path, blocks, body)


def _section_warnings(
    path: str,
    top: int,
    blocks: list[Block],
    sections: list[Section],
    is_template: bool,
    questions: tuple[Any, ...],
) -> list[Diagnostic]:
    """A free-form note, a template section missing, a question section with no question;
    ``top``: the line of the note's title (else its first block)."""
    found: list[Diagnostic] = []
    kinds = {s.kind for s in sections}
    if blocks and not is_template:
        message = (
            "free-form note: none of the template's sections (🎯 핵심 포인트, 📝 설명, "
            "🔍 주요개념, 📝 관련 문제) was found, so it gives no key-point, concept or "
            f"trade-off cards ({len(questions)} question(s) found); fine for reference notes, "
            "otherwise add those H2 sections"
        )
        found.append(Diagnostic(path, top, "info", codes.FREE_FORM_NOTE, message))
    if is_template:
        for kind in TEMPLATE:
            if kind not in kinds:
                name = DEFAULT_SECTIONS.names(kind)[0]
                message = (
                    f"the note has no '## {name}' section, so it gives no cards from it; "
                    "add the section, or rename its heading to one of the recognised names"
                )
                found.append(Diagnostic(path, top, "warning", codes.MISSING_SECTION, message))
    for section in sections:
        if section.kind == "question" and not questions:
            message = (
                "the question section holds no question; start it with a paragraph "
                "'**Question:** ...' followed by '**Options:**' and '**정답: B) ...**'"
            )
            found.append(
                Diagnostic(path, section.line, "warning", codes.QUESTION_NOT_FOUND, message)
            )
    return found


def _markup_notes(path: str, blocks: list[Block], body: str) -> list[Diagnostic]:
    """Where the note first holds raw HTML, and where it first embeds media."""
    found: list[Diagnostic] = []
    # Raw HTML starts with "<" and media need a "!" ("![[x]]", "![a](b)"); token texts are
    # slices of the body, so most notes skip walking every token for them.
    html = next((b for b in blocks if _has_html(b.token)), None) if "<" in body else None
    if html is not None:
        message = (
            "the note contains raw HTML; cards keep only safe formatting (scripts, styles, "
            "event handlers and unknown tags are removed), so write Markdown where you can"
        )
        found.append(Diagnostic(path, html.line, "info", codes.RAW_HTML, message))
    media = next((b for b in blocks if _has_media(b.token)), None) if "!" in body else None
    if media is not None:
        message = (
            "the note embeds a note or file (![[...]] or ![](...)) that is not packed into "
            "the deck, so cards show its name (or alt text) instead; a build packs the "
            "images (png, jpg, gif, webp, svg, bmp, avif) it finds in the vault"
        )
        found.append(Diagnostic(path, media.line, "info", codes.MEDIA_NOT_PACKAGED, message))
    return found


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _has_media(token: dict[str, Any]) -> bool:
    if token.get("type") == "image":
        return True
    if token.get("type") == "text" and EMBED.search(str(token.get("raw", ""))):
        return True
    return any(_has_media(child) for child in token.get("children", ()) if isinstance(child, dict))


def _has_html(token: dict[str, Any]) -> bool:
    if token.get("type") in ("inline_html", "block_html"):
        # A line break (common in table cells) is harmless and kept; not worth a note.
        return not _BR.fullmatch(str(token.get("raw", "")).strip())
    return any(_has_html(child) for child in token.get("children", ()) if isinstance(child, dict))
