from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.embed.fakes import CountingEmbedder, WrongShapeEmbedder, texts
from thememine.embed import EmbedderError, EmbeddingCache, embed_texts


def test_second_run_embeds_nothing(tmp_path: Path) -> None:
    statements = texts(50)
    first = embed_texts(statements, CountingEmbedder(), EmbeddingCache(tmp_path), progress=False)
    embedder = CountingEmbedder()
    second = embed_texts(statements, embedder, EmbeddingCache(tmp_path), progress=False)
    assert (first.cached, first.computed) == (0, 50)
    assert (second.cached, second.computed) == (50, 0)
    assert embedder.seen == []
    np.testing.assert_array_equal(second.vectors, first.vectors)


def test_added_texts_are_the_only_ones_embedded(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    embed_texts(texts(30), CountingEmbedder(), cache, progress=False)
    embedder = CountingEmbedder()
    grown = texts(5, start=100) + texts(30) + texts(3, start=200)
    result = embed_texts(grown, embedder, cache, progress=False)
    assert sorted(embedder.seen) == sorted(texts(5, start=100) + texts(3, start=200))
    assert (result.cached, result.computed) == (30, 8)
    assert result.summary() == "embedded 8 statements, 30 from cache"
    np.testing.assert_array_equal(result.vectors, CountingEmbedder().encode(grown))


def test_vectors_come_back_in_input_order_and_repeats_are_embedded_once(tmp_path: Path) -> None:
    statements = ["b", "a", "b", "c", "a", "b"]
    embedder = CountingEmbedder()
    result = embed_texts(statements, embedder, EmbeddingCache(tmp_path), batch_size=2, progress=False)
    assert sorted(embedder.seen) == ["a", "b", "c"]
    assert (result.cached, result.computed) == (0, 6)
    np.testing.assert_array_equal(result.vectors, CountingEmbedder().encode(statements))


def test_texts_reach_the_model_shortest_first_and_come_back_in_input_order() -> None:
    statements = ["en lang sætning om jobcentret", "kort", "en mellemlang", "kort", "ja"]
    embedder = CountingEmbedder()
    result = embed_texts(statements, embedder, None, batch_size=2, progress=False)
    assert embedder.seen == ["ja", "kort", "en mellemlang", "en lang sætning om jobcentret"]
    np.testing.assert_array_equal(result.vectors, CountingEmbedder().encode(statements))


@pytest.mark.parametrize(("count", "batch_size", "expected"), [(10, 4, [4, 4, 2]), (3, 64, [3]), (0, 8, [])])
def test_batches_bound_what_reaches_the_model(count: int, batch_size: int, expected: list[int]) -> None:
    embedder = CountingEmbedder()
    result = embed_texts(texts(count), embedder, None, batch_size=batch_size, progress=False)
    assert embedder.batches == expected
    assert result.vectors.shape == (count, embedder.dim)
    assert (result.cached, result.computed) == (0, count)


@pytest.mark.parametrize("shard_size", [4, 1000])
def test_an_interrupted_run_keeps_the_batches_it_finished(tmp_path: Path, shard_size: int) -> None:
    cache = EmbeddingCache(tmp_path, shard_size=shard_size)
    with pytest.raises(KeyboardInterrupt):
        embed_texts(texts(12), CountingEmbedder(fail_after=2), cache, batch_size=2, progress=False)
    result = embed_texts(texts(12), CountingEmbedder(), cache, batch_size=2, progress=False)
    assert (result.cached, result.computed) == (4, 8)


def test_a_wrong_shape_from_the_embedder_is_an_error() -> None:
    with pytest.raises(EmbedderError, match="shape"):
        embed_texts(texts(3), WrongShapeEmbedder(16), None, progress=False)


def test_progress_bar_does_not_change_the_result(tmp_path: Path) -> None:
    quiet = embed_texts(texts(5), CountingEmbedder(), None, progress=False)
    shown = embed_texts(texts(5), CountingEmbedder(), None, progress=True)
    np.testing.assert_array_equal(quiet.vectors, shown.vectors)


def test_summary_of_one_statement() -> None:
    result = embed_texts(texts(1), CountingEmbedder(), None, progress=False)
    assert result.summary() == "embedded 1 statement, 0 from cache"
