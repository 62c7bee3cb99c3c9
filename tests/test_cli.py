"""The ``sagenotes-anki`` commands through click's CliRunner: options, output, exit status."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sagenotes_anki import codes
from sagenotes_anki.cli.commands import main
from sagenotes_anki.cli.progress import TerminalProgress
from sagenotes_anki.cli.summary import human_size, plural

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "notes"
NOTE_TYPES = ("SageNotes Concept", "SageNotes Trade-off", "SageNotes MCQ", "SageNotes Scenario")

BROKEN_YAML = "---\ntitle: broken\ntags: [unclosed\n---\n# Broken\n\n## 🎯 핵심 포인트\n\nx\n"
NO_ANSWER = """---
title: no-answer
tags: [service/sagemaker]
---
# No answer

## 🎯 핵심 포인트

SageMaker Processing 으로 전처리한다.

## 📝 관련 문제

**Question:** Which service preprocesses images before training?

**Options:**
- A) SageMaker Processing
- B) SageMaker Batch Transform
"""
FREE_FORM = "---\ntitle: whitepaper\n---\n# Whitepaper\n\nLong prose with no template.\n"


def run(*args: str) -> Result:
    """Invoke the command group the way a shell would."""
    return CliRunner().invoke(main, list(args), prog_name="sagenotes-anki")


def _build_printing(expression: str, notes: Path, out: Path) -> list[str]:
    """A command that runs ``build NOTES -o OUT -q`` in a fresh Python, then prints
    ``expression`` (evaluated with ``sys`` imported): what the build left loaded, say."""
    probe = (
        "import sys\n"
        "from sagenotes_anki.cli.commands import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print({expression})\n"
    )
    return [sys.executable, "-c", probe, "build", str(notes), "-o", str(out), "-q"]


def one_error_line(result: Result) -> str:
    """The single line a usage error prints; fails on tracebacks or extra lines."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A notes folder with the two clean notes this project started from."""
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder, ignore=shutil.ignore_patterns("*.json", "*.toml"))
    return folder


@pytest.fixture
def broken(tmp_path: Path, seeds_dir: Path, corpus_dir: Path) -> Path:
    """The two mis-encoded seeds as .md, a broken-YAML note and one good corpus note."""
    folder = tmp_path / "broken"
    folder.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(seed, folder / f"{seed.stem}.md")
    (folder / "broken-yaml.md").write_text(BROKEN_YAML, encoding="utf-8")
    shutil.copy(corpus_dir / "athena-parquet-performance.md", folder)
    return folder


class TestHelpAndVersion:
    """--help and --version."""

    def test_version(self) -> None:
        """--version prints the installed package version."""
        result = run("--version")
        assert result.exit_code == 0
        assert result.output.strip() == "sagenotes-anki, version 0.1.0"

    @pytest.mark.parametrize("command", [[], ["build"], ["check"], ["preview"]])
    def test_every_help_has_an_example_and_exit_codes(self, command: list[str]) -> None:
        """Each --help shows a runnable example and the exit statuses."""
        result = run(*command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output
        assert f"sagenotes-anki {command[0] if command else 'build'} notes/" in result.output
        assert "2  usage error" in result.output

    def test_no_command_lists_commands(self) -> None:
        """Without a command the group lists build, check and preview."""
        result = run("--help")
        for name in ("build", "check", "preview"):
            assert f"  {name}" in result.output


class TestUsageErrors:
    """Usage errors: one line on stderr, exit status 2, nothing built."""

    @pytest.mark.parametrize("command", ["build", "check", "preview"])
    def test_missing_folder(self, tmp_path: Path, command: str) -> None:
        """A notes folder that does not exist: one line naming it, exit 2."""
        result = run(command, str(tmp_path / "nowhere"))
        assert result.exit_code == 2
        assert "notes folder not found" in one_error_line(result)

    def test_file_instead_of_folder(self, tmp_path: Path) -> None:
        """A file given as NOTES_DIR: one line, exit 2."""
        note = tmp_path / "a.md"
        note.write_text("# a\n", encoding="utf-8")
        result = run("check", str(note))
        assert result.exit_code == 2
        assert "not a folder" in one_error_line(result)

    @pytest.mark.parametrize("command", ["build", "check"])
    def test_folder_without_notes(self, tmp_path: Path, command: str) -> None:
        """A folder with no Markdown files: one line, exit 2, nothing written."""
        (tmp_path / "empty").mkdir()
        (tmp_path / "empty" / "readme.txt").write_text("no notes here", encoding="utf-8")
        out = tmp_path / "out.apkg"
        result = run(command, str(tmp_path / "empty"), *(["-o", str(out)] * (command == "build")))
        assert result.exit_code == 2
        one_error_line(result)
        assert not out.exists()

    def test_output_under_a_file(self, good: Path, tmp_path: Path) -> None:
        """An output path whose folder is a file cannot be written: one line, exit 2."""
        blocker = tmp_path / "blocker"
        blocker.write_text("x", encoding="utf-8")
        result = run("build", str(good), "-o", str(blocker / "deck.apkg"))
        assert result.exit_code == 2
        assert str(blocker) in one_error_line(result)

    def test_output_is_a_folder(self, good: Path, tmp_path: Path) -> None:
        """An output path that is an existing folder: one line, exit 2."""
        (tmp_path / "deck.apkg").mkdir()
        result = run("build", str(good), "-o", str(tmp_path / "deck.apkg"))
        assert result.exit_code == 2
        one_error_line(result)

    def test_unknown_option(self, good: Path) -> None:
        """An unknown option is click's usage error, exit 2."""
        result = run("build", str(good), "--colour")
        assert result.exit_code == 2
        assert "No such option" in result.stderr

    def test_bad_format(self, good: Path) -> None:
        """check --format accepts only text and json."""
        result = run("check", str(good), "--format", "xml")
        assert result.exit_code == 2

    def test_unknown_card_kind(self, good: Path, tmp_path: Path) -> None:
        """--cards with an unknown kind names it and the valid ones."""
        result = run("build", str(good), "-o", str(tmp_path / "d.apkg"), "--cards", "cloze")
        assert result.exit_code == 2
        line = one_error_line(result)
        assert "'cloze'" in line and "scenario" in line
        assert not (tmp_path / "d.apkg").exists()

    def test_empty_deck_name(self, good: Path, tmp_path: Path) -> None:
        """An empty --deck-name is refused before anything is built."""
        result = run("build", str(good), "-o", str(tmp_path / "d.apkg"), "--deck-name", " ")
        assert result.exit_code == 2
        assert "--deck-name" in one_error_line(result)
        assert not (tmp_path / "d.apkg").exists()

    @pytest.mark.parametrize("command", ["build", "check", "preview"])
    def test_bad_settings_file(self, good: Path, command: str) -> None:
        """A wrong type in sagenotes.toml: one line naming the file and key, exit 2."""
        (good / "sagenotes.toml").write_text("strict = 1\n", encoding="utf-8")
        result = run(command, str(good))
        assert result.exit_code == 2
        line = one_error_line(result)
        assert "sagenotes.toml" in line and "strict" in line


class TestCheck:
    """`check`: diagnostics as text or JSON, and its exit status."""

    def test_clean_notes_text(self, good: Path) -> None:
        """The two project notes have no error: exit 0 and a one-line summary."""
        result = run("check", str(good))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().splitlines()[-1].startswith("2 notes checked: 0 errors, ")

    def test_json_on_broken_folder(self, broken: Path) -> None:
        """JSON lists every problem with paths relative to NOTES_DIR; errors mean exit 1."""
        result = run("check", str(broken), "--format", "json")
        assert result.exit_code == 1
        report = json.loads(result.stdout)
        assert report["notes"] == 4
        assert set(report) == {"notes", "diagnostics"}
        errors = {(d["path"], d["code"]) for d in report["diagnostics"] if d["severity"] == "error"}
        assert errors == {
            ("000_d8494e099e94598c.md", codes.MIS_ENCODED),
            ("001_b1a5f9bfba5b1302.md", codes.MIS_ENCODED),
            ("broken-yaml.md", codes.FRONT_MATTER),
        }
        for d in report["diagnostics"]:
            assert set(d) == {"path", "line", "severity", "code", "message"}
            assert d["severity"] in {"error", "warning", "info"}
            assert not Path(d["path"]).is_absolute()
            assert isinstance(d["line"], int) and d["message"]

    def test_text_on_broken_folder(self, broken: Path) -> None:
        """Text form: one `path:line: severity: message [code]` line per problem, exit 1."""
        result = run("check", str(broken))
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert any(
            line.startswith("broken-yaml.md:") and ": error: " in line and "[E003]" in line
            for line in lines
        )
        assert lines[-1].startswith("4 notes checked: 3 errors")

    def test_strict_fails_on_warning(self, good: Path) -> None:
        """A warning alone exits 0; with --strict it exits 1."""
        (good / "no-answer.md").write_text(NO_ANSWER, encoding="utf-8")
        assert run("check", str(good)).exit_code == 0
        result = run("check", str(good), "--strict")
        assert result.exit_code == 1
        assert f"[{codes.QUESTION_WITHOUT_ANSWER}]" in result.stdout

    def test_quiet_and_verbose(self, good: Path) -> None:
        """-q prints errors only (no summary); -v adds informational diagnostics."""
        (good / "whitepaper.md").write_text(FREE_FORM, encoding="utf-8")
        (good / "no-answer.md").write_text(NO_ANSWER, encoding="utf-8")
        normal = run("check", str(good)).stdout
        assert codes.QUESTION_WITHOUT_ANSWER in normal and codes.FREE_FORM_NOTE not in normal
        assert codes.FREE_FORM_NOTE in run("check", str(good), "-v").stdout
        assert run("check", str(good), "-q").stdout == ""


class TestBuild:
    """`build`: the deck, the summary, and every option."""

    def test_builds_and_summarises(self, good: Path, tmp_path: Path) -> None:
        """A clean build writes the deck and reports notes, cards per type, changes, size."""
        out = tmp_path / "out" / "deck.apkg"
        result = run("build", str(good), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
        summary = result.stderr
        assert "notes read: 2" in summary
        for name in NOTE_TYPES:
            assert name in summary
        assert "0 changed, 0 unchanged, 0 removed" in summary
        assert f"wrote {out}" in summary
        assert result.stdout == ""

    def test_up_to_date_build_loads_no_parser(self, good: Path, tmp_path: Path) -> None:
        """A rebuild with nothing changed answers without loading the parser or genanki
        (their import is most of a no-op rebuild's time)."""
        out = tmp_path / "deck.apkg"
        heavy = "('mistune', 'genanki', 'yaml', 'frontmatter', 'nh3')"
        command = _build_printing(f"sorted(m for m in {heavy} if m in sys.modules)", good, out)
        first = subprocess.run(command, capture_output=True, text=True, check=True)
        assert "mistune" in first.stdout  # a real build does parse
        again = subprocess.run(command, capture_output=True, text=True, check=True)
        assert again.stdout.strip() == "[]", again.stdout + again.stderr

    def test_a_rebuild_after_an_edit_loads_no_genanki(self, good: Path, tmp_path: Path) -> None:
        """The empty collection genanki made is kept in the cache: a rebuild that writes
        the package again starts from it without importing genanki."""
        out = tmp_path / "deck.apkg"
        command = _build_printing("'genanki' in sys.modules", good, out)
        first = subprocess.run(command, capture_output=True, text=True, check=True)
        assert first.stdout.strip() == "True"  # the first build has genanki make it
        note = next(good.glob("*.md"))
        text = note.read_text(encoding="utf-8")
        note.write_text(
            text.replace("## 🎯 핵심 포인트\n", "## 🎯 핵심 포인트\n고침 ", 1), encoding="utf-8"
        )
        before = out.read_bytes()
        again = subprocess.run(command, capture_output=True, text=True, check=True)
        assert out.read_bytes() != before  # written again...
        assert again.stdout.strip() == "False", again.stdout + again.stderr  # ...without it

    def test_second_build_is_up_to_date(self, good: Path, tmp_path: Path) -> None:
        """Rebuilding unchanged notes says up to date and leaves the file byte-identical."""
        out = tmp_path / "deck.apkg"
        assert run("build", str(good), "-o", str(out)).exit_code == 0
        before = out.read_bytes()
        result = run("build", str(good), "-o", str(out))
        assert result.exit_code == 0
        assert "up to date" in result.stderr
        assert " 0 new, 0 changed" in result.stderr
        assert out.read_bytes() == before

    def test_errors_leave_previous_output_untouched(self, broken: Path, tmp_path: Path) -> None:
        """With an error and no --keep-going: exit 1, all errors shown, old file unchanged."""
        out = tmp_path / "deck.apkg"
        out.write_bytes(b"the previous deck")
        result = run("build", str(broken), "-o", str(out))
        assert result.exit_code == 1
        assert out.read_bytes() == b"the previous deck"
        assert result.stderr.count(": error: ") == 3
        assert "nothing written because of 3 errors" in result.stderr

    def test_keep_going_writes_good_notes(self, broken: Path, tmp_path: Path) -> None:
        """--keep-going writes a deck from the good note and still exits 1."""
        out = tmp_path / "deck.apkg"
        result = run("build", str(broken), "-o", str(out), "--keep-going")
        assert result.exit_code == 1
        assert out.is_file() and out.stat().st_size > 0
        assert f"wrote {out}" in result.stderr
        assert "notes with errors left out" in result.stderr

    def test_strict_writes_nothing_on_warning(self, good: Path, tmp_path: Path) -> None:
        """--strict turns a warning into a failed build: exit 1, no file."""
        (good / "no-answer.md").write_text(NO_ANSWER, encoding="utf-8")
        out = tmp_path / "deck.apkg"
        result = run("build", str(good), "-o", str(out), "--strict")
        assert result.exit_code == 1
        assert not out.exists()
        assert "warnings with --strict" in result.stderr
        assert run("build", str(good), "-o", str(out)).exit_code == 0
        assert out.exists()

    def test_settings_strict_overridden_by_no_strict(self, good: Path, tmp_path: Path) -> None:
        """strict = true in sagenotes.toml fails on a warning; --no-strict on the command wins."""
        (good / "no-answer.md").write_text(NO_ANSWER, encoding="utf-8")
        (good / "sagenotes.toml").write_text("strict = true\n", encoding="utf-8")
        out = tmp_path / "deck.apkg"
        assert run("build", str(good), "-o", str(out)).exit_code == 1
        assert run("build", str(good), "-o", str(out), "--no-strict").exit_code == 0

    def test_removed_items_kept_then_forgotten(self, good: Path, tmp_path: Path) -> None:
        """A deleted concept is reported removed, then kept; --forget-removed drops it."""
        out = str(tmp_path / "d.apkg")
        assert run("build", str(good), "-o", out).exit_code == 0
        note = good / "sagemaker-processing-vs-batch-transform.md"
        text = note.read_text(encoding="utf-8")
        concepts = text[text.index("## 🔍 주요개념") :]
        line = next(x for x in concepts.splitlines() if x.startswith("- **"))
        note.write_text(text.replace(line + "\n", "", 1), encoding="utf-8")
        assert " 1 removed" in run("build", str(good), "-o", out).stderr
        kept = run("build", str(good), "-o", out).stderr
        assert " 0 removed (+1 removed earlier, still tagged sagenotes::removed)" in kept
        forgotten = run("build", str(good), "-o", out, "--forget-removed")
        assert forgotten.exit_code == 0
        assert "removed earlier" not in forgotten.stderr
        assert "removed earlier" not in run("build", str(good), "-o", out).stderr

    def test_settings_keep_going_overridden_by_no_keep_going(
        self, broken: Path, tmp_path: Path
    ) -> None:
        """keep-going = true in sagenotes.toml writes a deck; --no-keep-going writes none."""
        (broken / "sagenotes.toml").write_text("keep-going = true\n", encoding="utf-8")
        out = tmp_path / "d.apkg"
        assert run("build", str(broken), "-o", str(out), "--no-keep-going").exit_code == 1
        assert not out.exists()
        assert run("build", str(broken), "-o", str(out)).exit_code == 1
        assert out.is_file()

    def test_quiet_prints_nothing_on_success(self, good: Path, tmp_path: Path) -> None:
        """-q: a clean build prints nothing at all."""
        result = run("build", str(good), "-o", str(tmp_path / "d.apkg"), "-q")
        assert result.exit_code == 0
        assert result.output == ""

    def test_quiet_prints_errors_only(self, broken: Path, tmp_path: Path) -> None:
        """-q on a failing build prints exactly the error lines."""
        result = run("build", str(broken), "-o", str(tmp_path / "d.apkg"), "-q")
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 3 and all(": error: " in line for line in lines)

    def test_verbose_adds_info(self, good: Path, tmp_path: Path) -> None:
        """-v shows informational diagnostics that the default output leaves out."""
        (good / "whitepaper.md").write_text(FREE_FORM, encoding="utf-8")
        out = str(tmp_path / "d.apkg")
        assert codes.FREE_FORM_NOTE not in run("build", str(good), "-o", out).stderr
        assert codes.FREE_FORM_NOTE in run("build", str(good), "-o", out, "-v").stderr

    def test_verbose_names_the_settings_file(self, good: Path, tmp_path: Path) -> None:
        """-v says which settings file the build used."""
        (good / "sagenotes.toml").write_text('deck-name = "X"\n', encoding="utf-8")
        result = run("build", str(good), "-o", str(tmp_path / "d.apkg"), "-v")
        assert f"settings from {good / 'sagenotes.toml'}" in result.stderr

    def test_cards_option_limits_note_types(self, good: Path, tmp_path: Path) -> None:
        """--cards concept,mcq makes only those two note types."""
        result = run("build", str(good), "-o", str(tmp_path / "d.apkg"), "--cards", "concept,mcq")
        assert result.exit_code == 0, result.output
        cards_line = next(x for x in result.stderr.splitlines() if x.startswith("cards:"))
        assert "SageNotes Concept" in cards_line and "SageNotes MCQ" in cards_line
        assert "Scenario" not in cards_line and "Trade-off" not in cards_line

    def test_default_output_path(
        self, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without -o the deck goes to build/sagenotes.apkg under the working folder."""
        monkeypatch.chdir(tmp_path)
        result = run("build", str(good))
        assert result.exit_code == 0, result.output
        assert (tmp_path / "build" / "sagenotes.apkg").is_file()

    def test_parse_cache_beside_output_unless_disabled(self, good: Path, tmp_path: Path) -> None:
        """The parse cache lives beside the output; --no-cache keeps none there."""
        assert run("build", str(good), "-o", str(tmp_path / "a" / "d.apkg")).exit_code == 0
        assert (tmp_path / "a" / ".sagenotes-cache").is_dir()
        no_cache = run("build", str(good), "-o", str(tmp_path / "b" / "d.apkg"), "--no-cache")
        assert no_cache.exit_code == 0
        assert not (tmp_path / "b" / ".sagenotes-cache").exists()


class TestPreview:
    """`preview`: the HTML page of every card."""

    def test_writes_page_and_counts_cards(self, good: Path, tmp_path: Path) -> None:
        """preview writes one page and counts its cards: --cards mcq gives the one question."""
        out = tmp_path / "p" / "preview.html"
        result = run("preview", str(good), "-o", str(out), "--deck-name", "X", "--cards", "mcq")
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
        assert f"wrote {out}: 1 card\n" in result.stderr

    def test_vault_name(self, good: Path, tmp_path: Path) -> None:
        """preview honours --vault-name (links back to the notes)."""
        out = tmp_path / "preview.html"
        result = run("preview", str(good), "-o", str(out), "--vault-name", "mercurydb")
        assert result.exit_code == 0, result.output
        assert "obsidian://open?vault=mercurydb" in out.read_text(encoding="utf-8")


class TestSummaryText:
    """Small pieces of the printed summary."""

    @pytest.mark.parametrize(
        ("size", "text"),
        [(0, "0 B"), (1023, "1023 B"), (12_000, "11.7 KiB"), (3 * 1024 * 1024, "3.0 MiB")],
    )
    def test_sizes_read_like_a_person_would(self, size: int, text: str) -> None:
        """Output sizes are shown in B, KiB or MiB with one decimal."""
        assert human_size(size) == text

    def test_plural(self) -> None:
        """Counts agree with their noun."""
        assert [plural(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]


class FakeTerminal(io.StringIO):
    """A text stream that claims to be a terminal."""

    def isatty(self) -> bool:
        """Pretend to be a terminal."""
        return True


class TestProgress:
    """The progress bar on stderr."""

    def test_draws_on_a_terminal(self) -> None:
        """On a terminal each stage gets a labelled bar that reaches 100%."""
        stream = FakeTerminal()
        with TerminalProgress(stream) as progress:
            for done in range(5):
                progress("read", done + 1, 5)
            progress("build", 1, 1)
        text = stream.getvalue()
        assert "reading notes" in text and "building cards" in text
        assert "100%" in text

    def test_silent_off_a_terminal(self) -> None:
        """In a pipe or a log the callback draws nothing."""
        stream = io.StringIO()
        with TerminalProgress(stream) as progress:
            progress("read", 1, 2)
            progress("read", 2, 2)
        assert stream.getvalue() == ""
