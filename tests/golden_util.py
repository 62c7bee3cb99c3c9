"""Turn parser output into the plain JSON shape the golden fixtures are written in.

Text is compared as ``RichText.markdown()``, so a fixture reads like the note it came from.
"""

from __future__ import annotations

from typing import Any

from sagenotes_anki.model import Diagnostic, ParseResult, RichText, StudyNote
from sagenotes_anki.parse.vault import Vault


def md(text: RichText) -> str:
    """Rich text written back as Markdown."""
    return text.markdown()


def note_json(note: StudyNote) -> dict[str, Any]:
    """A note as JSON-friendly data."""
    return {
        "identity": note.identity,
        "title": note.title,
        "path": note.path,
        "tags": list(note.tags),
        "aliases": list(note.aliases),
        "created": note.created,
        "modified": note.modified,
        "is_template": note.is_template,
        "key_point": md(note.key_point),
        "concepts": [
            {"group": c.group, "term": c.term, "definition": md(c.definition), "line": c.line}
            for c in note.concepts
        ],
        "practical_uses": [md(p) for p in note.practical_uses],
        # Only when there are any, so that fixtures without practical bullets need not say so.
        **(
            {
                "practical_cases": [
                    {"name": u.name, "text": md(u.text), "line": u.line}
                    for u in note.practical_cases
                ]
            }
            if note.practical_cases
            else {}
        ),
        "tradeoffs": [
            {
                "subject": t.subject,
                "pros": [md(p) for p in t.pros],
                "cons": [md(c) for c in t.cons],
                "line": t.line,
            }
            for t in note.tradeoffs
        ],
        "flows": [{"title": f.title, "text": f.text, "line": f.line} for f in note.flows],
        "questions": [
            {
                "line": q.line,
                "stem": md(q.stem),
                "options": {o.letter: md(o.text) for o in q.options},
                "correct": list(q.correct),
                "answer_text": md(q.answer_text),
                "explanations": {letter: md(text) for letter, text in q.explanations},
                "general_explanation": [md(g) for g in q.general_explanation],
            }
            for q in note.questions
        ],
    }


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic without its message (messages are checked for content elsewhere)."""
    return {"path": d.path, "line": d.line, "severity": d.severity, "code": d.code}


def result_json(result: ParseResult) -> dict[str, Any]:
    """One parsed file."""
    return {
        "note": note_json(result.note) if result.note is not None else None,
        "diagnostics": [diagnostic_json(d) for d in result.diagnostics],
    }


def vault_json(vault: Vault) -> dict[str, Any]:
    """A parsed folder."""
    return {
        "files": vault.files,
        "notes": [note_json(n) for n in vault.notes],
        "diagnostics": [diagnostic_json(d) for d in vault.diagnostics],
        "errored_paths": sorted(vault.errored_paths),
    }
