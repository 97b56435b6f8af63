"""Interviewer and moderator turns: recognised by label or by asking most of the questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thememine.ingest import Statement, read_document, split_statements
from thememine.ingest.roles import INTERVIEWER, PARTICIPANT, is_interviewer_label, is_question, speaker_roles


def roles(tmp_path: Path, name: str, content: str) -> dict[str, str]:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return dict(speaker_roles(read_document(path)))


def whisper(turns: list[tuple[str, str]]) -> str:
    rows = [{"start": float(n), "end": n + 0.5, "text": t, "speaker": s} for n, (s, t) in enumerate(turns)]
    return json.dumps({"segments": rows}, ensure_ascii=False)


@pytest.mark.parametrize(
    ("label", "asks"),
    [
        ("I", True),
        ("Interviewer", True),
        ("Intervieweren", True),
        ("Interviewer 2", True),
        ("Int.", True),
        ("Moderator", True),
        ("Facilitator", True),
        ("Forsker", True),
        ("IP1", False),
        ("Informant 2", False),
        ("SPEAKER_00", False),
        ("Ida", False),
        ("Jens", False),
    ],
)
def test_interviewer_labels(label: str, asks: bool) -> None:
    assert is_interviewer_label(label) is asks


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Hvordan gik det?", True),
        ("Tak. Og hvad skete der så?", True),
        ("vil du starte med at fortælle lidt om dig selv", True),  # speech-to-text, no "?"
        ("øh og hvad med din familie", True),
        ("hvordan er det at være i psykiatrien", True),
        ("Har I et fast møde?", True),
        ("Jeg ved det ikke.", False),
        ("Mm.", False),
        ("ja det er fint", False),
        ("Hvis de ringer, tager jeg den.", False),
    ],
)
def test_is_question(text: str, question: bool) -> None:
    assert is_question(text) is question


ASKS = [
    "Hvordan startede det?",
    "vil du sige lidt om hvem du er",
    "Hvad skete der så?",
    "Mm.",
    "hvad med din familie",
]
ANSWERS = ["Med et opkald.", "ja jeg hedder mette", "Så ringede de igen.", "Og det var svært.", "de er gode"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # by label, whoever asks
        ("t.txt", "I: Hej.\nJens: Hej?\nI: Fortæl.\nJens: Ja.\n", {"I": INTERVIEWER, "Jens": PARTICIPANT}),
        ("t.txt", "Moderator: Velkommen.\nAnne: Tak.\nBo: Tak.\n", {"Moderator": INTERVIEWER, "Anne": PARTICIPANT,
                                                                  "Bo": PARTICIPANT}),
        # diarised Whisper: the speaker who asks most of the questions
        (
            "t.json",
            whisper([x for pair in zip(ASKS, ANSWERS, strict=True) for x in (("SPEAKER_00", pair[0]),
                                                                              ("SPEAKER_01", pair[1]))]),
            {"SPEAKER_00": INTERVIEWER, "SPEAKER_01": PARTICIPANT},
        ),
        # the asker need not speak first, nor be called SPEAKER_00
        (
            "t.json",
            whisper([x for pair in zip(ANSWERS, ASKS, strict=True) for x in (("SPEAKER_00", pair[0]),
                                                                              ("SPEAKER_01", pair[1]))]),
            {"SPEAKER_00": PARTICIPANT, "SPEAKER_01": INTERVIEWER},
        ),
        # names, no role labels: by questions too
        (
            "t.txt",
            "".join(f"Ida: {a}\nJens: {b}\n" for a, b in zip(ASKS, ANSWERS, strict=True)),
            {"Ida": INTERVIEWER, "Jens": PARTICIPANT},
        ),
        # both ask as often: nobody is taken for the interviewer
        (
            "t.txt",
            "".join(f"Ida: {a}\nJens: {a}\n" for a in ASKS),
            {"Ida": PARTICIPANT, "Jens": PARTICIPANT},
        ),
        # too few turns to tell
        ("t.txt", "Ida: Hvordan?\nJens: Godt.\nIda: Og så?\nJens: Ja.\n", {"Ida": PARTICIPANT, "Jens": PARTICIPANT}),
    ],
)  # fmt: skip
def test_speaker_roles(tmp_path: Path, name: str, content: str, expected: dict[str, str]) -> None:
    assert roles(tmp_path, name, content) == expected


def test_role_on_statements_and_read_back_with_a_default(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Dato: 1. maj 2025\n\nI: Hvordan gik det?\nIP1: Godt.\nI: Mm.\n", encoding="utf-8")
    statements = split_statements(read_document(path))
    assert [(s.speaker, s.role) for s in statements] == [
        ("I", INTERVIEWER),
        ("IP1", PARTICIPANT),
        ("I", INTERVIEWER),
    ]
    rows = [json.loads(json.dumps(s.to_dict())) for s in statements]
    assert [Statement.from_dict(row) for row in rows] == statements
    del rows[0]["role"]  # a statements.jsonl written before roles
    assert Statement.from_dict(rows[0]).role == PARTICIPANT


def test_sample_corpus_roles() -> None:
    from thememine.ingest import read_corpus, split_corpus

    sample = Path(__file__).resolve().parents[2] / "corpora" / "sample"
    corpus = read_corpus([sample])
    asking = {
        d.id: sorted(s for s, r in speaker_roles(d).items() if r == INTERVIEWER) for d in corpus.documents
    }
    assert asking == {
        "borgere__07_borger_mette": ["SPEAKER_00"],
        "fokusgruppe__06_fokusgruppe": ["Moderator"],
        "jobcenter__01_sagsbehandler_jens": ["I"],
        "jobcenter__02_koordinerende_camilla": ["Interviewer"],
        "jobcenter__03_teamleder_susanne": ["Interviewer"],
        "psykiatri__04_socialraadgiver_anne_sofie": ["I"],
        "psykiatri__05_distriktspsykiatri_lars": ["Interviewer"],
    }
    statements = split_corpus(corpus.documents)
    assert all((s.role == INTERVIEWER) == (s.speaker in asking[s.doc_id]) for s in statements)
