"""Embed many texts: take what the cache holds, embed the rest in batches, store them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import Embedder, EmbedderError, batches
from thememine.embed.cache import EmbeddingCache, text_key
from thememine.embed.progress import statement_progress


@dataclass(frozen=True)
class Embedded:
    """Vectors in input order, and how many statements came from the cache or were computed."""

    vectors: NDArray[np.float32]
    cached: int
    computed: int

    def summary(self) -> str:
        """``embedded 120 statements, 580 from cache``."""
        noun = "statement" if self.computed == 1 else "statements"
        return f"embedded {self.computed} {noun}, {self.cached} from cache"


def embed_texts(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    batch_size: int = 64,
    progress: bool = True,
) -> Embedded:
    """Embed ``texts`` with ``embedder``, reusing and filling ``cache`` (no cache when None).

    Only texts missing from the cache reach the model, ``batch_size`` at a time, and identical texts
    only once; new vectors are stored every ``cache.shard_size`` rows and when the run stops, even
    by an error or Ctrl-C, so no finished batch is lost. A rich progress bar (statements/s) goes to stderr when ``progress`` is set.
    """
    keys = [text_key(text) for text in texts]
    if cache is not None:
        vectors, found = cache.lookup(embedder, keys)
    else:
        vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
    todo: dict[bytes, list[int]] = {}
    for position in np.flatnonzero(~found).tolist():
        todo.setdefault(keys[position], []).append(position)
    # Shortest first: a model that pads a batch to its longest text then computes little padding.
    order = sorted(todo.values(), key=lambda positions: len(texts[positions[0]]))
    store = _Store(cache, embedder)
    try:
        with statement_progress(len(texts) - int(found.sum()), enabled=progress) as advance:
            for rows in batches(len(order), batch_size):
                group = [order[i] for i in rows]
                batch = embedder.encode([texts[positions[0]] for positions in group], batch_size=batch_size)
                batch = _checked(batch, len(group), embedder)
                for positions, row in zip(group, batch, strict=True):
                    vectors[positions] = row
                store.add([keys[positions[0]] for positions in group], batch)
                advance(sum(len(positions) for positions in group))
    finally:
        store.flush()  # also when interrupted: what was computed is kept
    cached = int(found.sum())
    return Embedded(vectors, cached=cached, computed=len(texts) - cached)


class _Store:
    """New vectors waiting to be written to the cache as one shard."""

    def __init__(self, cache: EmbeddingCache | None, embedder: Embedder) -> None:
        self.cache, self.embedder = cache, embedder
        self.keys: list[bytes] = []
        self.vectors: list[NDArray[np.float32]] = []

    def add(self, keys: list[bytes], vectors: NDArray[np.float32]) -> None:
        if self.cache is None:
            return
        self.keys += keys
        self.vectors.append(vectors)
        if len(self.keys) >= self.cache.shard_size:
            self.flush()

    def flush(self) -> None:
        if self.cache is not None and self.keys:
            self.cache.put(self.embedder, self.keys, np.concatenate(self.vectors))
        self.keys, self.vectors = [], []


def _checked(batch: NDArray[np.float32], rows: int, embedder: Embedder) -> NDArray[np.float32]:
    matrix = np.asarray(batch, dtype=np.float32)
    if matrix.shape != (rows, embedder.dim):
        raise EmbedderError(
            f"The embedder {embedder.id} returned an array of shape {matrix.shape} for {rows} texts; "
            f"expected ({rows}, {embedder.dim})."
        )
    if not np.isfinite(matrix).all():
        raise EmbedderError(f"The embedder {embedder.id} returned NaN or infinite values.")
    return matrix
