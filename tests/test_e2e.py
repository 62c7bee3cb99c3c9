"""The installed command end to end: real processes, decks imported into the real Anki backend."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ankiutil import collection, import_apkg, notes_per_type
from click.testing import CliRunner

from sagenotes_anki.cli.commands import main

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "notes"
BIN = Path(sys.executable).parent  # the venv the tests run in: .venv/bin under `make test`
BROKEN_YAML = "---\ntitle: broken\ntags: [unclosed\n---\n# Broken\n"
GOOD_NOTE = "athena-parquet-performance.md"


def command(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``sagenotes-anki`` console script as a separate process."""
    return subprocess.run(
        [str(BIN / "sagenotes-anki"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def cli(*args: str) -> tuple[int, str]:
    """Run a command in-process; returns the exit status and stderr."""
    result = CliRunner().invoke(main, list(args), prog_name="sagenotes-anki")
    return result.exit_code, result.stderr


def summary_counts(stderr: str) -> dict[str, int]:
    """The `cards:` line of a build summary as note type -> count."""
    line = next(x for x in stderr.splitlines() if x.startswith("cards: "))
    counts = {}
    for part in line.removeprefix("cards: ").split(", "):
        name, _, number = part.rpartition(" ")
        counts[name] = int(number)
    return counts


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A copy of the project's notes/ folder (without a lock file)."""
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder, ignore=shutil.ignore_patterns("*.json"))
    return folder


@pytest.fixture
def broken(tmp_path: Path, seeds_dir: Path, corpus_dir: Path) -> Path:
    """The seeds as .md files, a broken-YAML note and one good corpus note."""
    folder = tmp_path / "broken"
    folder.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(seed, folder / f"{seed.stem}.md")
    (folder / "broken-yaml.md").write_text(BROKEN_YAML, encoding="utf-8")
    shutil.copy(corpus_dir / GOOD_NOTE, folder)
    return folder


class TestConsoleScript:
    """The installed entry points as real processes."""

    def test_console_script_builds_a_deck_anki_imports(self, notes: Path, tmp_path: Path) -> None:
        """`sagenotes-anki build` in a subprocess writes a deck Anki imports in full."""
        out = tmp_path / "deck.apkg"
        result = command("build", str(notes), "-o", str(out), "--deck-name", "AWS ML")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        expected = summary_counts(result.stderr)
        with collection(tmp_path / "anki") as col:
            counts = import_apkg(col, out)
            assert counts.new == sum(expected.values())
            assert notes_per_type(col) == expected
            assert "AWS ML" in [d.name for d in col.decks.all_names_and_ids()]

    def test_deck_from_make_deck_imports(self, tmp_path: Path) -> None:
        """build/sagenotes.apkg as `make deck` left it imports in full, all four note types."""
        made = ROOT / "build" / "sagenotes.apkg"
        if not made.is_file():
            pytest.skip("run `make deck` first (.ci/run does)")
        with collection(tmp_path / "anki") as col:
            counts = import_apkg(col, made)
            assert counts.new == counts.found > 0
            assert set(notes_per_type(col)) == {
                "SageNotes Concept",
                "SageNotes Trade-off",
                "SageNotes MCQ",
                "SageNotes Scenario",
            }

    def test_python_dash_m_check_json(self, broken: Path) -> None:
        """`python -m sagenotes_anki check --format json` reports the broken files, exit 1."""
        result = subprocess.run(
            [sys.executable, "-m", "sagenotes_anki", "check", str(broken), "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        report = json.loads(result.stdout)
        assert report["notes"] == 4
        bad = sorted({d["path"] for d in report["diagnostics"] if d["severity"] == "error"})
        assert bad == ["000_d8494e099e94598c.md", "001_b1a5f9bfba5b1302.md", "broken-yaml.md"]

    def test_version_of_both_entry_points(self) -> None:
        """The script and `python -m` report the same version."""
        script = command("--version").stdout
        module = subprocess.run(
            [sys.executable, "-m", "sagenotes_anki", "--version"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert script == module == "sagenotes-anki, version 0.1.0\n"

    def test_usage_error_is_one_line_without_traceback(self, tmp_path: Path) -> None:
        """A missing folder, in a real process: one stderr line, exit 2."""
        result = command("build", str(tmp_path / "missing"))
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"Error: notes folder not found: {tmp_path / 'missing'}"
        ]


class TestBrokenFolder:
    """A folder with mis-encoded and broken notes."""

    def test_failed_build_leaves_previous_deck_byte_identical(
        self, broken: Path, tmp_path: Path
    ) -> None:
        """A deck built earlier stays byte for byte as it was when the next build has errors."""
        out = tmp_path / "deck.apkg"
        good_only = tmp_path / "good"
        good_only.mkdir()
        shutil.copy(broken / GOOD_NOTE, good_only)
        assert cli("build", str(good_only), "-o", str(out))[0] == 0
        before = out.read_bytes()
        status, stderr = cli("build", str(broken), "-o", str(out))
        assert status == 1
        assert "nothing written" in stderr
        assert out.read_bytes() == before

    def test_keep_going_deck_holds_the_good_note_only(self, broken: Path, tmp_path: Path) -> None:
        """--keep-going writes the good note's cards, the same as building that note alone."""
        status, stderr = cli(
            "build", str(broken), "-o", str(tmp_path / "kept.apkg"), "--keep-going"
        )
        assert status == 1
        assert stderr.count(": error: ") == 3
        alone = tmp_path / "alone"
        alone.mkdir()
        shutil.copy(broken / GOOD_NOTE, alone)
        assert cli("build", str(alone), "-o", str(tmp_path / "alone.apkg"))[0] == 0
        with collection(tmp_path / "a") as kept, collection(tmp_path / "b") as reference:
            assert import_apkg(kept, tmp_path / "kept.apkg").new > 0
            import_apkg(reference, tmp_path / "alone.apkg")
            assert notes_per_type(kept) == notes_per_type(reference)
            fields = " ".join(" ".join(kept.get_note(n).fields) for n in kept.find_notes(""))
            assert "ë" not in fields and "broken" not in fields.lower()


class TestOptionsInAnki:
    """Options checked where they matter: in a real Anki collection."""

    def test_settings_file_deck_and_vault_with_cli_override(
        self, notes: Path, tmp_path: Path
    ) -> None:
        """sagenotes.toml names deck and vault; --deck-name on the command wins."""
        (notes / "sagenotes.toml").write_text(
            'deck-name = "From file"\nvault-name = "mercury db"\n', encoding="utf-8"
        )
        assert cli("build", str(notes), "-o", str(tmp_path / "a.apkg"))[0] == 0
        assert (
            cli("build", str(notes), "-o", str(tmp_path / "b.apkg"), "--deck-name", "CLI")[0] == 0
        )
        with collection(tmp_path / "a") as col:
            import_apkg(col, tmp_path / "a.apkg")
            names = [d.name for d in col.decks.all_names_and_ids()]
            assert "From file" in names
            fields = [col.get_note(n).joined_fields() for n in col.find_notes("")]
            assert all("obsidian://open?vault=mercury%20db" in f for f in fields)
        with collection(tmp_path / "b") as col:
            import_apkg(col, tmp_path / "b.apkg")
            names = [d.name for d in col.decks.all_names_and_ids()]
            assert "CLI" in names and "From file" not in names

    def test_vault_name_option_links_back_to_obsidian(self, notes: Path, tmp_path: Path) -> None:
        """--vault-name puts an obsidian://open link to the source note on every card."""
        status, _ = cli(
            "build", str(notes), "-o", str(tmp_path / "v.apkg"), "--vault-name", "My Vault"
        )
        assert status == 0
        with collection(tmp_path / "v") as col:
            import_apkg(col, tmp_path / "v.apkg")
            fields = [col.get_note(n).joined_fields() for n in col.find_notes("")]
            assert fields
            assert all("obsidian://open?vault=My%20Vault&amp;file=" in f for f in fields)

    def test_cards_option(self, notes: Path, tmp_path: Path) -> None:
        """--cards keypoint (the old name of scenario) makes the key points' scenario notes
        only."""
        assert (
            cli("build", str(notes), "-o", str(tmp_path / "k.apkg"), "--cards", "keypoint")[0] == 0
        )
        with collection(tmp_path / "k") as col:
            import_apkg(col, tmp_path / "k.apkg")
            assert notes_per_type(col) == {"SageNotes Scenario": 2}


class TestRebuildCycle:
    """Build, import, edit, rebuild, re-import."""

    def test_summary_matches_what_anki_does(self, notes: Path, tmp_path: Path) -> None:
        """The build summary's changed/removed counts are what Anki sees on re-import."""
        out = tmp_path / "deck.apkg"
        note = notes / "sagemaker-processing-vs-batch-transform.md"
        assert cli("build", str(notes), "-o", str(out))[0] == 0
        with collection(tmp_path / "anki") as col:
            first = import_apkg(col, out)
            status, stderr = cli("build", str(notes), "-o", str(out))
            assert status == 0 and "up to date" in stderr
            again = import_apkg(col, out)
            assert (again.new, again.updated) == (0, 0)

            text = note.read_text(encoding="utf-8")
            concepts = text[text.index("## 🔍 주요개념") :]
            line = next(x for x in concepts.splitlines() if x.startswith("- **"))
            edited = text.replace(line, line + " (edited)", 1)
            note.write_text(edited, encoding="utf-8")
            status, stderr = cli("build", str(notes), "-o", str(out))
            assert status == 0 and " 0 new, 1 changed," in stderr
            changed = import_apkg(col, out)
            assert (changed.new, changed.updated) == (0, 1)

            note.write_text(edited.replace(line, "", 1), encoding="utf-8")
            status, stderr = cli("build", str(notes), "-o", str(out))
            assert status == 0 and "1 removed" in stderr
            removed = import_apkg(col, out)
            assert removed.new == 0
            assert len(col.find_notes("")) == first.new
            assert len(col.find_notes("tag:sagenotes::removed")) == 1


class TestMakefile:
    """The Makefile's deck target."""

    def test_make_deck_rebuilds_only_on_change(self, notes: Path, tmp_path: Path) -> None:
        """`make deck` builds, then idles until a note is edited or deleted."""
        if shutil.which("make") is None:
            pytest.skip("make is not installed")
        deck = tmp_path / "out" / "deck.apkg"
        # -o: never reinstall the venv from a test; TOOL: the script of the venv under test.
        args = [
            "make",
            "-C",
            str(ROOT),
            "-o",
            ".venv/.installed",
            f"NOTES={notes}",
            f"DECK={deck}",
            f"TOOL={BIN / 'sagenotes-anki'}",
            "deck",
        ]

        def make() -> str:
            """Run `make deck`; its output."""
            done = subprocess.run(args, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            return done.stdout

        def settle() -> None:
            """Date the notes well before the deck, so only the next change is newer."""
            now = time.time()
            for path in [notes, *notes.rglob("*")]:
                os.utime(path, (now - 100, now - 100))
            os.utime(deck, (now - 50, now - 50))

        assert "sagenotes-anki build" in make()
        assert deck.is_file()
        assert "Nothing to be done" in make()
        settle()
        note = notes / "sagemaker-components-ml-workflow.md"
        note.write_text(note.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert "sagenotes-anki build" in make()
        assert "Nothing to be done" in make()
        settle()
        note.unlink()
        assert "sagenotes-anki build" in make()
