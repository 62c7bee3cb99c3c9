"""``check`` reports every warning ``build`` reports, on the same hostile folder: the notes'
own problems, making cards (a key used twice), and the lock's (damaged, items that moved,
removed items that cannot be kept).

Each state is checked first and then built (the build rewrites the lock), and the two
reports' diagnostics compared; the CLI's ``check --format json`` is compared too.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sagenotes_anki.build import BuildOptions, build, check
from sagenotes_anki.cli.commands import main
from sagenotes_anki.model import Diagnostic

_TWICE = """\
---
title: same
---
# Kinesis

## 🎯 핵심 포인트

실시간 데이터를 수집해야 하는 경우 Kinesis Data Streams를 사용한다.

## 🔍 주요개념

- **Shard**: 처리 단위
- **Shard**: 같은 이름 다시
- **Shard#2**: 이름이 번호처럼 끝남
- **Retention Period**: 데이터 보존 기간 24시간

## 📝 관련 문제

**Question:** Which service ingests streams?

**Options:**
- A) Amazon Kinesis Data Streams
- B) Amazon Simple Notification Service (SNS)
- C) Amazon EFS

**정답: A) Kinesis**

💡 추가 설명:
- **동시성 증가** - 관계없음
- **Amazon EFS** - 파일 저장소
"""

_OTHER = """\
---
title: same
---
# Another note claiming the same title

## 🔍 주요개념

- **Topic**: 주제
"""

_BROKEN = "# No answer\n\n## 📝 관련 문제\n\n**Question:** Which?\n\n**Options:**\n- A) x\n- B) y\n"

OPTIONS = BuildOptions(timestamp=1_700_000_000)


def _key(d: Diagnostic) -> tuple[str, int, str, str, str]:
    return (d.path, d.line, d.severity, d.code, d.message)


def _same(notes: Path, out: Path) -> set[str]:
    """Check, then build: the same diagnostics; returns the codes seen."""
    checked = check(notes, OPTIONS, out=out)
    result = CliRunner().invoke(main, ["check", str(notes), "--format", "json", "-o", str(out)])
    listed = json.loads(result.stdout)["diagnostics"]
    built = build(notes, out, OPTIONS)
    assert sorted(map(_key, checked.diagnostics)) == sorted(map(_key, built.diagnostics))
    assert sorted((d["path"], d["line"], d["code"]) for d in listed) == sorted(
        (d.path, d.line, d.code) for d in checked.diagnostics
    )
    return {d.code for d in built.diagnostics}


def test_check_reports_what_build_reports(tmp_path: Path) -> None:
    """Through a damaged lock, a first build, a term renamed and a note's items removed with
    the previous package gone, check's diagnostics equal build's at every step."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "kinesis.md").write_text(_TWICE, encoding="utf-8")
    (notes / "other.md").write_text(_OTHER, encoding="utf-8")
    (notes / "broken.md").write_text(_BROKEN, encoding="utf-8")
    (notes / "sagenotes.lock.json").write_text('{"format": 2, "items": [', encoding="utf-8")
    out = tmp_path / "build" / "deck.apkg"
    first = _same(notes, out)
    assert {"duplicate-key", "lock-ignored", "W106", "W103", "I206"} <= first

    text = _TWICE.replace("**Retention Period**", "**Retention Periods**")
    (notes / "kinesis.md").write_text(text, encoding="utf-8")
    assert "I205" in _same(notes, out)  # matched to its old card by content

    (notes / "other.md").write_text("# Another note\n\nno items any more\n", encoding="utf-8")
    out.unlink()  # the removed items' content cannot be read back
    assert "removed-lost" in _same(notes, out)
