"""Word transcripts: bold or plain labels, paragraphs, tables, damaged files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_docx
from thememine.errors import InputError
from thememine.ingest import read_document


def turns(path: Path) -> list[tuple[str | None, str]]:
    document = read_document(path)
    return [(turn.speaker, document.text[turn.start : turn.end]) for turn in document.turns]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # bold label with colon inside the bold run
        (
            [("Interviewer:", " Hvordan gik det?"), ("Camilla:", " Godt.")],
            [("Interviewer", "Hvordan gik det?"), ("Camilla", "Godt.")],
        ),
        # bold label, colon in the plain run
        (
            [("Interviewer", ": Hvordan?"), ("Camilla", ": Godt.")],
            [("Interviewer", "Hvordan?"), ("Camilla", "Godt.")],
        ),
        # bold label without colon, then a tab
        ([("I", "\tHvordan?"), ("Camilla", "\tGodt.")], [("I", "Hvordan?"), ("Camilla", "Godt.")]),
        # plain labels, no bold at all
        ([("", "I: Hvordan?"), ("", "Camilla: Godt.")], [("I", "Hvordan?"), ("Camilla", "Godt.")]),
        # a bold heading is not a speaker (a title: a header line); a continuation paragraph joins the turn
        (
            [("Interview 2", ""), ("I:", " Fortæl."), ("Camilla:", " Først det ene."), ("", "Så det andet.")],
            [("I", "Fortæl."), ("Camilla", "Først det ene.\nSå det andet.")],
        ),
        # a bold heading that is no title stays the first turn
        (
            [("Om mødet", ""), ("I:", " Fortæl."), ("Camilla:", " Først det ene.")],
            [(None, "Om mødet"), ("I", "Fortæl."), ("Camilla", "Først det ene.")],
        ),
        # bold emphasis inside speech is not a label
        (
            [("I:", " Hvad så?"), ("Camilla:", " Det var "), ("", "vigtigt.")],
            [("I", "Hvad så?"), ("Camilla", "Det var \nvigtigt.")],
        ),
    ],
)
def test_labels(
    tmp_path: Path, paragraphs: list[tuple[str, str]], expected: list[tuple[str | None, str]]
) -> None:
    assert turns(make_docx(tmp_path / "t.docx", paragraphs)) == expected


def test_two_column_table(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "t.docx",
        [("", "Interview i tabel")],
        table=[["I", "Hvordan gik mødet?"], ["Jens", "Det gik godt, øh."], ["I", "Mm."]],
    )
    assert turns(path) == [("I", "Hvordan gik mødet?"), ("Jens", "Det gik godt, øh."), ("I", "Mm.")]
    document = read_document(path)
    assert [(line.key, line.value(document.text)) for line in document.header] == [
        (None, "Interview i tabel")
    ]


def test_danish_text_and_offsets(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx", [("Søren:", " Æbler, øl og årstider."), ("I:", " Mm.")])
    document = read_document(path)
    assert document.format == "docx"
    turn = document.turns[0]
    assert document.text[turn.label_start : turn.label_end] == "Søren"  # type: ignore[misc]
    assert document.text[turn.start : turn.end] == "Æbler, øl og årstider."


@pytest.mark.parametrize(
    "raw",
    [
        b"PK\x03\x04 this is not really a zip archive",
        b"just text renamed to docx",
        b"PK\x05\x06" + b"\x00" * 18,  # an empty zip archive
    ],
)
def test_corrupt_docx(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert "not a readable Word document" in caught.value.problem
    assert "save it again" in caught.value.hint


def test_truncated_docx(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx", [("I:", " Hej.")])
    path = tmp_path / "cut.docx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="not a readable Word document"):
        read_document(path)
