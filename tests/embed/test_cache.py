from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from tests.embed.fakes import CountingEmbedder, texts
from thememine.embed import EmbeddingCache, default_cache_dir, embed_texts, text_key
from thememine.embed.cache import _shard_bytes


def shards(cache: EmbeddingCache, embedder: CountingEmbedder) -> list[Path]:
    return sorted(cache.folder(embedder).glob("*.npz"))


def test_lookup_finds_what_was_put_and_nothing_else(tmp_path: Path) -> None:
    cache, embedder = EmbeddingCache(tmp_path), CountingEmbedder()
    stored = texts(5)
    cache.put(embedder, [text_key(t) for t in stored], embedder.encode(stored))
    asked = [stored[3], "ikke gemt", stored[0], stored[3]]
    vectors, found = cache.lookup(embedder, [text_key(t) for t in asked])
    assert found.tolist() == [True, False, True, True]
    np.testing.assert_array_equal(vectors[[0, 2, 3]], embedder.encode([stored[3], stored[0], stored[3]]))
    assert not vectors[1].any()


def test_other_embedder_or_version_does_not_share_vectors(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    stored = texts(3)
    keys = [text_key(t) for t in stored]
    first = CountingEmbedder(version="1")
    cache.put(first, keys, first.encode(stored))
    for other in (CountingEmbedder(version="2"), CountingEmbedder(dim=32)):
        assert not cache.lookup(other, keys)[1].any()
    assert cache.lookup(CountingEmbedder(version="1"), keys)[1].all()


def test_cache_files_hold_no_text(tmp_path: Path) -> None:
    secret = ["Mette Kjærgaard bor på Lærkevej 12 i Vejle.", "Hun har cpr-nummer 010190-1234."]
    embed_texts(secret, CountingEmbedder(), EmbeddingCache(tmp_path), progress=False)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.suffix == ".npz" for path in files)
    needles = [s.encode(codec) for s in secret for codec in ("utf-8", "utf-16-le")]
    needles += [b"Kj\xc3\xa6rgaard", b"Kjaergaard", b"010190", b"L\xc3\xa6rkevej"]
    for path in files:
        data = path.read_bytes()
        assert not [needle for needle in needles if needle in data], path.name


def corrupt_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def corrupt_flip_a_vector_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-400] ^= 0xFF  # inside vectors.npy, before the zip directory at the end
    path.write_bytes(bytes(data))


def corrupt_garbage(path: Path) -> None:
    path.write_bytes(b"not a shard at all" * 10)


def corrupt_empty(path: Path) -> None:
    path.write_bytes(b"")


def corrupt_wrong_dim(path: Path) -> None:
    keys = [text_key(t) for t in texts(4)]
    path.write_bytes(_shard_bytes(keys, np.ones((4, 3), dtype=np.float32)))


def corrupt_nan(path: Path) -> None:
    keys = [text_key(t) for t in texts(4)]
    path.write_bytes(_shard_bytes(keys, np.full((4, 64), np.nan, dtype=np.float32)))


@pytest.mark.parametrize(
    "corrupt",
    [
        corrupt_truncate,
        corrupt_flip_a_vector_byte,
        corrupt_garbage,
        corrupt_empty,
        corrupt_wrong_dim,
        corrupt_nan,
    ],
)
def test_damaged_shard_is_recomputed_with_a_warning(
    tmp_path: Path, corrupt: object, caplog: pytest.LogCaptureFixture
) -> None:
    cache = EmbeddingCache(tmp_path, shard_size=4)
    statements = texts(10)
    expected = CountingEmbedder().encode(statements)
    embed_texts(statements, CountingEmbedder(), cache, batch_size=4, progress=False)
    damaged = shards(cache, CountingEmbedder())[0]
    corrupt(damaged)  # type: ignore[operator]

    embedder = CountingEmbedder()
    with caplog.at_level(logging.WARNING, logger="thememine.embed"):
        result = embed_texts(statements, embedder, cache, batch_size=4, progress=False)

    assert (result.cached, result.computed) == (6, 4)
    assert sorted(embedder.seen) == sorted(statements[:4])
    np.testing.assert_array_equal(result.vectors, expected)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and damaged.name in warnings[0]
    assert not any(word in warnings[0] for word in ("Udsagn", "jobcentret"))
    again = embed_texts(statements, CountingEmbedder(), cache, progress=False)
    assert (again.cached, again.computed) == (10, 0)


def test_many_small_shards_are_merged(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, shard_size=8, max_small_shards=3)
    embedder = CountingEmbedder()
    statements = texts(20)
    for start in range(0, 20, 2):  # ten runs, each adding two statements
        embed_texts(statements[: start + 2], embedder, cache, progress=False)
        assert len(shards(cache, embedder)) <= 4
    result = embed_texts(statements, embedder, cache, progress=False)
    assert result.cached == 20
    np.testing.assert_array_equal(result.vectors, CountingEmbedder().encode(statements))
    sizes = [len(np.load(path)["keys"]) for path in shards(cache, embedder)]
    assert sum(sizes) == 20  # merging dropped no vector and kept no duplicate


def test_unwritable_cache_warns_and_carries_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    embedder = CountingEmbedder()
    with caplog.at_level(logging.WARNING, logger="thememine.embed"):
        result = embed_texts(texts(3), embedder, EmbeddingCache(blocker, shard_size=1), progress=False)
    assert result.computed == 3
    np.testing.assert_array_equal(result.vectors, CountingEmbedder().encode(texts(3)))
    assert len([r for r in caplog.records if "Cannot write" in r.getMessage()]) == 1


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"THEMEMINE_CACHE_DIR": "/data/tm", "XDG_CACHE_HOME": "/xdg"}, Path("/data/tm")),
        ({"XDG_CACHE_HOME": "/xdg"}, Path("/xdg/thememine")),
        ({"HOME": "/home/forsker"}, Path("/home/forsker/.cache/thememine")),
    ],
)
def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: Path) -> None:
    for name in ("THEMEMINE_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_cache_dir() == expected
    assert EmbeddingCache().root == expected


def test_text_key_is_sha256_of_the_exact_text() -> None:
    assert text_key("Hej") != text_key("hej") != text_key("hej ")
    assert text_key("æ").hex() == "889be819e24eaa58cd98ff071bc5aa9d9d6b3fea8d62c6cd43778c7370d2bf60"
