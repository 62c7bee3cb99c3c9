"""Text-level fixes made before the Markdown parser sees a note's body.

- Obsidian comments (``%%...%%``) and HTML comments (``<!-- ... -->``) are removed, also
  across lines, except inside code; they are notes to self and must never reach a card.
  The line breaks inside a comment are kept, so line numbers stay those of the file.
  A ``%%`` that nothing closes (``rose 50%%``) is text, reported, not a comment that hides
  the rest of the note.
- Lists and quotes nested deeper than :data:`MAX_NESTING` stop the walk at that line: the
  note is refused before mistune, whose work grows with the depth.
- A label line (``**정답: B**``, ``**X 단점**:``, ``**Options:**``) written right under a
  list item or a paragraph, with no blank line between, would be swallowed by them as a
  lazy continuation line. A blank line is inserted before it; the inserted lines are
  returned so that block lines can be mapped back to the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .nesting import MAX_NESTING, PLAIN_START, Nesting, may_nest_deep

_NBSP_MARKER = re.compile(r"^([ \t>]*(?:#{1,6}|[-*+]|\d{1,9}[.)]))[\u00a0\u3000]")
_QUOTE = re.compile(r"(?:>[ \t]?)+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# What a fence's line starts with: testing that first is cheaper.
_FENCE_START = frozenset(("`", "~", " "))
# A code span is tried only where a run of backticks starts, and with the whole run (an
# atomic group): a line of 400,000 backticks is read in linear time, not cubic.
_TOKEN = re.compile(r"(?<!`)(?>(`+))[^`]*?\1|%%|<!--|-->")
# The label of a bold line ends at its colon or at the closing "**", whichever is first:
# "**정답: C) a long answer...**" is the label "정답".
_STRONG_LABEL = re.compile(r"(?:\*\*|__)([^*\n]{1,60}?)(?:\*\*|__|[:\uff1a])")
_BOLD_ONLY = re.compile(r"(?:\*\*|__)[^*\n]+(?:\*\*|__)[ \t]*[:\uff1a]?[ \t]*")
_PLAIN_LABEL = re.compile(r"([^:\uff1a*_`\[\n|>#]{1,40}?)\s*[:\uff1a]")

IsLabel = Callable[[str], bool]


@dataclass(frozen=True)
class Prepass:
    """The body as mistune is to see it, and what the pre-pass found on the way."""

    body: str
    inserted: tuple[int, ...]  # lines of ``body`` (0-based) that are not in the file
    unclosed: tuple[int, ...] = ()  # lines (0-based, of the file's body) of a lone ``%%``
    too_deep: int | None = None  # the line (0-based) where nesting passes MAX_NESTING
    open_html_comment: int | None = None  # the line (0-based) of a "<!--" nothing closes


def prepare(body: str, is_label: IsLabel) -> Prepass:
    """The body without comments and with label lines set apart; inserted line indices.

    A ``%%`` that no later ``%%`` closes opens no comment (``rose 50%%``): it is kept as
    text and reported, so it cannot hide the rest of the note. When the body nests deeper
    than :data:`MAX_NESTING`, the walk stops at that line (``too_deep``; body incomplete).
    """
    literal: frozenset[tuple[int, int]] = frozenset()
    while True:
        result, opened = _prepare(body, is_label, literal)
        if opened is None or opened in literal:  # every "%%" closed (or kept as text)
            return result
        literal |= {opened}  # at most once in practice: no "%%" acts after a lone one


def _prepare(
    body: str, is_label: IsLabel, literal: frozenset[tuple[int, int]]
) -> tuple[Prepass, tuple[int, int] | None]:
    """One walk; also where a ``%%`` comment opened that is still open at the end."""
    walk = _Walk(literal, Nesting() if may_nest_deep(body) else None)
    for index, line in enumerate(body.split("\n")):
        if (walk.fence is not None or line[:1] in _FENCE_START) and walk.code(line):
            continue
        if walk.comment is not None or "%%" in line or "<!--" in line:
            line = walk.uncommented(index, line)
        # A no-break space after "-" or "##" (pasted text, some IMEs) still makes a bullet
        # or heading, as the writer saw it; one character for one keeps the columns.
        if "\u00a0" in line or "\u3000" in line:
            line = _NBSP_MARKER.sub(lambda m: m.group(1) + " ", line, count=1)
        if walk.nesting is not None and walk.too_deep(line):
            return Prepass("\n".join(walk.out), tuple(walk.inserted), (), index), None
        walk.add(line, is_label)
    unclosed = tuple(sorted(row for row, _ in literal))
    still_open = walk.opened if walk.comment == "%%" else None
    # An HTML comment runs to the end of the note, as in Obsidian, but not unsaid.
    html = walk.html_opened if walk.comment == "-->" else None
    body = "\n".join(walk.out)
    return Prepass(body, tuple(walk.inserted), unclosed, None, html), still_open


class _Walk:
    """What the pre-pass's walk over a body's lines has found so far."""

    def __init__(self, literal: frozenset[tuple[int, int]], nesting: Nesting | None) -> None:
        self.literal = literal  # (line, column) of each "%%" that is text
        self.nesting = nesting  # None when the body cannot nest too deep
        self.out: list[str] = []
        self.inserted: list[int] = []
        self.fence: str | None = None
        self.comment: str | None = None  # the closing token while inside a comment
        self.opened: tuple[int, int] | None = None  # (line, column) where that comment opened
        self.html_opened = 0  # the line where the "<!--" comment open at the end opened
        self.previous_blank = True

    def code(self, line: str) -> bool:
        """Whether ``line`` opens, is in or closes a fence (then it is kept as it is)."""
        opened = _FENCE.match(line) if self.comment is None else None
        if self.fence is None and opened is None:
            return False
        if self.fence is None:
            self.fence = opened.group(1)  # type: ignore[union-attr]
        elif opened is not None:  # a closing fence: the same character, at least as many
            run = opened.group(1)
            if run[0] == self.fence[0] and len(run) >= len(self.fence):
                self.fence = None
        self.out.append(line)
        self.previous_blank = False
        return True

    def uncommented(self, index: int, line: str) -> str:
        """``line`` without its comments (``index``: its line in the body)."""
        kept = tuple(column for row, column in self.literal if row == index)
        was = self.comment
        line, self.comment, column = _uncomment(line, self.comment, kept)
        if self.comment == "-->" and was != "-->":
            self.html_opened = index
        if column >= 0:
            self.opened = (index, column)
        return line

    def too_deep(self, line: str) -> bool:
        """Whether ``line`` stands deeper than MAX_NESTING (the nesting followed on)."""
        nesting = self.nesting
        assert nesting is not None
        if line[:1] in PLAIN_START:  # the nesting test, only where a marker may stand
            return nesting.depth(line, not self.previous_blank) > MAX_NESTING
        if line and (nesting.columns or nesting.quotes):  # a blank line closes nothing
            nesting.margin(not self.previous_blank)
        return False

    def add(self, line: str, is_label: IsLabel) -> None:
        """``line`` added, set apart by a blank line when it is a label under text."""
        quote = _QUOTE.match(line) if line[:1] == ">" else None
        prefix = quote.group() if quote else ""
        blank = not line[len(prefix) :].strip()
        out = self.out
        # The label test is the dearest: only for a line right under other text; a quoted
        # label splits only a paragraph quoted at the same depth.
        if (
            not blank
            and not self.previous_blank
            and (not prefix or (bool(out) and _quote_prefix(out[-1]) == prefix.rstrip()))
            and _label_line(line[len(prefix) :], is_label)
        ):
            # Inside a quote or callout the separating line keeps the quote marker.
            self.inserted.append(len(out))
            out.append(prefix.rstrip())
        out.append(line)
        self.previous_blank = blank


def _quote_prefix(line: str) -> str:
    match = _QUOTE.match(line)
    return match.group().rstrip() if match else ""


def _uncomment(
    line: str, closing: str | None, literal: tuple[int, ...] = ()
) -> tuple[str, str | None, int]:
    """The line without comment text; the comment still open at its end, if any, and the
    column where a ``%%`` comment opened on this line (-1 if none). A ``%%`` at a column
    in ``literal`` is text."""
    kept: list[str] = []
    position = 0
    opened = -1
    for match in _TOKEN.finditer(line):
        token = match.group()
        if closing is None:
            if token == "%%" and match.start() in literal:
                continue  # a lone "%%" (no later one closes it) is text
            if token in ("%%", "<!--"):
                kept.append(line[position : match.start()])
                closing = "%%" if token == "%%" else "-->"
                position = match.end()
                opened = match.start() if token == "%%" else -1
            # a code span or a stray "-->" is kept as written
        elif token == closing:
            closing = None
            position = match.end()
            opened = -1
    if closing is None:
        kept.append(line[position:])
    cleaned = "".join(kept)
    # A line that held only a comment becomes blank rather than stray spaces.
    return (cleaned if cleaned.strip() or not line.strip() else ""), closing, opened


def _label_line(line: str, is_label: IsLabel) -> bool:
    if line[:1].isspace():
        return False  # indented lines belong to the list item above
    if _BOLD_ONLY.fullmatch(line):
        return True  # "**부적절한 접근법들**:" under a list starts a new paragraph
    strong = _STRONG_LABEL.match(line)
    plain = _PLAIN_LABEL.match(line) if strong is None else None
    found = strong or plain
    if found is None:
        return False
    label = re.split(r"[:\uff1a]", found.group(1))[0].strip()
    return bool(label) and is_label(label)


# Obsidian's core Templates plugin ({{title}}, {{date:YYYY-MM-DD}}) and Templater (<% tp.x %>).
_CORE_PLACEHOLDER = re.compile(r"\{\{\s*(?:title|date|time)(?::[^}\n]*)?\s*\}\}")
_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1|`[^`\n]*`", re.M | re.S)
_TEMPLATER = re.compile(r"<%[*_-]?\s*(?:tp\.|tR\b)")


def is_template_file(text: str) -> bool:
    """Whether a file is a note template (its templates folder sits in the vault).

    Templater commands count anywhere; core placeholders only in the front matter or the
    H1, so a note that explains ``{{date}}`` in its body is still a note.
    """
    # Templater syntax shown as code is prose (most notes hold no "<%" at all).
    if "<%" in text and _TEMPLATER.search(_CODE.sub("", text)):
        return True
    head = text[: text.find("\n---", 3) + 4] if text.startswith("---") else ""
    title = _first_h1(text)
    return bool(_CORE_PLACEHOLDER.search(head + "\n" + title))


def _first_h1(text: str) -> str:
    """The first line that starts with "# " (found without splitting a large text)."""
    start = 0 if text.startswith("# ") else text.find("\n# ") + 1
    if not start and not text.startswith("# "):
        return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]
