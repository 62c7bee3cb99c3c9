"""A long fuzzing run: many hostile notes through the parser, a few hostile vaults built and
imported into the real Anki backend; prints what went wrong.

    .venv/bin/python scripts/fuzz.py -n 6000 --seed 11 --vaults 4 --time-limit 600

The documents come from tests/fuzzgen.py (the generator tests/test_fuzz.py uses, with the
same checks). The summary counts inputs tried, tracebacks, hangs, silent drops, field
problems and invalid decks, then lists each distinct failure once with a reproducer (the
document's index, how it was damaged, its file name and first bytes); ``--save DIR`` also
writes every failing document there as a file.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fuzzgen  # noqa: E402  (tests/ is not a package)

SUMMARY_KINDS = {
    "traceback": "tracebacks",
    "crash": "tracebacks",
    "hang": "hangs",
    "silent-drop": "silent drops",
    "diagnostic-path": "silent drops",
    "control-char": "field problems",
    "field-count": "field problems",
    "bad-tag": "field problems",
    "script": "field problems",
    "anki-markup": "field problems",
}


def _key(kind: str, detail: str) -> str:
    return kind + ":" + re.sub(r"'[^']*'|\d+", "_", detail)[:120]


def parse_run(
    seed: int, n: int, timeout: float, deadline: float
) -> tuple[int, Counter[str], dict[str, str], list[fuzzgen.Doc]]:
    """The parse-level run: inputs tried, failing inputs by summary kind, distinct failures."""
    fuzz = fuzzgen.Fuzz(seed)
    counts: Counter[str] = Counter()
    distinct: dict[str, str] = {}
    failing: list[fuzzgen.Doc] = []
    tried = 0
    step = 200
    for start in range(0, n, step):
        if time.monotonic() > deadline:
            break
        outcomes = fuzzgen.run_parse_batch(seed, range(start, min(n, start + step)), timeout)
        tried += len(outcomes)
        for outcome in outcomes:
            kinds = {SUMMARY_KINDS.get(k, k) for k, _ in outcome.findings}
            counts.update(kinds)
            if outcome.findings:
                doc = fuzz.parse_doc(outcome.index)
                failing.append(doc)
            for kind, detail in outcome.findings:
                distinct.setdefault(
                    _key(kind, detail),
                    f"{kind}: {detail}\n      {fuzz.parse_doc(outcome.index).describe(120)}",
                )
        print(f"  ... {tried} inputs, {sum(counts.values())} failures", file=sys.stderr, flush=True)
    return tried, counts, distinct, failing


def vault_run(
    seed: int, vaults: int, size: int, timeout: float, deadline: float
) -> tuple[int, Counter[str], dict[str, str]]:
    """Whole builds of hostile vaults (keep-going), each imported into a fresh Anki collection."""
    counts: Counter[str] = Counter()
    distinct: dict[str, str] = {}
    built = 0
    for v in range(vaults):
        if time.monotonic() > deadline:
            break
        fuzz = fuzzgen.Fuzz(seed * 1000 + v)
        docs = [fuzz.vault_doc(i) for i in range(size)]
        screened = fuzzgen.run_parse_batch(fuzz.seed, range(size), timeout, docs=fuzz.vault_doc)
        bad = {
            o.index
            for o in screened
            if any(k in ("hang", "crash", "traceback") for k, _ in o.findings)
        }
        docs = [d for d in docs if d.index not in bad]
        with tempfile.TemporaryDirectory(prefix="sagenotes-fuzz-") as tmp:
            notes = Path(tmp) / "notes"
            notes.mkdir()
            written = fuzzgen.write_docs(notes, docs)
            out = Path(tmp) / "out" / "deck.apkg"
            run = fuzzgen.run_build(notes, out, timeout=120)
            built += 1
            label = f"vault {fuzz.seed} ({len(docs)} notes)"
            if run.hung:
                counts["hangs"] += 1
                distinct.setdefault(f"vault-hang:{v}", f"build hang: {label}")
                continue
            if run.traceback or run.result.get("usage_error"):
                counts["tracebacks"] += 1
                what = run.traceback or run.result["usage_error"]
                distinct.setdefault(_key("build", str(what)), f"build: {what} in {label}")
                continue
            named = fuzzgen.lock_paths(notes) | {d[0] for d in run.result["diagnostics"]}
            dropped = fuzzgen.silent_drops(written, named)
            if dropped:
                counts["silent drops"] += len(dropped)
                for name in dropped:
                    distinct.setdefault(f"vault-drop:{name!r}", f"silent drop in {label}: {name!r}")
            expected = sum(run.result["report"]["cards"].values())
            problems = fuzzgen.anki_problems(out, Path(tmp) / "anki", expected)
            if problems:
                counts["invalid decks"] += 1
                for problem in problems:
                    distinct.setdefault(
                        _key("anki", problem.split(" ", 2)[-1]), f"anki: {problem} in {label}"
                    )
    return built, counts, distinct


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=6000, help="parse-level documents")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per document")
    parser.add_argument("--vaults", type=int, default=4, help="hostile vaults to build")
    parser.add_argument("--vault-size", type=int, default=60)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds in all")
    parser.add_argument("--save", type=Path, help="write the failing documents here")
    args = parser.parse_args()

    began = time.monotonic()
    deadline = began + args.time_limit
    tried, counts, distinct, failing = parse_run(args.seed, args.n, args.timeout, deadline - 60)
    print(f"parse level: {tried} documents, {dict(counts)}", file=sys.stderr, flush=True)
    try:
        built, vault_counts, vault_distinct = vault_run(
            args.seed, args.vaults, args.vault_size, args.timeout, deadline
        )
    except Exception as exc:  # the harness itself failed: say so, keep the parse results
        built, vault_counts = 0, Counter({"harness errors": 1})
        vault_distinct = {"harness": f"vault run failed: {type(exc).__name__}: {exc}"}
    counts.update(vault_counts)
    distinct.update(vault_distinct)
    if args.save is not None:
        args.save.mkdir(parents=True, exist_ok=True)
        for doc in failing:
            (args.save / f"{args.seed}-{doc.index}.md").write_bytes(doc.data)

    print(f"seed {args.seed}: {time.monotonic() - began:.0f} s")
    print(f"inputs tried:   {tried} documents, {built} vault builds")
    for name in ("tracebacks", "hangs", "silent drops", "field problems", "invalid decks"):
        print(f"{name + ':':15} {counts.get(name, 0)}")
    print(f"distinct failures: {len(distinct)}")
    for line in sorted(distinct.values()):
        print("  " + line)
    return 1 if distinct else 0


if __name__ == "__main__":
    sys.exit(main())
