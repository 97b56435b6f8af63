"""The run folder's owner: statement ids, atomic steps, recovery after a kill, the lock."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from thememine.errors import InputError
from thememine.runfolder import (
    COMMIT_FILE,
    CORPUS_FILE,
    WORK_DIR,
    AuditRecord,
    CorpusRecord,
    DocumentEntry,
    HeaderEntry,
    StatementRef,
    locked,
    parse_statement_id,
    read_audit,
    read_corpus_record,
    recover,
    statement_id,
    step,
)


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("jobcenter__mette:3:0", StatementRef("jobcenter__mette", 3, 0)),
        ("doc01:12:4", StatementRef("doc01", 12, 4)),
        ("a:b:1:2", StatementRef("a:b", 1, 2)),  # a document id may hold a colon
        ("interviews:7", None),  # a CSV row's id
        (":1:2", None),
        ("doc:1:x", None),
        ("doc:١:2", None),  # only ASCII digits
    ],
)
def test_statement_ids(text: str, ref: StatementRef | None) -> None:
    assert parse_statement_id(text) == ref
    if ref is not None:
        assert statement_id(ref.doc_id, ref.turn, ref.index) == text


def test_a_step_is_all_or_nothing(tmp_path: Path) -> None:
    with step(tmp_path) as writing:
        writing.write_text("a.txt", "one")
        writing.write_text("sub/b.txt", "one")
    with pytest.raises(RuntimeError), step(tmp_path) as writing:
        writing.write_text("a.txt", "two")
        writing.remove("sub/b.txt")
        raise RuntimeError("stopped halfway")
    assert (tmp_path / "a.txt").read_text() == "one" and (tmp_path / "sub" / "b.txt").read_text() == "one"
    assert not (tmp_path / WORK_DIR).exists()
    with step(tmp_path) as writing:
        writing.write_text("a.txt", "two")
        writing.remove("sub/b.txt")
        writing.log({"action": "test"})
        writing.log({"action": "again"})
    assert (tmp_path / "a.txt").read_text() == "two" and not (tmp_path / "sub").exists()
    log = [json.loads(line) for line in (tmp_path / "decisions.log").read_text().splitlines()]
    assert [e["action"] for e in log] == ["test", "again"]


def test_recovery_finishes_a_committed_step_and_drops_an_uncommitted_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old")
    (tmp_path / "gone.txt").write_text("old")
    (tmp_path / ".a.txt.x1y2.tmp").write_text("left by a killed write")
    work = tmp_path / WORK_DIR
    (work / "stage-1").mkdir(parents=True)
    (work / "stage-1" / "a.txt").write_text("new")
    (work / "stage-2").mkdir()  # never committed
    (work / "stage-2" / "a.txt").write_text("never")
    (work / COMMIT_FILE).write_text(
        json.dumps({"stage": "stage-1", "put": ["a.txt"], "remove": ["gone.txt"]})
    )
    recover(tmp_path)
    assert (tmp_path / "a.txt").read_text() == "new" and not (tmp_path / "gone.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".thememine.lock", "a.txt"]
    recover(tmp_path)  # nothing left to do
    assert (tmp_path / "a.txt").read_text() == "new"


@pytest.mark.parametrize(
    "record",
    [
        json.dumps({"stage": "stage-1", "put": ["../outside.txt"], "remove": []}),
        json.dumps({"stage": "stage-1", "put": [], "remove": ["/etc/outside.txt"]}),
        json.dumps({"stage": "../..", "put": ["a.txt"], "remove": []}),
        json.dumps({"stage": "stage-1", "put": "a.txt", "remove": []}),
        "[1, 2]",
        '{"stage": "stage-1", "put": ' + "[" * 100 + "]" * 100 + ', "remove": []}',
        '{"stage": "stage-1", "put": ["a.txt"',  # cut short
    ],
)
def test_a_commit_record_that_names_files_outside_the_folder_is_refused(tmp_path: Path, record: str) -> None:
    run = tmp_path / "run"
    stage = run / WORK_DIR / "stage-1"
    stage.mkdir(parents=True)
    (stage / "a.txt").write_text("staged")
    (tmp_path / "outside.txt").write_text("kept")
    (run / WORK_DIR / COMMIT_FILE).write_text(record)
    with pytest.raises(InputError, match="unfinished step"):
        recover(run)
    assert (tmp_path / "outside.txt").read_text() == "kept" and not (run / "a.txt").exists()


def test_a_corpus_record_that_names_a_document_outside_the_folder_is_refused(tmp_path: Path) -> None:
    entry = DocumentEntry("doc01", "txt", None, 1, 1, 1, ["I"], "../secret.json", dropped_cues=2)
    (tmp_path / CORPUS_FILE).write_text(json.dumps(CorpusRecord([entry]).to_dict()))
    with pytest.raises(InputError, match="outside the folder"):
        read_corpus_record(tmp_path)
    inside = DocumentEntry("doc01", "srt", None, 1, 1, 1, ["I"], "documents/doc01.json", dropped_cues=2)
    (tmp_path / CORPUS_FILE).write_text(json.dumps(CorpusRecord([inside]).to_dict()))
    record = read_corpus_record(tmp_path)
    assert record is not None and record.documents == [inside]


def test_records_round_trip_and_keep_the_shapes_of_earlier_versions(tmp_path: Path) -> None:
    ingest = CorpusRecord(
        documents=[
            DocumentEntry(
                "jobcenter__a", "txt", "jobcenter", 120, 4, 6, ["I", "Mette"], "documents/jobcenter__a.json",
                path="/data/a.txt", encoding="utf-8", sha256="ab", interviewers=["I"],
                header=[HeaderEntry("Dato", "14. marts 2025", 0, 20)],
            )
        ],
        created="2026-11-27T10:00:00+00:00", inputs=["/data"], split={"mode": "auto"}, skipped=[], ignored=[],
    )  # fmt: skip
    pseudonymised = CorpusRecord(
        documents=[
            DocumentEntry("doc01", "txt", None, 120, 4, 6, ["I", "[PERSON_1]"], "documents/doc01.json")
        ],
        pseudonymised=True,
    )
    assert CorpusRecord.from_dict(ingest.to_dict()) == ingest
    shared = pseudonymised.to_dict()
    assert CorpusRecord.from_dict(shared) == pseudonymised
    assert set(shared["documents"][0]) == {
        "id", "format", "group", "characters", "turns", "statements", "speakers", "dropped_cues", "file",
    }  # fmt: skip  # the shareable record names no source file and keeps no header value
    (tmp_path / CORPUS_FILE).write_text(json.dumps({"documents": [{"format": "txt"}]}))
    with pytest.raises(InputError, match="is damaged"):
        read_corpus_record(tmp_path)
    (tmp_path / "audit.json").write_text('{"replacements": {"PERSON": 3}, "leaks": 0}')
    audit = read_audit(tmp_path)
    assert audit == AuditRecord(replacements={"PERSON": 3}, leaks=0, thememine_version="")


def test_the_lock_keeps_out_another_thread_until_released(tmp_path: Path) -> None:
    order: list[str] = []
    held = threading.Event()

    def holder() -> None:
        with locked(tmp_path):
            with locked(tmp_path):  # the holding thread may take it again
                held.set()
                time.sleep(0.3)
            order.append("holder done")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    with locked(tmp_path):
        order.append("second")
    thread.join()
    assert order == ["holder done", "second"]
