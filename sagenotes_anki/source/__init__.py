"""Source: finding the notes of a folder and reading each one as text (encodings, front matter)."""
