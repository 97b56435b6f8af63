"""The bundled sample corpus: every file reads, every offset points at its text, every kind of
personal data the pseudonymiser handles is present, and the sizes are realistic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.ingest import Corpus, read_corpus, split_corpus
from thememine.ingest.store import load_documents, load_statements

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return read_corpus([SAMPLE])


def test_all_files_read(corpus: Corpus) -> None:
    assert corpus.skipped == []
    assert len(corpus.documents) >= 6
    formats = {d.format for d in corpus.documents}
    assert {"txt", "docx"} <= formats and formats & {"srt", "vtt"}
    assert {d.encoding for d in corpus.documents if d.format == "txt"} >= {"utf-8", "cp1252", "utf-8-sig"}
    assert {d.group for d in corpus.documents} >= {"jobcenter", "psykiatri"}


def test_realistic_length_and_dialogue(corpus: Corpus) -> None:
    for document in corpus.documents:
        words = sum(len(document.text[t.start : t.end].split()) for t in document.turns)
        assert 1500 <= words <= 4000, (document.id, words)
        assert len(document.speakers) >= 2, document.id
        assert len(document.turns) >= 40, document.id


def test_offsets_round_trip_for_every_statement(corpus: Corpus) -> None:
    statements = split_corpus(corpus.documents)
    texts = {d.id: d.text for d in corpus.documents}
    assert len(statements) > 300
    for statement in statements:
        assert texts[statement.doc_id][statement.start : statement.end] == statement.text
        assert statement.text == statement.text.strip() and statement.text
        assert not re.search(r"\[\d\d:\d\d(:\d\d)?\]|#\d\d:\d\d:\d\d", statement.text), statement.id
    assert any(s.filler for s in statements)
    assert any(s.timestamp is not None for s in statements)


def test_labels_point_at_speakers(corpus: Corpus) -> None:
    for document in corpus.documents:
        for turn in document.turns:
            if turn.speaker is not None:
                assert document.text[turn.label_start : turn.label_end] == turn.speaker


PERSONAL_DATA = {
    "CPR number": r"\b\d{6}-\d{4}\b",
    "e-mail": r"\b[\w.+-]+@[\w-]+\.[\w.]+\b",
    "phone": r"(?:\+45 ?)?\b\d{2} \d{2} \d{2} \d{2}\b",
    "address": (
        r"\b[A-ZÆØÅ][a-zæøå]+(?:vej|gade|vænget|allé|torv|stræde)\b \d+[A-Z]?,? "
        r"(?:st\.|\d\.) ?(?:th|tv|mf)\.?"
    ),
    "postcode and town": r"\b\d{4} [A-ZÆØÅ][a-zæøå]+",
    "full name": r"Mette Kjærgaard Holm",
    "possessive name": r"\bMettes\b",
    "workplace": r"Jobcenter Horsens|Regionspsykiatrien|Distriktspsykiatrien",
    "place": r"\b(?:Horsens|Vejle|Hedensted|Brædstrup)\b",
}


@pytest.mark.parametrize("kind", sorted(PERSONAL_DATA))
def test_fictional_personal_data_of_every_kind(corpus: Corpus, kind: str) -> None:
    hits = [d.id for d in corpus.documents if re.search(PERSONAL_DATA[kind], d.text)]
    assert hits, f"no {kind} in the sample corpus"


def test_ingest_cli_on_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["ingest", str(SAMPLE), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    documents = {d.id: d for d in load_documents(out)}
    statements = load_statements(out)
    assert set(documents) == {s.doc_id for s in statements}
    for statement in statements:
        assert documents[statement.doc_id].text[statement.start : statement.end] == statement.text
