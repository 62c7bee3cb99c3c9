"""StudyNote -> the Anki notes it yields (note type, stable key, HTML fields, tags).

INTERFACE STUB: filled in by the card-content work.
"""

from __future__ import annotations

from dataclasses import dataclass

from .notetypes import NoteType


@dataclass(frozen=True)
class CardNote:
    """One Anki note to write.

    ``key`` identifies the item inside its study note and never depends on content:
    ``"keypoint"``, ``"concept:<term>"``, ``"tradeoff:<subject>"``, ``"question:<n>"``
    (n counts from 1 in note order). ``fields`` are HTML in ``notetype.fields`` order;
    ``tags`` are already Anki tags (``service::sagemaker``).
    """

    notetype: NoteType
    key: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
