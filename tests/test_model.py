"""The model's hand-written constructors behave as the ones dataclasses would generate."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from sagenotes_anki.cards.notetypes import NOTE_TYPES
from sagenotes_anki.lock.model import Entry, Item
from sagenotes_anki.model import RichText, Span
from sagenotes_anki.package.writer import PackageNote
from sagenotes_anki.parse.mdast import Block

# The classes with a hand-written __init__ (faster than the generated one).
FAST = [Span, RichText, Block, Item, Entry, PackageNote]


@pytest.mark.parametrize("cls", FAST, ids=lambda c: c.__name__)
def test_the_constructor_takes_the_fields_with_their_defaults(cls: type) -> None:
    fields = dataclasses.fields(cls)
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in fields]
    for param, field in zip(params, fields, strict=True):
        assert param.default == (
            inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        ), field.name
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def _sample(cls: type) -> object:
    if cls is Span:
        return Span("link", "", (Span("text", "SageMaker"),), "https://aws.amazon.com")
    if cls is RichText:
        return RichText((Span("strong", children=(Span("text", "장점"),)), Span("text", ": 빠름")))
    if cls is Block:
        return Block("paragraph", 7, {"type": "paragraph"}, ("line",))
    item = Item("guid", "Concept", "note", "concept:x", "n.md", ("Term",), ("x",), ("t",))
    if cls is Item:
        return item
    if cls is Entry:
        return Entry(item, 1_700_000_000, "ab" * 32, False)
    return PackageNote(NOTE_TYPES[0], "guid", ("a", "b"), ("t",), 1, 2)


@pytest.mark.parametrize("cls", FAST, ids=lambda c: c.__name__)
def test_still_frozen_equal_by_value_and_picklable(cls: type) -> None:
    value = _sample(cls)
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, first, "changed")
    copy = dataclasses.replace(value)
    assert copy == value and copy is not value
    assert repr(copy) == repr(value)
    if cls is not Block:  # a Block holds a mutable token: not hashable, like the generated one
        assert hash(copy) == hash(value)
        assert pickle.loads(pickle.dumps(value)) == value
    changed = dataclasses.replace(value, **{first: _other(getattr(value, first))})
    assert changed != value


def _other(value: object) -> object:
    return "text" if value != "text" else "code"


def test_keywords_and_defaults_as_generated() -> None:
    assert Span("text") == Span(kind="text", text="", children=(), url="")
    assert RichText() == RichText(spans=()) and not RichText()
    assert RichText.of("x").plain() == "x"
