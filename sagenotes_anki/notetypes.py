"""The four Anki note types: fixed ids, fields, templates and CSS (no genanki here).

INTERFACE STUB: the field lists below are the schema; ids, templates and CSS are filled in
by the note-type work. Field and template ids never change once released.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """A note-type field; ``id`` is fixed forever so a rename happens in place."""

    name: str
    id: int


@dataclass(frozen=True)
class Template:
    """A card template (front ``qfmt``, back ``afmt``)."""

    name: str
    id: int
    qfmt: str
    afmt: str


@dataclass(frozen=True)
class NoteType:
    """An Anki note type ("model")."""

    name: str
    id: int
    fields: tuple[Field, ...]
    templates: tuple[Template, ...]
    css: str
    sort_field: int = 0

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# Schema (names and order are final):
#   SageNotes Concept:   Term, Definition, Group, Topic, Source
#   SageNotes Trade-off: Subject, Pros, Cons, Topic, Source        (templates: Pros, Cons)
#   SageNotes MCQ:       Question, Options, Answer, Explanation, Choose, Topic, Source
#   SageNotes Key Point: Topic, Point, Flow, Source
