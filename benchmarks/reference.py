"""The reference pipelines the benchmark measures sagenotes-anki against.

What a straightforward script would do, in one process, with no cache: read each file,
split the front matter with python-frontmatter, parse the body into a mistune AST once, pick
out the items a learner gets cards for (the key point, each ``- **Term**: definition``
concept, each trade-off subject, each question), render every field of every card to HTML,
and write the deck with genanki. Two ways of rendering the fields:

- **plain** (the default, what a user would write): each field rendered by mistune's HTML
  renderer from the AST it already has;
- **naive** (``--naive``): each field written back as Markdown and parsed again with
  mistune to render it (the benchmark's reference until the plain one replaced it).

Usage: ``python benchmarks/reference.py [--naive] NOTES_DIR OUT.apkg`` (prints a JSON summary).
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
from mistune.core import BlockState

Token = dict[str, Any]

PARSE = mistune.create_markdown(renderer=None, plugins=["strikethrough", "table"])
HTML = mistune.create_markdown(plugins=["strikethrough", "table"])
RENDERER: Any = HTML.renderer

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


def text_field(text: str) -> list[Token]:
    """A field of plain text, as one paragraph."""
    return [{"type": "paragraph", "children": [{"type": "text", "raw": text}]}] if text else []


def inline_field(nodes: list[Token]) -> list[Token]:
    """A field of inline nodes, as one paragraph."""
    return [{"type": "paragraph", "children": nodes}] if nodes else []


def list_field(items: list[list[Token]]) -> list[Token]:
    """A field of list items (each its inline nodes), as one bullet list."""
    if not items:
        return []
    children = [{"type": "list_item", "children": [{"type": "block_text", "children": i}]}
                for i in items]
    return [{"type": "list", "children": children, "tight": True, "bullet": "-",
             "attrs": {"depth": 0, "ordered": False}}]


def item_nodes(item: Token) -> list[Token]:
    """A list item's first block's inline nodes."""
    for child in item.get("children", []):
        if child["type"] in ("block_text", "paragraph"):
            return list(child["children"])
    return []


def _strip_start(nodes: list[Token], chars: str) -> list[Token]:
    """``nodes`` with ``chars`` stripped from the start of a leading text node (and, with a
    newline in ``chars``, leading line breaks dropped)."""
    while "\n" in chars and nodes and nodes[0]["type"] in ("softbreak", "linebreak"):
        nodes = nodes[1:]
    if nodes and nodes[0]["type"] == "text":
        raw = nodes[0]["raw"].lstrip(chars)
        return ([{"type": "text", "raw": raw}] if raw else []) + nodes[1:]
    return nodes


def _concept(item: Token, source: str, h3: str) -> tuple[str, list[Token], str] | None:
    first = item["children"][0]["children"] if item.get("children") else []
    rest = source.split("**", 2)[-1]
    if not (first and first[0]["type"] == "strong" and rest[:1] == ":"):
        return None
    definition = _strip_start(_strip_start(list(first[1:]), ":"), " \t")
    return plain(first[0]["children"]), definition, h3


def extract(ast: list[Token]) -> dict[str, Any]:
    """The card items of one note, each field as mistune block tokens."""
    note: dict[str, Any] = {"keypoint": [], "flow": [], "concepts": [], "tradeoffs": {},
                            "mcq": []}
    pending: tuple[str, str] | None = None  # what the next list belongs to
    question: dict[str, Any] | None = None
    for h2, h3, block in sections(ast):
        kind = block["type"]
        if "핵심" in h2 and "포인트" in h2 and kind == "paragraph" and not note["keypoint"]:
            note["keypoint"] = inline_field(block["children"])
        elif kind == "block_code" and "플로우" in h3 and not note["flow"]:
            note["flow"] = [block]
        elif kind == "paragraph":
            first = block["children"][0] if block["children"] else {}
            lead = plain(first.get("children", [])) if first.get("type") == "strong" else ""
            text = plain(block["children"]).strip()
            if (m := _PROCON.match(lead.strip())) and len(block["children"]) <= 2:
                pending = ("pros" if m.group(2) in ("장점", "Pros") else "cons", m.group(1))
            elif lead.startswith("Question"):
                stem = _strip_start(list(block["children"][1:]), " \t\n")
                question = {"stem": inline_field(stem), "options": [], "answer": "",
                            "explain": []}
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
            items = [item_nodes(i) for i in block["children"]]
            if pending and pending[0] in ("pros", "cons"):
                side = note["tradeoffs"].setdefault(pending[1], {"pros": [], "cons": []})
                side[pending[0]].extend(items)
            elif pending and question is not None and pending[0] in ("options", "explain"):
                question[pending[0]].extend(items)
            elif "주요" in h2 and "개념" in h2:
                for item, nodes in zip(block["children"], items, strict=True):
                    found = _concept(item, inline_md(nodes), h3)
                    if found is not None:
                        note["concepts"].append(found)
            pending = None
    return note


Card = tuple[genanki.Model, str, list[list[Token]]]


def cards(note: dict[str, Any], topic: str, source: str) -> Iterator[Card]:
    """(model, key, fields as block tokens) for every card of a note."""
    top, src = text_field(topic), text_field(source)
    if note["keypoint"]:
        yield KEYPOINT, "keypoint", [top, note["keypoint"], note["flow"], src]
    for term, definition, group in note["concepts"]:
        strong = [{"type": "strong", "children": [{"type": "text", "raw": term}]}]
        yield CONCEPT, f"concept:{term}", [
            inline_field(strong), inline_field(definition), text_field(group), top, src]
    for subject, sides in note["tradeoffs"].items():
        yield TRADEOFF, f"tradeoff:{subject}", [
            text_field(subject), list_field(sides["pros"]), list_field(sides["cons"]), top, src]
    for n, q in enumerate(note["mcq"], 1):
        yield MCQ, f"question:{n}", [
            q["stem"], list_field(q["options"]), text_field(q["answer"]),
            list_field(q["explain"]), [], top, src]


def to_markdown(blocks: list[Token]) -> str:
    """A field's blocks written back as Markdown (what the naive pipeline parses again)."""
    out = []
    for block in blocks:
        if block["type"] == "list":
            out.append("\n".join(f"- {item_md(i)}" for i in block["children"]))
        elif block["type"] == "block_code":
            out.append(f"```\n{block['raw']}```")
        else:
            out.append(inline_md(block["children"]))
    return "\n\n".join(out)


def naive_html(blocks: list[Token]) -> str:
    """The field rendered by parsing its Markdown again."""
    return HTML(to_markdown(blocks)) if blocks else ""  # type: ignore[return-value]


def plain_html(blocks: list[Token]) -> str:
    """The field rendered from the tokens the note's parse already made."""
    return RENDERER.render_tokens(blocks, BlockState()) if blocks else ""


def build(notes_dir: Path, out: Path, naive: bool = False) -> dict[str, int]:
    """Build ``out`` from every note under ``notes_dir``; returns counts."""
    render = naive_html if naive else plain_html
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
            html = [render(f) for f in fields]
            deck.add_note(genanki.Note(model=model, fields=html, tags=tags,
                                       guid=genanki.guid_for(identity, key)))
    genanki.Package(deck).write_to_file(str(out))
    return {"notes": notes, "cards": len(deck.notes), "size": out.stat().st_size}


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    naive = argv[:1] == ["--naive"]
    args = argv[1:] if naive else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    print(json.dumps(build(Path(args[0]), Path(args[1]), naive)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
