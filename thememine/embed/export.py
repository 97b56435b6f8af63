"""Statement embeddings for the researcher's own analyses: an ``.npy`` of vectors and its ids.

``thememine embed`` writes ``FILE.npy``, a float32 matrix with one row per statement in input
order, and ``FILE.ids.csv`` beside it, one row per vector (``row`` is the vector's row in the
matrix) with the statement's id, document, group, speaker and role, so that the vectors can be
joined to anything else keyed by statement id. The texts embedded are the ones themes are fitted
on (a pseudonym replaced by its label's placeholder, see :func:`~thememine.themes.neutral.embedding_text`),
so the vectors are those of ``thememine themes`` and come from the same cache.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from thememine.embed.cache import EmbeddingCache
from thememine.embed.load import load_embedder
from thememine.embed.texts import Embedded, embed_texts
from thememine.errors import OutputError, ThememineError
from thememine.io import atomic_write_bytes, atomic_write_text, npy_bytes
from thememine.themes.model import Unit
from thememine.themes.neutral import embedding_text

IDS_SUFFIX = ".ids.csv"
ID_COLUMNS = ("row", "id", "doc_id", "group", "speaker", "role")


@dataclass(frozen=True)
class EmbeddingFiles:
    """What :func:`export_embeddings` wrote, and how the vectors were made."""

    vectors: Path
    ids: Path
    embedded: Embedded
    embedder: str  # the embedder's id, as the cache knows it


def ids_path(vectors: Path) -> Path:
    """The ids file beside a vectors file: ``out/vectors.npy`` → ``out/vectors.ids.csv``."""
    return vectors.with_name(vectors.name.removesuffix(".npy") + IDS_SUFFIX)


def check_out(vectors: Path, force: bool = False) -> Path:
    """The ids file for ``vectors``, once both may be written; :class:`OutputError` otherwise.

    Checked before anything is embedded, so that a long run does not end in a refusal.
    """
    if vectors.suffix.lower() != ".npy":
        raise OutputError(
            f"{vectors}: the vectors are written as NumPy's .npy; give a file name ending in .npy."
        )
    if vectors.is_dir():
        raise OutputError(f"{vectors} is a folder; give the name of the .npy file to write.")
    ids = ids_path(vectors)
    existing = [path for path in (vectors, ids) if path.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise OutputError(
            f"{' and '.join(str(p) for p in existing)} already {verb}; use --force to replace it all."
        )
    return ids


def ids_csv(units: Sequence[Unit]) -> str:
    """The ids file: a header, then one row per vector (every text field quoted, as Excel reads it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(ID_COLUMNS)
    for row, unit in enumerate(units):
        writer.writerow([row, unit.id, unit.doc_id, unit.group, unit.speaker or "", unit.role])
    return out.getvalue()


def write_embeddings(vectors_path: Path, vectors: NDArray[np.float32], units: Sequence[Unit]) -> Path:
    """Write the matrix and its ids file (each atomically); returns the ids file's path."""
    if vectors.shape[0] != len(units):
        raise ValueError(f"{vectors.shape[0]} vectors for {len(units)} statements")
    ids = ids_path(vectors_path)
    atomic_write_bytes(vectors_path, npy_bytes(vectors))
    atomic_write_text(ids, ids_csv(units))
    return ids


def export_embeddings(
    units: Sequence[Unit],
    out: Path,
    embedder: str = "e5",
    cache_dir: Path | None = None,
    progress: bool = True,
    force: bool = False,
) -> EmbeddingFiles:
    """Embed ``units`` (through the embedding cache) and write ``out`` (.npy) and its ids file."""
    if not units:
        raise ThememineError("The input holds no statements, so there is nothing to embed.")
    check_out(out, force)
    model = load_embedder(embedder)
    embedded = embed_texts(
        [embedding_text(u) for u in units], model, EmbeddingCache(cache_dir), progress=progress
    )
    ids = write_embeddings(out, embedded.vectors, units)
    return EmbeddingFiles(out, ids, embedded, model.id)
