"""Subtitle exports and Whisper JSON: timestamps are metadata, speakers come from tags or prefixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thememine.errors import InputError
from thememine.ingest import read_document, split_statements

SRT = """1
00:00:01,000 --> 00:00:03,500
Moderator: Velkommen til jer alle.

2
00:00:04,000 --> 00:00:06,000
Jens: Tak. Jeg hedder Jens
og arbejder i jobcentret.

3
00:00:06,200 --> 00:00:08,000
<i>Det er nu tolv år.</i>

4
00:01:10,000 --> 00:01:12,000
Moderator: Og du, Karina?
"""

VTT = """WEBVTT
Kind: captions

NOTE exported by a transcription service

intro
00:00:01.000 --> 00:00:03.000 align:start
<v Interviewer>Hvordan startede det?

00:00:03.500 --> 00:00:07.250
<v Lars Mikkelsen>Altså, det var &amp; er svært.

00:00:07.500 --> 00:00:09.000
<v Lars Mikkelsen>Meget svært.

01:02.000 --> 01:04.000
<v.loud Interviewer>Mm.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_srt(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "g.srt", SRT))
    assert document.format == "srt"
    spoken = [(t.speaker, document.text[t.start : t.end], t.timestamp) for t in document.turns]
    assert spoken == [
        ("Moderator", "Velkommen til jer alle.", 1.0),
        ("Jens", "Tak. Jeg hedder Jens og arbejder i jobcentret. Det er nu tolv år.", 4.0),
        ("Moderator", "Og du, Karina?", 70.0),
    ]
    assert "-->" not in document.text and "00:00" not in document.text
    statements = split_statements(document)
    assert [s.timestamp for s in statements] == [1.0, 4.0, 70.0]


def test_srt_with_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "g.srt"
    path.write_bytes(SRT.replace("\n", "\r\n").encode("utf-8-sig"))
    assert [t.speaker for t in read_document(path).turns] == ["Moderator", "Jens", "Moderator"]


def test_vtt(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "l.vtt", VTT))
    assert document.format == "vtt"
    spoken = [(t.speaker, document.text[t.start : t.end], t.timestamp) for t in document.turns]
    assert spoken == [
        ("Interviewer", "Hvordan startede det?", 1.0),
        ("Lars Mikkelsen", "Altså, det var & er svært. Meget svært.", 3.5),
        ("Interviewer", "Mm.", 62.0),
    ]
    assert document.text.splitlines()[1] == "Lars Mikkelsen: Altså, det var & er svært. Meget svært."


def test_subtitles_without_speakers_break_at_pauses(tmp_path: Path) -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nFørste.\n\n"
        "2\n00:00:02,100 --> 00:00:03,000\nAndet.\n\n"
        "3\n00:00:09,000 --> 00:00:10,000\nTredje.\n"
    )
    document = read_document(write(tmp_path, "x.srt", text))
    assert [document.text[t.start : t.end] for t in document.turns] == ["Første. Andet.", "Tredje."]
    assert [t.speaker for t in document.turns] == [None, None]


def test_subtitle_without_cues_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no SubRip cues"):
        read_document(write(tmp_path, "x.srt", "Bare noget tekst.\n"))


WHISPER = {
    "text": " Hej. Hej med dig.",
    "language": "da",
    "segments": [
        {"id": 0, "start": 0.0, "end": 1.2, "text": " Tak fordi du ville være med.", "speaker": "SPEAKER_00"},
        {"id": 1, "start": 1.5, "end": 4.0, "text": " Selvfølgelig. Jeg hedder", "speaker": "SPEAKER_01"},
        {"id": 2, "start": 4.0, "end": 5.5, "text": " Mette, og jeg bor i Horsens.", "speaker": "SPEAKER_01"},
        {"id": 3, "start": 6.0, "end": 6.5, "text": " Mm.", "speaker": "SPEAKER_00"},
    ],
}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            WHISPER,
            [
                ("SPEAKER_00", "Tak fordi du ville være med.", 0.0),
                ("SPEAKER_01", "Selvfølgelig. Jeg hedder Mette, og jeg bor i Horsens.", 1.5),
                ("SPEAKER_00", "Mm.", 6.0),
            ],
        ),
        # plain openai-whisper: no speakers, continuous speech is one turn
        (
            {
                "segments": [
                    {"start": 0.0, "end": 2.0, "text": " Hej."},
                    {"start": 2.1, "end": 3.0, "text": " Ja."},
                ]
            },
            [(None, "Hej. Ja.", 0.0)],
        ),
        # Hugging Face pipeline chunks
        ({"chunks": [{"timestamp": [0.5, 2.0], "text": " Goddag."}]}, [(None, "Goddag.", 0.5)]),
        # a bare list of segments
        ([{"start": 3.0, "end": 4.0, "text": "Øh."}], [(None, "Øh.", 3.0)]),
    ],
)
def test_whisper_json(tmp_path: Path, payload: object, expected: list[tuple[str | None, str, float]]) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    document = read_document(path)
    assert document.format == "whisper-json"
    assert [(t.speaker, document.text[t.start : t.end], t.timestamp) for t in document.turns] == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ('{"segments": [', "not valid JSON"),
        ('{"name": "not whisper"}', "not Whisper output"),
        ('{"segments": [{"start": 1}]}', "not Whisper output"),
    ],
)
def test_bad_json(tmp_path: Path, raw: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        read_document(write(tmp_path, "w.json", raw))


BROKEN_SRT = """1
00:00:01,000 --> 00:00:03,000
Moderator: Velkommen.

2
00:00:04,000 -> 00:00:06,000
Jens: Denne replik har en ødelagt tid.

3
00:00:06,500 --> 00:00:08,000
Jens: Det er nu tolv år.

4
00:00:xx,000 --> 00:00:12,000
Moderator: Også denne.
"""


def test_cues_with_broken_timing_are_counted_not_dropped_silently(tmp_path: Path) -> None:
    path = tmp_path / "broken.srt"
    path.write_text(BROKEN_SRT, encoding="utf-8")
    document = read_document(path)
    assert document.dropped_cues == [2, 4]
    assert "tolv år" in document.text and "ødelagt" not in document.text


def test_a_vtt_cue_with_broken_timing_is_numbered_by_its_place(tmp_path: Path) -> None:
    path = tmp_path / "broken.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE a note, not a cue\n\n00:00:01.000 --> 00:00:02.000\nHej.\n\n"
        "00:00:03.000 --> 00:0x:04.000\nVæk.\n",
        encoding="utf-8",
    )
    assert read_document(path).dropped_cues == [2]


def test_all_cues_broken_says_so(tmp_path: Path) -> None:
    path = tmp_path / "allbroken.srt"
    path.write_text(
        "1\n00:00:01 --> 00:00:02\nHej.\n\n2\n00:00:03,000 => 00:00:04,000\nDav.\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="all 2 are broken"):
        read_document(path)


def test_dropped_cues_are_reported_and_recorded_in_corpus_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from thememine.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.srt").write_text(BROKEN_SRT, encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(corpus), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    assert "broken.srt: 2 cues with a broken timing line left out (cues 2, 4)" in result.stderr
    manifest = json.loads((tmp_path / "out" / "corpus.json").read_text(encoding="utf-8"))
    assert manifest["documents"][0]["dropped_cues"] == 2


def test_a_first_line_of_other_digits_is_no_cue_number_and_no_crash(tmp_path: Path) -> None:
    path = tmp_path / "odd.srt"  # "²" passes str.isdigit, but int() cannot read it
    path.write_text(
        "²\nno timing here\n\n7\n00:00:01,000 -> 00:00:02,000\nNej.\n\n8\n00:00:03,000 --> 00:00:04,000\nJa.\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert "Ja." in document.text and document.dropped_cues == [7]
    with pytest.raises(InputError):
        only_broken = tmp_path / "broken.srt"
        only_broken.write_bytes(b"\xb2\n\x01")
        read_document(only_broken)
