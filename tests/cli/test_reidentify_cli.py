"""``thememine reidentify`` never writes personal data into a pseudonymised output folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.cli import app

runner = CliRunner()
PASS = "en lang nok passphrase"
TEXT = "I: Hvem ringede du til?\nMette: Jeg ringede til Jens Ravn. Mettes mor var med.\n"


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """A pseudonymised output folder, its key, and one pseudonymised transcript copied outside it."""
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    corpus, out, key = tmp_path / "corpus", tmp_path / "out", tmp_path / "private" / "study.key"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    args = ["pseudonymise", str(corpus), "--out", str(out), "--key", str(key), "-q", "--ner", "none"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    (document,) = (out / "documents").glob("*.json")
    pseudo = tmp_path / "pseudo.txt"
    pseudo.write_text(json.loads(document.read_text(encoding="utf-8"))["text"], encoding="utf-8")
    assert "Mette" not in pseudo.read_text(encoding="utf-8")
    return out, key, pseudo


def reidentify(pseudo: Path, key: Path, target: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["reidentify", str(pseudo), "--key", str(key), "--out", str(target), *extra])
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("where", ["restored.txt", "documents/restored.txt", "new/deeper/restored.txt"])
def test_refused_inside_a_pseudonymised_output_folder(
    shared: tuple[Path, Path, Path], where: str, force: list[str]
) -> None:
    out, key, pseudo = shared
    target = out / where
    code, message = reidentify(pseudo, key, target, *force)
    assert code == 1
    assert "pseudonymised output folder" in message and "where the key is kept" in message
    assert not target.exists()


@pytest.mark.parametrize("marker", ["audit", "corpus"])
def test_either_marker_makes_a_folder_an_output(
    shared: tuple[Path, Path, Path], tmp_path: Path, marker: str
) -> None:
    _, key, pseudo = shared
    folder = tmp_path / "copy"
    folder.mkdir()
    if marker == "audit":
        (folder / "audit.json").write_text("{}", encoding="utf-8")
    else:
        (folder / "corpus.json").write_text('{"pseudonymised": true, "documents": []}', encoding="utf-8")
    code, _ = reidentify(pseudo, key, folder / "restored.txt", "--force")
    assert code == 1 and not (folder / "restored.txt").exists()


def test_allowed_beside_the_key_and_in_an_ingest_folder(
    shared: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, key, pseudo = shared
    ingest = tmp_path / "ingested"  # `thememine ingest` writes corpus.json without the mark
    ingest.mkdir()
    (ingest / "corpus.json").write_text('{"documents": []}', encoding="utf-8")
    for target in (key.parent / "restored.txt", ingest / "restored.txt"):
        code, message = reidentify(pseudo, key, target)
        assert code == 0, message
        assert "Mette" in target.read_text(encoding="utf-8")
