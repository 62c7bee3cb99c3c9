"""Writing a file all at once: through a temporary file beside it, renamed into place.

The previous file stays exactly as it was until the new one is complete, whatever happens
meanwhile (a full disk, an interrupted build).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import OutputError


@dataclass(frozen=True)
class Written:
    """The package that was written."""

    path: Path
    size: int
    sha256: str


def atomic_write(out: Path, write: Callable[[IO[bytes]], None], *, hashed: bool = True) -> Written:
    """Write ``out`` through a temporary file beside it, then rename it into place.

    On any failure the temporary file is removed and ``out`` is left as it was; OS and
    database errors become OutputError. Without ``hashed`` the file is not read back for
    its SHA-256 (``Written.sha256`` is then empty).
    """
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {out.parent}: {exc.strerror or exc}") from exc
    tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            size = os.fstat(f.fileno()).st_size
            sha256 = _sha256(f) if hashed else ""
        os.replace(tmp, out)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise OutputError(f"cannot write {out}: {exc}") from exc
        raise
    _sync_folder(out.parent)
    return Written(out, size, sha256)


def finish_write(tmp: Path, out: Path, tail: bytes) -> None:
    """Append ``tail`` to ``tmp``, a file written beside ``out``, and rename it into place.

    The end of a write begun elsewhere (another process wrote the start of ``tmp``), with
    the guarantees of :func:`atomic_write`: on failure ``tmp`` is removed and ``out`` left
    as it was.
    """
    try:
        with open(tmp, "ab") as f:
            f.write(tail)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    _sync_folder(out.parent)


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
