"""Hostile files in a notes folder: control characters, odd names, FIFOs, devices, huge files,
symlinked folders and loops, UTF-16 without a BOM and Korean mojibake. Each gives a
diagnostic, none breaks the deck, crashes or hangs the build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ankiutil import collection, import_apkg
from click.testing import CliRunner, Result

from sagenotes_anki import codes
from sagenotes_anki.cli.commands import main
from sagenotes_anki.parse.note import parse_file
from sagenotes_anki.source.decode import decode
from sagenotes_anki.source.read import MAX_NOTE_BYTES

ROOT = Path(__file__).resolve().parent.parent
CONTROL = {chr(c) for c in [*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]}


def note(title: str, definition: str = "a definition") -> str:
    return (
        f"---\ntitle: {title}\n---\n# {title}\n\n## 🔍 주요개념\n\n"
        f"- **Term {title}**: {definition}\n"
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="sagenotes-anki")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh Python; a hang fails the test instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "sagenotes_anki", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def anki_fields(apkg: Path, where: Path) -> list[str]:
    """Every field of every note Anki imported from the package."""
    with collection(where) as col:
        counts = import_apkg(col, apkg)
        assert counts.found > 0
        ids = col.find_notes("")
        return [field for nid in ids for field in col.get_note(nid).fields]


# 1. control characters -------------------------------------------------------------------


def test_control_characters_are_removed_and_the_deck_imports(tmp_path: Path) -> None:
    notes = tmp_path / "n"
    notes.mkdir()
    text = note("x", "left\x1fright\x07 bell\x1b[31m red \x85 nel\x7f")
    (notes / "x.md").write_bytes(text.encode("utf-8"))
    out = tmp_path / "deck.apkg"
    result = run("build", str(notes), "-o", str(out))
    assert result.exit_code == 0, result.output
    code = f"[{codes.CONTROL_CHARACTER}]"
    warnings = [line for line in result.output.splitlines() if code in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("x.md:8: warning:")
    assert "5 control characters" in warnings[0]
    fields = anki_fields(out, tmp_path / "col")
    joined = "".join(fields)
    assert "leftright" in joined and "bell" in joined and "nel" in joined
    assert not CONTROL & set(joined)


# 2. file names that are not UTF-8 ----------------------------------------------------------


def _bytes_file(folder: Path, name: bytes, text: str) -> None:
    fd = os.open(os.path.join(os.fsencode(folder), name), os.O_WRONLY | os.O_CREAT, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8"))


def test_cp949_file_names_build_and_preview(tmp_path: Path) -> None:
    notes = tmp_path / "n"
    notes.mkdir()
    os.mkdir(os.path.join(os.fsencode(notes), "폴더".encode("cp949")))
    name = "폴더".encode("cp949") + b"/" + "한글노트.md".encode("cp949")
    _bytes_file(notes, name, note("hangul"))
    _bytes_file(notes, b"odd\xff\xfe.md", note("odd"))
    (notes / "plain.md").write_text(note("plain"), encoding="utf-8")
    out = tmp_path / "deck.apkg"
    result = run("build", str(notes), "-o", str(out))
    assert result.exit_code == 0, result.output
    named = {
        line.split(":", 1)[0]
        for line in result.output.splitlines()
        if f"[{codes.FILE_NAME_NOT_UTF8}]" in line
    }
    assert named == {"폴더", "폴더/한글노트.md", "odd\\xff\\xfe.md"}
    joined = "".join(anki_fields(out, tmp_path / "col"))
    assert "Term hangul" in joined and "Term odd" in joined and "Term plain" in joined
    again = run("build", str(notes), "-o", str(out))  # the no-op path reads the files too
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output
    page = tmp_path / "preview.html"
    shown = run("preview", str(notes), "-o", str(page))
    assert shown.exit_code == 0, shown.output
    assert "Term hangul" in page.read_text(encoding="utf-8")


# 3. FIFOs, devices, huge files -------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_device_and_huge_files_are_refused_quickly(tmp_path: Path) -> None:
    notes = tmp_path / "n"
    notes.mkdir()
    (notes / "good.md").write_text(note("good"), encoding="utf-8")
    os.mkfifo(notes / "fifo.md")
    (notes / "zero.md").symlink_to("/dev/zero")
    with (notes / "huge.md").open("wb") as f:
        f.truncate(MAX_NOTE_BYTES + 1)  # sparse: no disk used
    out = tmp_path / "deck.apkg"
    for _ in range(2):  # the second build digests the files for the no-op shortcut
        done = run_cli("build", "n", "-o", "deck.apkg", "--keep-going", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        lines = done.stderr.splitlines()
        assert any(line.startswith("fifo.md:1: error:") and "[E005]" in line for line in lines)
        assert any(line.startswith("zero.md:1: error:") and "[E005]" in line for line in lines)
        assert any(line.startswith("huge.md:1: error:") and "[E006]" in line for line in lines)
        assert out.exists()
    assert "Term good" in "".join(anki_fields(out, tmp_path / "col"))
    checked = run_cli("check", "n", "--format", "json", cwd=tmp_path)
    found = {(d["path"], d["code"]) for d in json.loads(checked.stdout)["diagnostics"]}
    assert {("fifo.md", "E005"), ("zero.md", "E005"), ("huge.md", "E006")} <= found


# 4. symlinked folders ----------------------------------------------------------------------


def test_symlinked_folders_are_followed_once(tmp_path: Path) -> None:
    notes = tmp_path / "n"
    (notes / "sub").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (notes / "sub" / "real.md").write_text(note("real"), encoding="utf-8")
    (outside / "linked.md").write_text(note("linked"), encoding="utf-8")
    (notes / "shared").symlink_to(outside)
    (notes / "shared-again").symlink_to(outside)  # the same folder twice: read once
    (notes / "sub" / "up").symlink_to(notes)  # a loop back to the top
    (notes / "sub" / "twin").symlink_to(notes / "sub")  # into a folder already read
    (notes / "gone").symlink_to(tmp_path / "missing")  # dangling: not a folder, not a note
    out = tmp_path / "deck.apkg"
    result = run("build", str(notes), "-o", str(out))
    assert result.exit_code == 0, result.output
    skipped = sorted(
        line.split(":", 1)[0]
        for line in result.output.splitlines()
        if f"[{codes.SYMLINK_SKIPPED}]" in line
    )
    assert skipped == ["shared-again", "sub/twin", "sub/up"]
    assert "notes read: 2" in result.output
    assert "Term linked" in "".join(anki_fields(out, tmp_path / "col"))
    (outside / "linked.md").write_text(note("linked", "changed text"), encoding="utf-8")
    again = run("build", str(notes), "-o", str(out))
    assert again.exit_code == 0, again.output
    assert "1 changed" in again.output
    assert "changed text" in "".join(anki_fields(out, tmp_path / "col2"))


# 5. control characters in file names -------------------------------------------------------


def test_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    notes = tmp_path / "n"
    notes.mkdir()
    (notes / "good.md").write_text(note("good"), encoding="utf-8")
    (notes / "a\x1b[31m.md").write_text("", encoding="utf-8")  # empty: a warning
    (notes / "b\nx.md:1: error: forged.md").write_text("", encoding="utf-8")
    result = run("check", str(notes))
    assert "\x1b" not in result.output
    assert "a\\x1b[31m.md:1: warning:" in result.output
    assert "b\\nx.md:1: error: forged.md:1: warning:" in result.output
    assert not any(line.startswith("x.md") for line in result.output.splitlines())
    data = json.loads(run("check", str(notes), "--format", "json").output)
    paths = {d["path"] for d in data["diagnostics"]}
    assert {"a\x1b[31m.md", "b\nx.md:1: error: forged.md"} <= paths


# 6. UTF-16 without a BOM, CP949 mojibake ---------------------------------------------------

KOREAN = note("한국어", "머신러닝 파이프라인의 각 단계별로 특화된 작업을 수행한다")
# Few ASCII characters, and Hangul such as 저 (U+C800) and 가 (U+AC00) with a zero byte too.
DENSE = note("저장소", "데이터를 저장하는 가장 저렴한 저장소 가격 정책과 저장 계층을 가려낸다")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_korean_utf16_without_bom_is_read(codec: str) -> None:
    result = parse_file(DENSE.encode(codec), "k.md")
    assert [d.code for d in result.diagnostics if d.severity == "error"] == []
    assert result.note is not None
    assert "저렴한" in result.note.concepts[0].definition.plain()


def test_binary_with_nul_bytes_is_still_binary() -> None:
    data = bytes(range(256)) * 8
    assert [d.code for d in decode(data, "b.md").diagnostics] == [codes.BINARY]


def _cp949_mojibake(text: str) -> bytes:
    """UTF-8 opened as CP949 (ANSI on Korean Windows) and saved again as UTF-8."""
    return text.encode("utf-8").decode("cp949", errors="replace").encode("utf-8")


def test_utf8_read_as_cp949_is_mis_encoded() -> None:
    decoded = decode(_cp949_mojibake("intro line\n\n" + KOREAN), "m.md")
    assert decoded.text is None
    assert [d.code for d in decoded.diagnostics] == [codes.MIS_ENCODED]
    assert decoded.diagnostics[0].line == 4  # the title: the first line that shows damage
    assert "CP949" in decoded.diagnostics[0].message


def test_honest_korean_with_hanja_is_not_mojibake() -> None:
    text = note("漢字", "韓國語 文章과 한국어 문장이 섞인 설명: 機械學習 파이프라인")
    decoded = decode(text.encode("utf-8"), "h.md")
    assert decoded.text is not None and decoded.diagnostics == ()
