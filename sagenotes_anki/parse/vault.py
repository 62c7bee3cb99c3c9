"""A vault: every parsed note of a folder, identities made unique (``assemble``).

The notes are loaded by ``build/load.py`` (``load_notes`` in the public API), through the
parse cache and worker processes, the same way for build, check, preview and the library.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .. import codes
from ..model import Diagnostic, ParseResult, StudyNote
from ..source.charset import nfc
from ..source.frontmatter import split_front_matter
from ..source.read import read_note

__all__ = ["Progress", "Vault", "assemble"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Vault:
    """Every parsed note of a folder and every diagnostic about it."""

    notes: tuple[StudyNote, ...]  # by relative path; notes of files with errors left out
    diagnostics: tuple[Diagnostic, ...]  # by path, then line
    files: int  # Markdown files read
    errored_paths: frozenset[str]  # files whose error diagnostics kept them out of ``notes``


def assemble(
    results: Iterable[tuple[str, ParseResult]],
    folder: Path,
    walked: Iterable[Diagnostic] = (),
) -> Vault:
    """A Vault from per-file results (and the walk's own diagnostics, ``walked``): errored
    files out, identities made unique."""
    results = list(results)
    diagnostics = [*walked, *(d for _, result in results for d in result.diagnostics)]
    errored = frozenset(path for path, result in results if result.has_errors)
    notes = [r.note for p, r in results if r.note is not None and p not in errored]
    notes, duplicates = _unique(notes, folder)
    diagnostics += duplicates
    diagnostics.sort(key=lambda d: (d.path, d.line, d.code))
    return Vault(tuple(notes), tuple(diagnostics), len(results), errored)


def _unique(notes: list[StudyNote], folder: Path) -> tuple[list[StudyNote], list[Diagnostic]]:
    """Give every note a unique identity; warn about titles claimed by several notes."""
    claims: dict[str, list[StudyNote]] = {}
    for note in notes:
        claims.setdefault(note.identity, []).append(note)
    renamed: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    for identity, claimants in claims.items():
        if len(claimants) < 2:
            continue
        keeper = next((n for n in claimants if nfc(PurePosixPath(n.path).stem) == identity), None)
        for note in claimants:
            if note is not keeper:
                renamed[note.path] = nfc(str(PurePosixPath(note.path).with_suffix("")))
        diagnostics += _duplicate_warnings(identity, claimants, keeper, folder)
    taken = {n.identity for n in notes if n.path not in renamed}
    unique: list[StudyNote] = []
    for note in notes:
        if note.path in renamed:
            identity = renamed[note.path]
            path = nfc(note.path)  # two files may differ only in how a name is normalised
            # A derived identity may still collide with another note's title.
            for candidate in (identity, path):
                if candidate not in taken:
                    identity = candidate
                    break
            else:
                suffix = 2
                while f"{path}#{suffix}" in taken:
                    suffix += 1
                identity = f"{path}#{suffix}"
            taken.add(identity)
            note = replace(note, identity=identity)
        unique.append(note)
    return unique, diagnostics


def _duplicate_warnings(
    identity: str, claimants: list[StudyNote], keeper: StudyNote | None, folder: Path
) -> list[Diagnostic]:
    paths = ", ".join(n.path for n in claimants)
    kept = f"{keeper.path} keeps it" if keeper else "none of them is named after it"
    out = []
    for note in claimants:
        outcome = "keeps the title" if note is keeper else "uses its path as identity instead"
        message = (
            f"the title '{identity}' is claimed by {len(claimants)} notes ({paths}); "
            f"{kept}, and this note {outcome}; give each note its own 'title:' in its "
            "front matter (e.g. the file name) so cards keep their review history"
        )
        line = _title_line(folder, note.path)
        out.append(Diagnostic(note.path, line, "warning", codes.DUPLICATE_TITLE, message))
    return out


def _title_line(folder: Path, relpath: str) -> int:
    """The line of the ``title:`` key, for the duplicate warning (1 if not found)."""
    try:
        data = read_note(os.fspath(folder), relpath)
        text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    except OSError:
        return 1
    return split_front_matter(text, relpath).key_lines.get("title", 1)
