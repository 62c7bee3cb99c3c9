"""Hostile front matter: deep nesting, exploding aliases, repeated keys, titles that are not
text, and ``check`` reporting what ``build`` reports. None of it may crash, hang or pass
without a word; the rest of the vault still builds, and no GUID of today moves."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sagenotes_anki import codes
from sagenotes_anki.build import BuildOptions, build, check
from sagenotes_anki.model import Diagnostic
from sagenotes_anki.parse.note import parse_note
from sagenotes_anki.source.plainyaml import simple_mapping

GOOD = "---\ntitle: good\n---\n# Good\n\n## 🎯 핵심 포인트\n\nA plain note.\n"
CLI = [sys.executable, "-m", "sagenotes_anki"]


def vault(tmp_path: Path, hostile: str) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.md").write_text(GOOD, encoding="utf-8")
    (notes / "hostile.md").write_text(hostile, encoding="utf-8")
    return notes


def coded(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


def run_cli(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI in its own process; a hang fails the test (timeout) instead of stalling it."""
    started = time.monotonic()
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=30, check=False)
    return done, time.monotonic() - started


# --- 1. nesting --------------------------------------------------------------------------

# Front matter nesting 1,000 levels (200 for the title), and the line of the file on which
# it goes past the limit.
DEEP = {
    "flow-list": ("x: " + "[" * 1000 + "]" * 1000, 3),
    "flow-map": ("x: " + "{a: " * 1000 + "1" + "}" * 1000, 3),
    "block": ("x:\n" + "".join(" " * i + "a:\n" for i in range(1, 1000)) + " " * 1000 + "b: 1", 54),
    "title-list": ("title: " + "[" * 200 + "a" + "]" * 200, 3),
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_front_matter_is_refused_and_the_rest_builds(tmp_path: Path, kind: str) -> None:
    front, line = DEEP[kind]
    notes = vault(tmp_path, f"---\ntags: [a]\n{front}\n---\n# Deep\n\nbody\n")
    started = time.monotonic()
    report = check(notes, BuildOptions())
    (deep,) = coded(report.diagnostics, codes.TOO_DEEP)
    assert (deep.path, deep.severity, deep.line) == ("hostile.md", "error", line)
    assert "deeper than 50 levels" in deep.message and "flatten" in deep.message
    out = tmp_path / "deck.apkg"
    built = build(notes, out, BuildOptions(keep_going=True, timestamp=1))
    assert built.written and sum(built.cards_by_type.values()) == 1  # good.md's key point
    assert coded(built.diagnostics, codes.TOO_DEEP)
    assert time.monotonic() - started < 5


def test_nesting_up_to_the_limit_is_read() -> None:
    """50 levels pass (real notes use one or two); the 51st is refused."""
    ok = parse_note("---\nx: " + "[" * 50 + "]" * 50 + "\ntags: [t]\n---\n# T\n", "n.md")
    assert ok.note is not None and ok.note.tags == ("t",)
    refused = parse_note("---\nx: " + "[" * 51 + "]" * 51 + "\n---\n# T\n", "n.md")
    assert refused.note is None and coded(refused.diagnostics, codes.TOO_DEEP)


# --- 2. aliases --------------------------------------------------------------------------


def laughs(levels: int = 8) -> str:
    names = "abcdefghij"[: levels + 1]
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for before, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    lines.append(f"tags: *{names[-1]}")
    return "---\n" + "\n".join(lines) + "\n---\n# Laughs\n\nbody\n"


def test_billion_laughs_is_refused_within_seconds(tmp_path: Path) -> None:
    notes = vault(tmp_path, laughs())
    # One small alias is harmless YAML, and still read.
    small = "---\nbase: &b shared\ntags: [*b, own]\n---\n# Small\n\nbody\n"
    (notes / "small.md").write_text(small, encoding="utf-8")
    assert len(laughs()) < 450
    done, took = run_cli("check", str(notes), "--format", "json")
    assert took < 10, took
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["diagnostics"]
    (large,) = [d for d in found if d["code"] == codes.FRONT_MATTER_TOO_LARGE]
    assert large["path"] == "hostile.md" and large["severity"] == "error"
    assert "10,000" in large["message"] and large["line"] >= 2
    assert not [d for d in found if d["path"] == "small.md" and d["severity"] != "info"]
    out = tmp_path / "deck.apkg"
    done, took = run_cli("build", str(notes), "-o", str(out), "--keep-going", "-q")
    assert took < 10, took
    assert out.is_file(), done.stderr
    assert parse_note(small, "small.md").note.tags == ("shared", "own")  # type: ignore[union-attr]


def test_an_alias_that_refers_to_itself_is_refused(tmp_path: Path) -> None:
    notes = vault(tmp_path, "---\nloop: &a [x, *a]\ntags: *a\n---\n# Loop\n\nbody\n")
    done, took = run_cli("check", str(notes), "--format", "json")
    assert took < 10 and done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["diagnostics"]
    assert [d["line"] for d in found if d["code"] == codes.FRONT_MATTER_TOO_LARGE] == [2]


# --- 3. repeated keys --------------------------------------------------------------------


@pytest.mark.parametrize(
    "front",
    [
        "title: first\ntags: [a]\ntitle: second\n",  # read by the shortcut
        "title: first  # a comment\ntags: [1]\ntitle: second\n",  # read by PyYAML
    ],
)
def test_repeated_key_is_warned_about_and_the_last_value_used(front: str) -> None:
    result = parse_note(f"---\n{front}---\n# T\n\nbody\n", "n.md")
    assert result.note is not None and result.note.identity == "second"  # as before
    (repeat,) = coded(result.diagnostics, codes.DUPLICATE_YAML_KEY)
    assert (repeat.line, repeat.severity) == (4, "warning")
    assert "'title'" in repeat.message and "last" in repeat.message


def test_the_shortcut_reads_repeated_keys_itself() -> None:
    assert simple_mapping("title: a\ntags:\n- x\ntitle: b\ntags: [z]\n") == {
        "title": "b",
        "tags": ["z"],
    }


def test_repeated_key_inside_a_mapping_is_warned_about() -> None:
    result = parse_note("---\ntitle: t\nextra: {a: 1,\n  a: 2}\n---\n# T\n\nbody\n", "n.md")
    assert [d.line for d in coded(result.diagnostics, codes.DUPLICATE_YAML_KEY)] == [4]


# --- 4. titles that are not text ---------------------------------------------------------

# What each title gave as the note's identity before titles were checked: kept, so that
# no card's GUID changes.
TITLES = {
    "2024": "2024",
    "1.50": "1.5",
    "true": "true",
    "yes": "true",
    "0x10": "16",
    "[a, b]": "a, b",
    "[]": "dir/n",
    "{x: 1}": "dir/n",
    "null": "dir/n",
    "": "dir/n",
}


@pytest.mark.parametrize("written", sorted(TITLES))
def test_title_that_is_not_text_is_warned_about(written: str) -> None:
    result = parse_note(f"---\ntags: [t]\ntitle: {written}\n---\n# Heading\n\nbody\n", "dir/n.md")
    assert result.note is not None and result.note.identity == TITLES[written]
    (warning,) = coded(result.diagnostics, codes.TITLE_NOT_TEXT)
    assert (warning.line, warning.severity) == (3, "warning")
    if TITLES[written] == "dir/n":
        assert "path" in warning.message
    else:
        assert f'"{TITLES[written]}"' in warning.message


def test_only_titles_that_are_not_text_are_warned_about() -> None:
    written = [*TITLES, "plain-text", "'2024'", '"quoted"', "2024-01-15", "한국어 제목"]
    warned = [
        title
        for title in written
        if coded(
            parse_note(f"---\ntitle: {title}\n---\n# H\n\nbody\n", "n.md").diagnostics,
            codes.TITLE_NOT_TEXT,
        )
    ]
    assert warned == list(TITLES)


# --- 5. check reports what build reports -------------------------------------------------

TWICE = """---
title: twice
---
# Twice

## 🎯 핵심 포인트

A term defined twice.

## 🔍 주요개념

- **Endpoint**: first definition
- **Endpoint**: second definition
"""


def test_check_strict_fails_like_build_strict_on_a_repeated_term(tmp_path: Path) -> None:
    notes = vault(tmp_path, TWICE)
    checked, _ = run_cli("check", str(notes), "--strict", "--format", "json")
    out = tmp_path / "deck.apkg"
    built, _ = run_cli("build", str(notes), "-o", str(out), "--strict")
    assert checked.returncode != 0 and built.returncode != 0
    assert not out.exists()
    found = json.loads(checked.stdout)["diagnostics"]
    assert [(d["path"], d["code"]) for d in found if d["code"] == "duplicate-key"] == [
        ("hostile.md", "duplicate-key")
    ]
    assert "duplicate-key" in built.stdout + built.stderr


def test_a_number_too_long_to_convert_is_a_front_matter_error() -> None:
    """PyYAML refuses ints of over 4,300 digits with ValueError: a diagnostic, not a crash."""
    text = f"---\ntitle: x\nn: {'1' * 5001}\n---\n# T\n\n## 🔍 주요개념\n\n- **A**: b\n"
    found = parse_note(text, "big.md").diagnostics
    assert [(d.code, d.severity) for d in found] == [(codes.FRONT_MATTER, "error")]
    assert "quote it" in found[0].message


@pytest.mark.parametrize("escape", ["\\ud800", "\\x1f", "\\x00"])
def test_a_yaml_escape_cannot_put_an_unprintable_character_in_a_title(escape: str) -> None:
    """``title: "\\ud800"`` once crashed the GUID; a control character would reach fields."""
    from sagenotes_anki.cards.make import cards_for
    from sagenotes_anki.cards.rows import card_rows

    text = f'---\ntitle: "a{escape}b"\ntags: ["t{escape}"]\n---\n# T\n\n## 🎯 핵심 포인트\n\nx\n'
    note = parse_note(text, "n.md").note
    assert note is not None and note.identity == "ab" and note.tags == ("t",)
    assert card_rows(note.identity, note.path, cards_for(note), set(), [])
