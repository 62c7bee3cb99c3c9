"""Hostile note documents for fuzzing, and the checks a hostile document must pass.

A seeded generator (``Fuzz(seed).doc(i)``, deterministic for a seed and an index) starts from
a real note of the corpus or from the template of FORMAT.md and damages it: control bytes,
cut-off bytes, shuffled lines, repeated option letters, deep nesting, unclosed comments, block
HTML and scripts, Anki markup, odd YAML (aliases, duplicate keys, non-text titles, tabs, huge
numbers), other encodings and line endings, long lines, NFD and invisible characters; and
gives it an odd file name.

The checks (``check_cards``, ``field_problems``, ``run_parse_batch``, ``run_build``) are shared
by ``tests/test_fuzz.py`` (a few hundred inputs, fixed seeds) and ``scripts/fuzz.py`` (long
runs). Parsing runs in a forked worker so that a hang is seen (and the worker replaced) instead
of stopping the run; whole builds run in a fresh Python (``python fuzzgen.py build ...``).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "mercurydb"
FORMAT = SHARED / "FORMAT.md"

# --- building blocks -----------------------------------------------------------------------

C0 = [chr(c) for c in range(0x20)]
C1 = [chr(c) for c in range(0x80, 0xA0)]
INVISIBLE = [
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u00ad",
    "\u034f",
    "\u061c",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "\ufffd",
    "\u0000",
]
CONTROL = [*C0, "\x7f", *C1, *INVISIBLE]
INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xbf",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xed\xa0\xbd\xed\xb8\x80",  # UTF-8-encoded surrogates
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xf8\x88\x80\x80\x80",
    b"\xf4\x90\x80\x80",
    b"\xc1\xbf",
]
HOSTILE_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>alert(1)",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    '<svg onload="alert(1)"><circle r=1 /></svg>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" &#106;avascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<style>*{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[[javascript:alert(1)|x]]",
    '![[x.png|100" onerror="alert(1)]]',
    "`<script>alert(1)</script>`",
    "<div\nonmouseover=alert(1)>x</div>",
]
BLOCK_HTML = [
    "<div>{}</div>",
    "<p>{}</p>",
    '<div class="callout">\n{}\n</div>',
    "<details><summary>핵심</summary>{}</details>",
    "<table><tr><td>{}</td></tr></table>",
    "<pre>{}</pre>",
    "<blockquote>{}</blockquote>",
    "<center>{}",
    "<!-- {}",
    "<?php {} ?>",
    "<![CDATA[{}]]>",
]
ANKI_MARKUP = [
    "[sound:evil.mp3]",
    "[sound:../../../etc/passwd]",
    "[$]x^2[/$]",
    "[$$]\\int_0^1 x\\,dx[/$$]",
    "[latex]\\input{/etc/passwd}[/latex]",
    "[latex]\\write18{rm -rf ~}[/latex]",
    "{{c1::cloze}}",
    "{{Front}}",
    "{{#Tags}}x{{/Tags}}",
    "{{FrontSide}}",
    "[anki:tts lang=en_US]hello[/anki:tts]",
    "\\(x^2\\)",
    "\\[x^2\\]",
    '<img src="_evil.jpg">',
    "[sound:x.mp3",
    "[$]unclosed",
]
MARKDOWN_FRAGMENTS = [
    "---",
    "**",
    "`",
    "```",
    "~~~",
    "- ",
    "  - ",
    "# ",
    "## ",
    "### ",
    "**Question:**",
    "**Options:**",
    "**정답: ",
    "정답: A, C",
    "💡 추가 설명:",
    "- A) ",
    "- **A) x** - ",
    "**X 장점**:",
    "**X 단점:**",
    "- **T**: d",
    "> ",
    "1. ",
    "\t",
    "~~",
    "$$",
    "![i](u)",
    "[[",
    "]]",
    "[[N|a]]",
    "![[x.png]]",
    "%%",
    "==",
    "|a|b|\n|-|-|",
    "<br>",
    "\\",
    "&amp;",
    "&#0;",
    "&#x1f;",
    "&#xD800;",
    "&#1114112;",
    "&nbsp;",
    "<",
    ">",
    "[^1]",
    "[^1]: x",
    "{{title}}",
    "<% tp.file.title %>",
    "```text",
    "    ",
    "***",
    "___",
    "+ ",
    "* ",
]
TITLES = [
    "123",
    "1.5",
    "true",
    "false",
    "null",
    "~",
    "''",
    '""',
    "[a, b]",
    "{a: b}",
    "2025-01-01",
    "2025-02-30",
    "0x1F",
    ".inf",
    ".nan",
    "-0",
    "!!binary aGVsbG8=",
    "!!str",
    "!!int 12",
    "!!python/object/apply:os.system ['echo pwned']",
    "!!set {a, b}",
    "|\n  multi\n  line",
    ">-\n  folded\n  text",
    "&a x",
    "*a",
    "'\x1f'",
    '"\\x1f\\0\\e"',
    '"\\ud800"',
    "[]",
    "{}",
    "? a",
    "- a\n- b",
    "a: b: c",
    "'''",
    '"unterminated',
    "@x",
    "`x`",
    "%x",
    "9" * 5000,
    "1" + "0" * 4400,
    "0o17",
    "1_000",
    "12:30:00",
    "2001-12-14t21:59:43.10-05:00",
]


# --- the template note ---------------------------------------------------------------------


def template_note() -> str:
    """A template note built from FORMAT.md's own examples (its indented blocks)."""
    blocks: list[list[str]] = []
    try:
        lines = FORMAT.read_text(encoding="utf-8").split("\n")
    except OSError:
        lines = []
    current: list[str] = []
    for line in lines:
        if line.startswith("    "):
            current.append(re.sub(r"\s+<-.*$", "", line[4:]))
        elif current:
            blocks.append(current)
            current = []
    tradeoffs = "\n".join(blocks[0]) if blocks else "**A 장점**:\n- x\n**A 단점**:\n- y"
    question = "\n".join(blocks[1]) if len(blocks) > 1 else "**Question:** q\n- A) a\n**정답: A**"
    return (
        "---\ntitle: sagemaker-processing-vs-batch-transform\ncreated: 2025-08-16\n"
        "modified: 2025-08-17\ntags:\n- service/sagemaker\n- technique/naming-confusion\n"
        'aliases: ["processing-vs-transform"]\n---\n\n'
        "# SageMaker Processing vs Batch Transform\n\n## 🎯 핵심 포인트\n\n"
        "모델 없이 대용량 데이터를 변환해야 하는 경우, SageMaker Processing Jobs를 사용한다.\n\n"
        "## 📝 설명\n\n### Processing이 적합한 이유\n\n순수 데이터 변환에 맞다.\n\n"
        "### 아키텍처 플로우\n\n```\nS3 입력\n   ↓\nProcessing Job\n   ↓\nS3 출력\n```\n\n"
        f"### Trade-offs 고려사항\n\n{tradeoffs}\n\n"
        "## 🔍 주요개념\n\n### 핵심 서비스\n\n- **Processing Job**: 데이터 전처리 작업\n"
        "- **Batch Transform**: 모델로 일괄 추론\n\n### 실전 적용\n\n- 야간 ETL\n\n"
        f"## 📝 관련 문제\n\n{question}\n"
    )


_BASES: list[tuple[str, str]] = []


def bases() -> list[tuple[str, str]]:
    """(name, text) of every corpus note, and the template note."""
    if not _BASES:
        if CORPUS.is_dir():
            for path in sorted(CORPUS.glob("*.md")):
                _BASES.append((path.name, path.read_text(encoding="utf-8", errors="replace")))
        _BASES.append(("template.md", template_note()))
    return _BASES


# --- text mutations ------------------------------------------------------------------------

Rng = random.Random
TextMutation = Callable[[Rng, str], str]
ByteMutation = Callable[[Rng, bytes], bytes]


def _pos(rng: Rng, text: str) -> int:
    return rng.randrange(len(text) + 1)


def _insert(rng: Rng, text: str, piece: str) -> str:
    at = _pos(rng, text)
    return text[:at] + piece + text[at:]


def _insert_line(rng: Rng, text: str, piece: str) -> str:
    lines = text.split("\n")
    at = rng.randrange(len(lines) + 1)
    lines[at:at] = piece.split("\n")
    return "\n".join(lines)


def _label_lines(text: str) -> list[int]:
    """Offsets of lines the parser reads as labels (title, key point, options, answers)."""
    pattern = re.compile(
        r"^(title:|tags:|# |## |### |\*\*Question|\*\*Options|\*\*정답|- [A-J]\)|- \*\*|정답)",
        re.M,
    )
    return [m.start() for m in pattern.finditer(text)]


def m_control(rng: Rng, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        text = _insert(rng, text, rng.choice(CONTROL))
    return text


def m_control_in_labels(rng: Rng, text: str) -> str:
    spots = _label_lines(text)
    for _ in range(rng.randint(1, 4)):
        if not spots:
            break
        at = rng.choice(spots) + rng.randint(0, 12)
        at = min(at, len(text))
        text = text[:at] + rng.choice(CONTROL) + text[at:]
    return text


def m_field_separator(rng: Rng, text: str) -> str:
    """Anki's field separator (U+001F) and NUL where a field's text comes from."""
    spots = _label_lines(text) or [0]
    for _ in range(rng.randint(1, 3)):
        at = min(rng.choice(spots) + rng.randint(2, 30), len(text))
        text = text[:at] + rng.choice(["\x1f", "\x00", "\x1f\x1f", "\x1e", "\x1d"]) + text[at:]
    return text


def m_lines_duplicate(rng: Rng, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return "\n".join(lines)


def m_lines_shuffle(rng: Rng, text: str) -> str:
    lines = text.split("\n")
    if rng.random() < 0.3:
        rng.shuffle(lines)
    else:
        i = rng.randrange(len(lines))
        j = min(len(lines), i + rng.randint(2, 20))
        chunk = lines[i:j]
        rng.shuffle(chunk)
        lines[i:j] = chunk
    return "\n".join(lines)


def m_lines_delete(rng: Rng, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, max(1, len(lines) // 4))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def m_fragments(rng: Rng, text: str) -> str:
    for _ in range(rng.randint(1, 10)):
        text = _insert(rng, text, rng.choice(MARKDOWN_FRAGMENTS))
    return text


def m_option_letters(rng: Rng, text: str) -> str:
    lines = text.split("\n")
    options = [i for i, line in enumerate(lines) if re.match(r"\s*[-*]\s+\**[A-J]\)", line)]
    if not options:
        options = [len(lines)]
        lines.append("- A) only option")
    style = rng.randrange(4)
    if style == 0:  # one option written twice
        i = rng.choice(options)
        lines.insert(i + 1, lines[i] if i < len(lines) else "- A) again")
    elif style == 1:  # every option the same letter
        for i in options:
            lines[i] = re.sub(r"[A-J]\)", "A)", lines[i], count=1)
    elif style == 2:  # a long run of options with repeated letters
        extra = [f"- {rng.choice('AABBCZ')}) option {n}" for n in range(rng.randint(5, 60))]
        lines[options[-1] + 1 : options[-1] + 1] = extra
    else:  # the answer names a letter again and again
        lines.append(
            "**정답: " + ", ".join(rng.choice("AAB") for _ in range(rng.randint(2, 50))) + "**"
        )
    return "\n".join(lines)


def _depth(rng: Rng) -> int:
    return rng.choice([64, 200, 500, 1000, 2000])


def m_deep_markdown(rng: Rng, text: str) -> str:
    n = _depth(rng)
    style = rng.randrange(9)
    if style == 0:
        piece = "> " * n + "deep quote"
    elif style == 1:
        piece = "- " * n + "deep list"
    elif style == 2:
        piece = "\n".join("  " * i + "- level" for i in range(min(n, 300)))
    elif style == 3:
        piece = "\n".join(">" * i + " q" for i in range(1, min(n, 400)))
    elif style == 4:
        piece = "1. " * n + "x"
    elif style == 5:
        piece = "[" * n + "x" + "](u)" * n
    elif style == 6:
        piece = "*" * n + "x" + "*" * n
    elif style == 7:
        piece = "<div>" * n + "x" + "</div>" * n
    else:
        piece = "- **" + "[" * n + "A) x**"
    if rng.random() < 0.5:  # inside a section the parser reads
        marker = rng.choice(
            ["## 🎯 핵심 포인트", "## 🔍 주요개념", "**Options:**", "### Trade-offs"]
        )
        at = text.find(marker)
        if at >= 0:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            return text[:end] + "\n\n" + piece + "\n" + text[end:]
    return _insert_line(rng, text, piece)


def _front_matter(text: str) -> tuple[str, str]:
    """(YAML text, rest) of a note; ("", text) when it has no front matter."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end >= 0:
            return text[4:end], text[end + 4 :]
    return "", "\n" + text


def _with_front_matter(yaml: str, rest: str) -> str:
    return f"---\n{yaml}\n---{rest}"


def m_deep_yaml(rng: Rng, text: str) -> str:
    yaml, rest = _front_matter(text)
    n = _depth(rng)
    style = rng.randrange(6)
    if style == 0:
        piece = "deep: " + "[" * n + "]" * n
    elif style == 1:
        piece = "deep: " + "{a: " * n + "1" + "}" * n
    elif style == 2:
        piece = "deep:\n" + "\n".join("  " * (i + 1) + f"k{i}:" for i in range(min(n, 400)))
    elif style == 3:
        piece = "tags: " + "- " * n + "x"
    elif style == 4:
        piece = "tags:\n" + "\n".join("  " * i + "- x" for i in range(min(n, 400)))
    else:
        piece = "title: " + "[" * n
    return _with_front_matter(yaml + "\n" + piece, rest)


def m_alias_bomb(rng: Rng, text: str) -> str:
    yaml, rest = _front_matter(text)
    levels = rng.randint(5, 9)
    width = rng.randint(5, 10)
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    target = rng.choice(["tags", "aliases", "title", "created", "bomb"])
    lines.append(f"{target}: *a{levels - 1}")
    if rng.random() < 0.3:
        lines = [
            rng.choice(["tags: &r [*r]", "loop: &r [x, *r]", "title: &r {a: *r}", "tags: *nope"])
        ]
    return _with_front_matter(yaml + "\n" + "\n".join(lines), rest)


def m_duplicate_keys(rng: Rng, text: str) -> str:
    yaml, rest = _front_matter(text)
    extra = rng.choice(
        [
            "title: second-title",
            "tags: [other]",
            "tags:\n- a\ntags:\n- b",
            "created: 2024-01-01\ncreated: 2025-01-01",
            "title: a\ntitle: b\ntitle: c",
            "title: x\nTitle: y",
            "aliases: [a]\naliases: b",
            "? title\n: third",
            "<<: {title: merged}",
        ]
    )
    lines = yaml.split("\n")
    lines.insert(rng.randrange(len(lines) + 1), extra)
    return _with_front_matter("\n".join(lines), rest)


def m_title_type(rng: Rng, text: str) -> str:
    yaml, rest = _front_matter(text)
    lines = [line for line in yaml.split("\n") if not line.startswith("title:")]
    lines.insert(0, "title: " + rng.choice(TITLES))
    if rng.random() < 0.3:
        lines.append(
            "tags: "
            + rng.choice(["123", "{a: 1}", "[[a]]", "[1, null, true]", "'a b'", "[' ', '']"])
        )
    if rng.random() < 0.3:
        lines.append("aliases: " + rng.choice(["12", "{a: 1}", "[[x]]", "null"]))
    return _with_front_matter("\n".join(lines), rest)


def m_yaml_odd(rng: Rng, text: str) -> str:
    yaml, rest = _front_matter(text)
    style = rng.randrange(8)
    if style == 0:  # tabs for indentation
        yaml = re.sub(r"^(\s*)-", lambda m: "\t" * (len(m.group(1)) + 1) + "-", yaml, flags=re.M)
    elif style == 1:  # huge numbers and dates
        yaml += "\n" + rng.choice(
            [
                "created: 1" + "0" * 5000,
                "modified: 99999-99-99",
                "created: 2025-13-45",
                "created: 1e99999",
                "modified: -" + "9" * 4400,
                "created: 0000-00-00",
            ]
        )
    elif style == 2:
        yaml = "%YAML 1.1\n%TAG ! tag:x,2000:\n" + yaml
    elif style == 3:
        yaml += "\n...\n---\nsecond: document"
    elif style == 4:
        yaml += "\n" + rng.choice(
            ["!!set {a, b}", "!!omap [a: 1]", "? [complex, key]\n: v", "&x", "*"]
        )
    elif style == 5:
        yaml = yaml.replace(": ", ":\t", rng.randint(1, 3))
    elif style == 6:
        yaml += "\n" + "k" * rng.choice([1024, 70000]) + ": v"
    else:
        yaml += (
            "\ntags: ["
            + ", ".join("t" * rng.randint(1, 5) for _ in range(rng.randint(100, 3000)))
            + "]"
        )
    return _with_front_matter(yaml, rest)


def m_unclosed_percent(rng: Rng, text: str) -> str:
    if rng.random() < 0.5:
        spots = _label_lines(text) or [0]
        at = min(rng.choice(spots) + rng.randint(0, 20), len(text))
        return text[:at] + "%%" + text[at:]
    return _insert(rng, text, rng.choice(["%%", "%% comment", "%%\n", "%%%", "%%a%%%%"]))


def m_unclosed_html_comment(rng: Rng, text: str) -> str:
    return _insert(rng, text, rng.choice(["<!--", "<!-- note", "<!--->", "<!-", "-->", "<!--\n"]))


def m_block_html(rng: Rng, text: str) -> str:
    at = text.find("핵심 포인트")
    wrapper = rng.choice(BLOCK_HTML)
    if at >= 0:
        start = text.find("\n\n", at)
        end = text.find("\n\n", start + 2) if start >= 0 else -1
        if start >= 0 and end >= 0:
            point = text[start + 2 : end]
            return text[: start + 2] + wrapper.format(point) + text[end:]
    return _insert_line(rng, text, wrapper.format("핵심 내용"))


def m_hostile_html(rng: Rng, text: str) -> str:
    spots = _label_lines(text) or [0]
    for _ in range(rng.randint(1, 3)):
        piece = rng.choice(HOSTILE_HTML)
        if rng.random() < 0.6:
            line_end = text.find("\n", min(rng.choice(spots), len(text)))
            line_end = len(text) if line_end < 0 else line_end
            text = text[:line_end] + " " + piece + text[line_end:]
        else:
            text = _insert_line(rng, text, piece)
    return text


def m_anki_markup(rng: Rng, text: str) -> str:
    spots = _label_lines(text) or [0]
    for _ in range(rng.randint(1, 4)):
        piece = rng.choice(ANKI_MARKUP)
        if rng.random() < 0.3:
            piece = f"`{piece}`"
        line_end = text.find("\n", min(rng.choice(spots), len(text)))
        line_end = len(text) if line_end < 0 else line_end
        text = text[:line_end] + " " + piece + text[line_end:]
    return text


def m_long_line(rng: Rng, text: str) -> str:
    n = rng.choice([10_000, 100_000, 400_000])
    unit = rng.choice(
        ["가", "a", "*", "[", "`", "- ", "> ", "<", "\\", "a ", "_", "|", "**x** ", "😀"]
    )
    piece = (unit * (n // len(unit)))[:n]
    if rng.random() < 0.5:
        spots = _label_lines(text) or [0]
        line_end = text.find("\n", min(rng.choice(spots), len(text)))
        line_end = len(text) if line_end < 0 else line_end
        return text[:line_end] + piece + text[line_end:]
    return _insert_line(rng, text, piece)


def m_nfd(rng: Rng, text: str) -> str:
    if rng.random() < 0.5:
        return unicodedata.normalize("NFD", text)
    i = _pos(rng, text)
    j = min(len(text), i + rng.randint(10, 2000))
    return (
        text[:i] + unicodedata.normalize(rng.choice(["NFD", "NFKD", "NFKC"]), text[i:j]) + text[j:]
    )


def m_invisible(rng: Rng, text: str) -> str:
    spots = _label_lines(text) or [0]
    for _ in range(rng.randint(1, 8)):
        at = min(rng.choice(spots) + rng.randint(0, 16), len(text))
        text = text[:at] + rng.choice(INVISIBLE[:17]) + text[at:]
    return text


def m_line_endings(rng: Rng, text: str) -> str:
    style = rng.randrange(4)
    if style == 0:
        return text.replace("\n", "\r\n")
    if style == 1:
        return text.replace("\n", "\r")
    if style == 2:
        return "".join(c if c != "\n" else rng.choice(["\n", "\r\n", "\r", "\n\r"]) for c in text)
    return text.replace("\n", rng.choice(["\u2028", "\x85", "\x0b", "\x0c", "\u2029"]))


def m_splice(rng: Rng, text: str) -> str:
    _, other = rng.choice(bases())
    if rng.random() < 0.3:
        return text * rng.randint(2, 20)
    i = _pos(rng, text)
    return text[:i] + other[rng.randrange(len(other) + 1) :]


def m_empty(rng: Rng, text: str) -> str:
    return rng.choice(
        [
            "",
            "\n",
            " ",
            "---\n",
            "---\n---\n",
            "---\n---",
            "---",
            "\ufeff",
            "\x00",
            "# \n",
            "---\ntitle: x\n---\n",
            "---\n---\n\n\n",
            "\t\n\t",
            "%%\n%%",
            "<!-- -->",
            "---\n: \n---\n# x",
            "---\n- a\n- b\n---\n# list front matter",
            "---\n'str'\n---\n# x",
            "---\nnull\n---\n# x",
            "---\n\x00\n---\n",
        ]
    )


TEXT_MUTATIONS: dict[str, TextMutation] = {
    "control": m_control,
    "control-in-labels": m_control_in_labels,
    "field-separator": m_field_separator,
    "lines-duplicate": m_lines_duplicate,
    "lines-shuffle": m_lines_shuffle,
    "lines-delete": m_lines_delete,
    "fragments": m_fragments,
    "option-letters": m_option_letters,
    "deep-markdown": m_deep_markdown,
    "deep-yaml": m_deep_yaml,
    "alias-bomb": m_alias_bomb,
    "duplicate-keys": m_duplicate_keys,
    "title-type": m_title_type,
    "yaml-odd": m_yaml_odd,
    "unclosed-percent": m_unclosed_percent,
    "unclosed-html-comment": m_unclosed_html_comment,
    "block-html": m_block_html,
    "hostile-html": m_hostile_html,
    "anki-markup": m_anki_markup,
    "long-line": m_long_line,
    "nfd": m_nfd,
    "invisible": m_invisible,
    "line-endings": m_line_endings,
    "splice": m_splice,
    "empty": m_empty,
}


# --- byte mutations ------------------------------------------------------------------------


def b_truncate(rng: Rng, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)] if data else data


def b_invalid_utf8(rng: Rng, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(INVALID_UTF8) + data[at:]
    return data


def b_flip(rng: Rng, data: bytes) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.randint(1, 10)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def b_nul_block(rng: Rng, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b"\x00" * rng.choice([1, 2, 7, 512, 9000]) + data[at:]


BYTE_MUTATIONS: dict[str, ByteMutation] = {
    "truncate": b_truncate,
    "invalid-utf8": b_invalid_utf8,
    "flip-bytes": b_flip,
    "nul-block": b_nul_block,
}

ENCODINGS = [
    "utf-8-sig",
    "cp949",
    "euc-kr",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "mojibake",
    "mixed-cp949",
    "latin-1",
    "utf-7",
    "shift_jis",
    "double-bom",
]


def encode(rng: Rng, text: str, encoding: str) -> bytes:
    """``text`` in an encoding other than plain UTF-8 (unencodable characters replaced)."""
    if encoding == "mojibake":  # UTF-8 read as cp1252 and saved again
        return text.encode("utf-8").decode("cp1252", "replace").encode("utf-8", "replace")
    if encoding == "mixed-cp949":
        at = rng.randrange(len(text) + 1)
        return text[:at].encode("utf-8", "replace") + text[at:].encode("cp949", "replace")
    if encoding == "double-bom":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode("utf-8", "replace")
    return text.encode(encoding, "replace")


# --- file names ----------------------------------------------------------------------------


def odd_name(rng: Rng, stem: str) -> bytes:
    """A hostile but creatable file name (bytes, POSIX, ending in .md, not hidden)."""
    stem = stem.removesuffix(".md")[:60] or "note"
    style = rng.randrange(16)
    if style == 0:
        name = f"{stem} with  spaces .md"
    elif style == 1:
        name = stem + rng.choice(["\x01", "\x1f", "\t", "\n", "\x7f", "\x1b[31m", "\r"]) + ".md"
    elif style == 2:
        name = unicodedata.normalize("NFD", "한국어 노트 " + stem) + ".md"
    elif style == 3:
        return ("노트-" + stem).encode("cp949", "replace") + b".md"
    elif style == 4:
        return stem.encode() + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"]) + b".md"
    elif style == 5:
        name = rng.choice(["-", "--", "-rf ", "--help", "-o"]) + stem + ".md"
    elif style == 6:
        unit = rng.choice(["a", "가", "😀"])
        budget = 255 - 3
        name = unit * (budget // len(unit.encode())) + ".md"
    elif style == 7:
        name = stem + rng.choice(["\u202e", "\u200b", "\u200f", "\ufeff", "\u2028"]) + ".md"
    elif style == 8:
        name = (
            stem
            + rng.choice(["#1", "%20", "?x=1", "*", "[[x]]", "|", "\\", "&amp;", "<b>", '"', "'"])
            + ".md"
        )
    elif style == 9:
        name = stem + ".MD"
    elif style == 10:
        name = stem + rng.choice([" ", ".", " .md", ".md.md"]) + ".md"
    elif style == 11:
        folder = rng.choice(["sub dir", "한글", "-x", "a\x01b", "..x", "deep/" * 40])
        name = f"{folder.rstrip('/')}/{stem}.md"
    elif style == 12:
        name = "<script>alert(1)</script>" + stem[:10] + ".md"
    elif style == 13:
        name = "[sound:x.mp3]" + stem[:10] + ".md"
    elif style == 14:
        name = "javascript:alert(1)" + ".md"
    else:
        name = stem + ".md"
    return os.fsencode(name)


# --- documents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One hostile document: its file name (bytes, relative), content and how it was made."""

    index: int
    name: bytes
    data: bytes
    mutations: tuple[str, ...]

    @property
    def relpath(self) -> str:
        """The name as the library sees paths (str, surrogate-escaped when not UTF-8)."""
        return os.fsdecode(self.name)

    def describe(self, limit: int = 160) -> str:
        """The mutations and the start of the bytes, for a failure message."""
        return f"#{self.index} [{', '.join(self.mutations)}] {self.name!r} {self.data[:limit]!r}"


KINDS = list(TEXT_MUTATIONS) + list(BYTE_MUTATIONS) + [f"encoding:{e}" for e in ENCODINGS]
SINGLE = 3  # the first SINGLE * len(KINDS) documents of a seed each apply one kind alone


class Fuzz:
    """Hostile documents for one seed: ``doc(i)`` is the same document on every run.

    The first ``SINGLE * len(KINDS)`` indices apply each kind of damage alone (every run
    covers every kind); later ones combine one to four kinds.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def doc(self, index: int, *, salt: str = "", odd_names: float = 0.5) -> Doc:
        """Document ``index``: a base note, its damage, and (often) an odd file name."""
        rng = random.Random(f"sagenotes-fuzz:{self.seed}:{salt}:{index}")
        stem, text = rng.choice(bases())
        if index < SINGLE * len(KINDS):  # each kind alone, SINGLE times
            kinds = [KINDS[(index + self.seed) % len(KINDS)]]
        else:
            kinds = rng.sample(KINDS, rng.choice([1, 1, 2, 2, 3, 4]))
        text_kinds = [k for k in kinds if k in TEXT_MUTATIONS]
        byte_kinds = [k for k in kinds if k in BYTE_MUTATIONS]
        encodings = [k.removeprefix("encoding:") for k in kinds if k.startswith("encoding:")]
        for kind in text_kinds:
            text = TEXT_MUTATIONS[kind](rng, text)
        if encodings:
            data = encode(rng, text, encodings[0])
        else:
            data = text.encode("utf-8", "surrogatepass")
        for kind in byte_kinds:
            data = BYTE_MUTATIONS[kind](rng, data)
        name = odd_name(rng, stem) if rng.random() < odd_names else os.fsencode(stem)
        return Doc(index, name, data, tuple(kinds))

    def parse_doc(self, index: int) -> Doc:
        """Document ``index`` for the parser alone: its name made valid UTF-8 (names that
        are not are the folder walk's business, fuzzed by whole builds)."""
        doc = self.doc(index)
        name = doc.name.decode("utf-8", "replace").encode("utf-8")
        return Doc(doc.index, name, doc.data, doc.mutations)

    def vault_doc(self, index: int) -> Doc:
        """Document ``index`` of a vault to build: other documents, more odd names."""
        return self.doc(index, salt="vault", odd_names=0.7)


# --- checks --------------------------------------------------------------------------------

ALLOWED_CONTROL = frozenset("\t\n\r")
BAD_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What Anki acts on (a closing tag alone does nothing): sounds, TTS, LaTeX and MathJax.
ANKI_MARKUP_RE = re.compile(r"\[sound:|\[\$\$?\]|\[latex\]|\[anki:", re.I)
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:")
URL_ATTRS = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "xlink:href",
        "poster",
        "background",
        "style",
        "srcset",
    }
)


class _Scan(HTMLParser):
    """Finds what must never reach a card: scripts, event handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "base", "meta", "form"}:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if value is not None and name in URL_ATTRS:
                squeezed = re.sub(r"[\x00-\x20]", "", unescape(value)).lower()
                if any(s in squeezed for s in BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def field_problems(value: str) -> list[str]:
    """What is wrong with one field's HTML (empty when nothing)."""
    problems = []
    bad = BAD_CONTROL.search(value)
    if bad:
        problems.append(f"control character {bad.group()!r}")
    if re.search(r"<\s*script", value, re.I):
        problems.append("'<script' in the HTML")
    scan = _Scan()
    try:
        scan.feed(value)
        scan.close()
    except Exception as exc:
        problems.append(f"unparseable HTML: {exc}")
    problems += scan.problems
    markup = ANKI_MARKUP_RE.search(value)
    if markup:
        problems.append(f"Anki markup {markup.group()!r}")
    return problems


def tag_problems(tag: str) -> list[str]:
    """What is wrong with one Anki tag (Anki splits tags at whitespace)."""
    if not tag or re.search(r"[\s\x00-\x1f\x7f]", tag):
        return [f"tag {tag!r} holds whitespace or control characters"]
    return []


@dataclass
class Outcome:
    """What one input did: its findings (kind -> detail), cards and diagnostics counted."""

    index: int
    findings: list[tuple[str, str]] = field(default_factory=list)
    cards: int = 0
    diagnostics: int = 0
    seconds: float = 0.0


def _as_packaged() -> tuple[
    Callable[[tuple[str, ...]], tuple[str, ...]], Callable[[tuple[str, ...]], tuple[str, ...]]
]:
    """The package's own last cleaning of fields and tags (identity where it has none): the
    checks judge what reaches Anki."""
    from sagenotes_anki.package import writer as package

    def same(values: tuple[str, ...]) -> tuple[str, ...]:
        return values

    return getattr(package, "field_values", same), getattr(package, "tag_values", same)


def check_cards(relpath: str, result: Any) -> tuple[int, list[tuple[str, str]]]:
    """Cards of a ParseResult and their problems as the package would hold them:
    (cards, [(kind, detail)])."""
    from sagenotes_anki.cards.make import cards_for
    from sagenotes_anki.cards.rows import card_rows

    findings: list[tuple[str, str]] = []
    note = result.note
    if note is None or result.has_errors:
        return 0, findings
    cards = cards_for(note)
    diagnostics: list[Any] = []
    card_rows(note.identity, note.path, cards, set(), diagnostics)
    clean_fields, clean_tags = _as_packaged()
    for card in cards:
        if len(card.fields) != len(card.notetype.fields):
            findings.append(
                ("field-count", f"{card.notetype.name} {card.key!r}: {len(card.fields)} fields")
            )
        fields = clean_fields(card.fields)
        for name, value in zip(card.notetype.field_names, fields, strict=False):
            for problem in field_problems(value):
                findings.append(
                    (_kind(problem), f"{card.notetype.name}.{name} ({card.key!r}): {problem}")
                )
        for tag in clean_tags(card.tags):
            for problem in tag_problems(tag):
                findings.append(("bad-tag", problem))
    return len(cards), findings


def _kind(problem: str) -> str:
    if problem.startswith("control"):
        return "control-char"
    if problem.startswith("Anki markup"):
        return "anki-markup"
    return "script"


def check_doc(doc: Doc) -> Outcome:
    """Parse one document in this process and check every property that needs no build."""
    from sagenotes_anki.parse.note import parse_file

    outcome = Outcome(doc.index)
    start = time.perf_counter()
    try:
        result = parse_file(doc.data, doc.relpath)
        outcome.diagnostics = len(result.diagnostics)
        cards, findings = check_cards(doc.relpath, result)
        outcome.cards = cards
        outcome.findings += findings
        named = any(d.path == doc.relpath for d in result.diagnostics)
        if cards == 0 and not named:
            outcome.findings.append(("silent-drop", "no card and no diagnostic"))
        for d in result.diagnostics:
            if d.path != doc.relpath:
                outcome.findings.append(
                    ("diagnostic-path", f"{d.path!r} instead of {doc.relpath!r}")
                )
    except BaseException as exc:
        outcome.findings.append(("traceback", _last_frames(exc)))
    outcome.seconds = time.perf_counter() - start
    return outcome


def _last_frames(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{type(exc).__name__}: {str(exc)[:200]} at {where}"


# --- running many documents with a time bound each ------------------------------------------


def _worker(make: Callable[[int], Doc], indices: Sequence[int], conn: Any) -> None:
    for index in indices:
        conn.send(("start", index))
        outcome = check_doc(make(index))
        conn.send(("done", outcome))
    conn.send(("end", None))


def run_parse_batch(
    seed: int,
    indices: Sequence[int],
    timeout: float,
    on_outcome: Callable[[Outcome], None] | None = None,
    *,
    docs: Callable[[int], Doc] | None = None,
) -> list[Outcome]:
    """``check_doc`` for each index in a forked worker; an input over ``timeout`` seconds is a
    hang (the worker is killed and a new one goes on with the next input). ``docs`` makes
    the document of an index (default: ``Fuzz(seed).parse_doc``)."""
    make = docs if docs is not None else Fuzz(seed).parse_doc
    ctx = multiprocessing.get_context("fork")
    outcomes: list[Outcome] = []
    pending = list(indices)
    while pending:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(make, pending, child), daemon=True)
        proc.start()
        child.close()
        current: int | None = None
        done: set[int] = set()
        while True:
            if not parent.poll(timeout if current is not None else timeout + 30):
                break  # the current input is over its time
            try:
                kind, payload = parent.recv()
            except EOFError:
                break  # the worker died (a crash, or killed for memory)
            if kind == "start":
                current = payload
            elif kind == "done":
                outcomes.append(payload)
                done.add(payload.index)
                if on_outcome is not None:
                    on_outcome(payload)
                current = None
            else:
                break
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
        if current is not None:
            what = "hang" if proc.exitcode in (-9, None) else "crash"
            outcome = Outcome(
                current, [(what, f"over {timeout:.0f} s (exit {proc.exitcode})")], seconds=timeout
            )
            outcomes.append(outcome)
            done.add(current)
            if on_outcome is not None:
                on_outcome(outcome)
        pending = [i for i in pending if i not in done]
        if current is None and pending:  # the worker ended early without a current input
            outcome = Outcome(pending[0], [("crash", f"worker exited {proc.exitcode}")])
            outcomes.append(outcome)
            pending = pending[1:]
    return outcomes


def anki_problems(apkg: Path, folder: Path, expected: int) -> list[str]:
    """Import ``apkg`` into a fresh collection; what is wrong with the notes Anki got."""
    problems: list[str] = []
    from ankiutil import collection, database, import_apkg

    with collection(folder) as col:
        counts = import_apkg(col, apkg)
        if counts.new != expected or counts.found != expected:
            problems.append(f"imported {counts.new} new of {counts.found} found, built {expected}")
        db = database(col)
        for nid, mid, flds, tags in db.all("select id, mid, flds, tags from notes"):
            notetype = col.models.get(mid)
            names = [f["name"] for f in notetype["flds"]] if notetype else []
            values = flds.split("\x1f")
            if len(values) != len(names):
                problems.append(f"note {nid}: {len(values)} fields, its note type has {len(names)}")
            for name, value in zip(names, values, strict=False):
                problems += [f"note {nid} {name}: {p}" for p in field_problems(value)]
            for tag in tags.split():
                problems += [f"note {nid}: {p}" for p in tag_problems(tag)]
        for cid in db.list("select id from cards"):
            out = col.get_card(cid).render_output()
            if out.question_av_tags or out.answer_av_tags:
                problems.append(f"card {cid} plays sound: {list(out.answer_av_tags)[:2]}")
            if "latex-" in out.question_text + out.answer_text:
                problems.append(f"card {cid} renders LaTeX")
    return problems


# --- whole builds in a fresh Python ---------------------------------------------------------


def write_docs(folder: Path, docs: Iterable[Doc]) -> list[bytes]:
    """Write each document under ``folder`` by its bytes name (numbered when names collide);
    returns the relative names written."""
    written: list[bytes] = []
    base = os.fsencode(folder)
    used: set[bytes] = set()
    for doc in docs:
        name = doc.name
        if name in used or name.lower() in {u.lower() for u in used}:
            stem = name.rsplit(b"/", 1)[-1].removesuffix(b".md")
            prefix = f"{doc.index}-".encode()
            name = prefix + stem[: 255 - len(prefix) - 3] + b".md"  # a name is 255 bytes at most
        used.add(name)
        path = base + b"/" + name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(doc.data)
        written.append(name)
    return written


@dataclass(frozen=True)
class BuildRun:
    """What a build in a fresh Python did."""

    exit_code: int | None  # None: killed at the time bound
    seconds: float
    result: dict[str, Any]  # {"exception", "usage_error", "report", "diagnostics"}
    stderr: str

    @property
    def hung(self) -> bool:
        return self.exit_code is None

    @property
    def traceback(self) -> str | None:
        exc = self.result.get("exception")
        if exc:
            return str(exc)
        if not self.hung and self.exit_code != 0:
            return f"exit {self.exit_code}: {self.stderr[-600:]}"
        return None


def run_build(
    notes: Path,
    out: Path,
    *,
    timeout: float,
    cache: bool = False,
    keep_going: bool = True,
    fsize_limit: int | None = None,
    kill_after: float | None = None,
) -> BuildRun:
    """``build`` (and ``check`` first) in a fresh Python; killed after ``timeout`` seconds.

    ``fsize_limit`` caps the size of any file the build writes (a full disk);
    ``kill_after`` kills it on purpose after that many seconds.
    """
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "build",
        str(notes),
        str(out),
        json.dumps({"cache": cache, "keep_going": keep_going, "fsize_limit": fsize_limit}),
    ]
    start = time.perf_counter()
    # A session of its own: the build's worker and side processes are killed with it.
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd="/",
    )
    limit = kill_after if kill_after is not None else timeout
    try:
        stdout, stderr = proc.communicate(timeout=limit)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        code = None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its leftover children too
    if code is None:
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    try:
        result = json.loads(stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {}
    return BuildRun(code, seconds, result, stderr.decode("utf-8", "replace"))


def _diag_json(diagnostics: Iterable[Any]) -> list[list[Any]]:
    return [[d.path, d.line, d.severity, d.code, d.message] for d in diagnostics]


def _child_build(notes: Path, out: Path, opts: dict[str, Any]) -> None:
    import resource

    if opts.get("fsize_limit"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(opts["fsize_limit"])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    result: dict[str, Any] = {"exception": None, "usage_error": None}
    try:
        from sagenotes_anki.build import BuildOptions, build, check
        from sagenotes_anki.errors import SageNotesError

        options = BuildOptions(
            deck_name="Fuzz",
            timestamp=1_700_000_000,
            keep_going=bool(opts.get("keep_going")),
            cache_dir=(out.parent / ".sagenotes-cache") if opts.get("cache") else None,
        )
        try:
            checked = check(notes, options)
            result["check"] = _diag_json(checked.diagnostics)
            report = build(notes, out, options)
            result["report"] = {
                "written": report.written,
                "cards": dict(report.cards_by_type),
                "notes": report.notes,
                "size": report.size,
            }
            result["diagnostics"] = _diag_json(report.diagnostics)
        except SageNotesError as exc:
            result["usage_error"] = f"{type(exc).__name__}: {exc}"
    except BaseException as exc:
        result["exception"] = _last_frames(exc)
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=True, default=str) + "\n")
    sys.stdout.flush()


def lock_paths(notes: Path) -> set[str]:
    """The note paths that have items in the lock (the notes that gave cards)."""
    try:
        doc = json.loads((notes / "sagenotes.lock.json").read_text(encoding="utf-8"))
        return {
            item["path"]
            for keys in doc.get("items", {}).values()
            for item in keys.values()
            if isinstance(item, dict) and "path" in item
        }
    except (OSError, ValueError, AttributeError):
        return set()


def _loose(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    return "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" and c != "\ufffd")


def name_forms(name: bytes) -> set[str]:
    """The ways a diagnostic or a card may name the file ``name``."""
    forms = {
        os.fsdecode(name),
        name.decode("utf-8", "replace"),
        name.decode("utf-8", "backslashreplace"),  # odd bytes shown as \xNN
    }
    for encoding in ("cp949", "cp1252", "latin-1"):
        try:
            forms.add(name.decode(encoding))
        except UnicodeDecodeError:
            forms.add(name.decode(encoding, "replace"))
    return forms | {_loose(f) for f in forms}


def silent_drops(written: Iterable[bytes], named: Iterable[str]) -> list[bytes]:
    """The files neither a card nor a diagnostic names (files in hidden folders, such as
    ``.obsidian`` or ``..x``, are skipped by design, as Obsidian skips them)."""
    names = set(named)
    names |= {_loose(n) for n in names}
    return [
        w
        for w in written
        if not (name_forms(w) & names) and not any(p.startswith(b".") for p in w.split(b"/")[:-1])
    ]


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "build":
    _child_build(Path(sys.argv[2]), Path(sys.argv[3]), json.loads(sys.argv[4]))
