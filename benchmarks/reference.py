"""The naive reference pipeline the benchmark measures sagenotes-anki against.

What a straightforward script would do, in one process, with no cache: read each file,
split the front matter with python-frontmatter, parse the body into a mistune AST, pick out
the items a learner gets cards for (the key point, each ``- **Term**: definition`` concept,
each trade-off subject, each question), render every field of every card from Markdown to
HTML with mistune, and write the deck with genanki. It is not made slow on purpose; it just
does the obvious thing (each field's Markdown is parsed again to render it).

Usage: ``python benchmarks/reference.py NOTES_DIR OUT.apkg`` (prints a JSON summary).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import frontmatter
import genanki
import mistune

Token = dict[str, Any]

PARSE = mistune.create_markdown(renderer=None, plugins=["strikethrough", "table"])
HTML = mistune.create_markdown(plugins=["strikethrough", "table"])

_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }"


def _model(model_id: int, name: str, fields: list[str]) -> genanki.Model:
    front = "{{" + fields[0] + "}}"
    back = "{{FrontSide}}<hr id=answer>" + "".join("{{" + f + "}}<br>" for f in fields[1:])
    return genanki.Model(
        model_id,
        name,
        fields=[{"name": f} for f in fields],
        templates=[{"name": "Card 1", "qfmt": front, "afmt": back}],
        css=_CSS,
    )


KEYPOINT = _model(1_607_392_301, "Ref Key Point", ["Topic", "Point", "Flow", "Source"])
CONCEPT = _model(1_607_392_302, "Ref Concept", ["Term", "Definition", "Group", "Topic", "Source"])
TRADEOFF = _model(1_607_392_303, "Ref Trade-off", ["Subject", "Pros", "Cons", "Topic", "Source"])
MCQ = _model(
    1_607_392_304,
    "Ref MCQ",
    ["Question", "Options", "Answer", "Explanation", "Choose", "Topic", "Source"],
)


def inline_md(nodes: list[Token]) -> str:
    """Inline AST nodes written back as Markdown (the field's source text)."""
    out = []
    for node in nodes:
        kind = node["type"]
        if kind in ("text", "inline_html"):
            out.append(node["raw"])
        elif kind == "codespan":
            out.append(f"`{node['raw']}`")
        elif kind == "strong":
            out.append(f"**{inline_md(node['children'])}**")
        elif kind == "emphasis":
            out.append(f"*{inline_md(node['children'])}*")
        elif kind == "strikethrough":
            out.append(f"~~{inline_md(node['children'])}~~")
        elif kind == "link":
            out.append(f"[{inline_md(node['children'])}]({node['attrs']['url']})")
        elif kind in ("softbreak", "linebreak"):
            out.append("\n")
        elif "children" in node:
            out.append(inline_md(node["children"]))
    return "".join(out)


def item_md(item: Token) -> str:
    """A list item's first block as Markdown."""
    for child in item.get("children", []):
        if child["type"] in ("block_text", "paragraph"):
            return inline_md(child["children"])
    return ""


def plain(nodes: list[Token]) -> str:
    """Inline nodes as plain text."""
    return "".join(
        n.get("raw", "") if "children" not in n else plain(n["children"]) for n in nodes
    )


def sections(ast: list[Token]) -> Iterator[tuple[str, str, Token]]:
    """(H2 heading, H3 heading, block) for every block that is not a heading."""
    h2 = h3 = ""
    for block in ast:
        if block["type"] == "heading":
            level = block["attrs"]["level"]
            if level == 2:
                h2, h3 = plain(block["children"]), ""
            elif level == 3:
                h3 = plain(block["children"])
        elif block["type"] != "blank_line":
            yield h2, h3, block


_PROCON = re.compile(r"^(.+?)\s*(장점|단점|Pros|Cons)\s*:?$")
_ANSWER = re.compile(r"정답\s*:\s*(.*)$")


def extract(ast: list[Token]) -> dict[str, Any]:
    """The card items of one note, each field as Markdown."""
    note: dict[str, Any] = {"keypoint": "", "flow": "", "concepts": [], "tradeoffs": {}, "mcq": []}
    pending: tuple[str, str] | None = None  # what the next list belongs to
    question: dict[str, Any] | None = None
    for h2, h3, block in sections(ast):
        kind = block["type"]
        if "핵심" in h2 and "포인트" in h2 and kind == "paragraph" and not note["keypoint"]:
            note["keypoint"] = inline_md(block["children"])
        elif kind == "block_code" and "플로우" in h3 and not note["flow"]:
            note["flow"] = block["raw"]
        elif kind == "paragraph":
            first = block["children"][0] if block["children"] else {}
            lead = plain(first.get("children", [])) if first.get("type") == "strong" else ""
            text = plain(block["children"]).strip()
            if (m := _PROCON.match(lead.strip())) and len(block["children"]) <= 2:
                pending = ("pros" if m.group(2) in ("장점", "Pros") else "cons", m.group(1))
            elif lead.startswith("Question"):
                question = {"stem": inline_md(block["children"][1:]).strip(), "options": [],
                            "answer": "", "explain": []}
                note["mcq"].append(question)
            elif lead.startswith("Options"):
                pending = ("options", "")
            elif question is not None and (m := _ANSWER.search(text)):
                question["answer"] = m.group(1)
            elif question is not None and "추가 설명" in text:
                pending = ("explain", "")
            else:
                pending = None
        elif kind == "list":
            items = [item_md(i) for i in block["children"]]
            if pending and pending[0] in ("pros", "cons"):
                side = note["tradeoffs"].setdefault(pending[1], {"pros": [], "cons": []})
                side[pending[0]].extend(items)
            elif pending and question is not None and pending[0] in ("options", "explain"):
                question[pending[0]].extend(items)
            elif "주요" in h2 and "개념" in h2:
                for item, source in zip(block["children"], items, strict=True):
                    first = item["children"][0]["children"] if item.get("children") else []
                    rest = source.split("**", 2)[-1]
                    if first and first[0]["type"] == "strong" and rest[:1] == ":":
                        term = plain(first[0]["children"])
                        definition = rest[1:].strip()
                        note["concepts"].append((term, definition, h3))
            pending = None
    return note


def md_list(items: list[str]) -> str:
    """Items as a Markdown bullet list."""
    return "\n".join(f"- {i}" for i in items)


Card = tuple[genanki.Model, str, list[str]]


def cards(note: dict[str, Any], topic: str, source: str) -> Iterator[Card]:
    """(model, key, fields as Markdown) for every card of a note."""
    if note["keypoint"]:
        flow = f"```\n{note['flow']}```" if note["flow"] else ""
        yield KEYPOINT, "keypoint", [topic, note["keypoint"], flow, source]
    for term, definition, group in note["concepts"]:
        yield CONCEPT, f"concept:{term}", [f"**{term}**", definition, group, topic, source]
    for subject, sides in note["tradeoffs"].items():
        yield TRADEOFF, f"tradeoff:{subject}", [
            subject, md_list(sides["pros"]), md_list(sides["cons"]), topic, source]
    for n, q in enumerate(note["mcq"], 1):
        yield MCQ, f"question:{n}", [
            q["stem"], md_list(q["options"]), q["answer"], md_list(q["explain"]),
            "", topic, source]


def build(notes_dir: Path, out: Path) -> dict[str, int]:
    """Build ``out`` from every note under ``notes_dir``; returns counts."""
    deck = genanki.Deck(2_059_400_110, "Reference")
    notes = 0
    for path in sorted(notes_dir.rglob("*.md")):
        rel = path.relative_to(notes_dir).as_posix()
        post = frontmatter.loads(path.read_bytes().decode("utf-8", errors="replace"))
        ast: list[Token] = PARSE(post.content)  # type: ignore[assignment]
        h1 = next((plain(b["children"]) for b in ast
                   if b["type"] == "heading" and b["attrs"]["level"] == 1), rel)
        identity = str(post.metadata.get("title") or rel)
        raw_tags = post.metadata.get("tags") or []
        tags = [str(t).replace("/", "::").replace(" ", "_") for t in
                (raw_tags if isinstance(raw_tags, list) else str(raw_tags).split(","))]
        notes += 1
        for model, key, fields in cards(extract(ast), h1, rel):
            html = [HTML(f) if f else "" for f in fields]
            deck.add_note(genanki.Note(model=model, fields=html, tags=tags,
                                       guid=genanki.guid_for(identity, key)))
    genanki.Package(deck).write_to_file(str(out))
    return {"notes": notes, "cards": len(deck.notes), "size": out.stat().st_size}


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    print(json.dumps(build(Path(argv[0]), Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
