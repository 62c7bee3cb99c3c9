"""The notes of a folder: its ``.md`` files in a stable order, hidden folders skipped.

Symlinked folders are followed once each (also outside the notes folder, as Obsidian does);
a link back into a folder already read (a loop) is skipped with a warning. File names that
are not UTF-8 (CP949 from a Windows zip) are shown decoded as CP949, and :func:`os_path`
finds the file again by its real name (for :func:`read.read_note`).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import codes
from ..model import Diagnostic

_ESCAPED = re.compile(rb"\\x([0-9a-f]{2})")


@dataclass(frozen=True)
class Walk:
    """The notes found (POSIX relative paths, sorted) and what the walk had to say."""

    paths: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


def markdown_files(folder: Path) -> list[str]:
    """The ``.md`` files under a folder as POSIX relative paths, hidden folders skipped."""
    return list(walk(folder).paths)


def walk(folder: Path) -> Walk:
    """The notes under ``folder``: real folders first, then symlinked ones, each once."""
    top = os.fspath(folder)
    try:
        info = os.stat(top)
    except OSError:
        return Walk(())
    walker = _Walker(top, {(info.st_dev, info.st_ino)})
    while (folder_to_read := walker.next_folder()) is not None:
        walker.read(*folder_to_read)
    return Walk(tuple(sorted(walker.found)), tuple(walker.problems))


class _Walker:
    """The folders still to read and what was found in those read."""

    def __init__(self, top: str, visited: set[tuple[int, int]]) -> None:
        self.top = top
        self.visited = visited  # (device, inode) of every folder read or to be read
        self.found: list[str] = []
        self.problems: list[Diagnostic] = []
        self.links: list[tuple[str, str]] = []  # (OS path, shown path) of symlinked folders
        self.pending = [(top, "")]  # (OS path, shown path with its "/") of real folders

    def next_folder(self) -> tuple[str, str] | None:
        """The next folder to read: real ones first, then links (by name), each once."""
        while not self.pending:
            if not self.links:
                return None
            self.links.sort(key=lambda link: link[1], reverse=True)
            real, shown = self.links.pop()
            if _followable(real, self.top, self.visited):
                return real, shown + "/"
            self.problems.append(_loop(shown))
        return self.pending.pop()

    def read(self, real: str, shown: str) -> None:
        """The notes and folders of one folder (``shown``: its path as shown, with "/")."""
        try:
            with os.scandir(real) as entries:
                listing = list(entries)
        except OSError:
            if shown:  # a folder that cannot be read (only a link's could be told apart)
                self.problems.append(_unreadable_folder(shown.rstrip("/")))
            return
        siblings: set[bytes] | None = None
        for entry in listing:
            name = entry.name
            if name.startswith("."):
                continue
            is_dir = _is_dir(entry)
            if not is_dir and not name.lower().endswith(".md"):
                continue
            if not name.isascii() and not _utf8(name):
                if siblings is None:
                    siblings = {os.fsencode(e.name) for e in listing}
                shown_name = self._shown_name(name, shown, siblings)
                if shown_name is None:
                    continue
                name = shown_name
            if not is_dir:
                self.found.append(shown + name)
            elif entry.is_symlink():
                self.links.append((entry.path, shown + name))
            else:
                self.pending.append((entry.path, shown + name + "/"))
                self.visited.add(_identity(entry))

    def _shown_name(self, name: str, shown: str, siblings: set[bytes]) -> str | None:
        """A name that is not UTF-8 as shown (reported), or None when it is left out."""
        display = _display(name, siblings)
        if display is None:
            self.problems.append(_name_clash(shown + _shown_raw(name)))
            return None
        self.problems.append(_not_utf8(shown + display, display != _shown_raw(name)))
        return display


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _identity(entry: os.DirEntry[str]) -> tuple[int, int]:
    info = entry.stat(follow_symlinks=False)
    return info.st_dev, info.st_ino


def _followable(real: str, top: str, visited: set[tuple[int, int]]) -> bool:
    """Whether a symlinked folder leads to a folder not read yet (not a loop)."""
    try:
        info = os.stat(real)
        target = os.path.realpath(real)
        base = os.path.realpath(top)
    except OSError:
        return False
    key = (info.st_dev, info.st_ino)
    # A link to a folder that holds the notes folder would read it all again.
    if key in visited or base == target or base.startswith(target.rstrip(os.sep) + os.sep):
        return False
    visited.add(key)
    return True


def _display(name: str, siblings: set[bytes]) -> str | None:
    """A name that is not UTF-8 as shown: decoded as CP949, else with ``\\xNN`` escapes.

    None when the shown name would stand for another file of the folder.
    """
    raw = os.fsencode(name)
    for shown in _candidates(raw):
        if _resolve_name(shown, siblings) == raw:
            return shown
    return None


def _candidates(raw: bytes) -> list[str]:
    out = []
    with contextlib.suppress(UnicodeDecodeError):
        out.append(raw.decode("cp949"))
    out.append(_shown_raw(os.fsdecode(raw)))
    return out


def _shown_raw(name: str) -> str:
    """A name with the bytes that are not UTF-8 as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _resolve_name(shown: str, siblings: set[bytes]) -> bytes | None:
    """The real name of a file whose name is shown as ``shown``, among ``siblings``."""
    for raw in _real_names(shown):
        if raw in siblings:
            return raw
    return None


def _real_names(shown: str) -> list[bytes]:
    """The names a shown name may stand for, in the order ``_display`` gives them."""
    out = [shown.encode("utf-8", errors="surrogateescape")]
    with contextlib.suppress(UnicodeEncodeError):
        out.append(shown.encode("cp949"))
    if "\\x" in shown:
        out.append(_ESCAPED.sub(lambda m: bytes([int(m[1], 16)]), out[0]))
    return out


def os_path(folder: str, relpath: str) -> str | None:
    """The real path of a note shown as ``relpath`` whose name is not UTF-8 (None if none)."""
    current = os.fsencode(folder)
    for part in relpath.split("/"):
        try:
            siblings = set(os.listdir(current))
        except OSError:
            return None
        raw = _resolve_name(part, siblings)
        if raw is None:
            return None
        current = os.path.join(current, raw)
    return os.fsdecode(current)


def _loop(shown: str) -> Diagnostic:
    message = (
        "this symbolic link leads back into a folder already read (a loop, or a second link "
        "to one folder), so it is not followed; nothing to do, or remove the link"
    )
    return Diagnostic(shown, 1, "warning", codes.SYMLINK_SKIPPED, message)


def _unreadable_folder(shown: str) -> Diagnostic:
    message = (
        "this folder (or the folder this symbolic link leads to) cannot be read, so its "
        "notes are left out; check its permissions, or remove the link"
    )
    return Diagnostic(shown, 1, "warning", codes.SYMLINK_SKIPPED, message)


def _not_utf8(shown: str, cp949: bool) -> Diagnostic:
    how = "read as CP949 (Korean Windows)" if cp949 else "shown with its odd bytes as \\xNN"
    message = (
        f"the name is not UTF-8 (from a zip made on Windows?); it was {how}. Rename the "
        "file or folder (e.g. unpack the zip again with 'unzip -O cp949') so that the name "
        "and the cards' identity stay the same everywhere"
    )
    return Diagnostic(shown, 1, "warning", codes.FILE_NAME_NOT_UTF8, message)


def _name_clash(shown: str) -> Diagnostic:
    message = (
        "the file name is not UTF-8, and read as CP949 it is the name of another file "
        "here, so it is left out; rename it"
    )
    return Diagnostic(shown, 1, "warning", codes.FILE_NAME_NOT_UTF8, message)
