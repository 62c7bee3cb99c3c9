"""Parse: a note's text -> a ``StudyNote`` (blocks, sections, extractors); a vault's identities."""
