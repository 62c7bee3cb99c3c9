"""The typed, frozen model of a study note: what a learner gets cards for.

Everything downstream of the parser (rendering, note types, packaging) consumes only these
classes; raw Markdown AST dicts never leave ``parse/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
SpanKind = Literal[
    "text", "strong", "emphasis", "codespan", "link", "html", "linebreak", "strike", "mark",
    # Images (parse/embeds.py): an ``embed`` as written (``text``: the alt text or file name,
    # ``url``: the target, then ``|300`` for a width); an ``image`` found and packed (``url``:
    # its name in the package's media, then the width).
    "embed", "image",
]  # fmt: skip


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a note: where it is, how bad it is, and how to fix it."""

    path: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Span:
    """One piece of inline text.

    ``text`` holds the literal text for ``text``, ``codespan`` and ``html`` spans;
    ``children`` the nested spans of ``strong``, ``emphasis``, ``strike``, ``mark``
    (an Obsidian ``==highlight==``) and ``link``;
    ``url`` the target of a ``link``. ``html`` spans hold raw HTML written in the note and
    must be sanitised before they reach a card.
    """

    kind: SpanKind
    text: str = ""
    children: tuple[Span, ...] = ()
    url: str = ""

    # Spans and texts are made by the hundred for every note: their __init__ fills the
    # instance dict directly, three times faster than the generated one's call per field
    # through object.__setattr__. Still frozen: assignment raises as for any frozen
    # dataclass. tests/test_model.py holds each such __init__ to its fields and defaults.
    def __init__(
        self, kind: SpanKind, text: str = "", children: tuple[Span, ...] = (), url: str = ""
    ) -> None:
        d = self.__dict__
        d["kind"] = kind
        d["text"] = text
        d["children"] = children
        d["url"] = url


@dataclass(frozen=True)
class RichText:
    """Inline text with its markup (bold, code, links) kept."""

    spans: tuple[Span, ...] = ()

    def __init__(self, spans: tuple[Span, ...] = ()) -> None:  # see Span.__init__
        self.__dict__["spans"] = spans

    @staticmethod
    def of(text: str) -> RichText:
        """Plain text with no markup."""
        return RichText((Span("text", text),)) if text else RichText()

    def plain(self) -> str:
        """The text without markup."""
        # Asked for again and again while a note is read: made once per text and kept beside
        # the fields (not one of them: equality and hashing ignore it).
        # Most texts are asked once or twice: a miss must be cheap (no KeyError raised).
        known: str | None = self.__dict__.get("_plain")
        if known is None:
            known = self.__dict__["_plain"] = "".join([_plain(s) for s in self.spans])
        return known

    def markdown(self) -> str:
        """The text written back as Markdown (used by golden fixtures and diagnostics)."""
        return "".join(_markdown(s) for s in self.spans)

    def __bool__(self) -> bool:
        return bool(self.plain().strip())


def _plain(span: Span) -> str:
    if span.kind == "linebreak":
        return "\n"
    if span.children:
        return "".join([_plain(c) for c in span.children])
    return span.text


_WRAP = {"strong": "**", "emphasis": "*", "strike": "~~", "mark": "=="}


def _markdown(span: Span) -> str:
    inner = "".join(_markdown(c) for c in span.children)
    if span.kind in _WRAP:
        return f"{_WRAP[span.kind]}{inner}{_WRAP[span.kind]}"
    if span.kind == "codespan":
        fence = "``" if "`" in span.text else "`"
        return f"{fence}{span.text}{fence}"
    if span.kind == "link":
        return f"[{inner}]({span.url})"
    if span.kind == "linebreak":
        return "\n"
    return span.text


@dataclass(frozen=True)
class Concept:
    """A ``- **Term**: definition`` bullet of the key-concepts section."""

    term: str
    definition: RichText
    group: str  # the H3 heading it stands under ("" when none)
    line: int


@dataclass(frozen=True)
class TradeOff:
    """The pros and cons of one subject; either list may be empty, not both."""

    subject: str
    pros: tuple[RichText, ...]
    cons: tuple[RichText, ...]
    line: int


@dataclass(frozen=True)
class Flow:
    """A fenced text diagram, whitespace kept."""

    title: str  # the heading it stands under
    text: str
    line: int


@dataclass(frozen=True)
class PracticalUse:
    """A bullet of a practical-application (실전 적용) list: where the note's subject is used.

    ``name`` is the bullet's bold lead (``**통신사**: ...``), "" when it has none; ``text`` the
    rest, or the whole bullet when it has no bold lead. What follows an ``→`` in it is the
    decision (``실시간 집계 → Analytics + Lambda``).
    """

    name: str
    text: RichText
    line: int


@dataclass(frozen=True)
class Option:
    """One answer option of a multiple-choice question."""

    letter: str  # "A".."J"
    text: RichText


@dataclass(frozen=True)
class Question:
    """A multiple-choice exam question with its answer and explanations."""

    stem: RichText
    options: tuple[Option, ...]
    correct: tuple[str, ...]  # letters, in order: ("B",) or ("A", "C")
    answer_text: RichText  # the short text after the letter(s) in the answer line
    explanations: tuple[tuple[str, RichText], ...]  # (letter, why) in note order
    general_explanation: tuple[RichText, ...]  # explanation not tied to one option
    line: int

    def explanation_for(self, letter: str) -> RichText | None:
        """The explanation the note gives for one option, if any."""
        for key, text in self.explanations:
            if key == letter:
                return text
        return None


@dataclass(frozen=True)
class StudyNote:
    """Everything a learner should get cards for from one note."""

    identity: str  # unique in the vault: front-matter title, else the relative path
    title: str  # the H1, else the identity
    path: str  # relative to the notes folder, POSIX separators
    tags: tuple[str, ...] = ()  # hierarchical, "/"-separated as written
    aliases: tuple[str, ...] = ()
    created: str | None = None
    modified: str | None = None
    key_point: RichText = field(default_factory=RichText)
    concepts: tuple[Concept, ...] = ()
    practical_uses: tuple[RichText, ...] = ()  # the plain ones of ``practical_cases``
    tradeoffs: tuple[TradeOff, ...] = ()
    flows: tuple[Flow, ...] = ()
    questions: tuple[Question, ...] = ()
    is_template: bool = True  # False for free-form notes without the template's sections
    practical_cases: tuple[PracticalUse, ...] = ()  # every practical-application bullet


@dataclass(frozen=True)
class ParseResult:
    """A parsed note (None when the file could not be read) and what was wrong with it."""

    note: StudyNote | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)
