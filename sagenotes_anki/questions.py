"""The multiple-choice question extractor.

Labels: ``Question:``, ``Options:``, ``정답:`` (answer), ``💡 추가 설명:`` (explanation).

A small state machine over top-level blocks; each labelled paragraph switches what the
following paragraphs and lists mean. Regular expressions read only the short labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import codes
from .mdast import Block, Token, drop_prefix, item_text, join, strip
from .model import Diagnostic, Option, Question, RichText, Span
from .sections import SectionNames, normalize

_LABEL = re.compile(r"\s*([^:\uff1a\n]{1,40}?)\s*[:\uff1a]")
_LETTERS = r"[A-J](?:\s*[,/&]\s*[A-J])*"
_ANSWER = re.compile(rf"\s*\(?({_LETTERS})\s*(?:\)|\.|:|-|\u2013|$)")
_MORE_ANSWERS = re.compile(r",\s*(?=[A-J]\)\s)")
_OPTION = re.compile(r"\s*\(?([A-Ja-j])\s*[).:]\s*")
_EXPLAINED = (
    re.compile(rf"\(?({_LETTERS})\s*(?:\)|\.|:|\(|$|번|\s+(?:옵션|선택지|정답))"),
    re.compile(rf"(?:(?i:option|options)|옵션|선택지|보기)\s*({_LETTERS})(?![A-Za-z])"),
    re.compile(rf"\(({_LETTERS})\)\s*$"),
    re.compile(rf"정답\s*[:\uff1a]?\s*({_LETTERS})(?![A-Za-z])"),
)
_SEPARATOR = re.compile(r"\s*[-\u2013\u2014:]\s*")


@dataclass
class _Draft:
    """A question being read; mutable only while its blocks are walked."""

    line: int
    stem: list[RichText] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    answer: str | None = None
    answer_line: int = 0
    correct: tuple[str, ...] = ()
    answer_text: str = ""
    explanations: dict[str, RichText] = field(default_factory=dict)
    general: list[RichText] = field(default_factory=list)


@dataclass
class _Reader:
    """Walks one note's blocks; mutable only during the walk, like ``_Draft``."""

    path: str
    names: SectionNames
    mode: str = ""
    draft: _Draft | None = None
    done: list[_Draft] = field(default_factory=list)

    def start(self, line: int) -> _Draft:
        """Close the question being read and open a new one."""
        self.finish()
        self.draft = _Draft(line)
        return self.draft

    def current(self, line: int) -> _Draft:
        """The question being read, opened here if a label came without ``Question:``."""
        return self.draft if self.draft is not None else self.start(line)

    def finish(self) -> None:
        """Keep the question being read, if any."""
        if self.draft is not None:
            self.done.append(self.draft)
        self.draft = None
        self.mode = ""


def read_questions(
    blocks: list[Block], path: str, names: SectionNames, *, in_section: bool = True
) -> tuple[tuple[Question, ...], tuple[Diagnostic, ...]]:
    """Every question in the blocks, and the warnings about incomplete ones.

    Outside a question section (free-form notes) a labelled paragraph with neither options
    nor an answer is prose such as ``**문제**: ...``, not a question, and is left alone.
    """
    reader = _Reader(path, names)
    for block in blocks:
        if block.type == "heading" and block.level <= 2:
            reader.finish()
        elif block.type == "paragraph":
            _paragraph(reader, block)
        elif block.type == "list":
            _list(reader, block)
        elif block.type in ("block_code", "table") and reader.mode == "stem" and reader.draft:
            reader.draft.stem.append(RichText((Span("codespan", _raw(block.token)),)))
    reader.finish()
    questions: list[Question] = []
    diagnostics: list[Diagnostic] = []
    for draft in reader.done:
        if not in_section and not draft.options and draft.answer is None:
            continue
        question, problems = _build(draft, path)
        questions.append(question)
        diagnostics += problems
    return tuple(questions), tuple(diagnostics)


def _raw(token: Token) -> str:
    return str(token.get("raw", "")).rstrip("\n")


def _paragraph(reader: _Reader, block: Block) -> None:
    text = block.text()
    label = _LABEL.match(text.plain())
    kind = _label_kind(reader.names, label.group(1)) if label else ""
    rest = strip(drop_prefix(text, label.end())) if label else text
    if kind == "stem":
        draft = reader.start(block.line)
        if rest:
            draft.stem.append(rest)
        reader.mode = "stem"
    elif kind == "options":
        reader.current(block.line)
        reader.mode = "options"
        if rest:
            _paragraph_options(reader, rest)
    elif kind == "answer":
        draft = reader.current(block.line)
        draft.answer, draft.answer_line = rest.plain(), block.line
        reader.mode = "explain"
    elif kind == "explanation-of-answer" and reader.draft is not None:
        reader.mode = "explain"
        if rest:
            reader.draft.general.append(rest)
    elif reader.draft is not None and text:
        if reader.mode == "stem":
            reader.draft.stem.append(text)
        elif reader.mode == "options":
            _paragraph_options(reader, text)
        elif reader.mode == "explain":
            reader.draft.general.append(text)


def _label_kind(names: SectionNames, label: str) -> str:
    for kind in ("stem", "options", "answer", "explanation-of-answer"):
        if names.matches(kind, label):
            return kind
    return ""


def _paragraph_options(reader: _Reader, text: RichText) -> None:
    """Options written as lines of one paragraph (``A) ...`` on each line)."""
    assert reader.draft is not None
    for line in text.plain().split("\n"):
        match = _OPTION.match(line)
        if match and line[match.end() :].strip():
            letter = match.group(1).upper()
            reader.draft.options.append(Option(letter, RichText.of(line[match.end() :].strip())))


def _list(reader: _Reader, block: Block) -> None:
    draft = reader.draft
    if draft is None:
        return
    texts = [item_text(item) for item, _ in block.items()]
    if reader.mode == "stem":
        draft.stem.append(join(RichText((Span("text", "- "), *t.spans)) for t in texts))
    elif reader.mode == "options":
        for text in texts:
            match = _OPTION.match(text.plain())
            letter = match.group(1).upper() if match else chr(ord("A") + len(draft.options))
            body = strip(drop_prefix(text, match.end())) if match else strip(text)
            draft.options.append(Option(letter, body))
    elif reader.mode == "explain":
        for text in texts:
            _explanation(draft, text)


def _explanation(draft: _Draft, text: RichText) -> None:
    """One explanation bullet: for the option(s) its label names, else general."""
    first = text.spans[0] if text.spans else None
    label = RichText((first,)).plain().strip() if first and first.kind == "strong" else ""
    source = label or text.plain()
    letters = _letters_named(source, draft.options)
    known = {option.letter for option in draft.options}
    if not letters or (known and not set(letters) <= known):
        draft.general.append(text)
        return
    if label:
        body = RichText(text.spans[1:])
        separator = _SEPARATOR.match(body.plain())
        body = strip(drop_prefix(body, separator.end()) if separator else body)
        if not body:
            body = strip(drop_prefix(RichText((first,) if first else ()), 0))
    else:
        match = _OPTION.match(source)
        body = strip(drop_prefix(text, match.end())) if match else text
    for letter in letters:
        previous = draft.explanations.get(letter)
        draft.explanations[letter] = join((previous, body)) if previous else body


def _letters_named(label: str, options: list[Option]) -> tuple[str, ...]:
    """The option letters an explanation's label names: by letter, else by option text."""
    for index, pattern in enumerate(_EXPLAINED):
        match = pattern.match(label) if index == 0 else pattern.search(label)
        if match:
            return tuple(re.findall(r"[A-J]", match.group(1)))
    key = normalize(re.split(r"\s[-\u2013\u2014:]\s", label)[0])
    if len(key) < 2:
        return ()
    named = [o.letter for o in options if normalize(o.text.plain()) == key]
    if not named:
        named = [o.letter for o in options if key in normalize(o.text.plain())]
    return tuple(named) if len(named) == 1 else ()


def _build(draft: _Draft, path: str) -> tuple[Question, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    if draft.answer is not None:
        draft.correct, draft.answer_text = _answer(draft.answer)
    if not draft.options:
        problems.append(
            _warn(
                path,
                draft.line,
                codes.QUESTION_WITHOUT_OPTIONS,
                (
                    "this question has no options; list them after an '**Options:**' line "
                    "as bullets '- A) ...', '- B) ...'"
                ),
            )
        )
    if draft.answer is None:
        problems.append(
            _warn(
                path,
                draft.line,
                codes.QUESTION_WITHOUT_ANSWER,
                (
                    "this question has no answer; add a line '**정답: B) short answer**' "
                    "after the options"
                ),
            )
        )
    elif not draft.correct:
        problems.append(
            _warn(
                path,
                draft.answer_line,
                codes.UNREADABLE_ANSWER,
                (
                    f"the answer line '{draft.answer[:60]}' names no option letter; "
                    "start it with the letter(s), e.g. '정답: B) ...' or '정답: A, C'"
                ),
            )
        )
    letters = [option.letter for option in draft.options]
    missing = [letter for letter in draft.correct if letter not in letters]
    if draft.options and missing:
        problems.append(
            _warn(
                path,
                draft.answer_line,
                codes.ANSWER_NOT_IN_OPTIONS,
                (
                    f"the answer names {', '.join(missing)} but the options are "
                    f"{', '.join(letters)}; correct the answer letter or add the missing option"
                ),
            )
        )
    question = Question(
        stem=join(draft.stem),
        options=tuple(draft.options),
        correct=draft.correct,
        answer_text=RichText.of(draft.answer_text),
        explanations=tuple(draft.explanations.items()),
        general_explanation=tuple(draft.general),
        line=draft.line,
    )
    return question, problems


def _answer(text: str) -> tuple[tuple[str, ...], str]:
    """Letters and short text of ``B) x``, ``A, C``, ``D``, ``B) x, D) y``, ``C, E) x``."""
    match = _ANSWER.match(text)
    if not match:
        return (), text.strip()
    letters = re.findall(r"[A-J]", match.group(1))
    parts = _MORE_ANSWERS.split(text[match.end() :])
    texts = [parts[0].strip()]
    for part in parts[1:]:
        letters.append(part[0])
        texts.append(part[2:].strip())
    unique = tuple(dict.fromkeys(letters))
    return unique, ", ".join(t for t in texts if t)


def _warn(path: str, line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, "warning", code, message)
