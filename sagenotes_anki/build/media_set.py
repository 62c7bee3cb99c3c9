"""The images a build's package carries: every note's, each name once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..cache.stamp import MediaInputs

if TYPE_CHECKING:
    from .prepared import Prepared

__all__ = ["Media", "media_of"]


@dataclass(frozen=True)
class Media:
    """The images of a build: name in the package -> (path in the vault, digest of the bytes
    read); ``uses_vault``: whether any note's cards depend on the vault's other files (its
    images, found or missing), which the no-op stamp must then cover."""

    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    uses_vault: bool = False
    root: str = ""  # the notes folder the paths are in

    def inputs(self) -> MediaInputs | None:
        """What the no-op stamp must cover of the images (None: nothing)."""
        if not self.uses_vault:
            return None
        return MediaInputs({relpath: digest for relpath, digest in self.files.values()})


def media_of(prepared: Iterable[Prepared], root: str) -> Media:
    """The images of every note in ``prepared``."""
    files: dict[str, tuple[str, str]] = {}
    uses_vault = False
    for work in prepared:
        if work.media or work.uses_vault():
            uses_vault = True
            for name, relpath, digest in work.media:
                files.setdefault(name, (relpath, digest))
    return Media(files, uses_vault, root)
