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


def _groups(sizes: list[int], spread: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(24, 24)))[0][: len(sizes)]
    rows = [
        centres[g] + rng.normal(scale=spread, size=24) for g, size in enumerate(sizes) for _ in range(size)
    ]
    return np.asarray(rows, dtype=np.float32)


def test_separate_groups_show_as_zero_eigenvalues_and_a_clear_gap() -> None:
    from thememine.themes.fit import nearest_neighbours

    vectors = _groups([40, 30, 30], spread=0.1)
    coordinates, eigenvalues = consensus.spectral_coordinates(nearest_neighbours(vectors, 16), 6)
    assert coordinates.shape == (100, 6)
    assert np.allclose(eigenvalues[:3], 0.0, atol=1e-6) and eigenvalues[3] > 0.3
    assert consensus.clear_groups(eigenvalues) == 3
    # the first three coordinates tell the groups apart: constant within each group
    for group in (slice(0, 40), slice(40, 70), slice(70, 100)):
        assert np.allclose(coordinates[group, :3], coordinates[group, :3].mean(axis=0), atol=1e-6)


def test_eigenvalues_without_a_clear_gap_leave_the_number_of_clusters_open() -> None:
    assert consensus.clear_groups(np.array([0.0, 0.16, 0.23, 0.31, 0.35, 0.36])) is None
    assert consensus.clear_groups(np.array([0.0, 0.0, 0.05, 0.5, 0.55])) == 3
    assert consensus.clear_groups(np.array([0.0, 0.6])) is None  # one group: nothing to choose


def test_the_runs_make_a_range_of_cluster_numbers_that_grows_with_the_corpus() -> None:
    assert consensus.cluster_range(472) == (7, 13)
    assert consensus.cluster_range(10_000) == (33, consensus.MOST_CLUSTERS)
    few, most = consensus.cluster_range(60)
    assert 2 <= few < most


@pytest.mark.parametrize("n", [60, 400, 472, 10_000, 100_000])
def test_each_run_draws_its_number_of_clusters_within_the_range(n: int) -> None:
    few, most = consensus.cluster_range(n)
    drawn = [consensus.draw_clusters(n, seed) for seed in consensus.run_seeds(42)]
    assert all(few <= k <= most for k in drawn)
    assert len(set(drawn)) >= 2  # a range, not one number
    assert drawn == [consensus.draw_clusters(n, seed) for seed in consensus.run_seeds(42)]


def test_an_interview_fewer_shifts_the_numbers_of_clusters_drawn_only_a_little() -> None:
    # the ends of the range were rounded before drawing: 472 statements drew 7-13 clusters, 400
    # statements 7-12, so leaving an interview out lost the runs with 13 clusters altogether
    seeds = consensus.run_seeds(42, 1000)
    before = np.array([consensus.draw_clusters(472, s) for s in seeds])
    after = np.array([consensus.draw_clusters(400, s) for s in seeds])
    assert (before == 13).mean() > 0.05
    assert (after == 12).mean() > 0.05  # the largest number is still drawn, one lower
    assert abs(before.mean() - after.mean()) < 1.0
    assert (np.abs(before - after) <= 1).all()  # the same seed draws at most one cluster fewer


def test_large_corpora_are_clustered_as_micro_clusters_weighted_by_their_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consensus, "ATOMS", 50)
    rng = np.random.default_rng(1)
    coordinates = rng.normal(size=(400, 5))
    atom_of, centres, weights = consensus.micro_clusters(coordinates, seed=2)
    assert len(centres) == len(weights) <= 50 and weights.sum() == 400
    assert sorted(set(atom_of.tolist())) == list(range(len(centres)))
    for atom in range(len(centres)):
        assert np.allclose(centres[atom], coordinates[atom_of == atom].mean(axis=0))
    few = consensus.micro_clusters(coordinates[:40], seed=2)
    assert np.array_equal(few[0], np.arange(40)) and np.array_equal(few[1], coordinates[:40])


def test_a_large_fit_through_micro_clusters_finds_the_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    from thememine.themes.fit import nearest_neighbours

    monkeypatch.setattr(consensus, "ATOMS", 60)
    vectors = _groups([150, 100, 100, 50], spread=0.25, seed=3)
    truth = np.repeat(np.arange(4), [150, 100, 100, 50])
    runs = consensus.ensemble(vectors, 5, nearest_neighbours(vectors, 16), runs=20)
    labels = consensus.consensus(runs.labels, min_size=10)
    assert adjusted_rand_score(truth, labels) > 0.95


def test_merged_split_and_moved_themes_get_their_stability_as_they_now_stand() -> None:
    from thememine.themes.decisions import MERGE, MOVE, SPLIT, Decision, apply_decisions
    from thememine.themes.fit import content_mask, stability_now

    units, vectors, _ = separated()
    run = fit_run(units, vectors, seed=4)
    first, second, third = sorted(run.themes)[:3]
    kept = run.themes[third].stability
    apply_decisions(run, [Decision(MERGE, first, others=(second,))])
    merged = run.themes[first].stability
    # two separate groups are together in no run: half of the merged theme's pairs never are
    assert merged is not None and merged < 0.7
    fitted = [i for i, keep in enumerate(content_mask(run.units)) if keep]
    assert merged == stability_now(run.embeddings, fitted, 4, {first: run.members(first)})[first]
    assert run.themes[third].stability == kept  # untouched: measured by the fit, kept

    apply_decisions(run, [Decision(SPLIT, first, k=2)])
    halves = [t for t in run.themes.values() if t.parents == [first]]
    assert len(halves) == 2 and all(t.stability is not None and t.stability > 0.9 for t in halves)

    stranger = run.units[run.members(halves[0].id)[0]].id
    apply_decisions(run, [Decision(MOVE, third, statement=stranger)])
    assert run.themes[third].stability is not None and run.themes[third].stability < kept


def test_decisions_on_the_same_statements_have_the_runs_again_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from thememine.themes import fit
    from thememine.themes.decisions import MERGE, Decision, apply_decisions

    units, vectors, _ = separated()
    run = fit_run(units, vectors, seed=6)
    run.ensemble = None  # as in a run folder written before a fit kept its runs
    calls: list[int] = []
    real = fit.runs_of

    def counted(vectors: np.ndarray, seed: int) -> consensus.Ensemble:
        calls.append(seed)
        return real(vectors, seed)

    monkeypatch.setattr(fit, "runs_of", counted)
    monkeypatch.setattr(fit, "_AGAIN", {})
    first, second, third, fourth = sorted(run.themes)
    apply_decisions(run, [Decision(MERGE, first, others=(second,))])
    apply_decisions(run, [Decision(MERGE, third, others=(fourth,))])
    assert calls == [6]
    assert run.themes[first].stability is not None and run.themes[third].stability is not None


def test_spectral_coordinates_repeat_exactly_above_the_multigrid_size() -> None:
    """From AMG_FROM statements the eigenvectors come from LOBPCG with an algebraic-multigrid
    preconditioner, whose set-up draws from NumPy's global random numbers: the same graph must still
    give the same coordinates, or the same interviews could give other themes."""
    from thememine.themes.fit import centred, neighbours

    rng = np.random.default_rng(5)
    n = consensus.AMG_FROM + 200
    centres = rng.normal(size=(12, 32))
    points = (centres[rng.integers(0, 12, n)] + rng.normal(scale=1.5, size=(n, 32))).astype(np.float32)
    graph = neighbours(centred(points), consensus.NEIGHBOURS + 1, 42)
    first, _ = consensus.spectral_coordinates(graph, 13)
    np.random.seed(12345)  # whatever the global state was before, the result is the same
    second, _ = consensus.spectral_coordinates(graph, 13)
    assert np.array_equal(first, second)
    before = np.random.get_state()[1].copy()
    consensus.spectral_coordinates(graph, 13)
    assert np.array_equal(np.random.get_state()[1], before)  # and the caller's random state is left alone


def test_a_fit_keeps_its_runs_and_a_decision_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from thememine.themes import fit
    from thememine.themes.decisions import MERGE, Decision, apply_all

    units, vectors, _ = separated()
    run = fit_run(units, vectors, seed=3)
    assert run.ensemble is not None and run.ensemble.dtype == np.int16
    assert run.ensemble.shape == (len(units), consensus.RUNS)
    save_run(run, tmp_path)
    loaded = load_run(tmp_path)
    assert loaded.ensemble is not None and np.array_equal(loaded.ensemble, run.ensemble)

    first, second = sorted(loaded.themes)[:2]
    merged = sorted(loaded.members(first) + loaded.members(second))
    expected = round(consensus.stability(run.ensemble.astype(np.int64), merged), 3)
    monkeypatch.setattr(fit, "_runs_again", lambda *args: pytest.fail("the runs were made again"))
    apply_all(loaded, [Decision(MERGE, first, others=(second,))], None, [], "test")
    assert loaded.themes[first].stability == expected
    assert expected < 0.9  # two separate themes merged hold together less than either did


def test_without_kept_runs_a_decision_makes_them_again(tmp_path: Path) -> None:
    from thememine.runfolder import ENSEMBLE_FILE
    from thememine.themes.decisions import MERGE, Decision, apply_all

    units, vectors, _ = separated()
    run = fit_run(units, vectors, seed=3)
    save_run(run, tmp_path)
    assert run.ensemble is not None
    np.save(tmp_path / ENSEMBLE_FILE, run.ensemble[:-1], allow_pickle=False)  # not this run's rows
    assert load_run(tmp_path).ensemble is None
    (tmp_path / ENSEMBLE_FILE).write_bytes(b"not an array")  # damaged: only a shortcut is lost
    loaded = load_run(tmp_path)
    assert loaded.ensemble is None
    first, second = sorted(loaded.themes)[:2]
    merged = sorted(loaded.members(first) + loaded.members(second))
    assert run.ensemble is not None
    apply_all(loaded, [Decision(MERGE, first, others=(second,))], None, [], "test")
    assert loaded.themes[first].stability == round(
        consensus.stability(run.ensemble.astype(np.int64), merged), 3
    )


def test_a_fit_without_runs_takes_an_earlier_fits_runs_away(tmp_path: Path) -> None:
    from thememine.runfolder import ENSEMBLE_FILE

    units, vectors, _ = separated()
    save_run(fit_run(units, vectors, seed=3), tmp_path)
    assert (tmp_path / ENSEMBLE_FILE).is_file()
    small = fit_run(units[:20], vectors[:20], seed=3)  # too few statements for a consensus
    assert small.ensemble is None
    save_run(small, tmp_path)
    assert not (tmp_path / ENSEMBLE_FILE).exists()
    assert load_run(tmp_path).ensemble is None
