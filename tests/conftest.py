"""Shared fixtures: where the real corpus and the damaged seeds are."""

from __future__ import annotations

from pathlib import Path

import pytest

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
