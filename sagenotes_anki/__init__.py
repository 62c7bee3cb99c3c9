"""Turn a folder of Obsidian study notes into an Anki deck.

The public API::

    from sagenotes_anki import load_notes, load_note, parse_note

    vault = load_notes(Path("notes"))       # every note, in a stable order
    result = parse_note(text, path="x.md")  # one note from text: ParseResult(note, diagnostics)

The names are imported on first use, so a command that needs no parser (a rebuild with
nothing changed) does not load one.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build.load import load_notes
    from .model import Diagnostic, ParseResult, StudyNote
    from .parse.note import load_note, parse_note
    from .parse.vault import Vault

_HOMES = {
    "Diagnostic": "model",
    "ParseResult": "model",
    "StudyNote": "model",
    "load_note": "parse.note",
    "parse_note": "parse.note",
    "Vault": "parse.vault",
    "load_notes": "build.load",
}

__all__ = [
    "Diagnostic",
    "ParseResult",
    "StudyNote",
    "Vault",
    "load_note",
    "load_notes",
    "parse_note",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
