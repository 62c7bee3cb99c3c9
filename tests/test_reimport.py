"""Acceptance in real Anki: the corpus deck imports, re-imports, and keeps review history.

The corpus is built once for this module; the rebuild-and-reimport story (review a card, edit
a definition, remove a concept, bring it back) runs once in a fixture and each test checks
one thing a learner would notice.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from ankiutil import (
    CardState,
    ImportCounts,
    card_state,
    collection,
    import_apkg,
    note_by_guid,
    notes_of_type,
    notes_per_type,
    queued_notes,
    review,
)

from sagenotes_anki import load_notes
from sagenotes_anki.build import BuildOptions, BuildReport, build
from sagenotes_anki.cards.identity import guid_for
from sagenotes_anki.lock.model import REMOVED_TAG
from sagenotes_anki.model import StudyNote
from sagenotes_anki.parse.vault import Vault

T1 = 1_700_000_000  # first build
SAMPLE = "sagemaker-components-ml-workflow.md"
EDITED = "- **Processor**: 데이터 전처리 및 후처리, run() 메서드로 스크립트 실행"
REMOVED = "- **Predictor**: 배포된 엔드포인트를 통한 실시간 추론, predict() 메서드 제공"
ADDED_TEXT = " (수정됨: 처리 작업)"


@dataclass(frozen=True)
class Built:
    """The corpus copy, its first package, and what the parser extracted from it."""

    notes: Path
    apkg: Path
    report: BuildReport
    vault: Vault

    def note(self, path: str) -> StudyNote:
        """The parsed note at ``path``."""
        return next(n for n in self.vault.notes if n.path == path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Built:
    """The whole corpus, copied and built once."""
    root = tmp_path_factory.mktemp("corpus")
    notes = root / "notes"
    shutil.copytree(corpus_dir, notes)
    apkg = root / "v1.apkg"
    report = build(notes, apkg, BuildOptions(timestamp=T1))
    assert report.written and report.errors == 0
    return Built(notes, apkg, report, load_notes(notes))


@pytest.fixture(scope="module")
def first_import(
    built: Built, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Collection, ImportCounts]]:
    """A fresh collection with the first build imported, and what Anki said about it."""
    with collection(tmp_path_factory.mktemp("anki")) as col:
        yield col, import_apkg(col, built.apkg)


@pytest.fixture(scope="module")
def col(first_import: tuple[Collection, ImportCounts]) -> Collection:
    """The collection of the first import (tests only read it, or re-import the same deck)."""
    return first_import[0]


def text(fragment: str) -> str:
    """Rendered HTML as the learner reads it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def expected_counts(vault: Vault) -> dict[str, int]:
    """Anki notes per note type, counted from the parser's model (items with a card front)."""
    notes = vault.notes
    return {
        "SageNotes Scenario": sum(bool(n.key_point) + len(n.practical_cases) for n in notes),
        "SageNotes Concept": sum(bool(c.term.strip()) for n in notes for c in n.concepts),
        "SageNotes Trade-off": sum(
            bool(t.subject.strip()) and (any(t.pros) or any(t.cons))
            for n in notes
            for t in n.tradeoffs
        ),
        "SageNotes MCQ": sum(bool(q.stem) and bool(q.options) for n in notes for q in n.questions),
    }


# --- the first import ----------------------------------------------------------------------


def test_every_item_is_imported_once(
    built: Built, first_import: tuple[Collection, ImportCounts]
) -> None:
    """All notes are new on the first import; per note type they match the parser's count."""
    col, first = first_import
    total = sum(built.report.cards_by_type.values())
    assert (first.new, first.updated, first.conflicting, first.found) == (total, 0, 0, total)
    assert notes_per_type(col) == expected_counts(built.vault) == built.report.cards_by_type
    print(f"corpus: {notes_per_type(col)}, {len(col.find_cards(''))} cards")


def test_tradeoff_cards_exist_only_for_lists_that_exist(built: Built, col: Collection) -> None:
    """A trade-off gives a pros card where it has pros and a cons card where it has cons."""
    expected = sum(
        any(t.pros) + any(t.cons) for n in built.vault.notes for t in n.tradeoffs if t.subject
    )
    assert len(col.find_cards('"note:SageNotes Trade-off"')) == expected


def test_new_cards_come_in_study_order(built: Built, col: Collection) -> None:
    """Notes by path; within a note the key point, then concepts, practical uses,
    trade-offs, questions."""
    first = built.vault.notes[0]
    assert first.path == min(n.path for n in built.vault.notes)
    concepts = [c.term for c in first.concepts]
    expected = ["scenario"] + [f"concept:{t}" for t in concepts[:5]]
    queued = queued_notes(col, "SageNotes", len(expected))
    wanted = [guid_for(first.identity, key) for key in expected]
    assert [n.guid for n in queued] == wanted
    due = {
        c.note().guid: c.due
        for c in (col.get_card(cid) for cid in col.find_cards('"note:SageNotes MCQ"'))
    }
    order = [guid_for(n.identity, "question:1") for n in built.vault.notes if n.questions]
    order = [g for g in order if g in due]
    assert [due[g] for g in order] == sorted(due[g] for g in order)


def test_tags_are_hierarchical(col: Collection) -> None:
    """Obsidian's ``service/sagemaker`` arrives as Anki's ``service::sagemaker``."""
    tags = col.tags.all()
    assert "service::sagemaker" in tags
    assert not [t for t in tags if "/" in t]
    assert len(col.find_notes("tag:service::sagemaker")) > 100


def test_keypoint_card_shows_situation_then_point(built: Built, col: Collection) -> None:
    """Front: the key point's situation, not all of it; back: the key point sentence."""
    note = built.note(SAMPLE)
    card = note_by_guid(col, guid_for(note.identity, "scenario")).cards()[0]
    point = " ".join(note.key_point.plain().split())
    assert point.split("경우")[0] in text(card.question())
    assert point not in text(card.question())
    assert point in text(card.answer())


def test_concept_card_shows_term_then_definition(built: Built, col: Collection) -> None:
    """Front: the term; back: its definition with markup kept."""
    note = built.note("sagemaker-processing-vs-batch-transform.md")
    concept = next(c for c in note.concepts if c.term == "Batch Transform")
    card = note_by_guid(col, guid_for(note.identity, "concept:Batch Transform")).cards()[0]
    assert "Batch Transform" in text(card.question())
    assert concept.definition.plain() not in text(card.question())
    assert concept.definition.plain() in text(card.answer())


def test_tradeoff_cards_show_pros_and_cons(built: Built, col: Collection) -> None:
    """The pros card asks about the subject and answers with its pros; likewise for cons."""
    note = built.note(SAMPLE)
    tradeoff = next(t for t in note.tradeoffs if t.pros and t.cons)
    anki_note = note_by_guid(col, guid_for(note.identity, f"tradeoff:{tradeoff.subject}"))
    pros, cons = sorted(anki_note.cards(), key=lambda c: c.ord)
    assert tradeoff.subject in text(pros.question()) and tradeoff.subject in text(cons.question())
    assert tradeoff.pros[0].plain() in text(pros.answer())
    assert tradeoff.cons[0].plain() in text(cons.answer())
    assert tradeoff.cons[0].plain() not in text(pros.answer())


def test_mcq_card_shows_question_and_options(built: Built, col: Collection) -> None:
    """Front: the stem and every option, without the answer line."""
    note = built.note("sagemaker-processing-vs-batch-transform.md")
    question = note.questions[0]
    card = note_by_guid(col, guid_for(note.identity, "question:1")).cards()[0]
    front = text(card.question())
    assert question.stem.plain()[:60] in front
    for option in question.options:
        assert option.text.plain() in front
    assert "Answer:" not in front


MARK = re.compile(r'<li class="([^"]*)"[^>]*data-letter="([A-J])"')


def test_every_mcq_back_marks_exactly_the_correct_options(built: Built, col: Collection) -> None:
    """On every MCQ card of the corpus the back marks the right letters and only those."""
    by_guid = {
        guid_for(n.identity, f"question:{i}"): q
        for n in built.vault.notes
        for i, q in enumerate(n.questions, 1)
    }
    checked = 0
    for anki_note in notes_of_type(col, "SageNotes MCQ"):
        question = by_guid[anki_note.guid]
        back = anki_note.cards()[0].answer()
        marks = {letter: cls.split() for cls, letter in MARK.findall(back)}
        assert set(marks) == {o.letter for o in question.options}
        assert {k for k, cls in marks.items() if "correct" in cls} == set(question.correct)
        assert all("wrong" in cls for k, cls in marks.items() if k not in question.correct)
        checked += 1
    assert checked == len(by_guid) > 200


def test_reimporting_the_same_build_changes_nothing(built: Built, col: Collection) -> None:
    """Importing the same package again adds nothing and updates nothing."""
    again = import_apkg(col, built.apkg)
    assert (again.new, again.updated, again.conflicting) == (0, 0, 0)
    assert again.found == sum(built.report.cards_by_type.values())


def test_source_date_epoch_makes_the_corpus_build_reproducible(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh build of a fresh copy with SOURCE_DATE_EPOCH gives the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))
    notes = tmp_path / "notes"
    shutil.copytree(built.notes, notes, ignore=shutil.ignore_patterns("*.json"))
    build(notes, tmp_path / "again.apkg", BuildOptions())
    assert (tmp_path / "again.apkg").read_bytes() == built.apkg.read_bytes()


# --- rebuilding after edits ----------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """What happened along the rebuild-and-reimport story."""

    reviewed: CardState  # the edited concept's card right after its review
    after_edit: CardState  # the same card after the edited deck was imported
    edit_report: BuildReport
    edit_import: ImportCounts
    edited_definition: str
    user_fix_kept: str
    remove_report: BuildReport
    remove_import: ImportCounts
    removed_tags: list[str]
    removed_definition: str
    notes_after_remove: int
    back_import: ImportCounts
    back_tags: list[str]
    notes_before: int


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def story(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Story:
    """Review a card, then edit / remove / restore concepts, rebuilding and re-importing."""
    root = tmp_path_factory.mktemp("story")
    notes = root / "notes"
    shutil.copytree(built.notes, notes)  # the lock comes along, as in a user's repository
    identity = built.note(SAMPLE).identity
    edited_guid = guid_for(identity, "concept:Processor")
    removed_guid = guid_for(identity, "concept:Predictor")
    fixed_guid = guid_for(identity, "concept:Estimator")

    def rebuild(name: str, timestamp: int) -> tuple[Path, BuildReport]:
        out = root / name
        return out, build(notes, out, BuildOptions(timestamp=timestamp))

    with collection(root / "anki") as col:
        import_apkg(col, built.apkg)
        notes_before = len(col.find_notes(""))
        card_id = note_by_guid(col, edited_guid).cards()[0].id
        reviewed = review(col, card_id, "easy")
        # A fix the learner makes inside Anki to a note the notes do not change:
        fixed = note_by_guid(col, fixed_guid)
        fixed["Definition"] = "내가 고친 정의"
        col.update_note(fixed)

        _replace(notes / SAMPLE, EDITED, EDITED + ADDED_TEXT)
        v2, edit_report = rebuild("v2.apkg", T1 + 3600)
        edit_import = import_apkg(col, v2)
        after_edit = card_state(col, card_id)
        edited_definition = note_by_guid(col, edited_guid)["Definition"]
        user_fix_kept = note_by_guid(col, fixed_guid)["Definition"]

        _replace(notes / SAMPLE, REMOVED + "\n", "")
        v3, remove_report = rebuild("v3.apkg", T1 + 7200)
        remove_import = import_apkg(col, v3)
        removed = note_by_guid(col, removed_guid)
        notes_after_remove = len(col.find_notes(""))

        restored = EDITED + ADDED_TEXT + "\n" + REMOVED + "\n"
        _replace(notes / SAMPLE, EDITED + ADDED_TEXT + "\n", restored)
        v4, _ = rebuild("v4.apkg", T1 + 10800)
        back_import = import_apkg(col, v4)
        back_tags = note_by_guid(col, removed_guid).tags

    return Story(
        reviewed=reviewed,
        after_edit=after_edit,
        edit_report=edit_report,
        edit_import=edit_import,
        edited_definition=edited_definition,
        user_fix_kept=user_fix_kept,
        remove_report=remove_report,
        remove_import=remove_import,
        removed_tags=removed.tags,
        removed_definition=removed["Definition"],
        notes_after_remove=notes_after_remove,
        back_import=back_import,
        back_tags=back_tags,
        notes_before=notes_before,
    )


def test_an_edited_definition_updates_one_note(story: Story) -> None:
    """After editing one definition the rebuild re-imports as 1 updated, 0 new."""
    assert (story.edit_report.changed, story.edit_report.new) == (1, 0)
    assert (story.edit_import.new, story.edit_import.updated) == (0, 1)
    assert ADDED_TEXT.strip() in text(story.edited_definition)


def test_review_history_survives_the_update(story: Story) -> None:
    """The edited card keeps its reps, interval, due date and review log."""
    assert story.reviewed.reps == 1 and story.reviewed.interval > 0
    assert len(story.reviewed.revlog) == 1
    assert story.after_edit == story.reviewed


def test_a_fix_made_in_anki_is_not_overwritten(story: Story) -> None:
    """Re-importing keeps a learner's edit in Anki to a note the notes did not change."""
    assert story.user_fix_kept == "내가 고친 정의"


def test_a_removed_concept_stays_tagged_not_duplicated(story: Story) -> None:
    """A concept deleted from the notes is still in Anki, content unchanged, tagged removed."""
    assert (story.remove_report.removed, story.remove_report.changed) == (1, 0)
    assert (story.remove_import.new, story.remove_import.updated) == (0, 1)
    assert REMOVED_TAG in story.removed_tags
    assert "predict()" in story.removed_definition
    assert story.notes_after_remove == story.notes_before


def test_a_restored_concept_loses_the_removed_tag(story: Story) -> None:
    """Putting the concept back updates the same note and drops the tag."""
    assert (story.back_import.new, story.back_import.updated) == (0, 1)
    assert REMOVED_TAG not in story.back_tags
