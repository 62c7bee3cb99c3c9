"""Shared fixtures: where the real corpus and the damaged seeds are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "mercurydb"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The 251 real notes; tests that need them are skipped only if shared/ is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    return CORPUS


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The two mis-encoded documents the project started from."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS


# Corpus counts measured by tests/test_corpus.py, printed after the run (without -s).
_CORPUS_COUNTS = pytest.StashKey[dict[str, int]]()


@pytest.fixture(scope="session")
def corpus_counts(request: pytest.FixtureRequest) -> dict[str, int]:
    """A dict the corpus test fills; its contents are printed in the terminal summary."""
    return request.config.stash.setdefault(_CORPUS_COUNTS, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the corpus test counted."""
    counts = terminalreporter.config.stash.get(_CORPUS_COUNTS, {})
    if counts:
        terminalreporter.section("corpus counts")
        for name, value in counts.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for a test module (imported only by tests that ask for it)."""
    from browserutil import launch_chromium

    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh 390x844 page."""
    from browserutil import phone_page

    with phone_page(chromium) as new_page:
        yield new_page
