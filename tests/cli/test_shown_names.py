"""File names reach the terminal escaped: a name cannot fake a line, recolour or clear the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.cli._common import shown

runner = CliRunner()
HOSTILE = "ok\nerror: nothing happened\x1b[2J\x1b[31m\u202etxt.exe"
RAW = ("\x1b", "\u202e", "\nerror: nothing happened")  # what must never reach the terminal raw


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("interview_mette.docx", "interview_mette.docx"),
        ("Søren Ærø, del 2 (kopi).txt", "Søren Ærø, del 2 (kopi).txt"),  # printable: unchanged
        ("a\nb.txt", "a\\nb.txt"),
        ("a\rb\tc.txt", "a\\rb\\tc.txt"),
        ("\x1b[2Jclear.txt", "\\x1b[2Jclear.txt"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # right-to-left override
        ("line\u2028sep", "line\\u2028sep"),
        ("[bold]loud[/].txt", "\\[bold]loud\\[/].txt"),
        (Path("/data/a\nb"), "/data/a\\nb"),
    ],
)
def test_shown(name: str | Path, expected: str) -> None:
    assert shown(name) == expected


def test_skipped_and_written_names_are_escaped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("I: Hvordan?\nMette: Det ved jeg ikke.\n", encoding="utf-8")
    (corpus / f"{HOSTILE}.txt").write_bytes(b"")  # empty: skipped, and named in three places
    out = tmp_path / f"out{HOSTILE}"
    result = runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q"])
    assert result.exit_code == 1, result.output
    for raw in RAW:
        assert raw not in result.stdout and raw not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("1 file was skipped")
    assert f"{shown(HOSTILE)}.txt: is empty" in lines[0]
    assert f"Written to {shown(out)}/" in result.stdout


def test_names_in_errors_are_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"run{HOSTILE}"
    result = runner.invoke(app, ["export", str(missing)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    for raw in RAW:
        assert raw not in result.stderr
    assert "\\x1b[2J\\x1b[31m\\u202etxt.exe" in result.stderr
