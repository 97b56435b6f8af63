"""Pseudonymising a corpus document by document, with progress for the slow step."""

from __future__ import annotations

from pathlib import Path

from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.pseudonymise import Detector
from thememine.pseudonymise.corpus import pseudonymise_corpus
from thememine.pseudonymise.surrogates import SurrogateMap

TRANSCRIPTS = {
    "a.txt": "I: Hvem hjalp dig?\nIP: Det gjorde Mette Hansen fra Aarhus, hun ringede på 20 30 40 50.\n",
    "b.txt": "I: Og bagefter?\nIP: Så kom Mette igen, og Jens Ravn var med.\n",
    "c.txt": "I: Noget at tilføje?\nIP: Nej, ikke rigtig.\n",
}


def _corpus(tmp_path: Path) -> tuple[list, list]:
    for name, text in TRANSCRIPTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    documents = read_corpus([tmp_path]).documents
    return documents, split_corpus(documents, SplitOptions())


def test_detection_reports_each_document_before_it_starts_and_once_at_the_end(tmp_path: Path) -> None:
    documents, statements = _corpus(tmp_path)
    told: list[tuple[int, int, str]] = []
    pseudonymise_corpus(
        documents, statements, Detector(), SurrogateMap("tags"), on_document=lambda *args: told.append(args)
    )
    assert told == [
        (0, 3, "finding personal data in a.txt"),
        (1, 3, "finding personal data in b.txt"),
        (2, 3, "finding personal data in c.txt"),
        (3, 3, ""),
    ]


def test_document_by_document_gives_what_all_at_once_gives(tmp_path: Path) -> None:
    documents, statements = _corpus(tmp_path)
    detector = Detector()
    at_once = detector.analyze_many([d.text for d in documents])
    one_by_one = pseudonymise_corpus(documents, statements, detector, SurrogateMap("tags"))
    given = pseudonymise_corpus(documents, statements, detector, SurrogateMap("tags"), at_once)
    assert [d.text for d in one_by_one.documents] == [d.text for d in given.documents]
    assert "Mette" not in one_by_one.documents[1].text and "[PERSON_1." in one_by_one.documents[1].text
