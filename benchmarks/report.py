"""Turn the benchmark's results.json data into results.md (a table) and a plot."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

# (cold, no-op, one changed) as a ratio to the naive reference (the targets were set against
# it), or seconds where the issue gives seconds (1x); peak RSS in MB. None: no target at
# that scale.
TARGETS: dict[int, dict[str, Any]] = {
    1: {"cold": ("x", 0.7), "noop": ("s", 0.3), "one_changed": ("s", 0.5), "rss": 150},
    10: {"cold": ("x", 0.35), "noop": ("x", 0.05), "one_changed": ("x", 0.15), "rss": 250},
    100: {"cold": ("x", 0.35), "noop": ("x", 0.03), "one_changed": ("x", 0.15), "rss": 600},
}
LINEAR_LIMIT = 11.0  # 100x may take at most 11 times as long as 10x

PASS, FAIL = "✅", "❌"
X = "\N{MULTIPLICATION SIGN}"


def _naive(row: dict[str, Any]) -> float | None:
    """The naive reference's median seconds (None when it was not run)."""
    naive = row.get("peers", {}).get("naive")
    return None if naive is None else float(naive["seconds"])


def _cell(row: dict[str, Any], key: str) -> str:
    seconds = row[key]["seconds"]
    ratio = seconds / row["reference"]["seconds"]
    naive = _naive(row)
    text = f"{seconds:.2f} s ({ratio:.3f}{X}"
    text += f", {seconds / naive:.3f}{X} naive)" if naive else ")"
    target = TARGETS.get(row["copies"], {}).get(key)
    if target is None or (target[0] == "x" and naive is None):
        return text
    unit, limit = target
    ok = (seconds / naive if unit == "x" and naive else seconds) <= limit
    shown = f"≤ {limit} {X} naive" if unit == "x" else f"≤ {limit} s"
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
        "the ratios in brackets are to the plain reference pipeline "
        "(`benchmarks/reference.py`), timed in the same session, its runs alternating "
        "with the cold builds', and to the naive one (`reference.py --naive`), against "
        "which the targets were set.",
        *(["", f"Note: {data['note']}"] if data.get("note") else []),
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
    lines += _peer_table(rows)
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
        "- **reference** (plain): `benchmarks/reference.py` on the same notes: "
        "python-frontmatter, one mistune AST per note, every card field rendered by "
        "mistune's HTML renderer from that AST, genanki, one process, no cache (what a "
        "user would write);",
        "- **naive**: `benchmarks/reference.py --naive`: the same, but every card field "
        "written back as Markdown and parsed again by mistune to render it;",
        "- **ankdown**: `ankdown -r NOTES -p OUT` (PyPI `ankdown`), a peer: it makes cards "
        "of its own format (cards split at `---`, front and back at `%`), not of the study "
        "template, so its notes are not the same cards.",
        "",
        "Peak RSS is the largest resident set of the build process or of any worker it ran "
        "(each process on its own), over all its runs at that scale.",
        "",
        "![time against number of notes](time_vs_notes.png)",
        "",
    ]
    return "\n".join(lines)


def _peer_table(rows: list[dict[str, Any]]) -> list[str]:
    """Cold builds beside the pipelines they are measured against."""
    names = sorted({name for row in rows for name in row.get("peers", {})})
    if not names:
        return []
    head = " | ".join(f"{name} (Anki notes)" for name in names)
    lines = [
        "",
        f"| scale | cold full build | plain reference | {head} |",
        "| --- | --- | --- |" + " --- |" * len(names),
    ]
    for row in rows:
        cells = []
        for name in names:
            peer = row.get("peers", {}).get(name)
            cells.append("not run" if peer is None else
                         f"{peer['seconds']:.2f} s, {len(peer['all'])} runs "
                         f"({row['cold']['seconds'] / peer['seconds']:.3f}{X}; "
                         f"{peer['anki_notes']})")
        lines.append(f"| {row['copies']}{X} | {row['cold']['seconds']:.2f} s | "
                     f"{row['reference']['seconds']:.2f} s | {' | '.join(cells)} |")
    lines.append("")
    lines.append(f"In brackets: the cold build's time as a ratio to the peer's ({X}), and the "
                 "number of Anki notes the peer wrote.")
    return lines


def plot(data: dict[str, Any], path: Path) -> None:
    """Time against number of notes, log-log, one line per measurement."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data["scales"]
    notes = [row["notes"] for row in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for key, label, style in (
        ("reference", "plain reference", "k--o"),
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
