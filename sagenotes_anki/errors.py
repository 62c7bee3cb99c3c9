"""Exceptions for usage errors; problems inside notes are Diagnostics, not exceptions."""


class SageNotesError(Exception):
    """Base class; the CLI turns every subclass into one line and a non-zero exit status."""


class NotesFolderError(SageNotesError):
    """Raised by build/check when the notes folder is missing, not a folder, or has no notes."""


class OutputError(SageNotesError):
    """Raised by the package writer when the output path cannot be written."""
