"""A question's options as written: a list of them (letters kept as written, sub-bullets
read as notes on the option), one more option, the letter of one written without any.

The reader in :mod:`questions` hands its :class:`answers.Draft` here.
"""

from __future__ import annotations

from ..model import Option, RichText
from .answers import Draft
from .letters import option_letter
from .mdast import Block
from .richtext import Token, drop_prefix, item_text, join, strip


def first_option(line: str) -> bool:
    # Only "A)" starts options under a stem: "1)" there is more often a numbered requirement.
    found = option_letter(line)
    letter_a = line.lstrip().lstrip("(")[:1] in ("A", "a")
    return found is not None and letter_a and bool(line[found[1] :].strip())


def add_option(draft: Draft, option: Option, line: int) -> None:
    """One more option, its letter as written; a letter written before is noted."""
    if any(known.letter == option.letter for known in draft.options):
        draft.repeated.append((option.letter, line))
    draft.options.append(option)


def _unlettered(draft: Draft, written: set[str]) -> str:
    """The letter for an option written without one: its place, unless another option of
    the question is written with that letter (``A) x``, ``y``, ``B) z``: y is C)."""
    taken = written | {option.letter for option in draft.options}
    letter = chr(ord("A") + len(draft.options))
    while letter in taken:
        letter = chr(ord(letter) + 1)
    return letter


def _option_and_notes(item: Token) -> tuple[RichText, list[RichText]]:
    """An option's own text, and the sub-bullets under it: notes on why it is (not) right.

    An item that is only a nested list (``- 1) one``) gives no text of its own.
    """
    children = [c for c in item.get("children", ()) if isinstance(c, dict)]
    nested = [c for c in children if c.get("type") == "list"]
    if not nested:  # most options: the item's text as already made (and kept) for it
        return item_text(item), []
    own = item_text({**item, "children": [c for c in children if c.get("type") != "list"]})
    if not own:
        return RichText(), []
    return own, [item_text(sub) for c in nested for sub in c.get("children", ())]


def list_options(draft: Draft, block: Block, texts: list[RichText]) -> None:
    """A list of options; letters stay as written, so the answer's letter names the option
    it meant (a letter written twice is noted, never silently changed)."""
    items = [
        (*_option_and_notes(item), whole, line)
        for (item, line), whole in zip(block.items(), texts, strict=True)
    ]
    found = [option_letter((text or whole).plain()) for text, _, whole, _ in items]
    written = {letter[0] for letter in found if letter}
    for (text, notes, whole, line), letter in zip(items, found, strict=True):
        text = text or whole
        body = strip(drop_prefix(text, letter[1])) if letter else strip(text)
        if not letter and body.plain().startswith("- "):
            # "- 1) one" is a bullet holding an ordered list: its number is lost.
            body = strip(drop_prefix(body, 2))
        option = Option(letter[0] if letter else _unlettered(draft, written), body)
        add_option(draft, option, line)
        if notes:
            previous = draft.explanations.get(option.letter)
            draft.explanations[option.letter] = join((previous, *notes) if previous else notes)
