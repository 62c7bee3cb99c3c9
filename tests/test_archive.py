"""The package's zip: the collection compressed in chunks on several threads."""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from pathlib import Path

import pytest

from sagenotes_anki.package import archive
from sagenotes_anki.package import writer as package

CHUNK = archive.CHUNK


def _text(size: int, seed: int = 1) -> bytes:
    """Compressible bytes like a collection's: words, separators, numbers."""
    r = random.Random(seed)
    words = [b"sagemaker", b"\x1f", b"<b>", b"endpoint", b"\xea\xb0\x9c\xeb\x85\x90", b" "]
    out = bytearray()
    while len(out) < size:
        out += r.choice(words) + str(r.randrange(10_000)).encode()
    return bytes(out[:size])


def _zip(tmp_path: Path, data: bytes, name: str = "collection.anki2") -> bytes:
    source = tmp_path / name
    source.write_bytes(data)
    buffer = io.BytesIO()
    archive.write_archive(buffer, source, [("media", b"{}")], 1)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [0, 1, 4096, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345])
def test_any_reader_gets_the_bytes_back(tmp_path: Path, size: int) -> None:
    data = _text(size)
    with zipfile.ZipFile(io.BytesIO(_zip(tmp_path, data))) as zf:
        assert zf.testzip() is None  # every CRC checks out
        assert zf.namelist() == ["collection.anki2", "media"]
        assert zf.read("collection.anki2") == data
        assert zf.read("media") == b"{}"


def test_incompressible_data_across_chunks(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(2 * CHUNK + 999)
    with zipfile.ZipFile(io.BytesIO(_zip(tmp_path, data))) as zf:
        assert zf.read("collection.anki2") == data


def test_one_deflate_stream_as_small_as_a_single_compressor_makes(tmp_path: Path) -> None:
    data = _text(5 * CHUNK)
    blob = _zip(tmp_path, data)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        info = zf.getinfo("collection.anki2")
    raw = blob[info.header_offset + 30 + len(info.filename) :][: info.compress_size]
    inflater = zlib.decompressobj(-15)
    assert inflater.decompress(raw) == data
    assert inflater.eof and not inflater.unused_data  # one stream, finished once, at the end
    single = zlib.compressobj(1, zlib.DEFLATED, -15)
    alone = len(single.compress(data) + single.flush())
    assert info.compress_size < alone * 1.01


def test_same_bytes_whatever_the_number_of_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _text(4 * CHUNK + 5)
    monkeypatch.setattr(archive, "available_cpus", lambda: 1)
    one = _zip(tmp_path, data)
    monkeypatch.setattr(archive, "available_cpus", lambda: 4)
    assert _zip(tmp_path, data) == one


def test_entries_carry_no_local_time_or_platform(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(_zip(tmp_path, b"x" * 100))) as zf:
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.create_system == 3
            assert info.external_attr >> 16 == 0o100644
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_a_collection_beyond_zip32_goes_to_zipfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zip64 path (a collection over 4 GiB) writes the same entries through zipfile."""
    notes: list[package.PackageNote] = []
    written = {}
    for fits in (True, False):
        monkeypatch.setattr(package, "fits", lambda size, fits=fits: fits)
        out = tmp_path / f"deck-{fits}.apkg"
        package.write_package(out, "Deck", 1, iter(notes), {}, 1_700_000_000)
        with zipfile.ZipFile(out) as zf:
            assert zf.testzip() is None
            written[fits] = {name: zf.read(name) for name in zf.namelist()}
    assert written[True] == written[False]
