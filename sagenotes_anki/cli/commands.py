"""The ``sagenotes-anki`` command: click over ``build/``; the only module that prints or exits.

Exit status: 0 success; 1 a note has an error (or a warning with --strict); 2 usage error
(a bad option, a missing notes folder, a folder without notes, a deck or lock file that
cannot be written, a bad settings file). A deck written whose lock could not be is 2 too:
the lock is stale until a build writes it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import codes
from ..build import BuildOptions, BuildReport, CheckReport, pipeline
from ..config import Config, load_config, parse_card_kinds
from ..errors import SageNotesError
from .progress import TerminalProgress
from .summary import build_summary, check_json, check_line, diagnostic_lines, plural

DEFAULT_OUTPUT = Path("build/sagenotes.apkg")
DEFAULT_PREVIEW = Path("build/preview.html")
CACHE_DIR_NAME = ".sagenotes-cache"  # beside the output, so `make clean` removes it too
EXIT_OK, EXIT_NOTE_ERRORS, EXIT_USAGE = 0, 1, 2

EXIT_CODES = """\b
Exit status:
  0  success
  1  a note has an error (or a warning, with --strict)
  2  usage error: bad option, missing notes folder, folder without
     notes, deck or lock file not writable, bad settings file"""


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
        if overrides.get("deck_name") is not None and not overrides["deck_name"].strip():
            raise UsageFailure("--deck-name must not be empty")
        return config, config.options(**overrides)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc


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


F = TypeVar("F", bound=Callable[..., Any])


def _deck_options(command: F) -> F:
    """The options that shape the cards, shared by build and preview."""
    command = click.option(
        "--cards",
        metavar="KINDS",
        help="Comma-separated: scenario,concept,practical,tradeoff,mcq (keypoint = scenario).",
    )(command)
    command = click.option(
        "--vault-name", help="Obsidian vault name, for obsidian:// links back to notes."
    )(command)
    return click.option("--deck-name", help="Name of the Anki deck (default: SageNotes).")(command)


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
@_deck_options
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
    config, options = _options(
        notes_dir,
        cards,
        deck_name=deck_name,
        vault_name=vault_name,
        strict=strict,
        keep_going=keep_going,
        forget_removed=forget_removed or None,
        cache_dir=None if no_cache else output.parent / CACHE_DIR_NAME,
    )
    report = _run_build(notes_dir, output, options, show_progress=not quiet)
    if verbose and not quiet and config.source is not None:
        click.echo(f"settings from {config.source}", err=True)
    # A lock that could not be written is an output failure, said last, even with --quiet.
    stale = [d for d in report.diagnostics if d.code == codes.LOCK_STALE]
    shown = tuple(d for d in report.diagnostics if d.code != codes.LOCK_STALE)
    for line in diagnostic_lines(shown, notes_dir, quiet=quiet, verbose=verbose):
        click.echo(line, err=True)
    if not quiet:
        for line in build_summary(report):
            click.echo(line, err=True)
    if stale:
        raise UsageFailure(f"{stale[0].message} [{stale[0].code}]")
    sys.exit(EXIT_NOTE_ERRORS if _failed(report, options.strict) else EXIT_OK)


def _run_build(
    notes_dir: Path, output: Path, options: BuildOptions, *, show_progress: bool
) -> BuildReport:
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageFailure(f"cannot create the output folder {output.parent}: {exc}") from exc
    if output.is_dir():
        raise UsageFailure(f"output is a folder, not a file: {output}")
    try:
        with TerminalProgress(sys.stderr, None if show_progress else False) as progress:
            return pipeline.build(notes_dir, output, options, progress=progress)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc
    except OSError as exc:  # a safety net: the writer should raise OutputError itself
        what = exc.filename or output  # the file that failed, which may not be the deck
        raise UsageFailure(f"cannot write {what}: {exc.strerror or exc}") from exc


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
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="The .apkg a build would write (removed items' content is read back from it).",
)
@click.option("--cards", metavar="KINDS", help="The card kinds a build would make (see build).")
@click.option("--strict/--no-strict", default=None, help="Exit 1 on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (text format).")
@click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")
def check(
    notes_dir: Path,
    fmt: str,
    output: Path,
    cards: str | None,
    strict: bool | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Report problems in the notes of NOTES_DIR without building anything: every warning
    a build would give, its lock's included.

    Paths are relative to NOTES_DIR. The JSON form lists every diagnostic, info included.
    """
    _require_folder(notes_dir)
    _, options = _options(notes_dir, cards, strict=strict)
    try:
        with TerminalProgress(sys.stderr, False if quiet else None) as progress:
            report = pipeline.check(notes_dir, options, progress=progress, out=output)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(check_json(report, notes_dir), ensure_ascii=False, indent=2))
    else:
        for line in diagnostic_lines(report.diagnostics, notes_dir, quiet=quiet, verbose=verbose):
            click.echo(line)
        if not quiet:
            click.echo(check_line(report))
    sys.exit(EXIT_NOTE_ERRORS if _failed(report, options.strict) else EXIT_OK)


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
@_deck_options
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
    from ..preview.page import preview as write  # imported here: only this command needs it

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        report = write(notes_dir, output, options)
    except SageNotesError as exc:
        raise UsageFailure(str(exc)) from exc
    except OSError as exc:
        raise UsageFailure(f"cannot write {output}: {exc.strerror or exc}") from exc
    for line in diagnostic_lines(report.diagnostics, notes_dir, quiet=False, verbose=False):
        click.echo(line, err=True)
    click.echo(f"wrote {output}: {plural(report.cards, 'card')}", err=True)
    errors = len({d.path for d in report.diagnostics if d.severity == "error"})
    if errors:
        click.echo(f"{plural(errors, 'note')} with errors left out of the preview", err=True)
        sys.exit(EXIT_NOTE_ERRORS)
