"""Turn Obsidian study notes into an Anki deck."""
