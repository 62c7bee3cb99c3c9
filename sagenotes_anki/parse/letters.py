"""Option letters as notes write them (``A)``, ``(b)``, ``C.``, ``2)``, ``③``, full-width
letters typed with a Korean IME), and an answer line's letters (``B) x``, ``A, C``,
``2번, 4``, ``B 및 D``).

Numbers count as letters (1 = A); the readers in :mod:`questions` and :mod:`answers` ask
here which option a line names.
"""

from __future__ import annotations

import re

# "B, D", "B 및 D", "B와 D", "B and D": letters joined as one answer.
_JOINED = r"(?:\s*(?:[,/&+]|및|and|와|과)\s*)"
_ANSWER = re.compile(
    rf"\s*(?:(?:option|options|옵션|선택지|보기)\s*)?\(?([A-Ja-j](?:{_JOINED}\(?[A-Ja-j]\)?)*)"
    r"\s*(?:\)|\.|:|-|\u2013|$)",
    re.IGNORECASE,
)
_MORE_ANSWERS = re.compile(rf"{_JOINED}(?=\(?[A-J]\)\s)")
_OPTION = re.compile(r"\s*\(?([A-Ja-j]|10|[1-9])\s*[).:]\s*|\s*([\u2460-\u2469])\s*")
# Leading option numbers in an answer line: "2", "2번", "②", "1, 3", "(2)".
_NUMERAL = r"\(?(?:10|[1-9]|[\u2460-\u2469])(?:번)?\)?"
_NUMERALS = re.compile(rf"\s*{_NUMERAL}(?:{_JOINED}{_NUMERAL})*(?=[\s).:]|$)")
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def option_letter(text: str) -> tuple[str, int] | None:
    """The option a line starts with (``A)``, ``(b)``, ``C.``, ``2)``, ``③``) as a letter,
    and where the option's own text starts; numbers count as letters (1 = A)."""
    match = _OPTION.match(_halfwidth(text))
    if match is None:
        return None
    token = match.group(1) or match.group(2)
    return _as_letter(token), match.end()


def _halfwidth(text: str) -> str:
    """Full-width ASCII (U+FF21 for "A", typed with a Korean IME) as ASCII, same length."""
    return text.translate(_HALFWIDTH)


def _as_letter(token: str) -> str:
    if token.isascii() and token.isdigit():
        return chr(ord("A") + int(token) - 1)
    if "\u2460" <= token <= "\u2469":
        return chr(ord("A") + ord(token) - 0x2460)
    return token.upper()


def numbers_as_letters(text: str) -> str:
    """``2번, 4) x`` -> ``B, D) x``: options written as numbers, the answer by number."""
    match = _NUMERALS.match(text)
    if match is None:
        return text
    head = re.sub(r"10|[1-9]|[\u2460-\u2469]", lambda m: _as_letter(m.group()), match.group())
    return head.replace("번", "") + text[match.end() :]


def answer_letters(text: str) -> tuple[tuple[str, ...], str]:
    """Letters and short text of ``B) x``, ``A, C``, ``D``, ``B) x, D) y``, ``C, E) x``."""
    text = numbers_as_letters(_halfwidth(text))
    match = _ANSWER.match(text)
    if not match:
        return (), text.strip()
    letters = [letter.upper() for letter in re.findall(r"[A-Ja-j]", match.group(1))]
    parts = _MORE_ANSWERS.split(text[match.end() :])
    texts = [parts[0].strip()]
    for part in parts[1:]:
        part = part.lstrip("(")
        letters.append(part[0])
        texts.append(part[2:].strip())
    unique = tuple(dict.fromkeys(letters))
    return unique, ", ".join(t for t in texts if t)
