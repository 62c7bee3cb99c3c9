"""The trade-off extractor: ``**X 장점**:`` / ``**X 단점:**`` labels and the lists after them."""

from __future__ import annotations

import functools
import re

from ..model import RichText, Span, TradeOff
from .mdast import Block
from .richtext import Token, drop_prefix, inline, item_text, strip
from .sections import SectionNames, normalize

_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
# A paragraph that is only a bold name, maybe with a colon: "**Min-max scaling**:".
_BARE = re.compile(r"[^:\uff1a\n]+[:\uff1a]?\s*")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_COLON = re.compile(r"\s*[:\uff1a]\s*")
_LABEL = re.compile(r"([^:\uff1a\n]{1,60}?)\s*[:\uff1a]")
# Emoji, bullets and punctuation around a subject ("✅ X") are decoration, not its name.
_EDGES = re.compile(r"^[^\w(\uff08\[]+|[^\w)\uff09\]]+$")


def read_tradeoffs(blocks: list[Block], names: SectionNames) -> tuple[TradeOff, ...]:
    """Pros and cons per subject from ``**X 장점**:`` / ``**X 단점:**`` labels and their lists."""
    found: dict[str, TradeOff] = {}
    # The last heading or bold-only paragraph, and its line: the subject of a bare "장점:".
    subject = ("", 0)
    pending: tuple[str, str] | None = None
    words = _any_side_word(names.names("pros") + names.names("cons"))
    for block in blocks:
        if block.type == "list" and pending is not None:
            _add_items(found, *pending, [item_text(item) for item, _ in block.items()], block.line)
            pending = None
            continue
        pending = None
        if block.type == "heading":
            subject = (block.text().plain().strip(), block.line)
        elif block.type == "paragraph":
            children = block.token.get("children", ())
            maybe = _may_name_side(children, words)
            if not maybe and not (children and children[0].get("type") == "strong"):
                continue  # prose: neither a label nor a subject (most paragraphs)
            text = block.text()
            label = _pros_cons(text, names, words) if maybe else None
            if label is not None:
                name, side, rest = label
                line = block.line if name or not subject[0] else subject[1]
                name = name or subject[0]
                _add_items(found, name, side, [rest] if rest else [], line)
                pending = (name, side)
            elif text.spans and text.spans[0].kind == "strong" and _BARE.fullmatch(text.plain()):
                subject = (_EDGES.sub("", RichText(text.spans[:1]).plain()), block.line)
        elif block.type == "list":
            for item, line in block.items():
                _labelled_item(found, item, line, names, words, subject)
        elif block.type == "table":
            _table(found, block, names)
    return tuple(t for t in found.values() if t.pros or t.cons)


def _labelled_item(
    found: dict[str, TradeOff],
    item: Token,
    line: int,
    names: SectionNames,
    words: re.Pattern[str],
    subject: tuple[str, int],
) -> None:
    """``- **X 장점**: a, b`` or ``- **X 장점**:`` over nested bullets, inside a list."""
    children = [c for c in item.get("children", ()) if isinstance(c, dict)]
    if not children or children[0].get("type") not in ("block_text", "paragraph"):
        return
    # Most items name no side: tell from the tokens' own text before making a RichText.
    if not _may_name_side(children[0].get("children", ()), words):
        return
    label = _pros_cons(inline(children[0].get("children", ())), names, words)
    if label is None:
        return
    name, side, rest = label
    if not name and subject[0]:
        name, line = subject
    texts = [rest] if rest else []
    for child in children[1:]:
        if child.get("type") == "list":
            texts += [item_text(sub) for sub in child.get("children", ()) if isinstance(sub, dict)]
    _add_items(found, name, side, texts, line)


# Obsidian syntax that changes the text a reader sees (wikilinks, highlights, block ids).
_RESHAPED = ("[[", "==", "^", "<!--")


def _may_name_side(tokens: list[Token], words: re.Pattern[str]) -> bool:
    """False when inline tokens cannot hold a pros/cons word: a test that spares making
    their RichText. Text that Obsidian syntax reshapes is always looked at whole."""
    raw = _token_text(tokens)
    if any(mark in raw for mark in _RESHAPED):
        return True
    return words.search(raw) is not None


def _token_text(tokens: list[Token]) -> str:
    """All the text inline tokens hold (more than their plain text: URLs too)."""
    parts = []
    for token in tokens:
        parts.append(str(token.get("raw", "")))
        url = token.get("attrs", {}).get("url")
        if url:
            parts.append(str(url))
        children = token.get("children")
        if children:
            parts.append(_token_text(children))
    return "".join(parts)


def _table(found: dict[str, TradeOff], block: Block, names: SectionNames) -> None:
    """A table with 장점/단점 columns (one row per subject) or rows (one column each)."""
    rows = _cells(block.token)
    if len(rows) < 2:
        return
    head = [_side(cell, names) for cell in rows[0]]
    if any(head[1:]):
        for row in rows[1:]:
            for index, cell in enumerate(row[1:], start=1):
                if index < len(head) and head[index]:
                    _add_items(
                        found, row[0].plain().strip(), head[index], _cell_items(cell), block.line
                    )
        return
    for row in rows[1:]:
        side = _side(row[0], names) if row else ""
        for index, cell in enumerate(row[1:], start=1):
            if side and index < len(rows[0]) and rows[0][index]:
                _add_items(
                    found, rows[0][index].plain().strip(), side, _cell_items(cell), block.line
                )


def is_tradeoff_table(token: Token, names: SectionNames) -> bool:
    """Whether a table's head or first column names pros or cons (read as trade-offs)."""
    rows = _cells(token)
    if len(rows) < 2:
        return False
    head = [_side(cell, names) for cell in rows[0]]
    return any(head[1:]) or any(row and _side(row[0], names) for row in rows[1:])


def _side(cell: RichText, names: SectionNames) -> str:
    found = side_of(cell.plain(), names)
    return found[1] if found is not None and not found[0] else ""


def _cells(token: Token) -> list[list[RichText]]:
    rows: list[list[RichText]] = []
    for part in token.get("children", ()):
        lines = [part] if part.get("type") == "table_head" else part.get("children", ())
        for row in lines:
            rows.append([inline(cell.get("children", ())) for cell in row.get("children", ())])
    return rows


def _cell_items(cell: RichText) -> list[RichText]:
    """A cell's items: the parts between ``<br>`` tags."""
    items: list[list[Span]] = [[]]
    for span in cell.spans:
        if span.kind == "html" and _BR.fullmatch(span.text.strip()):
            items.append([])
        else:
            items[-1].append(span)
    return [strip(RichText(tuple(item))) for item in items]


def side_of(label: str, names: SectionNames) -> tuple[str, str] | None:
    """``(subject, "pros"|"cons")`` for a label such as ``X 장점``, ``X의 단점``,
    ``X Pros``, ``Cons of X`` or ``장점 (X)``; the subject is "" for a bare ``장점``."""
    label = label.strip().rstrip(":\uff1a").strip()
    for side in ("pros", "cons"):
        for pattern in _side_patterns(names.names(side)):
            match = pattern.fullmatch(label)
            if match:
                return _EDGES.sub("", match.group(1)), side
    return None


@functools.lru_cache(maxsize=64)
def _any_side_word(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names, anywhere, as :func:`side_of`'s patterns compare them. A name that
    holds another ("Pros" holds "Pro", "제약사항" holds "제약") is found by the shorter one:
    the search, run on every paragraph, tries fewer words."""
    folded = list(dict.fromkeys(w.casefold() for w in names if w))
    kept = [w for w in folded if not any(o != w and o in w for o in folded)]
    return re.compile("|".join(re.escape(w) for w in kept), re.IGNORECASE)


@functools.lru_cache(maxsize=64)  # called for every paragraph and list item: compile once
def _side_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The label forms for one side's names, tried in this order."""
    words = "|".join(re.escape(w) for w in names)
    forms = (
        # (?<![A-Za-z]): "Disadvantages" is not "Dis" + "Advantages".
        rf"(.*?)\s*(?:의\s*)?(?<![A-Za-z])(?:{words})",
        rf"(?:{words})\s+(?:of|for)\s+(.+)",
        rf"(?:{words})\s*[(\uff08](.+)[)\uff09]",
    )
    return tuple(re.compile(form, re.IGNORECASE) for form in forms)


def _pros_cons(
    text: RichText, names: SectionNames, words: re.Pattern[str]
) -> tuple[str, str, RichText] | None:
    """A label paragraph: ``**X 장점**: rest``, ``**X** 장점:``, or unbolded ``X 장점:``;
    ``words`` finds any pros/cons name of ``names``."""
    first = text.spans[0] if text.spans else None
    if first is None:
        return None
    # Every label form holds a pros/cons word: text without one (most text) is no label.
    if not words.search(text.plain()):
        return None
    if first.kind == "strong":
        found = side_of(RichText((first,)).plain(), names)
        rest = RichText(text.spans[1:])
    else:
        found, rest = None, text
    if found is None:
        colon = _LABEL.match(text.plain())
        if colon is None:
            return None
        found = side_of(colon.group(1), names)
        rest = drop_prefix(text, colon.end() - 1)
    if found is None:
        return None
    subject, side = found
    colon = _COLON.match(rest.plain())
    return subject, side, strip(drop_prefix(rest, colon.end()) if colon else rest)


def _add_items(
    found: dict[str, TradeOff], subject: str, side: str, items: list[RichText], line: int
) -> None:
    key = _subject_key(found, subject)
    entry = found.get(key) or TradeOff(subject, (), (), line)
    kept = tuple(item for item in items if item)
    if side == "pros":
        entry = TradeOff(entry.subject, entry.pros + kept, entry.cons, entry.line)
    else:
        entry = TradeOff(entry.subject, entry.pros, entry.cons + kept, entry.line)
    found[key] = entry


def _subject_key(found: dict[str, TradeOff], subject: str) -> str:
    """The entry a label's subject belongs to. A parenthesis is part of the name:
    "대안 (Athena)" and "대안 (Glue Streaming)" are two subjects; only a name written once
    with and once without its parenthesis is one ("KNN (K-Nearest Neighbors) 장점",
    "KNN 단점")."""
    key = normalize(subject)
    if key in found or not key:
        return key
    base = normalize(_PARENTHETICAL.sub("", subject))
    if base and base != key:  # "KNN (...)" after a bare "KNN"
        return base if base in found else key
    # A bare "KNN" after "KNN (...)": the one entry whose name without parenthesis it is.
    same = [k for k, t in found.items() if normalize(_PARENTHETICAL.sub("", t.subject)) == key]
    return same[0] if len(same) == 1 else key
