"""Regenerate docs/screenshots/: one real note's cards on a phone, light and night.

Builds ``sagemaker-processing-vs-batch-transform`` with the real build, imports it into a
fresh Anki collection, takes each note type's first card as Anki renders it and screenshots
front and back in headless Chromium at 390 CSS pixels wide (the whole card, 2x pixels).
Needs the test extras (``anki``, ``playwright``) and the Debian ``chromium`` package.

    .venv/bin/python scripts/screenshots.py [--notes DIR] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser helpers the tests use

from browserutil import (  # noqa: E402
    RenderedCard,
    anki_phone_html,
    launch_chromium,
    phone_page,
    rendered_cards,
)

from sagenotes_anki.build import BuildOptions, build  # noqa: E402
from sagenotes_anki.cards.identity import guid_for  # noqa: E402

NOTE = "sagemaker-processing-vs-batch-transform.md"
CORPUS = ROOT.parent / "shared" / "corpus" / "mercurydb"
SLUGS = {
    "SageNotes Scenario": "scenario",
    "SageNotes Concept": "concept",
    "SageNotes Trade-off": "trade-off",
    "SageNotes MCQ": "mcq",
    "practical": "practical",  # a practical-application bullet's scenario card
}


def first_cards(cards: list[RenderedCard]) -> dict[str, RenderedCard]:
    """The first card of each note type, in the build's study order; the key point's
    scenario card as "SageNotes Scenario", the first practical bullet's as "practical"."""
    found: dict[str, RenderedCard] = {}
    key_point = guid_for(NOTE.removesuffix(".md"), "scenario")
    for card in cards:
        if card.notetype == "SageNotes Scenario" and card.guid != key_point:
            found.setdefault("practical", card)
        else:
            found.setdefault(card.notetype, card)
    return found


def main() -> int:
    """Write <note type>-<front|back>-<light|night>.png for the note's first cards."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=Path, default=CORPUS, help="folder holding the note")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        shutil.copy(args.notes / NOTE, notes / NOTE)
        report = build(notes, Path(tmp) / "deck.apkg", BuildOptions(timestamp=1_750_000_000))
        if not report.written:
            print(f"build failed: {report.diagnostics}", file=sys.stderr)
            return 1
        cards = first_cards(rendered_cards(Path(tmp) / "deck.apkg", Path(tmp) / "anki"))
    with launch_chromium() as browser, phone_page(browser) as page:
        for notetype, slug in SLUGS.items():
            card = cards[notetype]
            for side, html in (("front", card.question), ("back", card.answer)):
                for mode in ("light", "night"):
                    page.set_content(anki_phone_html(html, night=mode == "night", ord_=card.ord))
                    path = args.out / f"{slug}-{side}-{mode}.png"
                    page.screenshot(path=str(path), full_page=True)
                    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
