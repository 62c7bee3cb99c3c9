"""Acceptance on the real vault: 251 notes, and the two damaged seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sagenotes_anki import load_notes
from sagenotes_anki.model import StudyNote
from sagenotes_anki.parse.note import load_note
from sagenotes_anki.parse.sections import is_generic_label
from sagenotes_anki.parse.vault import Vault

# Template notes that really lack a part (checked by reading them); each must say so with a
# W104 warning instead of silently giving fewer cards.
KNOWN_GAPS = {
    "f1-score-confusion-matrix-evaluation.md": "tradeoffs",
    "vpc-sagemaker-endpoint-security.md": "tradeoffs",
    "sagemaker-components-ml-workflow.md": "question",
}
FREE_FORM = {
    "libsvm_xgboost_whitepaper.md",
    "mime_types_whitepaper_ko.md",
    "svm_whitepaper_korean.md",
    "xgboost_sagemaker_whitepaper.md",
}


@pytest.fixture(scope="module")
def vault(corpus_dir: Path) -> Vault:
    """The whole corpus, parsed once."""
    return load_notes(corpus_dir)


def _gaps(note: StudyNote) -> set[str]:
    gaps = set()
    if not note.key_point:
        gaps.add("key point")
    if not note.concepts:
        gaps.add("concepts")
    if not note.tradeoffs:
        gaps.add("tradeoffs")
    answered = [
        q
        for q in note.questions
        if q.correct and set(q.correct) <= {option.letter for option in q.options}
    ]
    if not answered:
        gaps.add("question")
    return gaps


class TestCorpus:
    def test_every_note_parses_without_errors(self, vault: Vault) -> None:
        """All 251 notes are read and none has an error diagnostic."""
        errors = [str(d) for d in vault.diagnostics if d.severity == "error"]
        assert vault.files == 251
        assert len(vault.notes) == 251
        assert errors == []

    def test_template_notes_yield_every_card_kind(
        self, vault: Vault, corpus_counts: dict[str, int]
    ) -> None:
        """Each template note gives a key point, concepts, trade-offs and an answered question."""
        template = [n for n in vault.notes if n.is_template]
        gaps = {n.path: _gaps(n) for n in template if _gaps(n)}
        assert gaps == {path: {part} for path, part in KNOWN_GAPS.items()}
        warned = {d.path for d in vault.diagnostics if d.code == "W104"}
        assert set(KNOWN_GAPS) <= warned
        corpus_counts.update(
            {
                "notes": len(vault.notes),
                "template notes": len(template),
                "free-form notes": len(vault.notes) - len(template),
                "key points": sum(1 for n in vault.notes if n.key_point),
                "concepts": sum(len(n.concepts) for n in vault.notes),
                "practical uses": sum(len(n.practical_uses) for n in vault.notes),
                "trade-off subjects": sum(len(n.tradeoffs) for n in vault.notes),
                "flows": sum(len(n.flows) for n in vault.notes),
                "questions": sum(len(n.questions) for n in vault.notes),
                "multi-answer questions": sum(
                    1 for n in vault.notes for q in n.questions if len(q.correct) > 1
                ),
                "explained options": sum(
                    len(q.explanations) for n in vault.notes for q in n.questions
                ),
                "warnings": sum(1 for d in vault.diagnostics if d.severity == "warning"),
                "infos": sum(1 for d in vault.diagnostics if d.severity == "info"),
            }
        )
        assert len(template) == 247

    def test_whitepapers_are_free_form_with_info(self, vault: Vault) -> None:
        """The four long whitepapers are accepted as free-form notes with an I201 note."""
        free = {n.path for n in vault.notes if not n.is_template}
        assert free == FREE_FORM
        infos = {d.path for d in vault.diagnostics if d.code == "I201"}
        assert infos == FREE_FORM

    def test_identities_are_titles_and_unique(self, vault: Vault) -> None:
        """Every corpus note keeps its front-matter title (or file name) as a unique identity."""
        identities = [n.identity for n in vault.notes]
        assert len(set(identities)) == len(identities)
        assert all("/" not in i for i in identities)

    def test_lines_point_at_the_source(self, vault: Vault, corpus_dir: Path) -> None:
        """Concept, question and trade-off lines name the file line where each one is written."""
        wrong = []
        for note in vault.notes:
            lines = (corpus_dir / note.path).read_text(encoding="utf-8").split("\n")
            for concept in note.concepts:
                # Label items (정의, 특징) folded into their heading's concept point at the label.
                folded = not concept.group and _labelled(lines[concept.line - 1])
                if concept.term not in lines[concept.line - 1] and not folded:
                    wrong.append((note.path, concept.line, concept.term))
            for question in note.questions:
                if "Question" not in lines[question.line - 1]:
                    wrong.append((note.path, question.line, "Question"))
            for tradeoff in note.tradeoffs:
                if tradeoff.subject not in lines[tradeoff.line - 1]:
                    wrong.append((note.path, tradeoff.line, tradeoff.subject))
            for flow in note.flows:
                opens = "|" if flow.content.spans else "```"  # a table, else a fenced block
                if not lines[flow.line - 1].lstrip().startswith(opens):
                    wrong.append((note.path, flow.line, opens))
        assert wrong == []

    def test_multi_answer_forms_are_read(self, vault: Vault) -> None:
        """`정답: A, C`, `정답: D) x, F) y` and `정답: C, E, F) x` give all their letters."""
        by_path = {n.path: n for n in vault.notes}
        assert by_path["ml-data-format-guide.md"].questions[0].correct == ("A", "C")
        assert by_path["ml-data-format-guide.md"].questions[1].correct == ("D",)
        assert by_path["xgboost-multiclass-softprob.md"].questions[0].correct == ("D", "F")
        rekognition = by_path["classification-rekognition-custom-labels-ecommerce.md"]
        assert rekognition.questions[0].correct == ("C", "E", "F")


class TestSeeds:
    def test_damaged_seeds_are_errors_without_content(self, seeds_dir: Path) -> None:
        """Both mis-encoded seeds give one E004 error and no note at all."""
        for path in sorted(seeds_dir.iterdir()):
            result = load_note(path)
            assert result.note is None
            assert [d.code for d in result.diagnostics] == ["E004"]
            assert result.diagnostics[0].severity == "error"

    def test_clean_originals_of_the_seeds_parse(self, corpus_dir: Path) -> None:
        """The clean originals of the seeds parse with their question intact."""
        for name in (
            "sagemaker-processing-vs-batch-transform.md",
            "sagemaker-components-ml-workflow.md",
        ):
            result = load_note(corpus_dir / name)
            assert result.note is not None
            assert not result.has_errors


def _labelled(line: str) -> bool:
    """A line holding a paragraph label: ``- **정의**: ...``, ``**공통점**: ...``."""
    match = re.match(r"\s*(?:[-*]\s+)?\*\*([^*]+?)[:\uff1a]?\*\*", line)
    return match is not None and is_generic_label(match.group(1))
