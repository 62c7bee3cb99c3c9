"""Tables, code, math and callouts as a person sees them on a phone, light and night.

The notes in tests/rich/ are built by the real build, imported into a real collection, and
each card's ``card.question()`` / ``card.answer()`` is shown in headless Chromium at
390x844. MathJax is served to the page from the Debian package ``libjs-mathjax`` by this
test only, as Anki and AnkiDroid bring their own: the card itself loads nothing.

``SAGENOTES_SCREENSHOTS=docs/screenshots`` also writes table-, code- and math-light/night.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from browserutil import (
    RenderedCard,
    anki_phone_html,
    console_errors,
    rendered_cards,
)
from playwright.sync_api import Page, Route
from test_browser import CONTRASTS_JS, MIN_CONTRAST

from sagenotes_anki.build import BuildOptions, build

RICH = Path(__file__).parent / "rich"
MODES = ("light", "night")
MATHJAX = Path("/usr/share/javascript/mathjax")
MATHJAX_URL = "http://mathjax.test/"
MATHJAX_SCRIPT = (
    "<script>window.MathJax = {skipStartupTypeset: false, messageStyle: 'none',"
    " tex2jax: {inlineMath: [['\\\\(', '\\\\)']], displayMath: [['\\\\[', '\\\\]']]}};</script>"
    f'<script src="{MATHJAX_URL}MathJax.js?config=TeX-AMS_CHTML"></script>'
)
KEYWORD = {"light": ("rgb(0, 119, 0)", "rgb(238, 241, 244)"),
           "night": ("rgb(255, 123, 114)", "rgb(44, 48, 54)")}  # fmt: skip
NO_OVERFLOW = "document.scrollingElement.scrollWidth <= innerWidth"


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedCard]:
    base = tmp_path_factory.mktemp("rich")
    shutil.copytree(RICH, base / "notes")
    report = build(base / "notes", base / "deck.apkg", BuildOptions(timestamp=1_750_000_000))
    assert report.written and report.errors == 0, report.diagnostics
    return rendered_cards(base / "deck.apkg", base / "anki")


def _card(cards: list[RenderedCard], source: str, notetype: str) -> RenderedCard:
    for card in cards:
        if card.notetype == notetype and source in card.fields["Source"]:
            return card
    raise AssertionError(f"no {notetype} card from {source}")


def _show(page: Page, html: str, mode: str, *, mathjax: bool = False) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    wrapped = anki_phone_html(html, night=mode == "night")
    if mathjax:
        wrapped = wrapped.replace("</head>", MATHJAX_SCRIPT + "</head>")
    page.set_content(wrapped)
    return requests


def _shot(page: Page, name: str, mode: str) -> None:
    folder = os.environ.get("SAGENOTES_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{mode}.png"), full_page=True)


@pytest.mark.parametrize("mode", MODES)
def test_no_card_scrolls_the_page_sideways_and_none_loads_anything(
    page: Page, cards: list[RenderedCard], mode: str
) -> None:
    assert len(cards) >= 15
    for card in cards:
        for html in (card.question, card.answer):
            errors = console_errors(page)
            requests = _show(page, html, mode)
            assert page.evaluate(NO_OVERFLOW), (card.fields["Source"], card.notetype)
            assert [r for r in requests if not r.startswith(("about:", "data:"))] == []
            assert errors == []


@pytest.mark.parametrize("mode", MODES)
def test_a_wide_table_scrolls_inside_its_wrapper_and_reads_well(
    page: Page, cards: list[RenderedCard], mode: str
) -> None:
    card = _card(cards, "table-note.md", "SageNotes Scenario")
    _show(page, card.answer, mode)
    table: dict[str, Any] = page.eval_on_selector(
        "div.table",
        """w => { const t = w.querySelector("table"), td = w.querySelector("td");
          const s = getComputedStyle(td);
          return { wide: t.scrollWidth > w.clientWidth, overflow: getComputedStyle(w).overflowX,
                   rows: t.rows.length, cols: t.rows[0].cells.length, font: parseFloat(s.fontSize),
                   border: s.borderTopStyle }; }""",
    )
    assert table["rows"] == 4 and table["cols"] == 5
    assert table["wide"] and table["overflow"] == "auto"
    assert table["font"] >= 14 and table["border"] == "solid"
    contrasts: list[dict[str, Any]] = page.evaluate(CONTRASTS_JS)
    assert not [c for c in contrasts if c["ratio"] < MIN_CONTRAST]
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, "table", mode)


@pytest.mark.parametrize("mode", MODES)
def test_code_keeps_its_lines_and_is_coloured_for_the_mode(
    page: Page, cards: list[RenderedCard], mode: str
) -> None:
    question = _card(cards, "code-note.md", "SageNotes MCQ")
    _show(page, question.question, mode)
    matrix = page.eval_on_selector(".question pre.code", "p => p.innerText")
    assert matrix.strip("\n").split("\n") == ["8  2", "4  6"]

    key_point = _card(cards, "code-note.md", "SageNotes Scenario")
    _show(page, key_point.answer, mode)
    code: dict[str, Any] = page.eval_on_selector(
        "pre.code.lang-python",
        """p => ({ lines: p.innerText.trim().split("\\n").length,
                   ws: getComputedStyle(p).whiteSpace,
                   keyword: getComputedStyle(p.querySelector(".hl-kn")).color,
                   name: getComputedStyle(p.querySelector(".hl-n")).color,
                   bg: getComputedStyle(p).backgroundColor })""",
    )
    assert code["lines"] == 2 and code["ws"] == "pre"
    assert code["keyword"] != code["name"]  # highlighted, not one colour
    assert (code["keyword"], code["bg"]) == KEYWORD[mode]  # each mode its own colours
    flow: dict[str, Any] = page.eval_on_selector(
        ".flow-wrap",
        """f => ({ fits: f.scrollWidth <= f.clientWidth, height: f.clientHeight,
                   line: parseFloat(getComputedStyle(f).lineHeight) })""",
    )
    assert flow["fits"] and flow["height"] > 2 * flow["line"]  # wrapped at its arrows
    box: dict[str, Any] = page.eval_on_selector(
        "pre.flow",
        """p => ({ ws: getComputedStyle(p).whiteSpace, overflow: getComputedStyle(p).overflowX,
                   lines: p.innerText.trim().split("\\n").length })""",
    )
    assert box == {"ws": "pre", "overflow": "auto", "lines": 3}
    contrasts: list[dict[str, Any]] = page.evaluate(CONTRASTS_JS)
    poor = [c for c in contrasts if c["ratio"] < MIN_CONTRAST]
    assert not poor, f"code hard to read ({mode}): {poor}"
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, "code", mode)


@pytest.mark.skipif(not MATHJAX.is_dir(), reason="libjs-mathjax is missing (make test has it)")
@pytest.mark.parametrize("mode", MODES)
def test_math_is_typeset_by_mathjax(page: Page, cards: list[RenderedCard], mode: str) -> None:
    def serve(route: Route) -> None:
        local = MATHJAX / route.request.url[len(MATHJAX_URL) :].split("?")[0]
        if local.is_file():
            route.fulfill(path=str(local))
        else:
            route.fulfill(status=404)

    page.route(MATHJAX_URL + "**", serve)
    card = _card(cards, "math-note.md", "SageNotes Scenario")
    _show(page, card.answer, mode, mathjax=True)
    page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0")
    page.evaluate("new Promise(done => MathJax.Hub.Queue(done))")
    typeset: dict[str, Any] = page.evaluate(
        """() => ({ inline: document.querySelectorAll(".math .MJXc-display, .math .mjx-chtml")
                      .length,
                   display: document.querySelectorAll(".math.display .MJXc-display").length,
                   text: document.querySelector(".decision").innerText })"""
    )
    assert typeset["display"] == 1 and typeset["inline"] >= 2
    assert "\\frac" not in typeset["text"] and "\\(" not in typeset["text"]
    assert "11 × $50 = $550" in typeset["text"]  # money is text  # noqa: RUF001
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, "math", mode)


@pytest.mark.parametrize("mode", MODES)
def test_callouts_are_boxes_and_a_foldable_one_opens(
    page: Page, cards: list[RenderedCard], mode: str
) -> None:
    card = _card(cards, "obsidian-note.md", "SageNotes Scenario")
    _show(page, card.answer, mode)
    boxes: list[dict[str, Any]] = page.eval_on_selector_all(
        ".callout",
        """all => all.map(b => ({ border: getComputedStyle(b).borderLeftColor,
          bg: getComputedStyle(b).backgroundColor,
          visible: b.querySelector(".callout-body").checkVisibility() }))""",
    )
    assert len(boxes) == 2
    assert boxes[0]["border"] != boxes[1]["border"]  # tip and warning differ
    assert boxes[0]["visible"] and not boxes[1]["visible"]  # "[!warning]-" starts folded
    page.click("summary.callout-title")
    assert page.eval_on_selector("details.callout .callout-body", "b => b.checkVisibility()")
    assert page.locator("mark").first.is_visible()
