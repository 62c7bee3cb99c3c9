"""Front matter read by PyYAML (through python-frontmatter's handler): what
:mod:`plainyaml` does not read itself. Imported only when such front matter turns up.

Before PyYAML builds anything, :func:`shape` runs over the YAML's events (the parser is a
state machine, so this never recurses): nesting deeper than ``MAX_DEPTH`` and aliases that
expand past ``MAX_EXPANSION`` values (a "billion laughs", or an alias inside its own anchor)
are refused there, before the recursive composer and the code that reads the values could
overflow the stack or run for hours; keys set twice in one mapping are noted on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

YAMLError = yaml.YAMLError

# Real front matter nests one or two levels (a list under a key, a mapping in a list).
MAX_DEPTH = 50
# Values that aliases (*name) may add in all; Obsidian never writes aliases at all.
MAX_EXPANSION = 10_000


class LimitExceeded(Exception):
    """The front matter nests too deep or its aliases expand too far.

    ``line`` is 0-based within the front matter; ``too_deep`` tells which limit.
    """

    def __init__(self, line: int, too_deep: bool, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.too_deep = too_deep
        self.detail = detail


@dataclass
class _Open:
    """A sequence or mapping whose end event has not come yet."""

    anchor: str | None
    mapping: bool
    size: int = 1  # this node and every node under it, aliases expanded
    at_key: bool = True  # in a mapping: whether the next node is a key
    keys: set[tuple[str, str]] = field(default_factory=set)


def shape(raw: str) -> tuple[tuple[str, int], ...]:
    """The keys set twice in a mapping (key, 0-based line of the repeat), in order.

    Raises :class:`LimitExceeded`; YAML errors end the scan quietly (loading reports them).
    """
    if _FAST_LOADER is not None:
        try:
            return _shape(raw, _FAST_LOADER)
        except yaml.YAMLError:
            pass  # libyaml reads ahead (and stops at 1,000 levels): PyYAML's parser says more
    try:
        return _shape(raw, SAFE_LOADER)
    except yaml.YAMLError:
        return ()


def _shape(raw: str, loader: Any) -> tuple[tuple[str, int], ...]:
    repeats: list[tuple[str, int]] = []
    stack: list[_Open] = []  # the top-level mapping, then what nests in it
    sizes: dict[str, int | None] = {}  # anchor -> size of its node (None while it is open)
    expanded = 0
    for event in yaml.parse(raw, Loader=loader):
        size = 0
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) > MAX_DEPTH:
                detail = f"nests deeper than {MAX_DEPTH} levels"
                raise LimitExceeded(_line(event), True, detail)
            if event.anchor is not None:
                sizes[event.anchor] = None
            stack.append(_Open(event.anchor, isinstance(event, yaml.MappingStartEvent)))
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = stack.pop()
            size = done.size
            if done.anchor is not None:
                sizes[done.anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
            if stack and stack[-1].mapping and stack[-1].at_key:
                _note_key(stack[-1], event, repeats)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                break  # an undefined alias: loading reports it
            size = _expansion(event, sizes[event.anchor], expanded)
            expanded += size
        else:
            continue  # stream and document events
        if stack:
            stack[-1].size += size
            stack[-1].at_key = not stack[-1].at_key
    return tuple(repeats)


def _expansion(event: Any, target: int | None, expanded: int) -> int:
    """The values an alias stands for; raises LimitExceeded past the limits."""
    line = _line(event)
    if target is None:
        detail = f"alias *{event.anchor} is inside its own anchor, so it never ends"
        raise LimitExceeded(line, False, detail)
    if expanded + target > MAX_EXPANSION:
        detail = f"aliases (such as *{event.anchor}) expand to more than {MAX_EXPANSION:,} values"
        raise LimitExceeded(line, False, detail)
    return target


def _note_key(mapping: _Open, event: Any, repeats: list[tuple[str, int]]) -> None:
    """Remember a plain or quoted key of a mapping; a repeat goes in ``repeats``."""
    if event.value == "<<" and event.implicit[0]:
        return  # a merge key: its values are defaults, not a repeat
    # "1" and 1 are different keys; "a" and a are one.
    kind = event.tag if event.tag not in (None, "!") else _resolve(event.value, event.implicit)
    key = (kind, event.value)
    if key in mapping.keys:
        repeats.append((event.value, _line(event)))
    mapping.keys.add(key)


def _line(event: Any) -> int:
    """The 0-based line an event starts on."""
    mark = event.start_mark
    return int(mark.line) if mark is not None else 0


def _resolve(value: str, implicit: tuple[bool, bool]) -> str:
    return str(_RESOLVER.resolve(yaml.ScalarNode, value, implicit))


def load_yaml(raw: str) -> Any:
    """The YAML, read by libyaml when PyYAML has it (ten times faster); a problem is then
    looked at again with PyYAML's own reader, whose messages the diagnostics quote."""
    if _FAST_LOADER is not None:
        try:
            return YAMLHandler().load(raw, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return YAMLHandler().load(raw, Loader=SAFE_LOADER)


def _timestamp_or_text(loader: Any, node: Any) -> Any:
    """A date as PyYAML reads it; an impossible one (``2025-13-45``) as the text written."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


def _loader(base: Any) -> Any:
    loader: Any = type(f"Sagenotes{base.__name__}", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
    return loader


SAFE_LOADER = _loader(yaml.SafeLoader)
_RESOLVER: Any = yaml.resolver.Resolver()
_FAST_LOADER = _loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None
