"""A question's fields for the MCQ note type: what the front may show, and what only the back.

The front shows ``Question``, ``Choose`` and ``Options``, so those depend on the question and
its options only: another correct letter gives a byte-identical front (no class, mark or
explanation there). ``Answer`` (the letters and the answer's own words) and ``Explanation``
(every option marked right or wrong with its reason, then the general explanation) are on
the back only.
"""

from __future__ import annotations

from html import escape

from ..model import Question
from . import render


def choose_text(correct: int) -> str:
    """The "choose N" hint shown on multi-answer questions; empty for a single answer."""
    return f"{correct}개 선택 · Choose {correct}" if correct > 1 else ""


def _option(letter: str, text: str, css: str = "", why: str = "") -> str:
    letter = escape(letter)
    return (
        f'<li class="opt{css}" data-letter="{letter}"><span class="letter">{letter}</span> '
        f'<span class="text">{text}</span>{why}</li>'
    )


def _texts(question: Question) -> list[str]:
    return [render.html(o.text) for o in question.options]


def options_html(question: Question, texts: list[str] | None = None) -> str:
    """The options alone, as ``<ol class="options">``: the front's list, the same whichever
    option is right. ``texts`` are the options' HTML, if already rendered."""
    texts = _texts(question) if texts is None else texts
    items = [_option(o.letter, t) for o, t in zip(question.options, texts, strict=True)]
    return f'<ol class="options">{"".join(items)}</ol>' if items else ""


def graded_html(question: Question, texts: list[str] | None = None) -> str:
    """Every option marked right or wrong, with its explanation: the back's list."""
    texts = _texts(question) if texts is None else texts
    items = []
    for option, text in zip(question.options, texts, strict=True):
        mark = " correct" if option.letter in question.correct else " wrong"
        why = question.explanation_for(option.letter)
        why_html = f'<div class="why">{render.html(why)}</div>' if why else ""
        items.append(_option(option.letter, text, mark, why_html))
    return f'<ol class="options graded">{"".join(items)}</ol>' if items else ""


def answer_html(question: Question) -> str:
    """The answer's letters and its own words: the text after the letters on the answer
    line, else the right options' text."""
    letters = escape(", ".join(question.correct))
    if question.answer_text:
        words = render.html(question.answer_text)
    else:
        texts = [render.html(o.text) for o in question.options if o.letter in question.correct]
        words = " · ".join(texts)
    if not words:
        return letters
    return f'<span class="letters">{letters}</span> <span class="answer-words">{words}</span>'


def explanation_html(question: Question, texts: list[str] | None = None) -> str:
    """The back's explanation: the graded options, the general explanation, and
    explanations for letters that are not options."""
    letters = {o.letter for o in question.options}
    orphans = [
        f"<li><b>{escape(key)})</b> {render.html(why)}</li>"
        for key, why in question.explanations
        if key not in letters and why
    ]
    extra = f'<ul class="other-why">{"".join(orphans)}</ul>' if orphans else ""
    general = render.paragraphs(question.general_explanation) + extra
    note = f'<div class="explanation">{general}</div>' if general else ""
    return graded_html(question, texts) + note


def mcq_fields(question: Question, topic: str, source: str) -> tuple[str, ...]:
    """The MCQ note type's fields: Question, Options, Answer, Explanation, Choose, Topic,
    Source."""
    texts = _texts(question)
    return (
        render.html(question.stem),
        options_html(question, texts),
        answer_html(question),
        explanation_html(question, texts),
        choose_text(len(question.correct)),
        render.text_html(topic),
        source,
    )
