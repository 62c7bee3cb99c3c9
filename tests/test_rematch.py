"""Identity that survives moves and renames: inserting or deleting a question, correcting a
term's spelling, an NFD file name, and an upgrade from a lock written before names were
normalised. Each story runs through the real Anki backend: build, import, review, edit,
rebuild, import again, and the reviewed card must still hold its own item."""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from ankiutil import card_state, collection, database, import_apkg, review
from releaseutil import build_with_release, unpack_release

from sagenotes_anki import codes
from sagenotes_anki.build import BuildOptions, BuildReport, build
from sagenotes_anki.cli.summary import build_summary

ROOT = Path(__file__).resolve().parent.parent
T1 = 1_800_000_000


def _question(stem: str, answer: str = "B") -> str:
    return (
        f"**Question:** {stem}\n\n**Options:**\n\n"
        f"- A) {stem} 첫째 보기\n- B) {stem} 둘째 보기\n- C) {stem} 셋째 보기\n\n"
        f"**정답: {answer}**\n\n"
    )


def _note(title: str | None, questions: list[str], concepts: list[tuple[str, str]]) -> str:
    front = f"---\ntitle: {title}\ntags: [service/sagemaker]\n---\n" if title else ""
    terms = "".join(f"- **{term}**: {definition}\n" for term, definition in concepts)
    return (
        f"{front}# 모델 배포 노트\n\n## 🎯 핵심 포인트\n\n"
        "실시간 추론이 필요한 경우 엔드포인트를 쓴다.\n\n"
        f"## 🔍 주요개념\n\n{terms}\n## 📝 관련 문제\n\n" + "".join(questions)
    )


Q1 = "Which service hosts a real-time endpoint for the fraud model trained last week?"
Q2 = "Which option keeps the training data encrypted at rest in the feature store?"
Q0 = "Which metric should the team watch to detect data drift in production traffic?"
CONCEPTS = [
    (
        "Pipe mode",
        "S3에서 학습 인스턴스로 데이터를 스트리밍하여 디스크 없이 학습을 시작하는 입력 방식",
    ),
    ("File mode", "학습 시작 전에 S3의 데이터 전체를 인스턴스 스토리지로 내려받는 기본 입력 방식"),
]


@dataclass(frozen=True)
class Rebuilt:
    report: BuildReport
    texts: dict[int, str]  # reviewed card id -> its note's first field after the re-import
    states_kept: bool
    new: int
    updated: int
    notes: int
    removed_tagged: int
    reviewed_removed: bool  # a reviewed card's note came back tagged sagenotes::removed


def _stems(col: Collection) -> list[str]:
    rows = database(col).all("select flds from notes")
    return sorted(str(flds).split("\x1f")[0] for (flds,) in rows)


def _story(tmp_path: Path, name: str, before: str, after: str, reviewed: list[str]) -> Rebuilt:
    """Build ``before``, import, review the cards whose first field contains each of
    ``reviewed``, write ``after``, rebuild and import again."""
    notes = tmp_path / "notes"
    notes.mkdir()
    path = notes / name
    path.write_text(before, encoding="utf-8")
    build(notes, tmp_path / "v1.apkg", BuildOptions(timestamp=T1))
    with collection(tmp_path / "anki") as col:
        import_apkg(col, tmp_path / "v1.apkg")
        cards: list[int] = []
        for text in reviewed:
            nids = [
                nid
                for nid, flds in database(col).all("select id, flds from notes")
                if text in str(flds).split("\x1f")[0]
            ]
            assert len(nids) == 1, (text, nids)
            cards.append(col.get_note(nids[0]).cards()[0].id)
        states = {cid: review(col, cid) for cid in cards}  # type: ignore[arg-type]
        path.unlink()
        (notes / name).write_text(after, encoding="utf-8")
        report = build(notes, tmp_path / "v2.apkg", BuildOptions(timestamp=T1 + 3600))
        counts = import_apkg(col, tmp_path / "v2.apkg")
        texts = {cid: str(col.get_card(cid).note().fields[0]) for cid in cards}  # type: ignore[arg-type]
        kept = all(card_state(col, cid).revlog == s.revlog for cid, s in states.items())  # type: ignore[arg-type]
        removed = len(col.find_notes("tag:sagenotes::removed"))
        tagged = any(col.get_card(c).note().has_tag("sagenotes::removed") for c in cards)  # type: ignore[arg-type]
        return Rebuilt(
            report, texts, kept, counts.new, counts.updated, len(col.find_notes("")), removed,
            tagged,
        )  # fmt: skip


def test_a_question_inserted_above_leaves_the_reviewed_card_with_its_question(
    tmp_path: Path,
) -> None:
    before = _note("deploy", [_question(Q1), _question(Q2)], CONCEPTS)
    after = _note("deploy", [_question(Q0), _question(Q1), _question(Q2)], CONCEPTS)
    done = _story(tmp_path, "deploy.md", before, after, [Q1, Q2])
    assert sorted(done.texts.values()) == sorted([Q1, Q2])  # each card still asks its question
    assert done.states_kept
    assert (done.new, done.updated, done.removed_tagged) == (1, 0, 0)
    assert done.report.rematched == 2
    assert any("moved or renamed" in line for line in build_summary(done.report))
    info = [d for d in done.report.diagnostics if d.code == codes.ITEMS_REMATCHED]
    assert len(info) == 1 and "'question:2' (was 'question:1')" in info[0].message


def test_a_question_inserted_above_and_edited_keeps_its_history(tmp_path: Path) -> None:
    edited = Q1.replace("last week", "last month")
    before = _note("deploy", [_question(Q1)], CONCEPTS)
    after = _note("deploy", [_question(Q0), _question(edited)], CONCEPTS)
    done = _story(tmp_path, "deploy.md", before, after, [Q1])
    assert list(done.texts.values()) == [edited]  # updated in place, not replaced by Q0
    assert done.states_kept
    assert (done.new, done.updated, done.removed_tagged) == (1, 1, 0)


def test_a_question_deleted_above_leaves_the_next_one_its_card(tmp_path: Path) -> None:
    before = _note("deploy", [_question(Q0), _question(Q1)], CONCEPTS)
    after = _note("deploy", [_question(Q1)], CONCEPTS)
    done = _story(tmp_path, "deploy.md", before, after, [Q1])
    assert list(done.texts.values()) == [Q1]
    assert done.states_kept
    # The deleted question is the one kept tagged removed; nothing is new.
    assert (done.new, done.removed_tagged) == (0, 1)
    assert not done.reviewed_removed


def test_a_term_spelled_differently_keeps_its_card(tmp_path: Path) -> None:
    renamed = [("Pipe Mode", CONCEPTS[0][1]), CONCEPTS[1]]
    before = _note("deploy", [_question(Q1)], CONCEPTS)
    after = _note("deploy", [_question(Q1)], renamed)
    done = _story(tmp_path, "deploy.md", before, after, ["Pipe mode"])
    assert list(done.texts.values()) == ["Pipe Mode"]
    assert done.states_kept
    assert (done.new, done.updated, done.removed_tagged) == (0, 1, 0)


def test_a_new_term_is_not_taken_for_a_removed_one(tmp_path: Path) -> None:
    """Replacing a concept by an unrelated one is a removal and an addition, not an edit."""
    other = [
        ("Endpoint", "학습된 모델을 HTTPS로 호스팅해 실시간 요청에 응답하는 관리형 추론 서버"),
        CONCEPTS[1],
    ]
    before = _note("deploy", [_question(Q1)], CONCEPTS)
    after = _note("deploy", [_question(Q1)], other)
    done = _story(tmp_path, "deploy.md", before, after, ["Pipe mode"])
    assert list(done.texts.values()) == ["Pipe mode"]
    assert (done.new, done.removed_tagged) == (1, 1)
    assert done.report.rematched == 0


def test_matching_is_stable_on_the_next_build(tmp_path: Path) -> None:
    before = _note("deploy", [_question(Q1)], CONCEPTS)
    after = _note("deploy", [_question(Q0), _question(Q1)], CONCEPTS)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "deploy.md").write_text(before, encoding="utf-8")
    build(notes, tmp_path / "v1.apkg", BuildOptions(timestamp=T1))
    (notes / "deploy.md").write_text(after, encoding="utf-8")
    second = build(notes, tmp_path / "v2.apkg", BuildOptions(timestamp=T1 + 1))
    third = build(notes, tmp_path / "v3.apkg", BuildOptions(timestamp=T1 + 2))
    assert second.rematched == 1 and (second.new, second.changed) == (1, 0)
    assert third.rematched == 0 and (third.new, third.changed, third.removed) == (0, 0, 0)
    with collection(tmp_path / "anki") as col:
        import_apkg(col, tmp_path / "v1.apkg")
        import_apkg(col, tmp_path / "v2.apkg")
        again = import_apkg(col, tmp_path / "v3.apkg")
        assert (again.new, again.updated) == (0, 0)
        assert _stems(col).count(Q1) == 1


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_file_renamed_to_its_nfd_spelling_keeps_every_card(tmp_path: Path) -> None:
    """A note without a title is known by its path; NFD and NFC spell one path."""
    text = _note(None, [_question(Q1)], CONCEPTS)
    done = _story(tmp_path, "모델-배포.md", text, text, [Q1])
    # _story rewrote the same name; now rename it to its NFD spelling and rebuild.
    notes = tmp_path / "notes"
    (notes / "모델-배포.md").rename(notes / _nfd("모델-배포.md"))
    report = build(notes, tmp_path / "v3.apkg", BuildOptions(timestamp=T1 + 7200))
    assert (report.new, report.changed, report.removed) == (0, 0, 0)
    with collection(tmp_path / "anki") as col:
        counts = import_apkg(col, tmp_path / "v3.apkg")
        assert (counts.new, counts.updated) == (0, 0)
        assert len(col.find_notes("tag:sagenotes::removed")) == 0
    assert done.states_kept


def test_nfc_and_nfd_titles_are_one_title(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text(_note("모델 배포", [_question(Q1)], CONCEPTS), encoding="utf-8")
    (notes / "b.md").write_text(
        _note(_nfd("모델 배포"), [_question(Q2)], CONCEPTS[1:]), encoding="utf-8"
    )
    report = build(notes, tmp_path / "deck.apkg", BuildOptions(timestamp=T1))
    assert [d.path for d in report.diagnostics if d.code == codes.DUPLICATE_TITLE] == [
        "a.md",
        "b.md",
    ]


# --- upgrade from the release before names were normalised ------------------------------

PREVIOUS_RELEASE = "ee8cc0b"  # the last release whose identities were not normalised


def _previous_release(tmp_path: Path) -> Path:
    """The package of the previous release, unpacked from this repository's history."""
    return unpack_release(PREVIOUS_RELEASE, tmp_path / "previous")


def test_a_deck_built_by_the_previous_release_from_nfd_names_keeps_its_cards(
    tmp_path: Path,
) -> None:
    """Notes copied from macOS (NFD names and titles) built by the previous release, then
    by this one: every Anki note keeps its GUID, none is new or tagged removed but the two
    key points, whose cards are replaced by scenario cards (the old ones kept, tagged)."""
    old = _previous_release(tmp_path)
    notes = tmp_path / "notes"
    notes.mkdir()
    concept = _note(None, [_question(Q1)], [("파이프 모드", CONCEPTS[0][1])])
    concept = concept.replace("**파이프 모드**", f"**{_nfd('파이프 모드')}**")
    (notes / _nfd("모델-배포.md")).write_text(concept, encoding="utf-8")
    titled = _note(_nfd("배포 노트"), [_question(Q2)], CONCEPTS[1:])
    (notes / "titled.md").write_text(titled, encoding="utf-8")
    first = tmp_path / "v1.apkg"
    build_with_release(old, notes, first, T1, tmp_path)
    with collection(tmp_path / "anki") as col:
        assert import_apkg(col, first).new == 6
        nid = col.find_notes('"note:SageNotes Concept"')[0]
        reviewed = review(col, col.get_note(nid).cards()[0].id)
        report = build(notes, tmp_path / "v2.apkg", BuildOptions(timestamp=T1 + 3600))
        assert (report.new, report.removed) == (2, 2)
        counts = import_apkg(col, tmp_path / "v2.apkg")
        assert (counts.new, len(col.find_notes(""))) == (2, 8)
        removed = col.find_notes("tag:sagenotes::removed")
        assert {col.get_note(n).note_type()["name"] for n in removed} == {  # type: ignore[index]
            "SageNotes Key Point"
        }
        assert len(removed) == 2
        assert card_state(col, reviewed.card_id).revlog == reviewed.revlog
    # and the lock this release wrote goes on matching
    again = build(notes, tmp_path / "v3.apkg", BuildOptions(timestamp=T1 + 7200))
    assert (again.new, again.changed, again.removed) == (0, 0, 0)


def test_an_unchanged_vault_is_not_rematched(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes, ignore=shutil.ignore_patterns("*.json"))
    build(notes, tmp_path / "v1.apkg", BuildOptions(timestamp=T1))
    again = build(notes, tmp_path / "v2.apkg", BuildOptions(timestamp=T1 + 1))
    assert again.rematched == 0 and again.new == 0 and again.changed == 0


def test_a_note_saved_in_nfd_gives_the_cards_of_its_nfc_spelling(tmp_path: Path) -> None:
    """macOS may save Hangul decomposed: section names and answer lines still read."""
    text = _note("deploy", [_question(Q1)], [("파이프 모드", CONCEPTS[0][1])])
    decks = []
    for name, spelled in (("nfc", text), ("nfd", _nfd(text))):
        notes = tmp_path / name
        notes.mkdir()
        (notes / "deploy.md").write_text(spelled, encoding="utf-8")
        decks.append(build(notes, tmp_path / f"{name}.apkg", BuildOptions(timestamp=T1)))
    assert decks[0].cards_by_type == decks[1].cards_by_type
    assert sum(decks[1].cards_by_type.values()) == 3


@pytest.mark.parametrize(
    ("first", "second", "edited"),
    [
        (
            "A company needs to process streaming data with low latency. Which service fits?",
            "A company needs to process streaming data with low cost. Which service fits?",
            "A company needs to process streaming data with low cost now. Which service fits?",
        ),
        (Q1, Q1.replace("fraud", "churn"), Q1.replace("fraud", "churn").replace("week", "month")),
    ],
)
def test_deleting_a_question_and_editing_a_similar_one_swaps_no_history(
    tmp_path: Path, first: str, second: str, edited: str
) -> None:
    """Two near-identical questions: the first deleted, the second edited. The edited one
    keeps its own card; the deleted one's card is the one tagged removed."""
    before = _note("deploy", [_question(first), _question(second)], CONCEPTS)
    after = _note("deploy", [_question(edited)], CONCEPTS)
    done = _story(tmp_path, "deploy.md", before, after, [first, second])
    assert sorted(done.texts.values()) == sorted([first, edited])
    assert done.states_kept
    assert (done.new, done.removed_tagged) == (0, 1)
    assert done.report.rematched == 1


def test_two_files_whose_names_differ_only_in_normalisation_stay_apart(tmp_path: Path) -> None:
    """``노트.md`` in NFC and in NFD beside it: two notes, each with its own cards, and a
    rebuild with nothing changed removes nothing."""
    notes = tmp_path / "notes"
    notes.mkdir()
    # One title for both (a copy): each falls back to its path, and the paths are one in NFC.
    (notes / "노트.md").write_text(_note("사본", [_question(Q1)], CONCEPTS[:1]), "utf-8")
    (notes / _nfd("노트.md")).write_text(_note("사본", [_question(Q2)], CONCEPTS[1:]), "utf-8")
    first = build(notes, tmp_path / "v1.apkg", BuildOptions(timestamp=T1))
    again = build(notes, tmp_path / "v2.apkg", BuildOptions(timestamp=T1 + 1))
    assert sum(first.cards_by_type.values()) == 6
    assert (again.new, again.changed, again.removed) == (0, 0, 0)
    assert any(d.code == codes.DUPLICATE_TITLE for d in first.diagnostics)
    with collection(tmp_path / "anki") as col:
        assert import_apkg(col, tmp_path / "v1.apkg").new == 6
        assert import_apkg(col, tmp_path / "v2.apkg").new == 0
