"""Which text encoding a note's bytes are in, and the text.

Tried in order: a UTF-32/UTF-16 BOM (or UTF-16 without one, by its zero bytes, or for
Korean text with few zero bytes, by what it decodes to), UTF-8
(also when only a last, cut-off character is broken), CP949 when the result reads as
Korean, and Windows-1252 when it reads as Western European text. ``nfc`` gives a text the
one Unicode form every identity and key is made in.
"""

from __future__ import annotations

import re
import unicodedata

_ACCENT_RUN = re.compile(r"[\u00c0-\u00ff]{4,}")


def decode_bytes(data: bytes) -> tuple[str | None, str]:
    """The text (None when undecodable) and the encoding's name ("binary" for NUL bytes)."""
    wide = _wide_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide).lstrip("\ufeff"), wide
        except UnicodeDecodeError:
            return None, f"broken {wide.upper()}"
    if b"\x00" in data:
        return None, "binary"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.end - exc.start < 4 and _valid_utf8(data[: exc.start]):
            # Only the last character is incomplete: a file cut off while being saved.
            return data[: exc.start].decode("utf-8-sig"), "utf-8, cut"
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_korean(text):
        return text, "cp949"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None, "unknown encoding"
    # Cyrillic or Greek code pages read as cp1252 give long runs of accented capitals.
    return (None, "unknown encoding") if _ACCENT_RUN.search(text) else (text, "cp1252")


def _wide_encoding(data: bytes) -> str | None:
    """UTF-32/UTF-16 by their BOM, or UTF-16 without one by its zero bytes."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    # ASCII (Markdown syntax, English) in UTF-16 has a zero in every other byte.
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    # Some Hangul (U+C800 "저") has a zero low byte too, so the other side may have a few.
    if odd >= half * 0.3 and even * 10 <= odd:
        return "utf-16-le"
    if even >= half * 0.3 and odd * 10 <= even:
        return "utf-16-be"
    if not odd and not even:
        return None
    # Korean text has fewer ASCII characters, and more Hangul with a zero byte: decode it.
    return _utf16_by_content(sample)


# What UTF-16 text is made of: ASCII, Latin, punctuation and symbols, Hangul, CJK, emoji
# (surrogate pairs). Binary data decoded as UTF-16 spreads over the whole range instead.
_TEXT_LIKE = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u2bff\u3000-\u303f\u3130-\u318f"
    "\uac00-\ud7a3\u4e00-\u9fff\uff00-\uffef\U0001f000-\U0001faff\ufe0f]"
)


def _utf16_by_content(sample: bytes) -> str | None:
    """UTF-16 LE or BE without a BOM when the sample decodes to text (nearly all of it)."""
    best: tuple[int, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        # The sample may end inside a surrogate pair: a replaced last character is fine.
        text = sample.decode(codec, errors="replace")
        if "\x00" in text:
            continue
        score = len(_TEXT_LIKE.findall(text))
        if score * 100 >= len(text) * 97 and (best is None or score > best[0]):
            best = (score, codec)
    return None if best is None else best[1]


def _plausible_korean(text: str) -> bool:
    """Whether CP949 text is Korean: its characters are nearly all in KS X 1001 (EUC-KR).

    Western text read as CP949 pairs an accented letter with the next byte and lands in
    the rare extension syllables or in Hanja instead.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    hangul = sum(1 for ch in wide if "\uac00" <= ch <= "\ud7a3" and _euc_kr(ch))
    return hangul * 10 >= len(wide) * 8


def _euc_kr(ch: str) -> bool:
    try:
        ch.encode("euc-kr")
    except UnicodeEncodeError:
        return False
    return True


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def first_bad_utf8(data: bytes) -> int:
    """The offset of the first byte that is not valid UTF-8 (0 if all are)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, the form every identity and key is made in.

    A file copied from macOS may spell a Korean name in NFD (decomposed jamo), which looks
    the same but is another string: normalised, both spellings are one name.
    """
    return text if text.isascii() else unicodedata.normalize("NFC", text)
