"""The benchmark: sagenotes-anki against reference pipelines, at 1x, 10x and 100x the corpus.

Every figure is a whole process (start-up included), the median of several runs, timed in
the same session as the references so that ratios compare like with like. The reference is
the plain pipeline (``reference.py``: mistune once, fields rendered from its AST); beside it
the naive one (``reference.py --naive``: every field parsed again) and, when it is installed,
ankdown (a Markdown-to-Anki tool of its own card format: a peer, not the same job). Peak RSS is the
largest resident set of the process or any child it waited for (``wait4``), so a worker
process counts on its own, not summed with its parent.

    python benchmarks/run.py            # 1x, 10x, 100x (about a quarter of an hour on 2 cores)
    python benchmarks/run.py --quick    # 1x only, a smoke test

Writes benchmarks/results/results.json, results.md and time_vs_notes.png.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from report import write_report
from scale import ROOT, WORK, scale

RESULTS = Path(__file__).resolve().parent / "results"
RUNS = {1: 5, 10: 5, 100: 3}  # runs per scale (the median is reported)
PEER_RUNS = {1: 5, 10: 3, 100: 1}  # runs of the naive reference and ankdown per scale
LOCK_NAME = "sagenotes.lock.json"


@dataclass(frozen=True)
class Run:
    """One timed process."""

    seconds: float
    rss_mb: float
    status: int


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion; wall time and peak RSS of it and its reaped children."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()  # drain so a chatty process never blocks on a full pipe
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1 = some note has an error: still a build
        sys.stderr.write(err.decode(errors="replace")[-2000:])
        raise SystemExit(f"{cmd[0]} failed with status {proc.returncode}")
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode)


def snapshot() -> dict[str, str]:
    """A copy of the package to measure, and the environment that runs it.

    The whole run measures one version of the code even if the working tree is edited
    meanwhile (the parse cache is keyed by the code, so an edit would empty it mid-run).
    """
    target = WORK / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "sagenotes_anki", target / "sagenotes_anki",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compiled as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as on some
    # machines) every run would otherwise compile the whole package again.
    compileall.compile_dir(target / "sagenotes_anki", quiet=1)
    return {**os.environ, "PYTHONPATH": str(target)}


TOOL = [sys.executable, "-m", "sagenotes_anki"]  # run with cwd outside the repository


def package_counts(apkg: Path) -> tuple[int, int]:
    """(Anki notes, cards) in a .apkg, read from its collection."""
    with zipfile.ZipFile(apkg) as zf, tempfile.TemporaryDirectory() as tmp:
        name = next(n for n in ("collection.anki21", "collection.anki2") if n in zf.namelist())
        zf.extract(name, tmp)
        db = sqlite3.connect(Path(tmp) / name)
        try:
            notes = db.execute("select count() from notes").fetchone()[0]
            cards = db.execute("select count() from cards").fetchone()[0]
        finally:
            db.close()
    return int(notes), int(cards)


def edit_one(path: Path, original: bytes, revision: int) -> None:
    """Change one note as a learner would: reword its key point (a card's content changes)."""
    text = original.decode("utf-8")
    lines = text.split("\n")
    heading = next(i for i, line in enumerate(lines) if "핵심 포인트" in line)
    target = next(i for i in range(heading + 1, len(lines)) if lines[i].strip())
    lines[target] = lines[target].rstrip() + f" (수정 {revision})"
    path.write_bytes("\n".join(lines).encode("utf-8"))


def median(runs: list[Run]) -> dict[str, float]:
    """Median time, peak RSS over the runs, and every time."""
    return {
        "seconds": statistics.median(r.seconds for r in runs),
        "rss_mb": max(r.rss_mb for r in runs),
        "all": [round(r.seconds, 3) for r in runs],  # type: ignore[dict-item]
    }


def clean(corpus: Path, out_dir: Path) -> None:
    """Remove every trace of earlier builds: output, parse cache, lock file."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    (corpus / LOCK_NAME).unlink(missing_ok=True)


def bench_scale(
    copies: int,
    runs: int,
    env: dict[str, str],
    log: bool = True,
    paired: int | None = None,
    peer_runs: int | None = None,
) -> dict[str, object]:
    """All measurements at one scale.

    With ``paired`` (a smaller scale), each cold build is run right after a cold build at
    that scale, so the growth between the two is measured on the machine in one state.
    """
    corpus = scale(copies)
    notes = sum(1 for _ in corpus.rglob("*.md"))
    out_dir = WORK / f"out-{copies}x"
    apkg = out_dir / "sagenotes.apkg"
    build = [*TOOL, "build", str(corpus), "-o", str(apkg), "-q"]

    def say(message: str) -> None:
        if log:
            print(f"[{copies}x] {message}", flush=True)

    # Reference runs and cold builds alternate, so that both see the machine as it is at the
    # same moment: on a shared machine its speed drifts by a third within minutes.
    ref_out = WORK / f"reference-{copies}x.apkg"
    reference = []
    peers: dict[str, list[Run]] = {name: [] for name in _peers(corpus, copies)}
    cold = []
    pairs: list[list[float]] = []
    for i in range(runs):
        ref_out.unlink(missing_ok=True)
        reference.append(timed([sys.executable, str(ROOT / "benchmarks" / "reference.py"),
                                str(corpus), str(ref_out)], ROOT))
        say(f"reference run {i + 1}: {reference[-1].seconds:.2f} s")
        if i < (PEER_RUNS.get(copies, 1) if peer_runs is None else peer_runs):
            for name, cmd in _peers(corpus, copies).items():
                peers[name].append(timed(cmd, ROOT))
                say(f"{name} run {i + 1}: {peers[name][-1].seconds:.2f} s")
        if paired is not None:
            small = _paired_cold(paired, env)
            say(f"cold build at {paired}x just before: {small:.2f} s")
        clean(corpus, out_dir)
        cold.append(timed(build, out_dir, env))
        say(f"cold build {i + 1}: {cold[-1].seconds:.2f} s, {cold[-1].rss_mb:.0f} MB")
        if paired is not None:
            pairs.append([small, cold[-1].seconds])
    size = apkg.stat().st_size
    counts = package_counts(apkg)

    noop = []
    before = apkg.stat().st_mtime_ns
    for i in range(runs):
        noop.append(timed(build, out_dir, env))
        say(f"no-op rebuild {i + 1}: {noop[-1].seconds:.2f} s")
    untouched = apkg.stat().st_mtime_ns == before

    victim = sorted(corpus.rglob("*.md"))[notes // 2]
    original = victim.read_bytes()
    changed = []
    try:
        for i in range(runs):
            edit_one(victim, original, i + 1)
            changed.append(timed(build, out_dir, env))
            say(f"one note changed {i + 1}: {changed[-1].seconds:.2f} s")
    finally:
        victim.write_bytes(original)
    timed(build, out_dir, env)  # leave output and lock in step with the restored corpus

    return {
        "copies": copies,
        "notes": notes,
        "anki_notes": counts[0],
        "cards": counts[1],
        "apkg_bytes": size,
        "reference_cards": package_counts(ref_out)[0],
        "reference_apkg_bytes": ref_out.stat().st_size,
        "runs": runs,
        "reference": median(reference),
        "peers": {name: {**median(found), "anki_notes": package_counts(_peer_out(name, copies))[0]}
                  for name, found in peers.items() if found},
        "cold": median(cold),
        "noop": median(noop),
        "noop_left_output_untouched": untouched,
        "one_changed": median(changed),
        "peak_rss_mb": max(r.rss_mb for r in cold + noop + changed),
        "paired_with": paired,
        "paired_cold": pairs,  # [seconds at the paired scale, seconds here], back to back
        "status": sorted({r.status for r in cold + noop + changed}),
    }


def _peer_out(name: str, copies: int) -> Path:
    return WORK / f"{name}-{copies}x.apkg"


def _peers(corpus: Path, copies: int) -> dict[str, list[str]]:
    """The peer pipelines' commands: the naive reference, and ankdown when installed."""
    found = {"naive": [sys.executable, str(ROOT / "benchmarks" / "reference.py"), "--naive",
                       str(corpus), str(_peer_out("naive", copies))]}
    ankdown = shutil.which("ankdown") or str(Path(sys.executable).with_name("ankdown"))
    if Path(ankdown).is_file():
        found["ankdown"] = [ankdown, "-r", str(corpus), "-p", str(_peer_out("ankdown", copies))]
    return found


def _paired_cold(copies: int, env: dict[str, str]) -> float:
    """One cold build at another scale, in its own output folder (its lock is removed)."""
    corpus = scale(copies)
    out_dir = WORK / f"out-{copies}x-paired"
    clean(corpus, out_dir)
    try:
        return timed([*TOOL, "build", str(corpus), "-o", str(out_dir / "sagenotes.apkg"), "-q"],
                     out_dir, env).seconds
    finally:
        (corpus / LOCK_NAME).unlink(missing_ok=True)


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1x only (a smoke test)")
    parser.add_argument("--scales", type=int, nargs="+", help="copies of the corpus, e.g. 1 10")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5/5/3)")
    parser.add_argument("--peer-scales", type=int, nargs="+",
                        help="scales at which the naive reference and ankdown run (default all)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument("--note", help="a sentence on the run shown with the results")
    args = parser.parse_args(argv)
    scales = [1] if args.quick else (args.scales or sorted(RUNS))
    started = time.perf_counter()
    env = snapshot()
    # The growth from 10x to 100x is measured on pairs of cold builds run back to back.
    results = [
        bench_scale(n, args.runs or RUNS.get(n, 3), env,
                    paired=10 if n == 100 and 10 in scales else None,
                    peer_runs=0 if args.peer_scales and n not in args.peer_scales else None)
        for n in scales
    ]
    data = {"machine": machine(), "total_seconds": time.perf_counter() - started,
            "scales": results, "note": args.note or ""}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    write_report(data, args.out)
    print((args.out / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

