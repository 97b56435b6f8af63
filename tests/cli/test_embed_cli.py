"""``thememine embed`` end to end with the hash embedder: run folders, statements files and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.embed.hashing import HashEmbedder
from thememine.themes.inputs import read_units
from thememine.themes.neutral import embedding_text

runner = CliRunner()
LINES = [
    "I: Hvordan gik mødet med jobcentret?",
    "IP: Sagsbehandleren havde ikke læst papirerne fra psykiatrien.",
    "I: Hvad skete der så?",
    "IP: Vi aftalte et nyt netværksmøde med alle parter.",
]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for d in range(2):
        (corpus / f"interview{d}.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    assert runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q"]).exit_code == 0
    return out


def embed(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["embed", *args, "--embedder", "hash"])
    return result.exit_code, result.output


def ids_of(vectors: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(vectors.with_suffix(".ids.csv").read_text(encoding="utf-8"))))


@pytest.mark.parametrize("source", ["folder", "statements.jsonl"])
def test_a_run_folder_or_its_statements_file(run_dir: Path, tmp_path: Path, source: str) -> None:
    given = run_dir if source == "folder" else run_dir / source
    out = tmp_path / "vectors.npy"
    code, output = embed(str(given), "--out", str(out))
    assert code == 0, output
    assert "8 vectors of 256 dimensions" in output and "vectors.ids.csv" in output
    units = read_units(given)
    np.testing.assert_array_equal(np.load(out), HashEmbedder().encode([embedding_text(u) for u in units]))
    rows = ids_of(out)
    assert [r["id"] for r in rows] == [u.id for u in units]
    assert {r["role"] for r in rows} == {"interviewer", "participant"}


def test_a_csv_with_its_own_columns(tmp_path: Path) -> None:
    table = tmp_path / "udsagn.csv"
    table.write_text("nr;tekst\n17;Først kom brevet.\n4;Så ringede kommunen.\n", encoding="utf-8-sig")
    out = tmp_path / "v.npy"
    code, output = embed(str(table), "--out", str(out), "--text-column", "tekst", "--id-column", "nr")
    assert code == 0, output
    assert [r["id"] for r in ids_of(out)] == ["17", "4"]
    expected = HashEmbedder().encode(["Først kom brevet.", "Så ringede kommunen."])
    np.testing.assert_array_equal(np.load(out), expected)


def test_the_cache_is_used_and_files_are_not_replaced_without_force(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.npy"
    cache = str(tmp_path / "cache")
    assert embed(str(run_dir), "--out", str(out), "--cache", cache)[0] == 0
    code, output = embed(str(run_dir), "--out", str(out), "--cache", cache)
    assert code == 1 and "--force" in output
    code, output = embed(str(run_dir), "--out", str(out), "--cache", cache, "--force")
    assert code == 0 and "embedded 0 statements, 8 from cache" in output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["nowhere", "--out", "v.npy"], "does not exist"),
        (["RUN", "--out", "v.txt"], "ending in .npy"),
        (["RUN", "--out", "v.npy", "--embedder", "hash:3"], "at least 8"),
        (["TABLE", "--out", "v.npy", "--text-column", "ingen"], "has no text column"),
    ],
)
def test_plain_errors(run_dir: Path, tmp_path: Path, args: list[str], problem: str) -> None:
    table = tmp_path / "t.csv"
    table.write_text("tekst\nHej\n", encoding="utf-8")
    given = [{"RUN": str(run_dir), "TABLE": str(table)}.get(a, a) for a in args]
    given = [str(tmp_path / a) if a.startswith("v.") else a for a in given]
    result = runner.invoke(app, ["embed", *given] + ([] if "--embedder" in given else ["--embedder", "hash"]))
    assert result.exit_code == 1, result.output
    assert problem in result.output and "Traceback" not in result.output
    assert not (tmp_path / "v.npy").exists()


def test_out_is_required() -> None:
    result = runner.invoke(app, ["embed", "somewhere"])
    assert result.exit_code != 0 and "--out" in result.output
