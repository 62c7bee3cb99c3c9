"""A folder of notes: walking, order, skipped files, errors and unique identities."""

from __future__ import annotations

from pathlib import Path

from sagenotes_anki import load_notes
from sagenotes_anki.parse.note import parse_file
from sagenotes_anki.source.walk import markdown_files

NOTE = "---\ntitle: {title}\n---\n# {title}\n\n## 🎯 핵심 포인트\n\n{title} 요점.\n"


def _write(folder: Path, relpath: str, text: str) -> None:
    path = folder / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class TestWalk:
    def test_hidden_folders_and_other_files_are_skipped(self, tmp_path: Path) -> None:
        """.obsidian, .trash, .git and non-.md files are not read."""
        _write(tmp_path, "b.md", NOTE.format(title="b"))
        _write(tmp_path, "a/c.md", NOTE.format(title="c"))
        _write(tmp_path, "A.MD", NOTE.format(title="upper"))
        for hidden in (".obsidian/x.md", ".trash/y.md", ".git/z.md", "a/.hidden/w.md"):
            _write(tmp_path, hidden, NOTE.format(title="hidden"))
        _write(tmp_path, "image.png", "png")
        _write(tmp_path, "notes.txt", "text")
        assert markdown_files(tmp_path) == ["A.MD", "a/c.md", "b.md"]
        vault = load_notes(tmp_path)
        assert vault.files == 3
        assert [n.path for n in vault.notes] == ["A.MD", "a/c.md", "b.md"]

    def test_progress_is_reported_per_file(self, tmp_path: Path) -> None:
        """The progress callback hears (done, total) once per file, in order."""
        for name in ("x", "y", "z"):
            _write(tmp_path, f"{name}.md", NOTE.format(title=name))
        calls: list[tuple[int, int]] = []
        load_notes(tmp_path, progress=lambda done, total: calls.append((done, total)))
        assert calls == [(1, 3), (2, 3), (3, 3)]

    def test_empty_folder(self, tmp_path: Path) -> None:
        """A folder without notes gives an empty vault, not an error."""
        vault = load_notes(tmp_path)
        assert (vault.notes, vault.diagnostics, vault.files) == ((), (), 0)


class TestErrors:
    def test_a_broken_file_gives_no_note_but_others_do(self, tmp_path: Path) -> None:
        """A file with an error is left out of notes and listed in errored_paths."""
        _write(tmp_path, "good.md", NOTE.format(title="good"))
        _write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\n# Bad\n")
        (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
        vault = load_notes(tmp_path)
        assert [n.path for n in vault.notes] == ["good.md"]
        assert vault.errored_paths == frozenset({"bad.md", "bin.md"})
        errors = [(d.path, d.code) for d in vault.diagnostics if d.severity == "error"]
        assert errors == [("bad.md", "E003"), ("bin.md", "E002")]

    def test_unreadable_file_is_an_error(self, tmp_path: Path) -> None:
        """A note that cannot be read (here a dangling link) gives E001 and no note."""
        (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
        vault = load_notes(tmp_path)
        assert vault.notes == ()
        assert [(d.path, d.code, d.line) for d in vault.diagnostics] == [("gone.md", "E001", 1)]
        assert vault.errored_paths == frozenset({"gone.md"})

    def test_diagnostics_sorted_by_path_then_line(self, tmp_path: Path) -> None:
        """Diagnostics come ordered by path, then line."""
        _write(tmp_path, "b.md", "# B\n\ntext\n")
        _write(tmp_path, "a.md", "")
        vault = load_notes(tmp_path)
        keys = [(d.path, d.line) for d in vault.diagnostics]
        assert keys == sorted(keys)
        assert [d.path for d in vault.diagnostics] == ["a.md", "b.md"]


class TestIdentities:
    def test_duplicate_title_keeps_it_for_the_named_file(self, tmp_path: Path) -> None:
        """The file named after the title keeps it; the copy takes its path; both warn."""
        _write(tmp_path, "lambda.md", NOTE.format(title="lambda"))
        _write(tmp_path, "old/lambda-v2.md", NOTE.format(title="lambda"))
        vault = load_notes(tmp_path)
        identities = {n.path: n.identity for n in vault.notes}
        assert identities == {"lambda.md": "lambda", "old/lambda-v2.md": "old/lambda-v2"}
        warnings = [d for d in vault.diagnostics if d.code == "W106"]
        assert [(d.path, d.line) for d in warnings] == [("lambda.md", 2), ("old/lambda-v2.md", 2)]
        assert all("old/lambda-v2.md" in d.message and "title" in d.message for d in warnings)

    def test_identities_stay_unique_when_a_path_is_someone_elses_title(
        self, tmp_path: Path
    ) -> None:
        """A renamed copy never collides with another note's title."""
        _write(tmp_path, "a.md", NOTE.format(title="x"))
        _write(tmp_path, "b.md", NOTE.format(title="x"))
        _write(tmp_path, "c.md", NOTE.format(title="a"))
        vault = load_notes(tmp_path)
        identities = [n.identity for n in vault.notes]
        assert len(set(identities)) == len(identities) == 3

    def test_untitled_note_uses_its_path(self, tmp_path: Path) -> None:
        """Without a front-matter title the identity is the path without .md."""
        _write(tmp_path, "dir/note.md", "# Note\n")
        assert [n.identity for n in load_notes(tmp_path).notes] == ["dir/note"]


class TestParseFile:
    def test_parse_file_is_pure_over_bytes(self) -> None:
        """parse_file needs only bytes and a path: the same input gives the same result."""
        data = NOTE.format(title="t").encode("utf-8")
        assert parse_file(data, "t.md") == parse_file(data, "t.md")
        result = parse_file(data, "t.md")
        assert result.note is not None
        assert result.note.key_point.plain() == "t 요점."
