from __future__ import annotations

import logging
import multiprocessing
import random
from pathlib import Path
from typing import Any

import numpy as np

from tests.embed.fakes import CountingEmbedder, texts
from thememine.embed import EmbeddingCache, embed_texts

ROUNDS = 12


def _worker(root: str, seed: int, barrier: Any, results: Any) -> None:
    """Embed overlapping random subsets again and again, in a cache another process also writes."""
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    logging.getLogger("thememine.embed").addHandler(Collect(logging.WARNING))
    pool, rng = texts(120), random.Random(seed)
    reference = CountingEmbedder().encode(pool)
    cache = EmbeddingCache(Path(root), shard_size=6, max_small_shards=2)  # merges nearly every write
    wrong, embedded = 0, set()
    barrier.wait()
    for _ in range(ROUNDS):
        picked = rng.sample(range(len(pool)), 40)
        result = embed_texts(
            [pool[i] for i in picked], CountingEmbedder(), cache, batch_size=3, progress=False
        )
        wrong += int(not np.array_equal(result.vectors, reference[picked]))
        embedded.update(picked)
    results.put((wrong, warnings, embedded))


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_worker, args=(str(tmp_path), seed, barrier, results)) for seed in (1, 2)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    for wrong, warnings, _ in reports:
        assert wrong == 0
        assert warnings == []  # no process ever met a half-written shard
    embedded = reports[0][2] | reports[1][2]
    embedder = CountingEmbedder()
    result = embed_texts(texts(120), embedder, EmbeddingCache(tmp_path), progress=False)
    np.testing.assert_array_equal(result.vectors, CountingEmbedder().encode(texts(120)))
    assert result.cached == len(embedded)  # merging in parallel lost no vector
    assert sorted(embedder.seen) == sorted(t for i, t in enumerate(texts(120)) if i not in embedded)
    assert not list(tmp_path.rglob("*.tmp"))
