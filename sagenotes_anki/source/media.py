"""The image files of a vault, found as Obsidian finds an embed's target, and read.

Obsidian looks for ``![[x.png]]`` (and ``![](x.png)``) relative to the note first, then from
the vault's root, then by the file's name anywhere in the vault (its "shortest path when
possible" links write only the name). When several files share that name we take the one
nearest the root (fewest folders, then in alphabetical order) and the caller says so.
Names are compared in NFC and without regard to case, as Obsidian does on every platform.

The vault's image files are listed once per build and process, only when a note embeds one
(``vault_images``; ``forget`` at the start of a build): notes without embeds cost nothing.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from ..runtime.regular import open_regular
from .charset import nfc

__all__ = [
    "MAX_IMAGE_BYTES",
    "Found",
    "VaultImages",
    "find",
    "forget",
    "read_image",
    "vault_images",
]

# An image on a phone card larger than this is a mistake (a photo straight off a camera).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
_IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif")


@dataclass(frozen=True)
class VaultImages:
    """The vault's image files by path and by name, both lower-case NFC."""

    root: str
    by_path: dict[str, str] = field(default_factory=dict)  # key -> the path as on disk
    by_name: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """Where an embed's target is (None: nowhere) and how many files have its name."""

    relpath: str | None
    same_name: int = 0


_KNOWN: dict[str, VaultImages] = {}


def forget() -> None:
    """Forget the listed vaults (a build starts by it: files may have come or gone)."""
    _KNOWN.clear()


def vault_images(root: str, *, fresh: bool = False) -> VaultImages:
    """The image files under ``root`` (hidden folders such as ``.obsidian`` and ``.trash``
    skipped, linked folders not followed), listed once per build (``fresh``: now)."""
    known = None if fresh else _KNOWN.get(root)
    if known is None:
        known = _KNOWN[root] = _listed(root)
    return known


def _listed(root: str) -> VaultImages:
    images = VaultImages(root)
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = os.path.relpath(folder, root).replace(os.sep, "/")
        for name in sorted(names):
            if name.lower().endswith(_IMAGE_TYPES) and not name.startswith("."):
                relpath = name if base == "." else f"{base}/{name}"
                key = nfc(relpath).lower()
                images.by_path.setdefault(key, relpath)
                images.by_name.setdefault(key.rsplit("/", 1)[-1], []).append(relpath)
    return images


def find(images: VaultImages, note: str, target: str) -> Found:
    """Where the image ``target`` embedded by the note at ``note`` (relative) is."""
    target = nfc(target.strip().replace("\\", "/"))
    here = posixpath.dirname(note)
    tries = (
        [target.lstrip("/")] if target.startswith("/") else [posixpath.join(here, target), target]
    )
    for path in tries:
        path = posixpath.normpath(path)
        if not path.startswith("../") and path != "..":
            hit = images.by_path.get(path.lower())
            if hit is not None:
                return Found(hit)
    tail = posixpath.normpath(target.lstrip("/")).lower()
    named = images.by_name.get(tail.rsplit("/", 1)[-1], [])
    if "/" in tail:  # a partial path: the files whose path ends with it
        named = [p for p in named if nfc(p).lower().endswith("/" + tail)]
    if not named:
        return Found(None)
    best = min(named, key=lambda p: (p.count("/"), nfc(p).lower(), p))
    return Found(best, len(named))


def read_image(root: str, relpath: str) -> bytes:
    """The bytes of an image file: a regular file of at most MAX_IMAGE_BYTES, read without
    blocking; raises OSError (with a reason a learner can act on) otherwise."""
    fd, info = open_regular(os.path.join(root, relpath))
    try:
        if info.st_size > MAX_IMAGE_BYTES:
            raise OSError(f"{info.st_size} bytes, over the limit of {MAX_IMAGE_BYTES >> 20} MiB")
        chunks = []
        total = 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > MAX_IMAGE_BYTES:
                raise OSError(f"over the limit of {MAX_IMAGE_BYTES >> 20} MiB")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
