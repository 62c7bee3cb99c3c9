"""A question's answer line, its explanations per option, and the finished ``Question``.

The reader in :mod:`questions` fills a :class:`Draft`; :func:`build` reads the answer
line (``정답: B) x``, ``정답: A, C``, ``정답: B 및 D``, ``Answer: (b)``) and checks it
against the options, with a warning for each problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import codes
from ..model import Diagnostic, Option, Question, RichText, Span
from .letters import answer_letters, numbers_as_letters, option_letter
from .richtext import drop_prefix, join, strip
from .sections import normalize
from .wording import paraphrased

_LETTERS = r"[A-J](?:\s*[,/&]\s*[A-J])*"
_EXPLAINED = (
    re.compile(rf"\(?({_LETTERS})\s*(?:\)|\.|:|\(|$|번|옵션|선택지|\s+정답)"),
    re.compile(rf"(?:(?i:option|options)|옵션|선택지|보기)\s*({_LETTERS})(?![A-Za-z])"),
    re.compile(rf"\(({_LETTERS})\)\s*$"),
    re.compile(rf"정답\s*[:\uff1a]?\s*({_LETTERS})(?![A-Za-z])"),
)
# An option marked as the answer in place: "B) two ✅", "B) two (정답)".
_MARKED = re.compile(r"\s*(?:[\u2705\u2714\u2611]\ufe0f?|\((?:정답|correct|answer)\))\s*", re.I)
_NUMBERED_LABEL = re.compile(r"\s*(?:\(?(?:10|[1-9])(?:\)|\.|번)|[\u2460-\u2469])")
_LOWER_LETTER = re.compile(r"\(?[a-j]\)")
_SEPARATOR = re.compile(r"\s*[-\u2013\u2014:]\s*")


@dataclass
class Draft:
    """A question being read; mutable only while its blocks are walked."""

    line: int
    stem: list[RichText] = field(default_factory=list)
    labelled: bool = True  # False when opened by a paragraph without "Question:"
    options: list[Option] = field(default_factory=list)
    answer: str | None = None
    answer_line: int = 0
    correct: tuple[str, ...] = ()
    answer_text: str = ""
    explanations: dict[str, RichText] = field(default_factory=dict)
    general: list[RichText] = field(default_factory=list)
    stem_items: list[RichText] = field(default_factory=list)  # a list under the stem
    repeated: list[tuple[str, int]] = field(default_factory=list)  # (letter, line) again
    unmatched: list[tuple[str, int]] = field(default_factory=list)  # (bold label, line)


def explain(draft: Draft, text: RichText, line: int = 0) -> None:
    """One explanation bullet: for the option(s) its label names, else general (a bold
    label that names no option is remembered, with its ``line``, for an info)."""
    first = text.spans[0] if text.spans else None
    label = RichText((first,)).plain().strip() if first and first.kind == "strong" else ""
    source = label or text.plain()
    numbered = _NUMBERED_LABEL.match(source)
    letters = _letters_named(numbers_as_letters(source) if numbered else source, draft.options)
    known = {option.letter for option in draft.options}
    if not letters or (known and not set(letters) <= known):
        draft.general.append(text)
        if label:
            draft.unmatched.append((label, line or draft.line))
        return
    if label:
        body = RichText(text.spans[1:])
        separator = _SEPARATOR.match(body.plain())
        body = strip(drop_prefix(body, separator.end()) if separator else body)
        if not body:
            body = strip(drop_prefix(RichText((first,) if first else ()), 0))
    else:
        found = option_letter(source)
        body = strip(drop_prefix(text, found[1])) if found else text
        body = _without_option_text(body, draft.options, letters)
    for letter in letters:
        previous = draft.explanations.get(letter)
        draft.explanations[letter] = join((previous, body)) if previous else body


def _without_option_text(
    body: RichText, options: list[Option], letters: tuple[str, ...]
) -> RichText:
    """``A) <option text>: why`` explains with "why"; the repeated option text is dropped."""
    wording = next((o.text.plain().strip() for o in options if o.letter == letters[0]), "")
    plain = body.plain()
    if len(letters) != 1 or not wording or not plain.startswith(wording):
        return body
    separator = _SEPARATOR.match(plain, len(wording))
    if separator is None or not plain[separator.end() :].strip():
        return body
    return strip(drop_prefix(body, separator.end()))


def _letters_named(label: str, options: list[Option]) -> tuple[str, ...]:
    """The option letters an explanation's label names: by letter, else by option text."""
    if _LOWER_LETTER.match(label):  # "a)" where the options were written a), b), ...
        label = label[: label.index(")")].upper() + label[label.index(")") :]
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
    if len(named) == 1:
        return tuple(named)
    return tuple(options[i].letter for i in paraphrased(label, [o.text.plain() for o in options]))


def build(draft: Draft, path: str) -> tuple[Question, list[Diagnostic]]:
    """The finished question, and a warning for each thing missing or inconsistent."""
    problems: list[Diagnostic] = []
    if draft.answer is not None:
        draft.correct, draft.answer_text = answer_letters(draft.answer)
    _options_from_stem(draft)
    if draft.answer is None:
        _marked_answer(draft)
    problems += _answer_problems(draft, path)
    problems += _repeated_letters(draft, path)
    problems += _unmatched_labels(draft, path)
    ambiguous = any(letter in draft.correct for letter, _ in draft.repeated)
    question = Question(
        stem=join(draft.stem),
        # Two options with the answer's letter: no card could say which is right.
        options=() if ambiguous else tuple(draft.options),
        correct=draft.correct,
        answer_text=RichText.of(draft.answer_text),
        explanations=tuple(draft.explanations.items()),
        general_explanation=tuple(draft.general),
        line=draft.line,
    )
    return question, problems


def _answer_problems(draft: Draft, path: str) -> list[Diagnostic]:
    """A warning when the question has no options or no answer, when the answer line names
    no letter, or names letters that are not among the options."""
    found: list[tuple[int, str, str]] = []  # (line, code, message)
    if not draft.options:
        found.append((draft.line, codes.QUESTION_WITHOUT_OPTIONS, _NO_OPTIONS))
    if draft.answer is None:
        found.append((draft.line, codes.QUESTION_WITHOUT_ANSWER, _NO_ANSWER))
    elif not draft.correct:
        message = (
            f"the answer line '{draft.answer[:60]}' names no option letter; "
            "start it with the letter(s), e.g. '정답: B) ...' or '정답: A, C'"
        )
        found.append((draft.answer_line, codes.UNREADABLE_ANSWER, message))
    letters = [option.letter for option in draft.options]
    missing = [letter for letter in draft.correct if letter not in letters]
    if draft.options and missing:
        message = (
            f"the answer names {', '.join(missing)} but the options are "
            f"{', '.join(letters)}; correct the answer letter or add the missing option"
        )
        found.append((draft.answer_line, codes.ANSWER_NOT_IN_OPTIONS, message))
    return [_warn(path, line, code, message) for line, code, message in found]


_NO_OPTIONS = (
    "this question has no options; list them after an '**Options:**' line "
    "as bullets '- A) ...', '- B) ...'"
)
_NO_ANSWER = "this question has no answer; add a line '**정답: B) short answer**' after the options"


def _unmatched_labels(draft: Draft, path: str) -> list[Diagnostic]:
    """An info for each bold explanation label that names no option, while some wrong
    option has no explanation of its own (the label was likely meant for it)."""
    bare = [
        o.letter
        for o in draft.options
        if o.letter not in draft.correct and o.letter not in draft.explanations
    ]
    if not bare or not draft.correct:
        return []
    return [
        Diagnostic(
            path,
            line,
            "info",
            codes.EXPLANATION_UNMATCHED,
            f"the explanation '**{label[:60]}**' names no option, so it is shown as a general "
            f"explanation and option(s) {', '.join(bare)} show no reason; start it with the "
            f"option's letter ('**{bare[0]}) {label[:30]}**') or the option's own words",
        )
        for label, line in draft.unmatched
    ]


def _repeated_letters(draft: Draft, path: str) -> list[Diagnostic]:
    """A warning for each option written with a letter another option has."""
    problems = []
    for letter, line in draft.repeated:
        if letter in draft.correct:
            effect = (
                f"the answer {letter} could be either, so this question gives no card; "
                "correct the letters and the answer"
            )
        else:
            effect = (
                "the letters are kept as written, so the answer still names the option it "
                "meant; correct the letters"
            )
        message = f"two options are written with the letter '{letter}'; {effect}"
        problems.append(_warn(path, line, codes.DUPLICATE_OPTION_LETTER, message))
    return problems


def _options_from_stem(draft: Draft) -> None:
    """No options, but the stem ends in a list (``1. Crawler``) the answer points into:
    that list was the options, written without an ``Options:`` label."""
    items = draft.stem_items
    if draft.options or not 2 <= len(items) <= 10 or not draft.stem:
        return
    letters = [chr(ord("A") + index) for index in range(len(items))]
    marked = any(_MARKED.search(item.plain()) for item in items)
    if not (draft.correct and set(draft.correct) <= set(letters)) and not marked:
        return
    draft.stem.pop()
    draft.options = [
        Option(letter, strip(item)) for letter, item in zip(letters, items, strict=True)
    ]


def _marked_answer(draft: Draft) -> None:
    """With no answer line, options marked ``✅`` or ``(정답)`` are the correct ones."""
    marked = [o for o in draft.options if _MARKED.search(o.text.plain())]
    if not marked:
        return
    draft.correct = tuple(o.letter for o in marked)
    draft.answer = ", ".join(draft.correct)
    draft.answer_line = draft.line
    for index, option in enumerate(draft.options):
        if option in marked:
            draft.options[index] = Option(option.letter, _unmarked(option.text))


def _unmarked(text: RichText) -> RichText:
    """An option's text without the answer mark at its start or end."""
    plain = text.plain()
    found = _MARKED.search(plain)
    if found is None:
        return text
    if found.start() == 0:
        return strip(drop_prefix(text, found.end()))
    last = text.spans[-1] if text.spans else None
    if found.end() == len(plain) and last is not None and last.kind == "text":
        cut = len(last.text) - (found.end() - found.start())
        return strip(RichText((*text.spans[:-1], Span("text", last.text[:cut]))))
    return text


def _warn(path: str, line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, "warning", code, message)
