"""The text the CLI shows for a build or a check: diagnostic lines, the summary, the JSON form.

Pure functions returning strings, so the CLI stays a thin layer that only prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..build import BuildReport, CheckReport
from ..model import Diagnostic


def relative_path(diagnostic: Diagnostic, notes_dir: Path) -> str:
    """The diagnostic's path relative to ``notes_dir`` (POSIX separators)."""
    path = Path(diagnostic.path)
    if path.is_absolute():
        try:
            return path.relative_to(notes_dir.resolve()).as_posix()
        except ValueError:  # outside the folder (a lock file set elsewhere): keep it whole
            return path.as_posix()
    return path.as_posix()


def diagnostic_lines(
    diagnostics: Iterable[Diagnostic], notes_dir: Path, *, quiet: bool, verbose: bool
) -> list[str]:
    """``path:line: severity: message [code]`` lines: errors only when quiet, info if verbose."""
    if quiet:
        chosen = [d for d in diagnostics if d.severity == "error"]
    else:
        chosen = [d for d in diagnostics if verbose or d.severity != "info"]
    return [
        f"{shown(relative_path(d, notes_dir))}:{d.line}: {d.severity}: {shown(d.message)} "
        f"[{d.code}]"
        for d in chosen
    ]


# Control characters (a terminal's escape sequences, a line end that would forge a line of
# its own) and the invisible marks that reorder a line; a file name may hold any of them.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(text: str) -> str:
    """``text`` with control characters written as Python escapes (``\\x1b``, ``\\n``)."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _NAMED.get(m.group()) or _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def human_size(n: int) -> str:
    """A byte count the way people read it: 812 B, 11.7 KiB, 3.2 MiB."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def build_summary(report: BuildReport) -> list[str]:
    """Notes read, cards per note type, changes since the last build, problems, the output."""
    kinds = ", ".join(f"{name} {n}" for name, n in sorted(report.cards_by_type.items()))
    kept = ""
    if report.kept_removed:
        kept = f" (+{report.kept_removed} removed earlier, still tagged sagenotes::removed)"
    moved = ""
    if report.rematched:
        moved = (
            f"; {report.rematched} moved or renamed, matched to their earlier cards by content "
            "(run with -v for which)"
        )
    lines = [
        f"notes read: {report.notes}",
        f"cards: {kinds or 'none'}",
        f"since last build: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.removed} removed{kept}{moved}",
        f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}",
    ]
    if report.written and report.errors:
        lines.append("notes with errors left out; their cards from the last build are kept")
    if report.up_to_date:
        lines.append(f"up to date: {report.output} ({human_size(report.size)}) left as it is")
    elif report.written:
        lines.append(f"wrote {report.output} ({human_size(report.size)})")
    elif report.errors:
        lines.append(
            f"nothing written because of {plural(report.errors, 'error')}; "
            "fix them or use --keep-going"
        )
    else:
        lines.append("nothing written because of warnings with --strict")
    return lines


def check_line(report: CheckReport) -> str:
    """The last line of a text check: how many notes, errors and warnings."""
    return (
        f"{plural(report.notes, 'note')} checked: {plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')}"
    )


def check_json(report: CheckReport, notes_dir: Path) -> dict[str, Any]:
    """``{"notes": N, "diagnostics": [{path, line, severity, code, message}, ...]}``."""
    return {
        "notes": report.notes,
        "diagnostics": [
            {
                "path": relative_path(d, notes_dir),
                "line": d.line,
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
            }
            for d in report.diagnostics
        ],
    }
