"""mistune AST -> :class:`StudyNote`, with a diagnostic for every problem.

The body is cut at its H2 headings into sections; each recognised section kind has one
extractor (see ``_EXTRACTORS``). Trade-off labels (``**X 장점**:``) are read wherever they
stand outside the question section. The diagnostic codes are listed in :mod:`codes`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import codes
from .mdast import Block, drop_prefix, item_text, join, parse_blocks, strip
from .model import Concept, Diagnostic, Flow, ParseResult, RichText, StudyNote
from .questions import read_questions
from .sections import DEFAULT_SECTIONS, SectionNames
from .source import damage_diagnostic, decode, split_front_matter
from .tradeoffs import read_tradeoffs

_TEMPLATE = ("keypoint", "explanation", "concepts", "question")
_TERM = re.compile(r"\s*[:\uff1a]\s*")
_FLOW_INFO = {"", "text", "txt", "plain", "plaintext", "mermaid", "ascii"}


@dataclass
class _Section:
    kind: str
    heading: str
    line: int
    blocks: list[Block] = field(default_factory=list)


@dataclass
class _Found:
    """What the extractors collect for one note."""

    key_point: list[RichText] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    practical: list[RichText] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)


def parse_note(
    text: str, path: str = "note.md", *, sections: SectionNames = DEFAULT_SECTIONS
) -> ParseResult:
    """Parse one note's text; ``path`` is relative to the notes folder, POSIX style."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    damaged = damage_diagnostic(text, path)
    if damaged is not None:
        return ParseResult(None, (damaged,))
    split = split_front_matter(text, path)
    if split.diagnostics:
        return ParseResult(None, split.diagnostics)
    diagnostics: list[Diagnostic] = []
    if not split.body.strip():
        message = "the note is empty, so it gives no cards; write the note or delete the file"
        line = split.body_line if split.metadata else 1
        diagnostics.append(Diagnostic(path, line, "warning", codes.EMPTY_FILE, message))
    blocks = parse_blocks(split.body, split.body_line, text.split("\n"))
    note = _note(split.metadata, blocks, path, sections, diagnostics)
    return ParseResult(note, tuple(sorted(diagnostics, key=lambda d: d.line)))


def load_note(
    path: Path, *, root: Path | None = None, sections: SectionNames = DEFAULT_SECTIONS
) -> ParseResult:
    """Read and parse one file; problems reading it become error diagnostics."""
    relpath = path.relative_to(root).as_posix() if root is not None else path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ParseResult(None, (unreadable(relpath, exc),))
    return parse_file(data, relpath, sections)


def parse_file(data: bytes, relpath: str, sections: SectionNames = DEFAULT_SECTIONS) -> ParseResult:
    """Decode and parse one file's bytes: pure, so it can run in a worker process."""
    decoded = decode(data, relpath)
    if decoded.text is None:
        return ParseResult(None, decoded.diagnostics)
    return parse_note(decoded.text, relpath, sections=sections)


def unreadable(relpath: str, exc: OSError) -> Diagnostic:
    """The error for a file that could not be read."""
    reason = exc.strerror or type(exc).__name__
    message = f"the file cannot be read ({reason}); check its permissions, or move it away"
    return Diagnostic(relpath, 1, "error", codes.UNREADABLE, message)


def _note(
    metadata: Any,
    blocks: list[Block],
    path: str,
    names: SectionNames,
    diagnostics: list[Diagnostic],
) -> StudyNote:
    sections = _sections(blocks, names)
    found = _Found()
    for section in sections:
        extractor = _EXTRACTORS.get(section.kind)
        if extractor is not None:
            extractor(section, found, names)
    kinds = {section.kind for section in sections}
    is_template = bool(kinds & set(_TEMPLATE))
    question_blocks = [b for s in sections if s.kind == "question" for b in s.blocks]
    # Trade-off labels count anywhere but in a question; headings stay to end label lists.
    in_question = {id(b) for b in question_blocks}
    others = [b for b in blocks if id(b) not in in_question]
    if question_blocks:
        questions, problems = read_questions(question_blocks, path, names)
    else:
        questions, problems = read_questions(blocks, path, names, in_section=False)
    diagnostics += problems
    title_block = next((b for b in blocks if b.type == "heading" and b.level == 1), None)
    identity = _text(metadata.get("title")) or str(PurePosixPath(path).with_suffix(""))
    tradeoffs = read_tradeoffs(others, names)
    _check(path, blocks, sections, is_template, questions, diagnostics)
    if is_template and "explanation" in kinds and not tradeoffs:
        diagnostics.append(_no_tradeoffs(path, sections))
    note = StudyNote(
        identity=identity,
        title=title_block.text().plain().strip() if title_block else identity,
        path=path,
        tags=_list(metadata.get("tags"), tags=True),
        aliases=_list(metadata.get("aliases")),
        created=_text(metadata.get("created")) or None,
        modified=_text(metadata.get("modified")) or None,
        key_point=join(found.key_point),
        concepts=tuple(found.concepts),
        practical_uses=tuple(found.practical),
        tradeoffs=tradeoffs,
        flows=tuple(found.flows),
        questions=questions,
        is_template=is_template,
    )
    return note


def _no_tradeoffs(path: str, sections: list[_Section]) -> Diagnostic:
    line = next(s.line for s in sections if s.kind == "explanation")
    message = (
        "the explanation has no trade-offs, so the note gives no trade-off card; add "
        "'### Trade-offs 고려사항' with '**<subject> 장점**:' and '**<subject> 단점**:' "
        "labels, each followed by a bullet list"
    )
    return Diagnostic(path, line, "warning", codes.MISSING_SECTION, message)


def _sections(blocks: list[Block], names: SectionNames) -> list[_Section]:
    """One section per H2 (kind "" if unrecognised); blocks before the first H2 are left out."""
    sections: list[_Section] = []
    for block in blocks:
        if block.type == "heading" and block.level == 2:
            heading = block.text().plain()
            kind = next((k for k in _SECTION_KINDS if names.matches(k, heading)), "")
            sections.append(_Section(kind, heading.strip(), block.line))
        elif sections:
            sections[-1].blocks.append(block)
    return sections


def _key_point(section: _Section, found: _Found, names: SectionNames) -> None:
    for block in section.blocks:
        if block.type == "paragraph":
            found.key_point.append(block.text())
        elif block.type == "list":
            found.key_point += [item_text(item) for item, _ in block.items()]


def _explanation(section: _Section, found: _Found, names: SectionNames) -> None:
    heading = section.heading
    for block in section.blocks:
        if block.type == "heading":
            heading = block.text().plain().strip()
        elif block.type == "block_code" and block.token.get("style") == "fenced":
            info = str(block.token.get("attrs", {}).get("info", "")).strip().lower()
            if info in _FLOW_INFO:
                text = str(block.token.get("raw", "")).rstrip("\n")
                found.flows.append(Flow(heading, text, block.line))


def _concepts(section: _Section, found: _Found, names: SectionNames) -> None:
    group = ""
    for block in section.blocks:
        if block.type == "heading" and block.level >= 3:
            group = block.text().plain().strip()
        elif block.type == "list":
            practical = names.matches("practical", group) or section.kind == "practical"
            for item, line in block.items():
                text = item_text(item)
                concept = _concept(text, group, line)
                if concept is not None:
                    found.concepts.append(concept)
                elif practical and text:
                    found.practical.append(text)


def _concept(text: RichText, group: str, line: int) -> Concept | None:
    """A ``**Term**: definition`` item (colon outside or inside the bold), else None."""
    first = text.spans[0] if text.spans else None
    if first is None or first.kind != "strong":
        return None
    term = RichText((first,)).plain().strip()
    rest = RichText(text.spans[1:])
    colon = _TERM.match(rest.plain())
    if term.endswith((":", "\uff1a")):
        term = term[:-1].strip()
    elif colon is None:
        return None
    definition = strip(drop_prefix(rest, colon.end()) if colon else rest)
    if not term or not definition:
        return None
    return Concept(term, definition, group, line)


_SECTION_KINDS = ("keypoint", "explanation", "concepts", "practical", "question", "tradeoffs")
_EXTRACTORS: dict[str, Callable[[_Section, _Found, SectionNames], None]] = {
    "keypoint": _key_point,
    "explanation": _explanation,
    "concepts": _concepts,
    "practical": _concepts,
}


def _check(
    path: str,
    blocks: list[Block],
    sections: list[_Section],
    is_template: bool,
    questions: tuple[Any, ...],
    diagnostics: list[Diagnostic],
) -> None:
    """Note-level warnings: missing sections, free-form notes, raw HTML."""
    h1 = next((b.line for b in blocks if b.type == "heading" and b.level == 1), None)
    top = h1 or (blocks[0].line if blocks else 1)
    kinds = {s.kind for s in sections}
    if blocks and not is_template:
        message = (
            "free-form note: none of the template's sections (🎯 핵심 포인트, 📝 설명, "
            "🔍 주요개념, 📝 관련 문제) was found, so it gives no key-point, concept or "
            f"trade-off cards ({len(questions)} question(s) found); fine for reference notes, "
            "otherwise add those H2 sections"
        )
        diagnostics.append(Diagnostic(path, top, "info", codes.FREE_FORM_NOTE, message))
    if is_template:
        for kind in _TEMPLATE:
            if kind not in kinds:
                name = DEFAULT_SECTIONS.names(kind)[0]
                message = (
                    f"the note has no '## {name}' section, so it gives no cards from it; "
                    "add the section, or rename its heading to one of the recognised names"
                )
                diagnostics.append(Diagnostic(path, top, "warning", codes.MISSING_SECTION, message))
    for section in sections:
        if section.kind == "question" and not questions:
            message = (
                "the question section holds no question; start it with a paragraph "
                "'**Question:** ...' followed by '**Options:**' and '**정답: B) ...**'"
            )
            diagnostics.append(
                Diagnostic(path, section.line, "warning", codes.QUESTION_NOT_FOUND, message)
            )
    html = next((b for b in blocks if _has_html(b.token)), None)
    if html is not None:
        message = (
            "the note contains raw HTML; cards keep only safe formatting (scripts, styles, "
            "event handlers and unknown tags are removed), so write Markdown where you can"
        )
        diagnostics.append(Diagnostic(path, html.line, "info", codes.RAW_HTML, message))


def _has_html(token: dict[str, Any]) -> bool:
    if token.get("type") in ("inline_html", "block_html"):
        return True
    return any(_has_html(child) for child in token.get("children", ()) if isinstance(child, dict))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value).strip()


def _list(value: Any, *, tags: bool = False) -> tuple[str, ...]:
    """A YAML list, an inline list or a comma/space separated string, as clean strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = re.split(r"[,\s]+" if tags else r",", value)
    elif isinstance(value, (list, tuple, set)):
        items = [_text(v) for v in value]
    else:
        items = [_text(value)]
    cleaned = (item.strip().lstrip("#").strip() if tags else item.strip() for item in items)
    return tuple(dict.fromkeys(item for item in cleaned if item))
