"""An interview withdrawn from the corpus leaves no file and no trace in the output folder."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.runs import GROUPS
from thememine.cli import app
from thememine.io import read_jsonl
from thememine.runfolder import load_run, read_log

runner = CliRunner()
PASS = "en lang nok passphrase"
SECRET = "Hestene på marken blev fodret hver morgen klokken seks af naboens datter."


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Three small interviews; the third holds a sentence found nowhere else."""
    root = tmp_path / "corpus"
    root.mkdir()
    texts = [t for group in GROUPS.values() for t in group]
    for n, name in enumerate(("a.txt", "b.txt", "c.txt")):
        lines = [
            f"{'I' if i % 2 == 0 else 'Mette'}: {text}" for i, text in enumerate(texts[n * 8 : n * 8 + 8])
        ]
        if name == "c.txt":
            lines.insert(3, f"Mette: {SECRET}")
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def withdrawn_id(out: Path) -> str:
    """The id the output gave the interview with the distinctive sentence."""
    (doc_id,) = {row["doc_id"] for row in read_jsonl(out / "statements.jsonl") if SECRET in row["text"]}
    return str(doc_id)


def traces(out: Path, doc_id: str) -> list[str]:
    """Every file (or .qdpx member) whose name or content holds the id or the sentence."""
    pattern = re.compile(rf"(?<![\w]){re.escape(doc_id)}(?!\w)|{re.escape(SECRET[:40])}")
    found = []
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if pattern.search(name):
            found.append(name)
        if not path.is_file():
            continue
        if path.suffix == ".qdpx":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    text = archive.read(member).decode("utf-8")
                    if pattern.search(member) or pattern.search(text):
                        found.append(f"{name}:{member}")
        elif pattern.search(path.read_bytes().decode("utf-8", errors="replace")):
            found.append(name)
    return found


def test_run_force_after_a_withdrawal(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    base = [
        "run",
        str(corpus),
        "--out",
        str(out),
        "--key",
        str(key),
        "-q",
        "--ner",
        "none",
        "--embedder",
        "hash",
    ]
    invoke(*base, "--codebook", "samarbejde_da")
    doc_id = withdrawn_id(out)
    run = load_run(out)
    own = [u.id for u in run.units if u.doc_id == doc_id]
    other = next(t for t in run.themes if t != run.assignment[[u.id for u in run.units].index(own[0])])
    # the researcher's decisions touch the interview: moves, an undone move, a deletion
    invoke("theme", "move", str(out), own[0], str(other))
    invoke("theme", "move", str(out), own[1], "none")
    invoke("theme", "undo", str(out))
    invoke("theme", "rename", str(out), str(other), "Krydspres")
    victim = next(t for t in load_run(out).themes if t != other)
    invoke("theme", "delete", str(out), str(victim))
    (out / "tidligere.qdpx").write_bytes((out / "out.qdpx").read_bytes())  # an earlier export
    before = {t.split(":")[0].split("/")[0] for t in traces(out, doc_id)}
    assert before >= {
        "documents", "statements.jsonl", "corpus.json", "audit.json", "themes.yaml", "themes-state.json",
        "assignments.csv", "codes.csv", "decisions.log", "history", "out.qdpx", "tidligere.qdpx", "report.html",
    }  # fmt: skip

    (corpus / "c.txt").unlink()  # consent withdrawn
    output = invoke(*base, "--force")

    assert traces(out, doc_id) == []
    assert not (out / "codes.csv").exists() and not (out / "tidligere.qdpx").exists()
    assert "Removed tidligere.qdpx" in output
    manifest = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert {row["doc_id"] for row in read_jsonl(out / "statements.jsonl")} == {
        d["id"] for d in manifest["documents"]
    }
    assert len({p.name for p in (out / "documents").iterdir()}) == 2
    assert "Krydspres" in [t.label for t in load_run(out).themes.values()]  # the decisions carried over
    actions = [record["action"] for record in read_log(out)]
    assert actions[0] == "fit" and "rename" in actions and actions[-1] == "update"


def test_pseudonymise_force_after_a_withdrawal(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    base = ["pseudonymise", str(corpus), "--out", str(out), "--key", str(key), "-q", "--ner", "none"]
    invoke(*base)
    doc_id = withdrawn_id(out)
    (corpus / "c.txt").unlink()
    invoke(*base, "--force")
    assert traces(out, doc_id) == []
    assert len(list((out / "documents").iterdir())) == 2


def test_pseudonymise_force_refuses_a_folder_with_themes(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Themes, decisions, exports and the report would keep the withdrawn statements: the command
    says to run the whole pipeline instead, and changes nothing."""
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    common = [str(corpus), "--out", str(out), "--key", str(key), "-q", "--ner", "none"]
    invoke("run", *common, "--embedder", "hash")
    doc_id = withdrawn_id(out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (corpus / "c.txt").unlink()
    refused = runner.invoke(app, ["pseudonymise", *common, "--force"])
    assert refused.exit_code == 1
    message = " ".join(refused.stderr.split())
    assert "themes.yaml" in message and "thememine run" in message and "--force" in message
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert traces(out, doc_id)  # still there: the researcher is told how to remove it
