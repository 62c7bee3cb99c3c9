"""Turn the benchmark's results.json data into results.md (a table) and a plot."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

# (cold, no-op, one changed) as a ratio to the reference, or seconds where the issue
# gives seconds (1x); peak RSS in MB. None: no target at that scale.
TARGETS: dict[int, dict[str, Any]] = {
    1: {"cold": ("x", 0.7), "noop": ("s", 0.3), "one_changed": ("s", 0.5), "rss": 150},
    10: {"cold": ("x", 0.35), "noop": ("x", 0.05), "one_changed": ("x", 0.15), "rss": 250},
    100: {"cold": ("x", 0.35), "noop": ("x", 0.03), "one_changed": ("x", 0.15), "rss": 600},
}
LINEAR_LIMIT = 11.0  # 100x may take at most 11 times as long as 10x

PASS, FAIL = "✅", "❌"
X = "\N{MULTIPLICATION SIGN}"


def _cell(row: dict[str, Any], key: str) -> str:
    seconds = row[key]["seconds"]
    ratio = seconds / row["reference"]["seconds"]
    text = f"{seconds:.2f} s ({ratio:.3f}{X})"
    target = TARGETS.get(row["copies"], {}).get(key)
    if target is None:
        return text
    unit, limit = target
    ok = (ratio if unit == "x" else seconds) <= limit
    shown = f"≤ {limit} {X} ref" if unit == "x" else f"≤ {limit} s"
    return f"{text} {PASS if ok else FAIL} {shown}"


def _rss(row: dict[str, Any]) -> str:
    limit = TARGETS.get(row["copies"], {}).get("rss")
    text = f"{row['peak_rss_mb']:.0f} MB"
    if limit is None:
        return text
    return f"{text} {PASS if row['peak_rss_mb'] <= limit else FAIL} ≤ {limit} MB"


def table(data: dict[str, Any]) -> str:
    """The Markdown report."""
    rows = data["scales"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {data['machine']['date']} on {data['machine']['cpus']} CPUs, "
        f"Python {data['machine']['python']} ({data['machine']['platform']}); "
        f"whole bench {data['total_seconds'] / 60:.1f} min. Made by `make bench` "
        "(`benchmarks/run.py`). Times are whole processes, median of the runs; "
        "the ratio in brackets is to the naive reference pipeline "
        "(`benchmarks/reference.py`) timed in the same session, its runs alternating "
        "with the cold builds'.",
        "",
        "| scale | cold full build | no-op rebuild | one note changed | peak RSS |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['copies']}{X} | {_cell(row, 'cold')} | {_cell(row, 'noop')} | "
            f"{_cell(row, 'one_changed')} | {_rss(row)} |"
        )
    lines += [
        "",
        "| scale | notes | Anki notes | cards | .apkg | reference | reference Anki notes | "
        "reference .apkg | runs | no-op left the .apkg untouched |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['copies']}{X} | {row['notes']} | {row['anki_notes']} | {row['cards']} | "
            f"{row['apkg_bytes'] / 1e6:.1f} MB | {row['reference']['seconds']:.2f} s | "
            f"{row['reference_cards']} | {row['reference_apkg_bytes'] / 1e6:.1f} MB | "
            f"{row['runs']} | {'yes' if row['noop_left_output_untouched'] else 'no'} |"
        )
    by_copies = {row["copies"]: row for row in rows}
    if 10 in by_copies and 100 in by_copies:
        apart = by_copies[100]["cold"]["seconds"] / by_copies[10]["cold"]["seconds"]
        ref_growth = (by_copies[100]["reference"]["seconds"]
                      / by_copies[10]["reference"]["seconds"])
        pairs = by_copies[100].get("paired_cold") or []
        if pairs:
            ratios = [big / small for small, big in pairs]
            growth = statistics.median(ratios)
            ok = PASS if growth <= LINEAR_LIMIT else FAIL
            lines += [
                "",
                f"Growth of the cold build from 10{X} to 100{X}: {growth:.1f}{X} {ok} "
                f"(target ≤ {LINEAR_LIMIT:g}{X}), the median over {len(pairs)} pairs of cold "
                f"builds run back to back ({', '.join(f'{r:.1f}{X}' for r in ratios)}). "
                f"Between the medians above, measured minutes apart: {apart:.1f}{X}; the "
                f"reference's: {ref_growth:.1f}{X}.",
            ]
        else:
            ok = PASS if apart <= LINEAR_LIMIT else FAIL
            lines += [
                "",
                f"Growth of the cold build from 10{X} to 100{X}: {apart:.1f}{X} {ok} "
                f"(target ≤ {LINEAR_LIMIT:g}{X}; the reference grows {ref_growth:.1f}{X}).",
            ]
    lines += [
        "",
        "What is measured, each as a whole `sagenotes-anki build NOTES -o OUT -q` process:",
        "",
        "- **cold full build**: no output, no lock file, no parse cache;",
        "- **no-op rebuild**: the same build again with nothing changed (the output must be "
        "left as it is);",
        "- **one note changed**: one note's key point reworded before each run (so its cards "
        "change and the package is written again);",
        "- **reference**: `benchmarks/reference.py` on the same notes: python-frontmatter, a "
        "mistune AST, every card field rendered from Markdown with mistune, genanki, one "
        "process, no cache.",
        "",
        "Peak RSS is the largest resident set of the build process or of any worker it ran "
        "(each process on its own), over all its runs at that scale.",
        "",
        "![time against number of notes](time_vs_notes.png)",
        "",
    ]
    return "\n".join(lines)


def plot(data: dict[str, Any], path: Path) -> None:
    """Time against number of notes, log-log, one line per measurement."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data["scales"]
    notes = [row["notes"] for row in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for key, label, style in (
        ("reference", "naive reference", "k--o"),
        ("cold", "cold full build", "C0-o"),
        ("one_changed", "one note changed", "C1-s"),
        ("noop", "no-op rebuild", "C2-^"),
    ):
        ax.plot(notes, [row[key]["seconds"] for row in rows], style, label=label)
    if len(rows) > 1:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("notes")
    ax.set_ylabel("seconds (whole process, median)")
    ax.set_title("sagenotes-anki build time against vault size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(data: dict[str, Any], out: Path) -> None:
    """Write results.md and time_vs_notes.png into ``out``."""
    (out / "results.md").write_text(table(data))
    plot(data, out / "time_vs_notes.png")
