"""A previous package that is a zip bomb is refused unread, not inflated into memory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTE = ROOT / "notes" / "sagemaker-processing-vs-batch-transform.md"
# The child's peak memory from /proc (VmHWM starts afresh at exec; getrusage's maxrss
# would carry the forking test process's own size).
CHILD = """
import sys
from pathlib import Path
from sagenotes_anki.build import BuildOptions, build
report = build(Path(sys.argv[1]), Path(sys.argv[2]), BuildOptions(timestamp=1_700_100_000))
codes = sorted({d.code for d in report.diagnostics})
peak = next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(peak, " ".join(codes))
"""


def test_a_zip_bomb_as_the_previous_package_is_passed_over(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    text = NOTE.read_text(encoding="utf-8")
    (notes / NOTE.name).write_text(text, encoding="utf-8")
    out = tmp_path / "deck.apkg"
    first = subprocess.run([sys.executable, "-c", CHILD, str(notes), str(out)], check=True)
    assert first.returncode == 0
    # One concept goes: its content must come from the previous package, now a bomb.
    (notes / NOTE.name).write_text(text.replace("- **Processing Jobs**", "- Processing"), "utf-8")
    out.unlink()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb,
        bomb.open("collection.anki2", "w", force_zip64=True) as member,
    ):
        for _ in range(400):  # 400 MiB of zeros in a package of about 0.4 MiB
            member.write(bytes(1 << 20))
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(notes), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    peak_kib, codes = run.stdout.split(maxsplit=1)
    assert int(peak_kib) < 250 * 1024  # the 400 MiB were never read into memory
    assert "removed-lost" in codes  # said, as for any unreadable previous package
    assert json.loads((notes / "sagenotes.lock.json").read_text(encoding="utf-8"))["format"] == 2
    shutil.rmtree(tmp_path / "notes")
