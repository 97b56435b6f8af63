"""The researcher's controls: participants, allow and deny lists, thresholds, review decisions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from thememine.errors import ThememineError
from thememine.pseudonymise import Detector
from thememine.pseudonymise.config import load_config, load_review_decisions

TOML = """
participants = [["Anne Sofie Lund", "Annso"], ["Xiu Lin", "Xiu"]]
allow = ["Jobcentret", "Folketinget"]

[deny]
ORGANISATION = ["Skovbrynet", "Fontænehuset"]

[thresholds]
PERSON = 0.4
"""

TEXT = "Annso sagde at Xiu fra Skovbrynet ringede. Jobcentret og Folketinget. Hans kollega Per kom."


def found(detector: Detector, text: str = TEXT) -> list[tuple[str, str]]:
    return [(d.label, text[d.start : d.end]) for d in detector.analyze(text).detections]


def test_config_controls_detection(tmp_path: Path) -> None:
    path = tmp_path / "thememine.toml"
    path.write_text(TOML, encoding="utf-8")
    config = load_config(path)
    result = found(Detector(config=config))
    assert ("PERSON", "Annso") in result and ("PERSON", "Xiu") in result
    assert ("ORGANISATION", "Skovbrynet") in result
    assert ("PERSON", "Per") in result  # threshold 0.4 takes the ambiguous name at 0.45
    assert ("PERSON", "Per") not in found(Detector())
    assert not any(text in ("Jobcentret", "Folketinget") for _, text in result)


def test_allow_list_wins_over_a_detection() -> None:
    from thememine.pseudonymise.config import PseudonymiseConfig

    text = "Vi ringede til Mette."
    config = PseudonymiseConfig(allow={None: {"mette"}})
    assert found(Detector(config=config), text) == []


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("participants = 'Anne'", "each participant is a list"),
        ("[deny]\nNAME = ['x']", "unknown label 'NAME'"),
        ("[thresholds]\nPERSON = 2", "from 0 to 1"),
        ("colour = 'blue'", "unknown setting"),
        ("participants = [", "not valid TOML"),
    ],
)
def test_config_errors_are_plain(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ThememineError, match=message):
        load_config(path)


def write_review(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = ["doc_id", "status", "label", "start", "end", "text", "decision"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({field: row.get(field, "") for field in fields})
    return path


def test_review_decisions(tmp_path: Path) -> None:
    path = write_review(
        tmp_path / "review.csv",
        [
            {"label": "PERSON", "text": "Mette", "decision": "reject"},
            {"label": "PERSON", "text": "Per", "status": "uncertain", "decision": "confirm"},
            {"text": "Solsikken", "decision": "add ORGANISATION"},
            {"label": "PERSON", "text": "Jens", "decision": ""},
        ],
    )
    config = load_review_decisions(path)
    text = "Mette og Per besøgte Solsikken med Jens."
    result = found(Detector(config=config), text)
    assert ("PERSON", "Mette") not in result
    assert ("PERSON", "Per") in result
    assert ("ORGANISATION", "Solsikken") in result
    assert ("PERSON", "Jens") in result


def test_bad_review_decision(tmp_path: Path) -> None:
    path = write_review(tmp_path / "review.csv", [{"label": "PERSON", "text": "Mette", "decision": "maybe"}])
    with pytest.raises(ThememineError, match="line 2"):
        load_review_decisions(path)


@pytest.mark.parametrize(
    ("content", "missing", "has"),
    [
        (
            "doc_id,status,label,start,end,text,beslutning\nd,uncertain,PERSON,0,5,Mette,reject\n",
            "decision",
            "doc_id, status, label, start, end, text, beslutning",
        ),
        ("label;tekst;decision\nPERSON;Mette;reject\n", "text", "label, tekst, decision"),
        ("navn,valg\nMette,reject\n", "text and decision", "navn, valg"),
        ("", "text and decision", "none"),
    ],
)
def test_review_decisions_without_the_columns_are_refused(
    tmp_path: Path, content: str, missing: str, has: str
) -> None:
    """A file whose decisions cannot be read would pseudonymise as if nothing were decided."""
    path = tmp_path / "review.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ThememineError) as info:
        load_review_decisions(path)
    message = str(info.value)
    assert f"no column {missing}," in message
    assert "needs the columns text and decision, and label" in message
    assert f"this one has: {has}." in message


def test_review_decisions_as_a_spreadsheet_saves_them(tmp_path: Path) -> None:
    """Danish Excel saves CSV with a byte-order mark, ";" between columns and the headers as written."""
    path = tmp_path / "review.csv"
    path.write_text(
        "\ufeffLabel;Text;Decision\nPERSON;Mette;reject\n;Solsikken;add ORGANISATION\n", encoding="utf-8"
    )
    config = load_review_decisions(path)
    assert config.allow == {"PERSON": {"mette"}}
    assert config.deny == [("ORGANISATION", "Solsikken")]


@pytest.mark.parametrize(("kind", "says"), [("folder", "cannot be read"), ("latin-1", "is not UTF-8 text")])
def test_unreadable_review_decisions_get_a_plain_error(tmp_path: Path, kind: str, says: str) -> None:
    path = tmp_path / "review.csv"
    if kind == "folder":
        path.mkdir()
    else:
        path.write_bytes("label,text,decision\nPERSON,Søren,reject\n".encode("latin-1"))
    with pytest.raises(ThememineError, match=says):
        load_review_decisions(path)
