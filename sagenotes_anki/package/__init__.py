"""Package: Anki notes -> the ``.apkg`` file (the collection, the zip)."""
