"""Hostile disks: a killed build, a read-only notes folder, a full disk, a FIFO in the cache.

Everything here is real: builds run as ``python -m sagenotes_anki`` in a subprocess and are
killed with SIGKILL; the read-only folder and the full disk are a read-only bind mount and
a small tmpfs in a private mount namespace (``unshare -m``) when the tests run as root,
where file modes do not stop writes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from ankiutil import collection, import_apkg

from sagenotes_anki import codes
from sagenotes_anki.lock.model import LOCK_NAME
from sagenotes_anki.lock.read import read_lock

_TITLE = re.compile(rb"^(title:[ \t]*)(.*?)([ \t]*\r?)$", re.MULTILINE)
ROOT = Path(__file__).resolve().parent.parent


def _copy_corpus(corpus: Path, dest: Path, copies: int, limit: int | None = None) -> Path:
    """``copies`` copies of the corpus under ``dest``, each note's title given a suffix."""
    files = sorted(corpus.rglob("*.md"))[:limit]
    for copy in range(copies):
        folder = dest / f"copy-{copy}"
        folder.mkdir(parents=True)
        suffix = f"-c{copy}".encode()
        for path in files:
            data = _TITLE.sub(rb"\g<1>\g<2>" + suffix + rb"\g<3>", path.read_bytes(), count=1)
            (folder / f"{path.stem}-c{copy}.md").write_bytes(data)
    return dest


@pytest.fixture(scope="module")
def vault(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's 251 notes, retitled (copied per test): enough for worker processes."""
    return _copy_corpus(corpus_dir, tmp_path_factory.mktemp("vault") / "notes", 1)


def _command(notes: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "sagenotes_anki", "build", str(notes), "-o", str(out), "-q"]


def _env(tmp: Path) -> dict[str, str]:
    """The environment of a build whose scratch folders go to ``tmp`` (not the shared /tmp)."""
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", status, re.MULTILINE):
            found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _leftovers(notes: Path, out_dir: Path, tmp: Path) -> list[str]:
    """Temporary files a build left in the notes and output folders, and scratch folders."""
    found = [p.name for folder in (notes, out_dir) for p in folder.rglob("*.tmp")]
    return found + [p.name for p in tmp.glob("sagenotes-*")]


def _assert_valid_deck(deck: Path, where: Path, lock: Path) -> None:
    """Anki imports every item the lock lists from ``deck``."""
    items = len(read_lock(lock, LOCK_NAME)[0].entries)
    with collection(where) as col:
        counts = import_apkg(col, deck)
    assert counts.found == items and counts.new == items > 0


def _kill_when(
    command: Sequence[str], env: dict[str, str], ready: Callable[[int], bool], timeout: float = 20
) -> subprocess.Popen[bytes]:
    """Start ``command`` and SIGKILL it as soon as ``ready(pid)`` is true."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not ready(proc.pid):
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build never reached the point to kill"
            time.sleep(0.002)
    finally:
        proc.kill()
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    return proc


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_build_killed_while_parsing_leaves_no_worker_running(vault: Path, tmp_path: Path) -> None:
    notes = shutil.copytree(vault, tmp_path / "notes")
    out = tmp_path / "out" / "deck.apkg"
    env = _env(tmp_path / "tmp")
    workers: list[int] = []

    def parsing(pid: int) -> bool:
        workers[:] = _children(pid)
        return len(workers) >= 2

    _kill_when(_command(notes, out), env, parsing)
    try:
        deadline = time.monotonic() + 3
        while any(map(_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not [pid for pid in workers if _running(pid)], "workers outlived their build"
    finally:
        for pid in workers:  # before the fix they would wait forever
            if _running(pid):
                os.kill(pid, signal.SIGKILL)

    done = subprocess.run(_command(notes, out), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _leftovers(notes, out.parent, tmp_path / "tmp") == []


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_the_build_after_a_killed_one_removes_what_it_left(vault: Path, tmp_path: Path) -> None:
    """Killed while the package is written, a build leaves temporary files beside the deck
    and the lock and a scratch folder; the next build removes them and writes a good deck."""
    notes = shutil.copytree(vault, tmp_path / "notes")
    out = tmp_path / "out" / "deck.apkg"
    tmp = tmp_path / "tmp"
    env = _env(tmp)

    def writing(pid: int) -> bool:
        return any(out.parent.glob(f".{out.name}.*.tmp")) and any(tmp.glob("sagenotes-*"))

    _kill_when(_command(notes, out), env, writing)
    left = _leftovers(notes, out.parent, tmp)
    assert any(name.startswith(f".{LOCK_NAME}.") for name in left), left  # it was mid-write

    done = subprocess.run(_command(notes, out), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _leftovers(notes, out.parent, tmp) == []
    _assert_valid_deck(out, tmp_path / "anki", notes / LOCK_NAME)


# --- a read-only notes folder; a full disk --------------------------------------------------


def _mount_namespaces() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@contextmanager
def _read_only(folder: Path, command: list[str]) -> Iterator[list[str]]:
    """``command`` run with ``folder`` read-only: by its mode, or as root (whom modes do not
    stop) in a mount namespace of its own where ``folder`` is bound read-only."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield command
        finally:
            folder.chmod(0o755)
        return
    if not _mount_namespaces():
        pytest.skip("running as root without mount namespaces: no folder is read-only")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    yield ["unshare", "-m", "sh", "-c", script, str(folder), *command]


def _on_tmpfs(folder: Path, size: int, command: list[str], fill: bool = False) -> list[str]:
    """``command`` run with a tmpfs of ``size`` bytes mounted on ``folder`` (its files
    copied in first); with ``fill``, the tmpfs is then filled but for ``size`` bytes."""
    if not _mount_namespaces():
        pytest.skip("a real full disk needs root and mount namespaces (unshare -m)")
    room = f"{-(-size // 4096) * 4}k"
    script = (
        'cp -a "$0" "$0.orig" && mount -t tmpfs -o size=$1 tmpfs "$0" && cp -a "$0.orig/." "$0"'
    )
    if fill:
        script = (
            'cp -a "$0" "$0.orig" && mount -t tmpfs -o size=64m tmpfs "$0" '
            '&& cp -a "$0.orig/." "$0" && (cat /dev/zero > "$0/.filler" 2>/dev/null; true) '
            '&& truncate -s -$1 "$0/.filler"'
        )
        room = str(size)
    script += ' && shift && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), room, *command]


def test_a_read_only_notes_folder_leaves_deck_and_lock_as_they_were(
    corpus_dir: Path, tmp_path: Path
) -> None:
    notes = _copy_corpus(corpus_dir, tmp_path / "notes", 1, limit=3)
    out = tmp_path / "out" / "deck.apkg"
    first = subprocess.run(_command(notes, out), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    deck, lock = out.read_bytes(), (notes / LOCK_NAME).read_bytes()
    note = next(notes.rglob("*.md"))
    note.write_bytes(note.read_bytes() + b"\nOne more line.\n")  # the next deck differs

    with _read_only(notes, _command(notes, out)) as command:
        done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    message = done.stderr.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert f"cannot write the lock file {notes / LOCK_NAME}" in message
    assert "Read-only file system" in message or "Permission denied" in message
    assert f"cannot write {out}" not in message
    assert out.read_bytes() == deck and (notes / LOCK_NAME).read_bytes() == lock
    assert _leftovers(notes, out.parent, tmp_path) == []


def test_a_lock_that_fails_after_the_deck_is_written_is_reported_stale(
    corpus_dir: Path, tmp_path: Path
) -> None:
    notes = _copy_corpus(corpus_dir, tmp_path / "notes", 1, limit=3)
    out = tmp_path / "out" / "deck.apkg"
    first = subprocess.run(_command(notes, out), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    deck = out.read_bytes()
    note = next(notes.rglob("*.md"))
    note.write_bytes(note.read_bytes() + b"\nOne more line.\n")

    # The notes folder is full but for a few kilobytes: less than the lock needs.
    command = _on_tmpfs(notes, 4096, _command(notes, out), fill=True)
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{codes.LOCK_STALE}" in done.stderr and "No space left on device" in done.stderr
    assert f"the deck {out} was written" in done.stderr
    assert out.read_bytes() != deck  # the new deck is in place (outside the tmpfs)


def test_the_parse_cache_gives_way_to_the_deck_on_a_full_disk(vault: Path, tmp_path: Path) -> None:
    """The cache beside the deck would take the room the deck needs; the deck is written."""
    notes = shutil.copytree(vault, tmp_path / "notes")
    ref = tmp_path / "ref" / "deck.apkg"
    done = subprocess.run(_command(notes, ref), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    cache = ref.parent / ".sagenotes-cache"
    parse = sum(p.stat().st_size for p in cache.glob("parse-*/*"))
    others = sum(p.stat().st_size for p in cache.glob("*.*"))
    deck = ref.stat().st_size
    assert parse > deck // 2  # else the cache could not crowd the deck out
    (notes / LOCK_NAME).unlink()

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    size = deck + others + parse // 4 + 64 * 1024  # the deck fits, but not with the cache
    # The deck is copied out of the tmpfs (to out.orig, made by _on_tmpfs) to be imported.
    shell = '"$@"; echo "rc=$?"; ls -la "$0"; cp "$0/deck.apkg" "$0.orig"'
    script = ["sh", "-c", shell, str(out_dir)]
    command = _on_tmpfs(out_dir, size, [*script, *_command(notes, out_dir / "deck.apkg")])
    done = subprocess.run(command, capture_output=True, text=True)
    assert "rc=0" in done.stdout, done.stderr + done.stdout
    assert "deck.apkg" in done.stdout
    assert ".tmp" not in done.stdout
    _assert_valid_deck(tmp_path / "out.orig" / "deck.apkg", tmp_path / "anki", notes / LOCK_NAME)


# --- a FIFO in the cache --------------------------------------------------------------------


def test_a_fifo_in_place_of_a_cache_file_is_a_cache_miss(corpus_dir: Path, tmp_path: Path) -> None:
    notes = _copy_corpus(corpus_dir, tmp_path / "notes", 1, limit=4)
    out = tmp_path / "out" / "deck.apkg"
    first = subprocess.run(_command(notes, out), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    cache = out.parent / ".sagenotes-cache"
    packs = [p for p in cache.rglob("*.pack")]
    assert len(packs) >= 2  # the empty collection and at least one shard of parsed notes
    for path in packs:
        path.unlink()
        os.mkfifo(path)
    (notes / LOCK_NAME).unlink()  # not a no-op: every note is looked up in the cache

    try:
        done = subprocess.run(_command(notes, out), capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the build hung on a FIFO in the cache")
    assert done.returncode == 0, done.stderr
    assert (notes / LOCK_NAME).is_file()
    assert all(stat.S_ISREG(p.stat().st_mode) for p in cache.rglob("*.pack") if p.exists())


def test_a_temporary_file_of_a_build_still_running_is_kept(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """Only what a build that no longer runs left is removed: a live writer's file stays."""
    notes = _copy_corpus(corpus_dir, tmp_path / "notes", 1, limit=2)
    out = tmp_path / "out" / "deck.apkg"
    # A real writer: another process holding a temporary file of the deck, named as ours.
    holder = (
        "import fcntl, os, sys, time\n"
        "path = os.path.join(sys.argv[1], f'.deck.apkg.{os.getpid()}-0123abcd.tmp')\n"
        "fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print(path, flush=True)\n"
        "time.sleep(30)\n"
    )
    out.parent.mkdir()
    writer = subprocess.Popen(
        [sys.executable, "-c", holder, str(out.parent)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        held = Path(writer.stdout.readline().strip())
        done = subprocess.run(_command(notes, out), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert held.is_file()  # its writer still runs
    finally:
        writer.kill()
        writer.wait()
        if writer.stdout is not None:
            writer.stdout.close()
    done = subprocess.run(_command(notes, out), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not held.exists()  # its writer is gone
