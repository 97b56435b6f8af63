"""A fit guided by the codebook: code confidences clustered beside the embeddings."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from thememine.themes.coding import CodeTexts, code_model, content_rows, guide, run_guide
from thememine.themes.decisions import MERGE, Decision, apply_all
from thememine.themes.fit import GUIDE_WEIGHT, content_mask, guided, stability_now
from thememine.themes.fitting import fit_run
from thememine.themes.model import Unit

N = 120  # enough statements for a consensus fit


def units(n: int = N) -> list[Unit]:
    return [
        Unit(f"s{i}", f"doc{i % 4}", "IP1", 10 * i, 10 * i + 9, f"udsagn nummer {i} om arbejdet", "g")
        for i in range(n)
    ]


def noise(n: int = N, dim: int = 24, seed: int = 3) -> np.ndarray:
    """Embeddings with no structure at all."""
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


def two_codes(n: int = N) -> np.ndarray:
    """Confidences that read the first half as code 0 and the second as code 1."""
    found = np.full((n, 2), 0.05, dtype=np.float32)
    found[: n // 2, 0] = 0.9
    found[n // 2 :, 1] = 0.9
    return found


def test_without_a_guide_the_fit_sees_the_embeddings_as_they_are() -> None:
    vectors = noise()
    assert guided(vectors, None) is vectors
    assert guided(vectors, np.zeros((N, 0), dtype=np.float32)) is vectors


def test_the_guide_stands_beside_the_centred_embeddings_weighted() -> None:
    vectors, confidences = noise(), two_codes()
    space = guided(vectors, confidences)
    assert space.shape == (N, vectors.shape[1] + 2)
    np.testing.assert_allclose(space[:, -2:], GUIDE_WEIGHT * confidences)
    with pytest.raises(ValueError, match="one row of code confidences per statement"):
        guided(vectors, confidences[:-1])


def test_the_codebook_guide_groups_what_the_embeddings_cannot() -> None:
    truth = [0] * (N // 2) + [1] * (N // 2)
    plain = fit_run(units(), noise(), seed=42)
    steered = fit_run(units(), noise(), seed=42, guide=two_codes())
    assert adjusted_rand_score(truth, plain.assignment) < 0.2
    assert adjusted_rand_score(truth, steered.assignment) > 0.9
    assert steered.settings["guided_by_codebook"] is True
    assert plain.settings["guided_by_codebook"] is False


def test_a_guide_with_the_wrong_number_of_rows_is_refused() -> None:
    with pytest.raises(ValueError, match="one row of code confidences per statement"):
        fit_run(units(), noise(), seed=42, guide=two_codes(N - 1))


def codebook_texts(dim: int = 24) -> CodeTexts:
    """Two codes, each with a description and four examples near its own direction."""
    rng = np.random.default_rng(7)
    directions = rng.normal(size=(2, dim))
    examples = np.vstack([directions[c] + rng.normal(scale=0.3, size=(4, dim)) for c in range(2)])
    return CodeTexts(directions.astype(np.float32), examples.astype(np.float32), (0,) * 4 + (1,) * 4)


def test_a_changed_theme_is_measured_in_the_space_it_was_fitted_in() -> None:
    """After a merge, the stability comes from the guided runs again, rebuilt from the saved code
    vectors and the calibration in the run's settings, not from the embeddings alone."""
    texts = codebook_texts()
    these, vectors = units(), noise()
    rows = content_rows(these, content_mask(these))
    model = code_model(texts, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), rows)
    confidences = guide(these, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), model, rows)
    settings = {"code_calibration": model.calibration.to_dict()}
    run = fit_run(these, vectors, seed=42, extra=settings, guide=confidences)
    rebuilt = run_guide(run, model.vectors, rows)
    assert rebuilt is not None
    np.testing.assert_allclose(rebuilt, confidences, atol=1e-6)
    assert run_guide(fit_run(these, vectors, seed=42, extra=settings), model.vectors, rows) is None

    first, second = sorted(run.themes)[:2]
    merged = {first: sorted(run.members(first) + run.members(second))}
    apply_all(run, [Decision(MERGE, first, others=(second,))], model.vectors, ["a", "b"], "test")
    survivor = first
    expected = stability_now(run.embeddings, rows, 42, {survivor: merged[first]}, rebuilt[rows])[survivor]
    unguided = stability_now(run.embeddings, rows, 42, {survivor: merged[first]})[survivor]
    assert run.themes[survivor].stability == expected
    assert expected != unguided


def test_the_guide_refuses_a_code_model_that_reads_the_words() -> None:
    """The fit's guide is the embeddings' alone; a model with the lexical score has a calibration
    fitted on scores with the words, which the guide would misread."""
    base = codebook_texts()
    texts = CodeTexts(
        base.descriptions,
        base.examples,
        base.owners,
        ("a: arbejdet og planen", "b: mødet med lægen"),
        ("arbejdet", "planen", "arbejdet igen", "planen igen", "lægen", "mødet", "lægen igen", "mødet igen"),
    )
    these, vectors = units(), noise()
    rows = content_rows(these, content_mask(these))
    unit_vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    with_words = code_model(texts, unit_vectors, rows, statements=[u.text for u in these])
    assert with_words.lexical is not None
    with pytest.raises(ValueError, match="embeddings alone"):
        guide(these, unit_vectors, with_words, rows)
    assert guide(these, unit_vectors, code_model(texts, unit_vectors, rows), rows).shape == (N, 2)
