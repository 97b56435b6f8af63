"""Pseudonymising a corpus document by document, with progress for the slow step; dates shifted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.pseudonymise import Detector
from thememine.pseudonymise.corpus import pseudonymise_corpus
from thememine.pseudonymise.detection import resolve_overlaps
from thememine.pseudonymise.recognizers.date import DateRecognizer, parse_date
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


DATED = (
    "Dato: 14. marts 2025\n"
    "Varighed: 52 min.\n"
    "\n"
    "I: Hvornår begyndte det?\n"
    "IP: Mødet den 3. november 2022 gik galt, det husker jeg godt.\n"
    "I: Og din fødselsdag?\n"
    "IP: Jeg er født 12. marts 1984, så det var i forgårs.\n"
)
ORIGINAL_DATES = [dt.date(2025, 3, 14), dt.date(2022, 11, 3), dt.date(1984, 3, 12)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_full_date_is_shifted_like_the_birth_date_the_header_too(tmp_path: Path, seed: int) -> None:
    """One date left as it was beside a shifted birth date ("Dato: 14. marts 2025", "født 12.
    marts 1984 … i forgårs") would give the key's date shift away, and with it every date and CPR."""
    (tmp_path / "a.txt").write_text(DATED, encoding="utf-8")
    documents = read_corpus([tmp_path]).documents
    assert [h.key for h in documents[0].header] == ["Dato", "Varighed"]
    mapping = SurrogateMap("names", secret=seed.to_bytes(32, "big"))
    result = pseudonymise_corpus(documents, split_corpus(documents, SplitOptions()), Detector(), mapping)
    document = result.documents[0]
    found = resolve_overlaps(DateRecognizer().analyze(document.text))  # "12. marts 1984", not "12. marts"
    written = [parse_date(document.text[d.start : d.end]) for d in found]
    shift = dt.timedelta(mapping.date_offset())
    assert written == [((d + shift).year, (d + shift).month, (d + shift).day) for d in ORIGINAL_DATES]
    dato = next(h for h in document.header if h.key == "Dato")
    moved = ORIGINAL_DATES[0] + shift
    assert parse_date(document.text[dato.value_start : dato.end]) == (moved.year, moved.month, moved.day)
    statements = "\n".join(s.text for s in result.statements)
    for original in ("14. marts 2025", "3. november 2022", "12. marts 1984"):
        assert original not in document.text and original not in statements
