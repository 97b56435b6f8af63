"""A deterministic fake embedder for tests and demos: hashed word and character n-grams.

Not a language model. Texts that share words (or parts of words) get similar vectors, which is
enough to exercise the pipeline in milliseconds and without any model files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import normalise_rows
from thememine.embed.progress import statement_progress

WORD = re.compile(r"\w+")
# Bump when the features or their weights change: cached vectors from the old recipe become stale.
RECIPE = "1"


@lru_cache(maxsize=200_000)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    """The column and sign of a feature (blake2b, so stable across processes and runs)."""
    digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
    return digest % dim, 1.0 if digest >> 63 else -1.0


def _features(text: str) -> list[tuple[str, float]]:
    words = WORD.findall(text.lower())
    if not words:
        return [("<empty>", 1.0)]
    features = [(f"w:{word}", 1.0) for word in words]
    features += [(f"b:{left} {right}", 0.7) for left, right in pairwise(words)]
    for word in words:
        padded = f"<{word}>"
        features += [(f"c:{padded[i : i + 3]}", 0.3) for i in range(len(padded) - 2)]
    return features


class HashEmbedder:
    """Hashed word unigrams, word bigrams and character trigrams, signed, in ``dim`` columns."""

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self._dim = dim

    @property
    def id(self) -> str:
        return f"hash:{self._dim}"

    @property
    def version(self) -> str:
        return RECIPE

    @property
    def dim(self) -> int:
        return self._dim

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool = False,
        **kwargs: Any,
    ) -> NDArray[np.float32]:
        """One unit row per text; the same text always gives the same row."""
        matrix = np.zeros((len(texts), self._dim), dtype=np.float32)
        with statement_progress(len(texts), enabled=show_progress_bar) as advance:
            for row, text in enumerate(texts):
                for feature, weight in _features(text):
                    column, sign = _slot(feature, self._dim)
                    matrix[row, column] += sign * weight
                if not matrix[row].any():  # every feature cancelled out: fall back to a fixed row
                    column, sign = _slot("<empty>", self._dim)
                    matrix[row, column] = sign
                advance(1)
        return normalise_rows(matrix)
