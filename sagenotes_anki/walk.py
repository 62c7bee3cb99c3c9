"""The notes of a folder: its ``.md`` files in a stable order, hidden folders skipped."""

from __future__ import annotations

import os
from pathlib import Path


def markdown_files(folder: Path) -> list[str]:
    """The ``.md`` files under a folder as POSIX relative paths, hidden folders skipped."""
    found: list[str] = []
    for directory, subdirs, files in os.walk(folder):
        # Pruning in place stops os.walk descending into .obsidian, .trash, .git.
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        base = Path(directory).relative_to(folder)
        for name in files:
            if name.lower().endswith(".md") and not name.startswith("."):
                found.append((base / name).as_posix())
    return sorted(found)
