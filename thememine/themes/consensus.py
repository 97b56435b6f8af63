"""Consensus clustering: themes that many seeded UMAP + HDBSCAN runs agree on.

One UMAP + HDBSCAN run depends on its random seed: on the sample corpus two seeds agreed at an
adjusted Rand index of 0.3-0.5, and leaving one interview out changed the other statements'
themes as much. So a fit runs :data:`RUNS` of them, each with its own seed drawn from the fit's
seed, and keeps what they agree on (evidence accumulation, Fred & Jain 2005; the stability
analysis of topic models in Greene, O'Callaghan & Cunningham 2014 and Belford, Mac Namee & Greene
2018 likewise combines many runs rather than trusting one):

1. **Resampling**: each run clusters its own random :data:`SUBSAMPLE` of the statements, so that
   only groupings that survive missing statements are kept (as leaving an interview out does).
2. **Co-association**: for two statements, the share of the runs that clustered both that put
   them in the same cluster (a run's outliers share a cluster with nobody).
3. **Cut**: average linkage on 1 − co-association, cut where two groups of statements share a
   cluster in at most :data:`AGREE` of their runs on average. The number of themes follows from
   that cut; no count is chosen. Groups smaller than HDBSCAN's ``min_cluster_size`` are not
   themes: their statements are left to outlier reduction, like HDBSCAN's outliers.
4. **Stability** of a theme: the share of runs in which two of its statements, taken at random
   among those the run clustered, are in the same cluster (the mean co-association of its
   pairs), from 0 to 1.

The subsample share and the cut were chosen on the sample corpus by the agreement between seeds
and between fits that each leave one jobcenter interview out (``benchmarks/eval_stability.py``,
docs/themes.md), not by the gold themes.

Statements with identical labels in every run are clustered as one weighted point: no run tells
them apart. Where no run calls them outliers this is exactly average linkage over the statements
one by one; it takes far less memory than 10,000 points at 10,000. The runs share one
nearest-neighbour graph (found once, with room for the subsample) and run fewer layout epochs than
UMAP's default (:data:`EPOCHS`), so that ten runs cost about two single runs of old.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from thememine.themes.model import UNASSIGNED, Matrix

RUNS = 10  # seeded UMAP + HDBSCAN runs per fit
EPOCHS = 100  # UMAP layout epochs per run (UMAP's default: 500 up to 10,000 statements, 200 above)
AGREE = (
    0.3  # statements form a theme when, on average, more than this share of their runs keeps them together
)
BLOB_SHARE = 0.5  # one HDBSCAN cluster holding more than this share of statements is a blob, not a theme
SUBSAMPLE = 0.9  # share of the statements each run clusters, drawn afresh per run (1.0: all of them)
ABSENT = -2  # label of a statement left out of a run's subsample

Labels = NDArray[np.int64]


@dataclass(frozen=True)
class Ensemble:
    """The cluster labels of every run: one row per statement, one column per run.

    -1: an outlier in that run; :data:`ABSENT`: not in that run's subsample.
    """

    labels: Labels
    selections: tuple[str, ...]  # HDBSCAN's cluster selection per run ("eom", or "leaf" for a blob)

    @property
    def selection(self) -> str:
        """The selections made, most frequent first: "eom", "leaf", or "eom 7, leaf 3"."""
        counts = Counter(self.selections).most_common()
        return counts[0][0] if len(counts) == 1 else ", ".join(f"{s} {n}" for s, n in counts)


def run_seeds(seed: int, runs: int = RUNS) -> list[int]:
    """The seeds of the runs of a fit with ``seed``: distinct, and the same for the same seed."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(runs) % (2**31 - 1)]


def ensemble(
    vectors: Matrix,
    seed: int,
    n_neighbors: int,
    n_components: int,
    min_cluster_size: int,
    min_samples: int,
    runs: int = RUNS,
    neighbours: tuple[NDArray[np.int64], NDArray[np.float32]] | None = None,
    share: float = SUBSAMPLE,
) -> Ensemble:
    """``runs`` seeded UMAP + HDBSCAN clusterings, each of its own ``share`` of ``vectors`` (rows:
    statements).

    ``neighbours`` (indices and cosine distances, nearest first, at least
    :func:`search_size` per row) is the nearest-neighbour graph all runs share; UMAP's own search is
    used once when it is not given.
    """
    from umap import UMAP
    from umap.umap_ import nearest_neighbors

    from thememine.themes.compiled import keep_compiled_code

    keep_compiled_code()  # UMAP's numba code, compiled once instead of in every run
    n = len(vectors)
    n_neighbors = min(n_neighbors, n - 1)
    wanted = min(n, search_size(n_neighbors, share))
    if neighbours is None:
        found = nearest_neighbors(
            vectors, wanted, "cosine", {}, False, np.random.RandomState(seed), low_memory=True
        )
        neighbours = (found[0], found[1])
    labels = np.full((n, runs), ABSENT, dtype=np.int64)
    selections = []
    for column, run_seed in enumerate(run_seeds(seed, runs)):
        rows = subsample(n, share, run_seed)
        knn = _sub_neighbours(neighbours, rows, n, n_neighbors)
        reducer = UMAP(
            n_neighbors=n_neighbors,
            n_components=n_components,
            min_dist=0.0,
            metric="cosine",
            n_epochs=EPOCHS,
            random_state=run_seed,  # also makes UMAP single-threaded, hence reproducible
            low_memory=True,
            n_jobs=1,
            precomputed_knn=(knn[0], knn[1], None),
        )
        with warnings.catch_warnings():
            # precomputed neighbours have no search index, so UMAP's transform() is unavailable: unused
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
            reduced = reducer.fit_transform(vectors[rows])

        # "eom" picks the most stable clusters, which in interview talk is often one blob holding
        # most statements; then the finer "leaf" clusters are taken
        selection = "eom"
        found_labels = _hdbscan(reduced, min_cluster_size, min_samples, selection)
        clustered = found_labels[found_labels >= 0]
        if len(clustered) and np.bincount(clustered).max() > BLOB_SHARE * len(rows):
            selection = "leaf"
            found_labels = _hdbscan(reduced, min_cluster_size, min_samples, selection)
        labels[rows, column] = found_labels
        selections.append(selection)
    return Ensemble(labels, tuple(selections))


def search_size(n_neighbors: int, share: float = SUBSAMPLE) -> int:
    """Neighbours to find per statement so that a subsample of ``share`` keeps ``n_neighbors`` of them."""
    return n_neighbors if share >= 1.0 else 2 * n_neighbors


def subsample(n: int, share: float, seed: int) -> NDArray[np.int64]:
    """The rows (sorted) a run with ``seed`` clusters: ``share`` of ``n``, all of them at 1.0."""
    if share >= 1.0:
        return np.arange(n)
    size = max(2, round(share * n))
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _sub_neighbours(
    neighbours: tuple[NDArray[np.int64], NDArray[np.float32]], rows: NDArray[np.int64], n: int, k: int
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Each of ``rows``'s ``k`` nearest among ``rows``, numbered within ``rows``, from the full graph.

    A row with fewer than ``k`` of its found neighbours in the subsample repeats its farthest one.
    """
    position = np.full(n, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    index = position[neighbours[0][rows]]
    distance = neighbours[1][rows]
    present = index >= 0
    order = np.argsort(~present, axis=1, kind="stable")[:, :k]  # present ones first, nearest first
    index = np.take_along_axis(index, order, axis=1)
    distance = np.take_along_axis(distance, order, axis=1)
    missing = np.take_along_axis(present, order, axis=1) == 0
    if missing.any():
        last = np.maximum(np.take_along_axis(present, order, axis=1).sum(axis=1) - 1, 0)[:, None]
        fill_index = np.take_along_axis(index, last, axis=1)
        fill_distance = np.take_along_axis(distance, last, axis=1)
        index = np.where(missing, fill_index, index)
        distance = np.where(missing, fill_distance, distance)
    return np.ascontiguousarray(index), np.ascontiguousarray(distance, dtype=np.float32)


def _hdbscan(reduced: Matrix, min_cluster_size: int, min_samples: int, selection: str) -> Labels:
    from hdbscan import HDBSCAN

    model = HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        metric="euclidean",
        cluster_selection_method=selection,
        prediction_data=False,
    )
    return np.asarray(model.fit_predict(reduced), dtype=np.int64)


def co_association(labels: Labels) -> Matrix:
    """For each pair of rows, the share of the runs (columns) that clustered both giving both the
    same cluster (not -1); 0 for a pair no run clustered together."""
    n, runs = labels.shape
    together = np.zeros((n, n), dtype=np.float32)
    for column in range(runs):
        one_hot = _one_hot(labels[:, column])
        together += one_hot @ one_hot.T
    present = (labels != ABSENT).astype(np.float32)
    both = present @ present.T
    np.divide(together, both, out=together, where=both > 0)  # a pair no run had both of stays 0
    return together


def _one_hot(column: Labels) -> Matrix:
    clusters = int(column.max()) + 1 if len(column) else 0
    one_hot = np.zeros((len(column), max(clusters, 1)), dtype=np.float32)
    rows = np.flatnonzero(column >= 0)
    one_hot[rows, column[rows]] = 1.0
    return one_hot


def consensus(labels: Labels, min_size: int, agree: float = AGREE) -> list[int]:
    """One cluster number per row (0, 1, … biggest first; -1 for none) from the runs' ``labels``.

    Average linkage on 1 − co-association, cut at 1 − ``agree``; clusters of fewer than
    ``min_size`` rows become -1. The same labels give the same result, whatever the order of the
    runs' cluster numbers.
    """
    n, runs = labels.shape
    out = np.full(n, UNASSIGNED, dtype=np.int64)
    if n == 0 or runs == 0:
        return out.tolist()
    # a statement clustered in at most ``agree`` of its runs shares a cluster with nobody in more
    # than that share of them, so it can join no group at the cut: leave it out of the linkage
    in_cluster = (labels >= 0).sum(axis=1) / np.maximum((labels != ABSENT).sum(axis=1), 1)
    candidates = np.flatnonzero(in_cluster > agree)
    if len(candidates) == 0:
        return out.tolist()
    atoms, inverse, weights = np.unique(labels[candidates], axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    distance = 1.0 - co_association(atoms).astype(np.float64)
    groups = _cut(_average_linkage(distance, weights.astype(np.float64)), len(atoms), 1.0 - agree)
    sizes = Counter(int(groups[a]) for a in inverse)
    kept = sorted((g for g, size in sizes.items() if size >= min_size), key=lambda g: (-sizes[g], g))
    number = {g: k for k, g in enumerate(kept)}
    for row, atom in zip(candidates, inverse, strict=True):
        out[row] = number.get(int(groups[atom]), UNASSIGNED)
    return out.tolist()


def _average_linkage(
    distance: NDArray[np.float64], weights: NDArray[np.float64]
) -> list[tuple[int, int, float]]:
    """Weighted average linkage (UPGMA) by the nearest-neighbour chain: merges ``(kept, absorbed, height)``.

    Row ``i`` of ``distance`` stands for ``weights[i]`` identical points; the merges are those of
    average linkage over the points. Ties go to the lower row, so the result is deterministic.
    """
    d = distance.copy()
    m = len(d)
    np.fill_diagonal(d, np.inf)
    size = weights.copy()
    active = np.ones(m, dtype=bool)
    merges: list[tuple[int, int, float]] = []
    chain: list[int] = []
    for _ in range(m - 1):
        while True:
            if not chain:
                chain.append(int(np.flatnonzero(active)[0]))
            a = chain[-1]
            b = int(np.argmin(d[a]))
            if len(chain) > 1 and d[a, chain[-2]] <= d[a, b]:
                b = chain[-2]
            if len(chain) > 1 and b == chain[-2]:
                break
            chain.append(b)
        chain.pop()
        chain.pop()
        keep, gone = min(a, b), max(a, b)
        height = float(d[a, b])
        merged = (size[keep] * d[keep] + size[gone] * d[gone]) / (size[keep] + size[gone])
        d[keep] = merged
        d[:, keep] = merged
        d[keep, keep] = np.inf
        d[gone] = np.inf
        d[:, gone] = np.inf
        size[keep] += size[gone]
        active[gone] = False
        merges.append((keep, gone, height))
    return merges


def _cut(merges: Sequence[tuple[int, int, float]], m: int, height: float) -> NDArray[np.int64]:
    """A group number per row: rows joined by merges below ``height`` share one."""
    parent = np.arange(m)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for keep, gone, h in merges:  # reducible linkage: a merge above the cut is never below one later
        if h < height:
            parent[root(gone)] = root(keep)
    return np.array([root(i) for i in range(m)], dtype=np.int64)


def stability(labels: Labels, rows: Sequence[int]) -> float:
    """The share of runs in which two of ``rows``, taken at random, share a cluster (0-1).

    The mean co-association over the pairs of ``rows``; 1.0 for a single row.
    """
    members = labels[np.asarray(rows, dtype=np.int64)]
    n, runs = members.shape
    if n < 2 or runs == 0:
        return 1.0
    pairs = possible = 0.0
    for column in range(runs):
        clustered = members[:, column][members[:, column] >= 0]
        counts = np.bincount(clustered) if len(clustered) else np.zeros(1, dtype=np.int64)
        pairs += float((counts * (counts - 1)).sum())
        present = int((members[:, column] != ABSENT).sum())
        possible += present * (present - 1)
    return float(pairs / possible) if possible else 1.0
