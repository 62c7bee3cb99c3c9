"""The trade-off extractor: ``**X 장점**:`` / ``**X 단점:**`` labels and the lists after them."""

from __future__ import annotations

import re
from dataclasses import replace

from .mdast import Block, drop_prefix, item_text, strip
from .model import RichText, TradeOff
from .sections import SectionNames, normalize

_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
_COLON = re.compile(r"\s*[:\uff1a]\s*")


def read_tradeoffs(blocks: list[Block], names: SectionNames) -> tuple[TradeOff, ...]:
    """Pros and cons per subject from ``**X 장점**:`` / ``**X 단점:**`` labels and their lists."""
    found: dict[str, TradeOff] = {}
    heading = ""
    pending: tuple[str, str] | None = None
    for block in blocks:
        if block.type == "list" and pending is not None:
            _add_items(found, *pending, [item_text(item) for item, _ in block.items()], block.line)
            pending = None
            continue
        pending = None
        if block.type == "heading":
            heading = block.text().plain().strip()
        elif block.type == "paragraph":
            label = _pros_cons(block.text(), names, heading)
            if label is not None:
                subject, side, rest = label
                _add_items(found, subject, side, [rest] if rest else [], block.line)
                pending = (subject, side)
    return tuple(t for t in found.values() if t.pros or t.cons)


def _pros_cons(
    text: RichText, names: SectionNames, heading: str
) -> tuple[str, str, RichText] | None:
    first = text.spans[0] if text.spans else None
    if first is None or first.kind != "strong":
        return None
    label = RichText((first,)).plain().strip().rstrip(":\uff1a").strip()
    for side in ("pros", "cons"):
        words = "|".join(re.escape(w) for w in names.names(side))
        match = re.fullmatch(
            rf"(.*?)\s*(?:의\s*)?(?:{words})", label, re.IGNORECASE
        ) or re.fullmatch(rf"(?:{words})\s+(?:of|for)\s+(.+)", label, re.IGNORECASE)
        if match:
            subject = match.group(1).strip() or heading
            rest = RichText(text.spans[1:])
            colon = _COLON.match(rest.plain())
            return subject, side, strip(drop_prefix(rest, colon.end()) if colon else rest)
    return None


def _add_items(
    found: dict[str, TradeOff], subject: str, side: str, items: list[RichText], line: int
) -> None:
    # "KNN (K-Nearest Neighbors) 장점" and "KNN 단점" are one subject.
    key = normalize(_PARENTHETICAL.sub("", subject)) or normalize(subject)
    entry = found.get(key) or TradeOff(subject, (), (), line)
    items = [item for item in items if item]
    if side == "pros":
        entry = replace(entry, pros=entry.pros + tuple(items))
    else:
        entry = replace(entry, cons=entry.cons + tuple(items))
    found[key] = entry
