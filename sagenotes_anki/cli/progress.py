"""A progress bar on stderr for the CLI, drawn only when stderr is a terminal."""

from __future__ import annotations

from types import TracebackType
from typing import Any, TextIO

import click

LABELS = {"read": "reading notes", "build": "building cards"}


class TerminalProgress:
    """A ``progress(stage, done, total)`` callback that draws one bar per stage.

    Off a terminal (a pipe, a CI log, CliRunner) it draws nothing at all, so logs hold only
    diagnostics and the summary.
    """

    def __init__(self, stream: TextIO, enabled: bool | None = None) -> None:
        """Draw on ``stream``; ``enabled=None`` means "only if it is a terminal"."""
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self._stage: str | None = None
        self._bar: Any = None  # click's ProgressBar; its type is private to click
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Move the bar of ``stage`` to ``done`` of ``total``."""
        if not self.enabled or total <= 0:
            return
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._done = 0
            self._bar = click.progressbar(
                length=total, label=LABELS.get(stage, stage), file=self.stream, width=30
            )
            self._bar.__enter__()
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def close(self) -> None:
        """Finish the current bar so the next line of output starts clean."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._stage = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
