"""Plain-text transcripts: labels, timestamps, turns over several lines, text without labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from thememine.ingest import read_document


def turns_of(tmp_path: Path, text: str) -> list[tuple[str | None, str]]:
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    return [(turn.speaker, document.text[turn.start : turn.end]) for turn in document.turns]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I: Hvordan?\nJens: Sådan.\n", [("I", "Hvordan?"), ("Jens", "Sådan.")]),
        ("Interviewer: Hej.\nIP1: Hej med dig.\n", [("Interviewer", "Hej."), ("IP1", "Hej med dig.")]),
        (
            "[00:12:03] Mette: Det var svært.\n[00:12:09] I: Mm.\n",
            [("Mette", "Det var svært."), ("I", "Mm.")],
        ),
        ("I:\tTab efter kolon.\nIP 2:\tOgså her.\n", [("I", "Tab efter kolon."), ("IP 2", "Også her.")]),
        (
            "Anne Sofie: Ja.\nI: Og?\nAnne Sofie: Nej.\n",
            [("Anne Sofie", "Ja."), ("I", "Og?"), ("Anne Sofie", "Nej.")],
        ),
        (
            "Lise-Lotte: Hej.\nI: Hej.\nLise-Lotte: Farvel.\n",
            [("Lise-Lotte", "Hej."), ("I", "Hej."), ("Lise-Lotte", "Farvel.")],
        ),
        ("SPEAKER_00: Hej.\nSPEAKER_01: Goddag.\n", [("SPEAKER_00", "Hej."), ("SPEAKER_01", "Goddag.")]),
        # a turn over several lines and paragraphs
        (
            "I: Fortæl.\nJens: Første linje.\nAnden linje.\n\nNyt afsnit.\nI: Tak.\n",
            [("I", "Fortæl."), ("Jens", "Første linje.\nAnden linje.\n\nNyt afsnit."), ("I", "Tak.")],
        ),
        # no labels at all: paragraphs are turns
        (
            "Første afsnit.\nStadig første.\n\nAndet afsnit.\n",
            [(None, "Første afsnit.\nStadig første."), (None, "Andet afsnit.")],
        ),
        # a header before the first label is metadata, in no turn, and "Dato:" is no speaker
        (
            "Interview 3\nDato: 14. marts 2025\n\nI: Hej.\nIP1: Hej.\n",
            [("I", "Hej."), ("IP1", "Hej.")],
        ),
        # "Altså:" once in a turn is speech, not a speaker
        (
            "I: Hvad så?\nJens: Det var svært.\nAltså: ingen ringede.\n",
            [("I", "Hvad så?"), ("Jens", "Det var svært.\nAltså: ingen ringede.")],
        ),
        # "Name sagde:" is speech: a label has only capitalised words
        ("I: Hvem?\nMette sagde: nej.\n", [("I", "Hvem?\nMette sagde: nej.")]),
        # a form field read aloud in the dialogue is no speaker
        (
            "I: Hvad stod der?\nJens: Det hele.\nTelefon: 31 62 09 58.\n",
            [("I", "Hvad stod der?"), ("Jens", "Det hele.\nTelefon: 31 62 09 58.")],
        ),
        # lowercase words after a capital are no label
        ("I: Og?\nDet er sådan: vi ved det ikke.\n", [("I", "Og?\nDet er sådan: vi ved det ikke.")]),
        # label alone on a line, speech on the next
        ("I:\nHvordan gik det?\nJens:\nGodt.\n", [("I", "Hvordan gik det?"), ("Jens", "Godt.")]),
        # Windows line endings
        ("I: Hej.\r\nJens: Hej.\r\n", [("I", "Hej."), ("Jens", "Hej.")]),
    ],
)
def test_turns(tmp_path: Path, text: str, expected: list[tuple[str | None, str]]) -> None:
    assert turns_of(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("[00:12:03] Mette: Ja, det var det.", 723.0),
        ("[12:03] Mette: Ja, det var det.", 723.0),
        ("(01:02:03) Mette: Ja, det var det.", 3723.0),
        ("#00:12:03.250# Mette: Ja, det var det.", 723.25),
        ("Mette: Ja, det var det. #00:12:03-4#", 723.4),
        ("00:12:03 Mette: Ja, det var det.", 723.0),
        ("Mette: [00:12:03] Ja, det var det.", 723.0),
    ],
)
def test_timestamps_are_metadata_not_text(tmp_path: Path, line: str, seconds: float) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"I: Hej.\n{line}\nI: Mm.\nMette: Ja.\n", encoding="utf-8")
    document = read_document(path)
    turn = document.turns[1]
    assert turn.speaker == "Mette"
    assert document.text[turn.start : turn.end] == "Ja, det var det."
    assert [mark.seconds for mark in document.marks] == [seconds]
    assert document.text[document.marks[0].start : document.marks[0].end] in line


def test_label_offsets_point_at_the_label(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("[00:00:01] I: Hej.\n  Anne Sofie: Hej.\nI: Ja.\nAnne Sofie: Nej.\n", encoding="utf-8")
    document = read_document(path)
    for turn in document.turns:
        assert turn.label_start is not None and turn.label_end is not None
        assert document.text[turn.label_start : turn.label_end] == turn.speaker


def test_timestamp_only_line_dates_the_next_turn(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("I: Hej.\n[00:05:00]\nJens: Det var sådan.\nI: Mm.\n", encoding="utf-8")
    document = read_document(path)
    assert [turn.timestamp for turn in document.turns] == [None, 300.0, None]
