"""Build: the pipeline (``pipeline.py``: build, check) over its steps: the folder
(``folder.py``), loading the notes (``load.py``, serial or in worker processes; one note's
work in ``prepared.py``), the items (``items.py``), the plan (``plan.py``, ``digest.py``) and
the output (``output.py``); what it is given and says in ``options.py``.

``from sagenotes_anki.build import BuildOptions, build, check`` is the library's way to build.
"""

from ..cards.notetypes import CARD_KINDS
from .options import BuildOptions, BuildReport, CheckReport
from .pipeline import build, check

__all__ = ["CARD_KINDS", "BuildOptions", "BuildReport", "CheckReport", "build", "check"]
