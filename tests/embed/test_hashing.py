from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from thememine.embed import Embedder
from thememine.embed.hashing import HashEmbedder

SENTENCES = [
    "Jeg cykler til arbejde hver dag, også når det regner.",
    "Hver dag cykler jeg på arbejde, selv i regnvejr.",
    "Min sagsbehandler i jobcentret svarer aldrig på mails.",
    "",
    "øh",
]


def test_follows_the_protocol() -> None:
    embedder = HashEmbedder()
    assert isinstance(embedder, Embedder)
    assert (embedder.id, embedder.version, embedder.dim) == ("hash:256", "1", 256)


@pytest.mark.parametrize("dim", [16, 256])
def test_rows_are_unit_float32(dim: int) -> None:
    vectors = HashEmbedder(dim).encode(SENTENCES)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(SENTENCES), dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_same_text_same_vector_different_text_different_vector() -> None:
    first = HashEmbedder().encode(SENTENCES)
    again = HashEmbedder().encode(list(reversed(SENTENCES)))[::-1]
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first[0], first[2])


def test_shared_words_make_texts_similar() -> None:
    vectors = HashEmbedder().encode(SENTENCES[:3])
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2


def test_empty_input_gives_an_empty_matrix() -> None:
    assert HashEmbedder(32).encode([]).shape == (0, 32)


def test_stable_across_processes_with_different_hash_seeds() -> None:
    code = (
        "from thememine.embed.hashing import HashEmbedder;"
        "import sys; sys.stdout.write(HashEmbedder(32).encode(['Hej med dig, Mette']).tobytes().hex())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {HashEmbedder(32).encode(["Hej med dig, Mette"]).tobytes().hex()}


def test_rejects_too_few_dimensions() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        HashEmbedder(4)
