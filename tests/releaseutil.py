"""An earlier release of this package, unpacked from the repository's own history and run as
a learner ran it: ``python -m sagenotes_anki build`` with that release on ``PYTHONPATH``.

Used by the upgrade tests: a deck built by a release learners already have, then by this
code, must keep every card and its history.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def unpack_release(commit: str, where: Path) -> Path:
    """The package as it was at ``commit``, unpacked into ``where`` (skips the test when
    this clone's history does not hold it)."""
    where.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "sagenotes_anki"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"the release {commit} is not in this clone's history")
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where


def build_with_release(release: Path, notes: Path, out: Path, epoch: int, home: Path) -> None:
    """``sagenotes-anki build notes -o out`` run by the unpacked ``release``."""
    run = subprocess.run(
        [sys.executable, "-m", "sagenotes_anki", "build", str(notes), "-o", str(out)],
        cwd=release,
        env={"PYTHONPATH": str(release), "SOURCE_DATE_EPOCH": str(epoch), "HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
