"""Fuzzing: hostile notes, file names, special files and lock files never break the deck.

Every input comes from ``tests/fuzzgen.py`` (seeded: the same inputs on every run). Per note:
no exception escapes, each finishes within a time bound, a note gives a card or a diagnostic
naming it, and no card field holds a control character, a script, an event handler, a
``javascript:`` URL or Anki markup (``[sound:]``, ``[$]``, ``[latex]``). Whole vaults of
hostile notes are built in a fresh Python and imported into the real Anki backend.

More inputs: ``SAGENOTES_FUZZ_SEED=7,8 SAGENOTES_FUZZ_N=2000 pytest tests/test_fuzz.py``, or
``scripts/fuzz.py`` for a long run with a summary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fuzzgen import (
    CORPUS,
    KINDS,
    SINGLE,
    BuildRun,
    Doc,
    Fuzz,
    Outcome,
    anki_problems,
    lock_paths,
    run_build,
    run_parse_batch,
    silent_drops,
    write_docs,
)

SEEDS = [int(s) for s in os.environ.get("SAGENOTES_FUZZ_SEED", "1,2").split(",") if s.strip()]
N = int(os.environ.get("SAGENOTES_FUZZ_N", "220"))  # parse-level inputs per seed
TIMEOUT = float(os.environ.get("SAGENOTES_FUZZ_TIMEOUT", "5"))  # seconds per input
BUILD_TIMEOUT = 40.0  # seconds for one whole build of a hostile vault
SMALL_TIMEOUT = 10.0  # seconds for a build of a few notes
GOOD_NOTES = ("athena-parquet-performance.md", "sagemaker-processing-vs-batch-transform.md")
SHOWN = 12  # failures shown per assertion


def _listing(failures: list[str]) -> str:
    more = f"\n... and {len(failures) - SHOWN} more" if len(failures) > SHOWN else ""
    return "\n".join(failures[:SHOWN]) + more


# --- one note at a time ---------------------------------------------------------------------


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def parsed(request: pytest.FixtureRequest) -> tuple[Fuzz, list[Outcome]]:
    """Every parse-level input of one seed, checked in a forked worker with a time bound."""
    fuzz = Fuzz(request.param)
    return fuzz, run_parse_batch(fuzz.seed, range(N), TIMEOUT, docs=fuzz.parse_doc)


def _failures(parsed: tuple[Fuzz, list[Outcome]], *kinds: str) -> list[str]:
    fuzz, outcomes = parsed
    seen: dict[str, str] = {}
    for outcome in outcomes:
        for kind, detail in outcome.findings:
            if kind in kinds:
                # one line per distinct problem (numbers and quoted text vary between inputs)
                key = re.sub(r"'[^']*'|\d+", "_", detail)[:120]
                seen.setdefault(
                    key, f"{kind}: {detail}\n    {fuzz.parse_doc(outcome.index).describe()}"
                )
    return list(seen.values())


def test_inputs_cover_every_kind_of_damage(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """Each kind of damage is applied alone at least once per seed, and every input ran."""
    fuzz, outcomes = parsed
    assert SINGLE * len(KINDS) <= N
    assert sorted(o.index for o in outcomes) == list(range(N))
    alone = {fuzz.parse_doc(i).mutations for i in range(len(KINDS))}
    assert alone == {(k,) for k in KINDS}


def test_no_exception_escapes_the_parser(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """parse_file, cards_for and card_rows never raise, whatever the bytes."""
    failures = _failures(parsed, "traceback", "crash")
    assert not failures, _listing(failures)


def test_every_input_finishes_in_time(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """No input takes longer than the time bound (alias bombs, deep nesting, long lines)."""
    failures = _failures(parsed, "hang")
    assert not failures, _listing(failures)


def test_no_note_is_dropped_silently(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """A note gives at least one card or a diagnostic naming its file."""
    failures = _failures(parsed, "silent-drop", "diagnostic-path")
    assert not failures, _listing(failures)


def test_no_control_character_reaches_a_field(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """No C0 control character (U+001F is Anki's field separator) reaches a card's field."""
    failures = _failures(parsed, "control-char", "field-count", "bad-tag")
    assert not failures, _listing(failures)


def test_no_script_reaches_a_field(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """No <script>, on*= handler or javascript: URL reaches a card's field."""
    failures = _failures(parsed, "script")
    assert not failures, _listing(failures)


def test_no_anki_markup_reaches_a_field(parsed: tuple[Fuzz, list[Outcome]]) -> None:
    """[sound:..], [$]..[/$], [latex] written in a note reach the card as text, not markup."""
    failures = _failures(parsed, "anki-markup")
    assert not failures, _listing(failures)


# --- a vault of hostile notes, built and imported into Anki ---------------------------------


class HostileVault:
    """A vault of hostile notes (each kind of damage, odd names) and its build."""

    def __init__(self, seed: int, root: Path) -> None:
        fuzz = Fuzz(seed)
        docs = [fuzz.vault_doc(i) for i in range(len(KINDS) + 12)]  # each kind alone, then mixes
        # Inputs the parse level finds hanging or raising are left out, so that one of them
        # does not hide every other property of the build (the tests above report them).
        screened = run_parse_batch(seed, range(len(docs)), TIMEOUT, docs=fuzz.vault_doc)
        bad = {
            o.index
            for o in screened
            if any(k in ("hang", "crash", "traceback") for k, _ in o.findings)
        }
        self.docs: list[Doc] = [d for d in docs if d.index not in bad]
        self.notes = root / "notes"
        self.notes.mkdir()
        self.written = write_docs(self.notes, self.docs)
        for name in GOOD_NOTES:
            shutil.copy(CORPUS / name, self.notes / name)
        self.out = root / "out" / "deck.apkg"
        self.run = run_build(self.notes, self.out, timeout=BUILD_TIMEOUT)
        self.root = root


@pytest.fixture(scope="module", params=SEEDS[:1], ids=lambda s: f"seed{s}")
def vault(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HostileVault:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    return HostileVault(request.param, tmp_path_factory.mktemp("hostile"))


def _built(run: BuildRun) -> None:
    assert not run.hung, f"the build did not finish in time; stderr: {run.stderr[-400:]}"
    assert run.traceback is None, run.traceback
    assert run.result.get("usage_error") is None, run.result["usage_error"]


def test_hostile_vault_builds(vault: HostileVault) -> None:
    """The whole vault builds (keep-going) in time, with no traceback, and writes a deck."""
    _built(vault.run)
    assert vault.run.result["report"]["written"]


def test_hostile_vault_drops_no_note_silently(vault: HostileVault) -> None:
    """Every file of the vault gives cards or is named by a diagnostic."""
    _built(vault.run)
    named = lock_paths(vault.notes) | {d[0] for d in vault.run.result["diagnostics"]}
    dropped = silent_drops(vault.written, named)
    by_name = {os.fsencode(d.relpath): d for d in vault.docs}
    failures = [by_name[w].describe() if w in by_name else repr(w) for w in dropped]
    assert not failures, _listing(failures)


def test_hostile_vault_imports_into_anki(vault: HostileVault) -> None:
    """Anki imports every note; each has its note type's field count, and no field holds a
    control character, a script or markup Anki would act on."""
    _built(vault.run)
    expected = sum(vault.run.result["report"]["cards"].values())
    problems = anki_problems(vault.out, vault.root / "anki", expected)
    assert not problems, _listing(problems)


# --- files that are not plain notes ---------------------------------------------------------


def _good_vault(root: Path) -> Path:
    notes = root / "notes"
    notes.mkdir(parents=True)
    for name in GOOD_NOTES:
        shutil.copy(CORPUS / name, notes / name)
    return notes


def _fifo(notes: Path, outside: Path) -> str:
    os.mkfifo(notes / "pipe.md")
    return "pipe.md"


def _dev_zero(notes: Path, outside: Path) -> str:
    (notes / "zero.md").symlink_to("/dev/zero")
    return "zero.md"


def _huge(notes: Path, outside: Path) -> str:
    with open(notes / "huge.md", "wb") as f:  # sparse: cheap to make, 256 MiB to read
        f.write(
            b"---\ntitle: huge\n---\n# Huge\n\n## \xf0\x9f\x8e\xaf \xed\x95\xb5\xec\x8b\xac\n\nx\n"
        )
        f.truncate(256 * 1024 * 1024)
    return "huge.md"


def _huge_text(notes: Path, outside: Path) -> str:
    line = "- **용어**: 설명 " * 20 + "\n"
    (notes / "long.md").write_text("# Long\n\n## 🔍 주요개념\n\n" + line * 40_000, encoding="utf-8")
    return "long.md"


def _socket(notes: Path, outside: Path) -> str:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(notes / "sock.md"))
    sock.close()
    return "sock.md"


def _directory(notes: Path, outside: Path) -> str:
    (notes / "folder.md").mkdir()
    return "folder.md"


def _dangling(notes: Path, outside: Path) -> str:
    (notes / "gone.md").symlink_to(notes / "nowhere.md")
    return "gone.md"


def _loop(notes: Path, outside: Path) -> str:
    (notes / "loop").symlink_to(notes, target_is_directory=True)
    (notes / "sub").mkdir()
    (notes / "sub" / "up").symlink_to("..", target_is_directory=True)
    return "loop"


def _outside_folder(notes: Path, outside: Path) -> str:
    outside.mkdir(exist_ok=True)
    shutil.copy(CORPUS / "aws-batch-ml-service-selection.md", outside / "outside-note.md")
    (notes / "linked").symlink_to(outside, target_is_directory=True)
    return "linked"


def _outside_file(notes: Path, outside: Path) -> str:
    (notes / "passwd.md").symlink_to("/etc/passwd")
    return "passwd.md"


def _unreadable(notes: Path, outside: Path) -> str:
    (notes / "secret.md").write_text("# x\n", encoding="utf-8")
    (notes / "secret.md").chmod(0)
    return "secret.md"


SPECIALS = {
    "fifo": _fifo,
    "dev-zero-symlink": _dev_zero,
    "huge-sparse-file": _huge,
    "huge-text-file": _huge_text,
    "socket": _socket,
    "directory-named-md": _directory,
    "dangling-symlink": _dangling,
    "symlink-loop": _loop,
    "symlinked-folder-outside": _outside_folder,
    "symlink-to-system-file": _outside_file,
    "unreadable-file": _unreadable,
}


@pytest.mark.parametrize("kind", list(SPECIALS))
def test_special_files(kind: str, tmp_path: Path) -> None:
    """A FIFO, a device, a huge file, a symlink loop...: the build finishes, the good notes
    give their cards, and the odd file is named by a diagnostic (or gives cards)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    notes = _good_vault(tmp_path)
    special = SPECIALS[kind](notes, tmp_path / "outside")
    run = run_build(notes, tmp_path / "out" / "deck.apkg", timeout=SMALL_TIMEOUT)
    _built(run)
    report = run.result["report"]
    assert report["written"]
    named = lock_paths(notes) | {d[0] for d in run.result["diagnostics"]}
    assert set(GOOD_NOTES) <= named, f"the good notes gave no cards: {sorted(named)}"
    if kind not in ("symlink-loop", "directory-named-md"):
        assert any(n == special or n.startswith(special + "/") for n in named), (
            f"{special} is dropped silently: diagnostics {run.result['diagnostics']}"
        )
    problems = anki_problems(
        tmp_path / "out" / "deck.apkg", tmp_path / "anki", sum(report["cards"].values())
    )
    assert not problems, _listing(problems)


# --- lock files -------------------------------------------------------------------------------


def _lock_text(text: str | bytes) -> object:
    def make(lock: Path) -> None:
        if isinstance(text, bytes):
            lock.write_bytes(text)
        else:
            lock.write_text(text, encoding="utf-8")

    return make


class Raw(str):
    """JSON text put into a lock as it is (numbers JSON allows but Python would not write)."""


def _item(**extra: object) -> str:
    """A lock with one removed item, some of its values replaced."""
    fields = {
        "guid": "ejD|KjXiwR",
        "hash": "0" * 64,
        "mod": 1700000000,
        "notetype": "SageNotes Concept",
        "path": "gone.md",
        **extra,
    }
    body = ", ".join(
        f"{json.dumps(k)}: {v if isinstance(v, Raw) else json.dumps(v)}" for k, v in fields.items()
    )
    return '{"format": 2, "items": {"gone": {"concept:X": {' + body + "}}}}"


LOCKS: dict[str, object] = {
    "deep-list": _lock_text("[" * 200_000 + "]" * 200_000),
    "deep-object": _lock_text('{"items": ' * 100_000 + "{}" + "}" * 100_000),
    "huge-mod": _lock_text(_item(mod=Raw("9" * 40))),
    "huge-mod-digits": _lock_text(_item(mod=Raw("9" * 5000))),
    "float-mod": _lock_text(_item(mod=Raw("1e308"))),
    "negative-mod": _lock_text(_item(mod=Raw("-5"))),
    "string-mod": _lock_text(_item(mod="soon")),
    "nan-mod": _lock_text(_item(mod=Raw("NaN"))),
    "guid-with-separator": _lock_text(_item(guid="a\x1fb")),
    "items-a-list": _lock_text('{"format": 2, "items": [1, 2]}'),
    "not-utf8": _lock_text(b'{"format": 2, "items": {"\xff\xfe": {}}}'),
    "nul-bytes": _lock_text(b"\x00" * 4096),
    "huge-format": _lock_text('{"format": 1e999, "items": {}}'),
}


def _lock_fifo(lock: Path) -> None:
    os.mkfifo(lock)


def _lock_dir(lock: Path) -> None:
    lock.mkdir()


def _lock_zero(lock: Path) -> None:
    lock.symlink_to("/dev/zero")


LOCKS.update({"fifo": _lock_fifo, "directory": _lock_dir, "dev-zero": _lock_zero})


@pytest.mark.parametrize("kind", list(LOCKS))
def test_hostile_lock_files(kind: str, tmp_path: Path) -> None:
    """A damaged lock file never makes the build raise or hang; the deck is written and
    imports into Anki with every note (or, for a lock that cannot be replaced, the build
    stops with a usage error naming it and writes nothing)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    notes = _good_vault(tmp_path)
    LOCKS[kind](notes / "sagenotes.lock.json")  # type: ignore[operator]
    out = tmp_path / "out" / "deck.apkg"
    run = run_build(notes, out, timeout=SMALL_TIMEOUT)
    assert not run.hung, "the build did not finish in time"
    assert run.traceback is None, run.traceback
    refused = run.result.get("usage_error")
    if refused:  # a lock that cannot be replaced may stop the build, if nothing is written
        assert "lock" in refused and not out.exists(), refused
        return
    report = run.result["report"]
    assert report["written"], run.result
    problems = anki_problems(out, tmp_path / "anki", sum(report["cards"].values()))
    assert not problems, _listing(problems)
    mods = _package_mods(out, tmp_path / "mods")
    assert all(0 < m < 2**53 for m in mods), f"note mod times out of range: {sorted(set(mods))[:5]}"


def _package_mods(apkg: Path, folder: Path) -> list[int]:
    import sqlite3
    import zipfile

    folder.mkdir()
    with zipfile.ZipFile(apkg) as z:
        z.extract("collection.anki2", folder)
    db = sqlite3.connect(folder / "collection.anki2")
    try:
        return [int(m) for (m,) in db.execute("select mod from notes")]
    finally:
        db.close()


# --- interrupted builds, read-only folders, a full disk -------------------------------------


def _leftovers(*folders: Path) -> list[str]:
    return sorted(
        str(p)
        for folder in folders
        if folder.exists()
        for p in folder.rglob("*")
        if p.name.endswith(".tmp") or ".tmp" in p.suffixes or p.name.startswith(".tmp")
    )


@pytest.mark.parametrize("delay", [0.25, 0.6, 1.0])
def test_killed_build_leaves_nothing_behind(delay: float, tmp_path: Path) -> None:
    """A build killed part-way (with the parse cache on) leaves the next build to succeed,
    with no temporary files left beside the deck, the lock or in the cache."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    notes = tmp_path / "notes"
    shutil.copytree(CORPUS, notes)
    out = tmp_path / "out" / "deck.apkg"
    killed = run_build(notes, out, timeout=SMALL_TIMEOUT, cache=True, kill_after=delay)
    again = run_build(notes, out, timeout=BUILD_TIMEOUT, cache=True)
    _built(again)
    assert again.result["report"]["written"] or out.exists()
    assert not _leftovers(out.parent, notes), (
        f"killed after {killed.seconds:.2f} s; left behind: {_leftovers(out.parent, notes)[:5]}"
    )
    problems = anki_problems(out, tmp_path / "anki", sum(again.result["report"]["cards"].values()))
    assert not problems, _listing(problems)


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` made read-only for this user: mode 0555, or (as root, whom modes do not
    stop) the immutable attribute, taken off again on exit."""
    root = os.geteuid() == 0
    if root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: a folder cannot be made read-only")
    mode = folder.stat().st_mode
    if root:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip(f"{folder} could not be made read-only")
        yield
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(stat.S_IMODE(mode))


def test_read_only_notes_folder(tmp_path: Path) -> None:
    """The lock cannot be written beside read-only notes: no traceback; either the deck is
    written with a lock-stale warning, or the build refuses with a usage error naming the
    lock and writes nothing."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    notes = _good_vault(tmp_path)
    out = tmp_path / "out" / "deck.apkg"
    with read_only(notes):
        run = run_build(notes, out, timeout=SMALL_TIMEOUT)
    assert not run.hung
    assert run.traceback is None, run.traceback
    refused = run.result.get("usage_error")
    if refused:  # refusing up front is honest too, if it names the lock and writes nothing
        assert "lock" in refused and not out.exists(), refused
    else:
        assert run.result["report"]["written"]
        codes = {d[3] for d in run.result["diagnostics"]}
        assert "W119" in codes, f"no lock-stale warning: {run.result['diagnostics']}"


def test_read_only_output_folder(tmp_path: Path) -> None:
    """A read-only output folder is a usage error (no traceback), and the lock is left alone."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    notes = _good_vault(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with read_only(out):
        run = run_build(notes, out / "deck.apkg", timeout=SMALL_TIMEOUT)
    assert not run.hung
    assert run.traceback is None, run.traceback
    assert run.result.get("usage_error"), f"a read-only output folder went unreported: {run.result}"
    assert not (notes / "sagenotes.lock.json").exists(), (
        "a lock was written for a deck that was not"
    )


def test_full_disk_keeps_the_previous_deck(tmp_path: Path) -> None:
    """When the disk fills up mid-write the build reports it (no traceback), the previous
    deck and lock stay as they were, and no temporary file is left."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mercurydb is not present")
    notes = _good_vault(tmp_path)
    out = tmp_path / "out" / "deck.apkg"
    _built(run_build(notes, out, timeout=SMALL_TIMEOUT))
    before = (out.read_bytes(), (notes / "sagenotes.lock.json").read_bytes())
    (notes / GOOD_NOTES[0]).write_text(
        (notes / GOOD_NOTES[0]).read_text(encoding="utf-8") + "\n- **새 용어**: 새 설명\n",
        encoding="utf-8",
    )
    run = run_build(notes, out, timeout=SMALL_TIMEOUT, fsize_limit=8192)
    assert not run.hung
    assert run.traceback is None, run.traceback
    assert run.result.get("usage_error") or any(
        d[2] != "info" for d in run.result.get("diagnostics", ())
    ), "a full disk went unreported"
    assert (out.read_bytes(), (notes / "sagenotes.lock.json").read_bytes()) == before
    assert not _leftovers(out.parent, notes), _leftovers(out.parent, notes)


def test_stat_helpers_are_sane(tmp_path: Path) -> None:
    """The special-file makers make what they say (so the tests above test something)."""
    notes = tmp_path / "n"
    notes.mkdir()
    assert stat.S_ISFIFO(os.lstat(notes / _fifo(notes, tmp_path)).st_mode)
    assert stat.S_ISSOCK(os.lstat(notes / _socket(notes, tmp_path)).st_mode)
    assert os.readlink(notes / _dev_zero(notes, tmp_path)) == "/dev/zero"
