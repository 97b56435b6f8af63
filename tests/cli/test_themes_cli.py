"""``thememine themes`` and ``thememine code`` end to end with the hash embedder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from thememine.cli import app
from thememine.runfolder import read_log

runner = CliRunner()
TOPICS = [
    "Fristerne i loven presser os, og sagsbehandleren når ikke at vurdere borgeren ordentligt.",
    "Uden samtykke fra borgeren må psykiatrien ikke dele oplysninger med jobcentret.",
    "Netværksmødet gav en fælles plan for borgerens forløb med alle parter.",
]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for d in range(3):
        lines = [
            f"IP{d}: {TOPICS[i % 3]} Eksempel {i}." if i % 2 else f"I: {TOPICS[i % 3]}" for i in range(12)
        ]
        lines.append("I: Mm.")
        (corpus / f"interview{d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    assert runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q"]).exit_code == 0
    return out


def themes(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["themes", *args, "--embedder", "hash", "-q"])
    return result.exit_code, result.output


def test_themes_into_the_run_folder_and_no_silent_overwrite(run_dir: Path) -> None:
    code, out = themes(str(run_dir), "--codebook", "samarbejde_da")
    assert code == 0, out
    assert "themes from 39 statements" in out
    data = yaml.safe_load((run_dir / "themes.yaml").read_text(encoding="utf-8"))
    assert data["themes"] and all(t["label"] and t["keywords"] for t in data["themes"])
    rows = list(csv.DictReader(io.StringIO((run_dir / "assignments.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 39
    filler = [r for r in rows if r["statement_id"].endswith(":12:0")]
    assert filler and all(r["theme_id"] == "-1" for r in filler)  # "Mm." forms no theme
    coded = list(csv.DictReader(io.StringIO((run_dir / "codes.csv").read_text(encoding="utf-8"))))
    assert {r["rank"] for r in coded} == {"1", "2", "3"}
    # a second fit would lose the researcher's decisions: refused without --update or --force
    code, out = themes(str(run_dir))
    assert code == 1 and "--update" in out
    assert themes(str(run_dir), "--update")[0] == 0
    assert [e["action"] for e in read_log(run_dir)] == ["fit", "update"]


def test_same_seed_same_themes(run_dir: Path, tmp_path: Path) -> None:
    assert themes(str(run_dir), "--out", str(tmp_path / "a"), "--seed", "3")[0] == 0
    assert themes(str(run_dir), "--out", str(tmp_path / "b"), "--seed", "3")[0] == 0
    a = (tmp_path / "a" / "assignments.csv").read_text(encoding="utf-8")
    assert a == (tmp_path / "b" / "assignments.csv").read_text(encoding="utf-8")


def test_csv_input_and_zero_shot_coding(tmp_path: Path) -> None:
    table = tmp_path / "udsagn.csv"
    table.write_text(
        "nr;tekst\n" + "".join(f"{i};{TOPICS[i % 3]}\n" for i in range(30)), encoding="utf-8-sig"
    )
    code, out = themes(
        str(table), "--out", str(tmp_path / "t"), "--text-column", "tekst", "--id-column", "nr"
    )
    assert code == 0, out
    code, out = themes(str(table), "--text-column", "tekst")
    assert code == 1 and "--out" in out
    result = runner.invoke(
        app,
        ["code", str(table), "--codebook", "samarbejde_da", "--out", str(tmp_path / "c"), "--text-column", "tekst",
         "--embedder", "hash", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c" / "codes.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 90 and rows[0]["statement_id"] == "udsagn:1"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["nowhere"], "does not exist"),
        (["--codebook", "ingen_saadan"], "neither a codebook file nor a shipped codebook"),
    ],
)
def test_plain_errors(run_dir: Path, args: list[str], problem: str) -> None:
    target = args if args[0] == "nowhere" else [str(run_dir), *args]
    code, out = themes(*target)
    assert code == 1 and problem in out
