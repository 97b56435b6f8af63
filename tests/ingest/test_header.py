"""Header lines: metadata at the top of a transcript, in every format, never a statement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_docx
from thememine.ingest import Document, read_corpus, read_document, split_statements

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample"

HEADER = [
    (None, "Interview 1 – sagsbehandler"),
    ("Dato", "14. marts 2025"),
    ("Varighed", "52 min."),
]


def header(document: Document) -> list[tuple[str | None, str]]:
    return [(line.key, line.value(document.text)) for line in document.header]


def speech(document: Document) -> list[tuple[str | None, str]]:
    return [(s.speaker, s.text) for s in split_statements(document)]


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def whisper(segments: list[tuple[str | None, str]]) -> str:
    rows = [
        {"start": float(n), "end": n + 0.5, "text": text, **({"speaker": who} if who else {})}
        for n, (who, text) in enumerate(segments)
    ]
    return json.dumps({"segments": rows}, ensure_ascii=False)


def srt(cues: list[str]) -> str:
    return "\n".join(
        f"{n}\n00:00:0{n},000 --> 00:00:0{n},500\n{cue}\n" for n, cue in enumerate(cues, start=1)
    )


def vtt(cues: list[str]) -> str:
    return "WEBVTT\n\n" + "\n".join(
        f"00:00:0{n}.000 --> 00:00:0{n}.500\n{cue}\n" for n, cue in enumerate(cues, start=1)
    )


DIALOGUE = [("I", "Hvordan startede det?"), ("Jens", "Med et opkald.")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "t.txt",
            "Interview 1 – sagsbehandler\nDato: 14. marts 2025\nVarighed: 52 min.\n\n"
            "I: Hvordan startede det?\n\nJens: Med et opkald.\n",
        ),
        (  # Windows line endings, a timestamp before the first label
            "crlf.txt",
            "Interview 1 – sagsbehandler\r\nDato: 14. marts 2025\r\nVarighed: 52 min.\r\n\r\n"
            "[00:00:06] I: Hvordan startede det?\r\nJens: Med et opkald.\r\n",
        ),
        (
            "t.srt",
            srt(
                [
                    "Interview 1 – sagsbehandler",
                    "Dato: 14. marts 2025",
                    "Varighed: 52 min.",
                    "I: Hvordan startede det?",
                    "Jens: Med et opkald.",
                ]
            ),
        ),
        (
            "t.vtt",
            vtt(
                [
                    "Interview 1 – sagsbehandler",
                    "Dato: 14. marts 2025",
                    "Varighed: 52 min.",
                    "<v I>Hvordan startede det?",
                    "<v Jens>Med et opkald.",
                ]
            ),
        ),
        (
            "t.json",
            whisper(
                [
                    (None, "Interview 1 – sagsbehandler"),
                    (None, " Dato: 14. marts 2025"),
                    (None, "Varighed: 52 min."),
                    ("I", "Hvordan startede det?"),
                    ("Jens", "Med et opkald."),
                ]
            ),
        ),
    ],
)
def test_header_lines_in_text_formats(tmp_path: Path, name: str, content: str) -> None:
    document = read_document(write(tmp_path, name, content))
    assert header(document) == HEADER
    assert speech(document) == DIALOGUE
    for line in document.header:  # offsets into the text, never in a turn
        assert line.start <= line.value_start <= line.end
        assert all(line.end <= turn.start or turn.end <= line.start for turn in document.turns)


def test_header_lines_in_docx(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "t.docx",
        [
            ("Interview 1 – sagsbehandler", ""),
            ("", "Dato: 14. marts 2025"),
            ("Varighed:", " 52 min."),
            ("I:", " Hvordan startede det?"),
            ("Jens:", " Med et opkald."),
        ],
    )
    document = read_document(path)
    assert header(document) == HEADER
    assert speech(document) == DIALOGUE


@pytest.mark.parametrize(
    ("text", "expected_header", "expected_speech"),
    [
        # several keys on one line, and a title before a key
        (
            "Interview 8 – sygeplejerske, Dato: 1. april 2025\nSted: Café. Varighed: 40 min.\n\nI: Ja?\nIP1: Nej.\n",
            [(None, "Interview 8 – sygeplejerske"), ("Dato", "1. april 2025"), ("Sted", "Café."),
             ("Varighed", "40 min.")],
            [("I", "Ja?"), ("IP1", "Nej.")],
        ),
        # a role label with a short name as its value, among header lines
        (
            "Samtale med beboer\nDato: 3. juni 2025\nInterviewer: NN\nDeltagere: Aylin (IP), NN (I)\n\n"
            "Interviewer: Hvor længe har du boet her?\nAylin: Snart to år.\n",
            [(None, "Samtale med beboer"), ("Dato", "3. juni 2025"), ("Interviewer", "NN"),
             ("Deltagere", "Aylin (IP), NN (I)")],
            [("Interviewer", "Hvor længe har du boet her?"), ("Aylin", "Snart to år.")],
        ),
        # a short line right before a key line is a title, even without a title word
        (
            "Jobcenter Horsens – teamleder\nDato: 2. april 2025\n\nI: Hej?\nIP1: Hej.\n",
            [(None, "Jobcenter Horsens – teamleder"), ("Dato", "2. april 2025")],
            [("I", "Hej?"), ("IP1", "Hej.")],
        ),
        # a title over unlabelled, lower-case speech-to-text
        (
            "interview med borger optaget i hjemmet\n\nja jeg hedder yasmin\n\nog jeg bor i aarhus\n",
            [(None, "interview med borger optaget i hjemmet")],
            [(None, "ja jeg hedder yasmin"), (None, "og jeg bor i aarhus")],
        ),
        # no header: the dialogue begins at once
        ("I: Dato for mødet?\nIP1: Den 3. marts.\n", [], [("I", "Dato for mødet?"), ("IP1", "Den 3. marts.")]),
        # a role label with speech is the dialogue, not a header line
        (
            "Dato: 3. juni 2025\nInterviewer: Tak fordi du kom.\nIP1: Selv tak.\n",
            [("Dato", "3. juni 2025")],
            [("Interviewer", "Tak fordi du kom."), ("IP1", "Selv tak.")],
        ),
        (
            "Dato: 3. juni 2025\nModerator: Velkommen\nIP1: Tak.\n",
            [("Dato", "3. juni 2025")],
            [("Moderator", "Velkommen"), ("IP1", "Tak.")],
        ),
        # an unlabelled first paragraph of speech is no title
        ("Vi startede i 2019.\n\nDet var svært.\n", [], [(None, "Vi startede i 2019."), (None, "Det var svært.")]),
        # a key line inside the dialogue is speech
        ("I: Hvornår?\nIP1: Sidste år.\nDato: det husker jeg ikke.\n", [],
         [("I", "Hvornår?"), ("IP1", "Sidste år.\nDato: det husker jeg ikke.")]),
        # a file that is all header keeps it as its transcript
        ("Interview 3\nDato: 14. marts 2025\n", [], [(None, "Interview 3\nDato: 14. marts 2025")]),
    ],
)  # fmt: skip
def test_header_cases(
    tmp_path: Path,
    text: str,
    expected_header: list[tuple[str | None, str]],
    expected_speech: list[tuple[str | None, str]],
) -> None:
    document = read_document(write(tmp_path, "t.txt", text))
    assert header(document) == expected_header
    assert speech(document) == expected_speech


def test_whisper_speech_is_never_a_header(tmp_path: Path) -> None:
    content = whisper([("SPEAKER_00", "Interview med Mette"), ("SPEAKER_01", "Ja."), ("SPEAKER_00", "Dato?")])
    document = read_document(write(tmp_path, "t.json", content))
    assert document.header == []
    assert speech(document)[0] == ("SPEAKER_00", "Interview med Mette")


def test_header_round_trips_through_json(tmp_path: Path) -> None:
    document = read_document(
        write(tmp_path, "t.txt", "Interview 1\nDato: 14. marts 2025\n\nI: Hej?\nIP1: Ja.\n")
    )
    again = Document.from_dict(json.loads(json.dumps(document.to_dict())))
    assert again.header == document.header
    old = document.to_dict()
    del old["header"]  # written before header lines were metadata
    assert Document.from_dict(old).header == []


def test_sample_corpus_headers() -> None:
    corpus = read_corpus([SAMPLE])
    found = {d.id: [line.key for line in d.header] for d in corpus.documents}
    assert found["jobcenter__01_sagsbehandler_jens"] == [None, "Dato", "Varighed"]
    assert found["jobcenter__02_koordinerende_camilla"] == [None, "Dato", "Varighed"]
    assert found["jobcenter__03_teamleder_susanne"] == [None, "Dato", "Varighed"]
    assert sum(map(len, found.values())) == 9
    for document in corpus.documents:
        for statement in split_statements(document):
            assert not statement.text.startswith(("Interview ", "Dato:", "Varighed:"))
