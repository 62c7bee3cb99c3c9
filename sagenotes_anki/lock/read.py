"""Reading the lock file beside the notes; a damaged one is reported, never trusted.

The file is read line by line as ``format.py`` lays it out; anything else is parsed whole
(``document.py``). A lock that cannot be read, or is damaged, is reported as a warning and
the build goes on as if for the first time.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from .. import codes
from ..model import Diagnostic
from ..runtime.regular import NotAFileError, open_regular
from .document import LockFormatError, from_document, parse
from .format import NotOurs, read_lines
from .model import Lock


def read_lock(path: Path, shown_as: str) -> tuple[Lock, Diagnostic | None]:
    """The lock at ``path`` (empty when there is none); a damaged one is reported, not trusted.

    Only a regular file is read: a FIFO or a device in its place is reported without being
    opened for more than a look (it could block forever, or never end).
    """
    bad: list[int] = []
    try:
        with _open_regular(path) as f:
            lock = _read_our_layout(f, bad)
            if lock is None:
                f.seek(0)
                text = f.read()
    except FileNotFoundError:
        return Lock(), None
    except NotAFileError:
        return Lock(), _lock_warning(shown_as, "is not a regular file (a FIFO or a device?)")
    except (OSError, UnicodeDecodeError) as exc:
        return Lock(), _lock_warning(shown_as, f"cannot be read ({exc})")
    if lock is not None:
        return lock, _bad_mods_warning(shown_as, bad)
    bad.clear()
    try:
        doc = parse(text)
        del text  # tens of MB for a large vault: not kept while the entries are made
        lock = from_document(doc, bad)
    except LockFormatError as exc:
        return Lock(), _lock_warning(shown_as, f"is damaged ({exc})")
    return lock, _bad_mods_warning(shown_as, bad)


def _open_regular(path: Path) -> IO[str]:
    """``path`` opened for reading as text, if it is a regular file (else NotAFileError)."""
    fd, _ = open_regular(path)
    return open(fd, encoding="utf-8", newline="\n")  # closed by the caller


def _read_our_layout(f: IO[str], bad: list[int]) -> Lock | None:
    """The lock read line by line (``format.read_lines``); None for anything else.

    The text of a large vault's lock and its parsed JSON would take several times the memory
    of the entries. Whatever is not exactly our layout, or not right, is left to the full
    JSON parser (None), which decides what it is and how it is reported.
    """
    try:
        return read_lines(f, bad)
    except (NotOurs, LockFormatError, ValueError, KeyError, TypeError, AttributeError):
        return None
    except RecursionError:  # a value nested deeper than the JSON decoder can follow
        return None


def _lock_warning(shown_as: str, problem: str) -> Diagnostic:
    return Diagnostic(
        path=shown_as,
        line=0,
        severity="warning",
        code=codes.LOCK_IGNORED,
        message=f"the lock file {problem}; building as if for the first time, so Anki will "
        "update every note once. Restore it from version control to avoid that, or let "
        "this build write a new one.",
    )


def _bad_mods_warning(shown_as: str, bad: list[int]) -> Diagnostic | None:
    if not bad:
        return None
    many = f"{len(bad)} items or note types" if len(bad) > 1 else "an item or a note type"
    return Diagnostic(
        path=shown_as,
        line=0,
        severity="warning",
        code=codes.LOCK_IGNORED,
        message=f"the lock file gives {many} a modification time (mod) no real time has "
        f"(such as {bad[0]}); those are taken as changed, so Anki updates them once. This "
        "build writes them a correct one.",
    )
