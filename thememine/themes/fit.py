"""Fitting candidate themes: a consensus of many seeded clusterings on precomputed embeddings.

BERTopic's defaults (UMAP + HDBSCAN, one seeded run) suit thousands of documents with clear
topics; interview talk has weak structure, and one such run hinged on its seed (two seeds agreed at
an adjusted Rand index of 0.3-0.5 on the sample corpus). So a fit combines many cheap clusterings of
the statements' spectral coordinates, each seeded from the fit's seed and each on its own random
subsample, and keeps the clusters they agree on, with a stability per cluster
(:mod:`thememine.themes.consensus`): the same input and seed give the same themes, and other seeds
nearly the same. Filler-only statements are left out, and outliers are given to the nearest theme
when they are as close to it as the theme's own members are. Keywords are still BERTopic's c-TF-IDF
(:mod:`thememine.themes.keywords`). Below :data:`SMALL` statements, or when the runs agree on fewer
than two clusters, statements are clustered agglomeratively, with the number of themes chosen by
silhouette.
"""

from __future__ import annotations

import hashlib
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import normalise_rows
from thememine.themes import consensus
from thememine.themes.model import UNASSIGNED, Matrix
from thememine.themes.model import content_mask as content_mask  # found here by the rest of the package

log = logging.getLogger(__name__)

SMALL = 60  # statements: fewer than this are too few for a consensus of clusterings
OUTLIER_QUANTILE = 0.0  # an outlier joins a theme if it is as close to it as its least typical member
# Up to EXACT_NEIGHBOURS statements thememine finds the nearest neighbours exactly itself: faster
# there than pynndescent's NN-descent with its compilation in every process (about 20 s), and it
# leaves nothing to chance. Above, NN-descent runs once per fit.
EXACT_NEIGHBOURS = 20_000
# With a codebook, each statement's code confidences (0-1, one column per code) join its centred
# embedding, times this weight, so that statements the codebook reads alike lean together. Chosen
# on the sample by the agreement between seeds and between leave-one-interview-out fits, not by the
# gold themes (docs/themes.md, "Guided by the codebook").
GUIDE_WEIGHT = 2.0


@dataclass(frozen=True)
class FitSettings:
    """The settings a fit used; written to the run so it can be repeated."""

    n: int
    seed: int
    method: str
    n_neighbors: int = 0  # neighbours per statement in the graph
    n_components: int = 0  # spectral coordinates
    min_cluster_size: int = 0  # the fewest statements a theme has
    n_themes: int = 0
    runs: int = 0  # clusterings combined by consensus
    clusters_per_run: str = ""  # the range of clusters the runs made, e.g. "7-13"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def scaled_settings(n: int, seed: int) -> FitSettings:
    """Consensus settings for ``n`` statements: a theme has at least ≈ √n / 2 of them (5 at 100,
    12 at 600, 50 at 10k, 158 at 100k)."""
    root = math.sqrt(max(n, 1))
    return FitSettings(
        n=n,
        seed=seed,
        method="consensus",
        n_neighbors=consensus.NEIGHBOURS,
        n_components=consensus.cluster_range(n)[1],
        min_cluster_size=max(5, min(200, round(root / 2))),
    )


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


def guided(embeddings: Matrix, guide: Matrix | None) -> Matrix:
    """What a fit clusters: ``embeddings`` as they are, or with a codebook ``guide`` (one row of code
    confidences per embedding) the centred embeddings with the confidences beside them, times
    :data:`GUIDE_WEIGHT` (the fit centres what it is given again).

    The confidences are a statement's own (read with its neighbours in its document), so the
    codebook pulls statements the same way whatever else the corpus holds: leaving an interview out
    moves the others' themes less (docs/themes.md).
    """
    if guide is None or guide.ndim != 2 or guide.shape[1] == 0:
        return embeddings
    vectors = centred(embeddings)
    if len(guide) != len(vectors):
        raise ValueError("one row of code confidences per statement is needed")
    return np.hstack([vectors, GUIDE_WEIGHT * np.asarray(guide, dtype=np.float32)]).astype(np.float32)


@dataclass(frozen=True)
class Clustering:
    """A cluster number per statement (-1: outlier), the settings used, and each cluster's stability."""

    labels: list[int]
    settings: FitSettings
    stability: dict[int, float] = field(default_factory=dict)  # by cluster number; empty: not measured
    runs: consensus.Ensemble | None = None  # the consensus runs, when the fit made them


def cluster(
    texts: Sequence[str], embeddings: Matrix, seed: int = 42, n_themes: int | None = None
) -> tuple[list[int], FitSettings]:
    """A cluster number (0, 1, …, or -1 for an outlier) per text, and the settings used.

    ``n_themes`` forces agglomerative clustering into that many themes (used to split a theme).
    """
    found = fit_clusters(texts, embeddings, seed, n_themes)
    return found.labels, found.settings


def fit_clusters(
    texts: Sequence[str], embeddings: Matrix, seed: int = 42, n_themes: int | None = None
) -> Clustering:
    """Clusters of ``embeddings`` (one per text) by consensus of seeded clusterings.

    Below :data:`SMALL` statements, with ``n_themes``, or when the runs agree on fewer than two
    clusters, statements are clustered agglomeratively (deterministic; no stability measured).
    The texts only give the number of statements: clusters follow the embeddings.
    """
    n = len(texts)
    if n == 0:
        return Clustering([], FitSettings(0, seed, "none"))
    vectors = centred(embeddings)
    if n_themes is not None or n < SMALL:
        return Clustering(*_agglomerative(vectors, seed, n_themes))
    settings = scaled_settings(n, seed)
    runs = runs_of(vectors, seed)
    labels = consensus.consensus(runs.labels, settings.min_cluster_size)
    if len(set(labels) - {UNASSIGNED}) < 2:
        log.info("the runs agree on fewer than two clusters; clustering agglomeratively")
        return Clustering(*_agglomerative(vectors, seed, None))
    array = np.asarray(labels)
    stability = {
        label: round(consensus.stability(runs.labels, np.flatnonzero(array == label).tolist()), 3)
        for label in sorted(set(labels) - {UNASSIGNED})
    }
    settings = replace(settings, runs=len(runs.clusters), clusters_per_run=runs.resolution)
    return Clustering(labels, settings, stability, runs)


def runs_of(vectors: Matrix, seed: int) -> consensus.Ensemble:
    """The consensus runs of a fit of ``vectors`` (centred) with ``seed``: the same input gives the
    same runs, so they can be had again to measure themes the researcher has changed.

    The runs use one thread for the linear algebra and k-means: 100 small k-means with OpenMP's
    threads took 5-10 times longer than with one on a shared two-core machine (44 s against 9 s at
    10,000 statements); an idle machine was not at hand to measure."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return consensus.ensemble(vectors, seed, neighbours(vectors, consensus.NEIGHBOURS + 1, seed))


def stability_now(
    embeddings: Matrix,
    fitted: Sequence[int],
    seed: int,
    members: dict[int, list[int]],
    guide: Matrix | None = None,
    kept_runs: NDArray[np.int16] | None = None,
) -> dict[int, float | None]:
    """The stability of themes as they stand now (after a merge, a split or moves): the mean
    co-association of each theme's ``members`` (rows) in the fit's runs over its ``fitted`` rows.

    The runs are ``kept_runs`` (a label per fitted row and run, as the fit kept them), or else
    made again from the ``fitted`` rows of ``embeddings`` (with the fit's codebook ``guide``, one row
    per fitted row, if it had one). None for a theme with fewer than two fitted members, and for
    every theme of a fit too small for a consensus."""
    if len(fitted) < SMALL:
        return dict.fromkeys(members)
    if kept_runs is not None and len(kept_runs) == len(fitted):
        labels = np.asarray(kept_runs, dtype=np.int64)
    else:
        space = guided(normalise_rows(embeddings)[list(fitted)], guide)
        labels = _runs_again(centred(space), seed).labels
    position = {row: at for at, row in enumerate(fitted)}
    found: dict[int, float | None] = {}
    for theme, rows in members.items():
        kept = [position[r] for r in rows if r in position]
        found[theme] = round(consensus.stability(labels, kept), 3) if len(kept) >= 2 else None
    return found


_AGAIN: dict[tuple[str, int], consensus.Ensemble] = {}  # the last runs had again, by input and seed


def _runs_again(vectors: Matrix, seed: int) -> consensus.Ensemble:
    """:func:`runs_of`, kept for the next decision on the same statements: the review page applies
    one decision per click, and the runs take seconds (minutes at 100,000 statements)."""
    key = (hashlib.sha256(np.ascontiguousarray(vectors).tobytes()).hexdigest(), seed)
    if key not in _AGAIN:
        _AGAIN.clear()  # one run's worth of memory, not one per run ever seen
        _AGAIN[key] = runs_of(vectors, seed)
    return _AGAIN[key]


def neighbours(vectors: Matrix, k: int, seed: int) -> consensus.Neighbours:
    """Each row's ``k`` nearest rows by cosine distance, nearest first: exactly up to
    :data:`EXACT_NEIGHBOURS` rows, by pynndescent's NN-descent (seeded) above."""
    if len(vectors) <= EXACT_NEIGHBOURS:
        return nearest_neighbours(vectors, k)
    from pynndescent import NNDescent

    from thememine.themes.compiled import keep_compiled_code

    keep_compiled_code()  # NN-descent's numba code, compiled once instead of in every process
    with warnings.catch_warnings():
        # numba cannot keep a few of them on disk and says so; they compile in memory, as before
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        index = NNDescent(
            vectors, n_neighbors=k, metric="cosine", random_state=seed, low_memory=True, n_jobs=1
        )
    found, distances = index.neighbor_graph
    return np.asarray(found, dtype=np.int64), np.asarray(distances, dtype=np.float32)


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
