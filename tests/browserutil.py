"""Headless Debian Chromium, driven by playwright, showing pages the size of a phone.

Playwright's own browser download is never used: the tests run the ``chromium`` Debian
package, which ``make test`` installs. ``launch_chromium`` skips the test (with the reason)
only when that package is missing. Test modules wrap these context managers in fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from ankiutil import collection, import_apkg
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}
# No sandbox: tests run as root in containers. The rest keeps Chromium off the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """A headless Chromium; skips the calling test when the Debian package is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install the Debian package chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def phone_page(browser: Browser, scale: float = 2) -> Iterator[Page]:
    """A fresh page the size of a phone screen (390x844 CSS pixels, touch)."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=scale, is_mobile=True, has_touch=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def console_errors(page: Page) -> list[str]:
    """Start collecting console errors and uncaught exceptions of ``page`` into a list."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def anki_phone_html(card_html: str, *, night: bool, ord_: int = 0) -> str:
    """Card HTML wrapped the way AnkiDroid shows it: phone classes on <html>, card on <body>.

    ``card_html`` is ``card.question()`` or ``card.answer()``: it starts with the note
    type's CSS in a ``<style>`` element, as Anki hands it to its web view.
    """
    body_class = f"card card{ord_ + 1}" + (" nightMode night_mode" if night else "")
    return (
        '<!doctype html><html class="mobile android"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body class="{body_class}"><div id="qa">{card_html}</div></body></html>'
    )


@dataclass(frozen=True)
class RenderedCard:
    """One card as the real Anki backend renders it (question and answer include the CSS)."""

    notetype: str
    template: str
    ord: int
    guid: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    question: str
    answer: str


def rendered_cards(apkg: Path, folder: Path) -> list[RenderedCard]:
    """Import ``apkg`` into a fresh collection in ``folder``; every card, rendered by Anki."""
    cards: list[RenderedCard] = []
    with collection(folder) as col:
        import_apkg(col, apkg)
        for cid in sorted(col.find_cards("")):
            card = col.get_card(cid)
            note = card.note()
            notetype = note.note_type()
            assert notetype is not None
            cards.append(
                RenderedCard(
                    notetype=str(notetype["name"]),
                    template=str(card.template()["name"]),
                    ord=card.ord,
                    guid=note.guid,
                    fields=dict(note.items()),
                    tags=tuple(note.tags),
                    question=card.question(),
                    answer=card.answer(),
                )
            )
    return cards
