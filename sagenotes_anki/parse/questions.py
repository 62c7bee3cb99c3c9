"""The multiple-choice question extractor.

Labels: ``Question:``, ``Options:``, ``정답:`` (answer), ``💡 추가 설명:`` (explanation).

A small state machine over top-level blocks; each labelled paragraph (or a label heading
such as ``### 문제 2``) switches what the following paragraphs and lists mean. Labels may be
bold or plain, with the colon inside or outside the bold, or no colon (``**Q1.**``).
Regular expressions read only the short labels; :mod:`answers` reads the answer line,
:mod:`options` the options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Diagnostic, Option, Question, RichText, Span
from .answers import Draft, build, explain
from .letters import option_letter
from .mdast import Block
from .options import add_option, first_option, list_options
from .richtext import Token, drop_prefix, item_text, join, join_lines, split_lines, strip
from .sections import SectionNames
from .tradeoffs import side_of

_LABEL = re.compile(r"\s*([^:\uff1a\n]{1,40}?)\s*[:\uff1a]")
_COLON = re.compile(r"\s*[:\uff1a\-\u2013\u2014]\s*")


@dataclass
class _Reader:
    """Walks one note's blocks; mutable only during the walk, like ``Draft``."""

    path: str
    names: SectionNames
    carry: bool = True
    mode: str = ""
    draft: Draft | None = None
    done: list[Draft] = field(default_factory=list)

    def start(self, line: int) -> Draft:
        """Close the question being read and open a new one.

        In a question section, text read as a stem but followed by no options or answer
        before ``Question:`` (a scenario paragraph) opens the new question's stem.
        """
        old = self.draft
        if self.carry and old is not None and not old.options and old.answer is None:
            self.draft = Draft(old.line, stem=list(old.stem))
            return self.draft
        self.finish()
        self.draft = Draft(line)
        return self.draft

    def current(self, line: int) -> Draft:
        """The question being read, opened here if a label came without ``Question:``."""
        return self.draft if self.draft is not None else self.start(line)

    def finish(self) -> None:
        """Keep the question being read, if any."""
        if self.draft is not None:
            self.done.append(self.draft)
        self.draft = None
        self.mode = ""


def read_questions(
    blocks: list[Block],
    path: str,
    names: SectionNames,
    *,
    in_section: bool = True,
    level: int = 2,
) -> tuple[tuple[Question, ...], tuple[Diagnostic, ...]]:
    """Every question in the blocks, and the warnings about incomplete ones.

    Outside a question section (free-form notes) a labelled paragraph with neither options
    nor an answer is prose such as ``**문제**: ...``, not a question, and is left alone.
    Inside one, a paragraph before any label is taken as the stem of an unlabelled question.
    """
    reader = _Reader(path, names, carry=in_section)
    for block in blocks:
        if block.type == "heading":
            _heading(reader, block, level, in_section)
        elif block.type == "paragraph":
            _paragraph(reader, block, in_section)
        elif block.type == "list":
            _list(reader, block)
        elif block.type in ("block_code", "table") and reader.mode == "stem" and reader.draft:
            reader.draft.stem.append(RichText((Span("codespan", _raw(block.token)),)))
            reader.draft.stem_items = []
    reader.finish()
    questions: list[Question] = []
    diagnostics: list[Diagnostic] = []
    for draft in reader.done:
        if (not in_section or not draft.labelled) and not draft.options and draft.answer is None:
            continue
        question, problems = build(draft, path)
        questions.append(question)
        diagnostics += problems
    return tuple(questions), tuple(diagnostics)


def is_label(label: str, names: SectionNames) -> bool:
    """Whether a line's leading label is one the question or trade-off readers act on."""
    return bool(_label_kind(names, label)) or side_of(label, names) is not None


def _raw(token: Token) -> str:
    return str(token.get("raw", "")).rstrip("\n")


def _heading(reader: _Reader, block: Block, level: int, in_section: bool) -> None:
    """A section heading or ``### 문제 2`` ends the question; ``### Options`` acts as a label."""
    text = block.text().plain().strip()
    kind = _label_kind(reader.names, text) if in_section or block.level > level else ""
    if kind == "stem" or (in_section and reader.names.matches("question", text)):
        reader.finish()
        reader.mode = "await"
    elif block.level <= level:
        reader.finish()
    elif kind and reader.draft is not None:
        reader.mode = "explain" if kind != "options" else "options"
    # Any other subheading (a guide under the explanation) continues the question.


def _split_label(text: RichText, names: SectionNames) -> tuple[str, RichText] | None:
    """A paragraph's leading label and the text after it.

    The label ends at the first colon (``정답: B``, ``**Question:**``), else it is the
    leading bold text (``**Q1.**``, ``**해설**``).
    """
    match = _LABEL.match(text.plain())
    if match is not None and _label_kind(names, match.group(1)):
        return match.group(1), strip(drop_prefix(text, match.end()))
    first = text.spans[0] if text.spans else None
    if first is not None and first.kind == "strong":
        label = RichText((first,)).plain().strip()
        rest = RichText(text.spans[1:])
        colon = _COLON.match(rest.plain())
        if colon is not None or label.endswith((":", "\uff1a", ".", ")")):
            rest = drop_prefix(rest, colon.end()) if colon else rest
            return label.rstrip(":\uff1a.)").strip(), strip(rest)
        if not rest:
            return label, RichText()
    return None


def _paragraph(reader: _Reader, block: Block, in_section: bool) -> None:
    text = block.text()
    split = _split_label(text, reader.names)
    kind = _label_kind(reader.names, split[0]) if split else ""
    rest = split[1] if split and kind else text
    unlabelled = not kind and reader.draft is None and (not reader.done or reader.mode == "await")
    if kind == "stem" or (in_section and unlabelled and text):
        draft = reader.start(block.line)
        draft.labelled = draft.labelled and kind == "stem"
        reader.mode = "stem"
        if rest:
            _stem(reader, draft, rest, _line_of(block, text, rest))
    elif kind == "options":
        reader.current(block.line)
        reader.mode = "options"
        if rest:
            _paragraph_options(reader, rest, _line_of(block, text, rest))
    elif kind == "answer":
        draft = reader.current(block.line)
        draft.answer, draft.answer_line = rest.plain(), block.line
        # "**정답**" alone on its line: the answer is the next paragraph or bullet.
        reader.mode = "explain" if rest else "answer"
    elif kind == "explanation-of-answer" and reader.draft is not None:
        reader.mode = "explain"
        if rest:
            reader.draft.general.append(rest)
    elif reader.draft is not None and text:
        if reader.mode == "stem":
            _stem(reader, reader.draft, text, block.line)
        elif reader.mode == "options":
            _paragraph_options(reader, text, block.line)
        elif reader.mode == "explain":
            reader.draft.general.append(text)
        elif reader.mode == "answer":
            reader.draft.answer, reader.draft.answer_line = text.plain(), block.line
            reader.mode = "explain"


def _line_of(block: Block, text: RichText, rest: RichText) -> int:
    """The line of the file that ``rest``, the end of a paragraph's ``text``, starts on."""
    return block.line + text.plain().count("\n") - rest.plain().count("\n")


def _stem(reader: _Reader, draft: Draft, text: RichText, line: int) -> None:
    """Stem text; lines from ``A) ...`` on are the options (no ``Options:`` label between)."""
    draft.stem_items = []  # a list read before is no longer the end of the stem
    lines = split_lines(text)
    first = next((i for i, line in enumerate(lines) if first_option(line.plain())), None)
    if first is None:
        draft.stem.append(text)
        return
    if first:
        draft.stem.append(join_lines(lines[:first]))
    reader.mode = "options"
    _paragraph_options(reader, join_lines(lines[first:]), line + first)


def _label_kind(names: SectionNames, label: str) -> str:
    for kind in ("stem", "options", "answer", "explanation-of-answer"):
        if names.matches(kind, label):
            return kind
    return ""


def _paragraph_options(reader: _Reader, text: RichText, first_line: int) -> None:
    """Options written as lines of one paragraph (``A) ...`` on each line)."""
    draft = reader.draft
    assert draft is not None
    for index, line in enumerate(split_lines(text)):
        found = option_letter(line.plain())
        if found and line.plain()[found[1] :].strip():
            add_option(
                draft, Option(found[0], strip(drop_prefix(line, found[1]))), first_line + index
            )


def _list(reader: _Reader, block: Block) -> None:
    draft = reader.draft
    if draft is None:
        return
    items = block.items()
    texts = [item_text(item) for item, _ in items]
    if reader.mode == "stem" and texts and first_option(texts[0].plain()):
        reader.mode = "options"  # options listed right under the stem, no label between
    if reader.mode == "stem":
        draft.stem.append(join(RichText((Span("text", "- "), *t.spans)) for t in texts))
        draft.stem_items = texts  # the options, if no other options follow
    elif reader.mode == "options":
        list_options(draft, block, texts)
    elif reader.mode == "answer" and texts:
        draft.answer, draft.answer_line = texts[0].plain(), block.line
        reader.mode = "explain"
        for text, (_, line) in zip(texts[1:], items[1:], strict=True):
            explain(draft, text, line)
    elif reader.mode == "explain":
        for text, (_, line) in zip(texts, items, strict=True):
            explain(draft, text, line)
