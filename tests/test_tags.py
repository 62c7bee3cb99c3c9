"""Obsidian tags become Anki tags that Anki keeps exactly as written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.models import NotetypeDict
from hypothesis import given, settings
from hypothesis import strategies as st

from sagenotes_anki.cards.tags import anki_tag, anki_tags


class TestAnkiTag:
    def test_hierarchy_becomes_double_colons(self) -> None:
        """``a/b/c`` becomes ``a::b::c``."""
        assert anki_tag("service/sagemaker/processing") == "service::sagemaker::processing"

    def test_obsidian_hash_and_empty_segments_are_dropped(self) -> None:
        """A leading ``#``, doubled and trailing slashes leave no empty levels."""
        assert anki_tag("#method//preprocessing/") == "method::preprocessing"
        assert anki_tag("/constraint/batch") == "constraint::batch"

    def test_whitespace_is_replaced_not_dropped(self) -> None:
        """Spaces, tabs, no-break and ideographic spaces become ``_``; the words stay."""
        assert anki_tag("use case/image\u3000preprocessing") == "use_case::image_preprocessing"
        assert anki_tag("a\tb\u00a0c") == "a_b_c"
        assert anki_tag("two   spaces") == "two_spaces"

    def test_characters_anki_rejects_are_replaced(self) -> None:
        """Quotes, controls, a lone colon, zero-width spaces: one ``_`` per run."""
        assert anki_tag('say "hi"') == "say_hi_"
        assert anki_tag("bell\x07x") == "bell_x"
        assert anki_tag("a:b") == "a_b"
        assert anki_tag("\u200bhidden") == "_hidden"

    def test_korean_is_kept(self) -> None:
        """Hangul passes through unchanged."""
        assert anki_tag("개념/전처리") == "개념::전처리"

    def test_casing_is_the_same_whoever_writes_it(self) -> None:
        """Two notes spelling one tag differently produce one Anki tag."""
        assert (
            anki_tag("Service/SageMaker") == anki_tag("service/sagemaker") == "service::sagemaker"
        )

    def test_anki_style_separator_is_understood(self) -> None:
        """A tag already written as ``a::b`` keeps its hierarchy."""
        assert anki_tag("service::s3") == "service::s3"

    def test_nothing_left_gives_empty_string(self) -> None:
        """A tag of only separators is empty, and ``anki_tags`` leaves it out."""
        assert anki_tag("#//") == ""
        assert anki_tags(["#//", "b", "A", "a"]) == ("a", "b")


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    """A fresh Anki collection."""
    col = Collection(str(Path(tmp_path_factory.mktemp("tags")) / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def _stored_tags(col: Collection, basic: NotetypeDict, tags: list[str]) -> list[str]:
    note = col.new_note(basic)
    note["Front"] = "x"
    note.tags = tags
    col.add_note(note, col.decks.get_current_id())
    return col.get_note(note.id).tags


_TAG_TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30)


class TestAnkiKeepsThem:
    def test_real_anki_keeps_converted_tags_as_written(self, collection: Collection) -> None:
        """Anki stores every converted tag unchanged: one tag, not split, nothing dropped."""
        basic = collection.models.by_name("Basic")
        assert basic is not None
        samples = ["Service/SageMaker", "use case/이미지\u3000전처리", 'x"y', "a\x01b", "a:::b"]
        for raw in samples:
            tag = anki_tag(raw)
            assert _stored_tags(collection, basic, [tag]) == [tag]

    @settings(max_examples=150, deadline=None)
    @given(raw=_TAG_TEXT)
    def test_any_text_survives_anki(self, collection: Collection, raw: str) -> None:
        """Whatever text a note uses as a tag, Anki keeps the converted tag exactly."""
        tag = anki_tag(raw)
        if not tag:
            return
        basic = collection.models.by_name("Basic")
        assert basic is not None
        assert _stored_tags(collection, basic, [tag]) == [tag]
