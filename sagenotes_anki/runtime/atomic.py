"""Writing a file all at once: through a temporary file beside it, renamed into place.

The previous file stays exactly as it was until the new one is complete, whatever happens
meanwhile (a full disk, an interrupted build). Every file the tool writes goes through here:

- :func:`write_file`: the package and the lock; made durable (fsync), failures raised as
  OutputError;
- :func:`write_text`: the same for a text (the preview page);
- :func:`write_best_effort`: the cache's files; not synced, failures ignored (a cache only
  saves time, and the next build checks what it reads);
- :class:`TempFile`, which all three use: for a writer that fills the file in steps (the
  lock, made before the package is written and filled once it is complete).

A temporary file is named with its writer's process id and locked (``flock``) by it until
it is renamed or removed, so that :func:`leftovers.sweep` can tell what a killed build left.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import OutputError

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be removed there anyway
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Written:
    """A file that was written: where, its size, its SHA-256 (empty unless asked for)."""

    path: Path
    size: int
    sha256: str


class TempFile:
    """A new, empty temporary file beside ``out``, to be renamed into place by :meth:`commit`.

    Named ``.NAME.PID-HEX.tmp`` with this process's id, and locked by it until renamed or
    removed (see :func:`leftovers.sweep`). ``fd`` is its descriptor. Raises OSError when it
    cannot be made (its folder is made first when missing).
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.path = out.parent / f".{out.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        if fcntl is not None:
            with contextlib.suppress(OSError):  # a file system without locks: the id still says
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def commit(self, *, durable: bool = True) -> None:
        """Rename the file into place (made durable first unless not ``durable``); on
        failure it is removed."""
        try:
            if durable:
                os.fsync(self.fd)
            os.replace(self.path, self.out)
        except BaseException:
            self.discard()
            raise
        os.close(self.fd)
        self.fd = -1
        if durable:
            _sync_folder(self.out.parent)

    def discard(self) -> None:
        """Remove the file (whatever failed before, this does not raise)."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1


def write_file(out: Path, fill: Callable[[IO[bytes]], object], *, hashed: bool = False) -> Written:
    """Write ``out`` with ``fill`` through a temporary file beside it, durably, then rename
    it into place.

    On any failure the temporary file is removed and ``out`` is left as it was; OS and
    database errors become OutputError. With ``hashed`` the file is read back for its
    SHA-256 (else ``Written.sha256`` is empty).
    """
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {out.parent}: {exc.strerror or exc}") from exc
    try:
        temp = TempFile(out)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    try:
        written = _fill(temp, fill, hashed)
        temp.commit()
    except BaseException as exc:
        temp.discard()
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise OutputError(f"cannot write {out}: {exc}") from exc
        raise
    return written


def write_text(out: Path, text: str) -> Written:
    """Write ``text`` to ``out`` as :func:`write_file` does, as ``open(out, "w",
    encoding="utf-8")`` would write it (newlines as the platform's)."""
    if os.linesep != "\n":
        text = text.replace("\n", os.linesep)
    data = text.encode("utf-8")
    return write_file(out, lambda f: f.write(data))


def write_best_effort(out: Path, data: bytes) -> bool:
    """Write ``data`` to ``out`` through a temporary file beside it, not synced; whether it
    was written. An OS error is ignored (the temporary file removed, ``out`` left as it
    was): for files that only save time, such as the cache's, checked when read."""
    try:
        temp = TempFile(out)
    except OSError:
        return False
    try:
        _fill(temp, lambda f: f.write(data), hashed=False)
        temp.commit(durable=False)
    except OSError:
        temp.discard()
        return False
    except BaseException:
        temp.discard()
        raise
    return True


def _fill(temp: TempFile, fill: Callable[[IO[bytes]], object], hashed: bool) -> Written:
    """``temp`` written by ``fill`` (through a descriptor of its own), flushed."""
    with os.fdopen(os.dup(temp.fd), "w+b") as f:
        fill(f)
        f.flush()
        size = os.fstat(f.fileno()).st_size
        sha256 = _sha256(f) if hashed else ""
    return Written(temp.out, size, sha256)


def _sha256(f: IO[bytes]) -> str:
    f.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets us open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
