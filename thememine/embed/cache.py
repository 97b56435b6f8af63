"""An on-disk cache of embeddings, keyed by embedder (id + version) and the sha256 of the exact text.

Layout under the cache folder::

    embeddings/<sha256(id, version)[:24]>/model.json     id, version and dim, for people
    embeddings/<sha256(id, version)[:24]>/<shard>.npz    keys (n×32 sha256 digests), vectors (n×dim)

Texts are never stored, only their digests. Note that a digest still lets someone who guesses a
statement word for word confirm that it was embedded: keep the cache as private as the transcripts.

Every shard is written whole to a temporary file and renamed into place, so a reader sees a
complete shard or none; several runs may share the cache at once. A shard that cannot be read
(cut short, damaged) is logged, removed and its vectors recomputed. Small shards left by
incremental runs are merged once there are many of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import secrets
import time
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import Embedder
from thememine.io import atomic_write_bytes, default_cache_dir

log = logging.getLogger(__name__)

KEY_BYTES = 32
FORMAT = "thememine-embeddings"
FORMAT_VERSION = 1
STALE_TEMP_SECONDS = 3600
Vectors = NDArray[np.float32]
# What reading a damaged or vanished shard can raise.
SHARD_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error)


def text_key(text: str) -> bytes:
    """The sha256 digest of the exact text (UTF-8); the only trace of a text the cache keeps."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _shard_bytes(keys: Sequence[bytes], vectors: Vectors) -> bytes:
    buffer = io.BytesIO()
    key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
    np.savez(buffer, keys=key_array, vectors=np.ascontiguousarray(vectors, dtype=np.float32))
    return buffer.getvalue()


def _split_keys(array: NDArray[Any]) -> list[bytes]:
    if array.dtype != np.uint8 or array.ndim != 2 or array.shape[1] != KEY_BYTES:
        raise ValueError("keys have the wrong shape or type")
    flat = array.tobytes()
    return [flat[i : i + KEY_BYTES] for i in range(0, len(flat), KEY_BYTES)]


def _check_vectors(array: NDArray[Any], rows: int, dim: int) -> Vectors:
    if array.dtype != np.float32 or array.shape != (rows, dim):
        raise ValueError("vectors have the wrong shape or type")
    if not np.isfinite(array).all():
        raise ValueError("vectors hold NaN or infinity")
    return array


class EmbeddingCache:
    """Vectors on disk, looked up by text digest; ``shard_size`` rows per shard written."""

    def __init__(self, root: Path | None = None, shard_size: int = 4096, max_small_shards: int = 16) -> None:
        if shard_size < 1:
            raise ValueError("shard_size must be at least 1")
        self.root = root if root is not None else default_cache_dir()
        self.shard_size = shard_size
        self.max_small_shards = max_small_shards
        self._write_failed = False

    def folder(self, embedder: Embedder) -> Path:
        """Where the vectors of this embedder (id and version) live."""
        name = hashlib.sha256(f"{embedder.id}\0{embedder.version}".encode()).hexdigest()[:24]
        return self.root / "embeddings" / name

    def _shards(self, folder: Path) -> list[Path]:
        try:
            return sorted(p for p in folder.glob("*.npz") if not p.name.startswith("."))
        except OSError:
            return []

    def _discard(self, shard: Path, err: BaseException) -> None:
        # The file name and the error only: a shard holds no text, and neither does the message.
        log.warning(
            "Embedding cache shard %s is damaged or unreadable (%s); its vectors will be recomputed.",
            shard.name,
            type(err).__name__,
        )
        with contextlib.suppress(OSError):  # a read-only shared cache: leave it, warn again next time
            shard.unlink(missing_ok=True)

    def lookup(self, embedder: Embedder, keys: Sequence[bytes]) -> tuple[Vectors, NDArray[np.bool_]]:
        """Vectors for ``keys`` (zero rows where missing) and a mask of the keys found."""
        vectors = np.zeros((len(keys), embedder.dim), dtype=np.float32)
        found = np.zeros(len(keys), dtype=bool)
        wanted: dict[bytes, list[int]] = {}
        for position, key in enumerate(keys):
            wanted.setdefault(key, []).append(position)
        for shard in self._shards(self.folder(embedder)):
            if not wanted:
                break
            try:
                with ShardReader(shard, embedder.dim) as reader:
                    stored_keys = reader.keys()
                    rows = [row for row, key in enumerate(stored_keys) if key in wanted]
                    stored = reader.vectors()[rows] if rows else None
            except FileNotFoundError:
                continue  # merged away by another run: its rows are in a newer shard, or recomputed
            except SHARD_ERRORS as err:
                self._discard(shard, err)
                continue
            for index, row in enumerate(rows):
                positions = wanted.pop(stored_keys[row], None)
                if positions and stored is not None:
                    vectors[positions] = stored[index]
                    found[positions] = True
        return vectors, found

    def put(self, embedder: Embedder, keys: Sequence[bytes], vectors: Vectors) -> None:
        """Store new vectors as one shard. A cache that cannot be written is warned about, not fatal."""
        if not keys:
            return
        if len(keys) != len(vectors) or vectors.shape[1:] != (embedder.dim,):
            raise ValueError("keys and vectors do not match the embedder")
        folder = self.folder(embedder)
        try:
            self._describe(folder, embedder)
            atomic_write_bytes(folder / _shard_name(), _shard_bytes(keys, vectors))
            if sum(1 for _ in self._small_shards(folder, embedder.dim)) > self.max_small_shards:
                self.compact(embedder)
        except OSError as err:
            if not self._write_failed:
                log.warning(
                    "Cannot write to the embedding cache in %s (%s); carrying on without caching.",
                    self.root,
                    err.strerror or type(err).__name__,
                )
            self._write_failed = True

    def _describe(self, folder: Path, embedder: Embedder) -> None:
        info = folder / "model.json"
        if not info.exists():
            about = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "id": embedder.id,
                "version": embedder.version,
                "dim": embedder.dim,
            }
            atomic_write_bytes(info, (json.dumps(about, indent=1) + "\n").encode("utf-8"))

    def _small_shards(self, folder: Path, dim: int) -> Iterator[Path]:
        for shard in self._shards(folder):
            try:
                if shard.stat().st_size < self.shard_size * (dim * 4 + KEY_BYTES):
                    yield shard
            except OSError:
                continue

    def compact(self, embedder: Embedder) -> None:
        """Merge the small shards of ``embedder`` into full ones, dropping duplicate keys.

        The merged shards are written before the old ones are removed, so a run reading at the same
        time finds every vector in one or the other (or recomputes it).
        """
        folder = self.folder(embedder)
        merged_keys: list[bytes] = []
        merged_vectors: list[Vectors] = []
        seen: set[bytes] = set()
        sources: list[Path] = []
        for shard in self._small_shards(folder, embedder.dim):
            try:
                with ShardReader(shard, embedder.dim) as reader:
                    keys, stored = reader.keys(), reader.vectors()
            except FileNotFoundError:
                continue
            except SHARD_ERRORS as err:
                self._discard(shard, err)
                continue
            sources.append(shard)
            rows = [row for row, key in enumerate(keys) if key not in seen]
            seen.update(keys)
            merged_keys += [keys[row] for row in rows]
            merged_vectors.append(stored[rows])
        if len(sources) < 2:
            return
        vectors = np.concatenate(merged_vectors)
        for start in range(0, len(merged_keys), self.shard_size):
            stop = start + self.shard_size
            atomic_write_bytes(
                folder / _shard_name(), _shard_bytes(merged_keys[start:stop], vectors[start:stop])
            )
        for shard in sources:
            shard.unlink(missing_ok=True)
        self._sweep(folder)

    def _sweep(self, folder: Path) -> None:
        """Remove temporary files that a killed run left behind long ago."""
        cutoff = time.time() - STALE_TEMP_SECONDS
        for temp in folder.glob(".*.tmp"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
            except OSError:
                continue


def _shard_name() -> str:
    """Unique across processes and calls: time, process id and random bits."""
    return f"{time.time_ns():x}-{os.getpid()}-{secrets.token_hex(4)}.npz"


class ShardReader:
    """One shard, opened once; ``keys()`` reads only the digests, ``vectors()`` the rest."""

    def __init__(self, path: Path, dim: int) -> None:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("not an npz archive")
        self._npz = loaded
        self._dim = dim
        self._keys: list[bytes] | None = None

    def keys(self) -> list[bytes]:
        if self._keys is None:
            self._keys = _split_keys(self._npz["keys"])
        return self._keys

    def vectors(self) -> Vectors:
        return _check_vectors(self._npz["vectors"], len(self.keys()), self._dim)

    def __enter__(self) -> ShardReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._npz.close()
