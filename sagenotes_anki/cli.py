"""The ``sagenotes-anki`` command: click over ``build.py``; the only module that prints or exits.

Exit status: 0 success; 1 a note has an error (or a warning with --strict); 2 usage error
(a bad option, a missing notes folder, a folder without notes, an output that cannot be
written, a bad settings file).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from . import build as pipeline
from .build import BuildOptions, BuildReport, CheckReport
from .config import Config, load_config, parse_card_kinds
from .errors import SageNotesError
from .model import Diagnostic
from .progress import TerminalProgress

DEFAULT_OUTPUT = Path("build/sagenotes.apkg")
DEFAULT_PREVIEW = Path("build/preview.html")
CACHE_DIR_NAME = ".sagenotes-cache"  # beside the output, so `make clean` removes it too
EXIT_OK, EXIT_NOTE_ERRORS, EXIT_USAGE = 0, 1, 2

EXIT_CODES = """\b
Exit status:
  0  success
  1  a note has an error (or a warning, with --strict)
  2  usage error: bad option, missing notes folder, folder without
     notes, output not writable, bad settings file"""


class UsageFailure(click.ClickException):
    """One line on stderr ("Error: ...") and exit status 2, never a traceback."""

    exit_code = EXIT_USAGE


# No click.Path(exists=True): a missing folder gets our one-line message, not click's
# three-line usage dump.
NOTES_DIR_ARGUMENT = click.argument(
    "notes_dir", metavar="NOTES_DIR", type=click.Path(path_type=Path)
)


def _require_folder(notes_dir: Path) -> None:
    if not notes_dir.exists():
        raise UsageFailure(f"notes folder not found: {notes_dir}")
    if not notes_dir.is_dir():
        raise UsageFailure(f"not a folder: {notes_dir}")


def _options(notes_dir: Path, cards: str | None, **overrides: Any) -> tuple[Config, BuildOptions]:
    """Settings file first, command-line options over it."""
    try:
        config = load_config(notes_dir)
        if cards is not None:
            overrides["card_kinds"] = parse_card_kinds(cards.split(","), "--cards")
        return config, config.options(**overrides)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc


def _relative(diagnostic: Diagnostic, notes_dir: Path) -> str:
    path = Path(diagnostic.path)
    if path.is_absolute():
        try:
            return path.relative_to(notes_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _shown(diagnostics: Iterable[Diagnostic], quiet: bool, verbose: bool) -> list[Diagnostic]:
    if quiet:
        return [d for d in diagnostics if d.severity == "error"]
    return [d for d in diagnostics if verbose or d.severity != "info"]


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _print_diagnostics(
    diagnostics: Iterable[Diagnostic], notes_dir: Path, *, err: bool, quiet: bool, verbose: bool
) -> None:
    for d in _shown(diagnostics, quiet, verbose):
        click.echo(
            f"{_relative(d, notes_dir)}:{d.line}: {d.severity}: {d.message} [{d.code}]", err=err
        )


def _failed(report: BuildReport | CheckReport, strict: bool) -> bool:
    return report.errors > 0 or (strict and report.warnings > 0)


@click.group(
    epilog="\b\nExample:\n  sagenotes-anki build notes/ -o build/sagenotes.apkg\n\n" + EXIT_CODES
)
@click.version_option(package_name="sagenotes-anki", prog_name="sagenotes-anki")
def main() -> None:
    """Turn a folder of Obsidian study notes into an Anki deck (.apkg).

    Rebuild as often as you like: re-importing updates cards in place and keeps their
    review history.
    """


def _kept(report: BuildReport) -> str:
    if not report.kept_removed:
        return ""
    return f" (+{report.kept_removed} removed earlier, still tagged sagenotes::removed)"


def _build_summary(report: BuildReport) -> list[str]:
    kinds = ", ".join(f"{name} {n}" for name, n in sorted(report.cards_by_type.items()))
    lines = [
        f"notes read: {report.notes}",
        f"cards: {kinds or 'none'}",
        f"since last build: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.removed} removed" + _kept(report),
        f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}",
    ]
    if report.written and report.errors:
        lines.append("notes with errors left out; their cards from the last build are kept")
    if report.up_to_date:
        lines.append(f"up to date: {report.output} ({_size(report.size)}) left as it is")
    elif report.written:
        lines.append(f"wrote {report.output} ({_size(report.size)})")
    else:
        why = _plural(report.errors, "error") if report.errors else "warnings with --strict"
        hint = "" if report.errors == 0 else "; fix them or use --keep-going"
        lines.append(f"nothing written because of {why}{hint}")
    return lines


@main.command(
    epilog="\b\nExamples:\n"
    "  sagenotes-anki build notes/\n"
    "  sagenotes-anki build notes/ -o deck.apkg --deck-name 'AWS ML' --strict\n"
    "  sagenotes-anki build notes/ --cards concept,mcq --keep-going\n\n" + EXIT_CODES
)
@NOTES_DIR_ARGUMENT
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="The .apkg file to write.",
)
@click.option("--deck-name", help="Name of the Anki deck (default: SageNotes).")
@click.option("--vault-name", help="Obsidian vault name, for obsidian:// links back to notes.")
@click.option("--cards", metavar="KINDS", help="Comma-separated: keypoint,concept,tradeoff,mcq.")
@click.option(
    "--strict/--no-strict", default=None, help="Treat warnings as errors: nothing is written."
)
@click.option(
    "--keep-going/--no-keep-going",
    default=None,
    help="Write a deck from the good notes even when some have errors (exit status stays 1).",
)
@click.option(
    "--forget-removed",
    is_flag=True,
    help="Leave out items deleted from the notes instead of keeping them tagged "
    "sagenotes::removed.",
)
@click.option("--no-cache", is_flag=True, help="Parse every note again; ignore the parse cache.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")
def build(
    notes_dir: Path,
    output: Path,
    deck_name: str | None,
    vault_name: str | None,
    cards: str | None,
    strict: bool | None,
    keep_going: bool | None,
    forget_removed: bool,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build an Anki package from NOTES_DIR.

    With an error in any note nothing is written and the previous package stays as it was,
    unless --keep-going is given. The lock file NOTES_DIR/sagenotes.lock.json records what
    each build wrote; commit it with your notes.
    """
    _require_folder(notes_dir)
    _, options = _options(
        notes_dir,
        cards,
        deck_name=deck_name,
        vault_name=vault_name,
        strict=strict,
        keep_going=keep_going,
        forget_removed=forget_removed or None,
        cache_dir=None if no_cache else output.parent / CACHE_DIR_NAME,
    )
    report = _run_build(notes_dir, output, options)
    _print_diagnostics(report.diagnostics, notes_dir, err=True, quiet=quiet, verbose=verbose)
    if not quiet:
        for line in _build_summary(report):
            click.echo(line, err=True)
    sys.exit(EXIT_NOTE_ERRORS if _failed(report, options.strict) else EXIT_OK)


def _run_build(notes_dir: Path, output: Path, options: BuildOptions) -> BuildReport:
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageFailure(f"cannot create the output folder {output.parent}: {exc}") from exc
    if output.is_dir():
        raise UsageFailure(f"output is a folder, not a file: {output}")
    try:
        with TerminalProgress(sys.stderr) as progress:
            return pipeline.build(notes_dir, output, options, progress=progress)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc
    except OSError as exc:  # a safety net: the writer should raise OutputError itself
        raise UsageFailure(f"cannot write {output}: {exc.strerror or exc}") from exc


@main.command(
    epilog="\b\nExamples:\n"
    "  sagenotes-anki check notes/\n"
    "  sagenotes-anki check notes/ --format json > diagnostics.json\n\n" + EXIT_CODES
)
@NOTES_DIR_ARGUMENT
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help='json: {"notes": N, "diagnostics": [{path, line, severity, code, message}]}.',
)
@click.option("--strict/--no-strict", default=None, help="Exit 1 on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (text format).")
@click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")
def check(notes_dir: Path, fmt: str, strict: bool | None, quiet: bool, verbose: bool) -> None:
    """Report problems in the notes of NOTES_DIR without building anything.

    Paths are relative to NOTES_DIR. The JSON form lists every diagnostic, info included.
    """
    _require_folder(notes_dir)
    _, options = _options(notes_dir, None, strict=strict)
    try:
        with TerminalProgress(sys.stderr) as progress:
            report = pipeline.check(notes_dir, options, progress=progress)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(_check_json(report, notes_dir), ensure_ascii=False, indent=2))
    else:
        _print_diagnostics(report.diagnostics, notes_dir, err=False, quiet=quiet, verbose=verbose)
        if not quiet:
            click.echo(
                f"{_plural(report.notes, 'note')} checked: {_plural(report.errors, 'error')}, "
                f"{_plural(report.warnings, 'warning')}"
            )
    sys.exit(EXIT_NOTE_ERRORS if _failed(report, options.strict) else EXIT_OK)


def _check_json(report: CheckReport, notes_dir: Path) -> dict[str, Any]:
    return {
        "notes": report.notes,
        "diagnostics": [
            {
                "path": _relative(d, notes_dir),
                "line": d.line,
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
            }
            for d in report.diagnostics
        ],
    }


@main.command(
    epilog="\b\nExample:\n"
    "  sagenotes-anki preview notes/ -o build/preview.html\n"
    "  xdg-open build/preview.html\n\n" + EXIT_CODES
)
@NOTES_DIR_ARGUMENT
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=DEFAULT_PREVIEW,
    show_default=True,
    help="The HTML page to write.",
)
@click.option("--deck-name", help="Name of the Anki deck (default: SageNotes).")
@click.option("--vault-name", help="Obsidian vault name, for obsidian:// links back to notes.")
@click.option("--cards", metavar="KINDS", help="Comma-separated: keypoint,concept,tradeoff,mcq.")
def preview(
    notes_dir: Path,
    output: Path,
    deck_name: str | None,
    vault_name: str | None,
    cards: str | None,
) -> None:
    """Write one self-contained HTML page with every card, front and back, to look through
    before importing.
    """
    _require_folder(notes_dir)
    _, options = _options(notes_dir, cards, deck_name=deck_name, vault_name=vault_name)
    from .preview import write_preview  # imported here: only this command needs it

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        count = write_preview(notes_dir, output, options)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc
    except OSError as exc:
        raise UsageFailure(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}: {_plural(count, 'card')}", err=True)
