"""Block spans and math as card HTML: code, diagrams, tables, callouts, TeX.

Everything is made here from escaped text inside tags of our own (nothing of the note's
HTML passes through), so it needs no sanitising; :mod:`render` calls in for these kinds.

- Code with a language is highlighted when the package is built, by Pygments, as
  ``<span class="hl-k">`` classes that ``card.css`` colours for light and night: the card
  runs no script and loads nothing.
- A diagram whose lines are arrow flows (``A → B → C``, no indentation or box drawing) wraps
  at its arrows on a narrow screen; any other diagram keeps its columns in a ``<pre>`` that
  scrolls inside its own box.
- A table scrolls inside its own wrapper (``div.table``), never the page.
- Math becomes Anki's MathJax delimiters, ``\\(...\\)`` and ``\\[...\\]``, the TeX escaped
  for HTML (MathJax reads the text, so ``&lt;`` is ``<`` to it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html import escape
from typing import Any

from ..model import Span

BLOCK_KINDS = frozenset({"codeblock", "math", "displaymath", "table", "callout"})
# Block-level output: a line break right before or after one is dropped (the block is one).
BREAKING = frozenset({"codeblock", "displaymath", "table", "callout"})
# Obsidian's callout types and their aliases, by the colour family the card gives them.
CALLOUT_FAMILIES = {
    "note": "note", "info": "info", "todo": "info", "abstract": "abstract",
    "summary": "abstract", "tldr": "abstract", "tip": "tip", "hint": "tip",
    "important": "tip", "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question", "warning": "warning",
    "caution": "warning", "attention": "warning", "failure": "danger", "fail": "danger",
    "missing": "danger", "danger": "danger", "error": "danger", "bug": "danger",
    "example": "example", "quote": "quote", "cite": "quote",
}  # fmt: skip
_BOX = re.compile("[\u2500-\u259f]")  # box drawing and block elements
_ARROW = re.compile(r"\s*(→|⇒|->|=>|⟶|➔|➜)\s*")
_ALIGNED = re.compile(r"\S {2,}\S")
PLAIN_LANGUAGES = frozenset({"", "text", "txt", "plain", "plaintext", "ascii", "mermaid"})


def block_html(span: Span, inline: Callable[[Span], str]) -> str:
    """One block span (or math) as HTML; ``inline`` renders a nested span."""
    if span.kind == "math":
        return f'<span class="math">\\({escape(span.text, quote=False)}\\)</span>'
    if span.kind == "displaymath":
        return f'<div class="math display">\\[{escape(span.text, quote=False)}\\]</div>'
    if span.kind == "codeblock":
        return code_html(span.text, span.url)
    if span.kind == "table":
        return table_html(span, inline)
    return callout_html(span, inline)


def code_html(text: str, language: str) -> str:
    """Lines of code: highlighted when the language is known, an arrow flow wrapped, else
    kept as written."""
    lines = flow_lines(text) if language in PLAIN_LANGUAGES else None
    if lines is not None:
        return _flow_wrap(lines)
    highlighted = _highlight(text, language) if language not in PLAIN_LANGUAGES else None
    body = highlighted if highlighted is not None else escape(text, quote=False)
    kind = f" lang-{escape(language)}" if highlighted is not None else ""
    # <code> right after <pre> keeps a leading newline, which a parser would drop.
    return f'<pre class="code{kind}"><code>{body}</code></pre>'


def flow_lines(text: str) -> list[str] | None:
    """The lines of an arrow flow that may wrap; None for a diagram that must keep columns."""
    lines = text.strip("\n").split("\n")
    if not any(_ARROW.search(line) for line in lines):
        return None
    for line in lines:
        if line[:1].isspace() or _BOX.search(line) or _ALIGNED.search(line.rstrip()):
            return None
    return lines


def _flow_wrap(lines: list[str]) -> str:
    out = []
    for line in lines:
        parts = _ARROW.split(line.strip())  # text, arrow, text, arrow, ...
        steps = [
            parts[i] + (f" {parts[i + 1]}" if i + 1 < len(parts) else "")
            for i in range(0, len(parts), 2)
        ]
        spans = " ".join(f'<span class="step">{escape(s, quote=False)}</span>' for s in steps)
        out.append(f'<div class="flow-line">{spans}</div>' if line.strip() else "<br>")
    return f'<div class="flow flow-wrap">{"".join(out)}</div>'


def _highlight(text: str, language: str) -> str | None:
    lexer = _lexer(language)
    if lexer is None:
        return None
    from pygments import highlight

    return str(highlight(text, lexer, _formatter())).rstrip("\n")


@functools.lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@functools.lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True, classprefix="hl-")


def table_html(span: Span, inline: Callable[[Span], str]) -> str:
    """A table in a wrapper that scrolls sideways on its own when it is wider than the card."""
    rows = []
    for row in span.children:
        cells = []
        for cell in row.children:
            tag = "th" if cell.kind == "headcell" else "td"
            align = f' class="align-{cell.text}"' if cell.text in _ALIGNS else ""
            cells.append(f"<{tag}{align}>{''.join(inline(c) for c in cell.children)}</{tag}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="table"><table>{"".join(rows)}</table></div>'


_ALIGNS = frozenset({"left", "center", "right"})


def callout_html(span: Span, inline: Callable[[Span], str]) -> str:
    """An Obsidian callout as a coloured box; a foldable one (``[!note]-``, ``+``) as a
    ``<details>`` box, closed or open as the sign says."""
    name, _, fold = span.url.partition("|")
    family = CALLOUT_FAMILIES.get(name, "note")
    title = escape(span.text or name.capitalize(), quote=False)
    body = "".join(inline(c) for c in _without_edge_breaks(span.children))
    attrs = f'class="callout callout-{family}"'
    if fold:
        opened = " open" if fold == "+" else ""
        return (
            f'<details {attrs}{opened}><summary class="callout-title">{title}</summary>'
            f'<div class="callout-body">{body}</div></details>'
        )
    return (
        f'<div {attrs}><div class="callout-title">{title}</div>'
        f'<div class="callout-body">{body}</div></div>'
    )


def _without_edge_breaks(spans: tuple[Span, ...]) -> list[Span]:
    """The spans without a line break next to a block (the block breaks the line itself)."""
    out: list[Span] = []
    for index, span in enumerate(spans):
        if span.kind == "linebreak":
            before = out[-1].kind if out else "linebreak"
            after = spans[index + 1].kind if index + 1 < len(spans) else "linebreak"
            if before in BREAKING or after in BREAKING or before == "linebreak":
                continue
        out.append(span)
    return out


def without_edge_breaks(spans: tuple[Span, ...]) -> list[Span]:
    """Public for :mod:`render`: see :func:`_without_edge_breaks`."""
    if not any(s.kind in BREAKING for s in spans):
        return list(spans)
    return _without_edge_breaks(spans)
