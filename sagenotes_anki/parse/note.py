"""mistune AST -> :class:`StudyNote`, with a diagnostic for every problem.

Steps: decode (:mod:`source`), skip template files, split the front matter, a text
pre-pass (:mod:`prepass`: comments out, label lines set apart), mistune blocks with lines
(:mod:`mdast`), quotes/callouts unwrapped, then the body is cut into sections at the level
its template headings stand at (:mod:`outline`); each section kind has an extractor
(:mod:`extract`).
Trade-off labels (``**X 장점**:``) are read wherever they stand outside the question
section (:mod:`tradeoffs`); questions by :mod:`questions`. Codes: :mod:`codes`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from .. import codes
from ..model import Diagnostic, ParseResult, StudyNote
from ..runtime.regular import NotAFileError
from ..source.charset import nfc
from ..source.decode import damage_diagnostic, decode
from ..source.frontmatter import split_front_matter
from ..source.metadata import items, value
from ..source.metadata import text as metadata_text
from ..source.read import MAX_NOTE_BYTES, TooLargeError, read_note
from .checks import check_note, no_tradeoffs
from .extract import extract
from .lost import lost_html
from .mdast import Block, parse_blocks
from .nesting import MAX_NESTING
from .outline import (
    TEMPLATE,
    demote_setext,
    flatten_quotes,
    heading_kind,
    section_level,
    split_sections,
)
from .prepass import is_template_file, prepare
from .questions import is_label, read_questions
from .richtext import join
from .sections import DEFAULT_SECTIONS, SectionNames
from .tradeoffs import read_tradeoffs


def parse_note(
    text: str, path: str = "note.md", *, sections: SectionNames = DEFAULT_SECTIONS
) -> ParseResult:
    """Parse one note's text; ``path`` is relative to the notes folder, POSIX style."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # A note saved on macOS may spell Hangul decomposed (NFD): section names, the answer
    # line and every name must read the same as when typed elsewhere.
    text = nfc(text)
    damaged = damage_diagnostic(text, path)
    if damaged is not None:
        return ParseResult(None, (damaged,))
    if is_template_file(text):
        message = (
            "this is a template (it holds placeholders such as {{title}} or <% tp.… %>), not "
            "a note, so it gives no cards; nothing to do"
        )
        return ParseResult(None, (Diagnostic(path, 1, "info", codes.TEMPLATE_FILE, message),))
    split = split_front_matter(text, path)
    if any(d.severity == "error" for d in split.diagnostics):
        return ParseResult(None, split.diagnostics)
    diagnostics = list(split.diagnostics)  # warnings: a key set twice, a title not text
    if not split.body.strip():
        message = "the note is empty, so it gives no cards; write the note or delete the file"
        line = split.body_line if split.metadata else 1
        diagnostics.append(Diagnostic(path, line, "warning", codes.EMPTY_FILE, message))
    prepassed = prepare(split.body, lambda label: is_label(label, sections))
    if prepassed.too_deep is not None:
        return ParseResult(None, (_too_deep(path, split.body_line + prepassed.too_deep),))
    diagnostics += [_unclosed(path, split.body_line + row) for row in prepassed.unclosed]
    if split.body.strip() and not prepassed.body.strip():
        message = (
            "the note holds only comments (%%...%%, <!-- -->), so it gives no cards; write "
            "the note outside the comments, or delete the file"
        )
        diagnostics.append(Diagnostic(path, split.body_line, "warning", codes.EMPTY_FILE, message))
    if prepassed.open_html_comment is not None:
        line = split.body_line + prepassed.open_html_comment
        diagnostics.append(_unclosed_html(path, line))
    body, inserted = prepassed.body, prepassed.inserted
    # List items are located by scanning lines: scan the file as the parser saw it
    # (comments blanked), line for line, without the blank lines the pre-pass added.
    kept = body.split("\n")
    if inserted:
        skipped = set(inserted)
        kept = [line for index, line in enumerate(kept) if index not in skipped]
    seen = text.split("\n")[: split.body_line - 1] + kept
    blocks = parse_blocks(body, split.body_line, seen, inserted)
    blocks = demote_setext(flatten_quotes(blocks), sections)
    note = _note(split.metadata, blocks, path, sections, diagnostics, body)
    return ParseResult(note, tuple(sorted(diagnostics, key=lambda d: d.line)))


def load_note(
    path: Path, *, root: Path | None = None, sections: SectionNames = DEFAULT_SECTIONS
) -> ParseResult:
    """Read and parse one file; problems reading it become error diagnostics."""
    relpath = path.relative_to(root).as_posix() if root is not None else path.name
    try:
        data = read_note(os.fspath(path.parent), path.name)
    except OSError as exc:
        return ParseResult(None, (unreadable(relpath, exc),))
    return parse_file(data, relpath, sections)


def parse_file(data: bytes, relpath: str, sections: SectionNames = DEFAULT_SECTIONS) -> ParseResult:
    """Decode and parse one file's bytes: pure, so it can run in a worker process."""
    decoded = decode(data, relpath)
    if decoded.text is None:
        return ParseResult(None, decoded.diagnostics)
    result = parse_note(decoded.text, relpath, sections=sections)
    if not decoded.diagnostics:
        return result
    found = decoded.diagnostics + result.diagnostics
    return ParseResult(result.note, tuple(sorted(found, key=lambda d: d.line)))


def unreadable(relpath: str, exc: OSError) -> Diagnostic:
    """The error for a file that could not be read (or was refused: not a file, too large)."""
    if isinstance(exc, NotAFileError):
        message = (
            f"not a regular file ({exc.kind}), so it is not read; remove it or rename it so "
            "it does not end in .md"
        )
        return Diagnostic(relpath, 1, "error", codes.NOT_A_FILE, message)
    if isinstance(exc, TooLargeError):
        limit = MAX_NOTE_BYTES // (1024 * 1024)
        message = (
            f"the file has {exc.size:,} bytes, over the {limit} MiB limit for a note, so it "
            "is not read; split it into smaller notes, or move it out of the notes folder"
        )
        return Diagnostic(relpath, 1, "error", codes.TOO_LARGE, message)
    reason = exc.strerror or type(exc).__name__
    message = f"the file cannot be read ({reason}); check its permissions, or move it away"
    return Diagnostic(relpath, 1, "error", codes.UNREADABLE, message)


def _note(
    metadata: Any,
    blocks: list[Block],
    path: str,
    names: SectionNames,
    diagnostics: list[Diagnostic],
    body: str,
) -> StudyNote:
    level = section_level(blocks, names)
    sections = split_sections(blocks, names, level)
    found = extract(sections, names)
    kinds = {section.kind for section in sections}
    is_template = bool(kinds & set(TEMPLATE))
    question_blocks = [b for s in sections if s.kind == "question" for b in s.blocks]
    # Trade-off labels count anywhere but in a question; headings stay to end label lists.
    in_question = {id(b) for b in question_blocks}
    others = [b for b in blocks if id(b) not in in_question]
    if question_blocks:
        questions, problems = read_questions(question_blocks, path, names, level=level)
    else:
        questions, problems = read_questions(blocks, path, names, in_section=False, level=level)
    diagnostics += problems
    title_block = next((b for b in blocks if b.type == "heading" and b.level == 1), None)
    if level == 1:  # H1 sections: the title is the H1 that names no section
        title_block = next((b for b in blocks if _is_title(b, names)), None)
    named = metadata_text(value(metadata, "title")) or str(PurePosixPath(path).with_suffix(""))
    identity = nfc(named)  # an NFD spelling (a copy from macOS) is the same note
    tradeoffs = read_tradeoffs(others, names)
    concepts = len(found.concepts)
    check_note(path, blocks, sections, is_template, questions, diagnostics, body, concepts)
    if is_template:
        diagnostics += lost_html(path, sections, found, names)
    if is_template and "explanation" in kinds and not tradeoffs:
        diagnostics.append(no_tradeoffs(path, sections))
    note = StudyNote(
        identity=identity,
        title=title_block.text().plain().strip() if title_block else identity,
        path=path,
        tags=items(value(metadata, "tags"), tags=True),
        aliases=items(value(metadata, "aliases")),
        created=metadata_text(value(metadata, "created")) or None,
        modified=metadata_text(value(metadata, "modified")) or None,
        key_point=join(found.key_point),
        concepts=tuple(found.concepts),
        practical_uses=tuple(found.practical),
        tradeoffs=tradeoffs,
        flows=tuple(found.flows),
        questions=questions,
        is_template=is_template,
        practical_cases=tuple(found.cases),
    )
    return note


def _too_deep(path: str, line: int) -> Diagnostic:
    message = (
        f"the lists or quotes here nest deeper than {MAX_NESTING} levels, so the note is not "
        "read and gives no cards; flatten it (fewer indented levels or '>' markers)"
    )
    return Diagnostic(path, line, "error", codes.TOO_DEEP, message)


def _unclosed(path: str, line: int) -> Diagnostic:
    message = (
        "this '%%' would open an Obsidian comment that no later '%%' closes, so it is kept "
        "as text and the rest of the note is read; close the comment with another '%%', or "
        "write a literal '%%' in backticks: `%%`"
    )
    return Diagnostic(path, line, "warning", codes.UNCLOSED_COMMENT, message)


def _unclosed_html(path: str, line: int) -> Diagnostic:
    message = (
        "this '<!--' opens an HTML comment that no '-->' closes, so everything after it is "
        "hidden (as Obsidian hides it) and gives no cards; close the comment with '-->'"
    )
    return Diagnostic(path, line, "warning", codes.UNCLOSED_COMMENT, message)


def _is_title(block: Block, names: SectionNames) -> bool:
    return block.type == "heading" and block.level == 1 and not heading_kind(block, names)
