"""Images in notes reach the deck: found as Obsidian finds them, packed once under flat,
stable names, shown scaled on the card; what cannot be shown is said, with path and line.

Real files, the real build, the package's own zip read back (the import into Anki and the
phone are in test_media_anki.py and test_sync.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from sagenotes_anki.build import BuildOptions, BuildReport, build
from sagenotes_anki.model import Diagnostic

TEMPLATE = """# {title}

## 🎯 핵심 포인트

{key_point}

## 🔍 주요개념

- **Term**: {concept}
"""


def png(path: Path, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small PNG of one colour at ``path``; its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 4), color).save(path)
    return path.read_bytes()


def note(vault: Path, relpath: str, key_point: str, concept: str = "plain") -> None:
    path = vault / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(title=path.stem, key_point=key_point, concept=concept))


def run(vault: Path, tmp: Path, cache: bool = True) -> BuildReport:
    options = BuildOptions(cache_dir=tmp / "cache" if cache else None, timestamp=1_700_000_000)
    return build(vault, tmp / "out" / "deck.apkg", options)


def packed(tmp: Path) -> tuple[dict[str, bytes], list[str]]:
    """The package's media (name -> bytes) and every note's fields."""
    with zipfile.ZipFile(tmp / "out" / "deck.apkg") as z:
        mapping = json.loads(z.read("media"))
        media = {name: z.read(index) for index, name in mapping.items()}
        db = tmp / "col.anki2"
        db.write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        fields = [str(f) for (f,) in conn.execute("select flds from notes order by id")]
    return media, fields


def codes(report: BuildReport) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.code) for d in report.diagnostics if d.code != "W104"]


def said(report: BuildReport, code: str) -> Diagnostic:
    return next(d for d in report.diagnostics if d.code == code)


class TestFound:
    def test_shortest_path_embed_is_found_by_name_and_packed(self, tmp_path: Path) -> None:
        """``![[diagram.png]]`` with the file in attachments/ (Obsidian's shortest path)."""
        vault = tmp_path / "v"
        data = png(vault / "attachments" / "diagram.png")
        note(vault, "topic/a.md", "See ![[diagram.png]] here.")
        report = run(vault, tmp_path)
        assert codes(report) == []
        media, fields = packed(tmp_path)
        assert list(media.values()) == [data]
        (name,) = media
        assert f'<img src="{name}" alt="diagram.png">' in fields[0]

    def test_the_note_folder_comes_first_then_the_root_then_the_name(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        beside = png(vault / "topic" / "x.png", (1, 2, 3))
        root = png(vault / "x.png", (4, 5, 6))
        png(vault / "deep" / "er" / "x.png", (7, 8, 9))
        deep_only = png(vault / "deep" / "er" / "y.png", (10, 11, 12))
        note(vault, "topic/a.md", "![[x.png]]")
        note(vault, "b.md", "![[x.png]]")
        note(vault, "c.md", "![[er/y.png]]")
        run(vault, tmp_path)
        media, fields = packed(tmp_path)
        by_bytes = {data: name for name, data in media.items()}
        of = {f.rsplit("\x1f", 1)[-1]: f for f in fields if not f.startswith("Term")}
        assert by_bytes[beside] in of["topic/a.md"]
        assert by_bytes[root] in of["b.md"]
        assert by_bytes[deep_only] in of["c.md"]  # a partial path, matched at its end

    def test_two_files_with_the_name_pick_the_one_nearest_the_root_and_say_so(
        self, tmp_path: Path
    ) -> None:
        vault = tmp_path / "v"
        near = png(vault / "img" / "d.png", (1, 1, 1))
        png(vault / "z" / "deeper" / "d.png", (2, 2, 2))
        note(vault, "notes/a.md", "x\n\n![[d.png]]")
        report = run(vault, tmp_path)
        ambiguous = said(report, "I215")
        assert (ambiguous.path, ambiguous.line, ambiguous.severity) == ("notes/a.md", 7, "info")
        assert "img/d.png" in ambiguous.message
        media, _ = packed(tmp_path)
        assert list(media.values()) == [near]

    def test_markdown_image_with_encoded_path_and_width(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        data = png(vault / "attachments" / "my diagram.png")
        note(vault, "a.md", "![the flow|300](attachments/my%20diagram.png)")
        run(vault, tmp_path)
        media, fields = packed(tmp_path)
        assert list(media.values()) == [data]
        assert f'<img src="{next(iter(media))}" alt="the flow" width="300">' in fields[0]

    def test_markdown_image_in_angle_brackets(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        data = png(vault / "attachments" / "my diagram.png")
        note(vault, "a.md", "![flow](<attachments/my diagram.png>)")
        report = run(vault, tmp_path)
        assert codes(report) == []
        media, fields = packed(tmp_path)
        assert list(media.values()) == [data] and 'alt="flow"' in fields[0]

    def test_width_of_a_wikilink_embed(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        png(vault / "d.png")
        note(vault, "a.md", "![[d.png|300]] and ![[d.png|a sketch|120x40]]")
        run(vault, tmp_path)
        _, fields = packed(tmp_path)
        assert 'alt="d.png" width="300">' in fields[0]
        assert 'alt="a sketch" width="120">' in fields[0]

    def test_an_image_in_a_concept_definition(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        png(vault / "d.png")
        note(vault, "a.md", "key", concept="see ![[d.png]] and <b>this</b>")
        run(vault, tmp_path)
        media, fields = packed(tmp_path)
        concept = next(f for f in fields if f.startswith("Term"))
        assert f'<img src="{next(iter(media))}" alt="d.png">' in concept  # past the sanitiser
        assert "<b>this</b>" in concept


class TestNames:
    def test_names_are_flat_nfc_safe_and_carry_the_digest(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        written = "다이어그램 (v2) 'a'&b=1+c;d%.PNG"  # all allowed in Obsidian's names
        png(vault / "sub" / unicodedata.normalize("NFD", written))  # as macOS writes it
        # and a name Obsidian would refuse but a disk may hold, by a Markdown image
        png(vault / "sub" / 'x[1]: "a"?*<b>.png')
        note(vault, "a.md", f"![[{written}]] ![x](sub/x%5B1%5D%3A%20%22a%22%3F%2A%3Cb%3E.png)")
        report = run(vault, tmp_path)
        assert codes(report) == []
        names = sorted(packed(tmp_path)[0])
        assert len(names) == 2
        for name in names:
            assert unicodedata.is_normalized("NFC", name)
            assert not set(name) & set("/\\[]<>:\"?*^|% '&=+;")
            assert name.endswith(".png") and len(name.encode()) <= 120
        assert names[0].rsplit("-", 1)[0] == "x_1_a_b"
        assert names[1].rsplit("-", 1)[0] == "다이어그램_v2_a_b_1_c_d"

    def test_one_image_in_two_notes_is_stored_once_and_names_are_stable(
        self, tmp_path: Path
    ) -> None:
        vault = tmp_path / "v"
        png(vault / "d.png")
        note(vault, "a.md", "![[d.png]]")
        note(vault, "b.md", "![[d.png]]")
        run(vault, tmp_path, cache=False)
        first, _ = packed(tmp_path)
        (tmp_path / "out" / "deck.apkg").unlink()
        run(vault, tmp_path, cache=False)
        assert packed(tmp_path)[0] == first
        assert len(first) == 1

    def test_two_images_with_one_name_in_two_folders_get_two_names(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        one = png(vault / "a" / "d.png", (1, 1, 1))
        two = png(vault / "b" / "d.png", (2, 2, 2))
        note(vault, "a/n.md", "![[d.png]]")
        note(vault, "b/n.md", "![[d.png]]")
        run(vault, tmp_path)
        media, _ = packed(tmp_path)
        assert sorted(media.values()) == sorted([one, two])
        assert len(set(media)) == 2


class TestNotShown:
    def test_a_missing_image_is_a_warning_with_line_and_shows_its_name(
        self, tmp_path: Path
    ) -> None:
        vault = tmp_path / "v"
        note(vault, "a.md", "text\n\nSee ![[nowhere.png]].")
        report = run(vault, tmp_path)
        missing = said(report, "W130")
        assert (missing.path, missing.line, missing.severity) == ("a.md", 7, "warning")
        assert "add the file" in missing.message
        media, fields = packed(tmp_path)
        assert media == {} and "See nowhere.png." in fields[0] and "<img" not in fields[0]

    @pytest.mark.parametrize("kind", ["fifo", "too-large", "folder"])
    def test_an_unreadable_image_is_a_warning(self, tmp_path: Path, kind: str) -> None:
        vault = tmp_path / "v"
        target = vault / "d.png"
        vault.mkdir()
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "folder":
            target.mkdir()
            (target / "x.md").write_text("# x\n")
        else:
            with target.open("wb") as f:
                f.truncate(10 * 1024 * 1024 + 1)  # sparse: no disk used
        note(vault, "a.md", "![[d.png]]")
        report = run(vault, tmp_path)
        if kind == "folder":  # a folder is no image file: as if missing
            assert said(report, "W130").line == 5
        else:
            unreadable = said(report, "W131")
            assert (unreadable.path, unreadable.line) == ("a.md", 5)
        media, fields = packed(tmp_path)
        assert media == {} and "d.png" in fields[0]

    def test_a_remote_image_is_a_link_and_not_fetched(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        note(vault, "a.md", "![chart](https://example.com/c.png)")
        report = run(vault, tmp_path)
        assert said(report, "I214").line == 5
        media, fields = packed(tmp_path)
        assert media == {}
        link = '<a href="https://example.com/c.png" rel="noopener noreferrer">chart</a>'
        assert link in fields[0]

    def test_note_embeds_and_other_files_stay_names_with_their_info(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        png(vault / "d.png")
        (vault / "paper.pdf").write_bytes(b"%PDF-1.4")
        note(vault, "a.md", "![[d.png]]\n\n![[Other note]] ![[paper.pdf]]")
        report = run(vault, tmp_path)
        assert [(c, line) for _, line, c in codes(report)] == [("I203", 7)]
        _, fields = packed(tmp_path)
        assert "Other note paper.pdf" in fields[0] and "<img" in fields[0]

    @pytest.mark.parametrize(
        "html",
        [
            '<img src="d.png">',
            '<img src="https://example.com/x.png">',
            '<img src="data:image/png;base64,AAAA">',
            '<img src="x" onerror="alert(1)">',
        ],
    )
    def test_html_images_in_the_note_stay_out(self, tmp_path: Path, html: str) -> None:
        """Only the package's own media reach a card: an <img> written in the note's HTML is
        removed by the sanitiser, as before."""
        vault = tmp_path / "v"
        png(vault / "d.png")
        note(vault, "a.md", f"text {html} more")
        run(vault, tmp_path)
        _, fields = packed(tmp_path)
        assert "<img" not in fields[0] and "text" in fields[0]


class TestChanges:
    def test_an_edited_image_rebuilds_under_a_new_name_an_unchanged_one_does_not(
        self, tmp_path: Path
    ) -> None:
        vault = tmp_path / "v"
        png(vault / "attachments" / "d.png", (1, 1, 1))
        note(vault, "a.md", "![[d.png]]")
        note(vault, "b.md", "no image")
        first = run(vault, tmp_path)
        before, _ = packed(tmp_path)
        again = run(vault, tmp_path)
        assert again.up_to_date and not again.written
        png(vault / "attachments" / "d.png", (9, 9, 9))  # edited in place
        edited = run(vault, tmp_path)
        assert edited.written and edited.changed == 1 and edited.unchanged == first.new - 1
        after, fields = packed(tmp_path)
        assert set(after) != set(before) and f'src="{next(iter(after))}"' in fields[0]

    def test_an_image_that_appears_is_found_by_the_next_build(self, tmp_path: Path) -> None:
        vault = tmp_path / "v"
        note(vault, "a.md", "![[later.png]]")
        assert said(run(vault, tmp_path), "W130")
        assert run(vault, tmp_path).up_to_date
        png(vault / "deep" / "later.png")
        report = run(vault, tmp_path)
        assert report.written and not [d for d in report.diagnostics if d.code == "W130"]
        assert len(packed(tmp_path)[0]) == 1
