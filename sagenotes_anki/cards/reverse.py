"""Reversed concept cards: the definition on the front, with the term blanked out."""

from __future__ import annotations

import re
from html import escape

BLANK = '<span class="blank">\uff3f\uff3f\uff3f</span>'  # three full-width low lines
_TAG = re.compile(r"(<[^>]*>)")
_PARENTHESIS = re.compile(r"\s*[(\uff08]([^()\uff08\uff09]+)[)\uff09]\s*")


def term_forms(term: str) -> list[str]:
    """The ways a definition may name its term: ``FN(False Negative)`` is also ``FN`` and
    ``False Negative``; longest first."""
    forms = {term.strip()}
    inner = _PARENTHESIS.findall(term)
    outer = _PARENTHESIS.sub(" ", term).strip()
    forms.update([outer, *(part.strip() for part in inner)])
    return sorted((f for f in forms if len(f) >= 2), key=len, reverse=True)


def blanked(definition_html: str, term: str) -> str:
    """The definition's HTML with every form of the term in its text replaced by a blank."""
    forms = term_forms(term)
    if not forms:
        return definition_html
    pattern = re.compile("|".join(re.escape(escape(f, quote=False)) for f in forms), re.IGNORECASE)
    parts = _TAG.split(definition_html)
    return "".join(part if part.startswith("<") else pattern.sub(BLANK, part) for part in parts)


def only_blanks(front_html: str) -> bool:
    """True when a blanked definition says nothing but the blanks (``Term: Term``)."""
    text = _TAG.sub("", front_html.replace(BLANK, ""))
    return not re.sub(r"[\W_]+", "", text)
