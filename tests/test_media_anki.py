"""Images on the card with the real parts: the built deck imported by the real Anki backend
(the files in the collection's media folder, ``card.question()`` / ``card.answer()`` naming
them), then shown in headless Chromium at 390x844, light and night, scaled to the phone.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from ankiutil import collection, import_apkg
from browserutil import anki_phone_html, console_errors, launch_chromium, phone_page
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page

from sagenotes_anki.build import BuildOptions, build

if TYPE_CHECKING:
    from anki.notes import Note

NOTE = """# 이미지 카드

## 🎯 핵심 포인트

파이프라인은 세 단계로 나뉜다: ![[pipeline.png]]

## 🔍 주요개념

- **Processing Job**: 전처리 전용 작업 ![[small.png|120]]
"""
WIDE = (1600, 500)  # far wider than a phone


def diagram(path: Path, color: tuple[int, int, int] = (40, 90, 200)) -> None:
    """A transparent diagram with dark lines, as notes hold them: three boxes and arrows."""
    image = Image.new("RGBA", WIDE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=64)
    for index, word in enumerate(("Processing", "Training", "Deploy")):
        left = 40 + index * 540
        draw.rounded_rectangle((left, 150, left + 440, 350), 30, (*color, 60), (30, 30, 30), 8)
        draw.text((left + 220, 250), word, (30, 30, 30), font, anchor="mm")
        if index < 2:
            draw.line((left + 450, 250, left + 530, 250), (30, 30, 30), 8)
            draw.polygon([(left + 530, 230), (left + 530, 270), (left + 560, 250)], (30, 30, 30))
    image.save(path)


def _vault(root: Path, color: tuple[int, int, int] = (40, 90, 200)) -> Path:
    vault = root / "vault"
    (vault / "attachments").mkdir(parents=True, exist_ok=True)
    diagram(vault / "attachments" / "pipeline.png", color)
    Image.new("RGB", (400, 400), (30, 160, 60)).save(vault / "attachments" / "small.png")
    (vault / "images.md").write_text(NOTE, encoding="utf-8")
    return vault


def _build(vault: Path, out: Path, timestamp: int) -> None:
    report = build(vault, out, BuildOptions(timestamp=timestamp))
    assert report.written, report.diagnostics


def _media(folder: str) -> set[str]:
    return {p.name for p in Path(folder).iterdir() if p.is_file()}


def _kind(note: Note) -> str:
    return str(note["Term"]) if "Term" in note else "kp"


def test_import_puts_the_images_in_the_media_folder_and_on_the_cards(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    _build(vault, tmp_path / "deck.apkg", 1_750_000_000)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, tmp_path / "deck.apkg")
        names = _media(col.media.dir())
        assert len(names) == 2 and all(n.endswith(".png") for n in names)
        stored = {n: (Path(col.media.dir()) / n).read_bytes() for n in names}
        wide = next(n for n in names if n.startswith("pipeline-"))
        assert stored[wide] == (vault / "attachments" / "pipeline.png").read_bytes()
        cards = [col.get_card(cid) for cid in col.find_cards("")]
        faces = {_kind(c.note()): (c.question(), c.answer()) for c in cards}
        key_point_back = faces["kp"][1]
        assert f'<img src="{wide}"' in key_point_back
        small = next(n for n in names if n.startswith("small-"))
        assert f'<img src="{small}" alt="small.png" width="120">' in faces["Processing Job"][1]
        assert col.media.check().unused == [] and col.media.check().missing == []


def test_an_edited_image_reaches_the_collection_an_unchanged_one_is_not_stored_again(
    tmp_path: Path,
) -> None:
    vault = _vault(tmp_path)
    _build(vault, tmp_path / "v1.apkg", 1_750_000_000)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, tmp_path / "v1.apkg")
        first = _media(col.media.dir())
        _build(vault, tmp_path / "v2.apkg", 1_750_000_100)  # nothing changed
        counts = import_apkg(col, tmp_path / "v2.apkg")
        assert counts.updated == 0 and _media(col.media.dir()) == first
        diagram(vault / "attachments" / "pipeline.png", (220, 40, 40))
        _build(vault, tmp_path / "v3.apkg", 1_750_000_200)
        counts = import_apkg(col, tmp_path / "v3.apkg")
        assert counts.updated == 1  # the key point whose image changed
        (new,) = _media(col.media.dir()) - first
        assert new.startswith("pipeline-")
        assert (Path(col.media.dir()) / new).read_bytes() == (
            vault / "attachments" / "pipeline.png"
        ).read_bytes()
        shown = "".join(col.get_card(cid).answer() for cid in col.find_cards(""))
        assert f'src="{new}"' in shown
        assert not any(f'src="{old}"' in shown for old in first if old.startswith("pipeline-"))


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The key point's and the concept's backs, in a folder beside the imported media."""
    tmp = tmp_path_factory.mktemp("media-browser")
    _build(_vault(tmp), tmp / "deck.apkg", 1_750_000_000)
    with collection(tmp / "anki") as col:
        import_apkg(col, tmp / "deck.apkg")
        site = tmp / "site"
        shutil.copytree(col.media.dir(), site)
        backs = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            kind = "concept" if "Term" in card.note() else "key-point"
            backs[kind] = card.answer()
    yield site, backs


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with launch_chromium() as browser, phone_page(browser) as new_page:
        yield new_page


def _show(page: Page, site: Path, html: str, mode: str) -> list[str]:
    errors = console_errors(page)
    card = site / f"card-{mode}.html"
    card.write_text(anki_phone_html(html, night=mode == "night"), encoding="utf-8")
    page.goto(card.as_uri())  # from the media folder, as Anki's web view loads a card
    page.wait_for_load_state("load")
    return errors


IMAGES_JS = """() => [...document.images].map(i => ({src: i.getAttribute('src'),
  loaded: i.complete && i.naturalWidth > 0, width: i.getBoundingClientRect().width,
  height: i.getBoundingClientRect().height, natural: i.naturalWidth,
  naturalHeight: i.naturalHeight}))"""


@pytest.mark.parametrize("mode", ["light", "night"])
def test_the_image_is_scaled_to_the_phone_without_sideways_scroll(
    page: Page, shown: tuple[Path, dict[str, str]], mode: str, tmp_path: Path
) -> None:
    site, backs = shown
    errors = _show(page, site, backs["key-point"], mode)
    (image,) = page.evaluate(IMAGES_JS)
    assert image["loaded"] and image["natural"] == WIDE[0]
    assert 300 <= image["width"] <= 390  # the card's width, not the image's 1600 px
    assert abs(image["height"] / image["width"] - WIDE[1] / WIDE[0]) < 0.01  # not distorted
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert errors == []
    page.screenshot(path=str(tmp_path / f"image-card-{mode}.png"), full_page=True)


@pytest.mark.parametrize("mode", ["light", "night"])
def test_a_width_in_the_note_is_kept_and_never_wider_than_the_screen(
    page: Page, shown: tuple[Path, dict[str, str]], mode: str
) -> None:
    site, backs = shown
    _show(page, site, backs["concept"], mode)
    (image,) = page.evaluate(IMAGES_JS)
    assert image["loaded"] and image["width"] == 120
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def test_the_preview_page_shows_the_images_and_loads_nothing_else(
    page: Page, tmp_path: Path
) -> None:
    """The preview is one file opened from anywhere: its images are inside it."""
    from sagenotes_anki.preview.page import write_preview

    vault = _vault(tmp_path)
    out = tmp_path / "elsewhere" / "preview.html"
    assert write_preview(vault, out, BuildOptions()) == 2
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    images = page.evaluate(
        """() => [...document.querySelectorAll('.face')].flatMap(f =>
          [...f.shadowRoot.querySelectorAll('img')].map(i => ({
            loaded: i.complete && i.naturalWidth > 0, natural: i.naturalWidth,
            data: i.src.startsWith('data:image/png;base64,')})))"""
    )
    assert images and all(i["loaded"] and i["data"] for i in images)
    assert {i["natural"] for i in images} == {WIDE[0], 400}
    assert requests == [out.as_uri()]


def test_anki_keeps_the_names_as_packed(tmp_path: Path) -> None:
    """Names with Korean (in macOS's NFD), spaces and punctuation are stored by Anki as the
    package names them, and its media check finds nothing to rename, missing or unused."""
    import json
    import unicodedata
    import zipfile

    vault = tmp_path / "vault"
    (vault / "그림").mkdir(parents=True)
    written = "다이어그램 (v2) 'a'&b=1+c;d%é.PNG"
    Image.new("RGB", (40, 20), (9, 9, 9)).save(
        vault / "그림" / unicodedata.normalize("NFD", written), format="PNG"
    )
    (vault / "n.md").write_text(f"# N\n\n## 🎯 핵심 포인트\n\n![[{written}]]\n", encoding="utf-8")
    _build(vault, tmp_path / "deck.apkg", 1_750_000_000)
    with zipfile.ZipFile(tmp_path / "deck.apkg") as z:
        (packed,) = json.loads(z.read("media")).values()
    with collection(tmp_path / "anki") as col:
        import_apkg(col, tmp_path / "deck.apkg")
        assert _media(col.media.dir()) == {packed}
        check = col.media.check()  # it renames files whose names it would not keep
        assert (list(check.missing), list(check.unused)) == ([], [])
        assert _media(col.media.dir()) == {packed}, check.report
        (cid,) = col.find_cards("")
        assert f'src="{packed}"' in col.get_card(cid).answer()
