"""The package's zip file, its collection compressed on every core.

A large vault's collection is tens of megabytes, and deflating it is a fifth of writing the
package. It is cut into chunks compressed side by side (zlib lets other threads run while
it compresses), each primed with the end of the chunk before it, as pigz does, so the
result is one ordinary deflate stream, as small as a single compressor makes it.

The chunk size, not the number of threads, decides the bytes: the same collection always
gives the same file. The layout is the one ``zipfile`` writes (local header, data, central
directory), with a fixed date, so any zip reader, Anki's included, reads it.
"""

from __future__ import annotations

import struct
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..runtime.cpus import available_cpus

CHUNK = 1 << 20  # bytes of the collection per compression task
WINDOW = 1 << 15  # deflate's window: how much of the previous chunk primes the next
ZIP32_MAX = 0xFFFFFFFF  # beyond this a zip needs the zip64 extension (not written here)

# 1980-01-01 00:00:00 in MS-DOS time and date: zip entries carry a local date, and a fixed
# one keeps the bytes reproducible.
_DOS_TIME = 0
_DOS_DATE = (0 << 9) | (1 << 5) | 1
_VERSION = 20  # "version made by / needed to extract": 2.0, deflate
_MADE_BY = (3 << 8) | _VERSION  # 3 = Unix, whatever the platform, so the bytes do not vary
_MODE = 0o100644 << 16  # a regular file, rw-r--r--


@dataclass(frozen=True)
class _Entry:
    name: bytes
    offset: int
    crc: int
    compressed: int
    size: int


def fits(size: int) -> bool:
    """Whether a collection of ``size`` bytes can go into the zip this module writes."""
    return size < ZIP32_MAX - (1 << 20)  # room for the deflate overhead of incompressible data


def write_archive(
    dest: IO[bytes], collection: Path, extra: Iterable[tuple[str, bytes]], level: int
) -> None:
    """Write a zip holding ``collection`` (as ``collection.name``) and then ``extra``.

    ``dest`` must be seekable and empty; the collection must satisfy :func:`fits`.
    """
    entries = [_write_file(dest, collection, level)]
    for name, data in extra:
        entries.append(_write_entry(dest, name.encode(), [data], level))
    _write_directory(dest, entries)


def _write_file(dest: IO[bytes], path: Path, level: int) -> _Entry:
    with path.open("rb") as src:
        return _write_entry(dest, path.name.encode(), iter(lambda: src.read(CHUNK), b""), level)


def _write_entry(
    dest: IO[bytes], name: bytes, chunks: Iterator[bytes] | Sequence[bytes], level: int
) -> _Entry:
    """One entry: a local header, patched once the data after it is written."""
    offset = dest.tell()
    dest.write(_local_header(name, 0, 0, 0))
    crc = size = compressed = 0
    for raw, packed in _deflated(iter(chunks), level):
        crc = zlib.crc32(raw, crc)
        size += len(raw)
        compressed += len(packed)
        dest.write(packed)
    if size > ZIP32_MAX or compressed > ZIP32_MAX:
        raise ValueError(f"{name.decode()}: too large for a zip without zip64")
    end = dest.tell()
    dest.seek(offset)
    dest.write(_local_header(name, crc, compressed, size))
    dest.seek(end)
    return _Entry(name, offset, crc, compressed, size)


def _deflated(chunks: Iterator[bytes], level: int) -> Iterator[tuple[bytes, bytes]]:
    """(chunk, its deflate stream piece) in order; the pieces make one stream.

    A few chunks are compressed ahead, so the threads stay busy while the results are
    written, and no more than that is ever held in memory.
    """
    workers = max(1, min(8, available_cpus()))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="deflate") as pool:
        pending: deque[tuple[bytes, Future[bytes]]] = deque()
        previous = b""
        current = next(chunks, b"")
        while True:
            following = next(chunks, None)
            last = following is None
            pending.append((current, pool.submit(_piece, current, previous, level, last)))
            if following is None:
                break
            previous, current = current, following
            if len(pending) > 2 * workers:
                raw, future = pending.popleft()
                yield raw, future.result()
        while pending:
            raw, future = pending.popleft()
            yield raw, future.result()


def _piece(data: bytes, previous: bytes, level: int, last: bool) -> bytes:
    """``data`` deflated as the part of a stream that follows ``previous``.

    Primed with the window ``previous`` ends with, the compressor finds matches across the
    cut; a sync flush ends a piece on a byte boundary with no final block, so the next
    piece's blocks follow on; only the last piece finishes the stream.
    """
    if previous:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=previous[-WINDOW:])
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    ending = zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
    return compressor.compress(data) + compressor.flush(ending)


def _local_header(name: bytes, crc: int, compressed: int, size: int) -> bytes:
    return (
        struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            _VERSION,
            0,  # flags
            zlib.DEFLATED,  # method 8
            _DOS_TIME,
            _DOS_DATE,
            crc,
            compressed,
            size,
            len(name),
            0,  # extra field length
        )
        + name
    )


def _write_directory(dest: IO[bytes], entries: Sequence[_Entry]) -> None:
    start = dest.tell()
    for e in entries:
        dest.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                _MADE_BY,
                _VERSION,
                0,  # flags
                zlib.DEFLATED,
                _DOS_TIME,
                _DOS_DATE,
                e.crc,
                e.compressed,
                e.size,
                len(e.name),
                0,  # extra field length
                0,  # comment length
                0,  # disk number
                0,  # internal attributes
                _MODE,
                e.offset,
            )
            + e.name
        )
    end = dest.tell()
    if end > ZIP32_MAX:
        raise ValueError("the package is too large for a zip without zip64")
    dest.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - start, start, 0
        )
    )
