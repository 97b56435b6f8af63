"""Fitting candidate themes: BERTopic on precomputed embeddings, with settings scaled to the corpus.

BERTopic's defaults suit thousands of documents; an interview study has from ~40 statements to
~100,000. So UMAP's neighbourhood and HDBSCAN's cluster size grow with n, every random step is
seeded (the same input gives the same themes), filler-only statements are left out, and outliers
are given to the nearest theme when they are as close to it as the theme's own members are. When
HDBSCAN's stable ("eom") clusters make one blob of more than half the statements, its finer
("leaf") clusters are taken instead.
Below :data:`SMALL` statements, or when HDBSCAN finds no structure, statements are clustered
agglomeratively, with the number of themes chosen by silhouette.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import normalise_rows
from thememine.themes.keywords import is_content_free
from thememine.themes.model import INTERVIEWER, UNASSIGNED, Matrix, Unit

log = logging.getLogger(__name__)

SMALL = 60  # statements: fewer than this are too few for UMAP + HDBSCAN
BLOB_SHARE = 0.5  # one HDBSCAN cluster holding more than this share of statements is a blob, not a theme
OUTLIER_QUANTILE = 0.0  # an outlier joins a theme if it is as close to it as its least typical member
# UMAP finds neighbours exactly below 4,096 statements and with pynndescent's NN-descent above; up to
# EXACT_NEIGHBOURS thememine finds them exactly itself, which is faster there than NN-descent's
# compilation in every process (about 20 s) and leaves nothing to chance
UMAP_EXACT_BELOW = 4096
EXACT_NEIGHBOURS = 20_000


@dataclass(frozen=True)
class FitSettings:
    """The settings a fit used; written to the run so it can be repeated."""

    n: int
    seed: int
    method: str
    n_neighbors: int = 0
    n_components: int = 0
    min_cluster_size: int = 0
    min_samples: int = 0
    n_themes: int = 0
    cluster_selection: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def scaled_settings(n: int, seed: int) -> FitSettings:
    """UMAP and HDBSCAN settings for ``n`` statements.

    min_cluster_size ≈ √n / 2 (5 at 100, 12 at 600, 50 at 10k, 158 at 100k); n_neighbors ≈ √n,
    between 10 and 50; min_samples small so that HDBSCAN leaves fewer statements as noise.
    """
    root = math.sqrt(max(n, 1))
    min_cluster_size = max(5, min(200, round(root / 2)))
    return FitSettings(
        n=n,
        seed=seed,
        method="bertopic",
        n_neighbors=max(10, min(50, round(root))),
        n_components=5,
        min_cluster_size=min_cluster_size,
        min_samples=max(2, min_cluster_size // 4),
    )


def content_mask(units: Sequence[Unit], include_interviewer: bool = False) -> list[bool]:
    """Which statements may form themes: not flagged as filler, with a content word left, and
    (unless ``include_interviewer``) not said by the interviewer or moderator."""
    return [
        not u.filler and not is_content_free(u.text) and (include_interviewer or u.role != INTERVIEWER)
        for u in units
    ]


def centred(embeddings: Matrix, mean: Matrix | None = None) -> Matrix:
    """Vectors minus the corpus mean, normalised again.

    Sentence embeddings of one corpus crowd into a narrow cone (e5: cosines of 0.8-0.97 between
    any two statements); taking the shared direction out spreads them, so that clusters and code
    similarities follow what differs between statements.
    """
    vectors = normalise_rows(embeddings)
    if len(vectors) < 2 and mean is None:
        return vectors
    centre = vectors.mean(axis=0) if mean is None else mean
    return normalise_rows(vectors - centre)


def cluster(
    texts: Sequence[str], embeddings: Matrix, seed: int = 42, n_themes: int | None = None
) -> tuple[list[int], FitSettings]:
    """A cluster number (0, 1, …, or -1 for an outlier) per text, and the settings used.

    ``n_themes`` forces agglomerative clustering into that many themes (used to split a theme).
    """
    n = len(texts)
    if n == 0:
        return [], FitSettings(0, seed, "none")
    vectors = centred(embeddings)
    if n_themes is not None or n < SMALL:
        return _agglomerative(vectors, seed, n_themes)
    settings = scaled_settings(n, seed)
    labels, settings = _bertopic(texts, vectors, settings)
    if len(set(labels) - {-1}) < 2:
        log.info("HDBSCAN found fewer than two clusters; clustering agglomeratively")
        return _agglomerative(vectors, seed, None)
    return labels, settings


def nearest_neighbours(vectors: Matrix, k: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Each row's ``k`` nearest rows by cosine distance, nearest first (itself among them), exactly.

    Equally near rows are ordered by row number; the same input gives the same neighbours. Rows are
    compared in blocks of about 16 million distances.
    """
    unit = normalise_rows(vectors)
    n = len(unit)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    block = max(1, (1 << 24) // n)
    for start in range(0, n, block):
        rows = slice(start, min(start + block, n))
        distance = np.maximum(1.0 - unit[rows] @ unit.T, 0.0)
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(distance, nearest, axis=1)
        order = np.lexsort((nearest, near), axis=-1)
        indices[rows] = np.take_along_axis(nearest, order, axis=1)
        distances[rows] = np.take_along_axis(near, order, axis=1)
    return indices, distances


def _bertopic(texts: Sequence[str], vectors: Matrix, settings: FitSettings) -> tuple[list[int], FitSettings]:
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from hdbscan import HDBSCAN
    from umap import UMAP

    from thememine.themes.compiled import keep_compiled_code
    from thememine.themes.keywords import danish_vectorizer, keyword_ctfidf

    keep_compiled_code()  # UMAP's numba code, compiled once instead of in every run
    n_neighbors = min(settings.n_neighbors, settings.n - 1)
    exact = UMAP_EXACT_BELOW <= len(vectors) <= EXACT_NEIGHBOURS
    reducer = UMAP(
        n_neighbors=n_neighbors,
        n_components=settings.n_components,
        min_dist=0.0,
        metric="cosine",
        random_state=settings.seed,  # also makes UMAP single-threaded, hence reproducible
        low_memory=True,
        n_jobs=1,
        precomputed_knn=nearest_neighbours(vectors, n_neighbors) if exact else (None, None, None),
    )
    with warnings.catch_warnings():
        # precomputed neighbours have no search index, so UMAP's transform() is unavailable: unused
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        reduced = reducer.fit_transform(vectors)

    def hdbscan(selection: str) -> HDBSCAN:
        return HDBSCAN(
            min_cluster_size=settings.min_cluster_size,
            min_samples=settings.min_samples,
            metric="euclidean",
            cluster_selection_method=selection,
            prediction_data=False,
        )

    # "eom" picks the most stable clusters, which in interview talk is often one blob holding most
    # statements; then the finer "leaf" clusters are taken (their outliers are reduced afterwards)
    selection = "eom"
    labels = hdbscan(selection).fit_predict(reduced)
    sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.zeros(1, dtype=int)
    if sizes.max() > BLOB_SHARE * len(labels):
        selection = "leaf"
        labels = hdbscan(selection).fit_predict(reduced)
    model = BERTopic(
        embedding_model=None,
        umap_model=BaseDimensionalityReduction(),  # reduced above, once
        hdbscan_model=BaseCluster(),  # clustered above: BERTopic takes the labels as they are
        vectorizer_model=danish_vectorizer(len(texts)),
        ctfidf_model=keyword_ctfidf(),
        calculate_probabilities=False,
        language="danish",  # "english" would strip æ, ø and å before counting
        verbose=False,
    )
    topics, _ = model.fit_transform(list(texts), embeddings=reduced, y=labels)
    return [int(t) for t in topics], replace(settings, cluster_selection=selection)


def _agglomerative(vectors: Matrix, seed: int, n_themes: int | None) -> tuple[list[int], FitSettings]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    n = len(vectors)
    if n_themes is not None and 2 <= n_themes <= n:  # a forced number (a split): no silhouette needed
        forced = AgglomerativeClustering(n_clusters=n_themes, linkage="ward").fit_predict(vectors)
        return [int(x) for x in forced], FitSettings(n, seed, "agglomerative", n_themes=n_themes)
    if n < 4 or n_themes == 1:
        return [0] * n, FitSettings(n, seed, "single theme", n_themes=1)
    candidates = [n_themes] if n_themes else list(range(2, max(3, min(12, n // 4)) + 1))
    best: tuple[float, list[int]] | None = None
    for k in candidates:
        k = min(k, n - 1)
        # Ward linkage on unit vectors: compact themes, no chains of singletons as average linkage gives
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(vectors)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(vectors, labels, metric="cosine"))
        if best is None or score > best[0]:
            best = (score, [int(x) for x in labels])
    if best is None:
        return [0] * n, FitSettings(n, seed, "single theme", n_themes=1)
    labels_out = best[1]
    return labels_out, FitSettings(n, seed, "agglomerative", n_themes=len(set(labels_out)))


def centroids(vectors: Matrix, labels: Sequence[int]) -> dict[int, Matrix]:
    """The normalised mean vector of each cluster (outliers left out)."""
    found: dict[int, Matrix] = {}
    array = np.asarray(labels)
    for label in sorted(set(labels) - {UNASSIGNED}):
        mean = vectors[array == label].mean(axis=0, keepdims=True)
        found[label] = normalise_rows(mean)[0]
    return found


def reduce_outliers(vectors: Matrix, labels: list[int]) -> list[int]:
    """Give each outlier to its nearest theme if it is as close as that theme's typical members.

    A theme's bar is the :data:`OUTLIER_QUANTILE` quantile of its members' similarity to its
    centroid (the least typical member's): an outlier at least that close joins; one that fits
    no theme that well stays unassigned.
    """
    vectors = normalise_rows(vectors)
    middle = centroids(vectors, labels)
    if not middle:
        return labels
    ids = list(middle)
    matrix = np.stack([middle[i] for i in ids])
    array = np.asarray(labels)
    bar = {}
    for i in ids:
        sims = vectors[array == i] @ middle[i]
        bar[i] = float(np.quantile(sims, OUTLIER_QUANTILE))
    out = list(labels)
    for row, label in enumerate(labels):
        if label != UNASSIGNED:
            continue
        sims = matrix @ vectors[row]
        best = int(np.argmax(sims))
        if sims[best] >= bar[ids[best]]:
            out[row] = ids[best]
    return out
