"""The four note types: fixed schema and ids, templates the real Anki renders, phone CSS.

``open_collection``, ``add_card_note`` and ``body`` are also used by test_cards.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from anki.collection import Collection
from playwright.sync_api import Browser, Page, sync_playwright

from sagenotes_anki.cards.make import cards_for
from sagenotes_anki.cards.notetypes import (
    CONCEPT,
    CSS,
    KEYPOINT,
    MCQ,
    NOTE_TYPES,
    SCENARIO,
    TRADEOFF,
    NoteType,
)
from sagenotes_anki.model import Flow, Option, Question, RichText, StudyNote

if TYPE_CHECKING:  # importing anki.cards before anki.collection is a circular import
    from anki.cards import Card


CHROMIUM = Path("/usr/bin/chromium")


def add_note_types(col: Collection) -> None:
    """Add the four note types to ``col`` the way an import would: fields, templates, CSS."""
    models = col.models
    for notetype in NOTE_TYPES:
        model = models.new(notetype.name)
        model["css"] = notetype.css
        model["sortf"] = notetype.sort_field
        for f in notetype.fields:
            field = models.new_field(f.name)
            field["id"] = f.id
            models.add_field(model, field)
        for t in notetype.templates:
            template = models.new_template(t.name)
            template.update(id=t.id, qfmt=t.qfmt, afmt=t.afmt)
            models.add_template(model, template)
        models.add_dict(model)


def add_card_note(
    col: Collection, notetype: NoteType, fields: Sequence[str], tags: Sequence[str] = ()
) -> list[Card]:
    """Add one note of ``notetype`` and return the cards Anki generated for it."""
    model = col.models.by_name(notetype.name)
    assert model is not None
    note = col.new_note(model)
    for name, value in zip(notetype.field_names, fields, strict=True):
        note[name] = value
    note.tags = list(tags)
    col.add_note(note, col.decks.get_current_id())
    return note.cards()


def open_collection(folder: Path) -> Iterator[Collection]:
    """A fresh real Anki collection in ``folder`` holding the four note types, closed after."""
    col = Collection(str(folder / "collection.anki2"))
    add_note_types(col)
    try:
        yield col
    finally:
        col.close()


@pytest.fixture
def anki_collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh real Anki collection holding the four note types."""
    yield from open_collection(tmp_path)


def body(rendered: str) -> str:
    """Rendered card HTML without Anki's ``<style>`` block and without scripts."""
    without_style = re.sub(r"<style>.*?</style>", "", rendered, flags=re.S)
    return re.sub(r"<script>.*?</script>", "", without_style, flags=re.S)


class TestSchema:
    def test_names(self) -> None:
        """The note types carry the names learners see in Anki."""
        assert [n.name for n in NOTE_TYPES] == [
            "SageNotes Key Point",
            "SageNotes Concept",
            "SageNotes Trade-off",
            "SageNotes MCQ",
            "SageNotes Scenario",
        ]

    def test_fields_in_final_order(self) -> None:
        """Field names and order are the published schema."""
        assert CONCEPT.field_names == ("Term", "Definition", "Group", "Topic", "Source")
        assert TRADEOFF.field_names == ("Subject", "Pros", "Cons", "Topic", "Source")
        assert MCQ.field_names == (
            "Question", "Options", "Answer", "Explanation", "Choose", "Topic", "Source"
        )  # fmt: skip
        assert KEYPOINT.field_names == ("Topic", "Point", "Flow", "Source")
        assert SCENARIO.field_names == (
            "Situation", "Prompt", "Decision", "Point", "Flow", "Topic", "Source"
        )  # fmt: skip
        assert [t.name for t in TRADEOFF.templates] == ["Pros", "Cons"]

    def test_ids_never_change(self) -> None:
        """Model, field and template ids are the released constants (a change breaks syncs)."""
        assert [n.id for n in NOTE_TYPES] == [
            1161010570, 1950071801, 2031391325, 1191548303, 1097725426
        ]  # fmt: skip
        assert [f.id for f in CONCEPT.fields] == [
            1456779046, 1243553944, 1762601764, 1815752124, 1858597725
        ]  # fmt: skip
        assert [f.id for f in TRADEOFF.fields] == [
            1654801660, 1914099916, 1525832936, 1822719210, 1100061367
        ]  # fmt: skip
        assert [f.id for f in MCQ.fields] == [
            1344618881, 1482835277, 1950102571, 1349740950, 1903257382, 1784880085, 1388353193
        ]  # fmt: skip
        assert [f.id for f in KEYPOINT.fields] == [1339626538, 1851904686, 1245894331, 2093166432]
        assert [f.id for f in SCENARIO.fields] == [
            1487319139, 1551923511, 1317700048, 1829536377, 1285089825, 1842158102, 1486001168
        ]  # fmt: skip
        templates = [t.id for n in NOTE_TYPES for t in n.templates]
        assert templates == [
            1249761399, 1888114880, 1618442848, 1586176231, 1461905893, 1367428168
        ]  # fmt: skip

    def test_ids_are_unique(self) -> None:
        """No two ids collide, so Anki never confuses two fields or templates."""
        ids = [n.id for n in NOTE_TYPES]
        ids += [f.id for n in NOTE_TYPES for f in n.fields]
        ids += [t.id for n in NOTE_TYPES for t in n.templates]
        assert len(ids) == len(set(ids))

    def test_templates_name_only_real_fields(self) -> None:
        """Every ``{{...}}`` in a template is a field, a section on a field, or FrontSide."""
        for notetype in NOTE_TYPES:
            allowed = set(notetype.field_names) | {"FrontSide"}
            for template in notetype.templates:
                for side in (template.qfmt, template.afmt):
                    refs = re.findall(r"\{\{([#/^]?)([^{}]*)\}\}", side)
                    assert refs
                    assert {name for _, name in refs} <= allowed
                    # a stray brace pair (e.g. in the script) would be parsed as a field
                    assert side.count("{{") == side.count("}}") == len(refs)


class TestCss:
    def test_no_external_resources(self) -> None:
        """The CSS loads nothing: no url(), no @import, no web fonts."""
        assert not re.search(r"url\(|@import|@font-face|https?:", CSS)

    def test_phone_and_korean_rules(self) -> None:
        """CJK fonts, Korean word breaking, and diagrams that scroll instead of overflowing."""
        assert '"Apple SD Gothic Neo"' in CSS and '"Noto Sans CJK KR"' in CSS
        assert "word-break: keep-all" in CSS and "overflow-wrap: anywhere" in CSS
        pre = CSS[CSS.index(".sn pre {") :]
        pre = pre[: pre.index("}")]
        assert "white-space: pre;" in pre and "overflow-x: auto" in pre and "monospace" in pre

    def test_night_mode_selectors(self) -> None:
        """Night mode sets both colours for every class name Anki clients use."""
        night = CSS[CSS.index(".nightMode,") :]
        night = night[: night.index("}")]
        for selector in (".card.nightMode", ".nightMode", ".night_mode"):
            assert selector in night
        assert "color: var(--fg)" in night and "background-color: var(--bg)" in night


class TestRenderedByAnki:
    def test_concept(self, anki_collection: Collection) -> None:
        """Term on the front; definition, group and topic on the back."""
        fields = ["Processing Jobs", "모델 없이 <b>변환</b>", "핵심 개념", "SageMaker 함정", "a.md"]
        (card,) = add_card_note(anki_collection, CONCEPT, fields)
        front, back = body(card.question()), body(card.answer())
        assert "Processing Jobs" in front and "모델 없이" not in front
        assert "모델 없이 <b>변환</b>" in back and "핵심 개념" in back and "SageMaker 함정" in back
        assert "a.md" in back

    def test_tradeoff_with_both_lists_gives_two_cards(self, anki_collection: Collection) -> None:
        """Pros and cons of one subject are two cards, each showing its own list."""
        fields = ["Batch", "<ul><li>싸다</li></ul>", "<ul><li>느리다</li></ul>", "T", "s.md"]
        pros, cons = add_card_note(anki_collection, TRADEOFF, fields)
        assert "Batch" in body(pros.question()) and "Pros" in body(pros.question())
        assert "싸다" in body(pros.answer()) and "느리다" not in body(pros.answer())
        assert "Cons" in body(cons.question()) and "느리다" in body(cons.answer())

    def test_tradeoff_with_only_pros_gives_one_card(self, anki_collection: Collection) -> None:
        """A subject with no cons gets no empty cons card."""
        cards = add_card_note(anki_collection, TRADEOFF, ["S", "<ul><li>p</li></ul>", "", "", ""])
        assert [c.template()["name"] for c in cards] == ["Pros"]

    def test_tradeoff_with_only_cons_gives_one_card(self, anki_collection: Collection) -> None:
        """A subject with no pros gets only its cons card."""
        cards = add_card_note(anki_collection, TRADEOFF, ["S", "", "<ul><li>c</li></ul>", "", ""])
        assert [c.template()["name"] for c in cards] == ["Cons"]

    def test_keypoint_with_flow(self, anki_collection: Collection) -> None:
        """Topic on the front; the point and the diagram on the back."""
        flow = '<pre class="flow"><code>A → B\n  └ C</code></pre>'
        (card,) = add_card_note(anki_collection, KEYPOINT, ["Topic X", "Use Y", flow, ""])
        assert "Topic X" in body(card.question()) and "Use Y" not in body(card.question())
        assert "Use Y" in body(card.answer()) and "A → B\n  └ C" in card.answer()

    def test_mcq_front_hides_back_shows(self, anki_collection: Collection) -> None:
        """The front has the plain options and no answer; the back shows the answer and
        the graded options (the Explanation field) in .mcq-back."""
        options = (
            '<ol class="options"><li class="opt" data-letter="A"><span class="letter">A'
            '</span> <span class="text">one</span></li>'
            '<li class="opt" data-letter="B"><span class="letter">B</span> '
            '<span class="text">two</span></li></ol>'
        )
        graded = (
            '<ol class="options graded"><li class="opt wrong" data-letter="A">A one'
            '<div class="why">A is wrong</div></li>'
            '<li class="opt correct" data-letter="B">B two</li></ol><p>Because.</p>'
        )
        fields = ["Which?", options, "B", graded, "", "T", ""]
        (card,) = add_card_note(anki_collection, MCQ, fields)
        front, back = body(card.question()), body(card.answer())
        assert "Which?" in front and "one" in front
        assert "mcq-back" not in front and "Because." not in front and "Answer" not in front
        assert "A is wrong" not in front and "correct" not in front
        assert '<div class="mcq-back"><ol class="options graded">' in back
        assert "Answer: B" in back and "Because." in back and "A is wrong" in back
        assert back.count('class="text">one') == 0  # the plain options are not repeated
        assert "choose" not in front  # single answer: no "choose N" chip

    def test_mcq_choose_chip_on_multi_answer(self, anki_collection: Collection) -> None:
        """A multi-answer question shows its "choose N" hint on the front."""
        fields = ["Q?", "<ol class='options'></ol>", "A, C", "", "2개 선택 · Choose 2", "", ""]
        (card,) = add_card_note(anki_collection, MCQ, fields)
        assert '<div class="choose">2개 선택 · Choose 2</div>' in card.question()


# --- Seen in a real browser: what the CSS and the MCQ script do on a phone-sized page. ---

_LONG_URL = "https://docs.aws.amazon.com/sagemaker/latest/dg/" + "very-long-path-segment-" * 6
_PHONE_NOTE = StudyNote(
    identity="phone",
    title="SageMaker 처리 작업과 배치 변환의 차이",
    path="phone.md",
    key_point=RichText.of("훈련 전 데이터 변환은 Processing Jobs에서 수행한다 " + _LONG_URL),
    flows=(
        Flow("플로우", "S3 원본 이미지 → Processing Jobs → S3 전처리 데이터 → Training Jobs", 1),
    ),
    questions=(
        Question(
            stem=RichText.of("Which TWO reduce cost? 비용을 줄이는 두 가지는?"),
            options=tuple(Option(k, RichText.of(f"옵션 option {k}")) for k in "ABCD"),
            correct=("A", "C"),
            answer_text=RichText(),
            explanations=(("B", RichText.of("B는 항상 켜져 있어 비싸다")),),
            general_explanation=(),
            line=1,
        ),
    ),
)


def _phone_page(card_html: str, *, night: bool) -> str:
    """Card HTML the way AnkiDroid wraps it."""
    classes = "card card1" + (" nightMode night_mode" if night else "")
    return (
        '<!doctype html><html class="mobile android"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body class="{classes}">{card_html}</body></html>'
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Question and answer HTML, as the real Anki renders them, for the phone note's cards."""
    out: dict[str, tuple[str, str]] = {}
    for col in open_collection(tmp_path_factory.mktemp("phone")):
        for card_note in cards_for(_PHONE_NOTE):
            (card,) = add_card_note(col, card_note.notetype, card_note.fields)
            out[card_note.key] = (card.question(), card.answer())
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (skipped where it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page (390x844)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def _rgb(css_colour: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css_colour)[:3])


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        lin = [
            c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in _rgb(colour)
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_STYLE_OF_OPTIONS = """els => els.map(e => {
  const s = getComputedStyle(e), mark = getComputedStyle(e, '::before').content,
        why = e.querySelector('.why');
  return {letter: e.dataset.letter, color: s.color, bg: s.backgroundColor, mark: mark,
          why: why ? why.offsetHeight > 0 : null};
})"""


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
class TestSeenInChromium:
    def test_front_gives_nothing_away(
        self, page: Page, rendered: dict[str, tuple[str, str]], night: bool
    ) -> None:
        """On the front all options look alike: no mark, no colour, no explanation."""
        page.set_content(_phone_page(rendered["question:1"][0], night=night))
        options = page.eval_on_selector_all("li.opt", _STYLE_OF_OPTIONS)
        assert len({(o["color"], o["bg"], o["mark"]) for o in options}) == 1
        assert options[0]["mark"] == "none"
        assert not any(o["why"] for o in options)

    def test_back_marks_right_and_wrong_legibly(
        self, page: Page, rendered: dict[str, tuple[str, str]], night: bool
    ) -> None:
        """On the back right and wrong options differ, each readable on its own colour."""
        page.set_content(_phone_page(rendered["question:1"][1], night=night))
        options = {o["letter"]: o for o in page.eval_on_selector_all("li.opt", _STYLE_OF_OPTIONS)}
        assert "✓" in options["A"]["mark"] and "✓" in options["C"]["mark"]
        assert "✗" in options["B"]["mark"] and options["A"]["bg"] != options["B"]["bg"]
        assert options["B"]["why"] is True
        for option in options.values():
            assert _contrast(option["color"], option["bg"]) >= 4.5

    def test_text_readable_and_nothing_overflows(
        self, page: Page, rendered: dict[str, tuple[str, str]], night: bool
    ) -> None:
        """Every side has contrasting text and no sideways scrolling; the diagram scrolls."""
        for question, answer in rendered.values():
            for side in (question, answer):
                page.set_content(_phone_page(side, night=night))
                style = page.evaluate(
                    "() => [getComputedStyle(document.body).color,"
                    " getComputedStyle(document.body).backgroundColor,"
                    " document.documentElement.scrollWidth, window.innerWidth]"
                )
                assert _contrast(style[0], style[1]) >= 7
                assert style[2] <= style[3]
        page.set_content(_phone_page(rendered["scenario"][1], night=night))
        pre = page.eval_on_selector("pre.flow", "e => [e.scrollWidth > e.clientWidth, e.innerText]")
        assert pre[0] is True and "→ Processing Jobs →" in pre[1]


class TestMcqScript:
    def _tap_then_flip(self, page: Page, card: tuple[str, str], letters: str, how: str) -> str:
        page.set_content(_phone_page(card[0], night=False))
        for letter in letters:
            page.click(f'li[data-letter="{letter}"]')
        if how == "same page":  # Anki desktop swaps the card body and runs its scripts
            page.evaluate(
                """html => { document.body.innerHTML =
                     new DOMParser().parseFromString(html, 'text/html').body.innerHTML;
                   for (const old of Array.from(document.body.querySelectorAll('script'))) {
                     const s = document.createElement('script'); s.text = old.text;
                     old.replaceWith(s); } }""",
                card[1],
            )
        else:
            page.set_content(_phone_page(card[1], night=False))
        result: str = page.eval_on_selector(".sn-result", "e => e.hidden ? '' : e.textContent")
        return result

    @pytest.mark.parametrize("how", ["same page", "new page"])
    def test_picks_are_graded_on_the_back(
        self, page: Page, rendered: dict[str, tuple[str, str]], how: str
    ) -> None:
        """Tapping A and C on the front shows "correct" on the back; A alone does not."""
        card = rendered["question:1"]
        assert "Correct" in self._tap_then_flip(page, card, "AC", how)
        assert page.eval_on_selector_all("li.picked", "els => els.length") == 2
        assert "Not quite" in self._tap_then_flip(page, card, "A", how)

    def test_without_scripts_the_static_card_remains(
        self, browser: Browser, rendered: dict[str, tuple[str, str]]
    ) -> None:
        """With JavaScript off the back still marks the right options and shows no grade."""
        context = browser.new_context(java_script_enabled=False)
        try:
            page = context.new_page()
            page.set_content(_phone_page(rendered["question:1"][1], night=False))
            options = page.eval_on_selector_all("li.opt", _STYLE_OF_OPTIONS)
            assert [o["letter"] for o in options if "✓" in o["mark"]] == ["A", "C"]
            assert page.eval_on_selector(".sn-result", "e => e.hidden") is True
        finally:
            context.close()
