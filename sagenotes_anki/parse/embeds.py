"""Images a note embeds, as Obsidian writes them: ``![[diagram.png]]``, ``![[diagram.png|300]]``
and ``![alt](attachments/x.png)`` (``![alt|300](x.png)`` too).

Each becomes an ``embed`` span: its ``text`` what a card shows when the image cannot be
(the alt text, else the file name), its ``url`` the target as written and, after a ``|``,
the size (``300`` or ``300x200``; Obsidian allows no ``|`` in a file name). The parser does not
look for the file: a build does (``build.media``), which turns each into an ``image`` span
or back into text. Embeds of notes (``![[note]]``) and of other files stay text, as before;
a remote image (``https://...``) becomes a link: it is never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from ..model import Span

__all__ = ["IMAGE_TYPES", "image_embeds", "is_image", "markdown_image"]

# Obsidian's image types.
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "avif"})
_IMAGE_EMBED = re.compile(r"!\[\[([^\[\]\n|#^]+?\.(?:" + "|".join(IMAGE_TYPES) + r"))"
                          r"(?:#[^\[\]\n|]*)?((?:\|[^\[\]\n|]*)*)\]\]", re.IGNORECASE)  # fmt: skip
_SIZE = re.compile(r"\d+(?:x\d+)?")
_REMOTE = re.compile(r"(?i)https?://")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_image(target: str) -> bool:
    """True when ``target`` names a file of an image type (by its extension)."""
    return target.rpartition(".")[2].lower() in IMAGE_TYPES


def _embed(target: str, extra: str) -> Span:
    """The span of an image embed; ``extra``: what follows the target (``|alt``, ``|300``)."""
    parts = [p.strip() for p in extra.split("|")[1:]]
    size = parts.pop() if parts and _SIZE.fullmatch(parts[-1]) else ""
    alt = " ".join(p for p in parts if p)
    shown = alt or target.strip().rsplit("/", 1)[-1]
    return Span("embed", shown, url=f"{target.strip()}|{size}" if size else target.strip())


def image_embeds(text: str) -> Iterator[Span]:
    """``text`` cut into text spans and an ``embed`` span for each ``![[image]]`` in it."""
    start = 0
    for match in _IMAGE_EMBED.finditer(text):
        if match.start() > start:
            yield Span("text", text[start : match.start()])
        yield _embed(match.group(1), match.group(2))
        start = match.end()
    if start < len(text):
        yield Span("text", text[start:])


def markdown_image(url: str, alt: list[Span]) -> list[Span]:
    """A Markdown image ``![alt](url)``: an embed of a vault image, a link to a remote one,
    else (another kind of file) its alt text or file name, as before."""
    shown = "".join(s.text for s in alt if s.kind == "text")
    words, bar, size = shown.rpartition("|")
    if bar and _SIZE.fullmatch(size.strip()):
        shown = words.strip()
        alt = [Span("text", shown)] if shown else []
    else:
        size = ""
    if _REMOTE.match(url):
        return [Span("link", children=tuple(alt) or (Span("text", url),), url=url)]
    target = unquote(url.partition("?")[0].partition("#")[0])
    if not is_image(target) or _SCHEME.match(url):  # a PDF, a data: or file: URL
        return alt if alt else [Span("text", unquote(url).rsplit("/", 1)[-1])]
    text = shown.strip() or target.rsplit("/", 1)[-1]
    return [Span("embed", text, url=f"{target}|{size.strip()}" if size.strip() else target)]
