"""Consensus clustering: themes that many seeded clusterings of the statements agree on.

One UMAP + HDBSCAN run depends on its random seed: on the sample corpus two seeds agreed at an
adjusted Rand index of 0.3-0.5, and even a consensus of ten such runs only reached 0.70 between
seeds (docs/themes.md). Interview talk has weak cluster structure, so any single partition of it is
one of many nearly equal ones. A fit therefore combines :data:`RUNS` cheap clusterings, each with
its own seed drawn from the fit's seed, and keeps what they agree on (evidence accumulation, Fred &
Jain 2005; the stability analysis of topic models in Greene, O'Callaghan & Cunningham 2014 and
Belford, Mac Namee & Greene 2018 likewise combines many runs rather than trusting one):

1. **Spectral coordinates**, once per fit: the statements' :data:`NEIGHBOURS`-nearest-neighbour
   graph (cosine), and the leading eigenvectors of its Laplacian (spectral embedding, as spectral
   clustering uses; the same graph UMAP starts from). Neighbourhoods, not single distances, decide
   what belongs together.
2. **Runs**: each run takes its own random :data:`SUBSAMPLE` of the statements (so that only
   groupings that survive missing statements are kept, as leaving an interview out does) and
   k-means with its own number of clusters on the first k coordinates: k is a number drawn
   uniformly between √n / 3 and 0.6 √n (at most :data:`MOST_CLUSTERS`) and then rounded, so that a
   corpus a little smaller draws nearly the same numbers. (Drawing a whole number between the
   range's rounded ends lost the largest k as soon as an interview was left out of the sample,
   7-13 clusters at 472 statements against 7-12 at 400, and with it a theme.) Varying k is what
   evidence accumulation asks for: statements that stay together at many resolutions form a
   theme. When the graph's eigenvalues show c clearly separate groups (a gap of at least
   :data:`CLEAR_GAP` after the c-th smallest, the eigengap heuristic of von Luxburg 2007), every
   run makes c clusters instead:
   otherwise more clusters than groups would split each group the same way in every run, and the
   halves would stand as themes.
3. **Co-association**: for two statements, the share of the runs that clustered both that put
   them in the same cluster.
4. **Cut**: average linkage on 1 − co-association, cut where two groups of statements share a
   cluster in at most :data:`AGREE` of their runs on average. The number of themes follows from
   that cut; no count is chosen. Groups smaller than ``min_size`` are not themes: their statements
   are left to outlier reduction.
5. **Stability** of a theme: the share of runs in which two of its statements, taken at random
   among those the run clustered, are in the same cluster (the mean co-association of its
   pairs), from 0 to 1.

Above :data:`ATOMS` statements the runs cluster :data:`ATOMS` micro-clusters of the spectral
coordinates (k-means, weighted by their statements) instead of the statements one by one, so that
the co-association matrix stays :data:`ATOMS` square: a 10,000-statement fit takes about as long as
one UMAP + HDBSCAN run did. Statements with identical labels in every run are clustered as one
weighted point: no run tells them apart.

The method, the subsample share, the neighbours, the number of runs, the cut and the drawing of k
were chosen on the sample corpus by the agreement between seeds and between fits that each leave
the focus group or one jobcenter interview out (``benchmarks/eval_stability.py``, docs/themes.md),
not by the gold themes.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from thememine.embed.base import normalise_rows
from thememine.themes.model import UNASSIGNED, Matrix

log = logging.getLogger(__name__)

RUNS = 100  # seeded k-means runs per fit
NEIGHBOURS = 15  # neighbours per statement in the graph of the spectral coordinates
MOST_CLUSTERS = 40  # the most clusters one run makes (and spectral coordinates computed)
ATOMS = 2_000  # above this many statements, runs cluster this many micro-clusters
# From AMG_FROM statements the eigenvectors are found by LOBPCG with an algebraic-multigrid
# preconditioner (ARPACK below): at 5,000 statements about 1.5 s against 15-18 s. The multigrid's
# set-up (pyamg) draws start vectors from NumPy's global random numbers, which made the coordinates
# of the same graph differ by up to 2e-6 from one fit to the next, and once in four fits of 10,000
# statements changed the themes (ARI 0.96 to the others); it now draws from a fixed seed
# (:data:`MULTIGRID_SEED`), so fits repeat exactly at every size.
AMG_FROM = 1_000
MULTIGRID_SEED = 0
CLEAR_GAP = 0.2  # an eigengap this wide means that many clearly separate groups (eigenvalues 0-2)
AGREE = (
    0.3  # statements form a theme when, on average, more than this share of their runs keeps them together
)
SUBSAMPLE = 0.9  # share of the statements each run clusters, drawn afresh per run (1.0: all of them)
ABSENT = -2  # label of a statement left out of a run's subsample

Labels = NDArray[np.int64]
Coordinates = NDArray[np.float64]  # spectral coordinates, one row per statement or micro-cluster
Neighbours = tuple[NDArray[np.int64], NDArray[np.float32]]  # indices and cosine distances, nearest first


@dataclass(frozen=True)
class Ensemble:
    """The cluster labels of every run: one row per statement, one column per run.

    :data:`ABSENT`: not in that run's subsample.
    """

    labels: Labels
    clusters: tuple[int, ...]  # the number of clusters each run made

    @property
    def resolution(self) -> str:
        """The range of clusters per run, e.g. "7-13"."""
        if not self.clusters:
            return ""
        low, high = min(self.clusters), max(self.clusters)
        return str(low) if low == high else f"{low}-{high}"


def run_seeds(seed: int, runs: int = RUNS) -> list[int]:
    """The seeds of the runs of a fit with ``seed``: distinct, and the same for the same seed."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(runs) % (2**31 - 1)]


def _cluster_span(n: int) -> tuple[float, float]:
    """The range a run of ``n`` statements draws its number of clusters from, unrounded: √n / 3 to
    0.6 √n, at most :data:`MOST_CLUSTERS` (above 14,400 statements: between 39 and 40)."""
    root = math.sqrt(max(n, 1))
    high = min(MOST_CLUSTERS, 0.6 * root)
    return min(root / 3, high - 1), high


def cluster_range(n: int) -> tuple[int, int]:
    """The fewest and most clusters a run of ``n`` statements makes: about √n / 3 to 0.6 √n
    (7-13 at 472 statements, 33-40 at 10,000), at most :data:`MOST_CLUSTERS`."""
    low, high = _cluster_span(n)
    most = max(3, min(round(high), n - 1))
    return min(most - 1, max(2, round(low))), most


def ensemble(
    vectors: Matrix, seed: int, neighbours: Neighbours, runs: int = RUNS, share: float = SUBSAMPLE
) -> Ensemble:
    """``runs`` seeded k-means clusterings of the spectral coordinates of ``vectors`` (rows:
    statements), each of its own ``share`` of them.

    ``neighbours`` is each statement's nearest-neighbour list (itself among them, at least
    :data:`NEIGHBOURS` + 1 per row).
    """
    from sklearn.cluster import KMeans

    n = len(vectors)
    most = cluster_range(n)[1]
    coordinates, eigenvalues = spectral_coordinates(neighbours, most + 1)
    clear = clear_groups(eigenvalues[: most + 1])
    atom_of, centres, weights = micro_clusters(coordinates[:, :most], seed)
    labels = np.full((len(centres), runs), ABSENT, dtype=np.int64)
    clusters = []
    for column, run_seed in enumerate(run_seeds(seed, runs)):
        rows = subsample(len(centres), share, run_seed)
        k = clear if clear is not None else draw_clusters(n, run_seed)
        points = normalise_rows(centres[rows, :k])
        found = KMeans(k, n_init=1, random_state=run_seed).fit_predict(points, sample_weight=weights[rows])
        labels[rows, column] = found
        clusters.append(k)
    return Ensemble(labels[atom_of], tuple(clusters))


def draw_clusters(n: int, seed: int) -> int:
    """The number of clusters of a run with ``seed`` on ``n`` statements: drawn uniformly between
    √n / 3 and 0.6 √n (at most :data:`MOST_CLUSTERS`), rounded, within :func:`cluster_range`.

    Drawn from a continuous range, so that a few statements fewer shift the draws a little instead of
    losing or gaining a whole number of clusters at the range's ends."""
    fewest, most = cluster_range(n)
    drawn = np.random.default_rng(seed).uniform(*_cluster_span(n))
    return int(min(most, max(fewest, round(drawn))))


def spectral_coordinates(neighbours: Neighbours, components: int) -> tuple[Coordinates, NDArray[np.float64]]:
    """The first ``components`` eigenvectors of the neighbour graph's normalised Laplacian (one row
    per statement) and their eigenvalues, smallest first.

    The graph joins each statement to its :data:`NEIGHBOURS` nearest (either way round). The
    eigensolver starts from a fixed vector: the same graph gives the same coordinates, whatever the
    fit's seed.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import laplacian
    from sklearn.manifold import spectral_embedding

    indices = neighbours[0][:, 1 : NEIGHBOURS + 1]
    n = len(indices)
    rows = np.repeat(np.arange(n), indices.shape[1])
    graph = csr_matrix((np.ones(rows.size), (rows, indices.reshape(-1))), shape=(n, n))
    graph = 0.5 * (graph + graph.T)
    solver = "amg" if n >= AMG_FROM else "arpack"
    with warnings.catch_warnings():
        # a graph in several pieces still has coordinates; its pieces end up in different themes
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        # LOBPCG (from AMG_FROM statements) may stop at residuals of about 1e-4 instead of its own
        # tolerance: far finer than k-means on these coordinates can tell, so not the user's concern
        warnings.filterwarnings("ignore", message="Exited at iteration")
        warnings.filterwarnings("ignore", message="Exited postprocessing")
        with _global_random_numbers(MULTIGRID_SEED):
            coordinates = spectral_embedding(
                graph,
                n_components=min(components, n - 1),
                eigen_solver=solver,
                random_state=0,
                drop_first=False,
            )
    coordinates = np.asarray(coordinates, dtype=np.float64)
    # scikit-learn returns D^-1/2 u for each eigenvector u; its eigenvalue is u's Rayleigh quotient
    normalised, degree_root = laplacian(graph, normed=True, return_diag=True)
    vectors = coordinates * degree_root[:, None]
    eigenvalues = np.einsum("ij,ij->j", vectors, normalised @ vectors) / np.einsum(
        "ij,ij->j", vectors, vectors
    )
    return coordinates, eigenvalues


@contextmanager
def _global_random_numbers(seed: int) -> Iterator[None]:
    """NumPy's global random numbers seeded with ``seed`` inside, and as they were after: pyamg
    draws from them and takes no seed of its own."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def clear_groups(eigenvalues: NDArray[np.float64]) -> int | None:
    """How many clearly separate groups the eigenvalues (smallest first) show, if any: the c ≥ 2
    after which the widest gap lies, when that gap is at least :data:`CLEAR_GAP`."""
    if len(eigenvalues) < 3:
        return None
    gaps = np.diff(eigenvalues)[1:]  # gaps[i]: after the (i + 2)-th eigenvalue
    widest = int(np.argmax(gaps))
    return widest + 2 if gaps[widest] >= CLEAR_GAP else None


def micro_clusters(coordinates: Coordinates, seed: int) -> tuple[Labels, Coordinates, NDArray[np.float64]]:
    """Each statement's micro-cluster, the micro-clusters' mean coordinates and their sizes.

    Up to :data:`ATOMS` statements every statement is its own.
    """
    from sklearn.cluster import KMeans

    n = len(coordinates)
    if n <= ATOMS:
        return np.arange(n, dtype=np.int64), coordinates, np.ones(n)
    atom_of = KMeans(ATOMS, n_init=1, random_state=seed).fit_predict(coordinates).astype(np.int64)
    atom_of = np.unique(atom_of, return_inverse=True)[1].reshape(-1).astype(np.int64)  # without gaps
    weights = np.bincount(atom_of).astype(np.float64)
    sums = np.zeros((len(weights), coordinates.shape[1]))
    np.add.at(sums, atom_of, coordinates)
    return atom_of, sums / weights[:, None], weights


def subsample(n: int, share: float, seed: int) -> NDArray[np.int64]:
    """The rows (sorted) a run with ``seed`` clusters: ``share`` of ``n``, all of them at 1.0."""
    if share >= 1.0:
        return np.arange(n)
    size = max(2, round(share * n))
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


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
