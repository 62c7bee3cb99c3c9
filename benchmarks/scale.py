"""Make scaled copies of the real corpus for the benchmark.

``scale(n)`` writes ``n`` copies of ``../shared/corpus/mercurydb`` under
``benchmarks/work/corpus-<n>x/``, in nested folders (``part-PP/copy-CCC/``). Each copy is
byte-for-byte the original except for two things, so that every note stays unique in the
vault: the file name gets a ``-cCCC`` suffix and the front-matter ``title`` value gets the
same suffix (notes without a title are identified by their path, which is already unique).

Run as a script to (re)make the corpora: ``python benchmarks/scale.py 1 10 100``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "mercurydb"
WORK = HERE / "work"

# The title line of the front matter; the value is kept as written (quotes, trailing
# spaces, a stray ".md") and only the suffix is inserted after it.
_TITLE = re.compile(rb"^(title:[ \t]*)(\S(?:.*\S)?)?([ \t]*\r?)$", re.MULTILINE)
_FRONT = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.DOTALL | re.M)


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    """The corpus notes in a stable order."""
    return sorted(corpus.rglob("*.md"))


def retitle(data: bytes, suffix: str) -> bytes:
    """``data`` with ``suffix`` appended to its front-matter title value (if it has one)."""
    front = _FRONT.match(data)
    if front is None:
        return data
    start, end = front.span(1)
    block = front.group(1)

    def add(m: re.Match[bytes]) -> bytes:
        value = m.group(2) or b""
        if value[:1] in (b'"', b"'") and value[-1:] == value[:1] and len(value) > 1:
            value = value[:-1] + suffix.encode() + value[-1:]
        else:
            value += suffix.encode()
        return m.group(1) + value + m.group(3)

    return data[:start] + _TITLE.sub(add, block, count=1) + data[end:]


def copy_dir(root: Path, copy: int) -> Path:
    """The nested folder that holds copy number ``copy``."""
    return root / f"part-{copy // 10:02d}" / f"copy-{copy:03d}"


def _stamp(copies: int, files: list[Path]) -> str:
    digest = hashlib.sha256(f"{copies}\n".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def scale(copies: int, corpus: Path = CORPUS, work: Path = WORK) -> Path:
    """Make (or reuse, when already made from the same corpus) the ``copies``x corpus."""
    files = corpus_files(corpus)
    if not files:
        raise SystemExit(f"no notes found in {corpus}")
    root = work / f"corpus-{copies}x"
    stamp_file = work / f".corpus-{copies}x.stamp"
    stamp = _stamp(copies, files)
    if root.is_dir() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return root
    if root.exists():
        shutil.rmtree(root)
    for copy in range(copies):
        folder = copy_dir(root, copy)
        folder.mkdir(parents=True)
        suffix = f"-c{copy:03d}"
        for path in files:
            rel = path.relative_to(corpus)
            target = folder / rel.parent / f"{rel.stem}{suffix}{rel.suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(retitle(path.read_bytes(), suffix))
    stamp_file.write_text(stamp)
    return root


def main(argv: list[str]) -> int:
    """Make the corpora named on the command line (default 1 10 100)."""
    for arg in argv or ["1", "10", "100"]:
        root = scale(int(arg))
        count = sum(1 for _ in root.rglob("*.md"))
        print(f"{arg}x: {count} notes in {root.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
