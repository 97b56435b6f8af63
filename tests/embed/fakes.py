"""Fake embedders for the embed tests (importable by worker processes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.hashing import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """The hash embedder, recording every text and batch that reaches the model."""

    def __init__(self, dim: int = 64, version: str = "1", fail_after: int | None = None) -> None:
        super().__init__(dim)
        self._version = version
        self.fail_after = fail_after
        self.seen: list[str] = []
        self.batches: list[int] = []

    @property
    def version(self) -> str:
        return self._version

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, show_progress_bar: bool = False, **kwargs: Any
    ) -> NDArray[np.float32]:
        if self.fail_after is not None and len(self.batches) >= self.fail_after:
            raise KeyboardInterrupt("stopped by the test")
        self.seen += texts
        self.batches.append(len(texts))
        return super().encode(texts)


class WrongShapeEmbedder(HashEmbedder):
    """Returns one row too few."""

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, show_progress_bar: bool = False, **kwargs: Any
    ) -> NDArray[np.float32]:
        return super().encode(texts)[1:]


def texts(count: int, start: int = 0) -> list[str]:
    """Distinct Danish-looking statements."""
    return [
        f"Udsagn nummer {i} handler om borgerens møde med jobcentret." for i in range(start, start + count)
    ]
