"""Bytes to text: encodings, line ends, damaged text, and the front matter."""

from __future__ import annotations

from sagenotes_anki.source.decode import decode
from sagenotes_anki.source.frontmatter import split_front_matter

KOREAN = "# 제목\n\n핵심 포인트: 한국어 문장입니다.\n"


def _damaged(text: str, page: str) -> bytes:
    """UTF-8 text read as a single-byte code page and saved again as UTF-8."""
    chars = []
    for byte in text.encode("utf-8"):
        try:
            chars.append(bytes([byte]).decode(page))
        except UnicodeDecodeError:
            chars.append(chr(byte))  # undefined bytes survive as C1 controls
    return "".join(chars).encode("utf-8")


class TestDecode:
    def test_utf8_with_bom_and_crlf(self) -> None:
        """A BOM is dropped and CRLF/CR line ends become LF."""
        data = b"\xef\xbb\xbf" + KOREAN.replace("\n", "\r\n").encode("utf-8")
        decoded = decode(data, "n.md")
        assert decoded.text == KOREAN
        assert decoded.diagnostics == ()

    def test_lone_cr_line_ends(self) -> None:
        """Old Mac line ends (CR only) are normalised too."""
        assert decode(b"a\rb\r", "n.md").text == "a\nb\n"

    def test_cp949_and_euc_kr(self) -> None:
        """Korean saved as CP949 or EUC-KR decodes to the same text."""
        for codec in ("cp949", "euc-kr"):
            decoded = decode(KOREAN.encode(codec), "n.md")
            assert decoded.text == KOREAN
            assert decoded.encoding == "cp949"
            assert decoded.diagnostics == ()

    def test_utf16_with_bom(self) -> None:
        """UTF-16 with a BOM (Windows Notepad 'Unicode') is read, not called binary."""
        assert decode(KOREAN.encode("utf-16"), "n.md").text == KOREAN

    def test_mojibake_from_each_code_page_is_an_error(self) -> None:
        """UTF-8 mis-read as cp1252, cp1253 or cp1254 and re-saved is reported, no text."""
        for page in ("cp1252", "cp1253", "cp1254", "latin-1"):
            decoded = decode(_damaged(KOREAN, page), "n.md")
            assert decoded.text is None, page
            assert [d.code for d in decoded.diagnostics] == ["E004"]
            assert decoded.diagnostics[0].line == 1
            assert "UTF-8" in decoded.diagnostics[0].message

    def test_mojibake_line_is_the_first_damaged_line(self) -> None:
        """The error points at the first line that shows damage."""
        decoded = decode(_damaged("ascii only\n\n" + KOREAN, "cp1252"), "n.md")
        assert decoded.diagnostics[0].line == 3

    def test_legitimate_latin1_text_is_not_mojibake(self) -> None:
        """Accented words, pound signs and dashes in real text are not flagged."""
        text = "café, naïve, Zürich, £5, 10\u201320 €, «quote» — Ångström. Â is a letter.\n"
        for data in (text.encode("utf-8"), (text + KOREAN).encode("utf-8")):
            decoded = decode(data, "n.md")
            assert decoded.diagnostics == ()
            assert decoded.text is not None

    def test_greek_and_cyrillic_text_is_not_mojibake(self) -> None:
        """Honest Greek and Russian prose (whose letters live in cp1253/cp1251) is not flagged."""
        text = (
            "Её ёлка. Ещё её. Всё её. Привет, мир! Это обычный текст.\n"
            "Καλημέρα κόσμε. Άλλο Ήταν Όλα. Ύστερα Ώρα.\n"
        )
        decoded = decode((text * 5).encode("utf-8"), "n.md")
        assert decoded.diagnostics == ()

    def test_punctuation_never_decodes_from_a_lead_byte(self) -> None:
        """Mis-encoding is only looked for where a letter below U+0530 stands: punctuation
        (U+2010-U+2122) never comes from a byte that starts a UTF-8 sequence."""
        from sagenotes_anki.source.decode import _CODE_PAGES

        for page in _CODE_PAGES:
            for code in range(0x2010, 0x2123):
                try:
                    encoded = chr(code).encode(page)
                except UnicodeEncodeError:
                    continue
                assert encoded[0] < 0xC2, (page, hex(code))

    def test_binary_is_an_error(self) -> None:
        """NUL bytes or many control characters mean a binary file (E002)."""
        for data in (b"\x89PNG\r\n\x1a\n\x00\x00", b"\x01\x02\x03\x04\x05\x06 text"):
            decoded = decode(data, "img.md")
            assert decoded.text is None
            assert [d.code for d in decoded.diagnostics] == ["E002"]

    def test_neither_utf8_nor_cp949_is_an_error(self) -> None:
        """Bytes valid in no supported encoding (UTF-8, CP949, cp1252) give E004."""
        decoded = decode(b"caf\xe9\n\x81 \x8d", "n.md")
        assert decoded.text is None
        assert [d.code for d in decoded.diagnostics] == ["E004"]
        assert "UTF-8" in decoded.diagnostics[0].message

    def test_utf16_without_bom_and_utf32(self) -> None:
        """UTF-16 with no BOM (found by its zero bytes) and UTF-32 with a BOM are decoded."""
        for data in (
            KOREAN.encode("utf-16-le"),
            KOREAN.encode("utf-16-be"),
            KOREAN.encode("utf-32"),
        ):
            decoded = decode(data, "n.md")
            assert (decoded.text, decoded.diagnostics) == (KOREAN, ())

    def test_windows_1252_text_is_read_with_a_warning(self) -> None:
        """Western text in cp1252 (smart quotes, accents) is read, with W109 to check it."""
        text = "# Title\n\nIt\u2019s \u201cquoted\u201d caf\u00e9 \u2014 na\u00efve\u2026\n"
        decoded = decode(text.encode("cp1252"), "n.md")
        assert decoded.text == text
        assert [(d.code, d.line) for d in decoded.diagnostics] == [("W109", 1)]

    def test_latin1_accents_are_not_read_as_korean(self) -> None:
        """'été' is valid CP949 by chance; it is not Korean, so it is read as cp1252."""
        decoded = decode("# T\n\nl'\u00e9t\u00e9 \u00e0 Paris\n".encode("latin-1"), "n.md")
        assert decoded.text == "# T\n\nl'\u00e9t\u00e9 \u00e0 Paris\n"

    def test_cyrillic_code_page_is_not_taken_for_cp1252(self) -> None:
        """Russian saved as cp1251 would show as runs of accented capitals: E004."""
        decoded = decode("# T\n\n\u041f\u0440\u0438\u0432\u0435\u0442\n".encode("cp1251"), "n.md")
        assert [d.code for d in decoded.diagnostics] == ["E004"]

    def test_undecodable_error_names_the_line_of_the_bad_byte(self) -> None:
        """A stray byte in UTF-8 Korean text is reported on its own line."""
        data = "# 제목\n\n한국어\n".encode() + b"bad \xff\x81 byte\n"
        decoded = decode(data, "n.md")
        assert [(d.code, d.line) for d in decoded.diagnostics] == [("E004", 4)]

    def test_cut_off_last_character_is_dropped_with_a_warning(self) -> None:
        """A file cut off inside its last UTF-8 character keeps the rest, with W110."""
        data = KOREAN.encode() + "끝".encode()[:2]
        decoded = decode(data, "n.md")
        assert decoded.text == KOREAN
        assert [(d.code, d.line) for d in decoded.diagnostics] == [("W110", 4)]


class TestFrontMatter:
    def test_keys_body_and_body_line(self) -> None:
        """Front matter becomes metadata; the body starts on the line after the '---'."""
        split = split_front_matter("---\ntitle: x\ncreated: 2025-08-20\n---\n# T\n", "n.md")
        assert split.metadata == {"title": "x", "created": "2025-08-20"}
        assert split.body == "# T\n"
        assert split.body_line == 5
        assert split.key_lines == {"title": 2, "created": 3}

    def test_impossible_date_is_kept_as_written(self) -> None:
        """A date that cannot exist (month 13, 30 February) stays the text written, not a crash."""
        text = "---\ntitle: x\ncreated: 2025-13-45\nmodified: 2025-02-30 10:99:00\n---\nb\n"
        split = split_front_matter(text, "n.md")
        assert split.diagnostics == ()
        assert split.metadata["created"] == "2025-13-45"
        assert split.metadata["modified"] == "2025-02-30 10:99:00"
        assert split.body == "b\n"

    def test_no_front_matter(self) -> None:
        """A note without front matter is all body, from line 1."""
        split = split_front_matter("# T\n---\n", "n.md")
        assert split.metadata == {}
        assert split.body == "# T\n---\n"
        assert split.body_line == 1

    def test_empty_front_matter(self) -> None:
        """'---' twice with nothing between is empty metadata, not an error."""
        split = split_front_matter("---\n---\nbody\n", "n.md")
        assert split.diagnostics == ()
        assert split.metadata == {}
        assert split.body == "body\n"

    def test_broken_yaml_is_an_error_at_its_line(self) -> None:
        """Invalid YAML gives E003 on the file line where the YAML parser stopped."""
        split = split_front_matter("---\ntitle: a\nbad: [1, 2\nx: y\n---\n", "n.md")
        assert [(d.code, d.line, d.severity) for d in split.diagnostics] == [("E003", 4, "error")]
        assert "YAML" in split.diagnostics[0].message

    def test_non_mapping_front_matter_is_an_error(self) -> None:
        """Front matter that is a list or a scalar is not key: value pairs (E003)."""
        split = split_front_matter("---\n- a\n- b\n---\nbody\n", "n.md")
        assert [d.code for d in split.diagnostics] == ["E003"]

    def test_unclosed_front_matter_is_an_error(self) -> None:
        """An opening '---' without a closing one gives E003 on line 1."""
        split = split_front_matter("---\ntitle: a\n# T\n", "n.md")
        assert [(d.code, d.line) for d in split.diagnostics] == [("E003", 1)]

    def test_blank_lines_before_front_matter(self) -> None:
        """Front matter after blank lines is still read, with its keys' real lines."""
        split = split_front_matter("\n\n---\ntitle: x\n---\n# T\n", "n.md")
        assert split.metadata == {"title": "x"}
        assert split.key_lines == {"title": 4}
        assert (split.body, split.body_line) == ("# T\n", 6)

    def test_rule_after_blank_lines_is_not_front_matter(self) -> None:
        """A later '---' pair around prose is Markdown (rules), not broken front matter."""
        text = "\n---\nJust: prose: here\n---\n"
        split = split_front_matter(text, "n.md")
        assert (split.body, split.diagnostics) == (text, ())

    def test_tab_indented_yaml_is_an_error_at_its_line(self) -> None:
        """A tab in the front matter (invalid YAML) gives E003 on the tab's line."""
        split = split_front_matter("---\ntitle: x\ntags:\n\t- a\n---\n", "n.md")
        assert [(d.code, d.line) for d in split.diagnostics] == [("E003", 4)]
