"""The preview page, opened in headless Chromium like a learner would before importing.

What it shows is checked against the real Anki backend: the same cards (Anki's count), and
each card's front and back reading the same as ``card.question()`` / ``card.answer()``.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from browserutil import RenderedCard, console_errors, rendered_cards
from playwright.sync_api import Page, Request

from sagenotes_anki.build import BuildOptions, build
from sagenotes_anki.errors import NotesFolderError, OutputError
from sagenotes_anki.preview.page import write_preview

NOTES = (
    "sagemaker-processing-vs-batch-transform.md",
    "classification-sagemaker-spark-preprocessing.md",
    "athena-parquet-performance.md",  # JSON has cons only: one trade-off card, not two
    "batch-deeplearning-gpu-spotinstances.md",
)
NOTETYPES = ("SageNotes Scenario", "SageNotes Concept", "SageNotes Trade-off", "SageNotes MCQ")

# The text a person reads on each face: scripts and styles left out, whitespace collapsed
# later in Python. Preview faces live in shadow roots; Anki's HTML is parsed on the spot.
PREVIEW_TEXT_JS = """() => [...document.querySelectorAll(".pv-card")].map(card =>
  [...card.querySelectorAll(".face")].map(face => {
    const copy = face.shadowRoot.querySelector(".card").cloneNode(true);
    copy.querySelectorAll("script, style").forEach(e => e.remove());
    return copy.textContent;
  }))"""
ANKI_TEXT_JS = """pages => pages.map(faces => faces.map(html => {
  const doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll("script, style").forEach(e => e.remove());
  return doc.body.textContent;
}))"""


@dataclass(frozen=True)
class Deck:
    """A preview and a deck built from the same notes, and Anki's rendering of the deck."""

    preview: Path
    count: int
    anki: list[RenderedCard]


@pytest.fixture(scope="module")
def deck(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Deck:
    """Four real notes: previewed, built, imported into a real Anki collection."""
    base = tmp_path_factory.mktemp("preview")
    notes = base / "notes"
    notes.mkdir()
    for name in NOTES:
        shutil.copy(corpus_dir / name, notes / name)
    count = write_preview(notes, base / "out" / "preview.html", BuildOptions())
    report = build(notes, base / "deck.apkg", BuildOptions())
    assert report.written and report.errors == 0
    return Deck(base / "out" / "preview.html", count, rendered_cards(base / "deck.apkg", base))


def open_preview(page: Page, deck: Deck) -> tuple[list[str], list[str]]:
    """Open the preview; returns its console errors and every URL it requested."""
    errors = console_errors(page)
    requests: list[str] = []

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("request", on_request)
    page.goto(deck.preview.as_uri())
    return errors, requests


def visible(page: Page) -> list[str]:
    """The note type of every card the filters leave visible."""
    shown: list[str] = page.eval_on_selector_all(
        ".pv-card", "cards => cards.filter(c => c.offsetParent).map(c => c.dataset.notetype)"
    )
    return shown


def test_preview_counts_the_cards_anki_makes(deck: Deck) -> None:
    """write_preview returns Anki's card count, trade-off cards only where a list exists."""
    assert deck.count == len(deck.anki)
    tradeoffs = [c for c in deck.anki if c.notetype == "SageNotes Trade-off"]
    assert any(c.template == "Cons" and c.fields["Pros"] == "" for c in tradeoffs)
    assert len(tradeoffs) < 2 * len({c.guid for c in tradeoffs})


def test_preview_loads_on_a_phone_without_errors_or_outside_requests(
    page: Page, deck: Deck
) -> None:
    """The page loads cleanly, self-contained, shows every card and fits the phone's width."""
    errors, requests = open_preview(page, deck)
    assert errors == []
    assert requests == [deck.preview.as_uri()]
    assert len(visible(page)) == deck.count
    assert page.locator("#pv-count").inner_text() == f"{deck.count} of {deck.count} cards"
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("notetype", NOTETYPES)
def test_filter_by_note_type_shows_only_those_cards(page: Page, deck: Deck, notetype: str) -> None:
    """Choosing a note type leaves exactly that type's cards visible and says how many."""
    open_preview(page, deck)
    expected = sum(c.notetype == notetype for c in deck.anki)
    page.select_option("#pv-type", notetype)
    assert visible(page) == [notetype] * expected
    assert page.locator("#pv-count").inner_text() == f"{expected} of {deck.count} cards"
    page.select_option("#pv-type", "")
    assert len(visible(page)) == deck.count


@pytest.mark.parametrize("tag", ["service::athena", "service"])
def test_filter_by_tag_includes_child_tags(page: Page, deck: Deck, tag: str) -> None:
    """A tag shows the cards tagged with it or below it, and hides notes left empty."""
    open_preview(page, deck)
    expected = sum(any(t == tag or t.startswith(tag + "::") for t in c.tags) for c in deck.anki)
    assert expected > 0
    page.select_option("#pv-tag", tag)
    assert len(visible(page)) == expected
    assert page.locator("#pv-count").inner_text() == f"{expected} of {deck.count} cards"
    shown_notes = page.eval_on_selector_all(".pv-note", "ns => ns.filter(n => !n.hidden).length")
    assert shown_notes == len(
        {
            c.fields["Source"]
            for c in deck.anki
            if any(t == tag or t.startswith(tag + "::") for t in c.tags)
        }
    )


def test_text_search_finds_a_term(page: Page, deck: Deck) -> None:
    """Typing a word shows only the cards that contain it."""
    open_preview(page, deck)
    page.fill("#pv-text", "Spot")
    shown = len(visible(page))
    assert 0 < shown < deck.count


def test_cards_read_as_anki_renders_them(page: Page, deck: Deck) -> None:
    """Every card's front and back read the same as Anki's own rendering of the deck."""
    open_preview(page, deck)

    def norm(pairs: list[list[str]]) -> Counter[tuple[str, ...]]:
        return Counter(tuple(" ".join(face.split()) for face in pair) for pair in pairs)

    ours = norm(page.evaluate(PREVIEW_TEXT_JS))
    theirs = norm(page.evaluate(ANKI_TEXT_JS, [[c.question, c.answer] for c in deck.anki]))
    assert ours == theirs


def test_night_mode_darkens_the_cards(page: Page, deck: Deck) -> None:
    """The night-mode switch gives the cards Anki's night-mode look."""
    open_preview(page, deck)
    background = """() => getComputedStyle(
      document.querySelector(".face").shadowRoot.querySelector(".card")).backgroundColor"""
    light = page.evaluate(background)
    page.check("#pv-night")
    night = page.evaluate(background)
    assert light != night
    channels = [int(v) for v in night[night.index("(") + 1 : night.index(")")].split(",")[:3]]
    assert max(channels) < 80


def test_preview_reports_usage_errors(tmp_path: Path, corpus_dir: Path) -> None:
    """A missing notes folder and an unwritable output are errors, not tracebacks."""
    with pytest.raises(NotesFolderError):
        write_preview(tmp_path / "missing", tmp_path / "p.html", BuildOptions())
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(corpus_dir / NOTES[0], notes / NOTES[0])
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError):
        write_preview(notes, blocker / "preview.html", BuildOptions())
    assert blocker.read_text() == "not a folder"
