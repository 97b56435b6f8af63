from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from thememine.embed import Embedder, EmbedderError, load_embedder
from thememine.embed.hashing import HashEmbedder
from thememine.embed.st import folder_fingerprint


@pytest.mark.parametrize(("spec", "dim"), [("hash", 256), ("hash:64", 64), (" hash:8 ", 8)])
def test_hash_specs(spec: str, dim: int) -> None:
    embedder = load_embedder(spec)
    assert isinstance(embedder, HashEmbedder) and embedder.dim == dim


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "Unknown embedder ''"),
        ("bert", "Unknown embedder 'bert'"),
        ("e5:large", "Unknown embedder 'e5:large'"),
        ("st:", "Unknown embedder 'st:'"),
        ("hub:", "Unknown embedder 'hub:'"),
        ("hash:abc", "whole number"),
        ("hash:4", "at least 8"),
        ("hub:/models/mit-e5", "not a hub model name"),
    ],
)
def test_unknown_or_malformed_specs_say_what_to_use(spec: str, message: str) -> None:
    with pytest.raises(EmbedderError, match=message) as caught:
        load_embedder(spec)
    if message.startswith("Unknown"):
        assert all(choice in str(caught.value) for choice in ("'e5'", "'st:PATH'", "'hub:NAME'", "'hash'"))


def test_missing_folder_is_a_plain_error(tmp_path: Path) -> None:
    missing = tmp_path / "ingen-model"
    with pytest.raises(EmbedderError, match="No model folder at") as caught:
        load_embedder(f"st:{missing}")
    assert str(missing) in str(caught.value) and "'e5'" in str(caught.value)


def test_uncached_hub_model_offline_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbedderError, match="not in the local Hugging Face cache") as caught:
        load_embedder("hub:thememine-tests/findes-ikke")
    assert "HF_HUB_OFFLINE" in str(caught.value) and "st:PATH" in str(caught.value)


def test_errors_import_no_sentence_transformers(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from thememine.embed import load_embedder, EmbedderError\n"
        f"for spec in ('st:{tmp_path / 'nope'}', 'hub:thememine-tests/findes-ikke', 'hash'):\n"
        "    try: load_embedder(spec)\n"
        "    except EmbedderError: pass\n"
        "print(sorted(m for m in ('sentence_transformers', 'torch') if m in sys.modules))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_folder_fingerprint_follows_the_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "weights.bin").write_bytes(b"\0" * 8)
    before = folder_fingerprint(tmp_path)
    assert folder_fingerprint(tmp_path) == before
    os.utime(tmp_path / "weights.bin", ns=(1, 1))  # same size, rewritten weights
    assert folder_fingerprint(tmp_path) != before


@pytest.fixture(scope="module")
def tiny_st_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sentence-transformers model of static word vectors, saved to a folder (no download)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = ["[UNK]", "jeg", "cykler", "til", "arbejde", "kaffen", "er", "dyr", "hver", "dag"]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    weights = np.random.default_rng(0).normal(size=(len(words), 12)).astype(np.float32)
    folder = tmp_path_factory.mktemp("st") / "tiny"
    SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)]).save(str(folder))
    return folder


@pytest.mark.slow
def test_sentence_transformers_folder(tiny_st_folder: Path) -> None:
    embedder = load_embedder(f"st:{tiny_st_folder}")
    assert isinstance(embedder, Embedder)
    assert embedder.id == f"st:{tiny_st_folder.resolve()}" and embedder.dim == 12
    vectors = embedder.encode(
        ["jeg cykler til arbejde", "jeg cykler hver dag", "kaffen er dyr"], batch_size=2
    )
    assert vectors.dtype == np.float32 and vectors.shape == (3, 12)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder.encode([]).shape == (0, 12)


@pytest.mark.slow
def test_folder_without_a_model_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "noter.txt").write_text("ikke en model")
    with pytest.raises(EmbedderError, match="Cannot load a sentence-transformers model from"):
        load_embedder(f"st:{tmp_path}")
