"""Fitting themes: scaled settings, determinism, small corpora, fillers, outliers, run files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
import yaml

from thememine.runfolder import ASSIGNMENTS_FILE, STATE_FILE, THEMES_FILE, load_run
from thememine.themes import fit
from thememine.themes.coding import code_vectors, codes_csv, zero_shot
from thememine.themes.fit import cluster, nearest_neighbours, reduce_outliers, scaled_settings
from thememine.themes.fitting import fit_run
from thememine.themes.model import UNASSIGNED, Code, Codebook, Unit
from thememine.themes.store import save_run

TOPICS = {
    "frister": "Fristerne i sygedagpengeloven presser os, og sagsbehandleren når ikke at vurdere borgeren ordentligt",
    "samtykke": "Uden samtykke fra borgeren må psykiatrien ikke dele oplysninger, tavshedspligten stopper os",
    "netvaerk": "Netværksmødet med borgeren, psykiatrien og jobcentret gav en fælles plan for forløbet",
}


def synthetic(per_topic: int, seed: int = 0, dim: int = 32) -> tuple[list[Unit], np.ndarray, list[str]]:
    """Statements around three well-separated centres, with texts about each topic."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(dim, dim)))[0][:3]
    units, vectors, truth = [], [], []
    for t, (topic, text) in enumerate(TOPICS.items()):
        for i in range(per_topic):
            units.append(Unit(f"{topic}:{i}", f"{'jobcenter' if i % 2 else 'psykiatri'}__doc0{t}", "IP1", 0, 10,
                              f"{text} ({i}).", "jobcenter" if i % 2 else "psykiatri"))  # fmt: skip
            vectors.append(centres[t] + rng.normal(scale=0.15, size=dim))
            truth.append(topic)
    return units, np.asarray(vectors, dtype=np.float32), truth


def purity(assignment: list[int], truth: list[str]) -> float:
    correct = 0
    for theme in set(assignment) - {UNASSIGNED}:
        members = [truth[i] for i, t in enumerate(assignment) if t == theme]
        correct += max(members.count(x) for x in set(members))
    return correct / len(truth)


def test_settings_grow_with_the_corpus() -> None:
    small, mid, big = scaled_settings(100, 1), scaled_settings(10_000, 1), scaled_settings(100_000, 1)
    assert small.min_cluster_size < mid.min_cluster_size < big.min_cluster_size <= 200
    assert 10 <= small.n_neighbors <= mid.n_neighbors <= big.n_neighbors <= 50


@pytest.mark.parametrize("per_topic", [14, 40])  # 42 statements: agglomerative; 120: consensus
def test_three_clear_topics_give_three_themes(per_topic: int) -> None:
    units, vectors, truth = synthetic(per_topic)
    run = fit_run(units, vectors, seed=3)
    assert len(run.themes) == 3
    assert purity(run.assignment, truth) > 0.95
    assert run.unassigned_share < 0.05
    assert run.settings["method"] == ("agglomerative" if per_topic == 14 else "consensus")
    for theme in run.themes.values():
        assert theme.size == len(run.members(theme.id)) and len(theme.quotes) == 5
        assert theme.keywords and theme.label
        assert set(theme.by_group) == {"jobcenter", "psykiatri"}
    # the quotes of a theme come from different documents first
    labels = [t.label for t in run.themes.values()]
    assert len(set(labels)) == 3


@pytest.mark.parametrize("n", [1, 7, 300])
def test_nearest_neighbours_are_exact_and_nearest_first(n: int) -> None:
    rng = np.random.default_rng(n)
    vectors = rng.normal(size=(n, 16)).astype(np.float32)
    vectors[n // 2] = vectors[0] * 3  # a row pointing the same way as row 0: distance 0
    indices, distances = nearest_neighbours(vectors, 10)
    k = min(10, n)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    brute = np.maximum(1.0 - unit @ unit.T, 0.0)
    expected = np.argsort(brute, axis=1, kind="stable")[:, :k]
    assert indices.shape == distances.shape == (n, k)
    assert np.allclose(distances, np.take_along_axis(brute, expected, axis=1), atol=1e-5)
    assert np.all(np.diff(distances, axis=1) >= 0)
    assert [set(row) for row in indices] == [set(row) for row in expected]
    if n > 2:
        assert set(indices[0, :2]) == {0, n // 2}


def test_the_runs_share_one_exact_neighbour_search(monkeypatch: pytest.MonkeyPatch) -> None:
    units, vectors, truth = synthetic(40)
    asked: list[int] = []

    def spy(rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        asked.append(len(rows))
        return nearest_neighbours(rows, k)

    monkeypatch.setattr(fit, "nearest_neighbours", spy)
    run = fit_run(units, vectors, seed=3)
    assert asked == [120]  # once for all the consensus runs
    assert len(run.themes) == 3 and purity(run.assignment, truth) > 0.95
    monkeypatch.setattr(fit, "EXACT_NEIGHBOURS", 110)  # now above it: UMAP's own search, once
    assert len(fit_run(units, vectors, seed=3).themes) == 3
    assert asked == [120]


def test_same_input_and_seed_give_the_same_themes() -> None:
    units, vectors, _ = synthetic(40)
    first, second = fit_run(units, vectors, seed=7), fit_run(units, vectors, seed=7)
    assert first.assignment == second.assignment
    assert [t.keywords for t in first.themes.values()] == [t.keywords for t in second.themes.values()]


def test_fillers_form_no_theme_and_stay_unassigned() -> None:
    units, vectors, _ = synthetic(14)
    fillers = [
        Unit(f"f:{i}", "d", "I", 0, 3, text, "", True) for i, text in enumerate(["Mm.", "Ja.", "Øh"] * 5)
    ]
    content_free = [Unit("c:0", "d", "I", 0, 10, "altså, ja, ikke også", "", False)]
    extra = np.tile(vectors[:1], (len(fillers) + 1, 1))
    run = fit_run([*units, *fillers, *content_free], np.vstack([vectors, extra]), seed=1)
    assert all(run.assignment[len(units) + i] == UNASSIGNED for i in range(len(fillers) + 1))
    assert len(run.themes) == 3


@pytest.mark.parametrize("n", [1, 3])
def test_tiny_corpora_give_one_theme(n: int) -> None:
    units, vectors, _ = synthetic(1)
    run = fit_run(units[:n], vectors[:n], seed=1)
    assert len(run.themes) == 1 and run.assignment == [1] * n


def test_split_into_k_themes() -> None:
    _, vectors, _ = synthetic(10)
    labels, settings = cluster(["x"] * len(vectors), vectors, seed=1, n_themes=3)
    assert len(set(labels)) == 3 and settings.method == "agglomerative"


def test_outliers_join_a_theme_only_when_close() -> None:
    _, vectors, _ = synthetic(20)
    labels = [0] * 20 + [1] * 20 + [2] * 20
    labels[5] = labels[30] = UNASSIGNED  # typical members left out by the clustering
    far = np.zeros((1, vectors.shape[1]), dtype=np.float32)
    far[0, -1] = 1.0  # orthogonal to every centre
    reduced = reduce_outliers(np.vstack([vectors, far]), [*labels, UNASSIGNED])
    assert reduced[5] == 0 and reduced[30] == 1
    assert reduced[-1] == UNASSIGNED


def test_run_files_round_trip(tmp_path: Path) -> None:
    units, vectors, _ = synthetic(14)
    run = fit_run(units, vectors, seed=1)
    save_run(run, tmp_path)
    again = load_run(tmp_path)
    assert again.assignment == run.assignment and again.units == run.units
    assert np.allclose(again.embeddings, run.embeddings)
    assert {t: vars(x) for t, x in again.themes.items()} == {t: vars(x) for t, x in run.themes.items()}
    rows = list(csv.DictReader(io.StringIO((tmp_path / ASSIGNMENTS_FILE).read_text(encoding="utf-8"))))
    assert [r["statement_id"] for r in rows] == [u.id for u in units]
    assert {r["theme_label"] for r in rows} == {t.label for t in run.themes.values()}
    edited = yaml.safe_load((tmp_path / THEMES_FILE).read_text(encoding="utf-8"))
    assert [t["id"] for t in edited["themes"]] == sorted(run.themes) and edited["moves"] == []
    assert all(t["action"] == "" and t["status"] == "candidate" for t in edited["themes"])
    (tmp_path / STATE_FILE).unlink()
    with pytest.raises(Exception, match="no theme run"):
        load_run(tmp_path)


def test_codebook_names_themes_once_and_codes_statements() -> None:
    units, vectors, _ = synthetic(14)
    book = Codebook(
        name="test",
        codes=(
            Code("frister", "Frister", "tid", ("a",)),
            Code("samtykke", "Samtykke", "tavshed", ("b",)),
        ),
    )
    lookup = {"Frister: tid": vectors[0], "a": vectors[1], "Samtykke: tavshed": vectors[15], "b": vectors[16]}
    codes = code_vectors(book, lambda texts: np.asarray([lookup[t] for t in texts]))
    run = fit_run(units, vectors, seed=1, code_vectors=codes, code_names=["Frister", "Samtykke"])
    labels = sorted(t.label for t in run.themes.values())
    assert labels.count("Frister") == 1 and labels.count("Samtykke") == 1  # the third theme: keywords
    scored = zero_shot(vectors, codes)
    assert scored[0][0].code == 0 and scored[15][0].code == 1
    table = list(csv.DictReader(io.StringIO(codes_csv(units, scored, book, threshold=0.5))))
    assert len(table) == 2 * len(units)  # both codes, ranked, per statement
    assert table[0]["code_id"] == "frister" and table[0]["coded"] == "yes"
