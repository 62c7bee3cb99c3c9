"""Cards: a ``StudyNote`` -> Anki notes (note types, fields as safe HTML, tags, GUIDs)."""
