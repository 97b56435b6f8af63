"""Consensus clustering: co-association, the majority cut, stability per theme, seeds that agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_rand_score

from thememine.runfolder import STATE_FILE, THEMES_FILE, load_run
from thememine.themes import consensus
from thememine.themes.fitting import fit_run
from thememine.themes.model import Unit
from thememine.themes.store import save_run


def runs_of(*columns: list[int]) -> np.ndarray:
    return np.array(columns, dtype=np.int64).T


def test_co_association_counts_runs_together_and_never_outliers() -> None:
    labels = runs_of([0, 0, 1, -1], [3, 3, 3, -1])
    together = consensus.co_association(labels)
    assert together[0, 1] == 1.0 and together[0, 2] == 0.5 and together[3, 3] == 0.0
    assert np.allclose(together, together.T)


def test_runs_that_agree_give_their_clusters_whatever_the_numbering() -> None:
    base = [0] * 6 + [1] * 6 + [2] * 6
    renumbered = [{0: 2, 1: 0, 2: 1}[x] for x in base]
    labels = runs_of(base, renumbered, base)
    assert consensus.consensus(labels, min_size=3) == [0] * 6 + [1] * 6 + [2] * 6


@pytest.mark.parametrize(
    ("agree", "expected"),
    [(0.5, [0] * 6 + [-1] * 4), (0.3, [0] * 6 + [1] * 3 + [0])],
)
def test_the_cut_decides_and_small_or_mostly_outlying_groups_are_no_theme(
    agree: float, expected: list[int]
) -> None:
    # rows 0-5 together in every run; 6-8 together in one run of three; 9 an outlier in two of three
    labels = runs_of(
        [0] * 6 + [1, 1, 1] + [0],
        [0] * 6 + [1, 2, 3] + [-1],
        [0] * 6 + [4, 5, 6] + [-1],
    )
    assert consensus.consensus(labels, min_size=2, agree=agree) == expected


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighted_average_linkage_is_average_linkage_over_the_points(seed: int) -> None:
    rng = np.random.default_rng(seed)
    atoms = rng.normal(size=(30, 3))
    weights = rng.integers(1, 4, size=30)
    points = np.repeat(atoms, weights, axis=0)  # each atom stands for `weight` identical points

    def distances(x: np.ndarray) -> np.ndarray:
        return np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))

    cut = float(np.median(distances(atoms)))
    merges = consensus._average_linkage(distances(atoms), weights.astype(np.float64))
    ours = np.repeat(consensus._cut(merges, len(atoms), cut), weights)
    condensed = distances(points)[np.triu_indices(len(points), 1)]
    theirs = fcluster(linkage(condensed, "average"), t=cut, criterion="distance")
    assert len(set(theirs)) > 1
    assert adjusted_rand_score(ours, theirs) == 1.0


def test_stability_is_high_for_a_tight_cluster_and_low_for_a_random_split() -> None:
    rng = np.random.default_rng(0)
    tight = np.zeros((30, 20), dtype=np.int64)
    assert consensus.stability(tight, range(30)) == 1.0
    random_split = rng.integers(0, 2, size=(30, 20))
    assert consensus.stability(random_split, range(30)) == pytest.approx(0.5, abs=0.06)
    halves = np.where(np.arange(30)[:, None] < 15, 0, -1).repeat(20, axis=1)
    assert consensus.stability(halves, range(30)) < 0.3  # half of it is an outlier in every run
    assert consensus.stability(halves, [3]) == 1.0


def test_run_seeds_are_distinct_and_fixed_by_the_seed() -> None:
    seeds = consensus.run_seeds(42)
    assert len(set(seeds)) == consensus.RUNS and seeds == consensus.run_seeds(42)
    assert seeds != consensus.run_seeds(1)


def separated(
    per_theme: int = 40, themes: int = 4, dim: int = 24
) -> tuple[list[Unit], np.ndarray, list[int]]:
    rng = np.random.default_rng(5)
    centres = np.linalg.qr(rng.normal(size=(dim, dim)))[0][:themes]
    units, vectors, truth = [], [], []
    words = ["frister sygedagpenge", "samtykke tavshedspligt", "netværksmøde plan", "tolk sprog"]
    for t in range(themes):
        for i in range(per_theme):
            units.append(Unit(f"d{t}:{i}", f"d{t}", "IP", 0, 10, f"Vi taler om {words[t]} igen ({i}).", "g"))
            vectors.append(centres[t] + rng.normal(scale=0.12, size=dim))
            truth.append(t)
    return units, np.asarray(vectors, dtype=np.float32), truth


def test_seeds_agree_on_well_separated_themes_and_each_seed_repeats_itself() -> None:
    units, vectors, truth = separated()
    fits = {seed: fit_run(units, vectors, seed=seed) for seed in (42, 1)}
    again = fit_run(units, vectors, seed=42)
    assert again.assignment == fits[42].assignment
    assert adjusted_rand_score(fits[42].assignment, fits[1].assignment) == 1.0
    assert adjusted_rand_score(truth, fits[42].assignment) == 1.0
    run = fits[42]
    assert run.settings["method"] == "consensus" and run.settings["runs"] == consensus.RUNS
    assert all(t.stability is not None and t.stability > 0.9 for t in run.themes.values())


def test_stability_is_written_and_read_back(tmp_path: Path) -> None:
    units, vectors, _ = separated()
    run = fit_run(units, vectors, seed=3)
    save_run(run, tmp_path)
    written = yaml.safe_load((tmp_path / THEMES_FILE).read_text(encoding="utf-8"))
    assert all(0.9 < entry["stability"] <= 1.0 for entry in written["themes"])
    assert (tmp_path / STATE_FILE).read_text(encoding="utf-8").count('"stability"') == len(run.themes)
    loaded = load_run(tmp_path)
    assert {i: t.stability for i, t in loaded.themes.items()} == {
        i: t.stability for i, t in run.themes.items()
    }


def test_a_small_corpus_has_no_stability_measured() -> None:
    units, vectors, _ = separated(per_theme=10)
    run = fit_run(units, vectors, seed=1)
    assert run.settings["method"] == "agglomerative"
    assert all(t.stability is None for t in run.themes.values())


def test_co_association_and_stability_count_only_the_runs_that_clustered_both() -> None:
    absent = consensus.ABSENT
    labels = runs_of([0, 0, 1, 1], [absent, 2, 2, absent], [5, 5, absent, 1])
    together = consensus.co_association(labels)
    assert together[0, 1] == 1.0  # together in both runs that had both
    assert together[1, 2] == 0.5 and together[0, 3] == 0.0
    assert consensus.stability(labels, [0, 1]) == 1.0
    assert consensus.stability(labels, [1, 2]) == 0.5


def test_absent_statements_join_the_theme_their_runs_put_them_in() -> None:
    absent = consensus.ABSENT
    base = [0] * 5 + [1] * 5
    labels = runs_of(base, [absent, *base[1:]], [*base[:-1], absent])
    assert consensus.consensus(labels, min_size=3) == base


@pytest.mark.parametrize("share", [1.0, 0.9, 0.5])
def test_a_run_clusters_its_own_subsample_fixed_by_its_seed(share: float) -> None:
    rows = consensus.subsample(100, share, seed=7)
    assert len(rows) == round(share * 100) and len(set(rows.tolist())) == len(rows)
    assert np.array_equal(rows, np.sort(rows)) and np.array_equal(rows, consensus.subsample(100, share, 7))
    if share < 1.0:
        assert not np.array_equal(rows, consensus.subsample(100, share, 8))


def test_subsample_neighbours_are_the_nearest_kept_ones_numbered_within_it() -> None:
    from thememine.themes.fit import nearest_neighbours

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    rows = consensus.subsample(60, 0.9, seed=3)
    graph = nearest_neighbours(vectors, consensus.search_size(6, 0.9))
    index, distance = consensus._sub_neighbours(graph, rows, 60, 6)
    exact_index, exact_distance = nearest_neighbours(vectors[rows], 6)
    assert np.array_equal(index, exact_index)
    assert np.allclose(distance, exact_distance, atol=1e-6)
