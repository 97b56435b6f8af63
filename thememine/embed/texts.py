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
    only once; new vectors are stored every ``cache.shard_size`` rows, so an interrupted run keeps
    most of its work. A rich progress bar (statements/s) goes to stderr when ``progress`` is set.
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
    order = list(todo.values())
    pending_keys: list[bytes] = []
    pending: list[NDArray[np.float32]] = []
    with statement_progress(len(texts) - int(found.sum()), enabled=progress) as advance:
        for rows in batches(len(order), batch_size):
            group = [order[i] for i in rows]
            batch = embedder.encode([texts[positions[0]] for positions in group], batch_size=batch_size)
            batch = _checked(batch, len(group), embedder)
            for positions, row in zip(group, batch, strict=True):
                vectors[positions] = row
            advance(sum(len(positions) for positions in group))
            if cache is not None:
                pending_keys += [keys[positions[0]] for positions in group]
                pending.append(batch)
                if len(pending_keys) >= cache.shard_size:
                    cache.put(embedder, pending_keys, np.concatenate(pending))
                    pending_keys, pending = [], []
    if cache is not None and pending_keys:
        cache.put(embedder, pending_keys, np.concatenate(pending))
    cached = int(found.sum())
    return Embedded(vectors, cached=cached, computed=len(texts) - cached)


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
