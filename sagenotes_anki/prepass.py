"""Text-level fixes made before the Markdown parser sees a note's body.

- Obsidian comments (``%%...%%``) and HTML comments (``<!-- ... -->``) are removed, also
  across lines, except inside code; they are notes to self and must never reach a card.
  The line breaks inside a comment are kept, so line numbers stay those of the file.
- A label line (``**정답: B**``, ``**X 단점**:``, ``**Options:**``) written right under a
  list item or a paragraph, with no blank line between, would be swallowed by them as a
  lazy continuation line. A blank line is inserted before it; the inserted lines are
  returned so that block lines can be mapped back to the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NBSP_MARKER = re.compile(r"^([ \t>]*(?:#{1,6}|[-*+]|\d{1,9}[.)]))[\u00a0\u3000]")
_QUOTE = re.compile(r"(?:>[ \t]?)+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TOKEN = re.compile(r"(`+)[^`]*?\1|%%|<!--|-->")
# The label of a bold line ends at its colon or at the closing "**", whichever is first:
# "**정답: C) a long answer...**" is the label "정답".
_STRONG_LABEL = re.compile(r"(?:\*\*|__)([^*\n]{1,60}?)(?:\*\*|__|[:\uff1a])")
_BOLD_ONLY = re.compile(r"(?:\*\*|__)[^*\n]+(?:\*\*|__)[ \t]*[:\uff1a]?[ \t]*")
_PLAIN_LABEL = re.compile(r"([^:\uff1a*_`\[\n|>#]{1,40}?)\s*[:\uff1a]")

IsLabel = Callable[[str], bool]


def prepare(body: str, is_label: IsLabel) -> tuple[str, tuple[int, ...]]:
    """The body without comments and with label lines set apart; inserted line indices."""
    out: list[str] = []
    inserted: list[int] = []
    fence: str | None = None
    comment: str | None = None  # the closing token while inside a comment
    previous_blank = True
    for line in body.split("\n"):
        # A fence starts with "`", "~" or indenting spaces; testing that first is cheaper.
        maybe_fence = comment is None and line[:1] in ("`", "~", " ")
        opened = _FENCE.match(line) if maybe_fence else None
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            out.append(line)
            previous_blank = False
            continue
        if opened:
            fence = opened.group(1)
            out.append(line)
            previous_blank = False
            continue
        line, comment = _uncomment(line, comment)
        # A no-break space after "-" or "##" (pasted text, some IMEs) still makes a bullet
        # or heading, as the writer saw it; one character for one keeps the columns.
        if "\u00a0" in line or "\u3000" in line:
            line = _NBSP_MARKER.sub(lambda m: m.group(1) + " ", line, count=1)
        quote = _QUOTE.match(line) if line[:1] == ">" else None
        prefix = quote.group() if quote else ""
        blank = not line[len(prefix) :].strip()
        # A quoted label splits only a paragraph quoted at the same depth.
        same_quote = not prefix or (bool(out) and _quote_prefix(out[-1]) == prefix.rstrip())
        # The label test is the dearest: only for a line right under other text.
        if (
            not blank
            and not previous_blank
            and same_quote
            and _label_line(line[len(prefix) :], is_label)
        ):
            # Inside a quote or callout the separating line keeps the quote marker.
            inserted.append(len(out))
            out.append(prefix.rstrip())
        out.append(line)
        previous_blank = blank
    return "\n".join(out), tuple(inserted)


def _quote_prefix(line: str) -> str:
    match = _QUOTE.match(line)
    return match.group().rstrip() if match else ""


def _uncomment(line: str, closing: str | None) -> tuple[str, str | None]:
    """The line without comment text; the comment still open at its end, if any."""
    if closing is None and "%%" not in line and "<!--" not in line:
        return line, None  # no comment opens here (most lines): kept as written
    kept: list[str] = []
    position = 0
    for match in _TOKEN.finditer(line):
        token = match.group()
        if closing is None:
            if token in ("%%", "<!--"):
                kept.append(line[position : match.start()])
                closing = "%%" if token == "%%" else "-->"
                position = match.end()
            # a code span or a stray "-->" is kept as written
        elif token == closing:
            closing = None
            position = match.end()
    if closing is None:
        kept.append(line[position:])
    cleaned = "".join(kept)
    # A line that held only a comment becomes blank rather than stray spaces.
    return (cleaned if cleaned.strip() or not line.strip() else ""), closing


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
    title = next((line for line in text.split("\n") if line.startswith("# ")), "")
    return bool(_CORE_PLACEHOLDER.search(head + "\n" + title))
