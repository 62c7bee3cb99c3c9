"""Settings from ``[tool.sagenotes-anki]`` / ``sagenotes.toml`` and their merge with options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sagenotes_anki import codes
from sagenotes_anki.build import CARD_KINDS, BuildOptions
from sagenotes_anki.cards.notetypes import DEFAULT_CARD_KINDS
from sagenotes_anki.config import Config, ConfigError, find_config, load_config


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TestLookup:
    """Which settings file applies to a notes folder."""

    def test_no_file_gives_defaults(self, tmp_path: Path) -> None:
        """A folder with no settings file anywhere above it builds with the defaults."""
        notes = tmp_path / "notes"
        notes.mkdir()
        assert load_config(notes).options() == BuildOptions()

    def test_sagenotes_toml_in_notes_folder(self, tmp_path: Path) -> None:
        """Top-level keys of NOTES_DIR/sagenotes.toml are read."""
        notes = tmp_path / "notes"
        write(notes / "sagenotes.toml", 'deck-name = "AWS ML"\nvault-name = "mercurydb"\n')
        options = load_config(notes).options()
        assert options.deck_name == "AWS ML"
        assert options.vault_name == "mercurydb"

    def test_nearest_pyproject_in_a_parent(self, tmp_path: Path) -> None:
        """The [tool.sagenotes-anki] table of the pyproject.toml above the notes is read."""
        write(tmp_path / "pyproject.toml", '[tool.sagenotes-anki]\ndeck-name = "From parent"\n')
        notes = tmp_path / "vault" / "notes"
        notes.mkdir(parents=True)
        assert load_config(notes).deck_name == "From parent"
        assert load_config(notes).source == tmp_path / "pyproject.toml"

    def test_only_the_nearest_pyproject_counts(self, tmp_path: Path) -> None:
        """A nearer pyproject.toml without the table hides the settings of an outer one."""
        write(tmp_path / "pyproject.toml", '[tool.sagenotes-anki]\ndeck-name = "Outer"\n')
        write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "x"\n')
        notes = tmp_path / "inner" / "notes"
        notes.mkdir()
        assert load_config(notes).deck_name is None

    def test_sagenotes_toml_wins_over_pyproject(self, tmp_path: Path) -> None:
        """The file in the notes folder is more specific than a project's pyproject.toml."""
        write(tmp_path / "pyproject.toml", '[tool.sagenotes-anki]\ndeck-name = "Project"\n')
        notes = tmp_path / "notes"
        write(notes / "sagenotes.toml", 'deck-name = "Notes"\n')
        assert find_config(notes) == (notes / "sagenotes.toml", ())
        assert load_config(notes).deck_name == "Notes"


class TestValues:
    """Values from the file, and the command line winning over them."""

    def test_every_key(self, tmp_path: Path) -> None:
        """All six keys land in BuildOptions."""
        notes = tmp_path / "notes"
        write(
            notes / "sagenotes.toml",
            'deck-name = "D"\nvault-name = "V"\ncard-kinds = ["concept", "MCQ"]\n'
            "strict = true\nkeep-going = true\n"
            '[section-aliases]\nconcepts = ["용어 정리"]\nanswer = ["Solution"]\n',
        )
        options = load_config(notes).options()
        assert options.deck_name == "D"
        assert options.vault_name == "V"
        assert options.card_kinds == frozenset({"concept", "mcq"})
        assert options.strict is True
        assert options.keep_going is True
        assert dict(options.section_aliases) == {
            "concepts": ("용어 정리",),
            "answer": ("Solution",),
        }

    def test_command_line_wins(self, tmp_path: Path) -> None:
        """An override that is not None replaces the file's value; None leaves it."""
        config = Config(deck_name="File", strict=True, vault_name="V")
        options = config.options(deck_name="CLI", strict=False, vault_name=None)
        assert (options.deck_name, options.strict, options.vault_name) == ("CLI", False, "V")

    def test_unset_keys_keep_library_defaults(self) -> None:
        """Keys the file does not set keep BuildOptions' own defaults."""
        options = Config(deck_name="Only this").options()
        assert options.card_kinds == DEFAULT_CARD_KINDS == CARD_KINDS - {"concept-reversed"}
        assert options.strict is False


class TestErrors:
    """A bad settings file is one clear message."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('deck = "x"\n', "unknown key 'deck'"),
            ("deck-name = 3\n", "deck-name must be a non-empty string"),
            ('deck-name = ""\n', "deck-name must be a non-empty string"),
            ('strict = "yes"\n', "strict must be true or false"),
            ("keep-going = 1\n", "keep-going must be true or false"),
            ('card-kinds = "concept"\n', "card-kinds must be a list of strings"),
            ('card-kinds = ["concept", "cloze"]\n', "unknown card kind 'cloze'"),
            ("card-kinds = []\n", "name at least one card kind"),
            ('section-aliases = ["x"]\n', "section-aliases must be a table"),
            ('[section-aliases]\nglossary = ["x"]\n', "unknown section kind 'glossary'"),
            ('[section-aliases]\nconcepts = "x"\n', "section-aliases.concepts must be a list"),
            ("deck-name = \n", "invalid TOML"),
        ],
    )
    def test_bad_file_names_file_and_key(self, tmp_path: Path, text: str, expected: str) -> None:
        """Every bad value is one message that names the file and what is wrong."""
        path = write(tmp_path / "notes" / "sagenotes.toml", text)
        with pytest.raises(ConfigError) as caught:
            load_config(tmp_path / "notes")
        message = str(caught.value)
        assert message.startswith(f"{path}: ")
        assert expected in message
        assert "\n" not in message

    def test_tool_entry_not_a_table(self, tmp_path: Path) -> None:
        """`tool.sagenotes-anki = 3` in a pyproject.toml is rejected, not ignored."""
        write(tmp_path / "pyproject.toml", "[tool]\nsagenotes-anki = 3\n")
        (tmp_path / "notes").mkdir()
        with pytest.raises(ConfigError, match="must be a table"):
            load_config(tmp_path / "notes")


class TestReadme:
    """The README stays true to the code."""

    def test_readme_example_is_a_valid_settings_file(self, tmp_path: Path) -> None:
        """The sagenotes.toml shown in the README loads without an error."""
        readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
        start = readme.index("```toml\n") + len("```toml\n")
        example = readme[start : readme.index("```", start)]
        write(tmp_path / "notes" / "sagenotes.toml", example)
        options = load_config(tmp_path / "notes").options()
        assert options.deck_name == "AWS ML Specialty"
        assert "concepts" in options.section_aliases

    def test_readme_explains_every_diagnostic_code(self) -> None:
        """Each code in sagenotes_anki.codes has a row in the README's troubleshooting table."""
        readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
        for name in dir(codes):
            value = getattr(codes, name)
            if name.isupper() and isinstance(value, str):
                assert f"\n| {value} |" in readme, f"{name} ({value}) is not in the README"

    def test_readme_links_point_to_files(self) -> None:
        """Every relative link and image in the README names a file of the repository."""
        root = Path(__file__).resolve().parent.parent
        readme = (root / "README.md").read_text(encoding="utf-8")
        targets = re.findall(r"\]\(([^)#\s]+)\)", readme) + re.findall(r'src="([^"]+)"', readme)
        local = [t for t in targets if "://" not in t]
        assert "docs/screenshots/mcq-back-light.png" in local
        missing = [t for t in local if not (root / t).exists()]
        assert missing == []
