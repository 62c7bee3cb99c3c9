"""A note's bytes -> its text, or an error when they are binary, undecodable or mis-encoded.

Decoding (see :mod:`charset`) accepts UTF-8 with or without a BOM, UTF-16/32, the legacy
Korean code page CP949 (a superset of EUC-KR) and, with a warning, Windows-1252. Line ends
become ``\\n``. Text that was damaged by a wrong decode (UTF-8 bytes read as Windows-1252, -1253,
-1254 or a similar single-byte code page and saved again) is recognised because its odd
Latin/Greek/Turkish characters encode back, in that code page, to valid multi-byte UTF-8.
Front matter is split off the text by :mod:`frontmatter`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import codes
from ..model import Diagnostic
from .charset import decode_bytes, first_bad_utf8

_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Single-byte code pages that UTF-8 text is commonly mis-read as.
_CODE_PAGES = ("cp1252", "cp1254", "cp1253", "cp1250", "cp1251", "cp1257", "latin-1")
_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Runs of the characters single-byte code pages decode high bytes to (Latin-1, Latin
# Extended, Greek, Cyrillic, punctuation such as the ellipsis and the euro sign);
# other text (Hangul, emoji) never is.
_NON_ASCII_RUN = re.compile(r"[\u0080-\u052f\u2010-\u2122]{2,}")
_LEAD = re.compile(r"[\u0080-\u052f]")
# A few stray sequences occur in honest Latin-1 text ("Â£"); damage leaves many.
_MIN_DAMAGED = 3
# UTF-8 read as CP949 gives Hanja and U+FFFD (a byte CP949 could not pair).
_CP949_SUSPECT = re.compile("[\u4e00-\u9fff\uf900-\ufaff\ufffd]")
_UTF8_HANGUL = re.compile(rb"[\xea-\xed\xff][\x80-\xbf\xff]{2}")  # \xff: a lost byte
_ASCII_BYTES = re.compile(rb"[\x00-\x7f]")
_WIDE_RUN = re.compile(r"[^\x00-\x7f]+")
# C0 controls but tab and line ends, DEL and C1: not text, and U+001F splits Anki's fields.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Any character that damage (either kind) leaves; and those or a control character.
_DAMAGE = re.compile("[\u0080-\u052f\u4e00-\u9fff\uf900-\ufaff\ufffd]")
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\u052f\u4e00-\u9fff\uf900-\ufaff\ufffd]")


@dataclass(frozen=True)
class Decoded:
    """The text of a file (None when it cannot be used) and what went wrong."""

    text: str | None
    encoding: str = "utf-8"
    diagnostics: tuple[Diagnostic, ...] = ()


def decode(data: bytes, path: str) -> Decoded:
    """Decode a note's bytes; binary, undecodable or mis-encoded text gives an error.

    Text in Windows-1252 (Western European, not Korean) is read, with a warning, since
    the code page cannot be told apart from others with certainty.
    """
    text, encoding = decode_bytes(data)
    if encoding == "binary" or (text is not None and _looks_binary(text)):
        return Decoded(None, encoding, (_binary(path),))
    if text is None:
        line = data.count(b"\n", 0, first_bad_utf8(data)) + 1
        message = (
            f"the text is neither UTF-8 nor CP949/EUC-KR ({encoding}, first bad byte on "
            f"line {line}); re-save the file as UTF-8 in your editor"
        )
        diagnostic = Diagnostic(path, line, "error", codes.MIS_ENCODED, message)
        return Decoded(None, encoding, (diagnostic,))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _ODD.search(text):  # most notes: one scan, and no damage or controls to look for
        return _decoded(text, encoding, path)
    damaged = damage_diagnostic(text, path)
    if damaged is not None:
        return Decoded(None, encoding, (damaged,))
    text, controls = _remove_controls(text, path)
    if controls is not None:
        found = _decoded(text, encoding, path)
        return Decoded(found.text, found.encoding, (controls, *found.diagnostics))
    return _decoded(text, encoding, path)


def _decoded(text: str, encoding: str, path: str) -> Decoded:
    """Decoded text, with a warning when it was cut off or is not UTF-8."""
    if encoding == "utf-8, cut":
        message = (
            "the file ends in the middle of a character (was it cut off while saving?); "
            "the broken character was left out: check the end of the note"
        )
        line = text.count("\n") + 1
        return Decoded(text, "utf-8", (Diagnostic(path, line, "warning", codes.CUT_OFF, message),))
    if encoding == "cp1252":
        message = (
            "the file is not UTF-8; it was read as Windows-1252 (Western European). If "
            "accented letters or quotes look wrong on the cards, re-save it as UTF-8"
        )
        warning = Diagnostic(path, 1, "warning", codes.LEGACY_ENCODING, message)
        return Decoded(text, encoding, (warning,))
    return Decoded(text, encoding)


def damage_diagnostic(text: str, path: str) -> Diagnostic | None:
    """An error if the text was damaged by a wrong decode (UTF-8 read as a code page)."""
    if not _DAMAGE.search(text):
        return None  # one scan for most notes: no character damage leaves
    damaged = _damage_line(text)
    if damaged is None:
        return _cp949_damage(text, path)
    line, page, sample = damaged
    message = (
        f"the text is mis-encoded: UTF-8 was read as {page} and saved again, so it shows "
        f"as '{sample}'; re-open the original file as UTF-8, or convert this one back "
        f"(encode as {page}, decode as UTF-8), then rebuild"
    )
    return Diagnostic(path, line, "error", codes.MIS_ENCODED, message)


def _cp949_damage(text: str, path: str) -> Diagnostic | None:
    """An error if the text is UTF-8 that was read as CP949 (Korean Windows) and saved again.

    Such text is Hanja, rare Hangul and U+FFFD for the bytes CP949 could not pair: encoded
    back in CP949 (a lost byte as a wildcard), nearly all of it is Hangul's 3-byte UTF-8.
    Honest Korean, Hanja included, makes such a sequence only now and then by chance.
    """
    if not _CP949_SUSPECT.search(text):
        return None  # damage always leaves Hanja or U+FFFD; Korean notes hardly hold either
    hits = covered = 0
    first: tuple[int, str] | None = None
    for number, text_line in enumerate(text.split("\n"), start=1):
        found, high = _cp949_line(text_line)
        hits, covered = hits + found, covered + high
        if first is None and found and found * 3 * 2 >= high:
            first = number, text_line
    if hits < _MIN_DAMAGED or hits * 3 * 2 < covered or first is None:
        return None
    line, shown = first
    sample = next(iter(_WIDE_RUN.findall(shown)), "")[:12]
    message = (
        "the text is mis-encoded: UTF-8 was read as CP949 (Korean Windows 'ANSI') and saved "
        f"again, so it shows as '{sample}'; that loses part of the text, so re-open the "
        "original file as UTF-8 (or take it from a backup) and save it as UTF-8, then rebuild"
    )
    return Diagnostic(path, line, "error", codes.MIS_ENCODED, message)


def _cp949_line(line: str) -> tuple[int, int]:
    """Hangul UTF-8 sequences in the line's CP949 bytes, and how many bytes are not ASCII."""
    try:
        data = line.encode("cp949")
    except UnicodeEncodeError:
        data = b"".join(_cp949_char(ch) for ch in line)
    hits = 0
    for seq in _UTF8_HANGUL.findall(data):
        if seq.count(0xFF) > 1:
            continue
        if 0xFF not in seq:
            try:
                char = seq.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if not "\uac00" <= char <= "\ud7a3":
                continue
        hits += 1
    return hits, len(data) - len(_ASCII_BYTES.findall(data))


def _cp949_char(ch: str) -> bytes:
    try:
        return ch.encode("cp949")
    except UnicodeEncodeError:
        return b"\xff"  # a byte lost in the damage (U+FFFD) or never there: a wildcard


def _remove_controls(text: str, path: str) -> tuple[str, Diagnostic | None]:
    """The text without control characters (Anki's field separator U+001F among them)."""
    found = _CONTROL.search(text)
    if found is None:
        return text, None
    line = text.count("\n", 0, found.start()) + 1
    cleaned, count = _CONTROL.subn("", text)
    shown = f"U+{ord(found.group()):04X}"
    many = "1 control character" if count == 1 else f"{count} control characters"
    message = (
        f"the text holds {many} (the first, {shown}, on this line), which cards cannot "
        "hold (U+001F would break the deck); they were left out. Delete them from the note "
        "(an editor's 'show invisibles' finds them)"
    )
    return cleaned, Diagnostic(path, line, "warning", codes.CONTROL_CHARACTER, message)


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = len(_BINARY_CONTROL.findall(sample))
    return "\x00" in sample or controls > max(2, len(sample) // 100)


def _binary(path: str) -> Diagnostic:
    message = (
        "the file is binary, not text; if it is a note, save it as UTF-8 Markdown, "
        "otherwise move it out of the notes folder or rename it so it does not end in .md"
    )
    return Diagnostic(path, 1, "error", codes.BINARY, message)


def _damage_line(text: str) -> tuple[int, str, str] | None:
    """The first damaged line, the code page that caused it and a sample, if damaged."""
    # A damaged character starts with a byte from 0xC2 up, which these code pages decode to
    # a letter below U+0530; most notes hold none at all, and are done with in one scan.
    if not _LEAD.search(text):
        return None
    runs = _NON_ASCII_RUN.findall(text)
    if not runs:
        return None
    best: tuple[int, str] | None = None
    total = sum(len(run) for run in runs)
    for page in _CODE_PAGES:
        found = [m for run in runs for m in _MULTIBYTE.findall(_to_bytes(run, page))]
        # Damage turns nearly every such character into part of a sequence; honest
        # Greek or Cyrillic text forms one only by chance (Russian "Её" is C5 B8).
        covered = sum(len(m) for m in found)
        plausible = len(found) >= _MIN_DAMAGED and covered * 2 >= total
        if plausible and (best is None or len(found) > best[0]):
            best = (len(found), page)
    if best is None:
        return None
    page = best[1]
    for number, line in enumerate(text.split("\n"), start=1):
        for run in _NON_ASCII_RUN.findall(line):
            if _MULTIBYTE.search(_to_bytes(run, page)):
                return number, page, run[:12]
    return 1, page, ""


def _to_bytes(run: str, page: str) -> bytes:
    try:
        return run.encode(page)
    except UnicodeEncodeError:
        pass
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode(page)
        except UnicodeEncodeError:
            # Bytes a code page leaves undefined often survive as C1 controls.
            out += ch.encode("latin-1") if ord(ch) < 0x100 else b"\x00"
    return bytes(out)
