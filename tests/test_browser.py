"""Cards as a person sees them on a phone: Anki's own rendering, shown in headless Chromium.

The question and answer HTML come from the real Anki backend (``card.question()`` /
``card.answer()`` after importing the built deck); each is wrapped the way AnkiDroid wraps
it and loaded at 390x844 in light and in night mode.
"""

from __future__ import annotations

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
from playwright.sync_api import Page

from sagenotes_anki.build import CARD_KINDS, BuildOptions, build

MAIN = "sagemaker-processing-vs-batch-transform.md"
MULTI = "classification-sagemaker-spark-preprocessing.md"  # 정답: B, D
NOTETYPES = ("SageNotes Scenario", "SageNotes Concept", "SageNotes Trade-off", "SageNotes MCQ")
NOTETYPES += ("SageNotes Comparison", "SageNotes Concept Reversed")
MODES = ("light", "night")
SIDES = ("front", "back")
MIN_CONTRAST = 4.5  # WCAG AA for body text

# Every visible piece of text (and the ::before marks) with its colour, the colour behind
# it (semi-transparent layers composited down to the page) and the contrast ratio.
CONTRASTS_JS = """() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]*)\\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => top.slice(0, 3).map((v, i) => v * top[3] + base[i] * (1 - top[3]));
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const lum = (c) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (fg, bg) => {
    const a = lum(fg), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const out = [];
  const add = (el, text, style) => {
    const bg = behind(el);
    const fg = over(parse(style.color), bg);
    const bgText = bg.join(",");
    out.push({ text: text.slice(0, 40), ratio: ratio(fg, bg), color: style.color, bg: bgText });
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest("script, style")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || !el.getClientRects().length) continue;
    add(el, node.textContent.trim(), style);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const before = getComputedStyle(el, "::before");
    if (before.content && before.content !== "none" && el.getClientRects().length)
      add(el, "::before " + before.content, before);
  }
  return out;
}"""

# Each Korean syllable as laid out (its width) and as drawn in the element's font, next to
# a character no font has: a tofu box looks the same for every missing character.
KOREAN_JS = """() => {
  const ink = (ch, font) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 96;
    const ctx = canvas.getContext("2d");
    ctx.font = font;
    ctx.textBaseline = "top";
    ctx.fillText(ch, 8, 8);
    return Array.from(ctx.getImageData(0, 0, 96, 96).data.filter((_, i) => i % 4 === 3));
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (el.closest("script, style") || !el.getClientRects().length) continue;
    const at = node.textContent.search(/[\\uAC00-\\uD7A3]/);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    const style = getComputedStyle(el);
    const font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const glyph = ink(node.textContent[at], font), tofu = ink("\\uFFFF", font);
    out.push({
      char: node.textContent[at],
      width: range.getBoundingClientRect().width,
      em: parseFloat(style.fontSize),
      inked: glyph.some((a) => a > 0),
      likeTofu: glyph.every((a, i) => a === tofu[i]),
    });
  }
  return out;
}"""


@pytest.fixture(scope="module")
def cards(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[RenderedCard]:
    """Every card of two real notes, built by the real build, rendered by the Anki backend."""
    base = tmp_path_factory.mktemp("browser")
    notes = base / "notes"
    notes.mkdir()
    for name in (MAIN, MULTI):
        shutil.copy(corpus_dir / name, notes / name)
    report = build(notes, base / "deck.apkg", BuildOptions(card_kinds=CARD_KINDS))  # every kind
    assert report.written and report.errors == 0
    return rendered_cards(base / "deck.apkg", base / "anki")


def first_card(cards: list[RenderedCard], notetype: str, source: str = MAIN) -> RenderedCard:
    """The first card of ``notetype`` made from the note ``source``."""
    for card in cards:
        if card.notetype == notetype and source in card.fields["Source"]:
            return card
    raise AssertionError(f"no {notetype} card from {source}")


def show(page: Page, card: RenderedCard, side: str, mode: str) -> list[str]:
    """Load one face of a card as the phone shows it; returns the console errors."""
    errors = console_errors(page)
    html = card.question if side == "front" else card.answer
    page.set_content(anki_phone_html(html, night=mode == "night", ord_=card.ord))
    return errors


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("notetype", NOTETYPES)
def test_card_fits_the_phone_and_reads_well(
    page: Page, cards: list[RenderedCard], notetype: str, side: str, mode: str
) -> None:
    """No sideways scrolling, readable contrast, real Korean glyphs, no script errors."""
    errors = show(page, first_card(cards, notetype), side, mode)
    width = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]}px wide"
    contrasts: list[dict[str, Any]] = page.evaluate(CONTRASTS_JS)
    assert contrasts, "no visible text"
    poor = [c for c in contrasts if c["ratio"] < MIN_CONTRAST]
    assert not poor, f"text hard to read ({mode}): {poor}"
    korean: list[dict[str, Any]] = page.evaluate(KOREAN_JS)
    assert korean, "the card shows no Korean text"
    for k in korean:
        # Hangul is about 1em wide and drawn from a real font, not the missing-glyph box.
        assert k["width"] >= 0.75 * k["em"] and k["inked"] and not k["likeTofu"], k
    assert errors == []


@pytest.mark.parametrize("mode", MODES)
def test_flow_diagram_keeps_its_lines(page: Page, cards: list[RenderedCard], mode: str) -> None:
    """The fenced flow shows line by line, monospace; its arrow lines wrap at their arrows
    inside the box rather than scroll (a sideways swipe answers the card on AnkiDroid)."""
    show(page, first_card(cards, "SageNotes Scenario"), "back", mode)
    flow = page.locator(".flow-wrap").first
    text = flow.inner_text()
    assert "Processing Jobs →" in text and "\n" in text
    box = flow.evaluate(
        """f => { const s = getComputedStyle(f); return { lines: f.querySelectorAll(
        ".flow-line").length, font: s.fontFamily, scroll: f.scrollWidth, width: f.clientWidth,
        steps: [...f.querySelectorAll(".step")].every(e => e.getClientRects().length === 1) }; }"""
    )
    assert box["lines"] == 4  # two labels, two flows (the blank line between stays)
    assert "monospace" in box["font"]
    assert box["scroll"] <= box["width"] and box["steps"]  # wraps between steps, not inside
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def _options(page: Page, where: str) -> list[dict[str, str]]:
    options: list[dict[str, str]] = page.evaluate(
        """where => [...document.querySelectorAll(where + " li")].map(li => ({
          text: li.innerText, mark: getComputedStyle(li, "::before").content,
          bg: getComputedStyle(li).backgroundColor, border: getComputedStyle(li).borderColor,
          why: [...li.querySelectorAll("*")].filter(e => e.getClientRects().length &&
            e.className === "why").map(e => e.innerText).join("") }))""",
        where,
    )
    return options


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("source", "right"), [(MAIN, {"B"}), (MULTI, {"B", "D"})])
def test_mcq_back_shows_which_options_are_right(
    page: Page, cards: list[RenderedCard], mode: str, source: str, right: set[str]
) -> None:
    """Right options carry a visible ✓ mark and their own colour; the front gives nothing away."""
    card = first_card(cards, "SageNotes MCQ", source)
    show(page, card, "front", mode)
    front = _options(page, ".mcq-front")
    assert len(front) >= 4
    assert {o["mark"] for o in front} <= {"none", "normal"}
    assert len({(o["bg"], o["border"]) for o in front}) == 1
    if len(right) > 1:
        assert page.locator(".choose").is_visible()
        assert str(len(right)) in page.locator(".choose").inner_text()

    show(page, card, "back", mode)
    back = _options(page, ".mcq-back")
    assert len(back) == len(front)
    marked = {o["text"].split()[0].strip(")") for o in back if "✓" in o["mark"]}
    assert marked == right
    looks = {o["text"].split()[0].strip(")"): (o["bg"], o["border"]) for o in back}
    assert all(looks[r] != looks[w] for r in right for w in set(looks) - right)
    assert any(o["why"] for o in back), "no explanation shown under the options"


@pytest.mark.parametrize("mode", MODES)
def test_every_card_of_the_sample_fits_and_reads_well(
    page: Page, cards: list[RenderedCard], mode: str
) -> None:
    """Every card of both notes, both faces: no sideways scrolling, readable contrast."""
    problems = []
    for card in cards:
        for side in SIDES:
            show(page, card, side, mode)
            if not page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"):
                problems.append((card.notetype, card.template, side, "scrolls sideways"))
            contrasts: list[dict[str, Any]] = page.evaluate(CONTRASTS_JS)
            poor = [c for c in contrasts if c["ratio"] < MIN_CONTRAST]
            if poor:
                problems.append((card.notetype, card.template, side, str(poor)))
    assert len(cards) > 20
    assert problems == []
