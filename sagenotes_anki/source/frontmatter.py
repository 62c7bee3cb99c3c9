"""A note's text -> its front matter (a mapping, with each key's line) and its body.

Plain ``key: value`` front matter is read by :mod:`plainyaml`; any other by PyYAML
(:mod:`yamlread`, imported only then). Broken YAML, front matter never closed and nesting
past the limits are errors; a key set twice and a ``title`` that is not text are warnings.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import codes
from ..model import Diagnostic
from .metadata import title_problem
from .plainyaml import simple_read


@dataclass(frozen=True)
class Split:
    """Front-matter keys, the body after it, and where things are in the original file."""

    metadata: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # 1-based line of the file on which the body starts
    key_lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key -> line
    diagnostics: tuple[Diagnostic, ...] = ()


# Blank lines before the opening "---" are tolerated (a stray empty first line is common).
_OPEN = re.compile(r"(?:[ \t]*\n)*---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)
Repeats = tuple[tuple[str, int], ...]  # keys set again: (key, 0-based line in the YAML)


def split_front_matter(text: str, path: str) -> Split:
    """Separate the YAML front matter (if any) from the body; broken YAML is an error.

    A key set twice and a ``title`` that is not text are warned about (the note is read as
    before); front matter nesting or expanding past :mod:`yamlread`'s limits is an error.
    """
    start = _OPEN.match(text)
    if start is None:
        return Split(body=text)
    first = text.count("\n", 0, start.end())  # the line of the opening "---"
    close = _CLOSE.search(text, start.end())
    if close is None:
        # After blank lines, a thematic break rather than front matter.
        return Split(body=text) if first > 1 else _error(path, 1, _NOT_CLOSED)
    raw = text[start.end() : close.start()]
    body_start = close.end() + 1 if close.end() < len(text) else close.end()
    body_line = text.count("\n", 0, body_start) + 1
    key_lines = _key_lines(raw, first + 1)
    read = _read(raw, path, first)
    if isinstance(read, Diagnostic):
        return Split(body="", diagnostics=(read,))
    if read is None or (not isinstance(read[0], dict) and first > 1):
        return Split(body=text)  # broken YAML after blank lines: a thematic break
    loaded, repeats = read
    if not isinstance(loaded, dict):
        return _error(path, 2, _NOT_A_MAPPING)
    metadata = {str(k): _plain_value(v) for k, v in loaded.items()}
    warnings = [_repeated(path, key, first + 1 + line) for key, line in repeats]
    title = title_problem(metadata)
    if title is not None:
        line = key_lines.get(title[0], first + 1)
        warnings.append(Diagnostic(path, line, "warning", codes.TITLE_NOT_TEXT, title[1]))
    return Split(metadata, text[body_start:], body_line, key_lines, tuple(warnings))


_NOT_CLOSED = (
    "the front matter opened by '---' on line 1 is never closed; "
    "add a line '---' after the last key"
)
_NOT_A_MAPPING = (
    "the front matter is not a set of 'key: value' lines; "
    "write it as YAML keys such as 'title: my-note'"
)


def _error(path: str, line: int, message: str) -> Split:
    """No front matter and no body: the note's front matter is an error."""
    problem = Diagnostic(path, line, "error", codes.FRONT_MATTER, message)
    return Split(body="", diagnostics=(problem,))


def _read(raw: str, path: str, first: int) -> tuple[Any, Repeats] | Diagnostic | None:
    """The front matter's values and repeated keys: plain lines without PyYAML, any other
    by it (see :func:`_read_yaml`)."""
    if not raw.strip():
        return {}, ()
    read = simple_read(raw)
    return read if read is not None else _read_yaml(raw, path, first)


def _key_lines(raw: str, line: int) -> dict[str, int]:
    """Each top-level key's (last) line in the file; ``line``: the line ``raw`` starts on."""
    found: dict[str, int] = {}
    at = 0
    for m in _KEY.finditer(raw):
        line += raw.count("\n", at, m.start())  # counted on from the key before: linear
        at = m.start()
        found[m.group(1)] = line
    return found


def _read_yaml(raw: str, path: str, first: int) -> tuple[Any, Repeats] | Diagnostic | None:
    """The front matter read by PyYAML (a tenth of a start-up: only for what the shortcut
    does not read), with its repeated keys; an error, or None for broken YAML after blank
    lines."""
    from .yamlread import LimitExceeded, YAMLError, load_yaml, shape

    try:
        repeats = shape(raw)  # refuses deep nesting and exploding aliases first
        return load_yaml(raw), repeats
    except LimitExceeded as exc:
        return _limit_error(path, first + 1 + exc.line, exc.too_deep, exc.detail)
    except RecursionError:  # a last resort: shape() should have refused it
        return _limit_error(path, first + 1, True, "nests too deep to read")
    except YAMLError as exc:
        return None if first > 1 else _yaml_error(path, exc)
    except ValueError as exc:  # a value PyYAML refuses to convert (an int of 5,000 digits)
        message = (
            f"the front matter holds a value that cannot be read ({exc}); quote it to keep "
            "it as text"
        )
        return Diagnostic(path, first + 1, "error", codes.FRONT_MATTER, message)


def _limit_error(path: str, line: int, too_deep: bool, detail: str) -> Diagnostic:
    if too_deep:
        message = (
            f"the front matter {detail}; flatten it: notes need only 'key: value' lines "
            "and lists of values"
        )
        return Diagnostic(path, line, "error", codes.TOO_DEEP, message)
    message = (
        f"the front matter's {detail}, past what a note needs (a 'billion laughs'); "
        "write the values out instead of using YAML aliases (*name)"
    )
    return Diagnostic(path, line, "error", codes.FRONT_MATTER_TOO_LARGE, message)


def _repeated(path: str, key: str, line: int) -> Diagnostic:
    message = (
        f"the front matter sets {key!r} again here; this last value is used and the earlier "
        "one ignored: remove the earlier line to keep the note as it is"
    )
    return Diagnostic(path, line, "warning", codes.DUPLICATE_YAML_KEY, message)


def _yaml_error(path: str, exc: Exception) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None)
    line = 2 + mark.line if mark is not None else 1
    problem = getattr(exc, "problem", None) or "invalid YAML"
    message = (
        f"the front matter is not valid YAML ({problem}); fix the line, e.g. quote values "
        "that contain ':' or '#', and indent list items under their key"
    )
    return Diagnostic(path, line, "error", codes.FRONT_MATTER, message)


def _plain_value(value: Any) -> Any:
    """Dates as ISO strings, so the model holds only text."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value
