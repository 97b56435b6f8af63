"""The CLI: ingest and run through Typer's runner, with real files and real output folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine import __version__
from thememine.cli import app
from thememine.runfolder import LOCK_FILE

runner = CliRunner()


def make_corpus(root: Path) -> Path:
    (root / "jobcenter").mkdir(parents=True)
    (root / "jobcenter" / "a.txt").write_text(
        "[00:00:01] I: Hvordan samarbejder I med psykiatrien?\n"
        "[00:00:05] Jens: Det er bl.a. svært. Vi ringer kl. 10.00.\n"
        "I: Mm.\n",
        encoding="utf-8",
    )
    (root / "b.txt").write_bytes("I: Og så?\nSøren: Så ringede jeg igen.\n".encode("cp1252"))
    return root


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"thememine {__version__}"


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["run", "--help"]])
def test_help(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_ingest_writes_statements_and_manifest(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Read 2 documents" in result.output
    manifest = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in manifest["documents"]] == ["b", "jobcenter__a"]
    assert [d["encoding"] for d in manifest["documents"]] == ["cp1252", "utf-8"]
    assert manifest["skipped"] == []
    rows = [json.loads(line) for line in (out / "statements.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5
    texts = {
        d["id"]: json.loads((out / d["file"]).read_text(encoding="utf-8"))["text"]
        for d in manifest["documents"]
    }
    for row in rows:
        assert texts[row["doc_id"]][row["start"] : row["end"]] == row["text"]
    assert rows[3]["speaker"] == "Jens" and rows[3]["timestamp"] == 5.0
    assert rows[4]["filler"] is True


def test_bad_files_three_errors_and_non_zero_exit(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("I: Hvordan?\nMette: Det ved jeg ikke.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04 broken")
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.txt: is empty" in line for line in errors)
    assert any("binary.txt: looks like a binary file" in line for line in errors)
    assert any("corrupt.docx: is not a readable Word document" in line for line in errors)
    assert "3 files were skipped" in result.stderr
    rows = (out / "statements.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(row)["text"] for row in rows] == ["Hvordan?", "Det ved jeg ikke."]
    manifest = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert len(manifest["skipped"]) == 3


def test_nothing_readable_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert "No transcript could be read" in result.stderr
    assert not (tmp_path / "out" / "statements.jsonl").exists()


def test_missing_path(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_never_writes_into_the_input_folder(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    before = sorted(p.relative_to(corpus) for p in corpus.rglob("*"))
    result = runner.invoke(app, ["ingest", str(corpus), "--out", str(corpus / "out"), "-q"])
    assert result.exit_code == 1
    assert "inside the input folder" in result.stderr
    assert sorted(p.relative_to(corpus) for p in corpus.rglob("*")) == before


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    assert runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q"]).exit_code == 0
    first = (out / "statements.jsonl").read_bytes()
    (corpus / "b.txt").unlink()
    refused = runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q"])
    assert refused.exit_code == 1
    assert "--force" in refused.stderr
    assert (out / "statements.jsonl").read_bytes() == first
    forced = runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q", "--force"])
    assert forced.exit_code == 0
    assert (out / "statements.jsonl").read_bytes() != first
    assert sorted(p.name for p in (out / "documents").iterdir()) == ["jobcenter__a.json"]
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert hidden == [LOCK_FILE], "temporary files left behind"


def test_bad_split_option(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    result = runner.invoke(app, ["ingest", str(corpus), "--out", str(tmp_path / "o"), "--split", "words"])
    assert result.exit_code == 2
