"""Build: the pipeline (``pipeline.py``), loading the notes (``load.py``, serial or in worker
processes) and one note's work in a worker (``prepared.py``).

``from sagenotes_anki.build import BuildOptions, build, check`` is the library's way to build.
"""

from ..cards.notetypes import CARD_KINDS
from .pipeline import BuildOptions, BuildReport, CheckReport, build, check

__all__ = ["CARD_KINDS", "BuildOptions", "BuildReport", "CheckReport", "build", "check"]
