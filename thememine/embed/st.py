"""sentence-transformers models: a folder on disk (``st:PATH``), or a hub model asked for by name
(``hub:NAME``). Nothing is downloaded unless the user names a hub model; sentence-transformers (and
torch) are imported only when such a model is loaded.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import EmbedderError, normalise_rows

TRUE = ("1", "on", "yes", "true")


def _st_version() -> str:
    try:
        return importlib.metadata.version("sentence-transformers")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def folder_fingerprint(folder: Path) -> str:
    """A short hash of every file's relative path, size and modification time under ``folder``.

    Retraining or replacing the weights changes it; merely reading the folder does not.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _sentence_transformer(source: str, local_only: bool) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise EmbedderError(
            "This embedder needs the sentence-transformers package: pip install sentence-transformers."
        ) from None
    return SentenceTransformer(source, local_files_only=local_only, device="cpu")


class SentenceTransformerEmbedder:
    """A loaded sentence-transformers model; rows are L2-normalised, the model's own prompt applies."""

    def __init__(self, model: Any, id: str, version: str) -> None:
        self._model = model
        self._id = id
        self._version = version
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self._dim = int(get_dim())

    @property
    def id(self) -> str:
        return self._id

    @property
    def version(self) -> str:
        return self._version

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
        """The model's ``encode``, as unit float32 rows."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=show_progress_bar,
            convert_to_numpy=True,
            normalize_embeddings=True,
            **kwargs,
        )
        return normalise_rows(vectors)


def load_folder(path: Path) -> SentenceTransformerEmbedder:
    """A sentence-transformers model saved in ``path``; never goes to the network."""
    if not path.is_dir():
        raise EmbedderError(
            f"No model folder at {path}. 'st:PATH' needs the folder of a saved sentence-transformers "
            "model (the one holding modules.json); check the path, or use 'e5' for the built-in model."
        )
    folder = path.resolve()
    try:
        model = _sentence_transformer(str(folder), local_only=True)
    except EmbedderError:
        raise
    except Exception as err:  # sentence-transformers raises many kinds for a bad folder
        raise EmbedderError(
            f"Cannot load a sentence-transformers model from {path} ({type(err).__name__}: {err}). "
            "Check that the folder holds a complete saved model (modules.json, config and weights)."
        ) from None
    version = f"st{_st_version()}+{folder_fingerprint(folder)}"
    return SentenceTransformerEmbedder(model, f"st:{folder}", version)


def _offline() -> bool:
    return any(
        os.environ.get(name, "").lower() in TRUE for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _cached_revision(name: str) -> str | None:
    """The commit of ``name`` in the local Hugging Face cache, or None when it is not there."""
    from huggingface_hub import try_to_load_from_cache

    for filename in ("modules.json", "config.json"):
        found = try_to_load_from_cache(name, filename)
        if isinstance(found, str):
            return Path(found).parent.name
    return None


def load_hub(name: str) -> SentenceTransformerEmbedder:
    """A model from the Hugging Face hub by name; downloaded once if it is not cached yet."""
    if not name or name.startswith(("/", ".")) or name.count("/") > 1:
        raise EmbedderError(
            f"{name!r} is not a hub model name (like 'intfloat/multilingual-e5-small'). "
            "For a folder on disk, use 'st:PATH'."
        )
    revision = _cached_revision(name)
    if revision is None and _offline():
        raise EmbedderError(
            f"The hub model {name} is not in the local Hugging Face cache, and downloads are switched "
            "off (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set). Download it once with network "
            "access, or save the model to a folder and use 'st:PATH'."
        )
    try:
        model = _sentence_transformer(name, local_only=_offline())
    except EmbedderError:
        raise
    except Exception as err:  # network, missing repository, incomplete files
        raise EmbedderError(
            f"Cannot load the hub model {name} ({type(err).__name__}: {err}). Check the name and the "
            "network connection, or save the model to a folder and use 'st:PATH'."
        ) from None
    revision = _cached_revision(name) or "unknown"
    return SentenceTransformerEmbedder(model, f"hub:{name}", f"st{_st_version()}+{revision}")
