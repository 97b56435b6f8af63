"""``thememine detect``: detections per document, without the personal data unless asked."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from thememine.cli import app

runner = CliRunner()
TEXT = "I: Hvad er dit nummer?\nMette: Det er 22 47 81 93, og min mail er mettekh84@gmail.com.\n"


def test_detect_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["detect", str(path), "--jsonl", "--ner", "none"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["label"], TEXT[r["start"] : r["end"]]) for r in rows} >= {
        ("PHONE", "22 47 81 93"),
        ("EMAIL", "mettekh84@gmail.com"),
        ("PERSON", "Mette"),
    }
    assert all("text" not in r for r in rows)
    assert "mettekh84" not in result.stdout


def test_detect_show_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["detect", str(path), "--show-text", "--ner", "none"])
    assert result.exit_code == 0
    assert "'22 47 81 93'" in result.stdout


def test_detect_unknown_model(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["detect", str(path), "--ner", "magic"])
    assert result.exit_code == 1
    assert "Unknown NER model" in result.stderr


def test_detect_missing_spacy_folder(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["detect", str(path), "--ner", f"spacy:{tmp_path / 'nope'}"])
    assert result.exit_code == 1
    assert "No spaCy pipeline" in result.stderr


def test_detect_with_the_shipped_model(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "I: Hvor bor hun?\nJens: Hun bor i Odense og arbejder hos Novo Nordisk.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["detect", str(path), "--jsonl"])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    found = {(r["label"], text[r["start"] : r["end"]]) for r in map(json.loads, result.stdout.splitlines())}
    assert ("LOCATION", "Odense") in found and ("ORGANISATION", "Novo Nordisk") in found
