"""Turn a folder of Obsidian study notes into an Anki deck.

The public API::

    from sagenotes_anki import load_notes, load_note, parse_note

    vault = load_notes(Path("notes"))       # every note, in a stable order
    result = parse_note(text, path="x.md")  # one note from text: ParseResult(note, diagnostics)
"""

from .model import Diagnostic, ParseResult, StudyNote
from .parse import load_note, parse_note
from .vault import Vault, load_notes

__all__ = [
    "Diagnostic",
    "ParseResult",
    "StudyNote",
    "Vault",
    "load_note",
    "load_notes",
    "parse_note",
]
