"""Statements: turns or sentence windows, nothing dropped, fillers flagged, timestamps carried."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from thememine.ingest import Document, SplitOptions, is_filler, read_document, split_statements

LONG = " ".join(f"Det her er sætning nummer {n} om samarbejdet med psykiatrien." for n in range(1, 21))


def document(tmp_path: Path, text: str) -> Document:
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    return read_document(path)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Mm.", True),
        ("Ja.", True),
        ("Øh", True),
        ("Ja ja.", True),
        ("Mhm, okay.", True),
        ("Nå. (griner)", True),
        ("[pause] Øhm…", True),
        ("Altså, ikke også.", True),
        ("Ja, det var svært.", False),
        ("Mette.", False),
        ("Nej, jobcentret ringede aldrig.", False),
        ("12.", False),
    ],
)
def test_filler(text: str, flag: bool) -> None:
    assert is_filler(text) is flag


def test_short_turns_stay_whole_and_fillers_are_flagged(tmp_path: Path) -> None:
    doc = document(tmp_path, "I: Hvordan gik det?\nJens: Godt. Rigtig godt faktisk.\nI: Mm.\n")
    statements = split_statements(doc)
    assert [(s.speaker, s.text, s.filler) for s in statements] == [
        ("I", "Hvordan gik det?", False),
        ("Jens", "Godt. Rigtig godt faktisk.", False),
        ("I", "Mm.", True),
    ]
    assert [s.id for s in statements] == ["t:0:0", "t:1:0", "t:2:0"]


@pytest.mark.parametrize(
    ("options", "count"),
    [
        (SplitOptions(mode="turn"), 1),
        (SplitOptions(mode="sentence", window=1), 20),
        (SplitOptions(mode="sentence", window=3), 7),
        (SplitOptions(mode="auto", max_chars=5000), 1),
        (SplitOptions(mode="auto", max_chars=200, window=3), 7),
        (SplitOptions(mode="auto", max_chars=130, window=3), 10),
    ],
)
def test_long_turns_are_cut_into_windows_dropping_nothing(
    tmp_path: Path, options: SplitOptions, count: int
) -> None:
    doc = document(tmp_path, f"I: Fortæl.\nJens: {LONG}\n")
    statements = [s for s in split_statements(doc, options) if s.speaker == "Jens"]
    assert len(statements) == count
    assert [s.index for s in statements] == list(range(count))
    joined = " ".join(s.text for s in statements)
    assert joined == LONG
    for statement in statements:
        assert doc.text[statement.start : statement.end] == statement.text


def test_auto_windows_respect_max_chars_where_sentences_allow(tmp_path: Path) -> None:
    doc = document(tmp_path, f"Jens: {LONG}\nI: Ja.\nJens: Ok.\n")
    for statement in split_statements(doc, SplitOptions(max_chars=150, window=5)):
        assert len(statement.text) <= 150


def test_statements_never_hold_timestamps_and_take_their_time(tmp_path: Path) -> None:
    text = (
        "[00:01:00] I: Fortæl.\n[00:01:05] Jens: Først det ene. [00:01:30] Så det andet.\nI: Mm.\nJens: Ja.\n"
    )
    doc = document(tmp_path, text)
    statements = split_statements(doc, SplitOptions(mode="turn"))
    assert [(s.text, s.timestamp) for s in statements] == [
        ("Fortæl.", 60.0),
        ("Først det ene.", 65.0),
        ("Så det andet.", 90.0),
        ("Mm.", 90.0),
        ("Ja.", 90.0),
    ]


def test_every_word_of_every_turn_is_in_exactly_one_statement(tmp_path: Path) -> None:
    text = (
        "Interview 9\nDato: 1. april 2025\n\n"
        f"[00:00:01] I: Hvordan?\nJens: {LONG}\n\nOgså et afsnit mere, bl.a. om kl. 10.00. #00:02:00.0#\n"
        "I: Mm.\nJens: Ja. (griner)\n"
    )
    doc = document(tmp_path, text)
    statements = split_statements(doc, SplitOptions(max_chars=100))
    covered = bytearray(len(doc.text))
    for statement in statements:
        for i in range(statement.start, statement.end):
            assert covered[i] == 0, "statements overlap"
            covered[i] = 1
    label_or_mark = set()
    for turn in doc.turns:
        if turn.label_start is not None:
            label_or_mark.update(range(turn.label_start, turn.label_end or 0))
    for mark in doc.marks:
        label_or_mark.update(range(mark.start, mark.end))
    assert [line.key for line in doc.header] == [None, "Dato"]
    for line in doc.header:  # header lines are metadata, in no statement
        assert not any(s.start < line.end and line.start < s.end for s in statements)
        label_or_mark.update(range(line.start, line.end))
    uncovered = "".join(ch for i, ch in enumerate(doc.text) if not covered[i] and i not in label_or_mark)
    # all that statements leave out: whitespace, the colons after labels
    assert re.fullmatch(r"[\s:]*", uncovered), repr(uncovered)


@pytest.mark.parametrize(
    ("body", "max_chars", "mode"),
    [
        (
            " ".join(f"ord{n} og så videre" for n in range(2000)),
            600,
            "auto",
        ),  # 30,000+ characters, no full stop
        (", ".join(f"punkt {n}" for n in range(3000)), 600, "auto"),  # a long list
        ("jeg tænker " * 100 + "Og så en sætning. " * 5, 120, "auto"),
        ("a" * 1500 + " slut", 600, "auto"),  # one "word" longer than the limit
        (" ".join(f"ord{n}" for n in range(500)), 200, "sentence"),
    ],
)
def test_no_statement_exceeds_the_limit(tmp_path: Path, body: str, max_chars: int, mode: str) -> None:
    doc = document(tmp_path, f"I: Fortæl.\nIP1: {body}\nI: Mm.\n")
    statements = split_statements(doc, SplitOptions(mode=mode, max_chars=max_chars))  # type: ignore[arg-type]
    assert max(len(s.text) for s in statements) <= max_chars
    turn = doc.turns[1]
    parts = [s for s in statements if s.turn == 1]
    assert [s.index for s in parts] == list(range(len(parts)))
    # every word of the turn in exactly one statement, in order: only whitespace between them
    assert all(doc.text[s.start : s.end] == s.text for s in parts)
    edges = [turn.start, *(x for s in parts for x in (s.start, s.end)), turn.end]
    gaps = [doc.text[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    assert all(a <= b for a, b in itertools.pairwise(edges)) and not "".join(gaps).strip()
