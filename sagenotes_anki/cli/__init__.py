"""CLI: the ``sagenotes-anki`` command (``commands.py``), its summary text and progress bar."""

from .commands import main

__all__ = ["main"]
