"""A note's image embeds found in its vault and read (in the worker that parses the note).

Each ``embed`` span (see ``parse.embeds``) becomes an ``image`` span naming the file as the
package stores it (``package.media.media_name``), or, when the file is missing or cannot be
read, its alt text or name with a warning that says where and how to fix it. Only a note the
parser found media in (its ``I203`` note) is looked at: the others cost nothing. That
``I203`` stays only for what is still not packaged (embedded notes, other kinds of file).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar
from urllib.parse import unquote

from .. import codes
from ..cache.stamp import content_digest
from ..model import Diagnostic, RichText, Span, StudyNote
from ..package.media import media_name
from ..parse.embeds import is_image
from ..source.media import find, read_image, vault_images

__all__ = ["MediaRow", "with_media"]

# An image a note uses: its name in the package, its path in the vault, the digest of the
# bytes read (which the no-op stamp compares against the file next time).
MediaRow = tuple[str, str, str]
T = TypeVar("T")

_WIKI_EMBED = re.compile(r"!\[\[([^\[\]\n]+?)\]\]")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*(<[^>\n]+>|[^)\s]+)")
_REMOTE = re.compile(r"(?i)https?://")


def with_media(
    note: StudyNote, folder: str, data: bytes, found: list[Diagnostic]
) -> tuple[StudyNote, tuple[MediaRow, ...]]:
    """``note`` with its embedded images found (``found`` gets the diagnostics), and the
    images it uses."""
    media = next((d for d in found if d.code == codes.MEDIA_NOT_PACKAGED), None)
    if media is None:
        return note, ()
    text = data.decode("utf-8", "replace")
    images = _Images(folder, note.path, text, media.line)
    note = _mapped(note, images.rich)
    found += images.diagnostics
    found += _remote(note.path, text)
    other = _other_media(text)
    found.remove(media)
    if other:  # said again where the note embeds what is not packed
        found.append(replace(media, line=other))
    return note, tuple(sorted(set(images.rows)))


def _mapped(value: T, change: Callable[[RichText], RichText]) -> T:
    """``value`` (a note, its parts, tuples of them) with every RichText in it changed."""
    result: Any = value
    if isinstance(value, RichText):
        result = change(value)
    elif isinstance(value, tuple):
        result = tuple(_mapped(v, change) for v in value)
    elif is_dataclass(value) and not isinstance(value, type):
        new = {f.name: _mapped(getattr(value, f.name), change) for f in fields(value)}
        if any(new[name] is not getattr(value, name) for name in new):
            result = replace(value, **new)
    return result  # type: ignore[no-any-return]


class _Images:
    """The images of one note, each target found and read once."""

    def __init__(self, folder: str, note: str, text: str, line: int) -> None:
        self.folder, self.note, self.text, self.line = folder, note, text, line
        self.rows: list[MediaRow] = []
        self.diagnostics: list[Diagnostic] = []
        self._known: dict[str, str | None] = {}  # target -> name (None: not shown)

    def rich(self, text: RichText) -> RichText:
        spans = self._spans(text.spans)
        return text if spans is text.spans else RichText(spans)

    def _spans(self, spans: tuple[Span, ...]) -> tuple[Span, ...]:
        out = tuple(self._span(s) for s in spans)
        return spans if all(a is b for a, b in zip(out, spans, strict=True)) else out

    def _span(self, span: Span) -> Span:
        if span.kind == "embed":
            target, _, size = span.url.partition("|")
            name = self._name(target)
            if name is None:
                return Span("text", span.text)
            return Span("image", span.text, url=f"{name}|{size}" if size else name)
        if span.children:
            children = self._spans(span.children)
            if children is not span.children:
                return Span(span.kind, span.text, children, span.url)
        return span

    def _name(self, target: str) -> str | None:
        if target not in self._known:
            self._known[target] = self._found(target)
        return self._known[target]

    def _found(self, target: str) -> str | None:
        place = find(vault_images(self.folder), self.note, target)
        line = self._line_of(target)
        if place.relpath is None:
            message = (
                f"the image '{target}' is not in the vault (looked for beside the note, from "
                "the vault's root and by its name in every folder); the card shows its name "
                "instead: add the file, or correct the name in the embed"
            )
            self._say(line, "warning", codes.IMAGE_NOT_FOUND, message)
            return None
        if place.same_name > 1:
            message = (
                f"{place.same_name} files in the vault are named like '{target}'; the card "
                f"shows '{place.relpath}' (the one nearest the vault's root): write the embed "
                "with its folder to choose another"
            )
            self._say(line, "info", codes.IMAGE_AMBIGUOUS, message)
        try:
            data = read_image(self.folder, place.relpath)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            message = (
                f"the image '{place.relpath}' cannot be read ({reason}); the card shows its "
                "name instead: make it a readable image file of at most 10 MiB"
            )
            self._say(line, "warning", codes.IMAGE_UNREADABLE, message)
            return None
        digest = content_digest(data)
        name = media_name(place.relpath, digest)
        self.rows.append((name, place.relpath, digest))
        return name

    def _line_of(self, target: str) -> int:
        where = self.text.find(target)
        return self.text.count("\n", 0, where) + 1 if where >= 0 else self.line

    def _say(self, line: int, severity: Any, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.note, line, severity, code, message))


def _remote(path: str, text: str) -> list[Diagnostic]:
    """Where the note first shows a remote image (which a card shows as a link)."""
    for match in _MD_IMAGE.finditer(text):
        url = match.group(1).strip("<>")
        if _REMOTE.match(url):
            line = text.count("\n", 0, match.start()) + 1
            message = (
                f"the image '{url}' is on the web; it is not fetched, so the card "
                "shows a link to it: save it in the vault and embed the file to see it on cards"
            )
            return [Diagnostic(path, line, "info", codes.REMOTE_IMAGE, message)]
    return []


def _other_media(text: str) -> int:
    """The line where the note first embeds what is not an image (a note, a PDF); 0: none."""
    lines = [
        match.start()
        for match in _WIKI_EMBED.finditer(text)
        if not is_image(match.group(1).split("|")[0].split("#")[0].strip())
    ]
    for match in _MD_IMAGE.finditer(text):
        url = match.group(1).strip("<>")
        if not _REMOTE.match(url) and not is_image(
            unquote(url.partition("?")[0].partition("#")[0])
        ):
            lines.append(match.start())
    return text.count("\n", 0, min(lines)) + 1 if lines else 0
